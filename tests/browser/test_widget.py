"""An organisation copies the widget's code from its page onto its own website (another
origin): the widget shows inside the frame, sets no cookie, opens stories in a new tab;
an ordinary page of the site refuses to be framed there."""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.core.html import render
from apps.organisations.models import Organisation, OrganisationKind
from apps.responses.models import Response
from tests.factories import OrganisationFactory, StoryFactory

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def other_site() -> Iterator[tuple[str, Path]]:
    """Someone else's website: a static server on another address and port."""
    with tempfile.TemporaryDirectory() as folder:
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=folder))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", Path(folder)
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture
def trust(live_server: Any, settings: Any) -> Organisation:
    # The code to copy names the site's public address; here, the live server.
    settings.SITE_URL = live_server.url
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA")
    site = OrganisationFactory(parent=trust, name="Ashdown General Hospital", kind="site")
    ward = OrganisationFactory(parent=site, name="Ward 12", kind=OrganisationKind.SERVICE)
    answered = StoryFactory(services=[ward], title="The night before my operation")
    Response.objects.create(
        story=answered,
        organisation=ward,
        author_name="Priya Shah",
        author_job_title="Ward sister",
        body="Thank you for telling us. We now explain fasting times at admission.",
        body_html=render("Thank you for telling us. We now explain fasting times at admission."),
        published_at=timezone.now(),
    )
    StoryFactory(services=[ward], title="Kind porters", published_at=timezone.now())
    trust.refresh_from_db()
    return trust


def page_embedding(code: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ashdown Vale news'
        f"</title></head><body><main><h1>News from Ashdown Vale</h1>{code}</main></body></html>"
    )


def test_the_widget_shows_inside_another_sites_page(
    page: Page, live_server: Any, trust: Organisation, other_site: tuple[str, Path]
) -> None:
    origin, folder = other_site
    # The organisation's web editor copies the code from the organisation's page.
    page.goto(live_server.url + trust.get_absolute_url())
    follow = page.get_by_role("region", name=re.compile("Follow Ashdown Vale"))
    expect(
        follow.get_by_role("link", name=re.compile("Stories about Ashdown Vale"))
    ).to_be_visible()
    follow.get_by_text("Show these stories on your own website").click()
    code = follow.locator("pre code").inner_text()
    assert_accessible(page)
    assert code.startswith(f'<iframe src="{live_server.url}/organisations/{trust.slug}/widget/"')
    assert 'title="Stories about Ashdown Vale Hospitals NHS Foundation Trust on CareVoice"' in code
    page.context.clear_cookies()

    (folder / "news.html").write_text(page_embedding(code))
    page.goto(f"{origin}/news.html")
    expect(page.get_by_role("heading", name="News from Ashdown Vale")).to_be_visible()
    frame = page.frame_locator("iframe[title^='Stories about Ashdown Vale']")
    expect(frame.get_by_role("heading", level=1)).to_have_text(
        "Stories about Ashdown Vale Hospitals NHS Foundation Trust (opens in a new tab)"
    )
    expect(frame.get_by_role("heading", level=2)).to_have_count(2)
    expect(frame.get_by_text("Priya Shah")).to_be_visible()
    expect(frame.get_by_text("We now explain fasting times at admission.")).to_be_visible()
    expect(
        frame.get_by_role("link", name=re.compile("Tell your story about Ashdown"))
    ).to_be_visible()
    # Nothing was stored in the browser, for this site or the other.
    assert page.context.cookies() == []

    # A story opens on the site in a new tab; the organisation's page stays where it was.
    with page.context.expect_page() as opened:
        frame.get_by_role("link", name=re.compile("The night before my operation")).click()
    story_page = opened.value
    expect(story_page.get_by_role("heading", level=1)).to_have_text("The night before my operation")
    assert story_page.url.startswith(live_server.url + "/stories/")
    assert page.url == f"{origin}/news.html"


def test_ordinary_pages_refuse_to_be_framed_elsewhere(
    page: Page, live_server: Any, trust: Organisation, other_site: tuple[str, Path]
) -> None:
    origin, folder = other_site
    organisation_page = live_server.url + trust.get_absolute_url()
    widget = f"{live_server.url}/organisations/{trust.slug}/widget/"
    (folder / "framed.html").write_text(
        page_embedding(
            f'<iframe src="{organisation_page}" title="Organisation page"></iframe>'
            f'<iframe src="{widget}" title="Widget"></iframe>'
        )
    )
    with page.expect_response(organisation_page) as answered:
        page.goto(f"{origin}/framed.html", wait_until="load")  # both frames have loaded
    assert answered.value.headers["x-frame-options"] == "DENY"
    expect(
        page.frame_locator("iframe[title='Widget']").get_by_role("heading", level=1)
    ).to_be_visible()
    blocked = page.frame_locator("iframe[title='Organisation page']")
    expect(blocked.get_by_role("heading", name=trust.name)).to_have_count(0)
    expect(blocked.get_by_role("link", name="Tell your story")).to_have_count(0)
    # Chromium replaced the refused page with its own error page; the widget stayed.
    loaded = [frame.url for frame in page.frames]
    assert organisation_page not in loaded
    assert widget in loaded


def test_the_widget_is_accessible_and_fits_a_narrow_frame(
    page: Page, live_server: Any, trust: Organisation
) -> None:
    page.set_viewport_size({"width": 300, "height": 600})
    page.goto(f"{live_server.url}/organisations/{trust.slug}/widget/?limit=3")
    expect(page.get_by_role("heading", level=2)).to_have_count(2)
    assert_accessible(page)
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert fits, "the widget scrolls sideways at 300 pixels"
    # A mistake in the address is explained where the widget would be.
    page.goto(f"{live_server.url}/organisations/{trust.slug}/widget/?limit=50")
    expect(page.get_by_role("alert")).to_contain_text("from 1 to 10")
    assert_accessible(page)
