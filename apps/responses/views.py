"""The staff inbox and the staff view of one story: read, refer, revoke."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.accounts.decorators import second_factor_required
from apps.core.audit import refuse
from apps.core.forms import add_service_errors
from apps.core.http import HtmxHttpRequest
from apps.responders.models import Team
from apps.responders.permissions import MANAGE_ROLES, is_staff_member, scope_paths
from apps.responders.selectors import my_roles, teams_managed_by
from apps.stories.models import Story

from . import selectors, services
from .forms import InboxFilterForm, ReferForm
from .models import Referral, StaffRead
from .permissions import can_refer, can_respond, can_view_story_as_staff


@require_safe
@second_factor_required
def index(request: HtmxHttpRequest) -> HttpResponse:
    """Stories I may read as staff or answer, with filters; the URL holds them all."""
    user = request.user
    form = InboxFilterForm(request.GET, services=selectors.inbox_service_options(user))
    paginator: Paginator[Story] = Paginator(
        selectors.inbox(user, form.filters()), settings.STORIES_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.inbox_marks(user, list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filter_query": query.urlencode(),
        "roles": list(my_roles(user)),
        "is_staff_member": is_staff_member(user),
        "managed": scope_paths(user, MANAGE_ROLES),
    }
    template = "inbox/index.html#results" if request.htmx else "inbox/index.html"
    return render(request, template, context)


def _story_or_refuse(
    request: HtmxHttpRequest,
    pk: int,
    may: Callable[[Any, Story], bool] = can_view_story_as_staff,
    action: str = "responses.staff_story.refused",
) -> Story:
    """The published story, if the user may do this with it; otherwise 403, recorded."""
    story = get_object_or_404(selectors.story_queryset(), pk=pk)
    if not may(request.user, story):
        refuse(
            actor=request.user,
            action=action,
            target=story,
            organisation_path=next((s.path for s in story.services.all()), ""),
        )
    return story


def _story_page(
    request: HtmxHttpRequest, story: Story, form: ReferForm | None = None, status: int = 200
) -> HttpResponse:
    may_refer = can_refer(request.user, story)
    teams = teams_managed_by(request.user) if may_refer else Team.objects.none()
    context = {
        "story": story,
        "referrals": selectors.story_referrals(story),
        "may_refer": may_refer,
        "may_respond": can_respond(request.user, story),
        "read": StaffRead.objects.filter(story=story, user=request.user).exists(),  # type: ignore[misc]
        "form": form or ReferForm(teams=teams),
    }
    return render(request, "inbox/story.html", context, status=status)


@require_safe
@second_factor_required
def story(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One story as staff see it: criticality, who it is referred to, and what I may do."""
    return _story_page(request, _story_or_refuse(request, pk))


@require_POST
@second_factor_required
def mark_read(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = _story_or_refuse(request, pk)
    services.story_mark_read(user=request.user, story=story)  # type: ignore[arg-type]
    if request.htmx:
        return render(request, "inbox/story.html#read", {"story": story, "read": True})
    messages.success(request, "Marked as read.")
    return redirect("inbox:story", pk=story.pk)


@require_http_methods(["POST"])
@second_factor_required
def refer(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = _story_or_refuse(request, pk, may=can_refer, action="responses.referral.refused")
    form = ReferForm(request.POST, teams=teams_managed_by(request.user))
    if form.is_valid():
        try:
            referral = services.referral_create(
                referrer=request.user,  # type: ignore[arg-type]
                story=story,
                user=form.person,
                team=form.cleaned_data["team"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Referred to {referral.user or referral.team}; they have been emailed."
            )
            return redirect("inbox:story", pk=story.pk)
    return _story_page(request, story, form)


@require_POST
@second_factor_required
def revoke_referral(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.select_related("story", "user", "team"), pk=pk)
    services.referral_revoke(actor=request.user, referral=referral)  # type: ignore[arg-type]
    messages.success(request, f"{referral.user or referral.team} may no longer answer this story.")
    return redirect("inbox:story", pk=referral.story_id)
