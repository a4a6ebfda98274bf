"""The board report: headline figures against the trust's targets, chosen stories with
their conversations, changes, peers with the minimum-volume rule, the PDF (its text read
back with pdftotext) and what happens when the PDF cannot be made."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from apps.changes.models import Change, ChangeStatus
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation, OrganisationKind
from apps.responses.models import AuthorReply, AuthorReplyStatus, Response, ResponseStatus
from apps.stories.models import Story, StoryStatus
from tests.factories import OrganisationFactory, StoryFactory
from tests.querybudget import QueryBudget
from tests.test_fuzz import NASTY

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# March 2026: Friday 6 March, Monday 9, Tuesday 10.
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


@pytest.fixture(autouse=True)
def _london(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/London"


def at(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=LONDON)


def service_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=3)


def respond(story: Story, by: Organisation, when: dt.datetime, **extra: Any) -> Response:
    return Response.objects.create(
        story=story,
        organisation=by,
        author_name="Sam Patel",
        body="Thank you for telling us.",
        body_html="<p>Thank you for telling us, we have changed the rota.</p>",
        published_at=when,
        **extra,
    )


def url(org: Organisation, name: str = "insights:board_report", **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse(name, kwargs={'slug': org.slug})}?{query}"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def march(org: Organisation) -> dict[str, Any]:
    """Six March stories about the trust's service. Target: 2 working days.

    - a, b, c published Friday 6 March 10:00, so due by Tuesday 10 March 10:00: a answered
      Monday 12:00 (in time, after 74 h), b Tuesday 11:00 (late, 97 h), c never;
    - d, e, g published Monday 2 March 09:00, due Wednesday 09:00: answered after 1 h,
      30 h and 2 h (all in time);
    - f published Wednesday 25 March 09:00: only a response waiting for a moderator.
    Answered 5 of 7 (71%), in time 4 of 7 (57%), median of 1, 2, 30, 74, 97 h = 30 h.
    """
    service = service_of(org)
    a, b, c = (StoryFactory(services=[service], published_at=at(2026, 3, 6, 10)) for _ in "abc")
    d, e, g = (StoryFactory(services=[service], published_at=at(2026, 3, 2, 9)) for _ in "deg")
    f = StoryFactory(services=[service], published_at=at(2026, 3, 25, 9), title="Night noise")
    respond(a, service, at(2026, 3, 9, 12))
    respond(b, service, at(2026, 3, 10, 11))
    respond(d, service, at(2026, 3, 2, 10))
    respond(e, service, at(2026, 3, 3, 15))
    respond(g, service, at(2026, 3, 2, 11))
    respond(f, service, None, status=ResponseStatus.AWAITING_MODERATION)
    AuthorReply.objects.create(
        story=a,
        body="Thank you, that helps.",
        status=AuthorReplyStatus.PUBLISHED,
        published_at=at(2026, 3, 10, 9),
    )
    Change.objects.create(
        organisation=service,
        status=ChangeStatus.MADE,
        summary="More night staff",
        made_summary="Two more nurses at night",
        made_on=dt.date(2026, 3, 20),
        due_on=dt.date(2026, 3, 31),
        status_on=dt.date(2026, 3, 20),
    )
    return {"service": service, "a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def test_headline_figures_against_the_trusts_targets(
    client_as: Any, org: Organisation, march: dict[str, Any]
) -> None:
    Organisation.objects.filter(pk=org.pk).update(
        target_response_rate=60, target_within_response_target=60, target_median_response_days=1
    )
    html = client_as("reader").get(url(org, **MARCH)).content.decode()
    text = text_of(html)

    assert "Stories published 7" in text
    assert "Response rate Stories with a published response. 71% 60% or more ✔ Target met" in text
    # 30 hours against a day: not met; 4 of 7 in time against 60%: not met.
    assert "Typical time to respond The median wait for a first response. 30 hours" in text
    assert "1 day or less ✘ Target not met" in text
    assert "within 2 working days of publication. 57% 60% or more ✘ Target not met" in text
    assert "Changes made 1" in text
    assert "Two more nurses at night" in text


def test_targets_have_defaults_and_words_not_only_colour(
    client_as: Any, org: Organisation, march: dict[str, Any]
) -> None:
    text = text_of(client_as("reader").get(url(org, **MARCH)).content.decode())

    assert "71% 90% or more ✘ Target not met" in text
    assert "30 hours 3 days or less ✔ Target met" in text
    assert "57% 80% or more ✘ Target not met" in text


def test_chosen_stories_show_in_full_with_their_published_conversation(
    client_as: Any, org: Organisation, march: dict[str, Any]
) -> None:
    chosen = f"story={march['a'].pk}&story={march['f'].pk}"
    response = client_as("reader").get(url(org, **MARCH) + "&" + chosen)
    text = text_of(response.content.decode())

    assert "Stories in full" in text
    assert "Night noise" in text
    assert "we have changed the rota" in text
    assert "Thank you, that helps." in text
    assert "No response has been published yet." in text  # f: only one awaiting moderation
    assert text.count("Sam Patel") == 1


@pytest.mark.parametrize(
    ("stories", "message"),
    [
        ("story=999999", "not a published story about"),
        ("story=abc", "is not a story"),
        ("story=" + "9" * 40, "is not a story"),
        ("&".join(f"story={n}" for n in range(1, 7)), "Choose at most 5 stories."),
    ],
)
def test_unknown_or_too_many_stories_are_field_errors(
    client_as: Any, org: Organisation, stories: str, message: str
) -> None:
    response = client_as("reader").get(url(org) + "&" + stories)

    assert response.status_code == 200
    assert message in text_of(response.content.decode())
    assert "There is a problem" in response.content.decode()


def test_a_story_of_another_trust_or_not_published_cannot_be_chosen(
    client_as: Any, org: Organisation, other_org: Organisation
) -> None:
    elsewhere = StoryFactory(services=[service_of(other_org)])
    waiting = StoryFactory(
        services=[service_of(org)], status=StoryStatus.AWAITING_MODERATION, published_at=None
    )
    for story in (elsewhere, waiting):
        text = text_of(client_as("reader").get(url(org, story=str(story.pk))).content.decode())
        assert f"Story {story.pk} is not a published story about {org.name}" in text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "date_to", "same as or after"),
        ({"date_from": "9999-12-31"}, "date_from", ""),
        ({"date_from": "2025-02-30"}, "date_from", ""),
        ({"date_from": "1900-01-01", "date_to": "2026-01-01"}, "date_from", "at most 10 years"),
    ],
)
def test_bad_periods_are_field_errors_never_a_server_error(
    client_as: Any, org: Organisation, params: dict[str, str], field: str, message: str
) -> None:
    response = client_as("reader").get(url(org, **params))
    html = response.content.decode()

    assert response.status_code == 200
    assert f'id="id_{field}_error"><p class="error-message">' in html
    assert message in text_of(html)
    assert "Headline figures" not in html


def test_the_default_period_is_the_last_full_month(client_as: Any, org: Organisation) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=1)
    text = text_of(client_as("reader").get(url(org)).content.decode())

    assert f"from {end.replace(day=1):%-d %B %Y} to {end:%-d %B %Y}" in text
    assert "No stories were published about this organisation" in text


def test_peers_with_few_stories_show_fewer_than_5_and_are_not_ranked(
    client_as: Any, org: Organisation, other_org: Organisation, march: dict[str, Any]
) -> None:
    quiet = OrganisationFactory(name="Quiet NHS Trust", kind=OrganisationKind.TRUST)
    ward = OrganisationFactory(parent=quiet, name="Quiet ward", kind=OrganisationKind.SERVICE)
    for _ in range(3):
        StoryFactory(services=[ward], published_at=at(2026, 3, 4, 9))
    busy = service_of(other_org)
    for _ in range(5):
        story = StoryFactory(services=[busy], published_at=at(2026, 3, 4, 9))
        respond(story, busy, at(2026, 3, 4, 10))
    # Enough stories to rank, too few answered to show a rate or time (the public rule).
    harbour = OrganisationFactory(name="Harbour NHS Trust", kind=OrganisationKind.TRUST)
    pier = OrganisationFactory(parent=harbour, name="Pier ward", kind=OrganisationKind.SERVICE)
    for i in range(6):
        story = StoryFactory(services=[pier], published_at=at(2026, 3, 4, 9))
        if i < 2:
            respond(story, pier, at(2026, 3, 4, 10))
    OrganisationFactory(name="A GP practice", kind=OrganisationKind.GP_PRACTICE)

    text = text_of(client_as("reader").get(url(org, **MARCH)).content.decode())

    peers = text.split("Compared with peers", 1)[1]
    assert "is number 2 of 3 NHS trusts with at least 5 stories" in peers
    assert "1 Southgate 5 100% 1 hour" in peers
    assert f"2 {org.name} (this report) 7 71% 30 hours" in peers
    assert "3 Harbour NHS Trust 6 – –" in peers
    assert "not ranked Quiet NHS Trust fewer than 5 – –" in peers
    assert "A GP practice" not in peers


def test_peers_below_the_top_are_the_same_kind_at_the_same_level_in_the_trust(
    client_as: Any, org: Organisation, other_org: Organisation, march: dict[str, Any]
) -> None:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    OrganisationFactory(parent=site, name="Second ward", kind=OrganisationKind.SERVICE)
    html = client_as("reader").get(url(march["service"], **MARCH)).content.decode()
    peers = text_of(html).split("Compared with peers", 1)[1]

    assert "Second ward" in peers
    assert "Southgate Outpatients" not in peers
    assert f"within {org.name}" in peers


def test_staff_outside_the_node_are_refused_and_recorded(client_as: Any, org: Organisation) -> None:
    for name in ("insights:board_report", "insights:board_report_pdf"):
        assert client_as("other_org_responder").get(url(org, name)).status_code == 403
    assert AuditEntry.objects.filter(action="insights.board_report.refused").count() == 2


def test_the_staff_insight_page_links_to_the_board_report(
    client_as: Any, org: Organisation
) -> None:
    board = reverse("insights:board_report", kwargs={"slug": org.slug})
    staff = client_as("reader").get(reverse("insights:staff", kwargs={"slug": org.slug}))
    public = client_as("reader").get(reverse("insights:organisation", kwargs={"slug": org.slug}))

    assert board in staff.content.decode()
    assert board not in public.content.decode()


def _pdftotext(pdf: bytes, folder: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: cannot read the PDF back")
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(  # noqa: S603 - a fixed program on our own file
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    return " ".join(done.stdout.decode().split())


def test_the_pdf_downloads_and_holds_the_headline_figures(
    client_as: Any, org: Organisation, march: dict[str, Any], tmp_path: Path
) -> None:
    response = client_as("reader").get(
        url(org, "insights:board_report_pdf", **MARCH) + f"&story={march['a'].pk}"
    )

    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="board-report-{org.slug}-2026-03-01-to-2026-03-31.pdf"'
    )
    text = _pdftotext(response.content, tmp_path)
    assert f"Board report: {org.name}" in text
    for figure in ("Stories published 7", "71%", "30 hours", "57%", "Target not met"):
        assert figure in text
    assert "we have changed the rota" in text
    assert "Update the report" not in text  # the form stays off the PDF


def test_a_pdf_that_cannot_be_made_leaves_the_html_report_and_logs_why(
    client_as: Any,
    org: Organisation,
    march: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    weasyprint = pytest.importorskip("weasyprint")

    class Broken:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(weasyprint, "HTML", Broken)
    with caplog.at_level(logging.ERROR, logger="apps.insights"):
        response = client_as("reader").get(url(org, "insights:board_report_pdf", **MARCH))

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "The PDF could not be made" in html
    assert "Stories published" in text_of(html)
    assert f"The board report PDF of {org.slug} could not be made" in caplog.text
    assert "libpango" in caplog.text
    assert march["a"].body not in caplog.text


def test_the_report_queries_do_not_grow_with_the_stories(
    client_as: Any, org: Organisation, march: dict[str, Any]
) -> None:
    client = client_as("reader")
    chosen = f"&story={march['a'].pk}&story={march['b'].pk}"
    budget = QueryBudget("board report", limit=24)
    budget.measure(7, lambda: client.get(url(org, **MARCH) + chosen))
    ward = OrganisationFactory(
        parent=Organisation.objects.get(path__startswith=org.path, depth=2),
        name="Ward 9",
        kind=OrganisationKind.SERVICE,
    )
    for day in range(1, 29):
        for service in (march["service"], ward):
            story = StoryFactory(services=[service], published_at=at(2026, 3, day, 9))
            respond(story, service, at(2026, 3, day, 15))
    budget.measure(63, lambda: client.get(url(org, **MARCH) + chosen))
    budget.assert_flat()


def test_odd_values_never_make_a_server_error(client_as: Any, org: Organisation) -> None:
    client: Client = client_as("reader")
    story = StoryFactory(services=[service_of(org)])
    for name in ("insights:board_report", "insights:board_report_pdf"):
        for parameter in ("date_from", "date_to", "date_from_day", "date_to_year", "story"):
            for value in NASTY:
                response = client.get(url(org, name), {parameter: value, "story": story.pk})
                assert response.status_code < 500, (name, parameter, value)


def test_super_users_set_the_targets_and_it_is_audited(client_as: Any, org: Organisation) -> None:
    target = reverse("insights:board_targets", kwargs={"slug": org.slug})
    client = client_as("super_user")
    values = {
        "target_response_rate": "75",
        "target_within_response_target": "70",
        "target_median_response_days": "4",
    }

    first = client.post(target, values)
    again = client.post(target, values)  # a double submit changes nothing more

    assert first.status_code == again.status_code == 302
    org.refresh_from_db()
    assert (org.target_response_rate, org.target_within_response_target) == (75, 70)
    assert org.target_median_response_days == 4
    entries = AuditEntry.objects.filter(action="organisations.organisation.targets_changed")
    assert entries.count() == 1
    assert entries.get().details["after"]["target_response_rate"] == 75


def test_targets_out_of_range_are_field_errors(client_as: Any, org: Organisation) -> None:
    target = reverse("insights:board_targets", kwargs={"slug": org.slug})
    response = client_as("super_user").post(
        target,
        {
            "target_response_rate": "101",
            "target_within_response_target": "x",
            "target_median_response_days": "-1",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    for field in ("target_response_rate", "target_within_response_target"):
        assert f'id="id_{field}_error"><p class="error-message">' in html
    org.refresh_from_db()
    assert org.target_response_rate == 90


def test_only_a_trust_has_targets_and_only_its_super_users_set_them(
    client_as: Any, org: Organisation
) -> None:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    below = reverse("insights:board_targets", kwargs={"slug": site.slug})
    top = reverse("insights:board_targets", kwargs={"slug": org.slug})

    assert client_as("super_user").get(below).status_code == 404
    assert client_as("responder").get(top).status_code == 403
    assert client_as("platform_admin").get(top).status_code == 200
    assert AuditEntry.objects.filter(action="insights.targets.refused").exists()
