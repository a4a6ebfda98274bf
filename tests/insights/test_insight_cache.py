"""A computed insight view is kept in the cache until something under its node moves
(docs/insight.md, "How fresh the figures are"), and the public entry holds no
staff-only field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.core.signals import figures_changed
from apps.insights.selectors_insight import Period, insight_kept
from apps.organisations.models import Organisation
from apps.stories.models import Story
from apps.stories.search import StoryFilters
from tests.insights.test_insight_page import FOOD, part, tell, text_of, this_month, url
from tests.querybudget import count_queries

pytestmark = pytest.mark.django_db


def told(text: str) -> int:
    found = re.search(r"(\d+) stories published from", text)
    assert found, text[:500]
    return int(found.group(1))


def period() -> Period:
    return Period.of(None, None, timezone.localdate())


def test_a_second_view_comes_from_the_cache_with_one_query(org: Organisation) -> None:
    tell(part(org, 3), this_month(), 6, **{FOOD: "good"})
    filters = StoryFilters(organisation=org)

    first = count_queries(lambda: insight_kept(org, filters, period(), staff=False))
    again = count_queries(lambda: insight_kept(org, filters, period(), staff=False))

    assert first > 3
    assert again == 1  # the node's figures version


def test_a_story_published_under_the_node_retires_the_kept_view(
    client: Client, org: Organisation
) -> None:
    service = part(org, 3)
    tell(service, this_month(), 6, **{FOOD: "good"})
    assert told(text_of(client.get(url(org)).content.decode())) == 6

    tell(service, this_month(), 1, **{FOOD: "good"})
    # Unannounced (the factory writes rows directly), the kept view still counts six.
    assert told(text_of(client.get(url(org)).content.decode())) == 6
    # The moderation service announces a publication like this, in its transaction.
    figures_changed(Story, [service.path])

    assert told(text_of(client.get(url(org)).content.decode())) == 7


def test_each_filter_and_period_is_kept_apart(client: Client, org: Organisation) -> None:
    service = part(org, 3)
    tell(service, this_month(), 6, **{FOOD: "good"})
    tell(service, this_month() - dt.timedelta(days=400), 7, **{FOOD: "improve"})

    year = text_of(client.get(url(org)).content.decode())
    longer = text_of(
        client.get(
            url(org, date_from=(timezone.localdate() - dt.timedelta(days=500)).isoformat())
        ).content.decode()
    )

    assert told(year) == 6
    assert told(longer) == 13


def test_the_public_entry_holds_no_criticality_and_staff_keep_theirs(org: Organisation) -> None:
    tell(part(org, 3), this_month(), 6, **{FOOD: "improve"})  # criticality 5 each
    filters = StoryFilters(organisation=org)

    public = insight_kept(org, filters, period(), staff=False)
    staff = insight_kept(org, filters, period(), staff=True)

    assert public.journey.critical == 0
    assert all(p.journey.critical == 0 for p in public.parts)
    assert {m.criticality for m in public.marks} == {None}
    assert staff.journey.critical == 6
    assert {m.criticality for m in staff.marks} == {5}


def test_the_time_a_view_is_kept_is_a_setting(
    client: Client, org: Organisation, settings: Any
) -> None:
    settings.INSIGHT_CACHE_SECONDS = 0  # not kept at all
    service = part(org, 3)
    tell(service, this_month(), 6, **{FOOD: "good"})
    client.get(url(org))
    tell(service, this_month(), 1, **{FOOD: "good"})

    assert told(text_of(client.get(url(org)).content.decode())) == 7
