from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.stories.models import Story, Tag
from apps.stories.taxonomy import Channel
from apps.waysin import services
from apps.waysin.models import Campaign, Kiosk, StoryOrigin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def make(actor: User, node: Organisation, expires_at: dt.datetime | None = None) -> Campaign:
    return services.campaign_create(
        actor=actor, node=node, name="Text after clinic", expires_at=expires_at, nonce=uuid.uuid4()
    )


def tell(ward: Organisation, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "services": [ward.pk],
        "title": "",
        "body": "The clinic ran on time and the nurse explained my results clearly to me.",
        "good": [],
        "improve": [],
        "feelings": [Tag.objects.get(slug="felt-grateful").pk],
        "month": today.month,
        "year": today.year,
        "author_role": "patient",
        "pseudonym": "Clinic patient",
        "email": "patient@home.example",
        "consent_terms": "on",
        "consent_edits": "on",
        "website": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_campaign_link_preselects_the_service_and_marks_the_story(
    super_user: User, ward: Organisation
) -> None:
    campaign = make(super_user, ward)
    assert len(campaign.code) == 8
    url = f"/t/{campaign.code}"
    page = Client().get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="{url}"' in html
    assert f'value="{ward.pk}"' in html
    assert "checked" in html
    data = tell(ward)
    sent = Client().post(url, data)
    assert sent.status_code == 302
    Client().post(url, data)  # a double submit
    story = Story.objects.get()
    assert story.channel == Channel.CAMPAIGN
    assert StoryOrigin.objects.get(story=story).campaign == campaign
    # The ordinary form still marks its stories as told on the web.
    Client().post(reverse("stories:tell"), tell(ward))
    assert Story.objects.exclude(pk=story.pk).get().channel == Channel.WEB
    assert StoryOrigin.objects.count() == 1


def test_expired_campaign_link_says_so_and_takes_nothing(
    super_user: User, ward: Organisation
) -> None:
    campaign = make(super_user, ward, expires_at=timezone.now() + dt.timedelta(hours=1))
    url = f"/t/{campaign.code}"
    assert Client().get(url).status_code == 200
    Campaign.objects.filter(pk=campaign.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    page = Client().get(url)
    assert page.status_code == 410
    html = page.content.decode()
    assert "This link has ended" in html
    assert f"?service={ward.slug}" in html
    assert Client().post(url, tell(ward)).status_code == 410
    assert not Story.objects.exists()


def test_unknown_campaign_code_is_not_found(db: None) -> None:
    assert Client().get("/t/nosuchco").status_code == 404
    assert Client().get("/t/%F0%9F%98%80").status_code == 404


def test_campaign_end_now_and_expiry_in_the_past_refused(
    super_user: User, ward: Organisation
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make(super_user, ward, expires_at=timezone.now() - dt.timedelta(minutes=1))
    campaign = make(super_user, ward)
    assert services.campaign_end(actor=super_user, campaign=campaign)
    assert not services.campaign_end(actor=super_user, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.has_expired()
    assert AuditEntry.objects.filter(action="waysin.campaign.ended").count() == 1


def test_staff_page_makes_a_kiosk_and_a_campaign_and_counts_their_stories(
    client_as: Any, super_user: User, ward: Organisation
) -> None:
    staff = client_as("super_user")
    page = staff.get(reverse("waysin:index"))
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    nonce = str(uuid.uuid4())
    made = staff.post(
        reverse("waysin:index"),
        {
            "make": "kiosk",
            "kiosk-name": "Day room",
            "kiosk-node": str(ward.pk),
            "kiosk-exit_pin": "2468",
            "kiosk-nonce": nonce,
        },
    )
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    link = made.content.decode().split('id="kiosk-link" value="')[1].split('"')[0]
    assert "/kiosk/" in link
    again = staff.post(
        reverse("waysin:index"),
        {
            "make": "kiosk",
            "kiosk-name": "Day room",
            "kiosk-node": str(ward.pk),
            "kiosk-exit_pin": "2468",
            "kiosk-nonce": nonce,
        },
    )
    assert again.status_code == 302
    assert Kiosk.objects.count() == 1
    bad = staff.post(
        reverse("waysin:index"),
        {
            "make": "campaign",
            "campaign-name": "",
            "campaign-node": str(ward.pk),
            "campaign-expires_on": "1999-01-01",
            "campaign-nonce": str(uuid.uuid4()),
        },
    )
    assert bad.status_code == 200
    assert "Choose today or a later day." in bad.content.decode()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    staff.post(
        reverse("waysin:index"),
        {
            "make": "campaign",
            "campaign-name": "Clinic texts",
            "campaign-node": str(ward.pk),
            "campaign-expires_on": tomorrow.isoformat(),
            "campaign-nonce": str(uuid.uuid4()),
        },
    )
    campaign = Campaign.objects.get()
    Client().post(f"/t/{campaign.code}", tell(ward))
    listing = staff.get(reverse("waysin:index")).content.decode()
    row = listing.split("Clinic texts</td>")[1].split("</tr>")[0]
    assert "<td>1</td>" in row


def test_staff_page_refuses_people_who_manage_nothing(
    client_as: Any, responder: User, other_org: Organisation
) -> None:
    assert client_as("responder").get(reverse("waysin:index")).status_code == 403


def test_super_user_cannot_make_or_end_ways_in_of_another_trust(
    client_as: Any, super_user: User, other_org: Organisation, platform_admin: User
) -> None:
    staff = client_as("super_user")
    answer = staff.post(
        reverse("waysin:index"),
        {
            "make": "campaign",
            "campaign-name": "Sneaky",
            "campaign-node": str(other_org.pk),
            "campaign-nonce": str(uuid.uuid4()),
        },
    )
    assert "Choose one of the organisations you manage." in answer.content.decode()
    theirs = make(platform_admin, other_org)
    assert staff.post(reverse("waysin:campaign_end", kwargs={"pk": theirs.pk})).status_code == 403
    theirs.refresh_from_db()
    assert not theirs.has_expired()


def test_ways_in_page_queries_stay_flat(
    client_as: Any, super_user: User, ward: Organisation
) -> None:
    from apps.waysin.selectors import token_digest
    from tests.querybudget import QueryBudget

    staff = client_as("super_user")
    url = reverse("waysin:index")
    budget = QueryBudget("ways in page", limit=20)

    def grow(to: int) -> None:
        while Kiosk.objects.count() < to:
            n = Kiosk.objects.count()
            Kiosk.objects.create(node=ward, name=f"Tablet {n}", token_hash=token_digest(f"t{n}"))
            campaign = make(super_user, ward)
            story = Story.objects.create(
                body="x" * 40,
                pseudonym="P",
                author_role="patient",
                experienced_on=timezone.localdate().replace(day=1),
                channel=Channel.CAMPAIGN,
            )
            StoryOrigin.objects.create(story=story, campaign=campaign)

    grow(2)
    budget.measure(2, lambda: staff.get(url))
    grow(30)
    budget.measure(30, lambda: staff.get(url))
    budget.assert_flat()
