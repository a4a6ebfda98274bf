"""Scheduled reports: when they are due, the period they cover, sending each once through
the real outbox, and each recipient getting only the figures they may see."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User
from apps.core.models import OutboxEmail
from apps.insights import tasks
from apps.insights.models import ReportSchedule, SavedView
from apps.insights.reports import reports_send
from apps.insights.saved import next_run, report_period
from apps.insights.selectors_insight import Period
from apps.organisations.models import Organisation
from apps.responders.models import Role, RoleName
from apps.responders.services import role_revoke
from apps.stories.models import Story, StoryTag, Tag
from tests.factories import RoleFactory, UserFactory, team_of, with_second_factor

from .conftest import LONDON, clock_at, local, respond, story

pytestmark = pytest.mark.django_db

UTC = dt.UTC
FOOD = "food-and-drink"
# 1 July 2026, 07:00 in London is 06:00 UTC (summer time): the monthly run.
JULY_RUN = dt.datetime(2026, 7, 1, 6, tzinfo=UTC)
AFTER_RUN = JULY_RUN + dt.timedelta(minutes=5)


# --- when, and which days -----------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # A Wednesday: the next Monday at 07:00 London (BST, so 06:00 UTC).
        (local(2026, 7, 15, 12), local(2026, 7, 20, 7)),
        # A Monday before 07:00: that morning; at 07:00 exactly: the next Monday.
        (local(2026, 7, 20, 6, 59), local(2026, 7, 20, 7)),
        (local(2026, 7, 20, 7), local(2026, 7, 27, 7)),
        # Across the clocks going back (25 October 2026): 07:00 GMT is 07:00 UTC.
        (local(2026, 10, 21, 9), local(2026, 10, 26, 7)),
        # Sunday 23:30 UTC is already Monday 00:30 in London in summer.
        (dt.datetime(2026, 7, 19, 23, 30, tzinfo=UTC), local(2026, 7, 20, 7)),
    ],
)
def test_weekly_runs_are_monday_mornings_site_time(
    after: dt.datetime, expected: dt.datetime
) -> None:
    assert next_run("weekly", after) == expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (local(2026, 1, 31, 20), local(2026, 2, 1, 7)),
        (local(2026, 2, 28, 23), local(2026, 3, 1, 7)),
        (local(2026, 3, 1, 6, 59), local(2026, 3, 1, 7)),
        (local(2026, 3, 1, 7), local(2026, 4, 1, 7)),  # 1 April is in summer time
        (local(2026, 12, 15), local(2027, 1, 1, 7)),
    ],
)
def test_monthly_runs_are_the_first_of_the_month(after: dt.datetime, expected: dt.datetime) -> None:
    assert next_run("monthly", after) == expected
    assert next_run("monthly", after).utcoffset() == expected.utcoffset()


def test_the_first_of_april_run_is_seven_in_the_morning_summer_time() -> None:
    run = next_run("monthly", local(2026, 3, 20))
    assert run == dt.datetime(2026, 4, 1, 6, tzinfo=UTC)
    assert run.astimezone(LONDON).hour == 7


@pytest.mark.parametrize(
    ("range_", "day", "start", "end"),
    [
        ("last_week", dt.date(2026, 7, 20), dt.date(2026, 7, 13), dt.date(2026, 7, 19)),
        ("last_week", dt.date(2026, 3, 4), dt.date(2026, 2, 23), dt.date(2026, 3, 1)),
        ("last_month", dt.date(2026, 3, 1), dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("last_month", dt.date(2024, 3, 1), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("last_month", dt.date(2026, 1, 1), dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        ("last_3_months", dt.date(2026, 1, 1), dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        ("last_12_months", dt.date(2026, 7, 1), dt.date(2025, 7, 1), dt.date(2026, 6, 30)),
    ],
)
def test_relative_ranges_are_whole_weeks_and_months_before_the_day(
    range_: str, day: dt.date, start: dt.date, end: dt.date
) -> None:
    assert report_period(range_, day) == Period(start, end)


# --- the world ---------------------------------------------------------------------------


def _service(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=3)


def _tell(where: Organisation, at: dt.datetime, n: int, polarity: str = "") -> list[Story]:
    told = []
    for _ in range(n):
        made = story(where, at=at)
        Story.objects.filter(pk=made.pk).update(criticality=5)
        if polarity:
            StoryTag.objects.create(story=made, tag=Tag.objects.get(slug=FOOD), polarity=polarity)
        told.append(made)
    return told


def _staff(org: Organisation, name: str) -> User:
    user = with_second_factor(UserFactory(display_name=name, email=f"{name.lower()}@nhs.example"))
    RoleFactory(user=user, role=RoleName.READER, organisation=org)
    return user


@pytest.fixture
def june(org: Organisation) -> list[Story]:
    """June 2026 at Northfield Outpatients: 6 stories (criticality 5), 3 about food that
    could be improved, 2 answered after 2 hours; May (the period before): 3 stories."""
    service = _service(org)
    told = _tell(service, local(2026, 6, 10, 9), 3, "improve") + _tell(
        service, local(2026, 6, 20, 9), 3
    )
    for answered in told[:2]:
        respond(answered, org, after_hours=2)
    _tell(service, local(2026, 5, 15, 9), 3)
    return told


def _schedule(
    owner: User, org: Organisation, *, team: Any = None, query: str = ""
) -> ReportSchedule:
    view = SavedView.objects.create(
        owner=owner, name="Northfield monthly", kind="staff_insight", organisation=org, query=query
    )
    return ReportSchedule.objects.create(
        saved_view=view, frequency="monthly", range="last_month", team=team, next_run_at=JULY_RUN
    )


def _bodies() -> dict[str, str]:
    return {row.to: row.body_text for row in OutboxEmail.objects.filter(kind="insights.report")}


# --- sending -------------------------------------------------------------------------------


def test_a_due_report_is_queued_once_and_its_next_run_moves_on(
    org: Organisation, reader: User, june: list[Story]
) -> None:
    schedule = _schedule(reader, org)
    assert reports_send(JULY_RUN - dt.timedelta(seconds=1)) == 0
    assert reports_send(AFTER_RUN) == 1
    assert reports_send(AFTER_RUN) == 0
    schedule.refresh_from_db()
    assert schedule.next_run_at == local(2026, 8, 1, 7)
    assert schedule.last_sent_at == AFTER_RUN
    (row,) = OutboxEmail.objects.filter(kind="insights.report")
    assert row.to == reader.email
    assert row.subject == "Report: Northfield monthly, 1 June 2026 to 30 June 2026"
    # Run again for the same period (an operator's --now): still once.
    schedule.next_run_at = JULY_RUN
    schedule.save()
    assert reports_send(AFTER_RUN) == 0
    with clock_at(AFTER_RUN):
        out = io.StringIO()
        call_command("send_reports", "--now", stdout=out)
    assert "Queued 0 emails for every active report (1 active schedules)." in out.getvalue()
    assert OutboxEmail.objects.filter(kind="insights.report").count() == 1


def test_a_late_run_reports_the_latest_period_once(
    org: Organisation, reader: User, june: list[Story]
) -> None:
    schedule = _schedule(reader, org)
    schedule.next_run_at = local(2026, 5, 1, 7)
    schedule.save()
    assert reports_send(AFTER_RUN) == 1
    (row,) = OutboxEmail.objects.filter(kind="insights.report")
    assert "1 June 2026 to 30 June 2026" in row.subject
    schedule.refresh_from_db()
    assert schedule.next_run_at == local(2026, 8, 1, 7)


def test_an_inactive_schedule_sends_nothing(org: Organisation, reader: User) -> None:
    schedule = _schedule(reader, org)
    schedule.active = False
    schedule.save()
    assert reports_send(AFTER_RUN) == 0


def test_each_recipient_gets_only_the_figures_they_may_see(
    org: Organisation, reader: User, platform_admin: User, june: list[Story]
) -> None:
    ward_reader = _staff(_service(org), "Wendy")  # a role under the trust: not over it
    lost = _staff(org, "Lee")
    gone = _staff(org, "Gil")
    team = team_of(org, reader, ward_reader, lost, gone, name="Outpatients team")
    _schedule(reader, org, team=team)
    role_revoke(revoker=platform_admin, grant=Role.objects.get(user=lost))
    User.objects.filter(pk=gone.pk).update(is_active=False)

    assert reports_send(AFTER_RUN) == 3
    bodies = _bodies()
    assert set(bodies) == {reader.email, ward_reader.email, lost.email}
    staff = bodies[reader.email]
    assert "Stories published: 6" in staff
    assert "Something could be improved: 3" in staff
    assert "Responded to: 33%" in staff
    assert "Median time to respond: 2 hours" in staff
    assert "Critical (criticality 4 or 5): 6 (100%)" in staff
    assert "6 stories were published, up from 3 in the previous period." in staff
    for public in (bodies[ward_reader.email], bodies[lost.email]):
        assert "riticality" not in public
        assert "Stories published: 6" in public
        assert "Something could be improved: fewer than 5" in public
        assert "Responded to: too few stories to show" in public
        assert "Median time to respond: too few stories to show" in public
        assert "2 hours" not in public
        assert "Food and drink: fewer than 5" in public
    assert "/staff/organisations/" in staff
    assert "/staff/organisations/" not in bodies[ward_reader.email]


def test_a_deactivated_owner_sends_nothing(
    org: Organisation, reader: User, responder: User, june: list[Story]
) -> None:
    _schedule(reader, org, team=team_of(org, reader, responder))
    User.objects.filter(pk=reader.pk).update(is_active=False)
    assert reports_send(AFTER_RUN) == 0
    assert not OutboxEmail.objects.exists()


def test_a_team_the_owner_left_gets_nothing(
    org: Organisation, reader: User, responder: User, june: list[Story]
) -> None:
    team = team_of(org, reader, responder)
    _schedule(reader, org, team=team)
    team.group.user_set.remove(reader)
    assert reports_send(AFTER_RUN) == 1
    assert set(_bodies()) == {reader.email}


def test_an_empty_period_says_so(org: Organisation, reader: User) -> None:
    _schedule(reader, org, query=f"tag={FOOD}")
    assert reports_send(AFTER_RUN) == 1
    (body,) = _bodies().values()
    assert (
        "No stories were published in 1 June 2026 to 30 June 2026 with this view's filters" in body
    )
    assert "Headline figures" not in body


def test_the_task_sends_the_email_through_the_outbox(
    org: Organisation,
    reader: User,
    june: list[Story],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    client: Client,
) -> None:
    settings.SITE_URL = "https://carevoice.example"
    schedule = _schedule(reader, org)
    with clock_at(AFTER_RUN), django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reports() == 1
    (message,) = mail.outbox
    assert message.to == [reader.email]
    assert message.subject == "Report: Northfield monthly, 1 June 2026 to 30 June 2026"
    text = message.body
    assert "Stories published: 6" in text
    assert "Top topics" in text
    assert "Food and drink: 3" in text
    link = (
        f"https://carevoice.example/staff/organisations/{org.slug}/insight/"
        "?date_from=2026-06-01&date_to=2026-06-30"
    )
    assert link in text
    assert "https://carevoice.example/staff/saved-views/" in text
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert "Stories published: 6" in html
    assert f'href="{link.replace("&", "&amp;")}"' in html
    schedule.refresh_from_db()
    assert schedule.last_sent_at == AFTER_RUN
