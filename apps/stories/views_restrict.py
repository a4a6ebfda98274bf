"""Platform admins restrict a published story at a provider's request, or lift it, and
set a trust's right of reply."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.accounts.decorators import allowed_only
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.forms import add_service_errors
from apps.core.view_markers import private
from apps.organisations.models import Organisation
from apps.responders.permissions import is_platform_admin

from . import holds, restrictions
from .forms_restrict import LiftRestrictionForm, RestrictForm, RightOfReplyForm, TrustChoiceForm
from .models import Story
from .selectors import services_named

platform_admins_only = allowed_only(is_platform_admin)


def _story(pk: int) -> Story:
    return get_object_or_404(
        Story.objects.select_related("restricted_by").prefetch_related(services_named()), pk=pk
    )


def _page(
    request: AuthenticatedHttpRequest,
    story: Story,
    form: RestrictForm | None = None,
    lift_form: LiftRestrictionForm | None = None,
) -> HttpResponse:
    organisations = restrictions.requesting_organisations(story)
    context = {
        "story": story,
        "form": form or RestrictForm(organisations=organisations),
        "lift_form": lift_form or LiftRestrictionForm(),
    }
    return render(request, "moderation/restrict.html", context)


@private
@require_http_methods(["GET", "POST"])
@platform_admins_only
def restrict(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Restrict a published story (a form of who asked and why); for a restricted one,
    what it says now and the form to lift it."""
    story = _story(pk)
    if request.method != "POST":
        return _page(request, story)
    form = RestrictForm(request.POST, organisations=restrictions.requesting_organisations(story))
    if form.is_valid():
        try:
            restrictions.story_restrict(
                story_id=story.pk,
                admin=request.user,
                organisation=form.cleaned_data["organisation"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Restricted: %(title)s.") % {"title": story.display_title})
            return redirect("moderation:story_restrict", pk=story.pk)
    return _page(request, _story(pk), form=form)


@private
@require_POST
@platform_admins_only
def lift(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Publish a restricted story again, saying why (for the audit log)."""
    story = _story(pk)
    form = LiftRestrictionForm(request.POST)
    if form.is_valid():
        try:
            restrictions.story_lift_restriction(
                story_id=story.pk, admin=request.user, reason=form.cleaned_data["lift_reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The restriction is lifted: %(title)s is published again.")
                % {"title": story.display_title},
            )
            return redirect("moderation:story_restrict", pk=story.pk)
    return _page(request, _story(pk), lift_form=form)


@private
@require_safe
@platform_admins_only
def right_of_reply_choose(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The platform admin page's chooser: to the chosen trust's right-of-reply page."""
    form = TrustChoiceForm(request.GET)
    if form.is_valid():
        return redirect("moderation:right_of_reply", slug=form.cleaned_data["trust"].slug)
    return render(request, "moderation/right_of_reply_choose.html", {"form": form}, status=400)


@private
@require_http_methods(["GET", "POST"])
@platform_admins_only
def right_of_reply(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A trust's right of reply: its period, and whether every story is held."""
    trust = get_object_or_404(Organisation, slug=slug, depth=1)
    initial = {
        "working_days": trust.right_of_reply_working_days,
        "hold_every_story": trust.hold_every_story,
    }
    form = RightOfReplyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = holds.right_of_reply_set(admin=request.user, trust=trust, **form.cleaned_data)
        if changed:
            messages.success(
                request, _("Saved the right of reply of %(trust)s.") % {"trust": trust}
            )
        else:
            messages.info(request, _("Nothing changed: these are the settings already."))
        return redirect("moderation:right_of_reply", slug=trust.slug)
    return render(request, "moderation/right_of_reply.html", {"trust": trust, "form": form})
