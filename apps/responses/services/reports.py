"""Reports of published responses and author replies (stories' own are in
`apps.stories.reports`): a reader reports one; a moderator hides it behind a placeholder
giving the reason, or dismisses the reports. Each outcome closes the item's open reports,
is audited (who, what, why) and is told to the story's author, the responders over its
services and, for a response, its writer."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import audit
from apps.core.signals import figures_changed
from apps.responders.permissions import can_moderate
from apps.stories.models import Story, StoryStatus
from apps.stories.reports import check_hide_reason, report_outcome_tell
from apps.stories.selectors import story_service_paths
from apps.stories.taxonomy import ReportOutcome

from ..models import (
    AuthorReply,
    AuthorReplyStatus,
    ConversationReport,
    Response,
    ResponseStatus,
)
from ..selectors import story_path


@transaction.atomic
def conversation_report(
    *,
    response: Response | None = None,
    reply: AuthorReply | None = None,
    reason: str,
    note: str,
    submission_key: uuid.UUID | None = None,
) -> ConversationReport:
    """A reader reports a published response or author reply (one of the two); the same
    submission key again (a double submit) makes no second report."""
    item = response or reply
    if item is None or (response is None) == (reply is None):
        raise ValueError("Report a response or a reply, exactly one.")
    if item.status != ResponseStatus.PUBLISHED:  # the same code for both
        raise ValidationError(_("Only what is published can be reported."))
    fields = {"response": response, "reply": reply, "reason": reason, "note": note.strip()}
    if submission_key is not None:
        report, created = ConversationReport.objects.get_or_create(
            submission_key=submission_key, defaults=fields
        )
    else:
        report, created = ConversationReport.objects.create(**fields), True
    if created:
        audit(actor=None, action="responses.report.created", target=report, reason=reason)
    return report


def _close(item: Response | AuthorReply, moderator: User, outcome: str, note: str) -> list[int]:
    """Close the item's open reports with the outcome; their ids (for the audit)."""
    field = "response" if isinstance(item, Response) else "reply"
    reports = ConversationReport.objects.select_for_update().filter(
        **{field: item}, resolved_at__isnull=True
    )
    ids = list(reports.values_list("pk", flat=True))
    ConversationReport.objects.filter(pk__in=ids).update(
        resolved_at=timezone.now(),
        resolved_by=moderator,
        outcome=outcome,
        resolution_note=note.strip(),
    )
    return ids


def _locked(
    model: type[Response] | type[AuthorReply], pk: int, moderator: User
) -> Response | AuthorReply:
    """The item, locked for update (its own row only), if the user may moderate."""
    if not can_moderate(moderator):
        raise PermissionDenied
    related = ("story", "author") if model is Response else ("story",)
    item: Response | AuthorReply = (
        model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)
    )
    return item


def _writers(item: Response | AuthorReply) -> list[str]:
    """The staff writer of a response (the author of a reply is the story's author)."""
    if isinstance(item, Response) and item.author is not None and item.author.is_active:
        return [item.author.email]
    return []


def _kind(item: Response | AuthorReply) -> str:
    return "response" if isinstance(item, Response) else "reply"


@transaction.atomic
def conversation_item_hide(
    *,
    model: type[Response] | type[AuthorReply],
    pk: int,
    moderator: User,
    reason: str,
    public_note: str = "",
) -> Response | AuthorReply:
    """Hide a published response or author reply behind a placeholder giving the reason:
    the conversation shows the placeholder in its place; it leaves counts, feeds and the
    API (they ask for published ones). Its open reports are closed; the story's author,
    the responders and a response's writer are told."""
    item = _locked(model, pk, moderator)
    check_hide_reason(reason, public_note)
    if item.status != ResponseStatus.PUBLISHED:
        raise ValidationError(_("Only what is published can be hidden."))
    item.status = ResponseStatus.HIDDEN if isinstance(item, Response) else AuthorReplyStatus.HIDDEN
    item.hidden_reason = reason
    item.hidden_note = public_note.strip()
    item.save(update_fields=["status", "hidden_reason", "hidden_note", "updated_at"])
    kind = _kind(item)
    closed = _close(item, moderator, ReportOutcome.HIDDEN, "")
    audit(
        actor=moderator,
        action=f"responses.{'response' if kind == 'response' else 'author_reply'}.hidden",
        target=item,
        organisation_path=story_path(item.story),
        reason=reason,
        public_note=item.hidden_note,
        reports=closed,
    )
    if kind == "response":
        # The story's progress and the response figures count published responses only.
        figures_changed(Story, story_service_paths(item.story_id))
    report_outcome_tell(
        story=item.story,
        item=kind,
        outcome=ReportOutcome.HIDDEN,
        because=lazy(lambda: item.hidden_because, str)(),
        key=f"{kind}:{item.pk}",
        writers=_writers(item),
    )
    return item


@transaction.atomic
def conversation_reports_dismiss(
    *, model: type[Response] | type[AuthorReply], pk: int, moderator: User, note: str = ""
) -> list[int]:
    """Dismiss the open reports of a response or author reply: it stays as it is. The
    story's author, the responders and a response's writer are told."""
    item = _locked(model, pk, moderator)
    kind = _kind(item)
    closed = _close(item, moderator, ReportOutcome.DISMISSED, note)
    if not closed:
        raise ValidationError(_("There are no open reports of this."))
    audit(
        actor=moderator,
        action="responses.report.dismissed",
        target=item,
        organisation_path=story_path(item.story),
        reports=closed,
        note=note.strip(),
    )
    if item.story.status == StoryStatus.PUBLISHED:
        report_outcome_tell(
            story=item.story,
            item=kind,
            outcome=ReportOutcome.DISMISSED,
            because="",
            key=f"{kind}:{item.pk}:{closed[-1]}",
            writers=_writers(item),
        )
    return closed
