from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form, choice_field
from apps.organisations.models import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .languages import page_story_language
from .models import Story, Tag
from .moderation import StoryEdits
from .taxonomy import (
    BODY_MAX,
    BODY_MIN,
    AuthorRole,
    Channel,
    Criticality,
    FftAnswer,
    Polarity,
    RejectionReason,
    ReportReason,
    SafeguardingLevel,
    TagGroup,
    language_choices,
    tag_label,
)

MAX_SERVICES = 5
_EMAIL_LIKE = re.compile(r"\S+@\S+|\S+\s*(?:at|\[at\])\s*\S+\.(?:com|org|net|uk)\b", re.I)
# Two or three words of letters ("Sarah Jones", "sarah k jones", "José García-López"),
# in any case: people type names in lower case too.
_WORD = r"[^\W\d_](?:[^\W\d_]|['’-])+"
_FULL_NAME = re.compile(rf"^{_WORD}(?:\s+[^\W\d_]\.?)?\s+{_WORD}$")
# Words that make "Grateful Mum" or "Worried Dad" a description rather than a name.
_DESCRIPTIVE = {
    "mum",
    "mam",
    "mom",
    "dad",
    "mother",
    "father",
    "parent",
    "patient",
    "carer",
    "daughter",
    "son",
    "wife",
    "husband",
    "partner",
    "sister",
    "brother",
    "friend",
    "nan",
    "gran",
    "grandma",
    "grandad",
    "grandson",
    "granddaughter",
    "family",
    "relative",
    "visitor",
    "user",
    "mummy",
    "daddy",
    "auntie",
    "uncle",
    "niece",
    "nephew",
    "guardian",
    "advocate",
    # The same in Welsh, with the mutated forms a Welsh phrase puts them in
    # ("Merch ddiolchgar", "Mam bryderus").
    "merch",
    "ferch",
    "mab",
    "fab",
    "tad",
    "nhad",
    "fam",
    "gwraig",
    "wraig",
    "gŵr",
    "gwr",
    "chwaer",
    "brawd",
    "frawd",
    "ffrind",
    "nain",
    "mamgu",
    "tadcu",
    "taid",
    "teulu",
    "perthynas",
    "claf",
    "glaf",
    "gofalwr",
    "ofalwr",
    "gofalydd",
    "rhiant",
    "ymwelydd",
    # How people say they feel, which no one is named.
    "diolchgar",
    "ddiolchgar",
    "hapus",
    "pryderus",
    "bryderus",
    "siomedig",
    "gofidus",
    "ofidus",
    "dryslyd",
    "rhwystredig",
    "blin",
    "grateful",
    "thankful",
    "happy",
    "unhappy",
    "worried",
    "anxious",
    "concerned",
    "frustrated",
    "angry",
    "upset",
    "disappointed",
    "confused",
    "relieved",
    "hopeful",
    "reassured",
    "satisfied",
    "dissatisfied",
    "tired",
    "exhausted",
    "very",
    "former",
    "local",
    "regular",
    "elderly",
    # The same in Welsh, with the mutated forms they take after a noun ("Merch
    # ddiolchgar", "Claf pryderus", "Mam flinedig").
    "mam-gu",
    "tad-cu",
    "gofalwraig",
    "anhapus",
    "trist",
    "drist",
    "flin",
    "blinedig",
    "flinedig",
    "gobeithiol",
    "obeithiol",
    "bodlon",
    "fodlon",
    "anfodlon",
    "lleol",
}
MONTHS = list(MONTH_NAMES.items())  # the month names in the page's language


def _interpolate(text: StrOrPromise, values: dict[str, object]) -> str:
    return str(text) % values


# `text % values` done when shown, so a label or help text made at import is in the
# language of the page that shows it.
_interpolated_lazy = lazy(_interpolate, str)


def _interpolated(text: StrOrPromise, **values: object) -> str:
    return _interpolated_lazy(text, values)


# Characters that break a line or hide: control (Cc), line and paragraph separators.
_LINE_BREAKING = {"Cc", "Zl", "Zp"}


def normalise_pseudonym(value: str) -> str:
    """The pseudonym as it is checked and kept: compatibility forms folded (a full-width
    ＠ is an @), invisible format characters (zero-width spaces) removed."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(char for char in folded if unicodedata.category(char) != "Cf")


def check_pseudonym(value: str) -> None:
    value = normalise_pseudonym(value)
    if any(unicodedata.category(char) in _LINE_BREAKING for char in value):
        raise ValidationError(
            _("Write the name on one line, without line breaks."), code="one_line"
        )
    value = " ".join(value.split())
    if _EMAIL_LIKE.search(value):
        raise ValidationError(
            _(
                "This looks like an email address. Choose a name that does not identify you, "
                "such as ‘Grateful daughter’."
            )
        )
    words = {word.strip(".,'’-").lower() for word in value.split()}
    if _FULL_NAME.match(value) and not words & _DESCRIPTIVE:
        raise ValidationError(
            _(
                "This looks like a real full name. Stories are anonymous: choose a name that "
                "does not identify you or anyone else, such as ‘Grateful daughter’."
            )
        )


def oldest_experience(today: dt.date) -> dt.date:
    """The first month a story may be about: the platform's limit
    (settings.STORY_MAX_AGE_YEARS) back from this month."""
    return dt.date(today.year - settings.STORY_MAX_AGE_YEARS, today.month, 1)


def experience_problem(when: dt.date, too_old: Callable[[], str]) -> tuple[str, str] | None:
    """The field and message when a story's month is still to come or older than the
    limit (`too_old` words the latter for its form); None when the month may be told."""
    today = timezone.localdate()
    if when > today:
        return "month", gettext("That month has not happened yet.")
    if when < oldest_experience(today):
        return "year", too_old()
    return None


def too_old_message() -> str:
    """Why a story about care longer ago than the limit is refused, and where to go."""
    years = settings.STORY_MAX_AGE_YEARS
    return ngettext(
        "We can only publish experiences from the last year, so staff can still learn "
        "from them and act. For something older, the service's complaints team can help.",
        "We can only publish experiences from the last %(years)s years, so staff can still "
        "learn from them and act. For something older, the service's complaints team can help.",
        years,
    ) % {"years": years}


class PseudonymField(forms.CharField):
    """A one-line name, checked and kept in its normal form (see `normalise_pseudonym`)."""

    def clean(self, value: Any) -> Any:
        cleaned = super().clean(value)
        return " ".join(normalise_pseudonym(cleaned).split()) if cleaned else cleaned


class TagChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Tag) -> str:
        return tag_label(obj.label).capitalize()


# The Friends and Family Test question (docs/ways-in.md): one optional radio field a
# service, named `fft_<service id>`, for each chosen service whose trust asks it.
FFT_PREFIX = "fft_"
FFT_QUESTION = _("Overall, how was your experience of our service?")
FFT_BEFORE = "before"
FFT_AFTER = "after"


@dataclass(frozen=True)
class FftQuestion:
    """One service's question on a form: the service and the bound radio field."""

    service: Organisation
    field: forms.BoundField


def fft_trusts(services: list[Organisation]) -> dict[str, str]:
    """Each trust's setting (its `fft_asked`) by the trust's path, for the trusts of
    these services: a trust is the root of a service's tree. One query (none without
    services)."""
    roots = {org.path[: Organisation.steplen] for org in services}
    if not roots:
        return {}
    return dict(Organisation.objects.filter(path__in=roots).values_list("path", "fft_asked"))


def add_fft_fields(form: forms.Form, services: list[Organisation]) -> None:
    """Add the question for each of `services` whose trust asks it, in the services'
    order, as optional radio fields (a person may skip it); a bound form keeps what was
    chosen whatever else is wrong. Sets `form.fft_questions` and `form.fft_placement`
    ("before" or "after" the story, "" when nothing is asked). Where the chosen services'
    trusts disagree, the question comes before the story if any of them asks it before:
    a trust that asks first wants the answer given before the story colours it, and an
    answer given early costs the other trusts nothing."""
    settings_by_trust = fft_trusts(services)
    asked = []
    for org in services:
        setting = settings_by_trust.get(org.path[: Organisation.steplen], "")
        if not setting:
            continue
        name = f"{FFT_PREFIX}{org.pk}"
        form.fields[name] = forms.ChoiceField(
            label=FFT_QUESTION,
            choices=FftAnswer.choices,
            widget=forms.RadioSelect,
            required=False,
        )
        asked.append((org, setting))
    form.fft_questions = [  # type: ignore[attr-defined]
        FftQuestion(org, form[f"{FFT_PREFIX}{org.pk}"]) for org, _setting in asked
    ]
    placements = {setting for _org, setting in asked}
    form.fft_placement = (  # type: ignore[attr-defined]
        FFT_BEFORE if FFT_BEFORE in placements else (FFT_AFTER if placements else "")
    )


def fft_answers(form: forms.Form) -> dict[int, str]:
    """The answers given on a valid form, by service id (skipped questions left out)."""
    return {
        question.service.pk: form.cleaned_data[question.field.name]
        for question in getattr(form, "fft_questions", [])
        if form.cleaned_data.get(question.field.name)
    }


class LanguageField(forms.ChoiceField):
    """Which language a story is written in: a select of StoryLanguage, showing the page's
    language first and chosen until the person chooses another (`initial_for_page`). Sent
    without it (a form from before it was asked), the story is in the page's language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Which language is your story written in?"))
        kwargs.setdefault(
            "help_text",
            _("So that screen readers read it aloud in that language, and searches find it."),
        )
        super().__init__(choices=language_choices, required=False, **kwargs)

    def clean(self, value: Any) -> str:
        return str(super().clean(value) or page_story_language())


class TellForm(Form):
    """Everything a person tells, on one page: it works with JavaScript off."""

    # While no service is listed, the error summary leads to the search for one.
    error_anchors = {"services": "find-q"}

    services = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        label=_("Which services is your story about?"),
        help_text=_interpolated(_("Choose at least one and at most %(most)s."), most=MAX_SERVICES),
        error_messages={"required": _("Choose the service your story is about.")},
    )
    title = forms.CharField(
        label=_("A title (optional)"),
        required=False,
        max_length=150,
        help_text=_("Leave it empty if you like: a moderator can write one."),
    )
    body = forms.CharField(
        label=_("Your story"),
        min_length=BODY_MIN,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12, "maxlength": BODY_MAX}),
        help_text=_interpolated(
            _(
                "What happened, in your own words (%(least)s to %(most)s characters). "
                "Please do not include names, phone numbers or other details that identify "
                "anyone: a moderator removes them before publishing."
            ),
            least=f"{BODY_MIN:,}",
            most=f"{BODY_MAX:,}",
        ),
        error_messages={"required": _("Tell us what happened.")},
    )
    language = LanguageField()
    good = TagChoiceField(
        queryset=Tag.objects.filter(group=TagGroup.ASPECT),
        required=False,
        label=_("What was good?"),
    )
    improve = TagChoiceField(
        queryset=Tag.objects.filter(group=TagGroup.ASPECT),
        required=False,
        label=_("What could be improved?"),
    )
    feelings = TagChoiceField(
        queryset=Tag.objects.filter(group=TagGroup.FEELING),
        required=False,
        label=_("How did it make you feel?"),
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=[("", _("Month")), *MONTHS],
        coerce=int,
        error_messages={"required": _("Choose the month it happened.")},
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        choices=[],
        error_messages={"required": _("Choose the year it happened.")},
    )
    author_role = forms.ChoiceField(
        label=_("Who are you?"),
        choices=AuthorRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say who you are in this story.")},
    )
    pseudonym = PseudonymField(
        label=_("The name to show with your story"),
        max_length=60,
        min_length=2,
        help_text=_("Not your real name: for example ‘Grateful daughter’ or ‘Patient, Ward 7’."),
        validators=[check_pseudonym],
        error_messages={"required": _("Choose a name to show with your story.")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_(
            "Kept private. We send your private link to follow your story, and "
            "tell you when someone responds."
        ),
        error_messages={"required": _("Enter your email address so we can send your link.")},
    )
    consent_terms = forms.BooleanField(
        label=_(
            "I agree to the terms: my story is published without my name, once a moderator "
            "has checked it."
        ),
        error_messages={"required": _("You need to agree to the terms to tell your story.")},
    )
    consent_edits = forms.BooleanField(
        label=_(
            "I agree that a moderator may edit my story to remove details that identify "
            "anyone, and will ask me first when an edit changes its meaning."
        ),
        error_messages={"required": _("You need to agree that a moderator may edit your story.")},
    )
    # A field people never see: only robots fill it in.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        limit = settings.STORY_MAX_AGE_YEARS
        earliest = this_year - limit - 1
        # One year more than the limit, "or earlier", so someone whose care was longer ago
        # finds their answer and is told why, instead of picking a wrong year.
        choice_field(self, "year").choices = [
            ("", gettext("Year")),
            *((y, str(y)) for y in range(this_year, earliest, -1)),
            (earliest, gettext("%(year)s or earlier") % {"year": earliest}),
        ]
        self.fields["language"].initial = page_story_language()

    def hold(self) -> None:
        """Show what was typed without checking it yet: the person is still choosing
        services. The form is not valid while held."""
        self._errors = ErrorDict()
        self.held = True

    def is_valid(self) -> bool:
        return not getattr(self, "held", False) and super().is_valid()

    @property
    def max_age_years(self) -> int:
        return int(settings.STORY_MAX_AGE_YEARS)

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def offer_services(self, options: list[Organisation]) -> None:
        """Show only these services (chosen ones and search matches), each named with its
        site and trust (`with_place`)."""
        self.fields["services"].widget.choices = [(org.pk, org.display_name) for org in options]

    def story_arguments(self) -> dict[str, Any]:
        """What `story_submit` needs from a valid form."""
        data = self.cleaned_data
        return {
            "services": data["services"],
            "body": data["body"],
            "title": data["title"],
            "pseudonym": data["pseudonym"],
            "author_role": data["author_role"],
            "experienced_on": data["experienced_on"],
            "email": data["email"] or "",
            "good": list(data["good"]),
            "improve": list(data["improve"]),
            "feelings": list(data["feelings"]),
            "submission_key": data["submission_key"],
            "fft": fft_answers(self),
            "language": data["language"],
        }

    def clean_services(self) -> list[Organisation]:
        services = list(self.cleaned_data["services"])
        if len(services) > MAX_SERVICES:
            raise ValidationError(
                ngettext(
                    "Choose at most %(most)s service.",
                    "Choose at most %(most)s services.",
                    MAX_SERVICES,
                )
                % {"most": MAX_SERVICES}
            )
        return services

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        month, year = data.get("month"), data.get("year")
        if month and year:
            when = dt.date(year, month, 1)
            problem = experience_problem(when, too_old_message)
            if problem:
                self.add_error(*problem)
            else:
                data["experienced_on"] = when
        both = {t.pk for t in data.get("good", [])} & {t.pk for t in data.get("improve", [])}
        if both:
            self.add_error(
                "improve", gettext("Each aspect can be good or could be improved, not both.")
            )
        return data


class ResendLinkForm(Form):
    email = forms.EmailField(label=_("The email address you gave with your story"))
    website = forms.CharField(required=False, label=_("Leave this empty"))


class FlagForm(Form):
    """A reader's report of something published: a story here, a response or an author
    reply in the conversation (`what` names it in the question)."""

    reason = forms.ChoiceField(
        label=_("Why should a moderator look at this story?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )
    note = forms.CharField(
        label=_("Anything else the moderator should know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the reason is “something else”."),
    )
    website = forms.CharField(required=False, label=_("Leave this empty"))
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, what: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if what:
            self.fields["reason"].label = _("Why should a moderator look at this %(what)s?") % {
                "what": what
            }
        self.initial.setdefault("submission_key", uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == ReportReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Say what the moderator should look at."))
        return data

    @property
    def is_robot(self) -> bool:
        """The honeypot was filled in: thank the sender and record nothing."""
        return bool(self.cleaned_data.get("website"))


# The moderator's answer to one suggested topic. Nothing is applied unless a moderator
# picks an "Accept" and submits the form (docs/decisions.md, "Suggested topics").
SUGGESTION_PREFIX = "suggest_"
MAX_SUGGESTED = 10
SUGGESTION_CHOICES = [
    (Polarity.GOOD.value, _("Accept as good")),
    (Polarity.IMPROVE.value, _("Accept as could be improved")),
    ("", _("Don't use")),
]


class ModerateForm(Form):
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 14})
    )
    # Not sent (an older page): the story keeps its language.
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        help_text=_(
            "The language the story is written in, as its author chose it: correct it if it "
            "is in another. Pages mark its text with it, and its words are searched by it."
        ),
    )
    good = TagChoiceField(
        queryset=Tag.objects.filter(group=TagGroup.ASPECT),
        required=False,
        # Translators: the aspects of care a story says were good.
        label=pgettext_lazy("aspects of care", "Good"),
    )
    improve = TagChoiceField(
        queryset=Tag.objects.filter(group=TagGroup.ASPECT),
        required=False,
        label=_("Could be improved"),
    )
    feelings = TagChoiceField(
        queryset=Tag.objects.filter(group=TagGroup.FEELING),
        required=False,
        label=_("Feelings"),
    )
    criticality = forms.TypedChoiceField(
        label=_("Criticality (staff only)"),
        choices=Criticality.choices,
        coerce=int,
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
        help_text=_("Judged on the most critical statement in the story, not its overall tone."),
    )
    moderator_note = forms.CharField(
        label=_("Note for moderators and staff (never public)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    safeguarding_level = forms.ChoiceField(
        label=_("Safeguarding level (staff only)"),
        choices=SafeguardingLevel.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Serious tells the safeguarding contacts at once and keeps the story unpublished "
            "until what was done is recorded. Signpost emails the author where to get help."
        ),
    )
    reason = forms.ChoiceField(
        label=_("If not publishing: why"),
        required=False,
        choices=[("", "—"), *RejectionReason.choices],
    )
    rejection_note = forms.CharField(
        label=_("Note to the author about the reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The suggested topics the page offered come back with the form (hidden
        # "suggested" fields), so a choice is read as made even if the model changed since.
        self.suggested: dict[str, Tag] = {}
        slugs = self.data.getlist("suggested") if hasattr(self.data, "getlist") else []
        slugs = [slug for slug in slugs[:MAX_SUGGESTED] if isinstance(slug, str)]
        if slugs:
            self.offer_suggestions(Tag.objects.filter(group=TagGroup.ASPECT, slug__in=slugs))

    def in_language_of(self, story: Story) -> None:
        """The title and text boxes say the story's language, so screen readers read them
        in it and browsers check their spelling in it."""
        for name in ("title", "body"):
            self.fields[name].widget.attrs["lang"] = story.html_lang

    def offer_suggestions(self, tags: Any) -> None:
        """A field for each suggested aspect tag: accept as good or could be improved, or
        not use it (the default)."""
        for tag in tags:
            name = SUGGESTION_PREFIX + tag.slug
            if name in self.fields:
                continue
            self.suggested[tag.slug] = tag
            self.fields[name] = forms.ChoiceField(
                label=tag_label(tag.label).capitalize(),
                choices=SUGGESTION_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                initial="",
            )

    def accepted_suggestions(self) -> list[tuple[Tag, str]]:
        """The suggested tags a moderator accepted, with the polarity they chose."""
        return [
            (tag, self.cleaned_data[SUGGESTION_PREFIX + slug])
            for slug, tag in self.suggested.items()
            if self.cleaned_data.get(SUGGESTION_PREFIX + slug)
        ]

    def edits(self) -> StoryEdits:
        """The edits of a valid form; what to decide is the URL it was posted to. An
        accepted suggestion joins the tags with the polarity chosen for it (over the same
        tag ticked the other way in the tag lists)."""
        data = self.cleaned_data
        good, improve = list(data["good"]), list(data["improve"])
        for tag, polarity in self.accepted_suggestions():
            keep, drop = (good, improve) if polarity == Polarity.GOOD else (improve, good)
            drop[:] = [other for other in drop if other.pk != tag.pk]
            if all(other.pk != tag.pk for other in keep):
                keep.append(tag)
        return StoryEdits(
            title=data["title"],
            body=data["body"],
            criticality=data["criticality"],
            moderator_note=data["moderator_note"],
            good=good,
            improve=improve,
            feelings=list(data["feelings"]),
            safeguarding_level=data["safeguarding_level"],
            language=data["language"],
        )


class AuthorEmailForm(Form):
    email = forms.EmailField(label=_("New email address"))


# The ways in that staff type in; kiosks, posters and campaign links record their own.
STAFF_CHANNELS = (Channel.PHONE, Channel.PAPER, Channel.ASSISTED)


class EnterStoryForm(TellForm):
    """A story told on paper or by phone, typed in by staff: no consent boxes to tick
    for the author, and the channel it came by."""

    channel = forms.ChoiceField(
        label=_("How the story arrived"),
        choices=[c for c in Channel.choices if c[0] in STAFF_CHANNELS],
    )
    helped_by = forms.CharField(
        label=_("Who helped them tell it (optional, kept private)"),
        required=False,
        max_length=120,
        help_text=_(
            "For a story told with help: the name or role of the member of staff or volunteer. "
            "Only staff see it; you are recorded as the person who typed it in."
        ),
    )
    email = forms.EmailField(
        label=_("The author's email address (optional)"),
        required=False,
        help_text=_("Only if they want their private link."),
    )
    consent_terms = forms.BooleanField(
        label=_("The author agreed to the terms."),
        error_messages={"required": _("Confirm that the author agreed to the terms.")},
    )
    consent_edits = forms.BooleanField(
        label=_("The author agreed that a moderator may edit the story."),
        error_messages={"required": _("Confirm that the author agreed to edits.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # This page shows each field's help (the public form says it above the month).
        limit = settings.STORY_MAX_AGE_YEARS
        self.fields["year"].help_text = ngettext(
            "Experiences from the last year only.",
            "Experiences from the last %(years)s years only.",
            limit,
        ) % {"years": limit}


class ReplaceNameForm(Form):
    """Which marked name to replace, and with what role. Each name mark on the moderation
    page has its own fields (`name-N`, `role-N`, `other-N`); its button posts `replace=N`.
    A role written in `other-N` wins over the one chosen in `role-N`."""

    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.CharField(label=_("Role"), max_length=80, required=False)

    def __init__(self, *args: Any, index: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.index = index

    @classmethod
    def from_post(cls, post: Any) -> ReplaceNameForm:
        index = str(post.get("replace", ""))[:6]
        role = str(post.get(f"other-{index}", "")).strip() or post.get(f"role-{index}", "")
        data = {"name": post.get(f"name-{index}", ""), "role": role}
        return cls(data, index=index)

    def clean_role(self) -> str:
        role = " ".join(self.cleaned_data["role"].split())
        if not role:
            raise ValidationError(_("Write the role to put in place of the name."))
        return role
