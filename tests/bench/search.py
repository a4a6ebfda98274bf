"""Search and the JSON API at scale: timed on the figures phase's database of about a
million stories, after the organisation pages.

Each scenario is a public request as a reader or an integrator would make it: the
stories page with a query (common, rare, several words, a phrase), with and without the
filters, newest first and most relevant first, and the API's lists. Search rows carry the
target (p95 under SEARCH_TARGET_MS) in their note; the matches are counted by the same
search the page runs, outside the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone

from apps.organisations.models import Organisation
from apps.stories.models import Tag
from tests.bench.common import BROWSER, Row, log, measure, measure_after, row

SEARCH_TARGET_MS = 100.0


@dataclass(frozen=True)
class Scenario:
    name: str
    params: dict[str, str]
    note: str = ""


def scenarios(trust: Organisation, service: Organisation, tag: Tag) -> list[Scenario]:
    year_ago = (timezone.localdate() - timedelta(days=365)).isoformat()
    return [
        Scenario("no query, newest first", {}),
        Scenario("common word, newest first", {"q": "staff", "order": "newest"}),
        Scenario("common word, most relevant first", {"q": "staff", "order": "relevance"}),
        Scenario("common word, page 10", {"q": "staff", "order": "newest", "page": "10"}),
        Scenario("rare word", {"q": "wheelchair"}),
        Scenario("rare word, newest first", {"q": "wheelchair", "order": "newest"}),
        Scenario("two words", {"q": "nurse kind"}),
        Scenario("two words, newest first", {"q": "waiting appointment", "order": "newest"}),
        Scenario("a phrase", {"q": '"waiting room"'}),
        Scenario("either word, one excluded", {"q": "rude OR abrupt -food"}),
        Scenario(
            "common word in the busiest trust",
            {"q": "staff", "organisation": trust.slug},
            trust.name,
        ),
        Scenario(
            "common word, has a response, last 12 months",
            {"q": "staff", "responded": "yes", "date_from": year_ago},
        ),
        Scenario(
            "rare word in the busiest trust, has a response",
            {"q": "wheelchair", "organisation": trust.slug, "responded": "yes"},
            trust.name,
        ),
        Scenario(
            "two words in one service",
            {"q": "nurse kind", "service": service.slug},
            service.name,
        ),
        Scenario(
            "no query: a trust, a tag, no response",
            {"organisation": trust.slug, "tag": tag.slug, "responded": "no"},
            f"{trust.name}; tag ‘{tag.label}’",
        ),
        Scenario(
            "no query: a trust, told by relatives",
            {"organisation": trust.slug, "author_role": "relative"},
            trust.name,
        ),
        Scenario(
            "no query: change made, relatives",
            {"progress": "change_made", "author_role": "relative"},
        ),
    ]


def api_scenarios(trust: Organisation) -> list[Scenario]:
    return [
        Scenario("stories", {"limit": "20"}),
        Scenario("stories, common word", {"q": "staff", "limit": "20"}),
        Scenario(
            "stories in the busiest trust with a response",
            {"organisation": trust.slug, "responded": "yes", "limit": "20"},
            trust.name,
        ),
        Scenario("stories, 100 a page, offset 400", {"limit": "100", "offset": "400"}),
        Scenario("organisations", {"limit": "100"}),
        Scenario("changes in the busiest trust", {"organisation": trust.slug, "limit": "20"}),
    ]


def url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def described(params: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def matches(params: dict[str, str]) -> str:
    """How many published stories the search finds (outside the clock), in words."""
    from apps.stories.search import StorySearchForm, story_search

    # Newest first: "most relevant" ranks a bounded number of matches, not all of them.
    form = StorySearchForm({**{k: v for k, v in params.items() if k != "page"}, "order": "newest"})
    if not form.is_valid():
        return f"invalid: {form.errors.as_text()}"
    found = story_search(form.filters()).count()
    return f"{found:,} match{'' if found == 1 else 'es'}"


def api_path(name: str) -> str | None:
    try:
        path = reverse(name)
        resolve(path)
    except (NoReverseMatch, Resolver404):
        return None
    return path


def run(
    trust: Organisation, service: Organisation, scale: str, repeat: int
) -> tuple[list[Row], dict[str, str]]:
    rows: list[Row] = []
    meta: dict[str, str] = {}
    client = Client(HTTP_USER_AGENT=BROWSER)
    tag = Tag.objects.order_by("group", "position").first()
    assert tag is not None, "the tag list is seeded by a migration"
    within = 0
    searched = scenarios(trust, service, tag)
    for scenario in searched:
        label = f"search ({scale}): {scenario.name}"
        log(f"Timing {label} ({repeat} requests)…")
        times, queries = measure(client, url(reverse("stories:list"), scenario.params), repeat)
        timed = row(label, times, queries, "")
        ok = timed.p95_ms < SEARCH_TARGET_MS
        within += ok
        found = matches(scenario.params)
        words = "; ".join(
            part
            for part in (
                described(scenario.params),
                scenario.note,
                found,
                f"p95 {'within' if ok else 'OVER'} {SEARCH_TARGET_MS:.0f} ms",
            )
            if part
        )
        timed.note = words
        rows.append(timed)
    meta["search"] = (
        f"{within} of {len(searched)} search scenarios have p95 under {SEARCH_TARGET_MS:.0f} ms"
    )

    if api_path("api:stories") is None:
        log("  the JSON API is not there yet: its scenarios are skipped")
        meta["api"] = "not built yet: not timed"
        return rows, meta
    for scenario in api_scenarios(trust):
        resource = next(
            (r for r in ("organisations", "changes") if scenario.name.startswith(r)), "stories"
        )
        label = f"API ({scale}): {scenario.name}"
        log(f"Timing {label} ({repeat} requests)…")
        # Anonymous, as most callers are; the rate limit's counters are cleared outside the
        # clock so the run measures the list, not the 429.
        times, queries = measure_after(
            client, url(reverse(f"api:{resource}"), scenario.params), repeat, cache.clear
        )
        rows.append(
            row(
                label,
                times,
                queries,
                "; ".join(p for p in (described(scenario.params), scenario.note) if p),
            )
        )
    meta["api"] = "anonymous requests; rate-limit counters cleared between requests, unclocked"
    return rows, meta
