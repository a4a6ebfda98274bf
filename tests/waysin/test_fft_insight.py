"""Friends and Family Test answers and stories by channel and campaign in insight."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from apps.organisations.models import Organisation, OrganisationKind
from apps.organisations.selectors import with_place
from apps.stories.models import Story, StoryService
from apps.waysin.models import Campaign, StoryOrigin
from tests.factories import OrganisationFactory, StoryFactory
from tests.insights.test_insight_page import part, text_of, this_month, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh() -> None:
    cache.clear()


def answered(
    service: Organisation, *answers: str, channel: str = "web", when: dt.datetime | None = None
) -> list[Story]:
    made = []
    for answer in answers:
        story = StoryFactory(services=[service], published_at=when or this_month(), channel=channel)
        StoryService.objects.filter(story=story).update(fft=answer)
        made.append(story)
    return made


ANSWER_HEADINGS = ["Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know"]


def named(service: Organisation) -> str:
    """The service as insight names it: with its place."""
    return with_place(Organisation.objects.filter(pk=service.pk)).get().display_name


def table(html: str, table_id: str) -> dict[str, list[str]]:
    """A table's rows by their heading: the cells' text."""
    body = html[html.index(f'id="{table_id}"') :]
    body = body[: body.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [
            unescape(text_of(c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def test_answers_are_counted_and_the_share_leaves_out_dont_know(
    client: Client, org: Organisation
) -> None:
    ward = part(org, 3)
    answered(ward, "very_good", "very_good", "good", "poor", "dont_know", "dont_know")
    html = client.get(url(org)).content.decode()
    month = this_month().strftime("%B %Y")
    # Very good, good, neither, poor, very poor, don't know, all, share: 3 of 4 rated.
    assert table(html, "fft-months-table")[month] == ["2", "1", "0", "1", "0", "2", "6", "75%"]
    assert table(html, "fft-channels-table")["Online form"][-2:] == ["6", "75%"]
    assert table(html, "fft-services-table") == {
        "Service": [*ANSWER_HEADINGS, "All answers", "Share positive"],
        named(ward): ["2", "1", "0", "1", "0", "2", "6", "75%"],
    }


@pytest.mark.parametrize("staff", [False, True])
def test_fewer_than_five_answers_are_suppressed_and_five_are_shown(
    client_as: Any, org: Organisation, staff: bool
) -> None:
    client = client_as("reader" if staff else "anonymous")
    ward = part(org, 3)
    other = OrganisationFactory(parent=part(org, 2), name="Ward 9", kind=OrganisationKind.SERVICE)
    answered(ward, "good", "good", "poor", "very_good")  # 4
    answered(other, "good", "good", "poor", "very_good", "neither")  # 5
    html = client.get(url(org, staff=staff)).content.decode()
    services = table(html, "fft-services-table")
    assert services[named(ward)] == ["–"] * 6 + ["fewer than 5", "–"]
    assert services[named(other)] == ["1", "2", "1", "1", "0", "0", "5", "60%"]
    # The month holds all nine: shown.
    assert table(html, "fft-months-table")[this_month().strftime("%B %Y")][-2:] == ["9", "67%"]


def test_answers_of_services_outside_the_node_are_not_counted(
    client: Client, org: Organisation, other_org: Organisation
) -> None:
    ward, elsewhere = part(org, 3), part(other_org, 3)
    for story in answered(ward, *["good"] * 5):
        StoryService.objects.create(story=story, organisation=elsewhere, position=1, fft="poor")
    html = client.get(url(org)).content.decode()
    assert table(html, "fft-months-table")[this_month().strftime("%B %Y")][-2:] == ["5", "100%"]
    assert named(elsewhere) not in table(html, "fft-services-table")


def test_no_answers_means_no_friends_and_family_section(client: Client, org: Organisation) -> None:
    StoryFactory(services=[part(org, 3)], published_at=this_month())
    html = client.get(url(org)).content.decode()
    assert 'id="fft"' not in html
    assert 'id="ways-in"' in html


def _campaign(org: Organisation, name: str, code: str) -> Campaign:
    return Campaign.objects.create(node=org, name=name, code=code)


def test_stories_by_channel_and_by_campaign_for_staff_only(
    client_as: Any, org: Organisation
) -> None:
    ward = part(org, 3)
    texted = _campaign(org, "After outpatients text", "abc123")
    for story in answered(ward, *[""] * 6, channel="campaign"):
        StoryOrigin.objects.create(story=story, campaign=texted)
    answered(ward, *[""] * 5, channel="kiosk")
    answered(ward, *[""] * 2, channel="web")

    staff = client_as("reader").get(url(org, staff=True)).content.decode()
    public = client_as("anonymous").get(url(org)).content.decode()

    assert table(staff, "channels-table") == {
        "Channel": ["Stories"],
        "A link the organisation sent": ["6"],
        "A device at the service": ["5"],
        "Online form": ["2"],
    }
    assert table(staff, "campaigns-table")["After outpatients text"] == ["6"]
    assert table(public, "channels-table")["Online form"] == ["fewer than 5"]
    assert "After outpatients text" not in public
    assert 'id="campaigns-table"' not in public


def test_campaigns_of_stories_outside_the_scope_are_not_shown(
    client_as: Any, org: Organisation, other_org: Organisation
) -> None:
    theirs = _campaign(other_org, "Southgate survey", "zzz999")
    for story in answered(part(other_org, 3), "", channel="campaign"):
        StoryOrigin.objects.create(story=story, campaign=theirs)
    answered(part(org, 3), "")
    html = client_as("reader").get(url(org, staff=True)).content.decode()
    assert "Southgate survey" not in text_of(html)
