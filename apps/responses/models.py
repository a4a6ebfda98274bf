from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.core.models import TimeStampedModel
from apps.stories.models import ReportBase
from apps.stories.taxonomy import ReportReason, hidden_because


class ResponseStatus(models.TextChoices):
    PUBLISHED = "published", pgettext_lazy("response or reply", "Published")
    AWAITING_MODERATION = (
        "awaiting_moderation",
        pgettext_lazy("response or reply", "Awaiting moderation"),
    )
    WITHDRAWN = "withdrawn", pgettext_lazy("response or reply", "Withdrawn")
    # Published, then reported and hidden by a moderator: a placeholder with the reason.
    HIDDEN = "hidden", pgettext_lazy("response or reply", "Hidden by the moderators")


class Response(TimeStampedModel):
    """A public reply from a member of staff, on behalf of a node they may respond for.

    The name and job title are kept as they were when it was written, so the page does
    not change if the person's title does. `body_html` is rendered and cleaned once."""

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="responses"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="responses"
    )
    author_name = models.CharField(max_length=150, blank=True)
    author_job_title = models.CharField(max_length=150, blank=True)
    body = models.TextField()
    body_html = models.TextField(help_text=_("Rendered and cleaned once, when saved."))
    status = models.CharField(
        max_length=24, choices=ResponseStatus.choices, default=ResponseStatus.PUBLISHED
    )
    published_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Marked when it closely matched earlier responses of the same organisation.
    is_generic = models.BooleanField(default=False)
    similar_count = models.PositiveIntegerField(default=0)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)
    hidden_reason = models.CharField(max_length=24, choices=ReportReason.choices, blank=True)
    hidden_note = models.TextField(blank=True)
    helpful_count = models.PositiveIntegerField(default=0)
    # A double submit carries the same key and makes one response.
    submission_key = models.UUIDField(unique=True, null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["story", "status"], name="response_story"),
            models.Index(fields=["status", "created_at"], name="response_queue"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="response_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"response {self.pk} to story {self.story_id}"

    @property
    def is_public(self) -> bool:
        return self.status == ResponseStatus.PUBLISHED

    @property
    def hidden_because(self) -> str:
        return hidden_because(self.hidden_reason, self.hidden_note)


class AuthorReplyStatus(models.TextChoices):
    AWAITING_MODERATION = (
        "awaiting_moderation",
        pgettext_lazy("response or reply", "Awaiting moderation"),
    )
    PUBLISHED = "published", pgettext_lazy("response or reply", "Published")
    REJECTED = "rejected", pgettext_lazy("response or reply", "Not published")
    HIDDEN = "hidden", pgettext_lazy("response or reply", "Hidden by the moderators")


class AuthorReply(TimeStampedModel):
    """The story's author answering back, through their private link. Plain text;
    a moderator checks each one before it appears."""

    story = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, related_name="author_replies"
    )
    response = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    body = models.TextField()
    status = models.CharField(
        max_length=24,
        choices=AuthorReplyStatus.choices,
        default=AuthorReplyStatus.AWAITING_MODERATION,
    )
    published_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_note = models.TextField(blank=True)
    hidden_reason = models.CharField(max_length=24, choices=ReportReason.choices, blank=True)
    hidden_note = models.TextField(blank=True)
    submission_key = models.UUIDField(unique=True, null=True, blank=True)

    class Meta:
        verbose_name_plural = _("author replies")
        indexes: ClassVar = [
            models.Index(fields=["story", "status"], name="author_reply_story"),
            models.Index(fields=["status", "created_at"], name="author_reply_queue"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="author_reply_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"author reply {self.pk} on story {self.story_id}"

    @property
    def hidden_because(self) -> str:
        return hidden_because(self.hidden_reason, self.hidden_note)


class ConversationReport(ReportBase):
    """A reader's report of a published response or author reply (exactly one)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reply = models.ForeignKey(
        AuthorReply, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )

    class Meta:
        indexes: ClassVar = [
            models.Index(
                fields=["at"],
                condition=Q(resolved_at__isnull=True),
                name="conversation_report_open",
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(response__isnull=False, reply__isnull=True)
                | Q(response__isnull=True, reply__isnull=False),
                name="conversation_report_one_item",
            ),
        ]

    def __str__(self) -> str:
        what = f"response {self.response_id}" if self.response_id else f"reply {self.reply_id}"
        return f"{self.reason} report on {what}"


class HelpfulVote(models.Model):
    """One "this response was helpful" per visitor (a keyed hash, never the address)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="votes")
    visitor = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["response", "visitor"], name="helpful_once"),
        ]

    def __str__(self) -> str:
        return f"helpful vote on {self.response_id}"


class Referral(TimeStampedModel):
    """One published story handed to a person or team to answer, until revoked."""

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="referrals")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referrals",
    )
    team = models.ForeignKey(
        "responders.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referrals",
    )
    note = models.TextField(max_length=2000, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True)
                | Q(user__isnull=True, team__isnull=False),
                name="referral_user_or_team",
            ),
            models.UniqueConstraint(
                fields=["story", "user"],
                condition=Q(revoked_at__isnull=True, user__isnull=False),
                name="referral_open_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["story", "team"],
                condition=Q(revoked_at__isnull=True, team__isnull=False),
                name="referral_open_once_per_team",
            ),
        ]

    def __str__(self) -> str:
        return f"story {self.story_id} referred to {self.user or self.team}"

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None


class StaffRead(models.Model):
    """A member of staff marked a story read (the 'read by staff' step of its progress)."""

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="staff_reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["story", "user"], name="staff_read_once"),
        ]

    def __str__(self) -> str:
        return f"story {self.story_id} read by {self.user_id}"


# django-guardian's direct foreign-key tables for per-story permissions (referrals).
class StoryUserPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("stories.Story", on_delete=models.CASCADE)


class StoryGroupPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("stories.Story", on_delete=models.CASCADE)


class InboxLink(models.Model):
    """The inbox's copy of one story link (`stories.StoryService`): the node's path and
    what the inbox sorts, filters and counts its story by, side by side, so a scope's
    stories are one range of one index instead of a probe of every story row.

    Kept by the database alone (migrations 0004 and 0005: triggers on stories, their
    links, organisations and responses), whoever writes those tables; code only reads it."""

    link = models.OneToOneField(
        "stories.StoryService",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    story = models.ForeignKey(
        "stories.Story", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    path = models.CharField(max_length=255, db_collation="C")
    # The story's, copied.
    status = models.CharField(max_length=24)
    published_at = models.DateTimeField(null=True)
    criticality = models.PositiveSmallIntegerField(null=True)
    # When its first published response was published; None while it has none.
    answered_at = models.DateTimeField(null=True)
    # The shortest response target (working days) of the trusts its services belong to.
    target_days = models.PositiveSmallIntegerField(null=True)
    # The path of the story's link before this one in path order (C collation, then link
    # id); "" for its first. The link is its story's first in a subtree exactly when this
    # sorts before the subtree's path (migration 0005), so one subtree's copies can be read
    # a row a story, without grouping.
    prev_path = models.CharField(max_length=255, db_collation="C", db_default="")

    class Meta:
        indexes: ClassVar = [
            models.Index(
                fields=["path"],
                include=[
                    "story",
                    "status",
                    "published_at",
                    "criticality",
                    "answered_at",
                    "target_days",
                    "prev_path",
                ],
                name="inbox_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"inbox copy of link {self.link_id}"
