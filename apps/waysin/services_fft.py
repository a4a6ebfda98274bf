"""A trust's Friends and Family Test setting (docs/ways-in.md): whether its tell flows ask
the question of each of its services, and before or after the story."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from apps.accounts.http import AnyUser
from apps.core.audit import audit
from apps.organisations.models import Organisation
from apps.responders.permissions import can_manage

FFT_SETTINGS = ("", "before", "after")


def can_set_fft(user: AnyUser, trust: Organisation) -> bool:
    """Super-users of the trust (a role at its root) and platform admins."""
    return trust.depth == 1 and can_manage(user, trust)


@transaction.atomic
def trust_fft_update(*, actor: AnyUser, trust: Organisation, fft_asked: str) -> bool:
    """Turn the question on (before or after the story) or off for the trust's whole tree;
    audited with the old and new values. The same value again changes nothing and records
    nothing (False)."""
    if not can_set_fft(actor, trust):
        raise PermissionDenied
    if fft_asked not in FFT_SETTINGS:
        raise ValueError(f"Unknown Friends and Family Test setting {fft_asked!r}")
    locked = Organisation.objects.select_for_update().get(pk=trust.pk)
    if locked.fft_asked == fft_asked:
        return False
    Organisation.objects.filter(pk=trust.pk).update(fft_asked=fft_asked)
    audit(
        actor=actor,
        action="organisations.organisation.fft_changed",
        target=trust,
        organisation_path=trust.path,
        before={"fft_asked": locked.fft_asked},
        after={"fft_asked": fft_asked},
    )
    return True
