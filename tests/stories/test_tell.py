from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.organisations.models import Organisation, OrganisationKind
from apps.stories.models import Story, StoryRevision, StoryStatus, StoryTag, Tag
from apps.stories.services import story_for_token
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
TELL = reverse("stories:tell")


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    return OrganisationFactory(
        parent=site, name="Ward 7", kind=OrganisationKind.SERVICE, ods_code="RNF07"
    )


def valid(ward: Organisation, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "services": [ward.pk],
        "title": "",
        "body": "The night staff on Ward 7 sat with my dad when he was frightened. Thank you.",
        "good": [Tag.objects.get(slug="staff-manner-and-attitude").pk],
        "improve": [Tag.objects.get(slug="food-and-drink").pk],
        "feelings": [Tag.objects.get(slug="felt-grateful").pk],
        "month": today.month,
        "year": today.year,
        "author_role": "relative",
        "pseudonym": "Grateful daughter",
        "email": "Daughter@Home.example",
        "consent_terms": "on",
        "consent_edits": "on",
        "website": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_telling_a_story_records_it_for_moderation_and_emails_the_link(
    client: Client, ward: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(TELL, valid(ward))
    assert response.status_code == 302
    assert response["Location"] == reverse("stories:told")
    story = Story.objects.get()
    assert story.status == StoryStatus.AWAITING_MODERATION
    assert story.published_at is None
    assert story.author_email == "daughter@home.example"
    assert list(story.services.all()) == [ward]
    assert sorted(StoryTag.objects.values_list("tag__slug", "polarity")) == [
        ("felt-grateful", "positive"),
        ("food-and-drink", "improve"),
        ("staff-manner-and-attitude", "good"),
    ]
    original = StoryRevision.objects.get(story=story)
    assert (original.number, original.body) == (0, story.body)
    # The link is emailed, and shown once on the thank-you page.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["daughter@home.example"]
    token = mail.outbox[0].body.split("/my-story/")[1].split("/")[0]
    assert story_for_token(token) == story
    thanks = client.get(reverse("stories:told")).content.decode()
    # The whole address, as emailed, to copy or write down, and why to keep it.
    assert f'<code id="private-address">{settings.SITE_URL}/my-story/{token}/</code>' in thanks
    assert "this address is your only way back to your story" in thanks
    assert "usually within 2 working days" in thanks
    assert f"/my-story/{token}/" not in client.get(reverse("stories:told")).content.decode()


def test_a_double_submit_makes_one_story(client: Client, ward: Organisation) -> None:
    data = valid(ward)
    client.post(TELL, data)
    again = client.post(TELL, data)
    assert again.status_code == 302
    assert Story.objects.count() == 1


def test_the_form_starts_with_a_service_from_the_link(client: Client, ward: Organisation) -> None:
    for key in (ward.slug, ward.ods_code, str(ward.pk)):
        response = client.get(TELL, {"service": key})
        assert response.context["form"].initial["services"] == [ward.pk]
        assert f'value="{ward.pk}"' in response.content.decode()
        assert "checked" in response.content.decode()


def test_service_search_offers_matches_and_htmx_gets_only_them(
    client: Client, ward: Organisation
) -> None:
    page = client.get(TELL, {"q": "ward 7"})
    assert [o.name for o in page.context["found"]] == ["Ward 7"]
    fragment = client.get(TELL, {"q": "rnf07"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="service-options"')
    assert "Ward 7, Northfield Hospital (Northfield)" in fragment


def test_find_keeps_everything_typed_and_ticked_and_checks_nothing_yet(
    client: Client, ward: Organisation
) -> None:
    site = Organisation.objects.get(path=ward.path[: -Organisation.steplen])
    ward_8 = OrganisationFactory(parent=site, name="Ward 8", kind=ward.kind)
    typed = valid(ward, pseudonym="", find="1", q="ward 8")
    page = client.post(TELL, typed)
    assert page.status_code == 200
    assert Story.objects.count() == 0
    html = page.content.decode()
    assert "There is a problem" not in html
    assert "Choose a name to show with your story." not in html
    assert typed["body"] in html
    assert 'value="ward 8"' in html
    assert 'value="Daughter@Home.example"' in html
    boxes = re.findall(r'<input type="checkbox" name="services" value="(\d+)"([^>]*)>', html)
    assert {int(pk): "checked" in attrs for pk, attrs in boxes} == {ward.pk: True, ward_8.pk: False}
    # Ticking the second service and sending tells the story about both.
    typed.pop("find")
    typed.update(services=[ward.pk, ward_8.pk], pseudonym="Grateful daughter")
    sent = client.post(TELL, typed)
    assert sent.status_code == 302
    assert set(Story.objects.get().services.all()) == {ward, ward_8}


def test_a_search_whose_matches_are_ticked_says_so_not_that_nothing_matches(
    client: Client, ward: Organisation
) -> None:
    typed = valid(ward, find="1", q="ward 7")
    html = client.post(TELL, typed).content.decode()
    assert "The services matching “ward 7” are ticked above." in html
    assert "No open service matches" not in html
    typed["q"] = "no such ward anywhere"
    html = client.post(TELL, typed).content.decode()
    assert "No open service matches “no such ward anywhere”." in html


def test_finding_services_does_not_count_towards_the_limit(
    client: Client, ward: Organisation
) -> None:
    for _ in range(25):
        assert client.post(TELL, valid(ward, find="1", q="ward")).status_code == 200
    assert client.post(TELL, valid(ward)).status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("services", [], "Choose the service your story is about."),
        ("body", "", "Tell us what happened."),
        ("body", "Too short.", "at least 30 characters"),
        ("body", "x" * 10_001, "at most 10000 characters"),
        ("title", "t" * 151, "at most 150 characters"),
        ("month", "", "Choose the month it happened."),
        ("year", "1990", "Select a valid choice"),
        ("author_role", "king", "Select a valid choice"),
        ("pseudonym", "", "Choose a name to show with your story."),
        ("pseudonym", "sam@home.example", "looks like an email address"),
        ("pseudonym", "Sarah Jones", "looks like a real full name"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("consent_terms", "", "agree to the terms"),
        ("consent_edits", "", "a moderator may edit"),
    ],
)
def test_each_bad_value_is_explained_beside_its_field_and_nothing_is_lost(
    client: Client, ward: Organisation, field: str, value: Any, message: str
) -> None:
    response = client.post(TELL, valid(ward, **{field: value}))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    body = response.content.decode()
    assert "There is a problem" in body
    # What was typed is still there.
    if field != "body":
        assert "The night staff on Ward 7 sat with my dad" in body
    assert Story.objects.count() == 0


def test_descriptive_pseudonyms_are_fine(client: Client, ward: Organisation) -> None:
    for name in (
        "Grateful Mum",
        "Patient, Ward 7",
        "happy patient",
        "very grateful",
        "Worried Dad",
    ):
        response = client.post(TELL, valid(ward, pseudonym=name))
        assert response.status_code == 302, (name, response.context["form"].errors)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sarah jones", "looks like a real full name"),
        ("SARAH JONES", "looks like a real full name"),
        ("Sarah\u200b Jones", "looks like a real full name"),
        ("Sa\u200brah Jones", "looks like a real full name"),
        ("José García-López", "looks like a real full name"),
        ("sam\uff20home.example", "looks like an email address"),
        ("sam\u200b@home.example", "looks like an email address"),
        ("Grateful\ndaughter", "on one line"),
        ("Grateful\r\ndaughter", "on one line"),
        ("Grateful\u2028daughter", "on one line"),
    ],
)
def test_pseudonyms_are_checked_in_their_normal_form(
    client: Client, ward: Organisation, name: str, message: str
) -> None:
    response = client.post(TELL, valid(ward, pseudonym=name))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["pseudonym"])
    assert Story.objects.count() == 0


def test_a_pseudonym_is_kept_in_its_normal_form(client: Client, ward: Organisation) -> None:
    assert client.post(TELL, valid(ward, pseudonym="Ｇrateful\u200b  daughter ")).status_code == 302
    assert Story.objects.get().pseudonym == "Grateful daughter"


def test_an_experience_older_than_three_years_is_refused_with_a_reason(
    client: Client, ward: Organisation
) -> None:
    # The clock is an edge: fix "today" so the boundary is the same every day of the year.
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 6, 15)):
        too_old = client.post(TELL, valid(ward, year=2023, month=5))
        oldest = client.post(TELL, valid(ward, year=2023, month=6))
        future = client.post(TELL, valid(ward, year=2026, month=7))
    errors = " ".join(too_old.context["form"].errors["year"])
    assert "last 3 years" in errors
    assert "complaints team" in errors
    assert oldest.status_code == 302
    assert "has not happened yet" in " ".join(future.context["form"].errors["month"])


def test_a_one_megabyte_story_is_refused_with_a_message(client: Client, ward: Organisation) -> None:
    response = client.post(TELL, valid(ward, body="a" * 1_000_000))
    assert response.status_code == 200
    assert "at most 10000 characters" in " ".join(response.context["form"].errors["body"])
    assert Story.objects.count() == 0


def test_an_aspect_cannot_be_both_good_and_to_improve(client: Client, ward: Organisation) -> None:
    tag = Tag.objects.get(slug="discharge").pk
    response = client.post(TELL, valid(ward, good=[tag], improve=[tag]))
    assert "not both" in " ".join(response.context["form"].errors["improve"])


def test_robots_filling_the_hidden_field_are_thanked_and_ignored(
    client: Client, ward: Organisation
) -> None:
    response = client.post(TELL, valid(ward, website="http://spam.example"))
    assert response.status_code == 302
    assert Story.objects.count() == 0
    assert mail.outbox == []


def test_too_many_stories_from_one_address_are_slowed_down(
    client: Client, ward: Organisation
) -> None:
    for _ in range(20):
        client.post(TELL, valid(ward))
    response = client.post(TELL, valid(ward))
    assert response.status_code == 429
    assert "Too many stories" in response.content.decode()
    assert Story.objects.count() == 20


def test_script_typed_into_fields_is_shown_as_text(client: Client, ward: Organisation) -> None:
    response = client.post(TELL, valid(ward, title="<script>alert(1)</script>", email="bad"))
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_link_can_be_sent_again_without_revealing_who_told_stories(
    client: Client, ward: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    client.post(TELL, valid(ward))
    url = reverse("stories:resend_link")
    with django_capture_on_commit_callbacks(execute=True):
        told = client.post(url, {"email": "daughter@home.example"}, follow=True)
        unknown = client.post(url, {"email": "stranger@home.example"}, follow=True)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["daughter@home.example"]
    message = "If a story was told with that address"
    assert message in told.content.decode()
    assert message in unknown.content.decode()


def _ids_and_references(html: str) -> tuple[set[str], list[str], list[str]]:
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'href="#([^"]+)"', summary)
    described = [
        ref for refs in re.findall(r'aria-describedby="([^"]+)"', html) for ref in refs.split()
    ]
    return ids, links, described


@pytest.mark.parametrize("with_options", [False, True])
def test_every_error_link_and_description_names_an_element_that_is_there(
    client: Client, ward: Organisation, with_options: bool
) -> None:
    data = {"submission_key": str(uuid.uuid4()), "month": "13"}
    if with_options:
        data["services"] = ["999999"]  # not a service: the list shows none, the error stays
    url = TELL + (f"?service={ward.pk}" if with_options else "")
    html = client.post(url, data).content.decode()
    ids, links, described = _ids_and_references(html)
    assert "services_0" not in "".join(links) or "id_services_0" in ids
    assert len(links) >= 8
    assert [link for link in links if link not in ids] == []
    assert [ref for ref in described if ref not in ids] == []
    assert 'aria-describedby="id_month_error"' in html


def test_with_no_service_listed_the_error_leads_to_the_service_search(client: Client) -> None:
    html = client.post(TELL, {"submission_key": str(uuid.uuid4())}).content.decode()
    assert '<a href="#find-q">Choose the service your story is about.</a>' in html


def test_the_error_summary_takes_the_focus(client: Client) -> None:
    html = client.post(TELL, {"submission_key": str(uuid.uuid4())}).content.decode()
    assert re.search(r'<div class="error-summary"[^>]*tabindex="-1"[^>]*autofocus', html)
