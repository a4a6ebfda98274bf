"""Moderators' pages: the queue, one story at a time, and stories entered by staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.accounts.decorators import allowed_only, second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core import extensions
from apps.core.forms import add_service_errors
from apps.core.names import replace_name as replace_name_in
from apps.core.pii import highlight, name_marks
from apps.organisations.models import Organisation
from apps.responders.permissions import can_enter_stories, can_moderate, is_platform_admin

from . import (
    holds,
    moderation,
    retention,
    safeguarding,
    selectors,
    selectors_moderation,
    selectors_safeguarding,
    services,
    suggestions,
)
from .forms import SUGGESTION_PREFIX, EnterStoryForm, ModerateForm, ReplaceNameForm
from .forms_restrict import TrustChoiceForm
from .languages import entered_author_language
from .models import SafeguardingCase, Story
from .taxonomy import CRITICALITY_CRITERIA, Criticality, Polarity

moderators_only = allowed_only(can_moderate)
# One form holds the edits; each of its buttons posts it to its own URL below, and each
# URL calls one named service. There is no "action" field to fall through.
Act = Callable[[ModerateForm], object]


@require_safe
@moderators_only
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors_moderation.moderation_queue(), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    selectors_moderation.mark_past_target(list(page.object_list), now)
    flagged = list(selectors_moderation.flagged_stories()[:20])
    counts = extensions.moderation_waiting.get()
    waiting = counts() if counts is not None else None
    context = {
        "page": page,
        "flagged": flagged,
        "waiting": waiting,
        "target_days": settings.MODERATION_TARGET_WORKING_DAYS,
        "now": now,
        "held": list(selectors_moderation.held_stories()[:50]),
    }
    return render(request, "moderation/queue.html", context)


@require_safe
@allowed_only(is_platform_admin)
def admin(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The platform admins' page: moderation against its target, open safeguarding cases
    and the time to a safeguarding decision, and the retention purge."""
    now = timezone.now()
    context = {
        "target": selectors_moderation.moderation_target(now),
        "open_cases": selectors_safeguarding.open_cases().count(),
        "times": selectors_safeguarding.decision_times(),
        "retention": retention.retention_figures(now),
        "own_reply": holds.trusts_with_own_right_of_reply(),
        "default_reply_days": Organisation._meta.get_field("right_of_reply_working_days").default,
        "trust_form": TrustChoiceForm(),
        "now": now,
    }
    return render(request, "moderation/admin.html", context)


@require_safe
@moderators_only
def moderate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The story with its marks and history; opening it takes it for this moderator."""
    story = selectors_moderation.story_for_moderation(pk)
    lock = moderation.story_lock(story_id=story.pk, moderator=request.user)
    return _page(request, story, lock, ModerateForm(initial=_initial(story)))


@require_POST
@moderators_only
def publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda form: moderation.story_publish(
            story_id=pk, moderator=request.user, edits=form.edits()
        ),
        _("Published: %(title)s."),
    )


@require_POST
@moderators_only
def ask_author(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda form: moderation.story_ask_author(
            story_id=pk, moderator=request.user, edits=form.edits()
        ),
        _("Sent to the author to approve: %(title)s."),
    )


@require_POST
@moderators_only
def reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda form: moderation.story_reject(
            story_id=pk,
            moderator=request.user,
            edits=form.edits(),
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["rejection_note"],
        ),
        _("Rejected: %(title)s."),
    )


@require_POST
@moderators_only
def save(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda form: moderation.story_save_edits(
            story_id=pk, moderator=request.user, edits=form.edits()
        ),
        _("Saved: %(title)s."),
        stay=True,
    )


@require_POST
@moderators_only
def edit_published(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """After a reader's report: edit the published story, which stays published."""
    return _act(
        request,
        pk,
        lambda form: moderation.story_edit_published(
            story_id=pk, moderator=request.user, edits=form.edits()
        ),
        _("Edited: %(title)s. The author and the responders are told."),
        then="reports:queue",
    )


@require_POST
@moderators_only
def replace_name(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Replace every mention of a marked name with a role in the posted title and text,
    and show the page again with the edit in the form, not saved: the moderator's other
    unsaved edits stay, and their next decision saves it all as one revision."""
    story = selectors_moderation.story_for_moderation(pk)
    lock = moderation.story_lock(story_id=story.pk, moderator=request.user)
    if not lock.held:
        return _page(request, story, lock, ModerateForm(initial=_initial(story)))
    choice = ReplaceNameForm.from_post(request.POST)
    data = request.POST.copy()
    if choice.is_valid():
        name, role = choice.cleaned_data["name"], choice.cleaned_data["role"]
        data["title"], in_title = replace_name_in(data.get("title", ""), name, role)
        data["body"], in_body = replace_name_in(data.get("body", ""), name, role)
        if in_title + in_body:
            done = _(
                "Replaced “%(name)s” with “%(role)s” (%(count)s). Not saved yet: "
                "save or decide to keep it."
            )
            messages.success(
                request, done % {"name": name, "role": role, "count": in_title + in_body}
            )
        else:
            messages.warning(
                request, _("“%(name)s” is no longer in the title or text.") % {"name": name}
            )
    return _page(request, story, lock, ModerateForm(data), choice=choice)


def _act(
    request: AuthenticatedHttpRequest,
    pk: int,
    act: Act,
    done: str,
    *,
    stay: bool = False,
    then: str = "moderation:queue",
) -> HttpResponse:
    """Check the posted edits, call the service if this moderator holds the story, and go
    on (back to the story if `stay`, else to the queue); otherwise show the page with what
    is wrong."""
    story = selectors_moderation.story_for_moderation(pk)
    lock = moderation.story_lock(story_id=story.pk, moderator=request.user)
    if not lock.held:
        return _page(request, story, lock, ModerateForm(initial=_initial(story)))
    form = ModerateForm(request.POST)
    if form.is_valid():
        try:
            act(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done % {"title": story.display_title})
            if stay:
                return redirect("moderation:story", pk=story.pk)
            return redirect(then)
    return _page(request, story, lock, form)


def _page(
    request: AuthenticatedHttpRequest,
    story: Story,
    lock: moderation.Lock,
    form: ModerateForm,
    *,
    choice: ReplaceNameForm | None = None,
) -> HttpResponse:
    # The marks are on the text in the form: the moderator's edit where one was posted.
    text = f"{story.title}\n{story.body}"
    if form.is_bound:
        text = f"{form.data.get('title', '')}\n{form.data.get('body', '')}"
    marks = selectors_moderation.story_marks(story, text)
    form.in_language_of(story)
    history = selectors_moderation.story_history(story)
    panel = suggestions.story_suggestions(story, text) if lock.held else None
    context = {
        "story": story,
        "form": form,
        "lock": lock,
        "marked": highlight(text, marks),
        "marks": marks,
        "names": selectors_moderation.names_to_replace(marks),
        "pseudonym_marks": name_marks(story.pseudonym),
        "choice": choice,
        "criteria": CRITICALITY_CRITERIA,
        "criticality_choices": Criticality.choices,
        "revisions": history.revisions,
        "decisions": history.decisions,
        "risk_cues": safeguarding.risk_cues(f"{story.title}\n{story.body}"),
        "case": SafeguardingCase.objects.filter(story=story).first(),
        # Readers' open reports of a published story, which an edit here closes.
        "open_reports": selectors_moderation.open_reports(story),
        "may_restrict": is_platform_admin(request.user),
        "panel": panel,
        "suggested": _suggestion_rows(form, panel) if panel else [],
    }
    return render(request, "moderation/story.html", context)


def _suggestion_rows(form: ModerateForm, panel: suggestions.Panel) -> list[tuple[Any, Any]]:
    """Each suggested topic with its field in the form. A topic the moderator answered
    that the model no longer suggests (it was retrained meanwhile) stays, without a
    score, so the answer is not lost."""
    form.offer_suggestions(row.tag for row in panel.topics)
    rows: list[Any] = list(panel.topics)
    shown = {row.tag.slug for row in rows}
    rows += [
        suggestions.TopicRow(tag=tag, score=None, polarity="", tagged_as="")
        for slug, tag in form.suggested.items()
        if slug not in shown
    ]
    return [(row, form[SUGGESTION_PREFIX + row.tag.slug]) for row in rows]


def _initial(story: Story) -> dict[str, Any]:
    tags = list(story.story_tags.all())
    return {
        "title": story.title,
        "body": story.body,
        "language": story.language,
        "criticality": story.criticality,
        "moderator_note": story.moderator_note,
        "safeguarding_level": story.safeguarding_level,
        "good": [st.tag_id for st in tags if st.polarity == Polarity.GOOD],
        "improve": [st.tag_id for st in tags if st.polarity == Polarity.IMPROVE],
        "feelings": [st.tag_id for st in tags if st.tag.group == "feeling"],
    }


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
            helped_by=form.cleaned_data["helped_by"],
            author_language=entered_author_language(form.cleaned_data["language"]),
        )
        messages.success(
            request,
            _("Entered: story %(number)s is waiting for moderation.") % {"number": told.story.pk},
        )
        return redirect("moderation:enter")
    return render(
        request,
        "moderation/enter.html",
        {"form": form, "selected": selected, "found": found, "query": request.GET.get("q", "")},
    )
