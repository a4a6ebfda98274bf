"""Changing a trust's board report targets."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from apps.accounts.http import AnyUser
from apps.core.audit import audit
from apps.organisations.models import Organisation
from apps.responders.permissions import can_manage

TARGET_FIELDS = (
    "target_response_rate",
    "target_within_response_target",
    "target_median_response_days",
)


def can_set_targets(user: AnyUser, trust: Organisation) -> bool:
    """Super-users of the trust (a role at its root) and platform admins."""
    return trust.depth == 1 and can_manage(user, trust)


@transaction.atomic
def trust_targets_update(*, actor: AnyUser, trust: Organisation, targets: dict[str, int]) -> None:
    """Set the trust's board report targets (a trust is a root node); audited with the old
    and new values. Sending the same values twice changes nothing and records nothing."""
    if not can_set_targets(actor, trust):
        raise PermissionDenied
    locked = Organisation.objects.select_for_update().get(pk=trust.pk)
    before = {name: getattr(locked, name) for name in TARGET_FIELDS}
    after = {name: int(targets[name]) for name in TARGET_FIELDS}
    if before == after:
        return
    Organisation.objects.filter(pk=trust.pk).update(**after)
    audit(
        actor=actor,
        action="organisations.organisation.targets_changed",
        target=trust,
        organisation_path=trust.path,
        before=before,
        after=after,
    )
