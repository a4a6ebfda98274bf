"""The Friends and Family Test question in the tell form (docs/ways-in.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from apps.organisations.models import Organisation, OrganisationKind
from apps.stories.models import Story, StoryService
from tests.factories import OrganisationFactory
from tests.stories.test_tell import valid

pytestmark = pytest.mark.django_db
TELL = reverse("stories:tell")
QUESTION = "Overall, how was your experience of our service?"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    return OrganisationFactory(parent=site, name="Ward 7", kind=OrganisationKind.SERVICE)


@pytest.fixture
def other_ward(other_org: Organisation) -> Organisation:
    site = Organisation.objects.get(path__startswith=other_org.path, depth=2)
    return OrganisationFactory(parent=site, name="Ward 9", kind=OrganisationKind.SERVICE)


def _ask(trust: Organisation, when: str) -> None:
    Organisation.objects.filter(pk=trust.pk).update(fft_asked=when)


def _positions(html: str) -> dict[str, int]:
    return {
        "fft": html.find(QUESTION),
        "story": html.find('name="body"'),
        "tags": html.find("How did it make you feel?"),
        "when": html.find("Month and year"),
    }


def test_the_question_is_not_asked_where_the_trust_does_not_ask_it(
    client: Client, ward: Organisation
) -> None:
    html = client.get(TELL, {"service": ward.pk}).content.decode()
    assert QUESTION not in html
    assert f'name="fft_{ward.pk}"' not in html


def test_the_question_comes_before_the_story_where_the_trust_asks_it_before(
    client: Client, org: Organisation, ward: Organisation
) -> None:
    _ask(org, "before")
    html = client.get(TELL, {"service": ward.pk}).content.decode()
    at = _positions(html)
    assert 0 < at["fft"] < at["story"]
    assert html.count(f'name="fft_{ward.pk}"') == 6
    assert "Ward 7" in html[at["fft"] : at["story"]]


def test_the_question_comes_after_the_story_where_the_trust_asks_it_after(
    client: Client, org: Organisation, ward: Organisation
) -> None:
    _ask(org, "after")
    html = client.get(TELL, {"service": ward.pk}).content.decode()
    at = _positions(html)
    assert at["story"] < at["tags"] < at["fft"] < at["when"]


def test_a_service_of_a_trust_that_does_not_ask_gets_no_question_beside_one_that_does(
    client: Client, org: Organisation, ward: Organisation, other_ward: Organisation
) -> None:
    _ask(org, "after")
    html = client.get(TELL, {"service": [ward.pk, other_ward.pk]}).content.decode()
    assert f'name="fft_{ward.pk}"' in html
    assert f'name="fft_{other_ward.pk}"' not in html


def test_trusts_that_disagree_get_the_question_before_the_story(
    client: Client,
    org: Organisation,
    other_org: Organisation,
    ward: Organisation,
    other_ward: Organisation,
) -> None:
    _ask(org, "after")
    _ask(other_org, "before")
    html = client.get(TELL, {"service": [ward.pk, other_ward.pk]}).content.decode()
    at = _positions(html)
    assert 0 < at["fft"] < at["story"]
    assert f'name="fft_{ward.pk}"' in html
    assert f'name="fft_{other_ward.pk}"' in html


def test_the_answers_are_kept_with_the_story_per_service(
    client: Client,
    org: Organisation,
    other_org: Organisation,
    ward: Organisation,
    other_ward: Organisation,
) -> None:
    _ask(org, "before")
    _ask(other_org, "after")
    data = valid(ward, services=[ward.pk, other_ward.pk])
    data[f"fft_{ward.pk}"] = "very_good"
    data[f"fft_{other_ward.pk}"] = "dont_know"
    assert client.post(TELL, data).status_code == 302
    story = Story.objects.get()
    answers = dict(StoryService.objects.filter(story=story).values_list("organisation", "fft"))
    assert answers == {ward.pk: "very_good", other_ward.pk: "dont_know"}


def test_the_question_may_be_skipped(client: Client, org: Organisation, ward: Organisation) -> None:
    _ask(org, "before")
    assert client.post(TELL, valid(ward)).status_code == 302
    assert StoryService.objects.get().fft == ""


def test_an_answer_is_not_kept_where_the_trust_does_not_ask(
    client: Client, ward: Organisation
) -> None:
    data = valid(ward)
    data[f"fft_{ward.pk}"] = "poor"
    assert client.post(TELL, data).status_code == 302
    assert StoryService.objects.get().fft == ""


def test_a_field_error_keeps_the_answer(
    client: Client, org: Organisation, ward: Organisation
) -> None:
    _ask(org, "before")
    data: dict[str, Any] = valid(ward, body="")
    data[f"fft_{ward.pk}"] = "poor"
    html = client.post(TELL, data).content.decode()
    assert not Story.objects.exists()
    assert f'name="fft_{ward.pk}" value="poor" id="id_fft_{ward.pk}_3" checked' in html


def test_finding_a_service_shows_the_question_for_the_ticked_ones(
    client: Client, org: Organisation, ward: Organisation
) -> None:
    _ask(org, "before")
    html = client.post(TELL, {"services": [ward.pk], "q": "Outpatients", "find": "1"}).content
    assert QUESTION in html.decode()
    assert f'name="fft_{ward.pk}"'.encode() in html


def test_an_answer_that_is_not_one_of_the_six_is_refused(
    client: Client, org: Organisation, ward: Organisation
) -> None:
    _ask(org, "before")
    data = valid(ward)
    data[f"fft_{ward.pk}"] = "brilliant"
    response = client.post(TELL, data)
    assert response.status_code == 200
    assert not Story.objects.exists()


def test_the_questions_for_the_services_ticked_now_keep_their_answers(
    client: Client, org: Organisation, ward: Organisation
) -> None:
    """What static/js/tell.js asks for when a service is ticked: both places, the answers
    chosen so far checked, an answer that is not one of the six simply not checked."""
    Organisation.objects.filter(pk=org.pk).update(fft_asked="after")
    asked = {"part": "fft", "services": [ward.pk], f"fft_{ward.pk}": "poor"}
    html = client.get(TELL, asked, headers={"HX-Request": "true"}).content.decode()
    assert '<div id="fft-before"></div>' in html
    assert 'value="poor" id="id_fft_' in html
    assert f'value="poor" id="id_fft_{ward.pk}_3" checked' in html
    odd = {**asked, f"fft_{ward.pk}": "nonsense"}
    answer = client.get(TELL, odd, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "checked" not in answer.content.decode()
    none = client.get(TELL, {"part": "fft"}, headers={"HX-Request": "true"}).content.decode()
    assert "Overall, how was your experience" not in none
