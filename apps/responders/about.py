"""What an organisation says of itself, and its name and words in Welsh (docs/languages.md,
"Welsh names of organisations"): set by super-users of the node and platform admins."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.http import AnyUser
from apps.core.audit import audit
from apps.core.text import strip_control
from apps.organisations.models import DESCRIPTION_MAX, Organisation

from .permissions import can_manage

ABOUT_FIELDS = ("description", "name_cy", "description_cy")
NAME_MAX = Organisation._meta.get_field("name_cy").max_length or 200


def can_edit_about(user: AnyUser, organisation: Organisation) -> bool:
    """Super-users of the node or above, and platform admins (a second factor first)."""
    return can_manage(user, organisation)


def about_of(organisation: Organisation) -> dict[str, str]:
    return {name: getattr(organisation, name) for name in ABOUT_FIELDS}


def about_fingerprint(values: dict[str, str]) -> str:
    """Stands for the saved text a person opened, so a save can tell whether someone else
    changed it since (the form carries it in a hidden field)."""
    payload = json.dumps([values[name] for name in ABOUT_FIELDS], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _clean(values: dict[str, str]) -> dict[str, str]:
    cleaned = {
        name: strip_control(values.get(name) or "").replace("\r\n", "\n").strip()
        for name in ABOUT_FIELDS
    }
    cleaned["name_cy"] = " ".join(cleaned["name_cy"].split())
    errors = {}
    if len(cleaned["name_cy"]) > NAME_MAX:
        errors["name_cy"] = _("Keep the Welsh name under %(max)s characters.") % {"max": NAME_MAX}
    for name in ("description", "description_cy"):
        if len(cleaned[name]) > DESCRIPTION_MAX:
            errors[name] = _("Keep the description under %(max)s characters.") % {
                "max": f"{DESCRIPTION_MAX:,}"
            }
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def organisation_about_update(
    *,
    actor: AnyUser,
    organisation: Organisation,
    description: str,
    name_cy: str,
    description_cy: str,
    opened: str,
) -> bool:
    """Save the organisation's description and its Welsh name and description; audited
    with what changed, before and after. The same text again (a double submit) changes
    nothing and records nothing (False); saving over a change someone else made after
    `opened` (the fingerprint of the text as the person opened it) is refused."""
    if not can_edit_about(actor, organisation):
        raise PermissionDenied
    wanted = _clean(
        {"description": description, "name_cy": name_cy, "description_cy": description_cy}
    )
    locked = Organisation.objects.select_for_update().only("pk", "path", *ABOUT_FIELDS)
    current = about_of(locked.get(pk=organisation.pk))
    if current == wanted:
        return False
    if about_fingerprint(current) != opened:
        raise ValidationError(
            _(
                "Someone else saved this organisation’s description or Welsh name after you "
                "opened this page. What they saved is shown below: check it, change your text "
                "if you need to, and save again."
            ),
            code="stale",
        )
    Organisation.objects.filter(pk=organisation.pk).update(**wanted, updated_at=timezone.now())
    changed = [name for name in ABOUT_FIELDS if current[name] != wanted[name]]
    audit(
        actor=actor,
        action="organisations.organisation.about_changed",
        target=organisation,
        organisation_path=organisation.path,
        before={name: current[name] for name in changed},
        after={name: wanted[name] for name in changed},
    )
    for name in ABOUT_FIELDS:
        setattr(organisation, name, wanted[name])
    return True
