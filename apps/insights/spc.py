"""Statistical process control for monthly counts: an XmR (individuals) chart, as the
NHS "Making Data Count" approach draws it.

Pure arithmetic over a list of (month, count) pairs; no database. docs/insight.md says
the same in plain words.

- Centre line: the mean of the counts.
- Moving ranges: |x(i) − x(i−1)| between neighbouring months (one fewer than the months);
  their mean is mR̄.
- Control limits: mean ± 2.66 × mR̄ (2.66 = 3 / 1.128, the usual constant for ranges of
  two points); the lower limit is never below 0, as a count cannot be.
- Limits and signals only with MIN_POINTS (10) months or more: with fewer, ordinary ups
  and downs cannot be told from a real change.
- Special cause, "outside": a month above the upper limit or below the lower one.
- Special cause, "run": RUN_LENGTH (8) or more months in a row on one side of the
  centre line; every month of the run is marked. A month exactly on the centre line
  neither breaks a run nor counts towards it (as Making Data Count counts a shift).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_POINTS = 10
RUN_LENGTH = 8
SIGMA_FROM_RANGE = 2.66

ABOVE = "above"
BELOW = "below"


@dataclass(frozen=True)
class SpcPoint:
    month: dt.date  # the first day of the month
    value: int
    outside: str = ""  # ABOVE the upper limit, BELOW the lower one, or ""
    run: str = ""  # ABOVE or BELOW: part of a run of RUN_LENGTH or more on that side

    @property
    def signal(self) -> bool:
        return bool(self.outside or self.run)


@dataclass(frozen=True)
class Spc:
    """The chart of a series: its points (marked), and, with enough points, the centre
    line and limits. `sentences` say in plain words what changed (or that nothing did,
    or that there are too few months to tell)."""

    points: tuple[SpcPoint, ...]
    mean: float | None = None
    mean_moving_range: float | None = None
    upper: float | None = None
    lower: float | None = None
    sentences: tuple[str, ...] = ()

    @property
    def has_limits(self) -> bool:
        return self.mean is not None

    @property
    def signals(self) -> tuple[SpcPoint, ...]:
        return tuple(p for p in self.points if p.signal)

    @property
    def summary(self) -> str:
        return " ".join(self.sentences)


def xmr(series: Sequence[tuple[dt.date, int]], shown: Callable[[int], str] = str) -> Spc:
    """The XmR chart of monthly counts, in month order. `shown` writes a month's count in
    the sentences (in public, "fewer than 5" for a small one)."""
    values = [value for _month, value in series]
    if len(values) < MIN_POINTS:
        return Spc(
            points=tuple(SpcPoint(month, value) for month, value in series),
            sentences=(_too_few(len(values)),),
        )
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    mr_bar = sum(ranges) / len(ranges)
    upper = mean + SIGMA_FROM_RANGE * mr_bar
    lower = max(0.0, mean - SIGMA_FROM_RANGE * mr_bar)
    runs = _runs(values, mean)
    points = tuple(
        SpcPoint(
            month,
            value,
            outside=ABOVE if value > upper else BELOW if value < lower else "",
            run=runs[i],
        )
        for i, (month, value) in enumerate(series)
    )
    return Spc(
        points=points,
        mean=mean,
        mean_moving_range=mr_bar,
        upper=upper,
        lower=lower,
        sentences=tuple(_sentences(points, mean, upper, lower, shown)),
    )


def _side(value: int, mean: float) -> str:
    if value > mean:
        return ABOVE
    if value < mean:
        return BELOW
    return ""


def _runs(values: Sequence[int], mean: float) -> list[str]:
    """For each value, the side of the run of RUN_LENGTH or more it belongs to, or ""."""
    marks = [""] * len(values)
    side = ""
    members: list[int] = []  # indexes on `side` in the current run (on-mean ones left out)

    def close() -> None:
        if side and len(members) >= RUN_LENGTH:
            for index in members:
                marks[index] = side

    for index, value in enumerate(values):
        this = _side(value, mean)
        if not this:
            continue  # on the centre line: neither breaks nor counts
        if this != side:
            close()
            side, members = this, []
        members.append(index)
    close()
    return marks


def _month(day: dt.date) -> str:
    return date_format(day, "F Y")


def _number(value: float) -> str:
    """A limit or mean as people read it: whole when it is, else one decimal place."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def _too_few(count: int) -> str:
    return ngettext(
        "There is only %(count)s month here: at least %(min)s are needed to tell an "
        "unusual month from the ordinary ups and downs.",
        "There are only %(count)s months here: at least %(min)s are needed to tell an "
        "unusual month from the ordinary ups and downs.",
        count,
    ) % {"count": count, "min": MIN_POINTS}


def _sentences(
    points: Sequence[SpcPoint],
    mean: float,
    upper: float,
    lower: float,
    shown: Callable[[int], str],
) -> list[str]:
    """What changed: the latest month outside the limits on each side, and the latest run
    on each side; or that nothing unusual happened."""
    said: list[str] = []
    high = [p for p in points if p.outside == ABOVE]
    low = [p for p in points if p.outside == BELOW]
    if high:
        said.append(
            _(
                "In %(month)s stories rose above what is usual: %(value)s, where up to "
                "%(upper)s a month would be ordinary."
            )
            % {
                "month": _month(high[-1].month),
                "value": shown(high[-1].value),
                "upper": _number(upper),
            }
        )
    if low:
        said.append(
            _(
                "In %(month)s stories fell below what is usual: %(value)s, where at least "
                "%(lower)s a month would be ordinary."
            )
            % {
                "month": _month(low[-1].month),
                "value": shown(low[-1].value),
                "lower": _number(lower),
            }
        )
    for side in (ABOVE, BELOW):
        said.extend(_run_sentence(points, side, mean))
    if not said:
        said.append(
            _(
                "Nothing unusual: every month was within what is usual for these stories "
                "(between %(lower)s and %(upper)s a month, around an average of %(mean)s), "
                "with no long run above or below the average."
            )
            % {
                "lower": _number(lower),
                "upper": _number(upper),
                "mean": _number(mean),
            }
        )
    return said


def _run_sentence(points: Sequence[SpcPoint], side: str, mean: float) -> list[str]:
    """The latest run on `side`, in words ("Since October 2025, 8 months in a row…")."""
    marked = [i for i, p in enumerate(points) if p.run == side]
    if not marked:
        return []
    # The latest run: walk back from its last month while the months stay on this side
    # (or on the centre line, which does not break a run).
    end = marked[-1]
    start = end
    for i in range(end, -1, -1):
        if points[i].run == side:
            start = i
        elif _side(points[i].value, mean):
            break
    length = sum(1 for p in points[start : end + 1] if p.run == side)
    values = {"count": length, "mean": _number(mean), "start": _month(points[start].month)}
    if end == len(points) - 1:
        if side == ABOVE:
            text = ngettext(
                "Since %(start)s, %(count)s month in a row was above the average of %(mean)s "
                "a month: more stories than usual, for longer than chance explains.",
                "Since %(start)s, %(count)s months in a row were above the average of "
                "%(mean)s a month: more stories than usual, for longer than chance explains.",
                length,
            )
        else:
            text = ngettext(
                "Since %(start)s, %(count)s month in a row was below the average of %(mean)s "
                "a month: fewer stories than usual, for longer than chance explains.",
                "Since %(start)s, %(count)s months in a row were below the average of "
                "%(mean)s a month: fewer stories than usual, for longer than chance explains.",
                length,
            )
        return [text % values]
    values["end"] = _month(points[end].month)
    if side == ABOVE:
        text = ngettext(
            "From %(start)s to %(end)s, %(count)s month in a row was above the average of "
            "%(mean)s a month.",
            "From %(start)s to %(end)s, %(count)s months in a row were above the average of "
            "%(mean)s a month.",
            length,
        )
    else:
        text = ngettext(
            "From %(start)s to %(end)s, %(count)s month in a row was below the average of "
            "%(mean)s a month.",
            "From %(start)s to %(end)s, %(count)s months in a row were below the average of "
            "%(mean)s a month.",
            length,
        )
    return [text % values]
