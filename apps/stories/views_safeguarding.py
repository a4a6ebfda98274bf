"""Safeguarding pages: a serious case (moderators and the contacts told), the open cases
and decision times (platform staff), the platform's settings (platform admins), and a
node's contacts and help text (its super-users and platform admins)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.accounts.decorators import allowed_only, second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.audit import refuse
from apps.core.forms import add_service_errors
from apps.organisations.models import Organisation
from apps.responders.permissions import can_manage, can_moderate, is_platform_admin

from . import safeguarding, selectors_safeguarding
from .forms_safeguarding import ContactForm, HelpTextForm, RecordForm, SettingsForm
from .models import SafeguardingContact

platform_staff_only = allowed_only(can_moderate)
platform_admins_only = allowed_only(is_platform_admin)


@require_http_methods(["GET", "POST"])
@second_factor_required
def case(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The case: the story as the contacts got it, and what was done."""
    found = selectors_safeguarding.case_for_page(pk)
    if not safeguarding.can_see_case(request.user, found):
        refuse(actor=request.user, action="stories.safeguarding_case.refused", target=found)
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        initial={"submission_key": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            safeguarding.case_record(
                case_id=found.pk,
                user=request.user,
                note=form.cleaned_data["note"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded. The moderators can now decide the story."))
            return redirect("safeguarding:case", pk=found.pk)
    context = {
        "case": found,
        "story": found.story,
        "form": form,
        "is_moderator": can_moderate(request.user),
    }
    return render(request, "safeguarding/case.html", context)


@require_safe
@platform_staff_only
def cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open serious cases, and how long stories wait for a safeguarding level."""
    context = {
        "cases": list(selectors_safeguarding.open_cases()),
        "times": selectors_safeguarding.decision_times(),
        "is_admin": is_platform_admin(request.user),
    }
    return render(request, "safeguarding/cases.html", context)


@require_http_methods(["GET", "POST"])
@platform_admins_only
def platform_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    row = safeguarding.platform_settings()
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "help_text": row.help_text,
            "fallback_email": row.fallback_email,
            "risk_words": row.risk_words,
        },
    )
    if request.method == "POST" and form.is_valid():
        safeguarding.settings_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Saved the safeguarding settings."))
        return redirect("safeguarding:settings")
    context = {"form": form, "default_help": safeguarding.DEFAULT_HELP_TEXT}
    return render(request, "safeguarding/settings.html", context)


def _managed(request: AuthenticatedHttpRequest, slug: str) -> Organisation:
    """The node of the URL, if the user manages it; otherwise 403, recorded."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not can_manage(request.user, organisation):
        refuse(
            actor=request.user,
            action="stories.safeguarding_contacts.refused",
            target=organisation,
            organisation_path=organisation.path,
        )
    return organisation


@require_http_methods(["GET", "POST"])
@second_factor_required
def node(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A node's safeguarding contacts (and adding one) and its own help text."""
    organisation = _managed(request, slug)
    form = ContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            safeguarding.contact_add(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Added a safeguarding contact."))
            return redirect("safeguarding:node", slug=slug)
    return _node_page(request, organisation, form, None)


@require_POST
@second_factor_required
def node_help(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed(request, slug)
    form = HelpTextForm(request.POST)
    if form.is_valid():
        safeguarding.help_text_set(
            actor=request.user, organisation=organisation, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Saved the help text."))
        return redirect("safeguarding:node", slug=slug)
    return _node_page(request, organisation, None, form)


@require_POST
@second_factor_required
def contact_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(SafeguardingContact.objects.select_related("organisation"), pk=pk)
    organisation = _managed(request, contact.organisation.slug)
    safeguarding.contact_remove(actor=request.user, contact_id=contact.pk)
    messages.success(request, _("Removed %(name)s.") % {"name": contact.name})
    return redirect("safeguarding:node", slug=organisation.slug)


def _node_page(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    form: ContactForm | None,
    help_form: HelpTextForm | None,
) -> HttpResponse:
    current = selectors_safeguarding.node_safeguarding(organisation)
    context = {
        "organisation": organisation,
        "current": current,
        "form": form or ContactForm(),
        "help_form": help_form or HelpTextForm(initial={"text": current.help_text}),
    }
    return render(request, "safeguarding/node.html", context)
