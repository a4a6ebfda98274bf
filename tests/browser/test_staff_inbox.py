"""Staff land on their work after signing in, through the second factor; the inbox's
filters work by keyboard with and without JavaScript; its badges say what they mean."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from apps.responses.models import Response
from apps.responses.services import referral_create
from tests.factories import OrganisationFactory, RoleFactory, StoryFactory, UserFactory
from tests.factories import with_second_factor as second_factor

from .accessibility import assert_accessible
from .test_staff_journey import sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Sign-in is rate limited per address (30 a minute) in the shared cache: these
    tests sign in many times from 127.0.0.1, so they start and leave the count at zero."""
    cache.clear()
    yield
    cache.clear()


SHOTS = os.environ.get("CAREVOICE_SHOTS", "")  # a folder: save screenshots there


def person(email: str, role: RoleName, at: Any = None) -> Any:
    user = UserFactory(email=email, display_name=email.split("@")[0].title())
    RoleFactory(user=user, role=role, organisation=at)
    return second_factor(user)


@pytest.fixture
def trust() -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA")
    site = OrganisationFactory(parent=trust, name="Ashdown General Hospital", kind="site")
    medicine = OrganisationFactory(
        parent=site, name="Emergency and Acute Medicine", kind=OrganisationKind.DIRECTORATE
    )
    ed = OrganisationFactory(parent=medicine, name="Emergency Department", kind="service")
    amu = OrganisationFactory(parent=medicine, name="Acute Medical Unit", kind="service")
    now = timezone.now()
    waited = StoryFactory(
        title="Nobody came when I rang the bell",
        services=[amu],
        criticality=4,
        published_at=now - dt.timedelta(days=12),
    )
    StoryFactory(
        title="Kind nurses on a busy night",
        services=[ed],
        criticality=0,
        published_at=now - dt.timedelta(hours=2),
    )
    answered = StoryFactory(
        title="Discharged without my letter",
        services=[amu],
        criticality=2,
        published_at=now - dt.timedelta(days=20),
    )
    helen = person("helen@ashdown-vale.example", RoleName.SUPER_USER, trust)
    Response.objects.create(
        story=answered,
        organisation=amu,
        author=helen,
        body="I am sorry.",
        body_html="<p>I am sorry.</p>",
        published_at=now - dt.timedelta(days=19),
    )
    rory = person("rory@ashdown-vale.example", RoleName.RESPONDER, ed)
    referral_create(referrer=helen, story=waited, user=rory)
    person("rita@ashdown-vale.example", RoleName.READER, trust)
    person("mo@carevoice.example", RoleName.MODERATOR)
    person("pat@carevoice.example", RoleName.PLATFORM_ADMIN)
    return {"trust": trust}


@pytest.mark.parametrize(
    ("email", "landing", "heading"),
    [
        ("mo@carevoice.example", "/moderation/", None),
        ("rory@ashdown-vale.example", "/staff/", "Staff area"),
        ("helen@ashdown-vale.example", "/staff/", "Staff area"),
        ("rita@ashdown-vale.example", "/staff/", "Staff area"),
        ("pat@carevoice.example", "/staff/", "Staff area"),
    ],
)
def test_each_staff_role_lands_on_its_work_after_the_second_factor(
    browser: Browser,
    live_server: Any,
    trust: dict[str, Any],
    email: str,
    landing: str,
    heading: str | None,
) -> None:
    page = browser.new_context().new_page()
    sign_in_with_code(page, live_server.url, email)
    assert page.url == live_server.url + landing
    if heading:
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if email.startswith("pat@"):
        # A platform admin's staff area lists the tools of the platform.
        expect(page.get_by_role("link", name="Moderation queue")).to_be_visible()
        expect(page.get_by_role("link", name="Email outbox")).to_be_visible()
    assert_accessible(page)


def inbox_titles(page: Page) -> list[str]:
    return page.locator("#inbox-results .result-title").all_inner_texts()


def tab_to(page: Page, name: str, role: Any = "checkbox", limit: int = 40) -> None:
    """Press Tab until the control of that role and name has the focus (asked through
    Playwright's own selectors, which work with the page's JavaScript off)."""
    target = page.get_by_role(role, name=name, exact=True)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.locator(":focus").count() and target.and_(page.locator(":focus")).count():
            return
    raise AssertionError(f"Tab never reached the {role} {name!r}")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_inbox_filters_work_by_keyboard(
    browser: Browser, live_server: Any, trust: dict[str, Any], javascript: bool
) -> None:
    signing_in = browser.new_context().new_page()  # axe, in the sign-in, needs JavaScript
    sign_in_with_code(signing_in, live_server.url, "helen@ashdown-vale.example")
    page = browser.new_context(java_script_enabled=javascript).new_page()
    page.context.add_cookies(signing_in.context.cookies())
    page.goto(live_server.url + "/staff/")
    expect(page.get_by_role("group", name="Show only")).to_be_visible()
    # What needs doing first: the overdue story, then the one waiting, then the answered.
    assert inbox_titles(page) == [
        "Nobody came when I rang the bell",
        "Kind nurses on a busy night",
        "Discharged without my letter",
    ]
    expect(page.get_by_text("3 stories, overdue first")).to_be_visible()
    page.locator("h1").click()  # start tabbing from the top of the page
    tab_to(page, "No response yet")
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="No response yet")).to_be_checked()
    tab_to(page, "Apply filters", role="button")
    # The button submits the form (a full page load, with or without JavaScript): wait
    # for it, or the list htmx already narrowed could be read while the page reloads.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#inbox-results .result-title")).to_have_count(2)
    assert "unanswered=on" in page.url
    assert inbox_titles(page) == ["Nobody came when I rang the bell", "Kind nurses on a busy night"]
    # The order is a control too, and lives in the URL.
    page.get_by_label("Order").select_option(label="Newest first")
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("2 stories, newest first")).to_be_visible()
    assert "sort=newest" in page.url
    assert inbox_titles(page) == ["Kind nurses on a busy night", "Nobody came when I rang the bell"]
    expect(page.get_by_role("checkbox", name="No response yet")).to_be_checked()


def test_the_inbox_badges_say_what_they_mean_and_fit_a_phone(
    browser: Browser, live_server: Any, trust: dict[str, Any]
) -> None:
    for width, who in ((390, "rory@ashdown-vale.example"), (1280, "helen@ashdown-vale.example")):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        sign_in_with_code(page, live_server.url, who)
        page.goto(live_server.url + "/staff/")
        first = page.locator("#inbox-results .result").first
        expect(first.get_by_role("link")).to_have_text("Nobody came when I rang the bell")
        badges = first.get_by_role("list", name="What this story needs")
        expect(badges.get_by_role("listitem")).to_contain_text(
            [
                "Overdue: past the response target",
                "Needs a response",
                *(["Referred to you"] if who.startswith("rory") else []),
                "Criticality 4 · strongly critical",
                "Not read by you",
            ]
        )
        # Criticality 4: the first four of five pips filled (drawn by the stylesheet).
        fills = first.locator(".crit-scale .pip").evaluate_all(
            "pips => pips.map(pip => getComputedStyle(pip).backgroundColor)"
        )
        assert len(fills) == 5
        assert len(set(fills[:4])) == 1
        assert fills[4] != fills[0]
        if who.startswith("helen"):
            answered = page.locator("#inbox-results .result").nth(2)
            expect(answered.get_by_role("listitem").first).to_have_text("✓ Responded")
        width_used = page.evaluate("document.documentElement.scrollWidth")
        assert width_used <= width, f"the inbox scrolls sideways at {width}px: {width_used}px"
        assert_accessible(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/inbox-{width}.png", full_page=True)


def test_the_staff_home_opens_on_this_month_on_a_phone_without_javascript(
    browser: Browser, live_server: Any, trust: dict[str, Any]
) -> None:
    from apps.changes.models import Change, ChangeStatus

    today = timezone.localdate()
    Change.objects.create(
        organisation=trust["trust"],
        status=ChangeStatus.MADE,
        summary="Call bells answered within five minutes",
        due_on=today,
        made_summary="Call bells are answered within five minutes on every ward",
        made_on=today,
        status_on=today,
    )
    signing_in = browser.new_context().new_page()
    sign_in_with_code(signing_in, live_server.url, "helen@ashdown-vale.example")
    page = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 900}
    ).new_page()
    page.context.add_cookies(signing_in.context.cookies())
    page.goto(live_server.url + "/staff/")
    summary = page.get_by_role("region", name="Your part of the organisation in")
    expect(summary).to_contain_text("so far this month")
    expect(summary).to_contain_text("1 change made this month")
    expect(
        summary.get_by_role("link", name="Call bells are answered within five minutes")
    ).to_be_visible()
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= 390, f"the staff home scrolls sideways on a phone: {width_used}px"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/staff-home-390.png", full_page=True)
    summary.get_by_role(
        "link", name="2 stories wait for a response; 1 of them is past its response target."
    ).click()
    assert "unanswered=on" in page.url
    expect(page.get_by_role("checkbox", name="No response yet")).to_be_checked()
    expect(page.locator("#inbox-results .result-title")).to_have_count(2)
    assert_accessible(signing_in_page(signing_in, live_server.url + "/staff/"))


def signing_in_page(page: Page, url: str) -> Page:
    """The same page with JavaScript on, for axe (which runs as a script)."""
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(url)
    return page
