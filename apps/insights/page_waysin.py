"""What insight draws of the ways in (docs/insight.md): the Friends and Family Test
answers by month, channel and service, and the stories by channel and campaign, as
server-rendered SVG with a table beneath each chart.

The Friends and Family Test rule for small numbers holds on staff pages too: a share
taken of fewer than settings.INSIGHT_MIN_CELL answers says little and, beside the
stories, could point to whose answer it was; so a month, channel or service with fewer
answers shows no share and no counts, only "fewer than 5"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.stories.taxonomy import Channel, FftAnswer

from . import charts, display
from .charts import BAR_LABEL, BAR_ROW, RIGHT, TOP, WIDTH, BarChart, BarRow, Box, Tick
from .selectors_insight import Insight
from .selectors_waysin import ANSWERS, FftCounts

# Each answer's fill, best to worst, so order and pattern carry the meaning as well as
# colour: the two poor answers are hatched or dark.
ANSWER_FILLS = {
    FftAnswer.VERY_GOOD.value: charts.BLUE,
    FftAnswer.GOOD.value: charts.SKY,
    FftAnswer.NEITHER.value: "#BBBBBB",
    FftAnswer.POOR.value: "url(#insight-improve)",
    FftAnswer.VERY_POOR.value: charts.VERMILLION,
}
SHARE_ROOM = 150  # after each bar: its share in words


@dataclass(frozen=True)
class FftRow:
    label: str
    hidden: bool  # fewer answers than the limit: nothing but "fewer than N"
    counts: list[str]  # each answer's count in ANSWERS' order ("" when hidden)
    total: str
    share: str  # "83%", "" when hidden or when every answer was don't know
    short: str = ""  # the chart's label where `label` is too long for it (a service)


def _label_channel(value: str) -> str:
    try:
        label = str(Channel(value).label)
    except ValueError:
        label = value
    return label[:1].upper() + label[1:]


def fft_row(label: str, row: FftCounts, limit: int, short: str = "") -> FftRow:
    if row.total < limit:
        return FftRow(label, True, [""] * len(ANSWERS), charts.fewer_than(limit), "", short)
    return FftRow(
        label,
        False,
        [f"{n:,}" for n in row.counts],
        f"{row.total:,}",
        display.percent_words(row.positive, row.rated),
        short,
    )


def fft_chart(rows: Sequence[tuple[FftRow, FftCounts]], *, limit: int) -> BarChart:
    """A bar a row, as long as the plot: the share of each answer but don't know, very
    good first; a row under the limit is a hatched stub; its share positive after it."""
    plot_w = WIDTH - BAR_LABEL - RIGHT - SHARE_ROOM
    drawn = []
    for index, (row, counts) in enumerate(rows):
        y = TOP + index * BAR_ROW
        x = float(BAR_LABEL)
        boxes: list[Box] = []
        if row.hidden:
            boxes.append(Box(x, y, plot_w * 0.1, BAR_ROW - 8, "url(#insight-small)"))
            words = row.total
        elif counts.rated:
            for answer, fill in ANSWER_FILLS.items():
                width = plot_w * counts.count(answer) / counts.rated
                if width:
                    boxes.append(Box(x, y, width, BAR_ROW - 8, fill, answer))
                    x += width
            words = _("%(share)s positive") % {"share": row.share}
        else:
            words = _("only “don’t know”") if counts.total else _("no answers")
        end = BAR_LABEL + (plot_w if boxes and not row.hidden else plot_w * 0.1 * row.hidden)
        drawn.append(BarRow(row.short or row.label, y, boxes, words, end=end + 6))
    ticks = [Tick(BAR_LABEL + plot_w * p / 100, f"{p}%") for p in (0, 50, 100)]
    return BarChart(WIDTH, TOP + len(drawn) * BAR_ROW + 24, drawn, BAR_LABEL, ticks)


def count_chart(rows: Sequence[tuple[str, int]], *, limit: int) -> BarChart:
    """Stories by channel or campaign: the funnel's bars, most first."""
    return charts.funnel_chart(rows, limit=limit)


def ways_in_context(insight: Insight, *, limit: int, staff: bool) -> dict[str, Any]:
    """The sections' charts and tables. `limit` is the page's own small-number limit
    (0 for staff) for the stories by channel and campaign; the answers always use
    settings.INSIGHT_MIN_CELL."""
    fft_limit = settings.INSIGHT_MIN_CELL
    fft = insight.fft

    def built(labelled: list[tuple[str, str, FftCounts]]) -> dict[str, Any]:
        pairs = [
            (fft_row(label, counts, fft_limit, short), counts) for label, short, counts in labelled
        ]
        return {"rows": [row for row, _counts in pairs], "chart": fft_chart(pairs, limit=fft_limit)}

    months = [
        (date_format(dt.date.fromisoformat(counts.key), "F Y"), "", counts) for counts in fft.months
    ]
    channels = [(_label_channel(counts.key), "", counts) for counts in fft.channels]
    # The table names a service with its place; the chart, short of room, by its own name.
    services = [(org.display_name, org.name, counts) for org, counts in fft.services]
    ways = [(_label_channel(value), n) for value, n in insight.ways_in.channels]
    campaigns = list(insight.ways_in.campaigns) if staff else []
    return {
        "fft_limit": fft_limit,
        "fft_total": fft.total,
        "fft_answers": [str(label) for label in FftAnswer.labels],
        "fft_legend": [(str(FftAnswer(a).label), fill) for a, fill in ANSWER_FILLS.items()],
        "fft_sections": [
            {
                "id": "fft-months",
                "title": _("By month"),
                "chart_title": _("Friends and Family Test answers by month"),
                "caption": _("Friends and Family Test answers by month, in numbers"),
                "first": _("Month"),
                **built(months),
            },
            {
                "id": "fft-channels",
                "title": _("By channel"),
                "chart_title": _("Friends and Family Test answers by channel"),
                "caption": _("Friends and Family Test answers by channel, in numbers"),
                "first": _("Channel"),
                **built(channels),
            },
            {
                "id": "fft-services",
                "title": _("By service"),
                "chart_title": _("Friends and Family Test answers by service"),
                "caption": _("Friends and Family Test answers by service, in numbers"),
                "first": _("Service"),
                **built(services),
            },
        ],
        "channel_rows": ways,
        "channel_chart": count_chart(ways, limit=limit),
        "campaign_rows": campaigns,
        "campaign_chart": count_chart(campaigns, limit=limit) if campaigns else None,
    }
