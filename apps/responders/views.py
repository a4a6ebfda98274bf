from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from apps.accounts.decorators import second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.accounts.models import User
from apps.accounts.services import account_sign_in_new
from apps.core.audit import refuse
from apps.core.forms import add_service_errors
from apps.core.view_markers import private
from apps.organisations.models import Organisation

from . import invitations, selectors, teams
from .forms import (
    GrantRoleForm,
    InvitationCsvForm,
    InviteForm,
    NewAccountForm,
    TeamForm,
    TeamMemberForm,
)
from .invitations import InvitationInvalid, invitation_accept, invitation_for_token
from .models import Invitation, Role, Team
from .permissions import can_manage, deactivatable_among, holds_address
from .services import role_grant, role_revoke, staff_deactivate, staff_reactivate

PAGE_SIZE = 50

# Whole sentences for each role, so that a translation can inflect the role's name.
WELCOME = {
    "reader": gettext_lazy("Welcome. You are now reader for %(organisation)s."),
    "responder": gettext_lazy("Welcome. You are now responder for %(organisation)s."),
    "super_user": gettext_lazy("Welcome. You are now super-user for %(organisation)s."),
}
NOW_HOLDS = {
    "reader": gettext_lazy("%(person)s is now Reader at %(organisation)s."),
    "responder": gettext_lazy("%(person)s is now Responder at %(organisation)s."),
    "super_user": gettext_lazy("%(person)s is now Super-user at %(organisation)s."),
}


@private
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", block=True)
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Who invited you, to what and where; then make an account, or use the one signed in."""
    try:
        invitation = invitation_for_token(token)
    except InvitationInvalid as exc:
        return render(
            request, "responders/invitation_invalid.html", {"reason": str(exc)}, status=403
        )
    form = NewAccountForm(
        request.POST if request.method == "POST" and not request.user.is_authenticated else None,
        email=invitation.email,
        initial={"display_name": invitation.full_name, "job_title": invitation.job_title},
    )
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                invitation_accept(token=token, user=request.user)
            elif form.is_valid():
                user = invitations.invitation_accept_new_account(
                    token=token,
                    password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"],
                    job_title=form.cleaned_data["job_title"],
                )
                account_sign_in_new(request, user)
            else:
                return render(
                    request, "responders/accept.html", {"invitation": invitation, "form": form}
                )
        except PermissionDenied as exc:
            # Unusable, or meant for another address than the signed-in account's.
            return render(
                request, "responders/invitation_invalid.html", {"reason": str(exc)}, status=403
            )
        messages.success(
            request, WELCOME[invitation.role] % {"organisation": invitation.organisation}
        )
        return redirect("inbox:index")
    context = {
        "invitation": invitation,
        "form": form,
        "addressee": holds_address(request.user, invitation.email),
    }
    return render(request, "responders/accept.html", context)


# --- super-users: members, invitations, teams and the audit log of a subtree ------
def _posted(request: AuthenticatedHttpRequest) -> tuple[Any, Any]:
    """The form data of a POST (even an empty one, so it is checked), or None for a GET."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _managed(request: AuthenticatedHttpRequest, slug: str) -> Organisation:
    """The node of the URL, if the user manages it; otherwise 403, recorded."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not can_manage(request.user, organisation):
        refuse(
            actor=request.user,
            action="responders.staff_page.refused",
            target=organisation,
            organisation_path=organisation.path,
            page=request.resolver_match.view_name if request.resolver_match else "",
        )
    return organisation


@require_http_methods(["GET", "POST"])
@second_factor_required
def members(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Who holds what where beneath this node, and giving someone a role."""
    organisation = _managed(request, slug)
    nodes = list(selectors.nodes_under(organisation))
    form = GrantRoleForm(_posted(request)[0], nodes=nodes, initial={"node": organisation.pk})
    if request.method == "POST" and form.is_valid():
        role_grant(
            granter=request.user,
            user=form.person,
            role=form.cleaned_data["role"],
            organisation=form.chosen_node(),
        )
        messages.success(
            request,
            NOW_HOLDS[form.cleaned_data["role"]]
            % {"person": form.person, "organisation": form.chosen_node()},
        )
        return redirect("staff:members", slug=slug)
    page = Paginator(selectors.members_of(organisation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    people = [role.user_id for role in page.object_list if role.user_id]
    context = {
        "organisation": organisation,
        "page": page,
        "above": list(selectors.roles_above(organisation)),
        "form": form,
        "deactivatable": deactivatable_among(request.user, people),
    }
    return render(request, "responders/members.html", context)


@require_POST
@second_factor_required
def revoke_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(Role.objects.select_related("user", "team", "organisation"), pk=pk)
    role_revoke(revoker=request.user, grant=grant)
    messages.success(request, _("%(holder)s no longer holds that role.") % {"holder": grant.holder})
    if grant.organisation is None:
        return redirect("inbox:index")
    return redirect("staff:members", slug=grant.organisation.slug)


@require_http_methods(["GET", "POST"])
@second_factor_required
@ratelimit(key="user", rate="300/h", method="POST", block=True)
def invitation_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Invitations beneath this node, and inviting one person."""
    organisation = _managed(request, slug)
    form = InviteForm(
        _posted(request)[0],
        nodes=list(selectors.nodes_under(organisation)),
        initial={"node": organisation.pk, "role": "responder"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitations.invitation_create(
            inviter=request.user,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            job_title=data["job_title"],
            role=data["role"],
            organisation=form.chosen_node(),
        )
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
        return redirect("staff:invitations", slug=slug)
    page = Paginator(selectors.invitations_of(organisation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "responders/invitations.html",
        {"organisation": organisation, "page": page, "form": form, "now": timezone.now()},
    )


@require_http_methods(["GET", "POST"])
@second_factor_required
@ratelimit(key="user", rate="30/h", method="POST", block=True)
def invitation_upload(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Many invitations from a CSV file: a preview with a message per bad row, then all or
    nothing."""
    organisation = _managed(request, slug)
    form = InvitationCsvForm(*_posted(request))
    rows = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if "apply" in request.POST:
            try:
                sent = invitations.invitation_csv_apply(inviter=request.user, text=text)
            except ValidationError:
                pass  # the rows below say what is wrong
            else:
                messages.success(
                    request,
                    ngettext("%(count)s invitation sent.", "%(count)s invitations sent.", len(sent))
                    % {"count": len(sent)},
                )
                return redirect("staff:invitations", slug=slug)
        rows = invitations.invitation_csv_preview(inviter=request.user, text=text)
        form = InvitationCsvForm(initial={"text": text})
    context = {
        "organisation": organisation,
        "form": form,
        "rows": rows,
        "problems": sum(1 for row in rows or [] if row.error),
        "columns": invitations.CSV_COLUMNS,
    }
    return render(request, "responders/invitation_upload.html", context)


def _invitation_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), pk=pk)
    try:
        if action == "resend":
            invitations.invitation_resend(actor=request.user, invitation=invitation)
            messages.success(
                request, _("A new link was sent to %(email)s.") % {"email": invitation.email}
            )
        else:
            invitations.invitation_revoke(actor=request.user, invitation=invitation)
            messages.success(
                request,
                _("The invitation to %(email)s no longer works.") % {"email": invitation.email},
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff:invitations", slug=invitation.organisation.slug)


@require_POST
@second_factor_required
def invitation_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _invitation_action(request, pk, "resend")


@require_POST
@second_factor_required
def invitation_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _invitation_action(request, pk, "revoke")


@require_http_methods(["GET", "POST"])
@second_factor_required
def team_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed(request, slug)
    form = TeamForm(_posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            team = teams.team_create(
                actor=request.user,
                organisation=organisation,
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Team “%(name)s” made. Now add its members.") % {"name": team.name}
            )
            return redirect("staff:team", pk=team.pk)
    return render(
        request,
        "responders/teams.html",
        {"organisation": organisation, "teams": selectors.teams_of(organisation), "form": form},
    )


def _team(request: AuthenticatedHttpRequest, pk: int) -> Team:
    team = get_object_or_404(Team.objects.select_related("organisation", "group"), pk=pk)
    _managed(request, team.organisation.slug)
    return team


@require_http_methods(["GET", "POST"])
@second_factor_required
def team_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    form = TeamMemberForm(_posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            teams.team_add_member(actor=request.user, team=team, user=form.person)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(person)s joined %(team)s.") % {"person": form.person, "team": team.name},
            )
            return redirect("staff:team", pk=team.pk)
    context = {
        "team": team,
        "organisation": team.organisation,
        "members": list(team.group.user_set.order_by("display_name")),
        "roles": list(team.roles.select_related("organisation")),
        "form": form,
    }
    return render(request, "responders/team.html", context)


@require_POST
@second_factor_required
def team_remove(request: AuthenticatedHttpRequest, pk: int, user_pk: int) -> HttpResponse:
    team = _team(request, pk)
    person = get_object_or_404(User, pk=user_pk)
    teams.team_remove_member(actor=request.user, team=team, user=person)
    messages.success(
        request, _("%(person)s left %(team)s.") % {"person": person, "team": team.name}
    )
    return redirect("staff:team", pk=team.pk)


@require_safe
@second_factor_required
def audit_log(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Every grant, revocation, invitation, referral and refusal in the subtree."""
    organisation = _managed(request, slug)
    page = Paginator(selectors.audit_log(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "responders/audit.html", {"organisation": organisation, "page": page})


def _person_action(request: AuthenticatedHttpRequest, pk: int, active: bool) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    if active:
        staff_reactivate(actor=request.user, person=person)
        messages.success(request, _("%(name)s can sign in again.") % {"name": person})
    else:
        staff_deactivate(actor=request.user, person=person)
        messages.success(
            request,
            _(
                "%(name)s is deactivated: they can no longer sign in and get no email. "
                "Their responses keep the name and job title they were published under."
            )
            % {"name": person},
        )
    back = Organisation.objects.filter(slug=request.POST.get("organisation", "")).first()
    if back is not None and can_manage(request.user, back):
        return redirect("staff:members", slug=back.slug)
    return redirect("inbox:index")


@require_POST
@second_factor_required
def deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A super-user (in scope) or platform admin deactivates someone who has left."""
    return _person_action(request, pk, active=False)


@require_POST
@second_factor_required
def reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The same people undo it."""
    return _person_action(request, pk, active=True)
