"""Invitations: one person, or many from a CSV file, to a role inside the inviter's subtree."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.services import account_create_verified
from apps.core.audit import audit, refuse
from apps.core.outbox import outbox_add
from apps.organisations.models import Organisation

from .models import ORGANISATION_ROLES, Invitation
from .permissions import can_grant, holds_address
from .services import role_grant, role_label

VALID_DAYS = 7
CSV_COLUMNS = ["first name", "last name", "email", "job title", "role", "node"]


NOT_YOURS = _(
    "This invitation was sent to another email address. Sign out, then open the link "
    "again to make an account with that address, or sign in with it."
)


class InvitationInvalid(PermissionDenied):
    """The token is unknown, altered, used, revoked or expired."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invited:
    invitation: Invitation
    token: str


def _check_may_invite(inviter: User, role: str, organisation: Organisation) -> None:
    if not can_grant(inviter, role, organisation) or role not in [
        r.value for r in ORGANISATION_ROLES
    ]:
        refuse(
            actor=inviter,
            action="responders.invitation.refused",
            target=organisation,
            organisation_path=organisation.path,
            # Translators: %(role)s is a role's name: reader, responder or super-user.
            message=gettext("You cannot invite someone as %(role)s there.")
            % {"role": role_label(role)},
            role=role,
        )


def invitation_create(
    *,
    inviter: User,
    email: str,
    first_name: str,
    last_name: str,
    job_title: str,
    role: str,
    organisation: Organisation,
) -> Invited:
    """Invite one person; they are emailed a link valid for 7 days."""
    _check_may_invite(inviter, role, organisation)
    with transaction.atomic():
        return _issue(
            inviter,
            Invitation(
                email=email,
                first_name=first_name,
                last_name=last_name,
                job_title=job_title,
                role=role,
                organisation=organisation,
            ),
        )


def _issue(inviter: User, invitation: Invitation) -> Invited:
    """Save a checked, unsaved invitation with a new token, audit it, and email it on commit."""
    token = secrets.token_urlsafe(32)
    invitation.email = invitation.email.strip().lower()
    invitation.first_name = invitation.first_name.strip()
    invitation.last_name = invitation.last_name.strip()
    invitation.job_title = invitation.job_title.strip()
    invitation.invited_by = inviter
    invitation.token_hash = _hash(token)
    invitation.expires_at = timezone.now() + dt.timedelta(days=VALID_DAYS)
    invitation.save()
    audit(
        actor=inviter,
        action="responders.invitation.created",
        target=invitation,
        organisation_path=invitation.organisation.path,
        role=invitation.role,
    )
    _send(invitation, token)
    return Invited(invitation, token)


def _send(invitation: Invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("staff:accept", kwargs={"token": token})
    context = {
        "invitation": invitation,
        "link": link,
        "site_name": settings.SITE_NAME,
        "days": VALID_DAYS,
    }
    outbox_add(
        kind="responders.invitation",
        key=f"{invitation.pk}:{_hash(token)[:16]}",
        to=invitation.email,
        subject=gettext("%(person)s invited you to %(site)s")
        % {"person": invitation.invited_by, "site": settings.SITE_NAME},
        text=render_to_string("responders/email/invitation.txt", context),
    )


def invitation_for_token(token: str) -> Invitation:
    """The open invitation behind a token, or InvitationInvalid (audited)."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=_hash(token))
        .first()
    )
    if invitation is None:
        # An unknown token is recorded too: altered or guessed links are worth seeing.
        _refuse_token(None, "unknown")
    problem = _closed_because(invitation)
    if problem:
        _refuse_token(invitation, problem)
    return invitation


def _closed_because(invitation: Invitation) -> str:
    if invitation.accepted_at:
        return "used"
    if invitation.revoked_at:
        return "revoked"
    if invitation.expires_at < timezone.now():
        return "expired"
    return ""


def _refuse_token(invitation: Invitation | None, problem: str) -> NoReturn:
    audit(
        actor=None,
        action="responders.invitation.refused",
        target=invitation,
        organisation_path=invitation.organisation.path if invitation else "",
        problem=problem,
    )
    raise InvitationInvalid(
        gettext(
            "This invitation link is not valid: it may have expired or been used already. "
            "Ask the person who invited you to send a new one."
        )
    )


def invitation_accept(*, token: str, user: User) -> Invitation:
    """Give the invited role to this account, with the inviter's authority, once."""
    invitation = invitation_for_token(token)
    inviter = invitation.invited_by
    if inviter is None or not can_grant(inviter, invitation.role, invitation.organisation):
        audit(
            actor=user,
            action="responders.invitation.refused",
            target=invitation,
            organisation_path=invitation.organisation.path,
            problem="inviter_lost_rights",
        )
        raise InvitationInvalid(gettext("The person who invited you can no longer give this role."))
    if not holds_address(user, invitation.email):
        # The link may have been forwarded or leaked: only its addressee may take the role.
        refuse(
            actor=user,
            action="responders.invitation.refused",
            target=invitation,
            organisation_path=invitation.organisation.path,
            message=str(NOT_YOURS),
            problem="other_address",
        )
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at:
            raise InvitationInvalid(gettext("This invitation has been used already."))
        role_grant(granter=inviter, user=user, role=locked.role, organisation=locked.organisation)
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        audit(
            actor=user,
            action="responders.invitation.accepted",
            target=locked,
            organisation_path=locked.organisation.path,
        )
    return locked


def invitation_accept_new_account(
    *, token: str, password: str, display_name: str, job_title: str
) -> User:
    """Make the invited person's account (its address verified: the invitation reached
    it) and give them the role, in one transaction: no account without the role."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        user = account_create_verified(
            email=invitation.email,
            password=password,
            display_name=display_name,
            job_title=job_title,
        )
        invitation_accept(token=token, user=user)
    return user


def invitation_resend(*, actor: User, invitation: Invitation) -> Invited:
    """A fresh link and 7 more days; the old link stops working."""
    _check_may_invite(actor, invitation.role, invitation.organisation)
    if invitation.accepted_at:
        raise ValidationError(gettext("This invitation has been accepted already."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation.token_hash = _hash(token)
        invitation.expires_at = timezone.now() + dt.timedelta(days=VALID_DAYS)
        invitation.revoked_at = None
        invitation.save(update_fields=["token_hash", "expires_at", "revoked_at", "updated_at"])
        audit(
            actor=actor,
            action="responders.invitation.resent",
            target=invitation,
            organisation_path=invitation.organisation.path,
        )
        _send(invitation, token)
    return Invited(invitation, token)


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    _check_may_invite(actor, invitation.role, invitation.organisation)
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit(
            actor=actor,
            action="responders.invitation.revoked",
            target=invitation,
            organisation_path=invitation.organisation.path,
        )


@dataclass(frozen=True)
class CsvRow:
    line: int
    first_name: str
    last_name: str
    email: str
    job_title: str
    role: str
    organisation: Organisation | None
    error: str


def invitation_csv_preview(*, inviter: User, text: str) -> list[CsvRow]:
    """Check every row of an uploaded CSV; each row says what is wrong with it, if anything."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [_file_problem(gettext("The file is empty."))]
    if [h.strip().lower() for h in rows[0]] != CSV_COLUMNS:
        # Translators: the names stay as they are: they are the file's column names.
        names = gettext("The first line must be the column names: %(names)s")
        return [_file_problem(names % {"names": ", ".join(CSV_COLUMNS)})]
    nodes = _nodes_named({cells[5].strip() for cells in rows[1:] if len(cells) == 6})
    seen: dict[str, int] = {}
    checked = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != 6:
            found = gettext("Expected 6 columns, found %(count)s.") % {"count": len(cells)}
            checked.append(CsvRow(line, "", "", "", "", "", None, found))
            continue
        first, last, email, title, role, key = (c.strip() for c in cells)
        row = CsvRow(
            line,
            first,
            last,
            email.lower(),
            title,
            role,
            nodes.get(key) or nodes.get(key.upper()),
            "",
        )
        error = _row_problem(inviter, row, key) or _repeated(row, seen)
        seen.setdefault(row.email, line)
        checked.append(dataclasses.replace(row, error=error))
    return checked


def _file_problem(error: str) -> CsvRow:
    return CsvRow(1, "", "", "", "", "", None, error)


def _nodes_named(keys: set[str]) -> dict[str, Organisation]:
    """The nodes the file names, by address (slug) and by ODS code, in one query."""
    nodes: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(
        Q(slug__in=keys) | Q(ods_code__in=[k.upper() for k in keys])
    ):
        nodes[org.slug] = org
        if org.ods_code:
            nodes[org.ods_code] = org
    return nodes


def _row_problem(inviter: User, row: CsvRow, key: str) -> str:
    """What is wrong with one row on its own, or ""."""
    try:
        validate_email(row.email)
    except ValidationError:
        return gettext("“%(email)s” is not an email address.") % {"email": row.email}
    if not row.first_name or not row.last_name:
        return gettext("A first and last name are needed.")
    if row.role not in [r.value for r in ORGANISATION_ROLES]:
        # Translators: reader, responder and super_user are the words the file must use.
        return gettext("Role “%(role)s” must be reader, responder or super_user.") % {
            "role": row.role
        }
    if row.organisation is None:
        return gettext("No organisation has the ODS code or address “%(key)s”.") % {"key": key}
    if not can_grant(inviter, row.role, row.organisation):
        # Translators: %(role)s is the role as the file names it: reader, responder or super_user.
        return gettext("You cannot invite a %(role)s at %(organisation)s.") % {
            "role": row.role,
            "organisation": row.organisation,
        }
    return ""


def _repeated(row: CsvRow, seen: dict[str, int]) -> str:
    if row.email in seen:
        return gettext("%(email)s is already invited on line %(line)s.") % {
            "email": row.email,
            "line": seen[row.email],
        }
    return ""


def _line(row: CsvRow) -> str:
    # Translators: a problem found in an uploaded file, e.g. "Line 3: “x” is not an email address."
    return pgettext("csv problem", "Line %(line)s: %(problem)s") % {
        "line": row.line,
        "problem": row.error,
    }


def invitation_csv_apply(*, inviter: User, text: str) -> list[Invited]:
    """Invite everyone in the file, or nobody if any row has a problem."""
    rows = invitation_csv_preview(inviter=inviter, text=text)
    problems = [row for row in rows if row.error]
    if problems:
        raise ValidationError([_line(row) for row in problems])
    invited = []
    with transaction.atomic():
        for row in rows:
            invited.append(
                _issue(
                    inviter,
                    Invitation(
                        email=row.email,
                        first_name=row.first_name,
                        last_name=row.last_name,
                        job_title=row.job_title,
                        role=row.role,
                        organisation=row.organisation,
                    ),
                )
            )
    return invited
