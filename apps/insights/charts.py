"""The insight page's charts as geometry for server-rendered SVG (docs/decisions.md says
why: no JavaScript, prints, one stylesheet, a table under each chart).

Each builder takes figures already counted and returns what the templates draw: boxes,
points with a shape, lines, labels. Colours are the Okabe–Ito palette, safe for the
common colour-vision deficiencies; every meaning carried by colour is carried by a
pattern or a shape too. In public, a value under settings.INSIGHT_MIN_CELL is never
drawn to scale (`limit`): its column is a hatched stub labelled "fewer than N".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .selectors_insight import Mark, Month, Period, Topic
from .spc import ABOVE, BELOW, Spc

# Okabe & Ito (2008), "Color Universal Design".
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#767676"  # 4.5:1 on white

WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 40


def fewer_than(limit: int) -> str:
    return _("fewer than %(limit)s") % {"limit": limit}


def shape_path(shape: str, x: float, y: float, r: float = 5) -> str:
    """An SVG path for a mark: circle, square, diamond, up (triangle), down, cross."""
    if shape == "square":
        return f"M{x - r:.1f},{y - r:.1f}h{2 * r:.1f}v{2 * r:.1f}h{-2 * r:.1f}Z"
    if shape == "diamond":
        return (
            f"M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y:.1f}"
            f"L{x:.1f},{y + r + 1:.1f}L{x - r - 1:.1f},{y:.1f}Z"
        )
    if shape == "up":
        return f"M{x:.1f},{y - r - 1:.1f}L{x + r + 1:.1f},{y + r:.1f}L{x - r - 1:.1f},{y + r:.1f}Z"
    if shape == "down":
        return f"M{x:.1f},{y + r + 1:.1f}L{x + r + 1:.1f},{y - r:.1f}L{x - r - 1:.1f},{y - r:.1f}Z"
    if shape == "cross":
        w = r / 2.5
        return (
            f"M{x - w:.1f},{y - r:.1f}h{2 * w:.1f}v{r - w:.1f}h{r - w:.1f}v{2 * w:.1f}"
            f"h{w - r:.1f}v{r - w:.1f}h{-2 * w:.1f}v{w - r:.1f}h{w - r:.1f}v{-2 * w:.1f}"
            f"h{r - w:.1f}Z"
        )
    return f"M{x - r:.1f},{y:.1f}a{r},{r} 0 1,0 {2 * r},0a{r},{r} 0 1,0 {-2 * r},0Z"


def nice_top(value: float) -> int:
    """A round number at or above `value` for the top of an axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    fill: str  # a colour, or a pattern's url(#…)
    kind: str = ""


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    path: str
    kind: str  # "", "above", "below" (outside the limits) or "run"


@dataclass(frozen=True)
class Column:
    month: dt.date
    label: str  # shown under the axis ("" when crowded)
    words: str  # what the link says to a screen reader
    href: str
    x: float
    width: float
    boxes: list[Box]
    point: Point | None
    suppressed: bool = False


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    columns: list[Column]
    ticks: list[Tick]
    line: str  # the polyline through the monthly totals ("" when none is drawn)
    centre: float | None = None
    upper: float | None = None
    lower: float | None = None
    baseline: float = 0
    right: float = WIDTH - RIGHT


def trend_chart(
    months: Sequence[Month], spc: Spc, *, limit: int, href: Callable[[dt.date], str]
) -> TrendChart:
    """Stacked columns a month (could be improved, good, neither) with the XmR chart of
    the totals over them: centre line, limits, and each month's point shaped by its
    signal (▲ above the upper limit, ▼ below the lower, ■ in a run, ● otherwise)."""
    height = 280
    plot_h = height - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    top = nice_top(max([m.total for m in months] + [spc.upper or 0, limit, 1]) * 1.05)
    scale = plot_h / top
    base = TOP + plot_h
    slot = plot_w / max(len(months), 1)
    every = max(1, math.ceil(len(months) / 12))
    columns: list[Column] = []
    line: list[str] = []
    for index, (month, point) in enumerate(zip(months, spc.points, strict=True)):
        x = LEFT + index * slot
        width = max(slot * 0.7, 1)
        bar_x = x + (slot - width) / 2
        centre_x = x + slot / 2
        hidden = month.total < limit
        boxes: list[Box] = []
        if hidden:
            boxes.append(
                Box(bar_x, base - limit * scale, width, limit * scale, "url(#insight-small)")
            )
        else:
            parts = [
                (month.improve, "url(#insight-improve)", "improve"),
                (month.good, BLUE, "good"),
            ]
            # The split is drawn when the table beneath shows both its counts; "neither"
            # is then the rest of the column, which the table's total already gives away.
            if any(value < limit for value, _fill, _kind in parts):
                parts = [(month.total, GREY, "all")]
            else:
                parts.append((month.neither, GREY, "neither"))
            y: float = base
            for value, fill, kind in parts:
                if value:
                    y -= value * scale
                    boxes.append(Box(bar_x, y, width, value * scale, fill, kind))
        drawn: Point | None = None
        if not hidden:
            y = float(base - month.total * scale)
            kind = point.outside or ("run" if point.run else "")
            shape = {ABOVE: "up", BELOW: "down", "run": "square"}.get(kind, "circle")
            drawn = Point(centre_x, y, shape_path(shape, centre_x, y), kind)
            line.append(f"{centre_x:.1f},{y:.1f}")
        words = ngettext(
            "%(month)s: %(count)s story",
            "%(month)s: %(count)s stories",
            limit if hidden else month.total,
        ) % {
            "month": date_format(month.month, "F Y"),
            "count": fewer_than(limit) if hidden else month.total,
        }
        columns.append(
            Column(
                month=month.month,
                label=date_format(month.month, "M y") if index % every == 0 else "",
                words=words,
                href=href(month.month),
                x=centre_x,
                width=width,
                boxes=boxes,
                point=drawn,
                suppressed=hidden,
            )
        )
    ticks = [Tick(base - value * scale, str(value)) for value in (0, top // 2, top)]

    def at(value: float | None) -> float | None:
        return None if value is None else base - value * scale

    return TrendChart(
        width=WIDTH,
        height=height,
        columns=columns,
        ticks=ticks,
        line=" ".join(line),
        centre=at(spc.mean),
        upper=at(spc.upper),
        lower=at(spc.lower),
        baseline=base,
    )


@dataclass(frozen=True)
class BarRow:
    label: str
    y: float
    boxes: list[Box]
    words: str  # the row's numbers, for a screen reader's title
    end: float = 0  # where a label after the bar starts


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    rows: list[BarRow]
    label_width: int
    ticks: list[Tick] = field(default_factory=list)


BAR_ROW = 26
BAR_LABEL = 230


def topic_chart(topics: Sequence[Topic], *, limit: int, shown: int = 15) -> BarChart:
    """Horizontal bars, most told first: good (solid blue) then could be improved
    (hatched orange); a topic under the limit in public is a hatched stub."""
    chosen = list(topics[:shown])
    plot_w = WIDTH - BAR_LABEL - RIGHT
    top = nice_top(max([t.total for t in chosen] + [limit, 1]))
    scale = plot_w / top
    rows = []
    for index, topic in enumerate(chosen):
        y = TOP + index * BAR_ROW
        x = float(BAR_LABEL)
        boxes: list[Box] = []
        if topic.total < limit:
            boxes.append(Box(x, y, limit * scale, BAR_ROW - 8, "url(#insight-small)"))
            words = fewer_than(limit)
        elif topic.good < limit or topic.improve < limit:
            boxes.append(Box(x, y, topic.total * scale, BAR_ROW - 8, GREY, "all"))
            words = str(topic.total)
        else:
            for value, fill, kind in (
                (topic.good, BLUE, "good"),
                (topic.improve, "url(#insight-improve)", "improve"),
            ):
                boxes.append(Box(x, y, value * scale, BAR_ROW - 8, fill, kind))
                x += value * scale
            words = _("%(good)s good, %(improve)s could be improved") % {
                "good": topic.good,
                "improve": topic.improve,
            }
        rows.append(BarRow(topic.label[:1].upper() + topic.label[1:], y, boxes, words))
    height = TOP + len(rows) * BAR_ROW + 24
    ticks = [
        Tick(BAR_LABEL + value * scale, str(value)) for value in (0, top // 2, top) if value >= 0
    ]
    return BarChart(WIDTH, height, rows, BAR_LABEL, ticks)


# What a mark's colour and shape mean: public by progress, staff by criticality.
PROGRESS_STYLE = {
    "not_read": (GREY, "circle"),
    "read": (SKY, "square"),
    "responded": (BLUE, "diamond"),
    "change_planned": (ORANGE, "up"),
    "change_made": (GREEN, "cross"),
}
CRITICALITY_STYLE = {
    0: (BLUE, "circle"),
    1: (SKY, "square"),
    2: (GREEN, "diamond"),
    3: (YELLOW, "up"),
    4: (ORANGE, "down"),
    5: (VERMILLION, "cross"),
}


@dataclass(frozen=True)
class SwarmMark:
    pk: int
    title: str
    words: str
    path: str
    fill: str
    href: str


@dataclass(frozen=True)
class Swarm:
    width: int
    height: int
    marks: list[SwarmMark]
    baseline: float
    labels: list[Tick]  # x positions (as `y`) and month names along the bottom

    def marks_html(self) -> SafeString:
        """The marks as SVG links, written here rather than by a template loop: a period
        has up to settings.INSIGHT_SWARM_LIMIT of them, and this is most of the page."""
        return format_html_join(
            "",
            '<a href="{}" aria-label="{}"><title>{}</title>'
            '<path d="{}" fill="{}" class="swarm-mark"></path></a>',
            ((m.href, m.words, m.words, m.path, m.fill) for m in self.marks),
        )


SWARM_STEP = 11


def swarm_chart(
    marks: Sequence[Mark],
    period: Period,
    *,
    by_criticality: bool,
    href: Callable[[int], str],
    category_words: Callable[[Mark], str],
) -> Swarm:
    """One mark a story, placed by its date across the period and stacked where days
    crowd; colour and shape by progress (public) or criticality (staff)."""
    plot_w = WIDTH - LEFT - RIGHT
    days = max((period.end - period.start).days + 1, 1)
    columns = max(int(plot_w // SWARM_STEP), 1)
    stacks: dict[int, int] = {}
    placed: list[tuple[Mark, int, int]] = []
    for mark in marks:
        day = (mark.published_at.date() - period.start).days
        column = min(max(day * columns // days, 0), columns - 1)
        level = stacks.get(column, 0)
        stacks[column] = level + 1
        placed.append((mark, column, level))
    tallest = max(stacks.values(), default=1)
    height = TOP + tallest * SWARM_STEP + BOTTOM
    base = height - BOTTOM
    drawn = []
    days_in_words: dict[dt.date, str] = {}
    for mark, column, level in placed:
        x = LEFT + column * SWARM_STEP + SWARM_STEP / 2
        y = base - level * SWARM_STEP - SWARM_STEP / 2
        if by_criticality:
            fill, shape = CRITICALITY_STYLE.get(mark.criticality or 0, (GREY, "circle"))
        else:
            fill, shape = PROGRESS_STYLE.get(mark.progress, (GREY, "circle"))
        title = mark.title or _("Story %(pk)s") % {"pk": mark.pk}
        told_on = mark.published_at.date()
        if told_on not in days_in_words:
            days_in_words[told_on] = date_format(told_on, "j F Y")
        words = f"{title} ({days_in_words[told_on]}, {category_words(mark)})"
        drawn.append(
            SwarmMark(mark.pk, title, words, shape_path(shape, x, y, 4), fill, href(mark.pk))
        )
    labels = []
    every = max(1, math.ceil(len(period.months) / 12))
    for index, month in enumerate(period.months):
        if index % every:
            continue
        day = max((month - period.start).days, 0)
        x = LEFT + day * plot_w / days
        if x < WIDTH - RIGHT - 40:  # room for the label inside the chart
            labels.append(Tick(x, date_format(month, "M y")))
    return Swarm(WIDTH, height, drawn, base, labels)


def funnel_chart(steps: Sequence[tuple[str, int]], *, limit: int) -> BarChart:
    """The journey as horizontal bars, one a step, each no longer than the one before,
    with its number after it."""
    plot_w = WIDTH - BAR_LABEL - RIGHT - 110
    top = max([value for _label, value in steps] + [limit, 1])
    scale = plot_w / top
    rows = []
    for index, (label, value) in enumerate(steps):
        y = TOP + index * BAR_ROW
        if value < limit:
            box = Box(BAR_LABEL, y, limit * scale, BAR_ROW - 8, "url(#insight-small)")
            words = fewer_than(limit)
        else:
            box = Box(BAR_LABEL, y, max(value * scale, 1), BAR_ROW - 8, BLUE)
            words = str(value)
        rows.append(BarRow(label, y, [box], words, end=box.x + box.width + 6))
    return BarChart(WIDTH, TOP + len(rows) * BAR_ROW + 8, rows, BAR_LABEL)
