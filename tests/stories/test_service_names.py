"""A service is named with its site and trust wherever a person chooses or reads it: one
helper (`Organisation.display_name`, filled by `with_place`), no query per service."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from apps.alerts.models import Frequency
from apps.alerts.services import story_fan_out, subscription_add
from apps.organisations.models import Organisation, OrganisationKind
from apps.organisations.selectors import with_place
from apps.stories.models import Story, StoryStatus
from apps.stories.selectors import services_named, services_of
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    with_second_factor,
)

pytestmark = pytest.mark.django_db

TRUST = "Ashdown Vale Hospitals NHS Foundation Trust"
ED = f"Emergency Department, Ashdown General Hospital ({TRUST})"
NURSING = f"Community Nursing ({TRUST})"


@pytest.fixture
def tree() -> dict[str, Organisation]:
    trust = OrganisationFactory(name=TRUST, ods_code="ZZA")
    site = OrganisationFactory(
        parent=trust, name="Ashdown General Hospital", kind=OrganisationKind.SITE
    )
    directorate = OrganisationFactory(
        parent=site, name="Emergency and Acute Medicine", kind=OrganisationKind.DIRECTORATE
    )
    ed = OrganisationFactory(
        parent=directorate, name="Emergency Department", kind=OrganisationKind.SERVICE
    )
    nursing = OrganisationFactory(
        parent=trust, name="Community Nursing", kind=OrganisationKind.SERVICE
    )
    surgery = OrganisationFactory(
        name="Riverside Surgery", kind=OrganisationKind.GP_PRACTICE, ods_code="Y00001"
    )
    return {
        "trust": trust,
        "site": site,
        "directorate": directorate,
        "ed": ed,
        "nursing": nursing,
        "surgery": surgery,
    }


@pytest.fixture
def story(tree: dict[str, Organisation]) -> Story:
    return StoryFactory(
        services=[tree["ed"], tree["nursing"]],
        title="Seen quickly at night",
        published_at=timezone.now(),
    )


def named(org: Organisation) -> str:
    return with_place(Organisation.objects.filter(pk=org.pk)).get().display_name


def test_each_node_is_named_with_its_site_and_trust(tree: dict[str, Organisation]) -> None:
    assert named(tree["ed"]) == ED
    assert named(tree["nursing"]) == NURSING
    assert named(tree["directorate"]) == (
        f"Emergency and Acute Medicine, Ashdown General Hospital ({TRUST})"
    )
    assert named(tree["site"]) == f"Ashdown General Hospital ({TRUST})"
    assert named(tree["trust"]) == TRUST
    assert named(tree["surgery"]) == "Riverside Surgery"
    # Loaded without `with_place`: the name alone, and no query to find more.
    plain = Organisation.objects.get(pk=tree["ed"].pk)
    with CaptureQueriesContext(connection) as queries:
        assert plain.display_name == "Emergency Department"
    assert not queries.captured_queries


def test_with_place_adds_no_query(tree: dict[str, Organisation]) -> None:
    with CaptureQueriesContext(connection) as queries:
        names = [org.display_name for org in with_place(Organisation.objects.all())]
    assert len(queries.captured_queries) == 1
    assert ED in names


def test_services_of_names_each_storys_services_in_order_in_one_query(
    tree: dict[str, Organisation], story: Story
) -> None:
    """`services_of` (the inbox's list) gives what the prefetch gives: each story's
    services in the author's order, named with their place, in English and in Welsh."""
    site = tree["site"]
    site.name_cy = "Ysbyty Cyffredinol Ashdown"
    site.save()
    other = StoryFactory(services=[tree["surgery"], tree["ed"]], published_at=timezone.now())
    alone = StoryFactory(services=[], published_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        found = services_of([story.pk, other.pk, alone.pk])
    assert len(queries.captured_queries) == 1
    assert [s.display_name for s in found[story.pk]] == [ED, NURSING]
    assert [s.display_name for s in found[other.pk]] == ["Riverside Surgery", ED]
    assert found[alone.pk] == []
    with translation.override("cy"):
        welsh = found[story.pk][0].display_name
    assert welsh == f"Emergency Department, Ysbyty Cyffredinol Ashdown ({TRUST})"
    prefetched = Story.objects.prefetch_related(services_named()).get(pk=story.pk)
    assert [s.pk for s in found[story.pk]] == [s.pk for s in prefetched.services.all()]


def test_the_tell_form_offers_services_by_their_full_name(
    client: Client, tree: dict[str, Organisation]
) -> None:
    chosen = client.get(reverse("stories:tell"), {"service": tree["ed"].slug}).content.decode()
    assert escape(ED) in chosen
    found = client.get(
        reverse("stories:tell"), {"q": "community"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert escape(NURSING) in found


def test_the_story_page_names_its_services_in_full(client: Client, story: Story) -> None:
    html = client.get(story.get_absolute_url()).content.decode()
    assert escape(ED) in html
    assert escape(NURSING) in html


def test_story_cards_name_their_services_in_full(client: Client, story: Story) -> None:
    for params in ({}, {"q": "night"}):
        html = client.get(reverse("stories:list"), params).content.decode()
        assert "Seen quickly at night" in html
        assert escape(ED) in html, params


def test_the_feed_names_the_services_in_full(
    client: Client, story: Story, tree: dict[str, Organisation]
) -> None:
    feed = client.get(reverse("feeds:organisation", kwargs={"slug": tree["trust"].slug}))
    # Atom content is HTML, escaped once more inside the XML.
    assert escape(escape(ED)) in feed.content.decode()


def test_the_alert_email_names_the_services_in_full(
    story: Story, tree: dict[str, Organisation], django_capture_on_commit_callbacks: Any
) -> None:
    nurse = UserFactory(email="nurse@staff.example")
    RoleFactory(user=nurse, role="reader", organisation=tree["trust"])
    subscription_add(
        user=nurse,
        organisation=tree["trust"],
        frequency=Frequency.IMMEDIATE,
        min_criticality=None,
        tags=[],
    )
    with django_capture_on_commit_callbacks(execute=True):
        story_fan_out(story_id=story.pk)
    (message,) = mail.outbox
    assert message.subject.startswith(f"New story about {ED} and 1 more:")
    assert f"A new story was published about {ED}, {NURSING}." in message.body


def test_the_api_gives_each_service_a_display_name(
    client: Client, story: Story, tree: dict[str, Organisation]
) -> None:
    one = client.get(f"/api/v1/stories/{story.pk}").json()
    assert [s["display_name"] for s in one["services"]] == [ED, NURSING]
    listed = client.get("/api/v1/stories").json()
    assert [s["display_name"] for s in listed["results"][0]["services"]] == [ED, NURSING]
    organisations = client.get("/api/v1/organisations", {"q": "emergency department"}).json()
    assert [o["display_name"] for o in organisations["results"]] == [ED]
    detail = client.get(f"/api/v1/organisations/{tree['ed'].slug}").json()
    assert detail["display_name"] == ED


def test_the_staff_inbox_and_story_page_name_the_services_in_full(
    client: Client, tree: dict[str, Organisation], story: Story
) -> None:
    reader = with_second_factor(UserFactory())
    RoleFactory(user=reader, organisation=tree["trust"], role="reader")
    client.force_login(reader)
    inbox = client.get(reverse("inbox:index"))
    assert inbox.status_code == 200
    assert escape(ED) in inbox.content.decode()
    page = client.get(reverse("inbox:story", kwargs={"pk": story.pk}))
    assert page.status_code == 200
    assert escape(ED) in page.content.decode()


def test_the_home_page_and_moderation_name_the_services_in_full(
    client: Client, tree: dict[str, Organisation], story: Story
) -> None:
    assert escape(ED) in client.get(reverse("home")).content.decode()
    waiting = StoryFactory(services=[tree["ed"]], status=StoryStatus.AWAITING_MODERATION)
    moderator = with_second_factor(UserFactory())
    RoleFactory(user=moderator, organisation=None, role="moderator")
    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue"))
    assert queue.status_code == 200
    assert escape(ED) in queue.content.decode()
    page = client.get(reverse("moderation:story", kwargs={"pk": waiting.pk}))
    assert page.status_code == 200
    assert escape(ED) in page.content.decode()
