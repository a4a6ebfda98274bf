"""The platform's age limit (settings.STORY_MAX_AGE_YEARS) at the tell form and the staff
entry form: refused with the reason, next to the field, with the clock moved."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from apps.accounts.models import User
from apps.organisations.models import Organisation
from apps.stories.models import Story

from .test_moderation import signed_in
from .test_tell import TELL, valid

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def today() -> Any:
    return mock.patch("django.utils.timezone.localdate", return_value=TODAY)


@override_settings(STORY_MAX_AGE_YEARS=1)
def test_the_limit_is_a_setting(client: Client, org: Organisation) -> None:
    with today():
        too_old = client.post(TELL, valid(org, year=2025, month=5))
        just_in = client.post(TELL, valid(org, year=2025, month=6))
    errors = " ".join(too_old.context["form"].errors["year"])
    assert "from the last year" in errors
    assert "complaints team" in errors
    assert just_in.status_code == 302
    assert Story.objects.count() == 1


def test_the_error_is_shown_next_to_the_year(client: Client, org: Organisation) -> None:
    with today():
        page = client.post(TELL, valid(org, year=2022, month=12)).content.decode()
    field = page.index('id="id_year_error"')
    assert "last 3 years" in page[field : field + 600]


def test_an_older_year_can_be_chosen_and_is_refused(client: Client, org: Organisation) -> None:
    """The year list offers one year past the limit, "or earlier", so someone whose care
    was long ago is told why rather than picking a wrong year."""
    with today():
        page = client.get(TELL).content.decode()
        refused = client.post(TELL, valid(org, year=2022, month=1))
    assert "2022 or earlier" in page
    assert "We publish experiences from the last 3 years." in page
    assert "last 3 years" in " ".join(refused.context["form"].errors["year"])
    assert Story.objects.count() == 0


def test_the_staff_entry_form_refuses_the_same(org: Organisation, responder: User) -> None:
    service = Organisation.objects.get(path__startswith=org.path, depth=3)
    client = signed_in(responder)
    data = {
        "channel": "paper",
        "services": [service.pk],
        "title": "",
        "body": "A letter about the clinic in 2021: nobody told us the appointment moved.",
        "month": 1,
        "year": 2022,
        "author_role": "patient",
        "pseudonym": "Letter writer",
        "email": "",
        "consent_terms": "on",
        "consent_edits": "on",
        "submission_key": "6f1a0c5e-2b1d-4c3a-9d8e-7f6a5b4c3d2e",
    }
    with today():
        page = client.post(reverse("moderation:enter"), data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Experiences from the last 3 years only." in html
    assert "last 3 years, so staff can still learn" in " ".join(page.context["form"].errors["year"])
    assert Story.objects.count() == 0
