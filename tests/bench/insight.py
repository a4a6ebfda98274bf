"""Insight pages at scale: timed on the figures phase's database of about a million
stories, after search.

The scenarios are the ones docs/insight.md promises to keep fast: the public insight page
of the busiest trust (its default twelve months), of the median service, and of the
busiest trust narrowed to one topic; then the staff view of the busiest trust, signed in
as one of its super-users, which adds criticality. Each row carries the target (p95
under INSIGHT_TARGET_MS) in its note. Repeated requests find the view kept in the cache
(docs/insight.md, "How fresh the figures are"); a last row times the busiest trust's page
with a change announced before each request, so each works the view out afresh. Then
the busiest trust's board report for the last full month, its page and its PDF.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.mfa.totp.internal.auth import TOTP
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.core.signals import figures_changed
from apps.organisations.models import Organisation
from apps.responders.models import RoleName
from apps.responders.services import role_install
from apps.stories.models import Story, StoryTag
from tests.bench.common import BROWSER, Row, log, measure, measure_after, row

INSIGHT_TARGET_MS = 150.0
BOARD_PDF_RUNS = 5
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def super_user_of(trust: Organisation) -> Client:
    """A client signed in as a super-user of the trust with a second factor, as the staff
    pages require."""
    user = User.objects.create_user(
        f"bench-insight-{trust.slug}@bench.example", "x", display_name="Insight"
    )
    role_install(user=user, role=RoleName.SUPER_USER, organisation=trust)
    TOTP.activate(user, TOTP_SECRET)
    client = Client(HTTP_USER_AGENT=BROWSER)
    client.force_login(user)
    return client


def busiest_topic(trust: Organisation) -> str:
    """The slug of the tag told most often under the trust (outside the clock)."""
    top = (
        StoryTag.objects.filter(story__services__path__startswith=trust.path)
        .values("tag__slug")
        .annotate(n=Count("story_id"))
        .order_by("-n")
        .first()
    )
    assert top is not None, "the figures phase tags its stories"
    return str(top["tag__slug"])


def scenarios(
    trust: Organisation, service: Organisation, topic: str
) -> list[tuple[str, Organisation, dict[str, str], str]]:
    return [
        ("busiest trust, last 12 months", trust, {}, trust.name),
        ("median service, last 12 months", service, {}, service.name),
        ("busiest trust, one topic", trust, {"tag": topic}, f"{trust.name}; tag {topic}"),
    ]


def run(
    trust: Organisation,
    service: Organisation,
    scale: str,
    repeat: int,
) -> tuple[list[Row], dict[str, str]]:
    rows: list[Row] = []
    staff = super_user_of(trust)
    within = 0
    client = Client(HTTP_USER_AGENT=BROWSER)
    topic = busiest_topic(trust)
    timed: list[tuple[str, Client, str, str]] = []
    for name, node, params, note in scenarios(trust, service, topic):
        path = reverse("insights:organisation", kwargs={"slug": node.slug})
        timed.append((f"public: {name}", client, _url(path, params), note))
    path = reverse("insights:staff", kwargs={"slug": trust.slug})
    timed.append(("staff view: busiest trust", staff, path, f"{trust.name}; a super-user"))
    for name, who, url, note in timed:
        label = f"insight page ({scale}): {name}"
        log(f"Timing {label} ({repeat} requests)…")
        times, queries = measure(who, url, repeat)
        result = row(label, times, queries, "")
        ok = result.p95_ms < INSIGHT_TARGET_MS
        within += ok
        result.note = f"{note}; p95 {'within' if ok else 'OVER'} {INSIGHT_TARGET_MS:.0f} ms"
        rows.append(result)
    # The first view after a change beneath the trust works the view out afresh.
    label = f"insight page ({scale}): public: busiest trust, first view after a change"
    log(f"Timing {label} ({repeat} requests)…")
    times, queries = measure_after(
        client,
        reverse("insights:organisation", kwargs={"slug": trust.slug}),
        repeat,
        lambda: figures_changed(Story, [trust.path]),
    )
    rows.append(
        row(
            label,
            times,
            queries,
            "a change announced under the trust before each request, outside the clock, so "
            "each request works the view out afresh; the cost one person pays after each "
            "change",
        )
    )
    # The board report of the busiest trust for the last full month, as its lead prepares
    # it: the page, then the PDF (fewer runs: it is a download made now and then).
    for name, route, runs in (
        ("page", "insights:board_report", repeat),
        ("PDF", "insights:board_report_pdf", BOARD_PDF_RUNS),
    ):
        label = f"board report ({scale}): busiest trust, last full month, {name}"
        log(f"Timing {label} ({runs} requests)…")
        times, queries = measure(staff, reverse(route, kwargs={"slug": trust.slug}), runs)
        rows.append(row(label, times, queries, f"{trust.name}; a super-user"))
    meta = {
        "insight": f"{within} of {len(timed)} insight scenarios have p95 under "
        f"{INSIGHT_TARGET_MS:.0f} ms"
    }
    return rows, meta


def _url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path
