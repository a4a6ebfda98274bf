"""Making and revoking API keys (super-users in scope, platform admins), and noting use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import audit, refuse
from apps.organisations.models import Organisation
from apps.responders.permissions import can_manage

from . import keys
from .models import ApiKey

# The same create form sent again shows its key again, to the same person, for this long.
SHOW_AGAIN_FOR = dt.timedelta(minutes=10)
# How often a key's "last used" is written at most.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class MadeKey:
    api_key: ApiKey
    # The key itself, or "" when it cannot be shown again.
    key: str
    created: bool


def _check(actor: User, organisation: Organisation, action: str) -> None:
    if not can_manage(actor, organisation):
        refuse(
            actor=actor,
            action=f"api.api_key.{action}_refused",
            target=organisation,
            organisation_path=organisation.path,
            message=_("You cannot manage API keys there."),
        )


def api_key_create(*, actor: User, organisation: Organisation, name: str, nonce: str) -> MadeKey:
    """A new key for a node the actor manages, audited. The same form sent twice (the same
    nonce) makes one key; the second answer shows it again only to its maker, briefly."""
    _check(actor, organisation, "create")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Say what the key is for.")})
    if len(nonce) < 32:
        raise ValidationError(_("The form has expired. Please fill it in again."))
    key = keys.key_from_nonce(nonce)
    try:
        with transaction.atomic():
            api_key = ApiKey.objects.create(
                name=name,
                organisation=organisation,
                prefix=keys.public_prefix(key),
                key_hash=keys.digest(key),
                nonce_hash=keys.digest(nonce),
                created_by=actor,
            )
            audit(
                actor=actor,
                action="api.api_key.created",
                target=api_key,
                organisation_path=organisation.path,
                name=name,
                prefix=api_key.prefix,
            )
    except IntegrityError:
        # The other submission of this form committed first (Postgres made this insert
        # wait for it): answer with the key it made.
        existing = ApiKey.objects.select_related("organisation").get(nonce_hash=keys.digest(nonce))
        again = (
            existing.created_by_id == actor.pk
            and existing.revoked_at is None
            and existing.key_hash == keys.digest(key)
            and timezone.now() - existing.created_at < SHOW_AGAIN_FOR
        )
        return MadeKey(existing, key if again else "", created=False)
    return MadeKey(api_key, key, created=True)


def api_key_revoke(*, actor: User, api_key: ApiKey) -> bool:
    """Stop a key working at once, audited. False when it was revoked already."""
    _check(actor, api_key.organisation, "revoke")
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        if revoked:
            audit(
                actor=actor,
                action="api.api_key.revoked",
                target=api_key,
                organisation_path=api_key.organisation.path,
                name=api_key.name,
                prefix=api_key.prefix,
            )
    api_key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return bool(revoked)


def api_key_note_use(*, api_key: ApiKey, now: dt.datetime) -> None:
    """Record that the key was used: one conditional UPDATE a minute at most, so two
    requests at once write once and a busy client costs no write per request."""
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION),
        pk=api_key.pk,
    ).update(last_used_at=now)
    api_key.last_used_at = now
