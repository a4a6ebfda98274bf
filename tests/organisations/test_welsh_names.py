"""Organisations' Welsh names and descriptions on the public side: the names the model
gives in each language, the public page in Welsh and English, and finding an
organisation by its Welsh name (docs/languages.md, "Welsh names of organisations")."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from apps.organisations.models import Organisation, OrganisationKind
from apps.organisations.selectors import organisation_search, with_place
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board() -> Organisation:
    return OrganisationFactory(
        name="Glenmarrow Health Board",
        name_cy="Bwrdd Iechyd Glenmarrow",
        kind=OrganisationKind.BOARD,
        description="We plan and provide NHS care for Glenmarrow.",
        description_cy="Rydym yn cynllunio ac yn darparu gofal GIG i Glenmarrow.",
    )


@pytest.fixture
def infirmary(board: Organisation) -> Organisation:
    return OrganisationFactory(
        parent=board,
        name="Glenmarrow Royal Infirmary",
        name_cy="Ysbyty Brenhinol Glenmarrow",
        kind=OrganisationKind.SITE,
    )


@pytest.fixture
def unit(infirmary: Organisation) -> Organisation:
    """A service with a Welsh name but no description of its own."""
    return OrganisationFactory(
        parent=infirmary, name="Renal Unit", name_cy="Uned Arennol", kind=OrganisationKind.SERVICE
    )


@pytest.fixture
def english_only(infirmary: Organisation) -> Organisation:
    return OrganisationFactory(
        parent=infirmary,
        name="Cardiology",
        kind=OrganisationKind.SERVICE,
        description="Heart care, outpatients and the cardiac ward.",
    )


def page(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode()


def h1(html: str) -> str:
    found = re.search(r"<h1([^>]*)>(.*?)</h1>", html, re.S)
    assert found
    return found.group(0)


# --- the model ------------------------------------------------------------------------
def test_own_name_and_description_follow_the_active_language(board: Organisation) -> None:
    with translation.override("cy"):
        assert board.own_name == "Bwrdd Iechyd Glenmarrow"
        assert board.display_name == "Bwrdd Iechyd Glenmarrow"
        assert str(board) == "Bwrdd Iechyd Glenmarrow"
        assert board.display_description.startswith("Rydym yn cynllunio")
        assert board.own_name_lang == board.display_description_lang == ""
    with translation.override("en-gb"):
        assert board.own_name == board.display_name == str(board) == "Glenmarrow Health Board"
        assert board.display_description == "We plan and provide NHS care for Glenmarrow."
        assert board.own_name_lang == board.display_description_lang == ""


def test_welsh_pages_fall_back_to_the_english_and_say_it_is_english(
    english_only: Organisation,
) -> None:
    with translation.override("cy"):
        assert english_only.own_name == english_only.display_name == "Cardiology"
        assert english_only.display_description.startswith("Heart care")
        assert english_only.own_name_lang == english_only.display_description_lang == "en-GB"


def test_a_welsh_name_with_no_welsh_description_shows_the_english_description(
    unit: Organisation,
) -> None:
    Organisation.objects.filter(pk=unit.pk).update(description="Dialysis, six days a week.")
    unit.refresh_from_db()
    with translation.override("cy"):
        assert unit.own_name == "Uned Arennol"
        assert unit.own_name_lang == ""
        assert unit.display_description == "Dialysis, six days a week."
        assert unit.display_description_lang == "en-GB"


def test_the_name_with_its_place_is_welsh_where_each_part_has_a_welsh_name(
    unit: Organisation, english_only: Organisation
) -> None:
    rows = {org.pk: org for org in with_place(Organisation.objects.filter(depth=3))}
    with translation.override("cy"):
        assert rows[unit.pk].display_name == (
            "Uned Arennol, Ysbyty Brenhinol Glenmarrow (Bwrdd Iechyd Glenmarrow)"
        )
        assert rows[english_only.pk].display_name == (
            "Cardiology, Ysbyty Brenhinol Glenmarrow (Bwrdd Iechyd Glenmarrow)"
        )
    with translation.override("en-gb"):
        assert rows[unit.pk].display_name == (
            "Renal Unit, Glenmarrow Royal Infirmary (Glenmarrow Health Board)"
        )


def test_a_row_loaded_without_its_welsh_name_costs_no_query_for_it(
    board: Organisation, django_assert_num_queries: object
) -> None:
    row = Organisation.objects.only("pk", "name", "slug").get(pk=board.pk)
    with translation.override("cy"), django_assert_num_queries(0):  # type: ignore[operator]
        assert str(row) == "Glenmarrow Health Board"


# --- the public page ------------------------------------------------------------------
def test_the_welsh_page_shows_the_welsh_name_and_description(
    board: Organisation, infirmary: Organisation
) -> None:
    html = page(f"/cy/organisations/{infirmary.slug}/")
    assert '<html lang="cy">' in html
    assert h1(html) == "<h1>Ysbyty Brenhinol Glenmarrow</h1>"
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title
    assert title.group(1).startswith("Ysbyty Brenhinol Glenmarrow")
    breadcrumbs = html.split('class="breadcrumbs', 1)[1].split("</nav>", 1)[0]
    assert "Bwrdd Iechyd Glenmarrow" in breadcrumbs
    assert "Ysbyty Brenhinol Glenmarrow" in breadcrumbs
    assert "Glenmarrow Health Board" not in html.split("<footer", 1)[0].split("<main", 1)[1]

    board_page = page(f"/cy/organisations/{board.slug}/")
    assert h1(board_page) == "<h1>Bwrdd Iechyd Glenmarrow</h1>"
    assert (
        '<div class="organisation-description"><p>Rydym yn cynllunio ac yn darparu gofal GIG '
        "i Glenmarrow.</p></div>" in board_page
    )
    assert "We plan and provide" not in board_page
    assert "Ysbyty Brenhinol Glenmarrow" in board_page  # its parts, by their Welsh names


def test_the_english_page_shows_the_english_name_and_description(board: Organisation) -> None:
    html = page(f"/organisations/{board.slug}/")
    assert '<html lang="en-GB">' in html
    assert h1(html) == "<h1>Glenmarrow Health Board</h1>"
    assert "We plan and provide NHS care for Glenmarrow." in html
    assert "Bwrdd Iechyd" not in html
    assert "Rydym" not in html


def test_the_welsh_page_of_an_organisation_without_welsh_shows_its_english_marked_so(
    english_only: Organisation,
) -> None:
    html = page(f"/cy/organisations/{english_only.slug}/")
    assert h1(html) == '<h1 lang="en-GB">Cardiology</h1>'
    assert (
        '<div class="organisation-description" lang="en-GB"><p>Heart care, outpatients and the '
        "cardiac ward.</p></div>" in html
    )


def test_no_description_no_empty_box(unit: Organisation) -> None:
    assert "organisation-description" not in page(f"/organisations/{unit.slug}/")
    assert "organisation-description" not in page(f"/cy/organisations/{unit.slug}/")


def test_descriptions_are_plain_text(board: Organisation) -> None:
    Organisation.objects.filter(pk=board.pk).update(
        description="<script>alert(1)</script>\n\nA second <b>paragraph</b>."
    )
    html = page(f"/organisations/{board.slug}/")
    assert "<script>alert(1)" not in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert "<p>A second &lt;b&gt;paragraph&lt;/b&gt;.</p>" in html


# --- finding an organisation by its Welsh name ----------------------------------------
def test_search_finds_an_organisation_by_its_welsh_name(
    board: Organisation, unit: Organisation, english_only: Organisation
) -> None:
    assert list(organisation_search(query="arennol")) == [unit]
    assert list(organisation_search(query="iechyd bwrdd")) == [board]
    assert list(organisation_search(query="renal unit")) == [unit]
    # Every word in one name: a word of each name together matches neither.
    assert list(organisation_search(query="bwrdd health")) == []


def test_the_welsh_directory_finds_and_lists_by_welsh_names(
    board: Organisation, unit: Organisation, english_only: Organisation
) -> None:
    html = page("/cy/organisations/?q=arennol")
    assert f'href="/cy/organisations/{unit.slug}/">Uned Arennol</a>' in html
    assert "Bwrdd Iechyd Glenmarrow</p>" in html  # "part of" the board, by its Welsh name
    english = page("/organisations/?q=arennol")
    assert f'href="/organisations/{unit.slug}/">Renal Unit</a>' in english
    # Listed in the order of the names each page shows.
    with translation.override("cy"):
        welsh_order = [org.own_name for org in organisation_search()]
    assert welsh_order == [
        "Bwrdd Iechyd Glenmarrow",
        "Cardiology",
        "Uned Arennol",
        "Ysbyty Brenhinol Glenmarrow",
    ]
    with translation.override("en-gb"):
        english_order = [org.own_name for org in organisation_search()]
    assert english_order == [
        "Cardiology",
        "Glenmarrow Health Board",
        "Glenmarrow Royal Infirmary",
        "Renal Unit",
    ]


def test_the_tell_forms_service_search_finds_a_welsh_name(unit: Organisation) -> None:
    html = page(reverse("stories:tell") + "?q=uned+arennol")
    assert "Renal Unit" in html
