"""The shared lists of TAXONOMY.md: codes are stored, labels are shown."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


class AuthorRole(models.TextChoices):
    PATIENT = "patient", _("the patient")
    CARER = "carer", _("a carer")
    PARENT = "parent", _("a parent or guardian")
    RELATIVE = "relative", _("a relative")
    FRIEND = "friend", _("a friend")
    STAFF_ON_BEHALF = "staff_on_behalf", _("a member of staff posting for a patient")
    ADVOCATE = "advocate", _("an advocate or volunteer")
    OTHER = "other", _("someone else")


class Channel(models.TextChoices):
    WEB = "web", _("online form")
    KIOSK = "kiosk", _("a device at the service")
    QR = "qr", _("a printed code at the service")
    CAMPAIGN = "campaign", _("a link the organisation sent")
    PHONE = "phone", _("told by telephone and typed in by staff")
    PAPER = "paper", _("a leaflet or letter typed in by staff")
    ASSISTED = "assisted", _("told with the help of a member of staff or volunteer")


class FftAnswer(models.TextChoices):
    """The Friends and Family Test's six answers (TAXONOMY.md), in the order asked."""

    VERY_GOOD = "very_good", _("Very good")
    GOOD = "good", _("Good")
    NEITHER = "neither", _("Neither good nor poor")
    POOR = "poor", _("Poor")
    VERY_POOR = "very_poor", _("Very poor")
    DONT_KNOW = "dont_know", _("Don't know")


class Criticality(models.IntegerChoices):
    NOT_CRITICAL = 0, _("0 · not critical")
    MINIMALLY = 1, _("1 · minimally critical")
    MILDLY = 2, _("2 · mildly critical")
    MODERATELY = 3, _("3 · moderately critical")
    STRONGLY = 4, _("4 · strongly critical")
    SEVERELY = 5, _("5 · severely critical")


CRITICALITY_CRITERIA = {
    0: _("praises or describes, with no criticism"),
    1: _("is positive overall with a small suggestion"),
    2: _("reports things that went less well, without harm or distress"),
    3: _("criticises care, communication or attitude and describes distress or inconvenience"),
    4: _("describes serious failings that affected the person's health, dignity or wellbeing"),
    5: _("describes possible harm, neglect, abuse or a risk to safety"),
}


class RejectionReason(models.TextChoices):
    NOT_CARE_EXPERIENCE = "not_care_experience", _("not about an experience of care")
    TOO_OLD = "too_old", _("the experience ended more than 3 years ago")
    DUPLICATE = "duplicate", _("the same experience told again")
    ABUSIVE = "abusive", _("abusive, threatening or discriminatory")
    ADVERTISING = "advertising", _("advertising or spam")
    LEGAL = (
        "legal",
        _("the subject of a live complaint, investigation or legal case, or could prejudice one"),
    )
    IDENTIFIES_STAFF = (
        "identifies_staff",
        _(
            "names or identifies a member of staff in a critical way and cannot be edited "
            "without losing its meaning"
        ),
    )
    OTHER = "other", _("another reason, explained in the note")


class TagGroup(models.TextChoices):
    ASPECT = "aspect", _("aspect of care")
    FEELING = "feeling", _("feeling")


class Polarity(models.TextChoices):
    GOOD = "good", _("was good")
    IMPROVE = "improve", _("could be improved")
    POSITIVE = "positive", _("positive")
    NEGATIVE = "negative", _("negative")


class Progress(models.TextChoices):
    """How far a published story has come; derived, never stored. The furthest step
    reached counts (a change planned without a response is still "change planned")."""

    NOT_READ = "not_read", _("not yet read")
    READ = "read", _("read by staff")
    RESPONDED = "responded", _("responded to")
    CHANGE_PLANNED = "change_planned", _("change planned")
    CHANGE_MADE = "change_made", _("change made")


# The progress list names each step as something that happened, so that "done" and "not
# yet" read sensibly after it: the first step is the story's publication, which
# `not_read` means has happened (and nothing since).
PROGRESS_STEP_LABELS = {
    Progress.NOT_READ: _("published"),
    Progress.READ: _("read by staff"),
    Progress.RESPONDED: _("responded to"),
    Progress.CHANGE_PLANNED: _("change planned"),
    Progress.CHANGE_MADE: _("change made"),
}


# Story lengths.
BODY_MIN = 30
BODY_MAX = 10_000


# How a story's tags read to the public: grouped under headings, as people would say them.
TAG_HEADINGS = (
    (Polarity.GOOD, _("What was good")),
    (Polarity.IMPROVE, _("What could be improved")),
    ("feeling", _("How it felt")),
)


# The tags' labels as seeded (migration 0002), so that their translations are gathered:
# a Tag row keeps the English label and `tag_label` shows it in the page's language. A
# tag a platform admin adds later shows as written until its label is translated too.
TAG_LABELS = (
    # Aspects of care.
    gettext_noop("staff manner and attitude"),
    gettext_noop("number and deployment of staff"),
    gettext_noop("staff responsiveness"),
    gettext_noop("continuity of staff"),
    gettext_noop("competence and training"),
    gettext_noop("listening and involving patients"),
    gettext_noop("information during care"),
    gettext_noop("information and guidance"),
    gettext_noop("being kept informed"),
    gettext_noop("contacting services"),
    gettext_noop("appointment arrangements"),
    gettext_noop("timeliness of care"),
    gettext_noop("pain management"),
    gettext_noop("diagnosis and triage"),
    gettext_noop("referrals and continuity of care"),
    gettext_noop("admission"),
    gettext_noop("discharge"),
    gettext_noop("care plans"),
    gettext_noop("patient records"),
    gettext_noop("cleanliness and infection control"),
    gettext_noop("equipment"),
    gettext_noop("environment and facilities"),
    gettext_noop("food and drink"),
    gettext_noop("medication"),
    gettext_noop("activities and fresh air"),
    gettext_noop("feeling safe"),
    gettext_noop("privacy and dignity"),
    gettext_noop("equality, diversity and inclusion"),
    gettext_noop("interaction with family and carers"),
    gettext_noop("transport and parking"),
    gettext_noop("service location"),
    gettext_noop("choice and existence of services"),
    gettext_noop("out-of-hours support"),
    gettext_noop("mental health act"),
    gettext_noop("psychological therapy arrangements"),
    gettext_noop("impact of treatment and care"),
    # Translators: feelings, shown after "How did it make you feel?" and "How it felt".
    gettext_noop("grateful"),
    gettext_noop("reassured"),
    gettext_noop("listened to"),
    gettext_noop("respected"),
    gettext_noop("safe"),
    gettext_noop("cared for"),
    gettext_noop("relieved"),
    gettext_noop("hopeful"),
    gettext_noop("anxious"),
    gettext_noop("frustrated"),
    gettext_noop("angry"),
    gettext_noop("ignored"),
    gettext_noop("upset"),
    gettext_noop("disappointed"),
    gettext_noop("confused"),
    gettext_noop("unsafe"),
    gettext_noop("let down"),
    gettext_noop("exhausted"),
)


def tag_label(label: str) -> str:
    """A tag's label in the active language (as stored when it has no translation)."""
    return gettext(label) if label else label


class SafeguardingLevel(models.TextChoices):
    """TAXONOMY.md "Safeguarding level": staff-only, set by the moderator."""

    NONE = "none", _("None: no one seems to need help")
    SIGNPOST = "signpost", _("Signpost: someone may need help, but no one is at risk now")
    SERIOUS = "serious", _("Serious: someone may be at risk now")


# Words that suggest someone may be at risk now. A story whose title or text holds one
# goes to the top of the queue and its author is sent where to get help at once. Each is
# matched at the start of a word, so "abuse" finds "abused" and "abusive"; platform
# admins add their own (SafeguardingSettings.risk_words).
RISK_WORDS = (
    "self-harm",
    "self harm",
    "selfharm",
    "harm myself",
    "harming myself",
    "hurt myself",
    "hurting myself",
    "suicid",
    "kill myself",
    "end my life",
    "end it all",
    "take my own life",
    "overdose",
    "abuse",
    "abusing",
    "neglect",
    "violen",
    "assault",
    "beaten",
    "unsafe at home",
    "not safe at home",
    "threatened to kill",
)

# Where to get help now, when a platform admin has written nothing of their own (UK).
DEFAULT_HELP_TEXT = _(
    "If you or someone else is in danger now, or may be seriously harmed, call 999.\n\n"
    "If you need medical help fast but it is not an emergency, call NHS 111 or go to "
    "111.nhs.uk.\n\n"
    "If you are struggling to cope or want to talk to someone, call Samaritans free on "
    "116 123, at any time, day or night, or email jo@samaritans.org."
)


class ReportReason(models.TextChoices):
    """Why a reader reported something published (TAXONOMY.md, `report_reason`)."""

    IDENTIFIES_SOMEONE = "identifies_someone", _("It names or identifies a person")
    UNTRUE_OR_UNFAIR = "untrue_or_unfair", _("It is untrue or unfair")
    ABUSIVE = "abusive", _("It is abusive or offensive")
    NOT_ABOUT_CARE = "not_about_care", _("It is not about an experience of care")
    SPAM = "spam", _("It is spam or advertising")
    OTHER = "other", _("Something else (please say what)")


# The words after "hidden by the moderators because …" for each reason; "other" uses the
# moderator's own note to the public.
HIDDEN_BECAUSE = {
    ReportReason.IDENTIFIES_SOMEONE: _("it names or identifies a person"),
    ReportReason.UNTRUE_OR_UNFAIR: _("it is untrue or unfair"),
    ReportReason.ABUSIVE: _("it is abusive or offensive"),
    ReportReason.NOT_ABOUT_CARE: _("it is not about an experience of care"),
    ReportReason.SPAM: _("it is spam or advertising"),
}


class ReportOutcome(models.TextChoices):
    """What a moderator did about a report."""

    DISMISSED = "dismissed", _("Dismissed: it stays as it is")
    HIDDEN = "hidden", _("Hidden behind a placeholder")
    EDITED = "edited", _("Edited by a moderator")


def hidden_because(reason: str, note: str) -> str:
    """The public reason for a placeholder: the reason's words, or the moderator's note."""
    if reason == ReportReason.OTHER or reason not in HIDDEN_BECAUSE:
        return note
    return str(HIDDEN_BECAUSE[ReportReason(reason)])


# The language a story is written in (docs/languages.md, "Stories in any language"):
# a BCP 47 code, as a page's lang attribute takes it. English and Welsh, then the
# languages most spoken in England and Wales after them (Census 2021); British Sign
# Language is not written, so a signed story comes typed or told by someone helping.
# "und" (undetermined) is another language: its text carries lang="" (unknown).
ENGLISH = "en"
WELSH = "cy"
ANOTHER_LANGUAGE = "und"
# Each language's name in itself, shown beside the name in the page's language where
# the two differ: "Polish (Polski)" in English, "Pwyleg (Polski)" in Welsh.
OWN_NAMES = {
    "en": "English",
    "cy": "Cymraeg",
    "pl": "Polski",
    "ro": "Română",
    "pa": "ਪੰਜਾਬੀ",
    "ur": "اردو",
    "pt": "Português",
    "es": "Español",
    "ar": "العربية",
    "bn": "বাংলা",
    "gu": "ગુજરાતી",
    "it": "Italiano",
    "lt": "Lietuvių",
    "zh": "中文",
    "fr": "Français",
    "ta": "தமிழ்",
    "tr": "Türkçe",
    "so": "Soomaali",
}
# Written right to left: their text also carries dir="rtl". Panjabi is written in
# Gurmukhi (left to right) or Shahmukhi (right to left), and another language in any
# script, so theirs carries dir="auto" (the browser reads the direction from the text).
RIGHT_TO_LEFT = frozenset({"ar", "ur"})
EITHER_DIRECTION = frozenset({"pa", ANOTHER_LANGUAGE})


def _both_names(name: str | Promise, own: str) -> str:
    """A language's name in the page's language, with its own name where they differ."""
    shown = str(name)
    if shown == own:
        return shown
    # Translators: a language in a list of languages: its name in your language, then
    # in itself, e.g. "Polish (Polski)". Keep the order natural for your language.
    return gettext("%(language)s (%(own_name)s)") % {"language": shown, "own_name": own}


_named = lazy(_both_names, str)


class StoryLanguage(models.TextChoices):
    """The language a story is written in: its BCP 47 code and a label in the page's
    language with the language's own name (OWN_NAMES)."""

    # Translators: the names of languages, in a list of the languages a story may be
    # written in. The page shows each language's own name beside yours.
    ENGLISH = "en", _named(_("English"), OWN_NAMES["en"])
    WELSH = "cy", _named(_("Welsh"), OWN_NAMES["cy"])
    POLISH = "pl", _named(_("Polish"), OWN_NAMES["pl"])
    ROMANIAN = "ro", _named(_("Romanian"), OWN_NAMES["ro"])
    PANJABI = "pa", _named(_("Panjabi"), OWN_NAMES["pa"])
    URDU = "ur", _named(_("Urdu"), OWN_NAMES["ur"])
    PORTUGUESE = "pt", _named(_("Portuguese"), OWN_NAMES["pt"])
    SPANISH = "es", _named(_("Spanish"), OWN_NAMES["es"])
    ARABIC = "ar", _named(_("Arabic"), OWN_NAMES["ar"])
    BENGALI = "bn", _named(_("Bengali"), OWN_NAMES["bn"])
    GUJARATI = "gu", _named(_("Gujarati"), OWN_NAMES["gu"])
    ITALIAN = "it", _named(_("Italian"), OWN_NAMES["it"])
    LITHUANIAN = "lt", _named(_("Lithuanian"), OWN_NAMES["lt"])
    CHINESE = "zh", _named(_("Chinese"), OWN_NAMES["zh"])
    FRENCH = "fr", _named(_("French"), OWN_NAMES["fr"])
    TAMIL = "ta", _named(_("Tamil"), OWN_NAMES["ta"])
    TURKISH = "tr", _named(_("Turkish"), OWN_NAMES["tr"])
    SOMALI = "so", _named(_("Somali"), OWN_NAMES["so"])
    ANOTHER = "und", _("Another language")


def language_choices() -> list[tuple[str, str]]:
    """The languages to choose from, for a select: the page's language and the site's
    other one first, the others in the alphabetical order of their names in the page's
    language, and "another language" last (call it while the page's language is active)."""
    first = [WELSH, ENGLISH] if get_language() == WELSH else [ENGLISH, WELSH]
    named = {code: str(label) for code, label in StoryLanguage.choices}
    rest = sorted(
        (code for code in named if code not in {*first, ANOTHER_LANGUAGE}),
        key=lambda code: named[code].casefold(),
    )
    return [(code, named[code]) for code in (*first, *rest, ANOTHER_LANGUAGE)]
