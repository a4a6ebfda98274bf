"""An organisation's description and its Welsh name and description, for its super-users
and platform admins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.audit import refuse
from apps.core.forms import add_service_errors
from apps.core.view_markers import private
from apps.organisations.models import Organisation

from .about import about_fingerprint, about_of, can_edit_about, organisation_about_update
from .forms_about import AboutForm


@private
@require_http_methods(["GET", "HEAD", "POST"])
@second_factor_required
def about_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Edit the description and the Welsh name and description: 403, audited, for anyone
    but the node's super-users and platform admins."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not can_edit_about(request.user, organisation):
        refuse(
            actor=request.user,
            action="responders.staff_page.refused",
            target=organisation,
            organisation_path=organisation.path,
            page="staff:about",
        )
    saved = about_of(organisation)
    posted = request.method == "POST"
    form = AboutForm(request.POST if posted else None, initial=saved)
    # The fingerprint of the text as the person opened it: kept through a form with errors,
    # renewed when someone else's save is shown to them.
    opened = request.POST.get("opened", "") if posted else about_fingerprint(saved)
    theirs = None
    if posted and form.is_valid():
        try:
            organisation_about_update(
                actor=request.user, organisation=organisation, opened=opened, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            if getattr(exc, "code", None) == "stale":
                theirs, opened = saved, about_fingerprint(saved)
        else:
            # The same words whether this save changed the text or found it already saved:
            # after a double submit, the person sees the second answer only.
            messages.success(request, _("The description and Welsh name are saved."))
            return redirect("staff:about", slug=organisation.slug)
    context = {"organisation": organisation, "form": form, "opened": opened, "theirs": theirs}
    return render(request, "responders/about.html", context)
