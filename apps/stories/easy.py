"""The easy-read way to tell a story (docs/easy-read.md): one short question a page.

Each page is a form of its own. The answers given so far travel with the page in one
signed hidden value (`state`), so the flow needs no session, works without JavaScript,
forgets everything when the page is left (which a kiosk needs), and loses nothing when
an answer comes back with an error. The signature names the way in, so answers begun
at one kiosk cannot be carried to another way, and it expires after a day.

The story is made by `services.story_submit`, as the standard form's is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form, choice_field, model_choice_field
from apps.organisations.models import Organisation

from .forms import experience_problem, oldest_experience
from .models import Tag
from .taxonomy import BODY_MAX, BODY_MIN, AuthorRole, TagGroup

SALT = "stories.easy"
MAX_AGE = dt.timedelta(days=1)

# Who had the care, in the words people use, and the role each one is stored as.
WHO = {
    "me": (AuthorRole.PATIENT, _("Me")),
    "look_after": (AuthorRole.CARER, _("Someone I look after")),
    "family": (AuthorRole.RELATIVE, _("Someone in my family")),
    "friend": (AuthorRole.FRIEND, _("A friend")),
}
# The name shown with a story told in easy read: nobody is asked to invent one.
PSEUDONYMS = {
    "me": pgettext_lazy("the name shown with an easy-read story", "A patient"),
    "look_after": pgettext_lazy("the name shown with an easy-read story", "A carer"),
    "family": pgettext_lazy("the name shown with an easy-read story", "A relative"),
    "friend": pgettext_lazy("the name shown with an easy-read story", "A friend"),
}
TONES = {
    "good": _("Good"),
    "bad": _("Bad"),
    "mixed": _("Some good, some bad"),
}
WHEN = {
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "earlier": _("Before that"),
}

# Each feeling of the taxonomy in plain words, with the face drawn for it
# (templates/stories/easy/_picture.html). A feeling added later shows its own label.
FEELINGS: dict[str, tuple[Any, str]] = {
    "felt-grateful": (_("Thankful"), "grateful"),
    "felt-reassured": (_("Less worried"), "reassured"),
    "felt-listened-to": (_("Listened to"), "listened"),
    "felt-respected": (_("Respected"), "respected"),
    "felt-safe": (_("Safe"), "safe"),
    "felt-cared-for": (_("Cared for"), "cared"),
    "felt-relieved": (_("Relieved"), "relieved"),
    "felt-hopeful": (_("Hopeful"), "hopeful"),
    "felt-anxious": (_("Worried"), "worried"),
    "felt-frustrated": (_("Fed up"), "frustrated"),
    "felt-angry": (_("Angry"), "angry"),
    "felt-ignored": (_("Ignored"), "ignored"),
    "felt-upset": (_("Upset"), "upset"),
    "felt-disappointed": (_("Disappointed"), "disappointed"),
    "felt-confused": (_("Confused"), "confused"),
    "felt-unsafe": (_("Not safe"), "unsafe"),
    "felt-let-down": (_("Let down"), "let-down"),
    "felt-exhausted": (_("Very tired"), "tired"),
}


def feeling_words(tag: Tag) -> str:
    words = FEELINGS.get(tag.slug)
    return str(words[0]) if words else tag.label.capitalize()


def feeling_picture(tag: Tag) -> str:
    words = FEELINGS.get(tag.slug)
    if words:
        return words[1]
    return "happy" if tag.polarity == "positive" else "sad"


# --- the answers so far -------------------------------------------------------------
class StateError(Exception):
    """The answers could not be read: changed on the way, too old, or from another way."""


@dataclass
class Answers:
    """What the person has answered so far. Everything in it was checked by a step's
    form before it was kept, and is checked again as a whole before the story is sent."""

    key: str = field(default_factory=lambda: str(uuid.uuid4()))
    service: int | None = None
    when: str = ""
    month: int | None = None
    year: int | None = None
    who: str = ""
    tone: str = ""
    body: str = ""
    feelings: list[str] = field(default_factory=list)
    feelings_given: bool = False
    email: str = ""
    agreed: bool = False
    # Came from "Check your answers" by a Change button: go back there when done.
    checking: bool = False

    def dump(self, way_key: str) -> str:
        return signing.dumps(asdict(self), salt=f"{SALT}:{way_key}", compress=True)

    @classmethod
    def load(cls, value: str, way_key: str) -> Answers:
        try:
            data = signing.loads(value, salt=f"{SALT}:{way_key}", max_age=MAX_AGE)
        except (signing.BadSignature, ValueError) as exc:
            raise StateError(str(exc)) from exc
        if not isinstance(data, dict):
            raise StateError("not a mapping")
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        try:
            answers = cls(**known)
            uuid.UUID(answers.key)
        except (TypeError, ValueError) as exc:
            raise StateError(str(exc)) from exc
        return answers

    @property
    def submission_key(self) -> uuid.UUID:
        return uuid.UUID(self.key)

    def experienced_on(self, today: dt.date) -> dt.date | None:
        """The first day of the month the care was in, from the answers about when."""
        this_month = today.replace(day=1)
        if self.when == "this_month":
            return this_month
        if self.when == "last_month":
            return (this_month - dt.timedelta(days=1)).replace(day=1)
        if self.when == "earlier" and self.month and self.year:
            try:
                return dt.date(self.year, self.month, 1)
            except ValueError:
                return None
        return None


# --- one form a question ------------------------------------------------------------
class StepForm(Form):
    """A question's form: what it keeps in the answers, and what it shows from them."""

    def __init__(self, *args: Any, answers: Answers, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers = answers

    def keep(self, answers: Answers) -> None:
        raise NotImplementedError

    @classmethod
    def initial_from(cls, answers: Answers) -> dict[str, Any]:
        return {}


class WhereForm(StepForm):
    q = forms.CharField(
        label=_("Name of the place"),
        required=False,
        max_length=100,
        help_text=_("For example: Ward 7, or Riverside Surgery."),
    )
    service = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True),
        label=_("Choose the place"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the place where you had care. Type its name, then press Find."),
            "invalid_choice": _("Choose one of the places on this page."),
        },
    )

    def __init__(
        self,
        *args: Any,
        answers: Answers,
        options: list[Organisation],
        allowed: list[Organisation] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, answers=answers, **kwargs)
        field = model_choice_field(self, "service")
        if allowed is not None:
            field.queryset = Organisation.objects.filter(pk__in=[org.pk for org in allowed])
            field.error_messages["required"] = gettext("Choose the place where you had care.")
        field.widget.choices = [(org.pk, org.display_name) for org in options]

    @classmethod
    def initial_from(cls, answers: Answers) -> dict[str, Any]:
        return {"service": answers.service}

    def keep(self, answers: Answers) -> None:
        answers.service = self.cleaned_data["service"].pk


class WhenForm(StepForm):
    when = forms.ChoiceField(
        label=_("When did it happen?"),
        choices=list(WHEN.items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose when it happened."),
            "invalid_choice": _("Choose one of the answers on this page."),
        },
    )

    @classmethod
    def initial_from(cls, answers: Answers) -> dict[str, Any]:
        return {"when": answers.when}

    def keep(self, answers: Answers) -> None:
        answers.when = self.cleaned_data["when"]
        if answers.when != "earlier":
            answers.month = answers.year = None


class MonthForm(StepForm):
    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        choices=[],
        error_messages={
            "required": _("Choose the month."),
            "invalid_choice": _("Choose a month from the list."),
        },
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        choices=[],
        error_messages={
            "required": _("Choose the year."),
            "invalid_choice": _("Choose a year from the list."),
        },
    )

    def __init__(self, *args: Any, answers: Answers, **kwargs: Any) -> None:
        super().__init__(*args, answers=answers, **kwargs)
        today = timezone.localdate()
        choice_field(self, "month").choices = [
            ("", gettext("Choose a month")),
            *((number, str(name)) for number, name in MONTHS.items()),
        ]
        earliest = oldest_experience(today).year
        choice_field(self, "year").choices = [
            ("", gettext("Choose a year")),
            *((year, str(year)) for year in range(today.year, earliest - 1, -1)),
        ]

    @classmethod
    def initial_from(cls, answers: Answers) -> dict[str, Any]:
        return {"month": answers.month, "year": answers.year}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        month, year = data.get("month"), data.get("year")
        if month and year:
            problem = experience_problem(dt.date(year, month, 1), too_old)
            if problem:
                self.add_error(*problem)
        return data

    def keep(self, answers: Answers) -> None:
        answers.month = self.cleaned_data["month"]
        answers.year = self.cleaned_data["year"]


def too_old() -> str:
    years = settings.STORY_MAX_AGE_YEARS
    return ngettext(
        "We can only take stories about care in the last year. For care before that, "
        "please talk to the complaints team of the service.",
        "We can only take stories about care in the last %(years)s years. For care before "
        "that, please talk to the complaints team of the service.",
        years,
    ) % {"years": years}


class WhoForm(StepForm):
    who = forms.ChoiceField(
        label=_("Who had the care?"),
        choices=[(key, label) for key, (_role, label) in WHO.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who had the care."),
            "invalid_choice": _("Choose one of the answers on this page."),
        },
    )

    @classmethod
    def initial_from(cls, answers: Answers) -> dict[str, Any]:
        return {"who": answers.who}

    def keep(self, answers: Answers) -> None:
        answers.who = self.cleaned_data["who"]


class ToneForm(StepForm):
    tone = forms.ChoiceField(
        label=_("Was the care good or bad?"),
        choices=list(TONES.items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose good, bad, or some good and some bad."),
            "invalid_choice": _("Choose one of the answers on this page."),
        },
    )

    @classmethod
    def initial_from(cls, answers: Answers) -> dict[str, Any]:
        return {"tone": answers.tone}

    def keep(self, answers: Answers) -> None:
        answers.tone = self.cleaned_data["tone"]


class WhatForm(StepForm):
    body = forms.CharField(
        label=_("What happened?"),
        min_length=BODY_MIN,
        max_length=BODY_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": BODY_MAX}),
        error_messages={
            "required": _("Please write what happened."),
            "min_length": _("Please write a bit more. Write at least %(limit_value)d letters."),
            "max_length": _(
                "Your story is too long. Please make it shorter than %(limit_value)d letters."
            ),
        },
    )

    @classmethod
    def initial_from(cls, answers: Answers) -> dict[str, Any]:
        return {"body": answers.body}

    def keep(self, answers: Answers) -> None:
        answers.body = self.cleaned_data["body"]


class FeelingsForm(StepForm):
    feelings = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.filter(group=TagGroup.FEELING),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("How did you feel?"),
        error_messages={"invalid_choice": _("Choose feelings from this page.")},
    )

    def __init__(self, *args: Any, answers: Answers, **kwargs: Any) -> None:
        super().__init__(*args, answers=answers, **kwargs)
        field = model_choice_field(self, "feelings")
        tags = list(Tag.objects.filter(group=TagGroup.FEELING).order_by("position"))
        # The feelings that match "good" or "bad" come first, the others after them.
        self.first_polarity = {"good": "positive", "bad": "negative"}.get(answers.tone, "")
        if self.first_polarity:
            tags.sort(key=lambda tag: tag.polarity != self.first_polarity)
        self.tags = tags
        field.widget.choices = [(tag.slug, feeling_words(tag)) for tag in tags]

    @classmethod
    def initial_from(cls, answers: Answers) -> dict[str, Any]:
        return {"feelings": answers.feelings}

    def keep(self, answers: Answers) -> None:
        answers.feelings = [tag.slug for tag in self.cleaned_data["feelings"]]
        answers.feelings_given = True

    def pictures(self) -> tuple[list[tuple[Any, str]], list[tuple[Any, str]]]:
        """Each checkbox with the face drawn for its feeling: those that match the
        answer to "good or bad", and the others (shown folded, so the page is shorter;
        all of them when the answer was "some good, some bad")."""
        by_slug = {tag.slug: tag for tag in self.tags}
        first: list[tuple[Any, str]] = []
        others: list[tuple[Any, str]] = []
        for choice in self["feelings"]:
            tag = by_slug[str(choice.data["value"])]
            matches = not self.first_polarity or tag.polarity == self.first_polarity
            (first if matches else others).append((choice, feeling_picture(tag)))
        return first, others

    def others_chosen(self) -> bool:
        """A folded feeling is ticked: the fold opens to show it."""
        chosen = {str(value) for value in (self["feelings"].value() or [])}
        return any(
            tag.slug in chosen
            for tag in self.tags
            if self.first_polarity and tag.polarity != self.first_polarity
        )


class EmailForm(StepForm):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        error_messages={
            "required": _("Please write your email address. We need it to send you your link."),
            "invalid": _(
                "This is not an email address. An email address looks like name@example.com"
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    @classmethod
    def initial_from(cls, answers: Answers) -> dict[str, Any]:
        return {"email": answers.email}

    def keep(self, answers: Answers) -> None:
        answers.email = self.cleaned_data["email"]


class AgreeForm(StepForm):
    agree = forms.BooleanField(
        label=_("I agree"),
        error_messages={"required": _("You need to agree before you can send your story.")},
    )

    @classmethod
    def initial_from(cls, answers: Answers) -> dict[str, Any]:
        return {"agree": answers.agreed}

    def keep(self, answers: Answers) -> None:
        answers.agreed = True


class CheckForm(StepForm):
    # A field people never see: only robots fill it in.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def keep(self, answers: Answers) -> None:
        """Nothing to keep: sending is the answer."""


# --- the questions, in order --------------------------------------------------------
@dataclass(frozen=True)
class Asks:
    """What a way in asks: where (None: search every open place; else choose among
    these, or nothing to ask for one), when it happened, and an email address."""

    places: list[Organisation] | None
    when: bool
    email: bool


@dataclass(frozen=True)
class Step:
    name: str
    form: type[StepForm]
    template: str
    applies: Callable[[Asks, Answers], bool]
    answered: Callable[[Answers], bool]
    title: Any  # the question, as the page's title


STEPS = [
    Step(
        "where",
        WhereForm,
        "stories/easy/where.html",
        lambda asks, _a: asks.places is None or len(asks.places) > 1,
        lambda a: a.service is not None,
        _("Where did you have care?"),
    ),
    Step(
        "when",
        WhenForm,
        "stories/easy/when.html",
        lambda asks, _a: asks.when,
        lambda a: a.when in WHEN,
        _("When did it happen?"),
    ),
    Step(
        "month",
        MonthForm,
        "stories/easy/month.html",
        lambda asks, a: asks.when and a.when == "earlier",
        lambda a: bool(a.month and a.year),
        _("Which month was it?"),
    ),
    Step(
        "who",
        WhoForm,
        "stories/easy/who.html",
        lambda _asks, _a: True,
        lambda a: a.who in WHO,
        _("Who had the care?"),
    ),
    Step(
        "tone",
        ToneForm,
        "stories/easy/tone.html",
        lambda _asks, _a: True,
        lambda a: a.tone in TONES,
        _("Was the care good or bad?"),
    ),
    Step(
        "what",
        WhatForm,
        "stories/easy/what.html",
        lambda _asks, _a: True,
        lambda a: len(a.body) >= BODY_MIN,
        _("What happened?"),
    ),
    Step(
        "feelings",
        FeelingsForm,
        "stories/easy/feelings.html",
        lambda _asks, _a: True,
        lambda a: a.feelings_given,
        _("How did you feel?"),
    ),
    Step(
        "email",
        EmailForm,
        "stories/easy/email.html",
        lambda asks, _a: asks.email,
        lambda a: bool(a.email),
        _("What is your email address?"),
    ),
    Step(
        "agree",
        AgreeForm,
        "stories/easy/agree.html",
        lambda _asks, _a: True,
        lambda a: a.agreed,
        _("Do you agree?"),
    ),
    Step(
        "check",
        CheckForm,
        "stories/easy/check.html",
        lambda _asks, _a: True,
        lambda _a: False,
        _("Check your answers"),
    ),
]
STEP_NAMES = {step.name: step for step in STEPS}
CHECK = STEP_NAMES["check"]


def steps_for(asks: Asks, answers: Answers) -> list[Step]:
    return [step for step in STEPS if step.applies(asks, answers)]


def first_unanswered(asks: Asks, answers: Answers) -> Step:
    """The first question still to answer, or the check page when all are."""
    return next((step for step in steps_for(asks, answers) if not step.answered(answers)), CHECK)


def after(step: Step, asks: Asks, answers: Answers) -> Step:
    """Where an answer to `step` leads: the next question, or back to the check page
    (by way of any question the change made necessary) when it came from there."""
    if answers.checking:
        return first_unanswered(asks, answers)
    shown = steps_for(asks, answers)
    later = shown[shown.index(step) + 1 :] if step in shown else []
    return later[0] if later else CHECK


def before(step: Step, asks: Asks, answers: Answers) -> Step | None:
    """Where Back leads from `step`; None: to the first page."""
    if answers.checking and step is not CHECK:
        return CHECK
    shown = steps_for(asks, answers)
    earlier = shown[: shown.index(step)] if step in shown else []
    return earlier[-1] if earlier else None
