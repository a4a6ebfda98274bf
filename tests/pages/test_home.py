"""The home page: the way in to telling a story, what happens next, the latest stories and
figures that agree with the directory."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.organisations.models import Organisation, OrganisationKind
from apps.responses.models import Response
from apps.stories.models import StoryStatus
from tests.factories import OrganisationFactory, StoryFactory, UserFactory
from tests.organisations.test_pages import add_services
from tests.pages.test_pages import links_in
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db
HOME = reverse("home")


def _answer(story: Any, org: Organisation) -> None:
    writer = UserFactory()
    Response.objects.create(
        story=story,
        organisation=org,
        author=writer,
        author_name=writer.display_name,
        body="Thank you for telling us.",
        body_html="<p>Thank you for telling us.</p>",
        published_at=timezone.now(),
    )


def test_home_leads_to_telling_a_story(client: Client) -> None:
    html = client.get(HOME).content.decode()
    assert links_in(html, "main")["Tell your story"] == reverse("stories:tell")
    assert "What happens when you tell your story" in html
    for step in (
        "You tell it.",
        "We check it.",
        "It is published.",
        "Staff answer.",
        "Things change.",
    ):
        assert step in html
    assert "No stories have been published yet" in html


def test_home_shows_the_latest_published_stories_and_whether_answered(
    client: Client, org: Organisation
) -> None:
    service = Organisation.objects.get(kind=OrganisationKind.SERVICE, path__startswith=org.path)
    now = timezone.now()
    old = StoryFactory(
        title="An old one", services=[service], published_at=now - dt.timedelta(days=30)
    )
    answered = StoryFactory(title="Answered one", services=[service], published_at=now)
    waiting = StoryFactory(
        title="Waiting one", services=[service], published_at=now - dt.timedelta(hours=1)
    )
    for n in range(4):
        StoryFactory(
            title=f"Filler {n}", services=[service], published_at=now - dt.timedelta(days=n + 1)
        )
    StoryFactory(
        title="Not checked yet",
        services=[service],
        status=StoryStatus.AWAITING_MODERATION,
        published_at=None,
    )
    _answer(answered, org)

    response = client.get(HOME)
    stories = response.context["stories"]
    assert [s.title for s in stories[:2]] == ["Answered one", "Waiting one"]
    assert len(stories) == 5
    html = response.content.decode()
    assert old.title not in html
    assert "Not checked yet" not in html
    links = links_in(html, "main")
    assert links["Answered one"] == answered.get_absolute_url()
    assert links["Waiting one"] == waiting.get_absolute_url()
    answered_card = html[html.index("Answered one") : html.index("Waiting one")]
    assert "Answered" in answered_card.split("Answered one", 1)[1]
    waiting_card = html[html.index("Waiting one") : html.index("Filler 0")]
    assert "Not answered yet" in waiting_card


def test_home_figures_agree_with_the_directory(client: Client, org: Organisation) -> None:
    OrganisationFactory(name="Millbrook Surgery", kind=OrganisationKind.GP_PRACTICE)
    OrganisationFactory(name="Old Mill Surgery", kind=OrganisationKind.GP_PRACTICE, is_active=False)
    OrganisationFactory(name="Rose Court", kind=OrganisationKind.CARE_HOME)
    listed = client.get(reverse("organisations:directory")).context["page"].paginator.count
    html = client.get(HOME).content.decode()
    # org: a trust, its hospital site and one service; plus a practice and a care home.
    assert listed == 5
    assert "lists 5 places where care is given or organised" in html
    for words in (
        "1 NHS trust or health board",
        "1 hospital, site or directorate",
        "1 service or team",
        "1 GP practice",
        "1 care home",
    ):
        assert f"<li>{words}</li>" in html


def test_home_queries_do_not_grow_with_stories_or_organisations(
    client: Client, org: Organisation
) -> None:
    service = Organisation.objects.get(kind=OrganisationKind.SERVICE, path__startswith=org.path)
    budget = QueryBudget("home page", limit=4)
    for _ in range(10):
        _answer(StoryFactory(services=[service]), org)
    budget.measure(10, lambda: client.get(HOME))
    add_services(org, 300)
    others = list(Organisation.objects.filter(kind=OrganisationKind.SERVICE)[:3])
    for _ in range(200):
        StoryFactory(services=others)
    budget.measure(200, lambda: client.get(HOME))
    budget.assert_flat()
