from __future__ import annotations

import datetime as dt
import html
import re
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Case, Q, When
from django.db.models.expressions import CombinedExpression
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.organisations.models import Organisation

from .taxonomy import (
    ANOTHER_LANGUAGE,
    EITHER_DIRECTION,
    PROGRESS_STEP_LABELS,
    RIGHT_TO_LEFT,
    AuthorRole,
    Channel,
    Criticality,
    FftAnswer,
    Polarity,
    Progress,
    RejectionReason,
    ReportOutcome,
    ReportReason,
    SafeguardingLevel,
    StoryLanguage,
    TagGroup,
    hidden_because,
    tag_label,
)


class StoryStatus(models.TextChoices):
    AWAITING_MODERATION = "awaiting_moderation", _("Awaiting moderation")
    AWAITING_AUTHOR = "awaiting_author", _("Waiting for the author to approve edits")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")
    WITHDRAWN = "withdrawn", _("Withdrawn by the author")
    # Published, then reported and hidden by a moderator: the page answers with a
    # placeholder giving the reason; every list, feed, search, API and count drops it.
    HIDDEN = "hidden", _("Hidden by the moderators")
    # Moderated and to be published when `held_until` passes: the trust's right of reply.
    HELD = "held", _("Held for the right of reply")
    # Was published; a platform admin restricted it at a provider's request. Its page
    # says so in place of the text; it is in no list, feed, search, API answer or count.
    RESTRICTED = "restricted", _("Restricted")


# Staff of the story's services see these as staff (a held story so they may answer it
# before it is public, a restricted or hidden one to know what it said); the public sees
# PUBLISHED.
STAFF_VISIBLE_STATUSES = (
    StoryStatus.PUBLISHED,
    StoryStatus.HELD,
    StoryStatus.RESTRICTED,
    StoryStatus.HIDDEN,
)
# Staff may respond to these (during the hold, so the response is there when it ends).
ANSWERABLE_STATUSES = (StoryStatus.PUBLISHED, StoryStatus.HELD)


class Tag(models.Model):
    """One entry of the curated lists: an aspect of care or a feeling."""

    slug = models.SlugField(max_length=80, unique=True)
    label = models.CharField(max_length=100)
    group = models.CharField(max_length=10, choices=TagGroup.choices)
    # Feelings carry their polarity; for aspects the author says good or could improve.
    polarity = models.CharField(max_length=10, choices=Polarity.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["group", "position"]

    def __str__(self) -> str:
        return tag_label(self.label)


HEADLINE_GAP = " … "  # between two passages of a headline (the search's FragmentDelimiter)


def _with_ellipses(headline: str, body: str) -> str:
    """`headline` (escaped passages of `body` with <mark> tags) with an ellipsis before it
    when its first passage does not start the body, and after it when its last passage does
    not end it, so a snippet that begins or ends mid-sentence says so. ts_headline leaves
    out short words and punctuation at the edges of a passage ("The" of "The nurse…", the
    last full stop): when only those are cut, they are put back instead."""
    plain = html.unescape(headline.replace("<mark>", "").replace("</mark>", ""))
    passages = plain.split(HEADLINE_GAP)
    first, last = passages[0].strip(), passages[-1].strip()
    shown = headline.strip()
    start = body.find(first) if first else -1
    before = body[:start] if start >= 0 else body
    shown = (escape(before.lstrip()) if _only_short_words(before) else "… ") + shown
    end = body.rfind(last) if last else -1
    after = body[end + len(last) :] if end >= 0 else body
    return shown + (escape(after.rstrip()) if _only_short_words(after) else " …")


def _only_short_words(text: str) -> bool:
    """Whether `text` is at most a few words of three letters or fewer (and punctuation)."""
    words = re.findall(r"\w+", text)
    return len(words) <= 3 and all(len(word) <= 3 for word in words)


def _words() -> Case:
    """The words of a story's title (weight A) and body (weight B) for its search: English
    stems for a story in English; for Welsh and every other language the words as written
    ('simple': PostgreSQL has no Welsh stemmer, and English stems would mangle Welsh words).
    A generated column needs an expression PostgreSQL calls immutable: a CASE choosing
    between constant configurations is, where a configuration named by a column is not."""

    def words(config: str) -> CombinedExpression:
        return SearchVector("title", weight="A", config=config) + SearchVector(
            "body", weight="B", config=config
        )

    return Case(
        When(language=StoryLanguage.ENGLISH, then=words("english")),
        default=words("simple"),
        output_field=SearchVectorField(),
    )


class Story(TimeStampedModel):
    """A story as told, then as moderated. Private fields never leave staff pages."""

    title = models.CharField(max_length=150, blank=True)
    body = models.TextField(help_text=_("The text as published (after any moderator edits)."))
    pseudonym = models.CharField(max_length=60)
    author_role = models.CharField(max_length=20, choices=AuthorRole.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    experienced_on = models.DateField(help_text=_("The first day of the month it happened."))
    status = models.CharField(
        max_length=24, choices=StoryStatus.choices, default=StoryStatus.AWAITING_MODERATION
    )
    services: models.ManyToManyField[Organisation, StoryService] = models.ManyToManyField(
        "organisations.Organisation", through="StoryService", related_name="stories"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The right of reply: when a held story is published (by stories.release_held).
    held_until = models.DateTimeField(null=True, blank=True)
    # A restriction: who asked (a node over the story's services), why, and when. The
    # platform admin who did it, and any lifting, are in the audit log.
    restricted_by = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    restriction_reason = models.TextField(blank=True)
    restricted_at = models.DateTimeField(null=True, blank=True)
    # Private: the author's email (erasable), staff-only moderation data.
    author_email = models.EmailField(blank=True)
    criticality = models.PositiveSmallIntegerField(
        choices=Criticality.choices, null=True, blank=True
    )
    moderator_note = models.TextField(blank=True)
    rejection_reason = models.CharField(max_length=24, choices=RejectionReason.choices, blank=True)
    rejection_note = models.TextField(blank=True)
    # Why a moderator hid the published story (its placeholder says so in public).
    hidden_reason = models.CharField(max_length=24, choices=ReportReason.choices, blank=True)
    hidden_note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The member of staff who typed in a story told on paper or by phone."),
    )
    # Private (staff-only): who helped the author tell it, as they gave it (a volunteer at a
    # kiosk, a member of staff on the phone). Never in public pages, feeds or the API.
    helped_by = models.CharField(max_length=120, blank=True)
    # Moderation lock: one moderator at a time.
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    # A double submit carries the same key and makes one story.
    submission_key = models.UUIDField(unique=True, null=True, blank=True)
    # Retention: when the story was withdrawn or rejected (the purge counts from here),
    # and when its words were purged (never undone; what statistics need is kept).
    closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    read_count = models.PositiveIntegerField(default=0)
    me_too_count = models.PositiveIntegerField(default=0)
    # Safeguarding (staff-only): words suggesting risk now, found when it was told; the
    # level a moderator set ("" until one is set) and when it was first set.
    risk_cue = models.BooleanField(default=False)
    safeguarding_level = models.CharField(
        max_length=10, choices=SafeguardingLevel.choices, blank=True
    )
    safeguarding_set_at = models.DateTimeField(null=True, blank=True)
    # The language it is written in (a BCP 47 code: StoryLanguage); its text carries it as
    # lang on every page, and it chooses how its words are searched (`_words`).
    language = models.CharField(
        max_length=12, choices=StoryLanguage.choices, default=StoryLanguage.ENGLISH
    )
    # Private: the site language its author used when telling it, in which every email
    # to them is written (apps.stories.languages).
    author_language = models.CharField(
        max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # The words of the public title (weight A) and body (weight B), kept by PostgreSQL
    # itself on every write (`_words`). Only public text: never the email, notes or the
    # author's original revision, so a search cannot reveal them.
    # Set on rows by the staff inbox (responses.selectors.inbox, inbox_marks), not stored: how
    # long an unanswered story has waited, and what it is to the reader.
    waiting: str
    answered: bool
    overdue: bool
    is_referred: bool
    read_by_me: bool
    answerable: bool
    # Its services as the inbox names them (stories.selectors.services_of), in order.
    listed_services: list[Organisation]
    # Set on rows of the moderation queue (selectors_moderation.mark_past_target).
    past_target: bool

    search_vector = models.GeneratedField(
        expression=_words(), output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        verbose_name_plural = _("stories")
        # An object permission, given per story by a referral (through `responders`).
        permissions: ClassVar = [("respond_to_story", "Respond to this one story")]
        indexes: ClassVar = [
            models.Index(fields=["status", "created_at"], name="story_queue"),
            models.Index(fields=["status", "-published_at"], name="story_published"),
            # Partial indexes, so the busiest pages read no story rows they do not show
            # (the table is mostly text). Published stories newest first, for the public
            # lists and, index-only, the figures' 12 months; one key column, as the planner
            # trusts the physical order of a one-column index more and so picks it.
            models.Index(
                fields=["-published_at"],
                include=["id"],
                condition=Q(status="published"),
                name="story_published_newest",
            ),
            # The few stories not published: a subtree's count is its story links less
            # these, never a story row per link.
            models.Index(fields=["id"], condition=~Q(status="published"), name="story_unpublished"),
            # The purge's work: closed stories whose words are still kept.
            models.Index(
                fields=["closed_at"],
                condition=Q(closed_at__isnull=False, purged_at__isnull=True),
                name="story_to_purge",
            ),
            # Full-text search of the published stories.
            GinIndex(
                fields=["search_vector"],
                condition=Q(status="published"),
                name="story_search",
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="story_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="story_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_until__isnull=False),
                name="story_held_has_end",
            ),
            models.CheckConstraint(
                condition=~Q(status="restricted")
                | (
                    Q(restricted_by__isnull=False, published_at__isnull=False)
                    & ~Q(restriction_reason="")
                ),
                name="story_restricted_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title or gettext("Story %(number)s") % {"number": self.pk}

    def holder_at(self, when: dt.datetime) -> User | None:
        """The moderator whose hold on the story is still running at `when`, if any."""
        if self.locked_until and self.locked_until > when:
            return self.locked_by
        return None

    @property
    def current_holder(self) -> User | None:
        return self.holder_at(timezone.now())

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.status == StoryStatus.PUBLISHED

    @property
    def hidden_because(self) -> str:
        """The public reason of a hidden story's placeholder."""
        return hidden_because(self.hidden_reason, self.hidden_note)

    @property
    def progress_label(self) -> str:
        """The progress step's words, when a selector annotated `progress`."""
        step = getattr(self, "progress", "")
        return str(Progress(step).label) if step else ""

    @property
    def progress_steps(self) -> list[tuple[str, str]]:
        """Every step with "done", "current" or "todo", for the progress list."""
        step = getattr(self, "progress", "")
        if not step:
            return []
        reached = Progress.values.index(step)
        return [
            (
                str(PROGRESS_STEP_LABELS[p]),
                "current" if i == reached else "done" if i < reached else "todo",
            )
            for i, p in enumerate(Progress)
        ]

    @property
    def display_title(self) -> str:
        if not (self.title or self.pseudonym):
            # Purged: its words, title and pseudonym included, are gone for good. (Asked
            # of the text, not of `purged_at`, which public lists do not load.)
            return gettext("Story %(number)s (its words were deleted)") % {"number": self.pk}
        return self.title or gettext("%(pseudonym)s's story") % {"pseudonym": self.pseudonym}

    @property
    def staff_title(self) -> str:
        """The title as staff lists show it: a withdrawn story's author took back its
        words, its title and pseudonym included."""
        if self.status == StoryStatus.WITHDRAWN:
            return gettext("Withdrawn story")
        return self.display_title

    @property
    def headline(self) -> str | None:
        """The search's passages of the body around the words found (safe HTML: the body
        escaped, with <mark> around the words), with "…" where the passages do not start
        or end the text; None when the story did not come from a search with words."""
        found = self.__dict__.get("search_headline")
        if found is None:
            return None
        return _with_ellipses(found, self.body)

    @property
    def html_lang(self) -> str:
        """The story's language as a lang attribute gives it: "" (unknown) for another."""
        return "" if self.language == ANOTHER_LANGUAGE else self.language

    @property
    def lang_attrs(self) -> SafeString:
        """The attributes of an element holding the story's own words (its text, its
        title, its author's replies): lang with its language, "" when it is another
        language (unknown), and dir where its script may run right to left."""
        code = self.html_lang
        if self.language in RIGHT_TO_LEFT:
            return format_html('lang="{}" dir="rtl"', code)
        if self.language in EITHER_DIRECTION:
            return format_html('lang="{}" dir="auto"', code)
        return format_html('lang="{}"', code)

    @property
    def title_lang_attrs(self) -> SafeString:
        """`lang_attrs` for the element showing `display_title` when the author or a
        moderator wrote the title; none when the site made one up in the page's language
        ("Grateful daughter's story")."""
        return self.lang_attrs if self.title else SafeString("")


class StoryService(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE)
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)
    # The Friends and Family Test answer for this service, where its trust asks it.
    fft = models.CharField(max_length=10, choices=FftAnswer.choices, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["story", "organisation"], name="story_service_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["organisation", "story"], name="service_stories")]

    def __str__(self) -> str:
        return f"{self.story_id} about {self.organisation_id}"


class StoryTag(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="story_tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT)
    polarity = models.CharField(max_length=10, choices=Polarity.choices)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["story", "tag"], name="story_tag_once"),
        ]
        # A tag's stories from the index alone, for the search's tag filter.
        indexes: ClassVar = [models.Index(fields=["tag", "story"], name="tag_stories")]

    def __str__(self) -> str:
        return f"{self.tag_id} {self.polarity}"


class StoryRevision(models.Model):
    """Every version of the text: number 0 is the author's original, kept privately."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=150, blank=True)
    body = models.TextField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["story", "number"], name="story_revision_number"),
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of story {self.story_id}"


class ModerationDecision(models.Model):
    class Action(models.TextChoices):
        PUBLISHED = "published", _("Published")
        ASKED_AUTHOR = "asked_author", _("Asked the author to approve edits")
        REJECTED = "rejected", _("Rejected")
        AUTHOR_APPROVED = "author_approved", _("The author approved the edits")
        # After publication, on a reader's report.
        EDITED_PUBLISHED = "edited_published", _("Edited after publication")
        HIDDEN = "hidden", _("Hidden after publication")

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=20, choices=Action.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=24, choices=RejectionReason.choices, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.action} story {self.story_id}"


class AuthorAccess(models.Model):
    """The author's private link. Only a hash of the token is stored."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="access_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"access to story {self.story_id}"


class StoryReader(models.Model):
    """One row per visitor who said "me too" of a story, so counts are people, not clicks
    (reads were counted here too; they are queued in the cache now: apps/stories/reads.py)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE)
    visitor = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=[("read", "read"), ("me_too", "me too")])
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["story", "visitor", "kind"], name="story_visitor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of story {self.story_id}"


class ReportBase(models.Model):
    """A reader's report of something published, and what a moderator did about it.
    Stories' reports are `Flag`s here; responses' and author replies' live in the
    responses app, on this same base."""

    reason = models.CharField(max_length=24, choices=ReportReason.choices)
    note = models.TextField(blank=True, max_length=2000)
    at = models.DateTimeField(auto_now_add=True)
    # A double submit carries the same key and makes one report.
    submission_key = models.UUIDField(unique=True, null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=12, choices=ReportOutcome.choices, blank=True)
    # The moderator's private note on the decision (never public).
    resolution_note = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Flag(ReportBase):
    """A reader's report of a published story to the moderators."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="flags")

    class Meta:
        indexes: ClassVar = [
            # The reports queue: open reports, oldest first.
            models.Index(fields=["at"], condition=Q(resolved_at__isnull=True), name="flag_open"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} flag on story {self.story_id}"


from .models_safeguarding import (  # noqa: E402  (they refer to Story)
    SafeguardingCase,
    SafeguardingContact,
    SafeguardingHelp,
    SafeguardingRecord,
    SafeguardingSettings,
)
from .models_themes import ThemeModelVersion  # noqa: E402

__all__ = [
    "AuthorAccess",
    "Flag",
    "ModerationDecision",
    "SafeguardingCase",
    "SafeguardingContact",
    "SafeguardingHelp",
    "SafeguardingRecord",
    "SafeguardingSettings",
    "Story",
    "StoryReader",
    "StoryRevision",
    "StoryService",
    "StoryStatus",
    "StoryTag",
    "Tag",
    "ThemeModelVersion",
]
