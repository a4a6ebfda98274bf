"""A responder records a change planned after their response, then marks it made; the
author hears of each step, and the public follow it on the story and the register."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from apps.organisations.models import Organisation, OrganisationKind
from apps.responders.models import RoleName
from apps.responses.models import Response, ResponseStatus
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    with_second_factor,
)

from .accessibility import assert_accessible
from .test_staff_journey import sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AUTHOR = "hungry.patient@home.example"
PLAN = "Patients waiting for surgery may drink water until two hours before."
MADE = "Each bay now has a water jug, and nurses check the fasting times at 10am."
EXPORT_HEADER = [
    "id",
    "status",
    "overdue",
    "what will change",
    "service",
    "service ODS code",
    "by when",
    "what changed",
    "made on",
    "why not going ahead",
    "latest step on",
    "recorded by",
    "recorded on",
    "stories",
]


@pytest.fixture
def world() -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA")
    site = OrganisationFactory(parent=trust, name="Ashdown General Hospital", kind="site")
    surgery = OrganisationFactory(parent=site, name="Surgery", kind=OrganisationKind.DIRECTORATE)
    day = OrganisationFactory(parent=surgery, name="Day Surgery Unit", kind="service")
    # This trust publishes responses at once; the moderation policy has its own tests.
    Organisation.objects.filter(pk=trust.pk).update(responses_held_for_new_responders=0)
    story = StoryFactory(
        title="Long wait without food or drink",
        body="I waited from seven in the morning until four without water.",
        pseudonym="Hungry patient",
        author_email=AUTHOR,
        services=[day],
    )
    grace = UserFactory(
        email="grace@ashdown-vale.example", display_name="Grace Lin", job_title="Lead Nurse"
    )
    RoleFactory(user=grace, role=RoleName.RESPONDER, organisation=surgery)
    with_second_factor(grace)
    response = Response.objects.create(
        story=story,
        organisation=surgery,
        author=grace,
        author_name=grace.display_name,
        author_job_title=grace.job_title,
        body="I'm sorry the wait felt so long. We are changing how we fast patients.",
        body_html="<p>I'm sorry the wait felt so long. We are changing how we fast patients.</p>",
        status=ResponseStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    return {"trust": trust, "surgery": surgery, "story": story, "response": response}


def to_author() -> list[Any]:
    return [m for m in mail.outbox if m.to == [AUTHOR]]


def progress(page: Page) -> Any:
    return page.locator("#progress-now")


def filter_register(page: Page, status: str, value: str, htmx: bool = True) -> None:
    """Choose a status in the register's filters and apply them, as a person would."""
    page.get_by_label("Status", exact=True).select_option(label=status)
    if htmx:  # the list narrows at once, and the address follows
        expect(page).to_have_url(re.compile(rf"[?&]status={value}(&|$)"))
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    assert re.search(rf"[?&]status={value}(&|$)", page.url), page.url


def test_record_a_change_then_mark_it_made(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    story, response, trust = world["story"], world["response"], world["trust"]
    story_url = base + story.get_absolute_url()
    register_url = f"{base}/organisations/{trust.slug}/changes/"
    today = timezone.localdate()
    due = today + dt.timedelta(days=30)

    # The public see the story has been responded to, and nothing is changing yet.
    reader = browser.new_context().new_page()
    reader.goto(story_url)
    expect(progress(reader)).to_have_text("Progress: Responded to")
    expect(reader.get_by_role("heading", name="What is changing")).to_have_count(0)
    assert_accessible(reader)

    # The responder records the change her response announced.
    grace = browser.new_context().new_page()
    sign_in_with_code(grace, base, "grace@ashdown-vale.example")
    grace.goto(f"{base}/staff/stories/{story.pk}/")
    changes = grace.locator("#changes")
    expect(changes).to_contain_text("No change is linked to this story yet.")
    changes.get_by_role(
        "link", name=re.compile("^Record a change planned after the response of Grace Lin")
    ).click()
    expect(grace.get_by_role("heading", level=1)).to_have_text("Record a planned change")
    expect(grace.get_by_label("Announced in which response")).to_have_value(str(response.pk))
    assert_accessible(grace)
    grace.get_by_label("What will change").fill(PLAN)
    where = grace.get_by_label("For which service or part")
    where.select_option(where.locator("option", has_text="Day Surgery Unit").get_attribute("value"))
    grace.get_by_label("By when").fill(due.isoformat())
    grace.get_by_role("button", name="Record the planned change").click()
    expect(grace.get_by_role("status")).to_contain_text(
        "The planned change is recorded; the author is told."
    )
    expect(grace).to_have_url(re.compile(rf"/staff/stories/{story.pk}/#changes$"))
    expect(changes.get_by_text("Change planned", exact=True)).to_be_visible()
    expect(changes).to_contain_text(PLAN)
    assert_accessible(grace)

    # The author is told once, with what is planned and by when.
    (planned,) = to_author()
    assert "plans a change after your story" in planned.subject
    assert PLAN in planned.body
    assert f"{due:%-d %B %Y}" in planned.body
    assert "grace@ashdown-vale.example" not in planned.body

    # The public see it on the story: the progress, beside the response, what is changing.
    reader.reload()
    expect(progress(reader)).to_have_text("Progress: Change planned")
    turn = reader.locator(f"#response-{response.pk}")
    expect(turn.get_by_role("link", name=re.compile(r"^Change planned\s*: "))).to_be_visible()
    expect(turn.locator(".outcome")).to_contain_text(PLAN)
    changing = reader.get_by_role("region", name="What is changing")
    expect(changing).to_contain_text(PLAN)
    expect(changing).to_contain_text(f"by {due:%-d %B %Y}")
    assert_accessible(reader)

    # ... and in the trust's register, filtered to the changes planned.
    reader.goto(register_url)
    filter_register(reader, "Change planned", "planned")
    results = reader.locator("#register-results")
    expect(results).to_contain_text("1 change,")
    expect(results.get_by_role("link", name=PLAN)).to_be_visible()
    expect(results.get_by_role("link", name="Long wait without food or drink")).to_be_visible()
    expect(reader.get_by_role("link", name="Download these as CSV")).to_have_count(0)
    assert_accessible(reader)
    filter_register(reader, "Change made", "made")
    expect(results).to_contain_text("No changes match.")

    # Without JavaScript the filter in the URL, and the form, still work.
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(register_url + "?status=planned")
    expect(plain.get_by_label("Status", exact=True)).to_have_value("planned")
    expect(plain.locator("#register-results").get_by_role("link", name=PLAN)).to_be_visible()
    plain.goto(register_url)
    filter_register(plain, "Change made", "made", htmx=False)
    expect(plain.locator("#register-results")).to_contain_text("No changes match.")
    plain.context.close()

    # The responder opens the change and marks it made today.
    grace.locator("#changes").get_by_role("link", name=re.compile("^Open")).click()
    expect(grace).to_have_url(re.compile(r"/staff/changes/\d+/$"))
    expect(grace.get_by_role("heading", level=1)).to_have_text(f"Change planned: {PLAN}")
    assert_accessible(grace)
    grace.get_by_label("What changed").fill(MADE)
    grace.get_by_label("When it changed").fill(today.isoformat())
    grace.get_by_role("button", name="Mark the change made").click()
    expect(grace.get_by_role("status")).to_contain_text("The change is marked made")
    expect(grace.get_by_role("heading", level=1)).to_have_text(f"Change made: {PLAN}")
    expect(grace.get_by_role("button", name="Mark the change made")).to_have_count(0)
    assert_accessible(grace)

    # The author is told again: two emails in all.
    first, made = to_author()
    assert first is planned
    assert "made a change after your story" in made.subject
    assert MADE in made.body

    # The public see the change made.
    reader.goto(story_url)
    expect(progress(reader)).to_have_text("Progress: Change made")
    turn = reader.locator(f"#response-{response.pk}")
    expect(turn.get_by_role("link", name=re.compile(r"^Change made\s*: "))).to_be_visible()
    expect(turn.get_by_role("link", name=re.compile(r"^Change planned\s*: "))).to_have_count(0)
    expect(reader.get_by_role("region", name="What is changing")).to_contain_text(MADE)
    reader.goto(register_url)
    filter_register(reader, "Change made", "made")
    expect(reader.locator("#register-results").get_by_role("link", name=PLAN)).to_be_visible()
    expect(reader.locator("#register-results")).to_contain_text(MADE)
    assert_accessible(reader)

    # Staff download the register of their part of the trust, as filtered, as CSV (the
    # trust's own register is for the trust's staff: Grace's role is in Surgery).
    grace.goto(register_url)
    expect(grace.locator("#register-results")).to_contain_text("1 change,")
    expect(grace.get_by_role("link", name="Download these as CSV")).to_have_count(0)
    grace.goto(f"{base}/organisations/{world['surgery'].slug}/changes/")
    filter_register(grace, "Change made", "made")
    assert_accessible(grace)
    download = grace.get_by_role("link", name="Download these as CSV")
    href = download.get_attribute("href")
    assert href is not None
    assert "status=made" in href
    answer = grace.request.get(base + href)
    assert answer.ok
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text())))
    assert rows[0] == EXPORT_HEADER
    assert len(rows) == 2
    row = dict(zip(EXPORT_HEADER, rows[1], strict=True))
    assert row["status"] == "Change made"
    assert row["what will change"] == PLAN
    assert row["what changed"] == MADE
    assert row["service"] == "Day Surgery Unit"
    assert row["by when"] == due.isoformat()
    assert row["made on"] == today.isoformat()
    assert row["recorded by"] == "Grace Lin"
    assert row["stories"].endswith(story.get_absolute_url())
