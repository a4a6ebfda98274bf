"""Deciding a held item: a response held by the new-responder policy, or an author's reply.

Both are decided by the same steps (only a moderator; once; a reason to refuse; who
decided; an audit entry), so those steps live here once. A `HeldKind` says what differs:
the model, the names in the audit log, where the reason goes and what happens after
publishing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.audit import audit, refuse
from apps.responders.permissions import can_moderate

from ..models import AuthorReply, Response

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

H = TypeVar("H", Response, AuthorReply)


@dataclass(frozen=True)
class HeldKind(Generic[H]):
    """What differs between the kinds of held item."""

    model: type[H]
    # Audit actions are "<audit_name>.<verb>".
    audit_name: str
    published_verb: str
    awaiting: str
    published: str
    rejected: str
    # The field that keeps the moderator's reason for not publishing, and the form
    # field an empty reason is reported on.
    reason_field: str
    reason_key: str
    reason_needed: str | _StrPromise
    already_decided: str | _StrPromise
    related: tuple[str, ...]
    organisation_path: Callable[[H], str]
    after_publish: Callable[[H], None]


def held_publish(kind: HeldKind[H], *, moderator: User, item: H) -> H:
    """Publish a held item once, recording who did it; then `kind.after_publish` (in the
    same transaction, so its emails go only if the decision is kept)."""
    _refuse_unless_moderator(kind, moderator, item)
    with transaction.atomic():
        held = _undecided(kind, item.pk)
        held.moderated_by = moderator
        held.status = kind.published
        held.published_at = timezone.now()
        held.save()
        _audit(kind, moderator, held, kind.published_verb)
        kind.after_publish(held)
    return held


def held_reject(kind: HeldKind[H], *, moderator: User, item: H, reason: str) -> H:
    """Refuse a held item once, with a reason its writer sees."""
    _refuse_unless_moderator(kind, moderator, item)
    with transaction.atomic():
        held = _undecided(kind, item.pk)
        if not reason.strip():
            raise ValidationError({kind.reason_key: kind.reason_needed})
        held.moderated_by = moderator
        held.status = kind.rejected
        setattr(held, kind.reason_field, reason.strip())
        held.save()
        _audit(kind, moderator, held, "rejected")
    return held


def _refuse_unless_moderator(kind: HeldKind[H], moderator: User, item: H) -> None:
    # Outside the transaction, so the record of the refusal is kept.
    if not can_moderate(moderator):
        refuse(
            actor=moderator,
            action=f"{kind.audit_name}.moderation_refused",
            target=item,
            organisation_path=kind.organisation_path(item),
        )


def _undecided(kind: HeldKind[H], pk: int) -> H:
    """The item, locked for update, if it is still waiting; two moderators cannot both
    decide it."""
    held = kind.model.objects.select_for_update().select_related(*kind.related).get(pk=pk)
    if held.status != kind.awaiting:
        raise ValidationError(kind.already_decided)
    return held


def _audit(kind: HeldKind[H], moderator: User, held: H, verb: str) -> None:
    audit(
        actor=moderator,
        action=f"{kind.audit_name}.{verb}",
        target=held,
        organisation_path=kind.organisation_path(held),
        story_id=held.story_id,
    )
