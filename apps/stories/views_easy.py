"""The easy-read way to tell a story (docs/easy-read.md): a first page, then one short
question a page, a page to check the answers, and a thank-you.

Every way in serves the same pages through `easy_page` with an `EasyWay`: the web at
/tell/easy/, and (from apps above this one) a kiosk, a poster's code and a campaign
link, each with its own channel, places, questions and record of where the story came
from. All of a way's pages are one address: a GET is the first page (public, as the
standard form is); every POST carries the answers so far (easy.Answers, signed) and is
answered `private, no-store`, since it holds what the person wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from apps.core.view_markers import private
from apps.organisations.models import Organisation
from apps.organisations.selectors import with_place

from . import selectors, services
from .easy import (
    CHECK,
    PSEUDONYMS,
    STEP_NAMES,
    TONES,
    WHEN,
    WHO,
    Answers,
    Asks,
    CheckForm,
    StateError,
    Step,
    StepForm,
    WhereForm,
    after,
    before,
    feeling_picture,
    feeling_words,
    first_unanswered,
    steps_for,
)
from .models import Story, Tag
from .safeguarding import help_text_for
from .taxonomy import Channel, TagGroup
from .views import TELL_GROUP, TELL_RATE


@dataclass(frozen=True)
class EasyWay:
    """A way in to the easy-read pages. `key` names it in the answers' signature;
    `action` is its one address; `record` notes where a story came from, in the same
    transaction as the story; `limited` says (and counts) whether this send is over the
    way's limit. A way that asks no email (a kiosk) shows its thank-you at once and
    returns to `again`; the others go to the thank-you page with the private link."""

    key: str
    channel: str
    action: str
    asks: Asks
    record: Callable[[Story], None]
    limited: Callable[[HttpRequest], bool]
    limited_message: str
    standard: str
    base_template: str = "base.html"
    again: str = ""
    idle_seconds: int = 0


def nothing_to_record(story: Story) -> None:
    """A story told on the web needs no origin row: its channel says it all."""


def web_limited(request: HttpRequest) -> bool:
    """The standard form's limit, shared with it: a person cannot double it by using both."""
    return is_ratelimited(request, group=TELL_GROUP, key="ip", rate=TELL_RATE, increment=True)


def web_limited_message() -> str:
    return _(
        "Too many stories have been sent from here in the last hour. Please try again "
        "later. Your answers are still here."
    )


@require_http_methods(["GET", "POST"])
def tell_easy(request: HttpRequest) -> HttpResponse:
    way = EasyWay(
        key="web",
        channel=Channel.WEB,
        action=reverse("stories:tell_easy"),
        asks=Asks(places=None, when=True, email=True),
        record=nothing_to_record,
        limited=web_limited,
        limited_message=web_limited_message(),
        standard=reverse("stories:tell"),
    )
    return easy_page(request, way=way)


@private
@require_safe
def tell_easy_done(request: HttpRequest) -> HttpResponse:
    """The thank-you in easy read, with the private link (once: it is taken from the
    session, as the standard form's thank-you does)."""
    token = request.session.pop("easy_told_token", None)
    context = {
        "token": token,
        "address": services.author_link_url(token) if token else "",
        "help": request.session.pop("easy_told_help", ""),
    }
    return render(request, "stories/easy/done.html", context)


def easy_page(request: HttpRequest, *, way: EasyWay) -> HttpResponse:
    """The way's first page (GET) or the answer to one of its pages (POST)."""
    if request.method != "POST":
        place = _preset(way, request.GET.getlist("service")[:5])
        return _start(request, way, place=place, answers=None)
    response = _answer(request, way)
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- reading a POST -----------------------------------------------------------------
def _answer(request: HttpRequest, way: EasyWay) -> HttpResponse:
    post = request.POST
    go = str(post.get("go", ""))[:40]
    answers, problem = _answers(way, post, go)
    asks = way.asks
    step = STEP_NAMES.get(str(post.get("step", "")))
    if go == "start" or step is None or not step.applies(asks, answers):
        first = steps_for(asks, answers)[0] if go == "start" else first_unanswered(asks, answers)
        return _show(request, way, answers, first, problem=problem)
    if go == "back" or go.startswith("change-"):
        return _move(request, way, answers, step, go, problem)
    if step.name == "where" and _finding(go, post):
        return _show(request, way, answers, step, problem=problem, query=str(post.get("q", "")))
    form = _form(step, way, answers, data=post)
    if problem or not form.is_valid():
        return _show(request, way, answers, step, form=form, problem=problem)
    if step is CHECK:
        if go != "send" or not isinstance(form, CheckForm):
            return _show(request, way, answers, CHECK)
        return _send(request, way, answers, form)
    form.keep(answers)
    return _show(request, way, answers, after(step, asks, answers))


def _answers(way: EasyWay, post: Any, go: str) -> tuple[Answers, str]:
    """The answers the page carried, or new ones (with the place already chosen) and,
    when the page should have carried some, the problem to tell the person."""
    problem = ""
    answers: Answers | None = None
    if post.get("state"):
        try:
            answers = Answers.load(str(post["state"]), way.key)
        except StateError:
            problem = _lost()
    elif go != "start":
        problem = _lost()
    if answers is None:
        place = _preset(way, post.getlist("service")[:5]) if go == "start" else None
        answers = Answers(service=place.pk if place else None)
    places = way.asks.places
    if places is not None and len(places) == 1:
        answers.service = places[0].pk  # the way's one place, whatever was sent
    return answers, problem


def _move(
    request: HttpRequest, way: EasyWay, answers: Answers, step: Step, go: str, problem: str
) -> HttpResponse:
    """Back, or Change on the check page (which comes back there when done)."""
    asks = way.asks
    if go == "back":
        if step is CHECK:
            answers.checking = False
        earlier = before(step, asks, answers)
        if earlier is None:
            return _start(request, way, place=_place(way, answers.service), answers=answers)
        return _show(request, way, answers, earlier, problem=problem)
    target = STEP_NAMES.get(go.removeprefix("change-"))
    if target is None or target is CHECK or not target.applies(asks, answers):
        target = CHECK
    answers.checking = target is not CHECK
    return _show(request, way, answers, target, problem=problem)


def _lost() -> str:
    return _(
        "Sorry, we lost your earlier answers. Please answer the questions again. "
        "We will ask you the ones we lost."
    )


def _finding(go: str, post: Any) -> bool:
    """Find was pressed, or Next with words typed and no place chosen (the same wish)."""
    return go == "find" or (bool(str(post.get("q", "")).strip()) and not post.get("service"))


# --- pages --------------------------------------------------------------------------
def _preset(way: EasyWay, keys: list[str]) -> Organisation | None:
    """The place already chosen: the way's one place, or one named in the address
    (?service= by id, slug or ODS code, as the standard form takes it)."""
    places = way.asks.places
    if places is not None:
        return places[0] if len(places) == 1 else None
    keys = [str(key)[:100] for key in keys if key]
    if not keys:
        return None
    selected, _found = selectors.service_options(selected_keys=keys, query="")
    return selected[0] if selected else None


def _place(way: EasyWay, pk: int | None) -> Organisation | None:
    if pk is None:
        return None
    if way.asks.places is not None:
        return next((org for org in way.asks.places if org.pk == pk), None)
    return with_place(Organisation.objects.filter(is_active=True, pk=pk)).first()


def _start(
    request: HttpRequest, way: EasyWay, *, place: Organisation | None, answers: Answers | None
) -> HttpResponse:
    context = {
        "way": way,
        "place": place,
        "state": answers.dump(way.key) if answers else "",
        "questions": len([s for s in steps_for(way.asks, answers or Answers()) if s is not CHECK]),
    }
    return render(request, "stories/easy/start.html", context)


def _form(
    step: Step, way: EasyWay, answers: Answers, *, data: Any = None, query: str = ""
) -> StepForm:
    initial = step.form.initial_from(answers)
    if step.form is WhereForm:
        return WhereForm(
            data,
            answers=answers,
            initial=initial,
            options=_where_options(way, answers, data, query),
            allowed=way.asks.places,
        )
    return step.form(data, answers=answers, initial=initial)


def _where_options(way: EasyWay, answers: Answers, data: Any, query: str) -> list[Organisation]:
    if way.asks.places is not None:
        return way.asks.places
    keys = [str(answers.service)] if answers.service else []
    if data is not None and data.get("service"):
        keys.append(str(data.get("service"))[:20])
    selected, found = selectors.service_options(selected_keys=keys, query=query[:100])
    return selected + found


def _show(
    request: HttpRequest,
    way: EasyWay,
    answers: Answers,
    step: Step,
    *,
    form: StepForm | None = None,
    problem: str = "",
    query: str = "",
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = _form(step, way, answers, query=query)
        if query and isinstance(form, WhereForm):
            _offer_found(form, answers, query)
    # "Which month" is part of the question about when: it takes that question's number,
    # so the count does not jump when "before that" is chosen.
    counted = [s for s in steps_for(way.asks, answers) if s is not CHECK and s.name != "month"]
    numbered = STEP_NAMES["when"] if step.name == "month" else step
    context: dict[str, Any] = {
        "way": way,
        "step": step,
        "form": form,
        "answers": answers,
        "state": answers.dump(way.key),
        "number": counted.index(numbered) + 1 if numbered in counted else 0,
        "total": len(counted),
        "problem": problem,
        "query": query,
        "title": step.title,
    }
    if step is CHECK:
        context["summary"] = _summary(way, answers)
    elif step.name in ("tone", "what"):
        context["tone"] = answers.tone
    return render(request, step.template, context, status=status)


def _offer_found(form: WhereForm, answers: Answers, query: str) -> None:
    """After Find: one match and nothing chosen yet is chosen for the person to confirm."""
    choices = list(form.fields["service"].widget.choices)
    form.searched = True  # type: ignore[attr-defined]
    if answers.service is None and len(choices) == 1:
        form.initial["service"] = choices[0][0]


@dataclass(frozen=True)
class Row:
    """One answer on the check page: its question, its words (a line each, with the
    picture the question showed beside it, if any), and whether it can be changed."""

    step: str
    question: str
    lines: list[tuple[str, str]]
    change: bool


def _summary(way: EasyWay, answers: Answers) -> list[Row]:
    """The answers to check, each with its question, in the order they were asked."""
    asks = way.asks
    shown = {step.name for step in steps_for(asks, answers)}
    place = _place(way, answers.service)
    rows = [Row("where", _("Where"), [(place.display_name if place else "", "")], "where" in shown)]
    if "when" in shown:
        when = str(WHEN.get(answers.when, ""))
        on = answers.experienced_on(timezone.localdate())
        if answers.when == "earlier" and on:
            when = date_format(on, "F Y")
        rows.append(Row("when", _("When"), [(when, "")], True))
    who = WHO.get(answers.who)
    rows.append(
        Row("who", _("Who had the care"), [(str(who[1]) if who else "", answers.who)], True)
    )
    rows.append(
        Row("tone", _("Good or bad"), [(str(TONES.get(answers.tone, "")), answers.tone)], True)
    )
    rows.append(
        Row("what", _("What happened"), [(line, "") for line in answers.body.splitlines()], True)
    )
    tags = Tag.objects.filter(group=TagGroup.FEELING, slug__in=answers.feelings).order_by(
        "position"
    )
    felt = [(feeling_words(tag), feeling_picture(tag)) for tag in tags]
    rows.append(
        Row("feelings", _("How you felt"), felt or [(_("You did not choose any."), "")], True)
    )
    if "email" in shown:
        rows.append(Row("email", _("Your email"), [(answers.email, "")], True))
    return rows


# --- sending ------------------------------------------------------------------------
def _send(request: HttpRequest, way: EasyWay, answers: Answers, form: CheckForm) -> HttpResponse:
    """Make the story with the standard form's service (moderation, privacy marks, the
    private link by email, one story per submission key), after checking everything
    once more: the answers were checked a page at a time, and time has passed since."""
    missing = first_unanswered(way.asks, answers)
    if missing is not CHECK:
        return _show(
            request,
            way,
            answers,
            missing,
            problem=_("Please answer this question. Then you can send your story."),
        )
    place = _place(way, answers.service)
    today = timezone.localdate()
    # A way that does not ask when (a kiosk, at the point of care) tells of this month.
    experienced_on = answers.experienced_on(today) if way.asks.when else today.replace(day=1)
    if place is None or experienced_on is None:
        answers.service = None if place is None else answers.service
        answers.when = "" if experienced_on is None else answers.when
        return _show(
            request,
            way,
            answers,
            first_unanswered(way.asks, answers),
            problem=_("Please answer this question again. Then you can send your story."),
        )
    if form.is_robot:
        return _finished(request, way, None)  # say nothing to a robot
    if way.limited(request):
        return _show(request, way, answers, CHECK, problem=way.limited_message, status=429)
    feelings = list(Tag.objects.filter(group=TagGroup.FEELING, slug__in=answers.feelings))
    with transaction.atomic():
        told = services.story_submit(
            services=[place],
            body=answers.body,
            title="",
            pseudonym=str(PSEUDONYMS[answers.who]),
            author_role=WHO[answers.who][0],
            experienced_on=experienced_on,
            email=answers.email if way.asks.email else "",
            good=[],
            improve=[],
            feelings=feelings,
            submission_key=answers.submission_key,
            channel=way.channel,
        )
        way.record(told.story)
    return _finished(request, way, told)


def _finished(request: HttpRequest, way: EasyWay, told: services.Told | None) -> HttpResponse:
    help_now = help_text_for(told.story) if told and told.story.risk_cue else ""
    if way.again:
        # A kiosk: the thank-you at once (no private link: the next person would see it).
        return render(request, "stories/easy/thanks_kiosk.html", {"way": way, "help": help_now})
    if told and told.token:
        request.session["easy_told_token"] = told.token
        request.session["easy_told_help"] = help_now
    return redirect("stories:tell_easy_done")
