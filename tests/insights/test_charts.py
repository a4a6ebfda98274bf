"""The trend chart's columns under the small-number rule (docs/insight.md, "Small
numbers"): split only where the table beneath shows both the good and the
could-be-improved counts."""

from __future__ import annotations

import datetime as dt

from apps.insights.charts import trend_chart
from apps.insights.selectors_insight import Month
from apps.insights.spc import xmr

LIMIT = 5


def kinds(months: list[Month], limit: int) -> list[list[str]]:
    spc = xmr([(m.month, m.total) for m in months])
    chart = trend_chart(months, spc, limit=limit, href=lambda month: f"/m/{month:%Y-%m}")
    return [[box.kind for box in column.boxes] for column in chart.columns]


def month(n: int, total: int, good: int, improve: int) -> Month:
    return Month(dt.date(2026, n, 1), total, good, improve)


def test_a_column_with_no_neither_part_is_split_in_public() -> None:
    assert kinds([month(1, 13, 6, 7)], LIMIT) == [["improve", "good"]]


def test_a_small_neither_part_does_not_hide_the_split_the_table_shows() -> None:
    assert kinds([month(1, 15, 6, 7)], LIMIT) == [["improve", "good", "neither"]]


def test_a_small_good_or_improve_part_draws_the_column_unsplit() -> None:
    assert kinds([month(1, 13, 3, 10), month(2, 13, 10, 3)], LIMIT) == [["all"], ["all"]]


def test_a_small_month_is_a_stub_not_drawn_to_scale() -> None:
    assert kinds([month(1, 4, 2, 2)], LIMIT) == [[""]]


def test_staff_see_every_part_however_small() -> None:
    assert kinds([month(1, 4, 1, 2)], 0) == [["improve", "good", "neither"]]
