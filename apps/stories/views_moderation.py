"""Moderators' pages: the queue, one story at a time, and stories entered by staff."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from apps.accounts.decorators import allowed_only, second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core import extensions
from apps.core.pii import highlight
from apps.responders.permissions import can_enter_stories, can_moderate

from . import moderation, selectors, services
from .forms import EnterStoryForm, ModerateForm
from .models import Story
from .taxonomy import CRITICALITY_CRITERIA, Polarity

moderators_only = allowed_only(can_moderate)
# What the moderator is told after each action, naming the story.
DONE = {
    moderation.Action.PUBLISH: _("Published: %(title)s."),
    moderation.Action.ASK_AUTHOR: _("Sent to the author to approve: %(title)s."),
    moderation.Action.REJECT: _("Rejected: %(title)s."),
    moderation.Action.SAVE: _("Saved: %(title)s."),
}


@require_safe
@moderators_only
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(moderation.moderation_queue(), 50).get_page(request.GET.get("page"))
    flagged = list(moderation.flagged_stories()[:20])
    counts = extensions.moderation_waiting.get()
    waiting = counts() if counts is not None else None
    context = {"page": page, "flagged": flagged, "waiting": waiting}
    return render(request, "moderation/queue.html", context)


@require_http_methods(["GET", "POST"])
@moderators_only
def moderate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(
        Story.objects.prefetch_related(selectors.services_named(), "story_tags__tag"), pk=pk
    )
    lock = moderation.story_lock(story_id=story.pk, moderator=request.user)
    if request.method == "POST" and lock.held:
        form = ModerateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                moderation.story_moderate(
                    story_id=story.pk,
                    moderator=request.user,
                    action=data["action"],
                    title=data["title"],
                    body=data["body"],
                    criticality=data["criticality"],
                    moderator_note=data["moderator_note"],
                    good=list(data["good"]),
                    improve=list(data["improve"]),
                    feelings=list(data["feelings"]),
                    reason=data["reason"],
                    rejection_note=data["rejection_note"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, DONE[data["action"]] % {"title": story.display_title})
                if data["action"] == moderation.Action.SAVE:
                    return redirect("moderation:story", pk=story.pk)
                return redirect("moderation:queue")
    else:
        form = ModerateForm(initial=_initial(story))
    marks = moderation.story_marks(story)
    context = {
        "story": story,
        "form": form,
        "lock": lock,
        "marked": highlight(f"{story.title}\n{story.body}", marks),
        "marks": marks,
        "criteria": CRITICALITY_CRITERIA,
        "revisions": story.revisions.select_related("made_by"),
        "decisions": story.decisions.select_related("moderator").order_by("at"),
    }
    return render(request, "moderation/story.html", context)


def _initial(story: Story) -> dict[str, Any]:
    tags = list(story.story_tags.all())
    return {
        "title": story.title,
        "body": story.body,
        "criticality": story.criticality,
        "moderator_note": story.moderator_note,
        "good": [st.tag_id for st in tags if st.polarity == Polarity.GOOD],
        "improve": [st.tag_id for st in tags if st.polarity == Polarity.IMPROVE],
        "feelings": [st.tag_id for st in tags if st.tag.group == "feeling"],
    }


def _add_errors(form: ModerateForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
@second_factor_required
def enter(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Type in a story that came on paper or by phone."""
    if not can_enter_stories(request.user):
        raise PermissionDenied
    form = EnterStoryForm(request.POST or None)
    keys = request.POST.getlist("services") or request.GET.getlist("service")
    selected, found = selectors.service_options(selected_keys=keys, query=request.GET.get("q", ""))
    form.offer_services(selected + found)
    if request.method == "POST" and form.is_valid():
        told = services.story_submit(
            **form.story_arguments(),
            channel=form.cleaned_data["channel"],
            entered_by=request.user,
        )
        messages.success(request, f"Entered: story {told.story.pk} is waiting for moderation.")
        return redirect("moderation:enter")
    return render(
        request,
        "moderation/enter.html",
        {"form": form, "selected": selected, "found": found, "query": request.GET.get("q", "")},
    )
