"""Retention: the purge of withdrawn and rejected stories' words, erased emails and old
mail, with the clock moved; nothing of a purged story's text remains in any table."""

from __future__ import annotations

import datetime as dt
import logging
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.changes.services import change_plan
from apps.core.models import AuditEntry, OutboxEmail
from apps.organisations.models import Organisation
from apps.responses.models import AuthorReply, Response
from apps.responses.services import (
    author_reply_create,
    author_reply_publish,
    referral_create,
    response_create,
    response_publish,
)
from apps.stories import moderation
from apps.stories.models import (
    ModerationDecision,
    SafeguardingCase,
    SafeguardingRecord,
    Story,
    StoryRevision,
    StoryStatus,
    StoryTag,
    Tag,
)
from apps.stories.moderation import StoryEdits
from apps.stories.reports import story_flag
from apps.stories.retention import stories_due_for_purge, stories_purge, story_purge
from apps.stories.tasks import purge as purge_task
from apps.stories.taxonomy import ReportReason
from tests.factories import StoryFactory, author_link

from .test_tell import TELL, valid

pytestmark = pytest.mark.django_db

# Every piece of the story's text carries this word, so one search finds any of it.
MARK = "quokka"
EMAIL = "quokka.teller@home.example"


def later(days: int) -> Any:
    return mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(days=days)
    )


def _text_columns() -> list[tuple[str, str]]:
    """(table, column) of every text-like column of every table in the schema, read from
    the database's own catalogue, so a table added later is searched too."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'jsonb', 'json',
                                  'tsvector', 'ARRAY')
            ORDER BY 1, 2
            """
        )
        return list(cursor.fetchall())


def _where_found(*needles: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608 - names from the catalogue
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column} holds {needle!r}")
    return found


def _told_and_answered(
    client: Client, org: Organisation, moderator: User, responder: User, super_user: User
) -> tuple[Story, str]:
    """A story told on the form, edited and published by a moderator with notes, answered,
    replied to, reported, referred and changed: its words in every place they go."""
    data = valid(
        org,
        title=f"The {MARK} ward",
        body=f"The night staff sat with my dad, a {MARK} keeper, when he was frightened.",
        pseudonym=f"Grateful {MARK} fan",
        email=EMAIL,
    )
    assert client.post(TELL, data).status_code == 302
    story = Story.objects.get()
    token = author_link(story)
    moderation.story_lock(story_id=story.pk, moderator=moderator)
    moderation.story_publish(
        story_id=story.pk,
        moderator=moderator,
        edits=StoryEdits(
            title=f"The {MARK} ward, edited",
            body=f"The night staff sat with my dad ({MARK}) when he was frightened.",
            criticality=2,
            moderator_note=f"Removed the {MARK} name.",
            good=list(Tag.objects.filter(slug="staff-manner-and-attitude")),
            feelings=list(Tag.objects.filter(slug="felt-grateful")),
        ),
    )
    story.refresh_from_db()
    response = response_create(
        author=responder,
        story=story,
        organisation=org,
        body=f"Thank you for telling us about the {MARK} night. We are glad he felt safe.",
    )
    if not response.is_public:  # held: the responder is new to the trust
        response = response_publish(moderator=moderator, response=response)
    reply = author_reply_create(
        story=story, body=f"Thank you, the {MARK} nurses were lovely.", response_id=response.pk
    )
    author_reply_publish(moderator=moderator, reply=reply)
    story_flag(story=story, reason=ReportReason.OTHER, note=f"Mentions a {MARK}.")
    referral_create(referrer=super_user, story=story, user=responder, note=f"About the {MARK}.")
    change_plan(
        actor=responder,
        story=story,
        organisation=org,
        summary="Night staff will offer a chair to relatives.",
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    # A safeguarding case about it, with what a contact recorded.
    case = SafeguardingCase.objects.create(story=story, note=f"Worried about the {MARK}.")
    SafeguardingRecord.objects.create(
        case=case, by_name="Ward safeguarding lead", note=f"Phoned the {MARK} family."
    )
    return story, token


def test_a_purged_story_leaves_nothing_of_its_text_in_any_table(
    client: Client,
    org: Organisation,
    moderator: User,
    responder: User,
    super_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        story, token = _told_and_answered(client, org, moderator, responder, super_user)
    assert _where_found(MARK), "the story's words are in the tables before the purge"
    assert OutboxEmail.objects.filter(to=EMAIL).exists()
    # The author withdraws it through their private link.
    assert client.post(reverse("stories:withdraw", kwargs={"token": token})).status_code == 302
    story.refresh_from_db()
    assert story.status == StoryStatus.WITHDRAWN
    assert story.closed_at is not None

    # Not yet: 29 days later nothing is purged.
    with later(29):
        assert stories_purge().stories == 0
    assert Story.objects.get(pk=story.pk).body

    with later(31):
        run = stories_purge()
    assert run.stories == 1
    assert _where_found(MARK, EMAIL, "quokka.teller") == []
    # What statistics need stays.
    story.refresh_from_db()
    assert story.purged_at is not None
    assert (story.status, story.criticality, story.author_role) == ("withdrawn", 2, "relative")
    assert story.published_at is not None
    assert story.experienced_on
    assert list(story.services.all()) == [org]
    assert StoryTag.objects.filter(story=story).count() == 2
    assert StoryRevision.objects.filter(story=story).count() == 2
    assert ModerationDecision.objects.filter(story=story).count() == 1
    # Who recorded what about the case, and when, stays; its words go.
    assert SafeguardingRecord.objects.get(case__story=story).by_name == "Ward safeguarding lead"
    response = Response.objects.get(story=story)
    assert (response.author_name, response.published_at is not None) == (
        responder.display_name,
        True,
    )
    assert AuthorReply.objects.filter(story=story).count() == 1
    # The search finds nothing of it (its search vector is empty).
    assert Story.objects.filter(pk=story.pk, search_vector__isnull=False).values_list(
        "search_vector", flat=True
    ).first() in ("", None)


def test_a_purge_is_audited_and_logged_without_any_text(
    org: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    story = StoryFactory(
        services=[org],
        status=StoryStatus.REJECTED,
        rejection_reason="duplicate",
        title=f"A {MARK} title",
        body=f"A {MARK} body of words.",
        closed_at=timezone.now(),
        published_at=None,
    )
    with later(31), caplog.at_level(logging.INFO, logger="apps.stories.retention"):
        removed = story_purge(story_id=story.pk)
    assert removed is not None
    assert removed["email"] == 1
    entry = AuditEntry.objects.get(action="stories.story.purged")
    assert entry.object_id == str(story.pk)
    assert entry.actor is None
    assert MARK not in str(entry.details)
    assert caplog.records
    assert all(MARK not in r.getMessage() for r in caplog.records)
    assert all("@" not in r.getMessage() for r in caplog.records)


def test_a_purge_cannot_be_undone_and_runs_once(org: Organisation) -> None:
    story = StoryFactory(
        services=[org],
        status=StoryStatus.WITHDRAWN,
        closed_at=timezone.now(),
    )
    with later(31):
        assert story_purge(story_id=story.pk) is not None
        assert story_purge(story_id=story.pk) is None  # the second run changes nothing
        assert purge_task() == 0
    assert AuditEntry.objects.filter(action="stories.story.purged").count() == 1
    story.refresh_from_db()
    assert (story.title, story.body, story.pseudonym, story.author_email) == ("", "", "", "")
    assert "deleted" in story.display_title


def test_published_and_waiting_stories_are_never_purged(org: Organisation) -> None:
    published = StoryFactory(services=[org])
    waiting = StoryFactory(
        services=[org], status=StoryStatus.AWAITING_MODERATION, published_at=None
    )
    with later(4000):
        assert stories_purge().stories == 0
        assert not stories_due_for_purge(timezone.now()).exists()
    for story in (published, waiting):
        story.refresh_from_db()
        assert story.body
        assert story.purged_at is None


def test_rejection_starts_the_purge_clock(org: Organisation, moderator: User) -> None:
    story = StoryFactory(services=[org], status=StoryStatus.AWAITING_MODERATION, published_at=None)
    moderation.story_lock(story_id=story.pk, moderator=moderator)
    moderation.story_reject(
        story_id=story.pk,
        moderator=moderator,
        edits=StoryEdits(title=story.title, body=story.body, criticality=1),
        reason="duplicate",
    )
    story.refresh_from_db()
    assert story.closed_at is not None
    with later(30):
        assert stories_purge().stories == 1


def test_erased_emails_leave_the_outbox_after_the_period(
    client: Client, org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    """An erased address still sits on the mail already sent to it; that mail goes once
    the period has passed, though the story itself stays published."""
    with django_capture_on_commit_callbacks(execute=True):
        data = valid(org, email=EMAIL)
        assert client.post(TELL, data).status_code == 302
    story = Story.objects.get()
    assert mail.outbox
    assert OutboxEmail.objects.filter(to=EMAIL).exists()
    token = author_link(story)
    assert client.post(reverse("stories:author_erase", kwargs={"token": token})).status_code == 302
    story.refresh_from_db()
    assert story.author_email == ""
    # The link keeps working after the email is erased.
    assert client.get(reverse("stories:author", kwargs={"token": token})).status_code == 200
    with later(29):
        stories_purge()
    assert OutboxEmail.objects.filter(to=EMAIL).exists()
    with later(31):
        run = stories_purge()
    assert run.old_emails >= 1
    assert _where_found(EMAIL) == []


def test_the_command_says_how_far_it_has_got(org: Organisation) -> None:
    for _ in range(3):
        StoryFactory(services=[org], status=StoryStatus.WITHDRAWN, closed_at=timezone.now())
    out = StringIO()
    with later(31):
        call_command("purge_stories", "--dry-run", stdout=out)
        assert Story.objects.filter(purged_at__isnull=False).count() == 0
        call_command("purge_stories", stdout=out)
    text = out.getvalue()
    assert "3 stories closed more than 30 days ago" in text
    assert "purged 3 of 3" in text
    assert "Purged 3 stories" in text
    assert Story.objects.filter(purged_at__isnull=False).count() == 3


def test_the_beat_schedule_runs_the_purge_daily() -> None:
    from config.celery import app

    assert any(entry["task"] == "stories.purge" for entry in app.conf.beat_schedule.values())


def test_the_author_page_says_when_the_words_go(client: Client, org: Organisation) -> None:
    story = StoryFactory(services=[org], status=StoryStatus.WITHDRAWN, closed_at=timezone.now())
    token = author_link(story)
    page = client.get(reverse("stories:author", kwargs={"token": token}))
    assert "will be deleted for good on" in page.content.decode()
    live = StoryFactory(services=[org])
    confirm = client.get(reverse("stories:withdraw", kwargs={"token": author_link(live)}))
    assert (
        "Its words are deleted for good 30 days after you withdraw it." in confirm.content.decode()
    )
    with later(31):
        stories_purge()
        page = client.get(reverse("stories:author", kwargs={"token": token}))
    assert "were deleted for good" in page.content.decode()
