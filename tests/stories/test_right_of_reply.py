"""The right of reply: severely critical stories, and every story of a trust that asks,
are held after the publish decision for the trust's period in working days; the trust's
responders and super-users are told at once and may answer; the story is published with
its response when the period ends, once, however often the task runs."""

from __future__ import annotations

import datetime as dt
import io
import threading
import uuid
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.alerts.models import StoryAlertRun
from apps.core.models import AuditEntry, OutboxEmail
from apps.organisations.models import Organisation
from apps.responses.models import Response, ResponseStatus
from apps.stories import moderation, tasks
from apps.stories.models import Story, StoryStatus
from apps.stories.selectors import story_count_for_organisation
from tests.factories import StoryFactory, author_link

from .test_moderation import decide, signed_in, waiting

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
# Five working days after Monday 7 December, 10:00: Monday 14 December, 10:00.
HOLD_ENDS = dt.datetime(2026, 12, 14, 10, 0, tzinfo=LONDON)
BODY = "The discharge letter never reached my GP and nobody called back for three weeks."
REPLY = "We are sorry: the letter was sent to the wrong practice. We have fixed the address."


def clock(moment: dt.datetime) -> Any:
    """Move the clock (the one thing mocked), as the project's other tests do."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def service_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=3)


def sent(kind: str) -> list[str]:
    return sorted(OutboxEmail.objects.filter(kind=kind).values_list("to", flat=True))


def message_to(address: str) -> Any:
    """The newest email sent to this address (through the outbox)."""
    return [m for m in mail.outbox if m.to == [address]][-1]


def public_everywhere(story: Story, org: Organisation) -> dict[str, bool]:
    """Whether the story shows, for an anonymous visitor, on each public surface."""
    anonymous = Client()
    service = service_of(org)
    title = story.title
    pages = {
        "page": anonymous.get(reverse("stories:detail", kwargs={"pk": story.pk})),
        "list": anonymous.get(reverse("stories:list")),
        "search": anonymous.get(reverse("stories:list"), {"q": "discharge letter"}),
        "feed": anonymous.get(reverse("feeds:organisation", kwargs={"slug": org.slug})),
        "widget": anonymous.get(reverse("feeds:widget", kwargs={"slug": org.slug})),
        "api list": anonymous.get(reverse("api:stories")),
        "api story": anonymous.get(reverse("api:story", kwargs={"pk": story.pk})),
        "organisation": anonymous.get(reverse("organisations:detail", kwargs={"slug": org.slug})),
    }
    shown = {
        name: page.status_code == 200 and title in page.content.decode()
        for name, page in pages.items()
    }
    shown["count"] = story_count_for_organisation(service) > 0
    return shown


def test_right_of_reply_with_the_clock_moved(
    org: Organisation,
    moderator: User,
    responder: User,
    super_user: User,
    reader: User,
    other_org_responder: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Held, answered during the hold, published together when the hold ends, exactly
    once even if the task runs twice."""
    org.responses_held_for_new_responders = 0
    org.save()
    story = waiting(org, title="Lost discharge letter", body=BODY, author_email="me@home.example")
    token = author_link(story)

    # Monday: the moderator publishes it as severely critical. It is held instead.
    with clock(MONDAY), django_capture_on_commit_callbacks(execute=True):
        moderator_client = signed_in(moderator)
        moderator_client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
        decide(moderator_client, story, "publish", criticality="5")
    story.refresh_from_db()
    assert (story.status, story.held_until, story.published_at) == (
        StoryStatus.HELD,
        HOLD_ENDS,
        None,
    )
    # The trust's responders and super-users are told at once; readers and other trusts
    # are not; the email carries no staff-only data.
    assert sent("stories.held") == sorted([responder.email, super_user.email])
    alert = message_to(responder.email)
    assert "Monday 14 December 2026" in alert.body
    assert "criticality" not in alert.body.lower()
    assert reverse("inbox:story", kwargs={"pk": story.pk}) in alert.body
    # The author hears when it will be published, not that it is.
    assert sent("stories.published") == ["me@home.example"]
    told = message_to("me@home.example")
    assert "will be published" in told.subject
    assert "Monday 14 December 2026" in told.body
    assert not StoryAlertRun.objects.exists()

    # During the hold: nothing public anywhere; the staff page and the respond flow work.
    answered_at = MONDAY + dt.timedelta(days=2)
    with clock(answered_at), django_capture_on_commit_callbacks(execute=True):
        assert not any(public_everywhere(story, org).values())
        staff = signed_in(responder)
        page = staff.get(reverse("inbox:story", kwargs={"pk": story.pk}))
        assert page.status_code == 200
        assert "Held for your right of reply" in page.content.decode()
        assert page.context["may_respond"]
        assert "Lost discharge letter" in staff.get(reverse("inbox:index")).content.decode()
        elsewhere = signed_in(other_org_responder)
        assert elsewhere.get(reverse("inbox:story", kwargs={"pk": story.pk})).status_code == 403
        posted = staff.post(
            reverse("inbox:post_response", kwargs={"pk": story.pk}),
            {
                "organisation": story.services.get().pk,
                "body": REPLY,
                "submission_key": str(uuid.uuid4()),
            },
        )
    assert posted.status_code == 302
    response = Response.objects.get(story=story)
    assert (response.status, response.published_at) == (ResponseStatus.PUBLISHED, answered_at)
    # The author is not told of a response to a story the public cannot see yet; a vote
    # on it is not found.
    assert not OutboxEmail.objects.filter(kind="responses.response_to_author").exists()
    vote = Client().post(reverse("conversation:helpful", kwargs={"pk": response.pk}))
    assert vote.status_code == 404
    author_page = Client().get(reverse("stories:author", kwargs={"token": token}))
    assert "Monday 14 December 2026" in author_page.content.decode()

    # Friday: the hold has not ended; the task publishes nothing.
    with clock(dt.datetime(2026, 12, 11, 17, 0, tzinfo=LONDON)):
        assert tasks.release_held() == 0
    assert Story.objects.get(pk=story.pk).status == StoryStatus.HELD

    # Monday after: the task runs twice (and the command once more); the story is
    # published once, with its response beside it.
    later = HOLD_ENDS + dt.timedelta(minutes=3)
    with clock(later), django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_held() == 1
        assert tasks.release_held() == 0
        call_command("release_held", stdout=io.StringIO())
    story.refresh_from_db()
    assert (story.status, story.published_at) == (StoryStatus.PUBLISHED, later)
    assert AuditEntry.objects.filter(action="stories.story.hold_ended").count() == 1
    assert sent("stories.published") == ["me@home.example", "me@home.example"]
    published = [m for m in mail.outbox if m.subject.startswith("Your story has been published")]
    assert [m.to for m in published] == [["me@home.example"]]
    assert StoryAlertRun.objects.filter(story=story).count() == 1
    page = Client().get(reverse("stories:detail", kwargs={"pk": story.pk}))
    assert page.status_code == 200
    assert BODY in page.content.decode()
    assert "the letter was sent to the wrong practice" in page.content.decode()
    assert all(public_everywhere(story, org).values())


def test_a_story_below_five_is_published_at_once(
    org: Organisation, moderator: User, responder: User, django_capture_on_commit_callbacks: Any
) -> None:
    story = waiting(org)
    with django_capture_on_commit_callbacks(execute=True):
        client = signed_in(moderator)
        client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
        decide(client, story, "publish", criticality="4")
    story.refresh_from_db()
    assert (story.status, story.held_until) == (StoryStatus.PUBLISHED, None)
    assert not OutboxEmail.objects.filter(kind="stories.held").exists()


def test_a_trust_that_asks_holds_every_story_for_its_own_period(
    org: Organisation, moderator: User, super_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    org.hold_every_story = True
    org.right_of_reply_working_days = 2
    org.save()
    story = waiting(org)
    # Friday 16:00: two working days on is Tuesday 16:00.
    friday = dt.datetime(2026, 12, 11, 16, 0, tzinfo=LONDON)
    with clock(friday), django_capture_on_commit_callbacks(execute=True):
        moderation.story_lock(story_id=story.pk, moderator=moderator)
        moderation.story_publish(
            story_id=story.pk,
            moderator=moderator,
            edits=moderation.StoryEdits(title=story.title, body=story.body, criticality=0),
        )
    story.refresh_from_db()
    assert story.status == StoryStatus.HELD
    assert story.held_until == dt.datetime(2026, 12, 15, 16, 0, tzinfo=LONDON)
    assert sent("stories.held") == [super_user.email]


def test_the_authors_approval_of_edits_is_held_as_a_publish_decision_is(
    org: Organisation, responder: User, django_capture_on_commit_callbacks: Any
) -> None:
    story = waiting(org)
    Story.objects.filter(pk=story.pk).update(status=StoryStatus.AWAITING_AUTHOR, criticality=5)
    token = author_link(story)
    with clock(MONDAY), django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("stories:author_approve", kwargs={"token": token}))
    story.refresh_from_db()
    assert (story.status, story.held_until) == (StoryStatus.HELD, HOLD_ENDS)
    assert sent("stories.held") == [responder.email]
    assert not StoryAlertRun.objects.exists()


def test_a_held_story_withdrawn_by_its_author_is_never_published(
    org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    story = StoryFactory(
        services=[service_of(org)],
        status=StoryStatus.HELD,
        held_until=MONDAY,
        published_at=None,
    )
    token = author_link(story)
    Client().post(reverse("stories:withdraw", kwargs={"token": token}))
    with clock(HOLD_ENDS), django_capture_on_commit_callbacks(execute=True):
        assert moderation.stories_release_held() == 0
    assert Story.objects.get(pk=story.pk).status == StoryStatus.WITHDRAWN


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_the_same_moment_publish_a_held_story_once(org: Organisation) -> None:
    story = StoryFactory(
        services=[service_of(org)],
        status=StoryStatus.HELD,
        held_until=MONDAY,
        published_at=None,
        author_email="me@home.example",
    )
    start = threading.Barrier(2)
    results: list[bool] = []

    def run() -> None:
        try:
            start.wait()
            results.append(moderation.story_release_held(story_id=story.pk, now=HOLD_ENDS))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert AuditEntry.objects.filter(action="stories.story.hold_ended").count() == 1
    assert OutboxEmail.objects.filter(to="me@home.example").count() == 1
    assert Story.objects.get(pk=story.pk).status == StoryStatus.PUBLISHED


def test_the_release_task_is_on_the_beat_schedule() -> None:
    from config.celery import app

    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "stories.release_held" in tasks_scheduled


def test_moderators_see_the_held_stories_below_the_queue(
    org: Organisation, moderator: User
) -> None:
    story = StoryFactory(
        services=[service_of(org)],
        title="Waiting for the trust",
        status=StoryStatus.HELD,
        held_until=HOLD_ENDS,
        published_at=None,
    )
    queue = signed_in(moderator).get(reverse("moderation:queue")).content.decode()
    assert "Held for the right of reply" in queue
    assert "Waiting for the trust" in queue
    assert "14 December 2026" in queue
    page = signed_in(moderator).get(reverse("moderation:story", kwargs={"pk": story.pk}))
    assert "Held for the right of reply: it will be published on" in page.content.decode()


def test_a_response_during_the_hold_counts_as_answered_at_once_never_in_negative_time(
    org: Organisation, responder: User
) -> None:
    from apps.insights.figures import figures_compute

    now = timezone.now()
    story = StoryFactory(services=[service_of(org)], published_at=now - dt.timedelta(hours=1))
    Response.objects.create(
        story=story,
        organisation=service_of(org),
        author=responder,
        author_name=responder.display_name,
        body="Answered during the hold.",
        body_html="<p>Answered during the hold.</p>",
        published_at=now - dt.timedelta(days=3),
    )
    (figures,) = figures_compute([org])
    assert (figures.stories_12m, figures.responded_12m) == (1, 1)
    assert figures.median_response_seconds == 0
