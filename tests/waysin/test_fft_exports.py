"""The ways in in staff exports: channel, campaign, Friends and Family Test answers, and
who helped; none of them in a public export."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.organisations.models import Organisation, OrganisationKind
from apps.stories.models import StoryService
from apps.waysin.models import Campaign, StoryOrigin
from tests.exports.test_exports import CSV_URL, XLSX_URL, csv_rows, staff_member, xlsx_rows
from tests.factories import OrganisationFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(org: Organisation, other_org: Organisation) -> dict[str, Any]:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    ward = OrganisationFactory(parent=site, name="Ward 7", kind=OrganisationKind.SERVICE)
    clinic = OrganisationFactory(parent=site, name="Eye clinic", kind=OrganisationKind.SERVICE)
    elsewhere = Organisation.objects.get(path__startswith=other_org.path, depth=3)
    now = timezone.now()
    kiosk_story = StoryFactory(
        services=[ward, clinic, elsewhere],
        published_at=now,
        channel="kiosk",
        helped_by="Volunteer Jo",
    )
    for service, answer in ((ward, "very_good"), (clinic, "dont_know"), (elsewhere, "poor")):
        StoryService.objects.filter(story=kiosk_story, organisation=service).update(fft=answer)
    texted = StoryFactory(services=[ward], published_at=now, channel="campaign")
    campaign = Campaign.objects.create(node=org, name="After clinic text", code="exp001")
    StoryOrigin.objects.create(story=texted, campaign=campaign)
    plain = StoryFactory(services=[ward], published_at=now)
    theirs = StoryFactory(services=[elsewhere], published_at=now, channel="paper", helped_by="Kim")
    StoryService.objects.filter(story=theirs).update(fft="good")
    return {"org": org, "kiosk": kiosk_story, "texted": texted, "plain": plain, "theirs": theirs}


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_staff_exports_carry_the_ways_in_of_their_own_stories(
    told: dict[str, Any], url: str
) -> None:
    response = staff_member(told["org"]).get(url)
    rows = {int(r["id"]): r for r in (csv_rows if url == CSV_URL else xlsx_rows)(response)}
    kiosk, texted, plain = (rows[told[k].pk] for k in ("kiosk", "texted", "plain"))
    assert kiosk["channel"] == "a device at the service"
    assert kiosk["helped by"] == "Volunteer Jo"
    # Only the person's own trust's services' answers, in the author's order.
    assert kiosk["friends and family test"] == (
        "Ward 7, Northfield Hospital (Northfield): Very good; "
        "Eye clinic, Northfield Hospital (Northfield): Don't know"
    )
    assert kiosk["campaign"] == ""
    assert texted["campaign"] == "After clinic text"
    assert texted["channel"] == "a link the organisation sent"
    assert (plain["channel"], plain["friends and family test"], plain["helped by"]) == (
        "online form",
        "",
        "",
    )
    # Another trust's story: in the file, but none of its staff cells.
    theirs = rows[told["theirs"].pk]
    assert (theirs["channel"], theirs["friends and family test"], theirs["helped by"]) == (
        "",
        "",
        "",
    )


def test_public_exports_carry_none_of_it(told: dict[str, Any]) -> None:
    rows = csv_rows(Client().get(CSV_URL))
    assert not {"channel", "campaign", "friends and family test", "helped by"} & set(rows[0])
    data = Client().get(CSV_URL).getvalue()
    for secret in (b"Volunteer Jo", b"After clinic text", b"Very good"):
        assert secret not in data
