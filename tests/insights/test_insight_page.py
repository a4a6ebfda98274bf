"""The insight page: public and staff, the search's filters, small numbers, links, queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.organisations.models import Organisation, OrganisationKind
from apps.stories.models import Story, StoryService, StoryTag, Tag
from apps.waysin.models import Campaign, StoryOrigin
from tests.factories import OrganisationFactory, StoryFactory
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db

FOOD = "food-and-drink"
STAFF = "staff-manner-and-attitude"


def part(org: Organisation, depth: int) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=depth)


def tell(service: Organisation, when: dt.datetime, n: int, **tags: str) -> list[Story]:
    made = []
    for _ in range(n):
        story = StoryFactory(services=[service], published_at=when, criticality=5)
        for slug, polarity in tags.items():
            StoryTag.objects.create(story=story, tag=Tag.objects.get(slug=slug), polarity=polarity)
        made.append(story)
    return made


def ways_in(stories: list[Story], campaign: Campaign) -> None:
    """Friends and Family Test answers on every story, and a campaign for some (the
    page's ways-in section: its queries must not grow either)."""
    answers = ["very_good", "good", "neither", "poor", "very_poor", "dont_know"]
    for index, story in enumerate(stories):
        StoryService.objects.filter(story=story).update(fft=answers[index % len(answers)])
        if index % 2:
            StoryOrigin.objects.create(story=story, campaign=campaign)


def url(org: Organisation, staff: bool = False, **params: str) -> str:
    name = "insights:staff" if staff else "insights:organisation"
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse(name, kwargs={'slug': org.slug})}?{query}"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def this_month(day: int = 2) -> dt.datetime:
    today = timezone.localdate()
    return dt.datetime(today.year, today.month, min(day, today.day), 9, tzinfo=dt.UTC)


def test_insight_page_draws_each_chart_with_its_title_description_and_table(
    client: Client, org: Organisation
) -> None:
    service = part(org, 3)
    tell(service, this_month(), 6, **{FOOD: "improve", STAFF: "good"})

    response = client.get(url(org))

    html = response.content.decode()
    assert response.status_code == 200
    # Topics, journey, channels (no links inside); no Friends and Family Test answers.
    assert html.count('<svg role="img"') == 3
    assert html.count('<svg role="group"') == 2  # trend, swarm: links inside
    for chart in ("trend", "topics", "swarm", "journey"):
        assert f'<title id="{chart}-title">' in html
        assert f'<desc id="{chart}-desc">' in html
    assert html.count("<table") == 7  # months, topics, pairs, swarm, journey, parts, channels
    assert "6 stories published from" in text_of(html)
    assert "Food and drink and staff manner and attitude" in text_of(html) or (
        "Staff manner and attitude and food and drink" in text_of(html)
    )


def test_public_insight_hides_every_small_cell_and_staff_see_them(
    client_as: Any, org: Organisation
) -> None:
    service = part(org, 3)
    tell(service, this_month(), 3, **{FOOD: "improve", STAFF: "good"})

    public = text_of(client_as("anonymous").get(url(org)).content.decode())
    staff = text_of(client_as("reader").get(url(org, staff=True)).content.decode())

    sections = {
        "trend": ("Stories each month, in numbers", "What people talk about"),
        "topics": ("Topics, in numbers", "Topics told together"),
        "pairs": ("Stories telling both", "Every story"),
        "swarm": ("Stories by how far they have come", "From told to changed"),
        "journey": ("The journey, for this organisation", "The parts compared"),
        "parts": ("Typical time to respond", "Response rate:"),
    }
    for name, (start, end) in sections.items():
        section = public[public.index(start) : public.index(end, public.index(start))]
        assert "fewer than 5" in section, name
        assert not re.search(r"\b3\b", section), f"{name} shows a count of 3: {section}"
    assert "3 stories published" in public  # the page's own total, as the search shows it
    assert "too few to show in public" in public
    assert "critical" not in public.lower()
    assert "fewer than 5" not in staff
    assert "Stories by criticality" in staff
    assert "Share critical" in staff


def test_small_number_limit_is_a_setting(client: Client, org: Organisation, settings: Any) -> None:
    settings.INSIGHT_MIN_CELL = 3
    tell(part(org, 3), this_month(), 3, **{FOOD: "good"})

    page = text_of(client.get(url(org)).content.decode())

    topics = page.split("Topics, in numbers")[1].split("Topics told")[0]
    assert "Food and drink 3 3 fewer than 3" in topics  # 3 good shown; 0 to improve hidden
    assert "count under 3 is shown as “fewer than 3”" in page


def test_bad_filters_show_the_search_form_errors(client: Client, org: Organisation) -> None:
    response = client.get(url(org, tag="no-such-topic"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is no topic “no-such-topic”" in html
    assert 'class="error-summary"' in html
    assert "Correct the filters above" in html
    assert "<svg role=" not in html


def test_a_period_over_the_limit_is_refused_beside_the_date(
    client: Client, org: Organisation
) -> None:
    html = client.get(url(org, date_from="2001-01-01", date_to="2026-01-01")).content.decode()

    assert "Choose a period of at most 10 years" in html


def test_a_period_with_no_stories_says_so(client: Client, org: Organisation) -> None:
    html = client.get(url(org, date_from="2020-01-01", date_to="2020-12-31")).content.decode()

    assert "No stories were published about this organisation" in html
    assert "<svg role=" not in html


def test_a_trend_point_links_to_the_same_stories(client: Client, org: Organisation) -> None:
    service = part(org, 3)
    food = tell(service, this_month(), 5, **{FOOD: "improve"})
    tell(service, this_month(), 5, **{STAFF: "good"})

    html = client.get(url(org, tag=FOOD)).content.decode()
    month = timezone.localdate().replace(day=1)
    links = re.findall(r'<a href="(/stories/\?[^"]+)"', html)
    link = next(h.replace("&amp;", "&") for h in links if f"date_from={month}" in h)

    assert f"tag={FOOD}" in link
    assert f"organisation={org.slug}" in link
    listed = client.get(link).content.decode()
    for story in food:
        assert reverse("stories:detail", kwargs={"pk": story.pk}) in listed
    # Story pages only: the language switch and alternates also link the list itself.
    assert len(re.findall(r'href="/stories/\d+/"', listed)) >= len(food)


def test_parts_sort_by_the_url_and_link_to_their_insight(client: Client, org: Organisation) -> None:
    second = OrganisationFactory(parent=org, name="Aardvark Clinic", kind=OrganisationKind.SITE)
    tell(part(org, 3), this_month(), 6, **{FOOD: "good"})
    tell(second, this_month(), 5, **{FOOD: "good"})

    by_stories = client.get(url(org, sort="stories")).content.decode()
    by_name = client.get(url(org, sort="name")).content.decode()
    junk = client.get(url(org, sort="nonsense")).status_code

    parts_of = lambda html: html[html.index('id="parts"') :]  # noqa: E731
    assert parts_of(by_stories).index("Northfield Hospital") < parts_of(by_stories).index(
        "Aardvark Clinic"
    )
    assert parts_of(by_name).index("Aardvark Clinic") < parts_of(by_name).index(
        "Northfield Hospital"
    )
    assert junk == 200
    assert reverse("insights:organisation", kwargs={"slug": second.slug}) in by_name


def test_staff_insight_outside_scope_is_refused(client_as: Any, org: Organisation) -> None:
    assert client_as("other_org_responder").get(url(org, staff=True)).status_code == 403
    assert client_as("responder").get(url(org, staff=True)).status_code == 200
    # The public page stays open to them.
    assert client_as("other_org_responder").get(url(org)).status_code == 200


def test_organisation_page_links_to_its_insight(client: Client, org: Organisation) -> None:
    html = client.get(org.get_absolute_url()).content.decode()

    assert reverse("insights:organisation", kwargs={"slug": org.slug}) in html


@pytest.mark.parametrize("staff", [False, True])
def test_insight_page_queries_do_not_grow_with_the_stories(
    client_as: Any, org: Organisation, staff: bool
) -> None:
    client = client_as("reader" if staff else "anonymous")
    service = part(org, 3)
    budget = QueryBudget("insight page", limit=25)
    campaign = Campaign.objects.create(node=org, name="After clinic", code="budget1")
    first = tell(service, this_month(), 5, **{FOOD: "improve", STAFF: "good"})
    ways_in(first, campaign)
    # Each request computes the view afresh (nothing kept from the last one).
    budget.measure(5, lambda: client.get(url(org, staff=staff)), before=cache.clear)
    extra = OrganisationFactory(parent=part(org, 2), name="Ward 9", kind=OrganisationKind.SERVICE)
    for month in range(1, 11):
        when = this_month() - dt.timedelta(days=31 * month)
        ways_in(tell(service, when, 6, **{FOOD: "good"}), campaign)
        ways_in(tell(extra, when, 6, **{STAFF: "improve", FOOD: "improve"}), campaign)
    budget.measure(125, lambda: client.get(url(org, staff=staff)), before=cache.clear)
    budget.assert_flat()


def test_a_month_only_partly_in_the_period_is_drawn_but_not_judged(
    client: Client, org: Organisation
) -> None:
    """Early in a month its few stories must neither read as a fall nor, in public, hide
    the limits of every whole month because it holds fewer than 5."""
    service = part(org, 3)
    first = timezone.localdate().replace(day=1)
    months = []
    month = first
    for _ in range(12):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    for start in months:
        tell(service, dt.datetime(start.year, start.month, 10, 12, tzinfo=dt.UTC), 6)
    tell(service, dt.datetime(first.year, first.month, 1, 12, tzinfo=dt.UTC), 1)
    date_to = first + dt.timedelta(days=1)

    text = text_of(
        client.get(
            url(org, date_from=months[-1].isoformat(), date_to=date_to.isoformat())
        ).content.decode()
    )
    assert "is only partly in this period, so it is drawn but not judged" in text
    assert "too few to show in public" not in text
    # Twelve whole months of 6: flat, so within the limits and judged as such.
    assert "Nothing unusual: every month was within what is usual" in text
