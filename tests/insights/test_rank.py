"""Rank among organisations of the same kind by 12-month response rate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.insights.figures import figures_for, figures_mark_stale, figures_refresh
from apps.organisations.models import Organisation, OrganisationKind
from apps.responses.models import Response, ResponseStatus
from apps.stories.models import Story, StoryService
from tests.factories import OrganisationFactory, StoryFactory

from .conftest import AS_OF, clock_at, local, page_of

pytestmark = pytest.mark.django_db


def trust_with(
    name: str,
    stories: int,
    answered: int,
    *,
    kind: str = OrganisationKind.TRUST,
    active: bool = True,
) -> Organisation:
    """A root with one service, `stories` published this month, `answered` of them with a
    published response from the service."""
    root = OrganisationFactory(name=name, kind=kind, is_active=active)
    service = OrganisationFactory(parent=root, name=f"{name} clinic", kind=OrganisationKind.SERVICE)
    told = Story.objects.bulk_create(
        StoryFactory.build(published_at=local(2026, 7, 1, 9)) for _ in range(stories)
    )
    StoryService.objects.bulk_create(StoryService(story=s, organisation=service) for s in told)
    Response.objects.bulk_create(
        Response(
            story=s,
            organisation=service,
            body="Thank you.",
            body_html="<p>Thank you.</p>",
            status=ResponseStatus.PUBLISHED,
            published_at=local(2026, 7, 2, 9),
        )
        for s in told[:answered]
    )
    root.refresh_from_db()
    return root


@pytest.fixture
def trusts(db: None) -> dict[str, Organisation]:
    made = {
        "A": trust_with("Ashby", 10, 9),  # 90%
        "B": trust_with("Bourne", 10, 5),  # 50%
        "C": trust_with("Carlow", 12, 6),  # 50%: tied with Bourne
        "D": trust_with("Dunmore", 10, 2),  # 20%
        "H": trust_with("Hartley", 10, 7),  # 70%
        "I": trust_with("Ivybridge", 10, 4),  # 40%
        "E": trust_with("Elmet", 9, 9),  # 100%, but 9 stories: below the threshold of 10
        "F": trust_with("Fenwick", 10, 10, active=False),  # closed: not ranked
        "G": trust_with("Glebe Surgery", 10, 10, kind=OrganisationKind.GP_PRACTICE),
    }
    figures_refresh(as_of=AS_OF)  # ranks read the stored rows of every node
    return made


def test_rank_orders_by_rate_with_ties_sharing_a_place(trusts: dict[str, Organisation]) -> None:
    ranks = {name: figures_for(node, as_of=AS_OF) for name, node in trusts.items()}
    # Qualifying trusts: A, H, B, C, I, D (E has 9 stories, F is closed, G is a GP practice).
    assert (ranks["A"].rank, ranks["A"].ranked, ranks["A"].tied) == (1, 6, False)
    assert (ranks["B"].rank, ranks["C"].rank) == (3, 3)
    assert ranks["B"].tied
    assert ranks["C"].tied
    assert (ranks["I"].rank, ranks["D"].rank, ranks["D"].ranked) == (5, 6, 6)  # 4 is skipped
    assert ranks["A"].rank_words("trust") == "1st of 6 NHS trusts"
    assert ranks["C"].rank_words("trust") == "joint 3rd of 6 NHS trusts"
    assert ranks["D"].rank_words("trust") == "6th of 6 NHS trusts"
    assert ranks["A"].no_rank_words("trust") == ""


def test_no_rank_until_five_other_organisations_of_the_kind_qualify(
    trusts: dict[str, Organisation],
) -> None:
    """Six qualifying trusts give each five peers; with one fewer there is no rank, and
    the page says why instead of "1st of 5"."""
    Organisation.objects.filter(pk=trusts["I"].pk).update(is_active=False)
    ashby = figures_for(trusts["A"], as_of=AS_OF)
    assert (ashby.rank, ashby.ranked) == (1, 5)
    assert ashby.rank_words("trust") == ""
    assert ashby.no_rank_words("trust") == (
        "No rank yet: fewer than 5 other NHS trusts have at least 10 stories in the last "
        "12 months, too few for a fair comparison."
    )
    # The only GP practice: never "1st of 1".
    glebe = figures_for(trusts["G"], as_of=AS_OF)
    assert glebe.rank_words("gp_practice") == ""
    assert "fewer than 5 other GP practices" in glebe.no_rank_words("gp_practice")


def test_rank_needs_the_minimum_stories_and_an_open_organisation(
    trusts: dict[str, Organisation],
) -> None:
    elmet = figures_for(trusts["E"], as_of=AS_OF)
    assert elmet.rank is None
    assert elmet.rank_words("trust") == ""
    assert elmet.no_rank_words("trust") == (
        "No rank: fewer than 10 stories were published here in the last 12 months, too few "
        "to compare fairly."
    )
    fenwick = figures_for(trusts["F"], as_of=AS_OF)
    assert fenwick.rank is None
    assert fenwick.no_rank_words("trust", active=False) == (
        "No rank: closed organisations are not compared."
    )


def test_rank_thresholds_are_settings(trusts: dict[str, Organisation], settings: Any) -> None:
    settings.FIGURES_RANK_MIN_STORIES = 9
    elmet = figures_for(trusts["E"], as_of=AS_OF)
    assert elmet.rank_words("trust") == "1st of 7 NHS trusts"
    assert figures_for(trusts["A"], as_of=AS_OF).rank_words("trust") == "2nd of 7 NHS trusts"
    settings.FIGURES_RANK_MIN_PEERS = 0
    glebe = figures_for(trusts["G"], as_of=AS_OF)
    assert glebe.rank_words("gp_practice") == "1st of 1 GP practice"


def test_the_page_gives_the_rank_or_says_why_there_is_none(
    trusts: dict[str, Organisation],
) -> None:
    with clock_at(dt.datetime(2026, 7, 15, 11, tzinfo=dt.UTC)):
        ashby = page_of(trusts["A"])
        elmet = page_of(trusts["E"])
    assert "Compared with other NHS trusts" in ashby
    assert "1st of 6 NHS trusts" in ashby
    assert "at least 10 stories in 12 months" in ashby
    assert "Compared with other NHS trusts" in elmet
    assert " of 6 NHS trusts" not in elmet
    assert "No rank: fewer than 10 stories were published here" in elmet


def test_rank_follows_a_recomputed_row(trusts: dict[str, Organisation]) -> None:
    # Dunmore answers its other eight stories; its page recomputes it (marked stale as the
    # responses service would) and it moves to the top.
    dunmore = trusts["D"]
    service = Organisation.objects.get(path__startswith=dunmore.path, depth=2)
    unanswered = Story.objects.filter(services=service, responses__isnull=True)
    Response.objects.bulk_create(
        Response(
            story=s,
            organisation=service,
            body="Thank you.",
            body_html="<p>Thank you.</p>",
            status=ResponseStatus.PUBLISHED,
            published_at=local(2026, 7, 3, 9),
        )
        for s in unanswered
    )
    figures_mark_stale(paths=[service.path])
    assert figures_for(dunmore, as_of=AS_OF).rank_words("trust") == "1st of 6 NHS trusts"
    assert figures_for(trusts["A"], as_of=AS_OF).rank_words("trust") == "2nd of 6 NHS trusts"
