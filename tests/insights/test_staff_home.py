"""The staff home's summary: the user's part of the tree, this month against last, with
month boundaries on the site's clock (Europe/London) and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from apps.changes.models import ChangeStatus
from apps.insights.home import Months, home_summary
from apps.organisations.models import Organisation, OrganisationKind
from apps.responders.models import RoleName
from tests.factories import OrganisationFactory, RoleFactory, StoryFactory, UserFactory
from tests.factories import with_second_factor as second_factor
from tests.querybudget import QueryBudget

from .conftest import LONDON, change, clock_at, local, respond, story

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> dict[str, Organisation]:
    trust = OrganisationFactory(name="Northmoor NHS Trust", kind=OrganisationKind.TRUST)
    ward1 = OrganisationFactory(parent=trust, name="Ward 1", kind=OrganisationKind.SERVICE)
    ward2 = OrganisationFactory(parent=trust, name="Ward 2", kind=OrganisationKind.SERVICE)
    other = OrganisationFactory(name="Upton NHS Trust", kind=OrganisationKind.TRUST)
    elsewhere = OrganisationFactory(parent=other, name="Upton Ward", kind=OrganisationKind.SERVICE)
    return {"trust": trust, "ward1": ward1, "ward2": ward2, "elsewhere": elsewhere}


def member(role: RoleName, at: Organisation | None) -> Any:
    user = UserFactory()
    RoleFactory(user=user, role=role, organisation=at)
    return second_factor(user)


# The edge of a month: 1 March 2026, 00:00 GMT (the clock goes forward on 29 March).
EDGE = local(2026, 3, 1, 0, 0)


def test_months_are_local_calendar_months() -> None:
    # 23:30 UTC on 31 May is 00:30 BST on 1 June: June has begun in London.
    months = Months.at(dt.datetime(2026, 5, 31, 23, 30, tzinfo=dt.UTC))
    assert months.this_start == local(2026, 6, 1)
    assert months.last_start == local(2026, 5, 1)
    assert months.same_point == local(2026, 5, 1, 0, 30)
    # 31 March against February: by this point last month is all of February.
    months = Months.at(local(2026, 3, 31, 12))
    assert months.last_start == local(2026, 2, 1)
    assert months.same_point == local(2026, 3, 1)
    assert months.this_start.utcoffset() == dt.timedelta(0)
    # In summer time the month starts at 23:00 UTC the day before.
    assert Months.at(local(2026, 7, 15)).this_start.astimezone(dt.UTC) == dt.datetime(
        2026, 6, 30, 23, tzinfo=dt.UTC
    )


@pytest.fixture
def edge(tree: dict[str, Organisation]) -> dict[str, Organisation]:
    """Stories and changes either side of midnight at the start of July 2026 (BST, so
    local midnight is 23:00 UTC on 30 June)."""
    w1, w2, trust = tree["ward1"], tree["ward2"], tree["trust"]
    story(w1, at=local(2026, 5, 20, 9))  # unanswered, long overdue
    respond(story(w1, at=local(2026, 5, 5, 9)), w1, after_hours=5)
    respond(story(w1, at=local(2026, 6, 3, 10)), w1, after_hours=2)
    story(w2, at=local(2026, 6, 30, 23, 30))  # 22:30 UTC: June in London
    story(w1, at=local(2026, 7, 1, 0, 0, 30))  # 23:00:30 UTC on 30 June: July in London
    story(tree["elsewhere"], at=local(2026, 6, 15, 9))  # another trust's
    story(w1, at=None, status="awaiting_moderation")
    change(trust, ChangeStatus.MADE, made_on=dt.date(2026, 5, 10))
    change(w1, ChangeStatus.MADE, made_on=dt.date(2026, 6, 30))
    change(w2, ChangeStatus.MADE, made_on=dt.date(2026, 7, 1))
    change(tree["elsewhere"], ChangeStatus.MADE, made_on=dt.date(2026, 6, 20))
    change(w1, ChangeStatus.PLANNED)
    return tree


def test_one_minute_before_the_month_ends(edge: dict[str, Organisation]) -> None:
    responder = member(RoleName.RESPONDER, edge["trust"])
    with clock_at(local(2026, 6, 30, 23, 59)):
        s = home_summary(responder)
    assert s is not None
    # June: 3 June and 30 June 23:30 (the story at 00:00:30 is not told yet); May: two.
    assert (s.stories_this, s.stories_last_same, s.stories_last) == (2, 2, 2)
    assert (s.answered_this, s.answered_last) == (1, 1)
    assert (s.unanswered, s.overdue) == (2, 1)
    assert (s.made_this, s.made_last) == (1, 1)
    assert [c.made_on for c in s.latest] == [dt.date(2026, 6, 30), dt.date(2026, 5, 10)]
    assert s.stories_words == (
        "2 stories published so far this month, the same as by this point last month."
    )
    assert s.stories_last_words == "2 in all of last month."
    assert s.rate_words == "50% of this month's stories have a response, the same as last month's."
    assert s.waiting_words == (
        "2 stories wait for a response; 1 of them is past its response target."
    )
    assert s.made_words == "1 change made this month, the same as in all of last month."


def test_two_minutes_later_a_new_month_has_begun(edge: dict[str, Organisation]) -> None:
    responder = member(RoleName.RESPONDER, edge["trust"])
    with clock_at(local(2026, 7, 1, 0, 1)):
        s = home_summary(responder)
    assert s is not None
    assert s.months.this_start == local(2026, 7, 1)
    # July: the story at 00:00:30; June up to 1 June 00:01: none, and two in all of June.
    assert (s.stories_this, s.stories_last_same, s.stories_last) == (1, 0, 2)
    assert (s.answered_this, s.answered_last) == (0, 1)
    assert (s.unanswered, s.overdue) == (3, 1)
    assert (s.made_this, s.made_last) == (1, 1)
    assert [c.made_on for c in s.latest] == [
        dt.date(2026, 7, 1),
        dt.date(2026, 6, 30),
        dt.date(2026, 5, 10),
    ]
    assert s.stories_words == (
        "1 story published so far this month, 1 more than by this point last month."
    )
    assert (
        s.rate_words == "0% of this month's stories have a response, down from 50% of last month's."
    )
    assert s.waiting_words == (
        "3 stories wait for a response; 1 of them is past its response target."
    )


def test_overdue_follows_the_working_days_target(edge: dict[str, Organisation]) -> None:
    # The story of Tuesday 30 June 23:30, unanswered: the trust's target is 5 working
    # days (the reminders' rule), so it is overdue from Tuesday 7 July 23:30, not before.
    responder = member(RoleName.RESPONDER, edge["trust"])
    Organisation.objects.filter(pk=edge["trust"].pk).update(response_target_working_days=5)
    with clock_at(local(2026, 7, 7, 23, 29)):
        before = home_summary(responder)
    with clock_at(local(2026, 7, 7, 23, 31)):
        after = home_summary(responder)
    assert before is not None
    assert after is not None
    assert after.overdue - before.overdue == 1


def test_only_the_users_part_of_the_tree(edge: dict[str, Organisation]) -> None:
    ward_reader = member(RoleName.READER, edge["ward2"])
    with clock_at(local(2026, 7, 1, 0, 1)):
        s = home_summary(ward_reader)
    assert s is not None
    assert (s.stories_this, s.stories_last, s.unanswered, s.overdue) == (0, 1, 1, 0)
    assert [c.made_on for c in s.latest] == [dt.date(2026, 7, 1)]
    assert s.rate_words == "No stories yet this month to respond to."
    assert s.waiting_words == "1 story waits for a response; none is past its response target."


def test_people_without_a_role_at_a_node_see_no_summary(edge: dict[str, Organisation]) -> None:
    for person in (member(RoleName.MODERATOR, None), member(RoleName.PLATFORM_ADMIN, None)):
        assert home_summary(person) is None
        client = Client()
        client.force_login(person)
        response = client.get("/staff/")
        assert response.status_code == 200
        assert "Your roles" in response.content.decode()
        assert "home-summary-heading" not in response.content.decode()


def test_the_staff_home_shows_the_summary_in_words(edge: dict[str, Organisation]) -> None:
    responder = member(RoleName.RESPONDER, edge["trust"])
    client = Client()
    client.force_login(responder)
    with clock_at(local(2026, 7, 1, 0, 1)):
        response = client.get("/staff/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "Your part of the organisation in July 2026" in page
    assert "1 story published so far this month, 1 more than by this point last month." in page
    assert 'href="/staff/?unanswered=on"' in page
    assert page.count('href="/staff/changes/') == 3
    # The htmx refresh of the results leaves the summary out.
    with clock_at(local(2026, 7, 1, 0, 1)):
        partial = client.get("/staff/", HTTP_HX_REQUEST="true").content.decode()
    assert "home-summary-heading" not in partial


def _grow(tree: dict[str, Organisation], n: int) -> None:
    for i in range(n):
        ward = tree["ward1"] if i % 2 else tree["ward2"]
        told = StoryFactory(services=[ward], published_at=local(2026, 6, 1 + i % 28, 9))
        if i % 3:
            respond(told, ward, after_hours=i % 50 + 1)
        change(ward, ChangeStatus.MADE, made_on=dt.date(2026, 6, 1 + i % 28))


def test_the_summary_reads_a_fixed_number_of_queries(tree: dict[str, Organisation]) -> None:
    responder = member(RoleName.RESPONDER, tree["trust"])
    client = Client()
    client.force_login(responder)
    # Three on its own: the scope's paths, the figures over the inbox's copies of the
    # links under them, and the latest changes. The page's 13 are the inbox's.
    selector = QueryBudget("the staff home summary", limit=3)
    page = QueryBudget("the staff home", limit=13)
    with clock_at(local(2026, 7, 1, 12)):
        for size in (3, 60):
            _grow(tree, size)
            selector.measure(size, lambda: home_summary(responder))
            page.measure(size, lambda: client.get("/staff/"))
    selector.assert_flat()
    page.assert_flat()


def test_a_month_boundary_in_winter_is_midnight_utc() -> None:
    assert Months.at(dt.datetime(2026, 1, 31, 23, 59, tzinfo=LONDON)).this_start == local(
        2026, 1, 1
    )
