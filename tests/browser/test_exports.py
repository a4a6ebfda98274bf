"""A reader narrows the stories to one trust and downloads them as CSV and as Excel from
the results; the open data page describes its files, links to them, and passes axe."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, expect

from apps.organisations.models import Organisation
from tests.factories import OrganisationFactory, StoryFactory

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> dict[str, Organisation]:
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    ashdown = OrganisationFactory(name="Ashdown Vale Hospitals NHS Trust", ods_code="ZZA")
    site = OrganisationFactory(parent=ashdown, name="Ashdown General Hospital", kind="site")
    ward = OrganisationFactory(parent=site, name="Ward 4", kind="service")
    brook = OrganisationFactory(name="Brookfield Hospitals NHS Trust", ods_code="ZZB")
    brook_ward = OrganisationFactory(parent=brook, name="Ward 9", kind="service")
    StoryFactory(title="Calm on the night shift", services=[ward])
    StoryFactory(title="=Kind porters", services=[ward])
    StoryFactory(title="Elsewhere entirely", services=[brook_ward])
    return {"trust": ashdown}


def test_a_reader_downloads_a_trusts_stories_and_finds_the_open_data(
    browser: Browser, live_server: Any, world: dict[str, Organisation]
) -> None:
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(f"{live_server.url}/stories/?organisation={world['trust'].slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stories")
    assert_accessible(page)

    with page.expect_download() as got:
        page.get_by_role("link", name="CSV (comma-separated values)").click()
    text = Path(got.value.path()).read_text(encoding="utf-8-sig")
    titles = {row["title"] for row in csv.DictReader(io.StringIO(text))}
    assert titles == {"Calm on the night shift", "'=Kind porters"}

    with page.expect_download() as got:
        page.get_by_role("link", name="Excel (XLSX workbook)").click()
    assert got.value.suggested_filename.endswith(".xlsx")
    with zipfile.ZipFile(got.value.path()) as book:
        assert "xl/worksheets/sheet1.xml" in book.namelist()

    # The open data: first none, then the nightly files.
    page.get_by_role("link", name="what the columns mean").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open data")
    expect(page.get_by_role("main")).to_contain_text("has not been made yet")
    call_command("open_data_dump", stdout=io.StringIO())
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("3 stories and 0 responses")
    assert_accessible(page)
    with page.expect_download() as got:
        page.get_by_role("link", name="Stories with their responses (JSON)").click()
    assert "Elsewhere entirely" in Path(got.value.path()).read_text(encoding="utf-8")
    page.context.close()
