"""Alerts: who hears of a published story and how soon; digests; reminders; the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.alerts.models import DigestItem, Frequency, StoryAlertRun, Subscription
from apps.alerts.services import (
    add_working_days,
    digests_send,
    fan_out_missed,
    recipients_for,
    reminders_send,
    story_fan_out,
    subscription_add,
)
from apps.alerts.tasks import fan_out_story
from apps.core.models import AuditEntry, OutboxEmail
from apps.organisations.models import Organisation
from apps.responders.models import Role, RoleName
from apps.responders.services import role_grant, role_revoke
from apps.responses.models import Response, ResponseStatus
from apps.stories.models import Story, StoryRevision, StoryStatus, StoryTag, Tag
from apps.stories.services import story_author_approve
from apps.stories.taxonomy import Polarity
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    team_of,
    with_second_factor,
)
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


# --- helpers ---------------------------------------------------------------------
def node(org: Organisation, depth: int) -> Organisation:
    """The trust (1), its hospital site (2) or the site's outpatients service (3)."""
    return Organisation.objects.get(path__startswith=org.path, depth=depth)


def staff(role: str, at: Organisation, **kwargs: Any) -> User:
    person = with_second_factor(UserFactory(**kwargs))
    RoleFactory(user=person, role=role, organisation=at)
    return person


def subscribe(
    user: User,
    at: Organisation,
    frequency: str = Frequency.IMMEDIATE,
    *,
    min_criticality: int | None = None,
    tags: list[Tag] | None = None,
) -> Subscription:
    return subscription_add(
        user=user,
        organisation=at,
        frequency=frequency,
        min_criticality=min_criticality,
        tags=list(tags or []),
    )


def tagged(story: Story, *tags: Tag) -> Story:
    for tag in tags:
        StoryTag.objects.create(story=story, tag=tag, polarity=Polarity.GOOD)
    return story


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fan_out(story: Story, capture: Any) -> Any:
    """Fan a story out and send what it queued, as the worker would after commit."""
    with capture(execute=True):
        return story_fan_out(story_id=story.pk)


def sent_to(kind: str) -> list[str]:
    return sorted(OutboxEmail.objects.filter(kind=kind).values_list("to", flat=True))


# --- fan-out: who hears, and how soon ----------------------------------------------
def test_fan_out_gives_a_reader_without_subscriptions_the_daily_default(
    org: Organisation, reader: User, django_capture_on_commit_callbacks: Any
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    done = fan_out(story, django_capture_on_commit_callbacks)
    assert (done.immediate, done.digest) == (0, 1)
    item = DigestItem.objects.get()
    assert (item.user, item.story, item.frequency, item.sent_at) == (
        reader,
        story,
        Frequency.DAILY,
        None,
    )
    assert not mail.outbox
    assert not OutboxEmail.objects.exists()
    assert StoryAlertRun.objects.get(story=story).recipients == 1


def test_fan_out_emails_an_immediate_subscriber_the_public_text_only(
    org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    nurse = staff("reader", node(org, 2), email="nurse@staff.example")
    subscribe(nurse, node(org, 2), Frequency.IMMEDIATE)
    story = StoryFactory(
        services=[node(org, 3)],
        title="Kind nurses in outpatients",
        criticality=4,
        moderator_note="Escalated to the matron on duty",
        author_email="private.author@home.example",
    )
    done = fan_out(story, django_capture_on_commit_callbacks)
    assert (done.immediate, done.digest) == (1, 0)
    assert not DigestItem.objects.exists()
    (message,) = mail.outbox
    assert message.to == ["nurse@staff.example"]
    assert OutboxEmail.objects.get().kind == "alerts.story"
    assert "Kind nurses in outpatients" in message.subject
    staff_page = settings.SITE_URL + reverse("inbox:story", kwargs={"pk": story.pk})
    html = message.alternatives[0][0]
    for part in (message.subject, message.body, html):
        assert "critical" not in part.lower()
        assert "Escalated to the matron" not in part
        assert "private.author@home.example" not in part
    assert "Kind nurses in outpatients" in message.body
    assert staff_page in message.body


def test_fan_out_skips_a_subscription_above_the_story_s_criticality(org: Organisation) -> None:
    nurse = staff("reader", node(org, 2))
    subscribe(nurse, node(org, 2), min_criticality=3)
    mild = StoryFactory(services=[node(org, 3)], criticality=1)
    severe = StoryFactory(services=[node(org, 3)], criticality=4)
    exactly = StoryFactory(services=[node(org, 3)], criticality=3)
    assert nurse.pk not in recipients_for(mild)  # and no default: they chose for themselves
    assert recipients_for(severe)[nurse.pk] == Frequency.IMMEDIATE
    assert recipients_for(exactly)[nurse.pk] == Frequency.IMMEDIATE


def test_fan_out_with_tags_matches_only_stories_with_one_of_them(org: Organisation) -> None:
    first, second, third = Tag.objects.order_by("pk")[:3]
    nurse = staff("reader", node(org, 2))
    subscribe(nurse, node(org, 2), tags=[first, second])
    with_one = tagged(StoryFactory(services=[node(org, 3)]), second, third)
    with_other = tagged(StoryFactory(services=[node(org, 3)]), third)
    untagged = StoryFactory(services=[node(org, 3)])
    assert recipients_for(with_one)[nurse.pk] == Frequency.IMMEDIATE
    assert nurse.pk not in recipients_for(with_other)
    assert nurse.pk not in recipients_for(untagged)


def test_fan_out_ignores_a_subscription_in_another_trust(
    org: Organisation, other_org: Organisation
) -> None:
    # Someone who works in both trusts, and asked for the other trust's stories only.
    locum = staff("reader", org)
    RoleFactory(user=locum, role=RoleName.READER, organisation=other_org)
    subscribe(locum, node(other_org, 2), Frequency.IMMEDIATE)
    ours = StoryFactory(services=[node(org, 3)])
    assert locum.pk not in recipients_for(ours)
    theirs = StoryFactory(services=[node(other_org, 3)])
    assert recipients_for(theirs) == {locum.pk: Frequency.IMMEDIATE}


def test_fan_out_ignores_a_subscription_whose_holder_lost_their_role(
    org: Organisation, super_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    nurse = staff("reader", node(org, 2), email="leaver@staff.example")
    subscribe(nurse, node(org, 2), Frequency.IMMEDIATE)
    role_revoke(revoker=super_user, grant=Role.objects.get(user=nurse))
    story = StoryFactory(services=[node(org, 3)])
    assert nurse.pk not in recipients_for(story)
    fan_out(story, django_capture_on_commit_callbacks)
    assert "leaver@staff.example" not in [to for m in mail.outbox for to in m.to]
    assert not DigestItem.objects.filter(user=nurse).exists()


def test_fan_out_sends_one_email_to_someone_subscribed_at_once_and_weekly(
    org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    nurse = staff("reader", org, email="keen@staff.example")
    subscribe(nurse, org, Frequency.WEEKLY)
    subscribe(nurse, node(org, 2), Frequency.IMMEDIATE)
    story = StoryFactory(services=[node(org, 3)])
    done = fan_out(story, django_capture_on_commit_callbacks)
    assert (done.immediate, done.digest) == (1, 0)
    assert [m.to for m in mail.outbox] == [["keen@staff.example"]]
    assert not DigestItem.objects.exists()


def test_fan_out_counts_a_team_member_as_a_holder(
    org: Organisation, super_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    nurse = with_second_factor(UserFactory(email="team.nurse@staff.example"))
    team = team_of(org, nurse, name="Outpatients nurses")
    role_grant(granter=super_user, team=team, role=RoleName.READER, organisation=node(org, 2))
    story = StoryFactory(services=[node(org, 3)])
    assert recipients_for(story)[nurse.pk] == Frequency.DAILY
    # Their subscription counts too: the team's role is their scope.
    subscribe(nurse, node(org, 3), Frequency.IMMEDIATE)
    fan_out(story, django_capture_on_commit_callbacks)
    assert sent_to("alerts.story") == ["team.nurse@staff.example"]


# --- fan-out: once, and the sweep ----------------------------------------------------
def test_fan_out_twice_does_nothing_the_second_time(
    org: Organisation, reader: User, django_capture_on_commit_callbacks: Any
) -> None:
    nurse = staff("reader", node(org, 2))
    subscribe(nurse, node(org, 2), Frequency.IMMEDIATE)
    story = StoryFactory(services=[node(org, 3)])
    assert fan_out(story, django_capture_on_commit_callbacks) is not None
    rows = (OutboxEmail.objects.count(), DigestItem.objects.count())
    assert rows == (1, 1)
    assert fan_out(story, django_capture_on_commit_callbacks) is None
    fan_out_story(story.pk)  # the task, retried
    assert (OutboxEmail.objects.count(), DigestItem.objects.count()) == rows
    assert StoryAlertRun.objects.count() == 1
    assert len(mail.outbox) == 1


def test_fan_out_of_a_story_not_published_does_nothing(org: Organisation, reader: User) -> None:
    story = StoryFactory(
        services=[node(org, 3)], status=StoryStatus.AWAITING_MODERATION, published_at=None
    )
    assert story_fan_out(story_id=story.pk) is None
    assert not StoryAlertRun.objects.exists()
    assert not DigestItem.objects.exists()


def test_fan_out_missed_picks_up_a_lost_story_but_not_an_old_one(
    org: Organisation, reader: User
) -> None:
    # StoryFactory publishes without the task: just like a fan-out lost with the broker.
    now = timezone.now()
    lost = StoryFactory(services=[node(org, 3)], published_at=now - dt.timedelta(hours=3))
    old = StoryFactory(services=[node(org, 3)], published_at=now - dt.timedelta(days=8))
    done = StoryFactory(services=[node(org, 3)])
    story_fan_out(story_id=done.pk)
    assert fan_out_missed() == 1
    assert set(StoryAlertRun.objects.values_list("story_id", flat=True)) == {lost.pk, done.pk}
    assert not DigestItem.objects.filter(story=old).exists()
    assert DigestItem.objects.filter(story=lost, user=reader).exists()
    assert fan_out_missed() == 0


# --- publishing fans out ----------------------------------------------------------
def waiting(org: Organisation, **kwargs: Any) -> Story:
    story = StoryFactory(
        services=[node(org, 3)],
        status=StoryStatus.AWAITING_MODERATION,
        published_at=None,
        criticality=None,
        **kwargs,
    )
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    return story


def test_publishing_through_moderation_fans_out_once(
    org: Organisation,
    reader: User,
    moderator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    nurse = staff("reader", node(org, 2), email="nurse@staff.example")
    subscribe(nurse, node(org, 2), Frequency.IMMEDIATE)
    story = waiting(org, title="Seen quickly in outpatients", author_email="me@home.example")
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))  # takes the story
    data = {
        "title": story.title,
        "body": story.body,
        "criticality": "2",
        "moderator_note": "",
        "reason": "",
        "rejection_note": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("moderation:story_publish", kwargs={"pk": story.pk}), data)
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    assert StoryAlertRun.objects.get().story == story
    assert sent_to("alerts.story") == ["nurse@staff.example"]
    assert list(DigestItem.objects.values_list("user", "frequency")) == [
        (reader.pk, Frequency.DAILY)
    ]
    alerts = [m for m in mail.outbox if m.to == ["nurse@staff.example"]]
    assert len(alerts) == 1
    assert "Seen quickly in outpatients" in alerts[0].subject


def test_the_author_approving_edits_fans_out(
    org: Organisation, reader: User, django_capture_on_commit_callbacks: Any
) -> None:
    story = waiting(org)
    Story.objects.filter(pk=story.pk).update(status=StoryStatus.AWAITING_AUTHOR, criticality=1)
    with django_capture_on_commit_callbacks(execute=True):
        story_author_approve(story_id=story.pk)
    assert StoryAlertRun.objects.filter(story=story).count() == 1
    assert DigestItem.objects.filter(story=story, user=reader).count() == 1


# --- digests ----------------------------------------------------------------------
def test_daily_digest_lists_both_stories_in_one_email_once(
    org: Organisation, reader: User, django_capture_on_commit_callbacks: Any
) -> None:
    first = StoryFactory(services=[node(org, 3)], title="Parking was impossible")
    second = StoryFactory(services=[node(org, 3)], title="The receptionist was lovely")
    story_fan_out(story_id=first.pk)
    story_fan_out(story_id=second.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(frequency=Frequency.DAILY) == 1
    (message,) = mail.outbox
    assert message.to == [reader.email]
    assert "2 new stories" in message.subject
    assert "Parking was impossible" in message.body
    assert "The receptionist was lovely" in message.body
    for story in (first, second):
        assert settings.SITE_URL + reverse("inbox:story", kwargs={"pk": story.pk}) in message.body
    assert not DigestItem.objects.filter(sent_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(frequency=Frequency.DAILY) == 0
    assert len(mail.outbox) == 1


def test_daily_digest_leaves_weekly_items_for_the_weekly_one(
    org: Organisation, reader: User, django_capture_on_commit_callbacks: Any
) -> None:
    weekly = staff("reader", node(org, 2), email="weekly@staff.example")
    subscribe(weekly, node(org, 2), Frequency.WEEKLY)
    story = StoryFactory(services=[node(org, 3)])
    story_fan_out(story_id=story.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(frequency=Frequency.DAILY) == 1
    assert [m.to for m in mail.outbox] == [[reader.email]]
    assert DigestItem.objects.get(user=weekly).sent_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(frequency=Frequency.WEEKLY) == 1
    assert mail.outbox[1].to == ["weekly@staff.example"]
    assert "weekly digest" in mail.outbox[1].subject


# --- working days and reminders -------------------------------------------------------
def test_add_working_days_skips_the_weekend() -> None:
    friday = dt.datetime(2024, 3, 1, 10, 0, tzinfo=LONDON)
    assert add_working_days(friday, 2) == dt.datetime(2024, 3, 5, 10, 0, tzinfo=LONDON)
    monday = dt.datetime(2024, 3, 4, 10, 0, tzinfo=LONDON)
    assert add_working_days(monday, 2) == dt.datetime(2024, 3, 6, 10, 0, tzinfo=LONDON)
    assert add_working_days(friday, 0) == friday


# Friday 7 June 2024, 10:00; three working days on is Wednesday 12 June.
PUBLISHED = dt.datetime(2024, 6, 7, 10, 0, tzinfo=LONDON)
MONDAY = dt.datetime(2024, 6, 10, 10, 0, tzinfo=LONDON)
WEDNESDAY = dt.datetime(2024, 6, 12, 10, 0, tzinfo=LONDON)
THURSDAY = dt.datetime(2024, 6, 13, 10, 0, tzinfo=LONDON)


@pytest.fixture
def cast(
    reader: User, responder: User, super_user: User, other_org_responder: User
) -> dict[str, User]:
    return {
        "reader": reader,
        "responder": responder,
        "super_user": super_user,
        "other": other_org_responder,
    }


def reminded(now: dt.datetime, capture: Any) -> int:
    """Remind, as the sweep does once the stories' fan-out has run (its run row exists)."""
    StoryAlertRun.objects.bulk_create(
        [StoryAlertRun(story=story) for story in Story.objects.filter(status="published")],
        ignore_conflicts=True,
    )
    with capture(execute=True):
        return reminders_send(now=now)


def test_reminders_wait_for_the_fan_out_and_never_stand_in_for_it(
    org: Organisation, cast: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    story = StoryFactory(services=[node(org, 3)], published_at=PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=WEDNESDAY) == 0
    assert not StoryAlertRun.objects.filter(story=story).exists()
    assert reminded(WEDNESDAY, django_capture_on_commit_callbacks) == 1


def test_reminders_go_to_responders_over_an_unanswered_story_once(
    org: Organisation, cast: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    story = StoryFactory(
        services=[node(org, 3)], title="Nobody called back", published_at=PUBLISHED
    )
    assert reminded(WEDNESDAY, django_capture_on_commit_callbacks) == 1
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(
        [cast["responder"].email, cast["super_user"].email]
    )
    assert sent_to("alerts.reminder") == sorted([cast["responder"].email, cast["super_user"].email])
    message = mail.outbox[0]
    assert "Nobody called back" in message.subject
    assert "2 working days" in message.body
    assert settings.SITE_URL + reverse("inbox:story", kwargs={"pk": story.pk}) in message.body
    assert StoryAlertRun.objects.get(story=story).reminded_at == WEDNESDAY
    assert reminded(THURSDAY, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2


def test_reminders_skip_a_story_with_a_published_response(
    org: Organisation, cast: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    story = StoryFactory(services=[node(org, 3)], published_at=PUBLISHED)
    Response.objects.create(
        story=story,
        organisation=node(org, 3),
        author=cast["responder"],
        body="Thank you for telling us.",
        body_html="<p>Thank you for telling us.</p>",
        status=ResponseStatus.PUBLISHED,
        published_at=PUBLISHED + dt.timedelta(hours=2),
    )
    assert reminded(WEDNESDAY, django_capture_on_commit_callbacks) == 0
    assert not mail.outbox


def test_reminders_wait_for_the_target(
    org: Organisation, cast: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    StoryFactory(services=[node(org, 3)], published_at=PUBLISHED)
    # Three days on, but one working day: the weekend does not count.
    assert reminded(MONDAY, django_capture_on_commit_callbacks) == 0
    assert not mail.outbox
    assert not StoryAlertRun.objects.filter(reminded_at__isnull=False).exists()


def test_reminders_honour_the_trust_s_target(
    org: Organisation, cast: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    Organisation.objects.filter(pk=org.pk).update(response_target_working_days=4)
    StoryFactory(services=[node(org, 3)], published_at=PUBLISHED)
    assert reminded(WEDNESDAY, django_capture_on_commit_callbacks) == 0
    assert reminded(THURSDAY, django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2
    assert "4 working days" in mail.outbox[0].body


def test_reminders_count_the_weekend_in_local_time(
    org: Organisation, cast: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    saturday = dt.datetime(2024, 6, 8, 0, 30, tzinfo=LONDON)
    StoryFactory(services=[node(org, 3)], published_at=saturday)
    # Monday and Tuesday are its two working days: due from Tuesday 00:30.
    tuesday_noon = dt.datetime(2024, 6, 11, 12, 0, tzinfo=LONDON)
    assert reminded(tuesday_noon, django_capture_on_commit_callbacks) == 1


# --- the alerts page ----------------------------------------------------------------
def text_of(response: Any) -> str:
    return " ".join(response.content.decode().split())


def test_alerts_page_shows_a_reader_the_default_for_their_role(
    org: Organisation, reader: User
) -> None:
    page = signed_in(reader).get(reverse("alerts:index"))
    assert page.status_code == 200
    assert page.context["default_nodes"] == [org]
    assert (
        "you receive the default: <strong>a daily digest</strong> of new stories about "
        "Northfield, where you hold a role"
    ) in text_of(page)


def test_alerts_page_adds_a_subscription(org: Organisation, reader: User) -> None:
    tag = Tag.objects.order_by("pk").first()
    assert tag is not None
    response = signed_in(reader).post(
        reverse("alerts:index"),
        {
            "organisation": str(node(org, 2).pk),
            "frequency": Frequency.IMMEDIATE,
            "min_criticality": "3",
            "tags": [str(tag.pk)],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("alerts:index")
    subscription = Subscription.objects.get()
    assert (
        subscription.user,
        subscription.organisation,
        subscription.frequency,
        subscription.min_criticality,
    ) == (reader, node(org, 2), Frequency.IMMEDIATE, 3)
    assert list(subscription.tags.all()) == [tag]
    page = signed_in(reader).get(reverse("alerts:index"))
    assert page.context["default_nodes"] == []
    assert "Northfield Hospital and everything in it" in text_of(page)


def test_alerts_page_refuses_a_node_outside_the_reader_s_scope(
    org: Organisation, other_org: Organisation, reader: User
) -> None:
    response = signed_in(reader).post(
        reverse("alerts:index"),
        {"organisation": str(node(other_org, 2).pk), "frequency": Frequency.DAILY},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Subscription.objects.exists()
    # The service refuses it too, whatever a form offered.
    with pytest.raises(ValidationError):
        subscribe(reader, node(other_org, 2))
    assert not Subscription.objects.exists()


def test_alerts_page_explains_a_node_gone_since_the_form_was_shown(
    org: Organisation, reader: User
) -> None:
    """A node removed while the reader chose it (here behind the kept list's back, as a
    race would) is a field error, not an error page."""
    unit = OrganisationFactory(parent=node(org, 2), name="Day surgery unit", kind="service")
    client = signed_in(reader)
    assert "Day surgery unit" in client.get(reverse("alerts:index")).content.decode()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM organisations_organisation WHERE id = %s", [unit.pk])
    response = client.post(
        reverse("alerts:index"), {"organisation": str(unit.pk), "frequency": Frequency.DAILY}
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Subscription.objects.exists()


def test_alerts_page_removes_only_my_own_subscription(
    org: Organisation, reader: User, responder: User
) -> None:
    mine = subscribe(reader, node(org, 2))
    theirs = subscribe(responder, node(org, 2))
    client = signed_in(reader)
    refused = client.post(reverse("alerts:remove", kwargs={"pk": theirs.pk}))
    assert refused.status_code == 403
    assert Subscription.objects.filter(pk=theirs.pk).exists()
    removed = client.post(reverse("alerts:remove", kwargs={"pk": mine.pk}))
    assert removed.status_code == 302
    assert list(Subscription.objects.all()) == [theirs]


def test_alerts_page_queries_do_not_grow_with_subscriptions(
    org: Organisation, reader: User
) -> None:
    client = signed_in(reader)
    url = reverse("alerts:index")
    nodes = [node(org, 1), node(org, 2), node(org, 3)]
    tags = list(Tag.objects.order_by("pk")[:3])

    def add(count: int) -> None:
        for i in range(count):
            subscribe(reader, nodes[i % 3], Frequency.DAILY, tags=tags[: i % 3 + 1])

    budget = QueryBudget("alerts page", limit=8)
    add(1)
    budget.measure(1, lambda: client.get(url))
    add(14)
    budget.measure(15, lambda: client.get(url))
    budget.assert_flat()


# --- the outbox page ----------------------------------------------------------------
@pytest.fixture
def failed_email(db: None) -> OutboxEmail:
    return OutboxEmail.objects.create(
        key="alerts.story:1:nurse@staff.example",
        kind="alerts.story",
        to="nurse@staff.example",
        subject="New story about Outpatients: Kind nurses",
        body_text="PRIVATE BODY with a link https://example.org/secret",
        body_html="<p>PRIVATE BODY</p>",
        status=OutboxEmail.Status.FAILED,
        attempts=8,
        next_attempt_at=timezone.now(),
        last_error="ConnectionRefusedError: mail server refused the connection",
    )


def test_outbox_page_shows_failures_to_a_platform_admin_without_bodies(
    platform_admin: User, failed_email: OutboxEmail
) -> None:
    page = signed_in(platform_admin).get(reverse("alerts:outbox"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "ConnectionRefusedError: mail server refused the connection" in text
    assert "nurse@staff.example" in text
    assert "PRIVATE BODY" not in text
    assert "secret" not in text


def test_outbox_retry_sends_a_failed_email_again_and_is_audited(
    platform_admin: User, failed_email: OutboxEmail, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("alerts:outbox_retry", kwargs={"pk": failed_email.pk})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = signed_in(platform_admin).post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("alerts:outbox")
    failed_email.refresh_from_db()
    assert (failed_email.status, failed_email.attempts) == (OutboxEmail.Status.PENDING, 0)
    assert not mail.outbox  # nothing leaves before the retry commits
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == ["nurse@staff.example"]
    assert "PRIVATE BODY" in message.body
    failed_email.refresh_from_db()
    assert failed_email.status == OutboxEmail.Status.SENT
    entry = AuditEntry.objects.get(action="core.outbox_email.retried")
    assert (entry.actor, entry.object_id) == (platform_admin, str(failed_email.pk))


def test_outbox_retry_of_an_email_that_did_not_fail_changes_nothing(
    platform_admin: User, failed_email: OutboxEmail
) -> None:
    OutboxEmail.objects.filter(pk=failed_email.pk).update(status=OutboxEmail.Status.SENT)
    url = reverse("alerts:outbox_retry", kwargs={"pk": failed_email.pk})
    assert signed_in(platform_admin).post(url).status_code == 302
    failed_email.refresh_from_db()
    assert failed_email.status == OutboxEmail.Status.SENT
    assert not AuditEntry.objects.filter(action="core.outbox_email.retried").exists()


def test_outbox_pages_refuse_a_moderator(moderator: User, failed_email: OutboxEmail) -> None:
    client = signed_in(moderator)
    assert client.get(reverse("alerts:outbox")).status_code == 403
    url = reverse("alerts:outbox_retry", kwargs={"pk": failed_email.pk})
    assert client.post(url).status_code == 403
    failed_email.refresh_from_db()
    assert failed_email.status == OutboxEmail.Status.FAILED
    assert not AuditEntry.objects.filter(action="core.outbox_email.retried").exists()


def test_fan_out_ignores_a_subscription_left_where_the_person_has_no_role_now(
    org: Organisation, other_org: Organisation
) -> None:
    moved = UserFactory()
    RoleFactory(user=moved, role=RoleName.READER, organisation=node(org, 3))
    # Left behind from a job in another trust: it no longer counts as their own choice.
    Subscription.objects.create(user=moved, organisation=other_org, frequency=Frequency.IMMEDIATE)
    story = StoryFactory(services=[node(org, 3)])
    story_fan_out(story_id=story.pk)
    assert DigestItem.objects.filter(user=moved, story=story, frequency="daily").exists()
