"""Alert emails through a real Redis broker and a real Celery worker (DESIGN.md, "Jobs and
email"): a published story reaches its subscribers, and a broker outage delays that mail
but loses none and doubles none."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import pytest
from celery import Celery
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.alerts.models import DigestItem, Frequency, StoryAlertRun, Subscription
from apps.core.models import OutboxEmail
from apps.organisations.models import Organisation
from apps.organisations.selectors import with_place
from apps.responders.models import RoleName
from apps.stories.models import Story, StoryRevision, StoryStatus
from tests.factories import RoleFactory, StoryFactory, UserFactory

from .conftest import PrivateRedis, SmtpSink, Worker, wait_for

# Committed data, so the worker process sees it; the flush afterwards would also remove
# the tags the migrations seed, which serialized_rollback puts back for later tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PUBLISHED_SUBJECT = "Your story has been published"


@dataclass(frozen=True)
class Audience:
    service: Organisation
    immediate: list[User]
    daily: User

    @property
    def emailed(self) -> list[str]:
        return sorted(person.email for person in self.immediate)


def _staff(
    email: str, role: RoleName, node: Organisation, subscribe_to: Organisation, how: str
) -> User:
    person = UserFactory(email=email)
    RoleFactory(user=person, role=role, organisation=node)
    Subscription.objects.create(user=person, organisation=subscribe_to, frequency=how)
    return person


def _audience(org: Organisation) -> Audience:
    """Two people who want each story at once (one subscribed at the trust, one at the
    service under a role at the site) and one who wants a daily digest."""
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    service = Organisation.objects.get(path__startswith=org.path, depth=3)
    return Audience(
        service=service,
        immediate=[
            _staff("imogen@staff.example", RoleName.READER, org, org, Frequency.IMMEDIATE),
            _staff("ivan@staff.example", RoleName.RESPONDER, site, service, Frequency.IMMEDIATE),
        ],
        daily=_staff("dana@staff.example", RoleName.READER, org, org, Frequency.DAILY),
    )


def _waiting(service: Organisation) -> Story:
    story = StoryFactory(
        services=[service],
        status=StoryStatus.AWAITING_MODERATION,
        published_at=None,
        criticality=None,
    )
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    return story


def _moderating(moderator: User, story: Story) -> Client:
    """The moderator's browser with the story open (opening it takes the lock)."""
    client = Client()
    client.force_login(moderator)
    assert client.get(reverse("moderation:story", kwargs={"pk": story.pk})).status_code == 200
    return client


def _publish(client: Client, story: Story) -> HttpResponse:
    return client.post(
        reverse("moderation:story_publish", kwargs={"pk": story.pk}),
        {
            "title": story.title,
            "body": story.body,
            "criticality": "1",
            "moderator_note": "",
            "reason": "",
            "rejection_note": "",
        },
    )


def _alerts(story: Story) -> Any:
    return OutboxEmail.objects.filter(
        kind="alerts.story", key__startswith=f"alerts.story:{story.pk}:"
    )


def _sweep(app: Celery) -> None:
    """What beat sends every few minutes, sent now (through the broker, to the worker)."""
    app.send_task("alerts.sweep")
    app.send_task("core.sweep_outbox")


def _assert_sent_once(story: Story, people: Audience, smtp: SmtpSink) -> None:
    """Each immediate subscriber and the author got exactly one email; nobody else did."""
    assert smtp.recipients() == sorted([*people.emailed, story.author_email])
    subjects = sorted(str(message["Subject"]) for message in smtp.messages)
    # The service as staff recognise it: with its site and trust.
    about = with_place(Organisation.objects.filter(pk=people.service.pk)).get().display_name
    assert about != people.service.name
    assert subjects[0].startswith(f"New story about {about}: ")
    assert subjects[1].startswith(f"New story about {about}: ")
    assert subjects[2].startswith(PUBLISHED_SUBJECT)
    rows = _alerts(story).values_list("to", "status", "attempts")
    # One claim each: no row was ever picked up twice.
    assert sorted(rows) == [(to, "sent", 1) for to in people.emailed]
    author = OutboxEmail.objects.get(kind="stories.published", to=story.author_email)
    assert (author.status, author.attempts) == ("sent", 1)
    assert OutboxEmail.objects.filter(to=people.daily.email).count() == 0
    assert list(DigestItem.objects.filter(story=story).values_list("user", "frequency")) == [
        (people.daily.pk, Frequency.DAILY)
    ]


def test_published_story_reaches_immediate_subscribers_through_the_worker(
    org: Organisation, moderator: User, worker: Worker, smtp: SmtpSink
) -> None:
    people = _audience(org)
    story = _waiting(people.service)

    response = _publish(_moderating(moderator, story), story)

    assert response.status_code == 302
    wait_for(lambda: len(smtp.recipients()) >= 3, "three emails at the mail server", log=worker)
    worker.wait_idle()
    _assert_sent_once(story, people, smtp)
    assert StoryAlertRun.objects.get(story=story).recipients == 3
    # The worker did the work, through the broker: nothing ran eagerly in this process.
    assert mail.outbox == []
    assert worker.results("alerts.fan_out_story") == ["None"]
    assert worker.results("core.send_email") == ["None"]  # the author's
    assert worker.results("core.send_batch") == ["2"]  # the subscribers'


def test_story_published_while_broker_is_down_is_sent_once_when_it_returns(
    org: Organisation,
    moderator: User,
    broker: PrivateRedis,
    broker_app: Celery,
    worker: Worker,
    smtp: SmtpSink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    people = _audience(org)
    story = _waiting(people.service)
    client = _moderating(moderator, story)

    broker.stop()
    assert Client().get("/readyz").status_code == 503
    with caplog.at_level(logging.WARNING, logger="apps.core"):
        started = time.monotonic()
        response = _publish(client, story)
        took = time.monotonic() - started

    # The moderator's decision stands, promptly; the work waits in the database.
    assert response.status_code == 302
    assert took < 5, f"publishing with the broker down took {took:.1f} s"
    assert "could not queue alerts.fan_out_story" in caplog.text
    assert "could not queue core.send_email" in caplog.text
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    assert not StoryAlertRun.objects.filter(story=story).exists()
    assert list(OutboxEmail.objects.values_list("kind", "status")) == [
        ("stories.published", "pending")
    ]
    assert smtp.recipients() == []

    broker.start()
    worker.wait_connected()
    assert Client().get("/readyz").status_code == 200
    _sweep(broker_app)
    wait_for(lambda: len(smtp.recipients()) >= 3, "three emails at the mail server", log=worker)
    worker.wait_idle()
    _assert_sent_once(story, people, smtp)
    # The alerts sweep fanned the story out, and its batch task and the outbox sweep then
    # both went for the subscribers' emails (usually the sweep, queued first, wins): the
    # claim let one of them send each. The author's email, whose task was lost, went
    # with the sweep.
    assert worker.results("alerts.sweep") == ["1"]
    swept = int(worker.results("core.sweep_outbox")[0])
    batched = int(worker.results("core.send_batch")[0])
    assert swept >= 1
    assert swept + batched == 3
    _sweep(broker_app)
    worker.wait_idle()
    assert worker.results("alerts.sweep") == ["1", "0"]
    assert worker.results("core.sweep_outbox")[1:] == ["0"]
    assert len(smtp.recipients()) == 3
