"""The insight reads: counts of a hand-made world, worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.changes.models import Change, ChangeStatus, ChangeStory
from apps.insights.selectors_insight import Journey, Period, insight_for
from apps.organisations.models import Organisation, OrganisationKind
from apps.responses.models import Response, ResponseStatus, StaffRead
from apps.stories.models import Story, StoryStatus, StoryTag, Tag
from apps.stories.search import StoryFilters
from tests.factories import OrganisationFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF = "staff-manner-and-attitude"
FOOD = "food-and-drink"
PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))


def at(month: int, day: int, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


def told(when: dt.datetime, services: list[Organisation], **tags: str) -> Story:
    story = StoryFactory(published_at=when, services=services)
    for slug, polarity in tags.items():
        StoryTag.objects.create(
            story=story, tag=Tag.objects.get(slug=slug.replace("_", "-")), polarity=polarity
        )
    return story


def change(node: Organisation, story: Story, status: str) -> None:
    day = dt.date(2026, 4, 1)
    made = Change.objects.create(
        organisation=node,
        summary="Menus change.",
        due_on=day,
        status_on=day,
        status=status,
        made_on=day if status == ChangeStatus.MADE else None,
        made_summary="Menus changed." if status == ChangeStatus.MADE else "",
    )
    ChangeStory.objects.create(change=made, story=story)


@pytest.fixture
def world() -> dict[str, Any]:
    """A trust with sites A and B, a ward under each; stories s1–s4 in the period, s5 in
    the previous one, s6 withdrawn, s7 after the period."""
    trust = OrganisationFactory(name="Trust", kind=OrganisationKind.TRUST)
    site_a = OrganisationFactory(parent=trust, name="Site A", kind=OrganisationKind.SITE)
    site_b = OrganisationFactory(parent=trust, name="Site B", kind=OrganisationKind.SITE)
    ward_a = OrganisationFactory(parent=site_a, name="Ward A1", kind=OrganisationKind.SERVICE)
    ward_b = OrganisationFactory(parent=site_b, name="Ward B1", kind=OrganisationKind.SERVICE)
    staff = UserFactory()
    s1 = told(at(1, 10), [ward_a], staff_manner_and_attitude="good", food_and_drink="improve")
    s2 = told(at(1, 20), [ward_a], staff_manner_and_attitude="good")
    s3 = told(
        at(3, 5), [ward_b, ward_a], food_and_drink="improve", staff_manner_and_attitude="improve"
    )
    s4 = told(at(3, 6), [ward_b])
    told(at(12, 15, 2025), [ward_a], food_and_drink="good")  # s5, previous period
    withdrawn = told(at(2, 1), [ward_a], food_and_drink="good")  # s6
    Story.objects.filter(pk=withdrawn.pk).update(status=StoryStatus.WITHDRAWN)
    told(at(7, 2), [ward_a], food_and_drink="good")  # s7, after the period
    StaffRead.objects.create(story=s1, user=staff)
    Response.objects.create(
        story=s1,
        organisation=trust,
        author=staff,
        body="Thank you.",
        body_html="<p>Thank you.</p>",
        status=ResponseStatus.PUBLISHED,
        published_at=at(1, 12),
    )
    Story.objects.filter(pk=s3.pk).update(criticality=5)
    Story.objects.filter(pk=s4.pk).update(criticality=4)
    change(ward_b, s3, ChangeStatus.MADE)
    change(ward_b, s4, ChangeStatus.PLANNED)
    trust.refresh_from_db()
    return {"trust": trust, "a": site_a, "b": site_b, "stories": [s1, s2, s3, s4]}


def test_insight_counts_the_period_by_month_topic_pair_journey_and_part(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    trust = world["trust"]
    with django_assert_num_queries(8):  # the subtree once, then seven
        insight = insight_for(trust, StoryFilters(organisation=trust), PERIOD)

    # January: s1 (something to improve), s2 (all good); March: s3 (improve), s4 (no tags).
    assert [(m.month.month, m.total, m.good, m.improve, m.neither) for m in insight.months] == [
        (1, 2, 1, 1, 0),
        (2, 0, 0, 0, 0),
        (3, 2, 0, 1, 1),
        (4, 0, 0, 0, 0),
        (5, 0, 0, 0, 0),
        (6, 0, 0, 0, 0),
    ]
    # Staff manner: s1 good, s2 good, s3 improve; none before. Food: s1 and s3 improve; s5
    # (good, December) in the previous period; s6 withdrawn and s7 later are not counted.
    assert [(t.slug, t.total, t.good, t.improve, t.previous) for t in insight.topics] == [
        (STAFF, 3, 2, 1, 0),
        (FOOD, 2, 0, 2, 1),
    ]
    assert [(p.first.slug, p.second.slug, p.count) for p in insight.pairs] == [
        (STAFF, FOOD, 2)
    ] or [(p.second.slug, p.first.slug, p.count) for p in insight.pairs] == [(STAFF, FOOD, 2)]
    assert [m.pk for m in insight.marks] == [s.pk for s in world["stories"]]
    # Read or further: s1 (responded), s3 (change made), s4 (change planned).
    assert insight.journey == Journey(
        told=4,
        read=3,
        responded=3,
        planned=2,
        made=1,
        answered=1,
        critical=2,
        median_seconds=2 * 24 * 3600.0,
    )
    parts = {p.organisation.name: p.journey for p in insight.parts}
    # Site A: s1, s2, s3 (s3 names a ward of each site, so it counts in both).
    assert parts["Site A"] == Journey(
        told=3,
        read=2,
        responded=2,
        planned=1,
        made=1,
        answered=1,
        critical=1,
        median_seconds=2 * 24 * 3600.0,
    )
    assert parts["Site B"] == Journey(
        told=2, read=2, responded=2, planned=2, made=1, answered=0, critical=2
    )


def test_insight_follows_the_search_filters(world: dict[str, Any]) -> None:
    trust = world["trust"]
    staff = Tag.objects.get(slug=STAFF)
    insight = insight_for(trust, StoryFilters(organisation=trust, tag=staff), PERIOD)

    assert insight.journey.told == 3  # s1, s2, s3
    insight = insight_for(trust, StoryFilters(organisation=trust, service=world["b"]), PERIOD)
    assert insight.journey.told == 0  # no story names the site itself


def test_period_defaults_and_previous() -> None:
    today = dt.date(2026, 12, 3)
    period = Period.of(None, None, today)
    assert period == Period(dt.date(2026, 1, 1), today)
    assert len(period.months) == 12
    assert Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31)).previous == Period(
        dt.date(2025, 12, 1), dt.date(2025, 12, 31)
    )
    assert period.month_span(dt.date(2026, 12, 1)) == (dt.date(2026, 12, 1), today)
