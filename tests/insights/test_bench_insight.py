"""The bench's insight scenarios (tests/bench/insight.py) run on a small database, so
they cannot rot between bench runs: each row names its page and carries the target."""

from __future__ import annotations

import pytest

from apps.organisations.models import Organisation
from tests.bench import insight as insight_bench
from tests.insights.test_insight_page import FOOD, part, tell, this_month

pytestmark = pytest.mark.django_db


def test_the_insight_scenarios_run_and_state_the_target(org: Organisation) -> None:
    service = part(org, 3)
    tell(service, this_month(), 6, **{FOOD: "good"})
    assert insight_bench.busiest_topic(org) == FOOD
    rows, meta = insight_bench.run(org, service, "6 stories", repeat=5)
    assert [r.scenario for r in rows] == [
        "insight page (6 stories): public: busiest trust, last 12 months",
        "insight page (6 stories): public: median service, last 12 months",
        "insight page (6 stories): public: busiest trust, one topic",
        "insight page (6 stories): staff view: busiest trust",
        "insight page (6 stories): public: busiest trust, first view after a change",
        "board report (6 stories): busiest trust, last full month, page",
        "board report (6 stories): busiest trust, last full month, PDF",
    ]
    for r in rows[:4]:
        assert r.median_ms > 0
        assert r.queries > 0
        assert "p95 within 150 ms" in r.note or "p95 OVER 150 ms" in r.note
    assert "works the view out afresh" in rows[4].note
    assert all(r.median_ms > 0 and r.queries > 0 for r in rows[4:])
    assert meta["insight"].endswith("insight scenarios have p95 under 150 ms")
