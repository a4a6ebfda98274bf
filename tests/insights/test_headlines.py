"""The statistics lead with a few figures in plain words; the share of responses much like
earlier ones says which way is better."""

from __future__ import annotations

import re
from typing import Any

import pytest

from apps.insights.display import share_words

from .conftest import page_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("part", "whole", "words"),
    [
        (0, 0, ""),
        (0, 12, ""),
        (4, 6, "4 of 6"),
        (9, 9, "all 9"),
        (1_200, 1_200, "all 1,200"),
        (9, 10, "9 in 10"),
        (85, 100, "9 in 10"),  # halves round up
        (84, 100, "8 in 10"),
        (99, 100, "nearly all"),
        (1, 40, "fewer than 1 in 10"),
        (5, 10, "5 in 10"),
    ],
)
def test_shares_read_as_people_say_them(part: int, whole: int, words: str) -> None:
    assert share_words(part, whole) == words


def headlines(body: str) -> list[str]:
    section = body.split('aria-label="In short"')[1].split("</ul>")[0]
    items = re.findall(r"<li>(.*?)</li>", section, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_the_figures_lead_with_headlines_in_plain_words(
    world: dict[str, Any], at_noon_on_as_of: Any
) -> None:
    # Northmoor General: 4 of 6 stories answered, median 8 hours, 2 changes made.
    body = page_of(world["S"])
    assert headlines(body) == [
        "4 of 6 stories answered by staff in the last 12 months",
        "8 hours is the typical wait for a first response: half of the answered stories "
        "were answered sooner",
        "2 changes made in the last 12 months",
    ]
    # They come before the detailed figures.
    assert body.index('aria-label="In short"') < body.index("<dt>Stories published</dt>")
    # The share of responses much like earlier ones says that lower is better.
    generic = body.split("Responses much like earlier ones</dt>")[1].split("</dd>")[0]
    assert "40% of 5 responses (2)" in generic
    assert "Lower is better" in generic


def test_headlines_with_no_answers_yet_say_so(world: dict[str, Any], at_noon_on_as_of: Any) -> None:
    assert headlines(page_of(world["X"])) == [
        "No answers yet from staff to the 1 story of the last 12 months",
        "1 change made in the last 12 months",
    ]
