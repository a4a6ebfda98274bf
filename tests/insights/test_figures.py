"""The figures of the hand-made world (tests/insights/conftest.py), worked out by hand,
against what the database computes, and how the organisation page words them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from apps.insights.display import (
    duration_words,
    kind_words,
    ordinal,
    percent_words,
    whole_percent,
)
from apps.insights.figures import Figures, Window, figures_compute, figures_for
from apps.insights.models import OrganisationFigures
from apps.stories.models import StoryStatus

from .conftest import AS_OF, HOUR, LONDON, local, page_of, respond, story

pytestmark = pytest.mark.django_db


def counted(**figures: Any) -> dict[str, Any]:
    return figures


# Worked out by hand from the world's comments (12 months from 15 July 2025 00:00 BST,
# 30 days from 15 June 2026 00:00 BST):
#
# S (Northmoor General: W1, W2): stories s1 s2 s3 s4 s7 s10 = 6 (s2 names both wards and
#   counts once; s5 withdrawn, s6 a second too early, s9 unpublished; s8 is on the other
#   site). In 30 days: s1 s2 s10 = 3. Responded: s1 s2 s4 s7 = 4 (s3 has only another
#   trust's and a pending response; s10 only Upton's) → 4/6 = 66.7% → 67%; 30 days:
#   s1 s2 = 2/3 → 67%. First responses 2 h, 6 h, 10 h, 96 h (s4's withdrawn 1 h one does
#   not count): median of an even count = (6 + 10) / 2 = 8 h = 28,800 s. Responses: s1's
#   two, s2's, s4's published one, s7's = 5; generic: s1's second and s2's = 2 (40%);
#   leading to a change: s2's (planned) and s7's (made) = 2 (40%); s4's change is not
#   going ahead. Changes made: 1 May 2026 and 15 July 2025 (the first day) = 2; not
#   14 July 2025 (too early) nor 16 July 2026 (after the date).
# W1: s1 s2 s7 s10 = 4; 30 days s1 s2 s10 = 3; responded s1 s2 s7 = 3 (75%), 30 days 2/3;
#   first responses 2 h, 6 h, 10 h: median of an odd count = 6 h = 21,600 s; responses 4,
#   generic 2, with a change 2; changes made 2.
# W2: s2 s3 s4 = 3; 30 days s2 = 1; responded s2 s4 = 2 (67%), 30 days 1/1; median
#   (10 + 96) / 2 = 53 h = 190,800 s; responses 2, generic 1, with a change 1; changes
#   made 0 (its one made change is a day too early).
# T (the trust): S's six and s8 = 7; 30 days s1 s2 s8 s10 = 4; responded 4 (57%),
#   30 days 2/4 (50%); median 8 h; responses 5, generic 2, with a change 2; changes made
#   S's 2 and District Nursing's = 3.
# S2 and X: s8 alone, unanswered; changes made 1.
# U and U1 (Upton): s10, which Upton answered after 3 h: 1/1, median 10,800 s; 1 response.
# V (a GP practice): nothing at all.

EXPECTED: dict[str, dict[str, Any]] = {
    "S": counted(
        stories_12m=6, responded_12m=4, stories_30d=3, responded_30d=2,
        median_response_seconds=8 * HOUR, responses_12m=5, generic_12m=2,
        with_change_12m=2, changes_made_12m=2,
    ),
    "W1": counted(
        stories_12m=4, responded_12m=3, stories_30d=3, responded_30d=2,
        median_response_seconds=6 * HOUR, responses_12m=4, generic_12m=2,
        with_change_12m=2, changes_made_12m=2,
    ),
    "W2": counted(
        stories_12m=3, responded_12m=2, stories_30d=1, responded_30d=1,
        median_response_seconds=53 * HOUR, responses_12m=2, generic_12m=1,
        with_change_12m=1, changes_made_12m=0,
    ),
    "T": counted(
        stories_12m=7, responded_12m=4, stories_30d=4, responded_30d=2,
        median_response_seconds=8 * HOUR, responses_12m=5, generic_12m=2,
        with_change_12m=2, changes_made_12m=3,
    ),
    "S2": counted(
        stories_12m=1, responded_12m=0, stories_30d=1, responded_30d=0,
        median_response_seconds=None, responses_12m=0, generic_12m=0,
        with_change_12m=0, changes_made_12m=1,
    ),
    "U": counted(
        stories_12m=1, responded_12m=1, stories_30d=1, responded_30d=1,
        median_response_seconds=3 * HOUR, responses_12m=1, generic_12m=0,
        with_change_12m=0, changes_made_12m=0,
    ),
    "V": counted(
        stories_12m=0, responded_12m=0, stories_30d=0, responded_30d=0,
        median_response_seconds=None, responses_12m=0, generic_12m=0,
        with_change_12m=0, changes_made_12m=0,
    ),
}  # fmt: skip
EXPECTED["X"] = EXPECTED["S2"]
EXPECTED["U1"] = EXPECTED["U"]


def counts(figures: Figures) -> dict[str, Any]:
    row = dataclasses.asdict(figures)
    return {name: row[name] for name in EXPECTED["S"]}


# --- the hand-made figures ---------------------------------------------------------------
def test_figures_of_every_node_match_the_hand_count(world: dict[str, Any]) -> None:
    computed = figures_compute(list(world.values()), as_of=AS_OF)
    by_id = {f.organisation_id: f for f in computed}
    assert len(computed) == len(world)
    for name, node in world.items():
        assert counts(by_id[node.pk]) == EXPECTED[name], name
        assert by_id[node.pk].as_of == AS_OF


@pytest.mark.parametrize("name", ["S", "W1", "W2", "T", "U", "V"])
def test_figures_of_one_node_alone_match_the_hand_count(world: dict[str, Any], name: str) -> None:
    # One node at a time reads only its own subtree: the same answer as all at once.
    assert counts(figures_for(world[name], as_of=AS_OF)) == EXPECTED[name]


def test_figures_are_stored_as_computed(world: dict[str, Any]) -> None:
    figures_compute([world["S"], world["W2"]], as_of=AS_OF)
    stored = OrganisationFigures.objects.get(organisation=world["S"])
    assert not stored.stale
    assert stored.as_of == AS_OF
    assert stored.computed_at is not None
    for field, value in EXPECTED["S"].items():
        assert getattr(stored, field) == value, field
    assert OrganisationFigures.objects.count() == 2


def test_rates_and_shares_of_the_hand_count(world: dict[str, Any]) -> None:
    s = figures_for(world["S"], as_of=AS_OF)
    assert s.rate_12m == pytest.approx(4 / 6)
    assert s.rate_30d == pytest.approx(2 / 3)
    assert s.generic_share == pytest.approx(2 / 5)
    assert s.with_change_share == pytest.approx(2 / 5)
    assert (s.rate_12m_words, s.rate_30d_words) == ("67%", "67%")
    assert (s.generic_words, s.with_change_words, s.median_words) == ("40%", "40%", "8 hours")
    t = figures_for(world["T"], as_of=AS_OF)
    assert (t.rate_12m_words, t.rate_30d_words) == ("57%", "50%")
    assert figures_for(world["W2"], as_of=AS_OF).median_words == "2 days"  # 53 hours


def test_nothing_to_divide_by_gives_no_rate(world: dict[str, Any]) -> None:
    v = figures_for(world["V"], as_of=AS_OF)
    assert (v.rate_12m, v.rate_30d, v.generic_share, v.with_change_share) == (None,) * 4
    assert v.median_response_seconds is None
    assert (v.rate_12m_words, v.median_words) == ("", "")
    s2 = figures_for(world["S2"], as_of=AS_OF)
    assert s2.rate_12m == 0
    assert s2.generic_share is None  # no responses to share out


# --- the edges of each rule, one at a time ------------------------------------------------
def computed(node: Any) -> Figures:
    # Rows written here by hand announce nothing, so recompute rather than read the row.
    (figures,) = figures_compute([node], as_of=AS_OF)
    return figures


@pytest.fixture
def ward(world: dict[str, Any]) -> Any:
    return world["V"]  # a node with nothing yet: each test adds only what it is about


def test_a_story_with_only_a_pending_response_is_not_responded_to(ward: Any) -> None:
    told = story(ward, at=local(2026, 7, 1, 9))
    respond(told, ward, after_hours=1, status="awaiting_moderation")
    f = computed(ward)
    assert (f.stories_12m, f.responded_12m, f.responses_12m) == (1, 0, 0)
    assert f.rate_12m == 0


def test_a_withdrawn_response_does_not_count(ward: Any) -> None:
    told = story(ward, at=local(2026, 7, 1, 9))
    respond(told, ward, after_hours=1, status="withdrawn")
    assert computed(ward).responded_12m == 0
    respond(told, ward, after_hours=5)
    f = computed(ward)
    assert (f.responded_12m, f.responses_12m, f.median_response_seconds) == (1, 1, 5 * HOUR)


def test_a_withdrawn_story_does_not_count(ward: Any) -> None:
    told = story(ward, at=local(2026, 7, 1, 9))
    respond(told, ward, after_hours=1)
    assert computed(ward).stories_12m == 1
    told.status = StoryStatus.WITHDRAWN
    told.save()
    f = computed(ward)
    assert (f.stories_12m, f.responded_12m, f.responses_12m) == (0, 0, 0)


def test_median_interpolates_an_even_count_and_takes_the_middle_of_an_odd_one(
    ward: Any,
) -> None:
    for hours in (1, 4):
        respond(story(ward, at=local(2026, 7, 1, 9)), ward, after_hours=hours)
    assert computed(ward).median_response_seconds == 2.5 * HOUR
    respond(story(ward, at=local(2026, 7, 1, 9)), ward, after_hours=100)
    # 1, 4, 100 → 4; the unanswered story below changes nothing.
    story(ward, at=local(2026, 7, 1, 9))
    assert computed(ward).median_response_seconds == 4 * HOUR


def test_only_the_first_response_times_a_story(ward: Any) -> None:
    told = story(ward, at=local(2026, 7, 1, 9))
    respond(told, ward, after_hours=30)
    respond(told, ward, after_hours=3)  # written later, published sooner (moderation)
    assert computed(ward).median_response_seconds == 3 * HOUR


def test_window_boundaries_are_local_midnights(world: dict[str, Any]) -> None:
    ward = world["V"]
    # 12 months begin 15 July 2025 00:00 BST (14 July 23:00 UTC); 30 days begin
    # 15 June 2026 00:00 BST; the day asked about ends 16 July 2026 00:00 BST.
    for moment in [
        local(2025, 7, 14, 23, 59, 59),  # out
        local(2025, 7, 15, 0, 0, 0),  # in, 12 months only
        local(2026, 6, 14, 23, 59, 59),  # in, 12 months only
        local(2026, 6, 15, 0, 0, 0),  # in, both
        local(2026, 7, 15, 23, 59, 59),  # in, both: the last second of the day
        local(2026, 7, 16, 0, 0, 0),  # out: after the date asked about
    ]:
        story(ward, at=moment)
    f = computed(ward)
    assert (f.stories_12m, f.stories_30d) == (4, 2)


def test_window_of_a_leap_day_starts_on_28_february() -> None:
    window = Window.of(dt.date(2028, 2, 29))
    assert window.year_ago == dt.date(2027, 2, 28)
    assert window.since_12m == dt.datetime(2027, 2, 28, tzinfo=LONDON)
    assert window.since_30d == dt.datetime(2028, 1, 30, tzinfo=LONDON)
    assert window.until == dt.datetime(2028, 3, 1, tzinfo=LONDON)
    summer = Window.of(AS_OF)
    assert summer.since_12m.astimezone(dt.UTC) == dt.datetime(2025, 7, 14, 23, tzinfo=dt.UTC)


def test_a_story_of_two_trusts_counts_for_each_with_its_own_responses(
    world: dict[str, Any],
) -> None:
    # s10 names Ward 1 and Upton Maternity; only Upton answered.
    w1 = figures_for(world["W1"], as_of=AS_OF)
    u1 = figures_for(world["U1"], as_of=AS_OF)
    assert (w1.stories_12m, w1.responded_12m) == (4, 3)
    assert (u1.stories_12m, u1.responded_12m) == (1, 1)


# --- words -----------------------------------------------------------------------------
def test_whole_percentages_round_halves_up() -> None:
    assert whole_percent(1, 8) == 13  # 12.5
    assert whole_percent(3, 8) == 38  # 37.5
    assert whole_percent(2, 3) == 67
    assert whole_percent(0, 0) is None
    assert percent_words(1, 300) == "under 1%"
    assert percent_words(299, 300) == "over 99%"
    assert percent_words(0, 5) == "0%"
    assert percent_words(5, 5) == "100%"


def test_durations_are_hours_under_two_days_then_days() -> None:
    assert duration_words(None) == ""
    assert duration_words(20 * 60) == "20 minutes"
    assert duration_words(HOUR) == "1 hour"
    assert duration_words(47 * HOUR) == "47 hours"
    assert duration_words(48 * HOUR) == "2 days"
    assert duration_words(80 * HOUR) == "3 days"  # 3.33


def test_ordinals_and_kinds() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
        "101st", "111th", "112th",
    ]  # fmt: skip
    assert kind_words("trust", 226) == "226 NHS trusts"
    assert kind_words("gp_practice", 1) == "1 GP practice"
    assert kind_words("care_home", 2) == "2 care homes"


# --- on the page -------------------------------------------------------------------------
def test_page_shows_the_figures_in_words(world: dict[str, Any], at_noon_on_as_of: Any) -> None:
    body = page_of(world["S"])
    assert "How Northmoor General listens" in body
    assert "6 in the last 12 months, 3 of them in the last 30 days" in body
    assert "67% in the last 12 months (4 of 6); 67% in the last 30 days (2 of 3)" in body
    assert "8 hours" in body
    assert "40% of 5 responses (2)" in body  # generic, and leading to a change
    assert "2 in the last 12 months" in body  # changes made
    assert "Figures as of 15 July 2026" in body
    assert "days" not in body.split("Typical time to a first response")[1].split("</dd>")[0]
    w2 = page_of(world["W2"])
    assert "2 days" in w2.split("Typical time to a first response")[1].split("</dd>")[0]


def test_page_with_no_stories_says_so_instead_of_a_rate(
    world: dict[str, Any], at_noon_on_as_of: Any
) -> None:
    body = page_of(world["V"])
    section = body.split('id="figures"')[1].split("</section>")[0]
    assert "No stories about Quiet Lane Surgery were published in the last 12 months" in section
    for nonsense in ("0%", "NaN", "nan", "None"):
        assert nonsense not in section


def test_page_with_stories_but_no_responses_says_no_responses_yet(
    world: dict[str, Any], at_noon_on_as_of: Any
) -> None:
    section = page_of(world["X"]).split('id="figures"')[1].split("</section>")[0]
    assert "No responses yet in the last 12 months" in section
    assert "none yet of the 1 in the last 30 days" in section
    assert "NaN" not in section
    assert "None" not in section
