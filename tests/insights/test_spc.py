"""The XmR chart against examples worked out by hand (the arithmetic is in each test).

Months run from January 2026. Limits: mean ± 2.66 × mean moving range; lower not below 0.
"""

from __future__ import annotations

import datetime as dt

import pytest

from apps.insights.spc import ABOVE, BELOW, xmr


def months(values: list[int]) -> list[tuple[dt.date, int]]:
    return [(dt.date(2026 + i // 12, i % 12 + 1, 1), v) for i, v in enumerate(values)]


def test_spc_fewer_than_ten_points_has_no_limits() -> None:
    chart = xmr(months([3, 9, 4, 30, 2, 8, 7, 1, 5]))  # 9 months

    assert not chart.has_limits
    assert chart.upper is None
    assert chart.lower is None
    assert not chart.signals  # 30 stands out to the eye, but 9 months cannot tell
    assert chart.summary == (
        "There are only 9 months here: at least 10 are needed to tell an unusual month "
        "from the ordinary ups and downs."
    )


def test_spc_flat_series_has_zero_range_and_no_signal() -> None:
    # 12 × 7: mean 7; every moving range |7 − 7| = 0, so mR̄ = 0 and
    # upper = lower = 7 + 2.66 × 0 = 7. No month is above 7 or below 7 (none outside);
    # every month sits on the centre line, which neither starts nor breaks a run.
    chart = xmr(months([7] * 12))

    assert chart.mean == 7
    assert chart.mean_moving_range == 0
    assert chart.upper == 7
    assert chart.lower == 7
    assert not chart.signals
    assert chart.summary.startswith("Nothing unusual")
    assert "between 7 and 7 a month" in chart.summary


def test_spc_point_outside_the_upper_limit() -> None:
    values = [10, 12, 11, 13, 10, 12, 11, 13, 10, 12, 11, 30]
    # sum: (10+12+11+13) × 2 = 92, + 10 + 12 + 11 = 125, + 30 = 155; mean = 155 / 12 = 12.9167
    # moving ranges: 2,1,2,3,2,1,2,3,2,1,19 → sum 38, mR̄ = 38 / 11 = 3.4545
    # 2.66 × 3.4545 = 9.1891; upper = 12.9167 + 9.1891 = 22.1058; lower = 3.7276
    # 30 > 22.1 → outside, above. Runs: 10,12,11 below 12.92, 13 above, ... at most 3
    # in a row on one side → no run.
    chart = xmr(months(values))

    assert chart.mean == pytest.approx(12.9167, abs=1e-4)
    assert chart.mean_moving_range == pytest.approx(3.4545, abs=1e-4)
    assert chart.upper == pytest.approx(22.1058, abs=1e-4)
    assert chart.lower == pytest.approx(3.7276, abs=1e-4)
    assert [p.outside for p in chart.points] == [""] * 11 + [ABOVE]
    assert not any(p.run for p in chart.points)
    assert chart.summary == (
        "In December 2026 stories rose above what is usual: 30, where up to 22.1 a month "
        "would be ordinary."
    )


def test_spc_point_outside_the_lower_limit() -> None:
    values = [20, 22, 21, 23, 20, 22, 21, 23, 20, 22, 21, 2]
    # sum: 86 × 2 = 172, + 20 + 22 + 21 = 235, + 2 = 237; mean = 237 / 12 = 19.75
    # moving ranges: 2,1,2,3,2,1,2,3,2,1,19 → 38, mR̄ = 3.4545; 2.66 × mR̄ = 9.1891
    # upper = 28.9391; lower = 10.5609; 2 < 10.56 → outside, below.
    # The one low month drags the mean down to 19.75, so the 11 months before it (all 20
    # or more) are a run above the average as well: both signals are said.
    chart = xmr(months(values))

    assert chart.lower == pytest.approx(10.5609, abs=1e-4)
    assert chart.points[-1].outside == BELOW
    assert [p.run for p in chart.points] == [ABOVE] * 11 + [""]
    assert chart.summary == (
        "In December 2026 stories fell below what is usual: 2, where at least 10.6 a month "
        "would be ordinary. From January 2026 to November 2026, 11 months in a row were "
        "above the average of 19.8 a month."
    )


def test_spc_lower_limit_is_never_below_zero() -> None:
    # 0,10 alternating ×5: mean 5, every moving range 10, mR̄ = 10;
    # 5 − 2.66 × 10 = −21.6 → 0; upper = 5 + 26.6 = 31.6.
    chart = xmr(months([0, 10] * 5))

    assert chart.lower == 0
    assert chart.upper == pytest.approx(31.6)
    assert not chart.signals


def test_spc_run_of_eight_below_marks_every_point_of_the_run() -> None:
    values = [14, 15, 14, 15, 9, 10, 9, 10, 9, 10, 9, 10]
    # sum: 58 + 4 × 19 = 134; mean = 134 / 12 = 11.1667
    # moving ranges: 1,1,1,6,1,1,1,1,1,1,1 → 16; mR̄ = 16 / 11 = 1.4545; × 2.66 = 3.8691
    # upper = 15.0358 (15 is inside), lower = 7.2976 (9 is inside): nothing outside.
    # The last 8 months (9 or 10) are all below 11.17: a run of 8, reaching the end.
    chart = xmr(months(values))

    assert chart.upper == pytest.approx(15.0358, abs=1e-4)
    assert chart.lower == pytest.approx(7.2976, abs=1e-4)
    assert not any(p.outside for p in chart.points)
    assert [p.run for p in chart.points] == [""] * 4 + [BELOW] * 8
    assert chart.summary == (
        "Since May 2026, 8 months in a row were below the average of 11.2 a month: fewer "
        "stories than usual, for longer than chance explains."
    )


def test_spc_run_of_seven_is_no_signal() -> None:
    values = [14, 15, 14, 15, 15, 9, 10, 9, 10, 9, 10, 9]
    # sum: 73 + 66 = 139; mean = 11.5833
    # moving ranges: 1,1,1,0,6,1,1,1,1,1,1 → 15; mR̄ = 1.3636; × 2.66 = 3.6273
    # upper = 15.2106, lower = 7.9561: 15 and 9 are inside.
    # 5 months above, then 7 below: the longest run is 7, one short of 8.
    chart = xmr(months(values))

    assert chart.upper == pytest.approx(15.2106, abs=1e-4)
    assert chart.lower == pytest.approx(7.9561, abs=1e-4)
    assert not chart.signals
    assert chart.summary == (
        "Nothing unusual: every month was within what is usual for these stories (between "
        "8 and 15.2 a month, around an average of 11.6), with no long run above or below "
        "the average."
    )


def test_spc_month_on_the_mean_neither_breaks_nor_counts_towards_a_run() -> None:
    values = [7, 9, 7, 9, 10, 9, 7, 9, 7, 13, 11, 13, 11, 13, 15]
    # sum: 4 below (32) + 10 + 4 below (32) + 13+11+13+11+13+15 (76) = 150; mean = 10
    # moving ranges: 2,2,2,1,1,2,2,2,6,2,2,2,2,2 → 30; mR̄ = 30 / 14 = 2.1429; × 2.66 = 5.7
    # upper = 15.7 (15 inside), lower = 4.3 (7 inside).
    # Below: months 1-4, month 5 is on the mean (10), months 6-9 below: 8 below in a
    # row with the on-mean month skipped → a run; month 5 itself is not marked.
    chart = xmr(months(values))

    assert chart.mean == 10
    assert chart.upper == pytest.approx(15.7)
    assert [p.run for p in chart.points] == [BELOW] * 4 + [""] + [BELOW] * 4 + [""] * 6
    assert chart.summary == (
        "From January 2026 to September 2026, 8 months in a row were below the average of "
        "10 a month."
    )
