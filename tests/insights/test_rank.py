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
        "E": trust_with("Elmet", 9, 9),  # 100%, but 9 stories: below the threshold of 10
        "F": trust_with("Fenwick", 10, 10, active=False),  # closed: not ranked
        "G": trust_with("Glebe Surgery", 10, 10, kind=OrganisationKind.GP_PRACTICE),
    }
    figures_refresh(as_of=AS_OF)  # ranks read the stored rows of every node
    return made


def test_rank_orders_by_rate_with_ties_sharing_a_place(trusts: dict[str, Organisation]) -> None:
    ranks = {name: figures_for(node, as_of=AS_OF) for name, node in trusts.items()}
    # Qualifying trusts: A, B, C, D (E has 9 stories, F is closed, G is a GP practice).
    assert (ranks["A"].rank, ranks["A"].ranked, ranks["A"].tied) == (1, 4, False)
    assert (ranks["B"].rank, ranks["C"].rank) == (2, 2)
    assert ranks["B"].tied
    assert ranks["C"].tied
    assert (ranks["D"].rank, ranks["D"].ranked) == (4, 4)  # after a tie, rank() skips 3
    assert ranks["A"].rank_words("trust") == "1st of 4 NHS trusts"
    assert ranks["C"].rank_words("trust") == "joint 2nd of 4 NHS trusts"
    assert ranks["D"].rank_words("trust") == "4th of 4 NHS trusts"


def test_rank_needs_the_minimum_stories_and_an_open_organisation(
    trusts: dict[str, Organisation],
) -> None:
    assert figures_for(trusts["E"], as_of=AS_OF).rank is None
    assert figures_for(trusts["E"], as_of=AS_OF).rank_words("trust") == ""
    assert figures_for(trusts["F"], as_of=AS_OF).rank is None
    # The only GP practice is ranked among GP practices alone.
    assert figures_for(trusts["G"], as_of=AS_OF).rank_words("gp_practice") == "1st of 1 GP practice"


def test_rank_threshold_is_a_setting(trusts: dict[str, Organisation], settings: Any) -> None:
    settings.FIGURES_RANK_MIN_STORIES = 9
    elmet = figures_for(trusts["E"], as_of=AS_OF)
    assert elmet.rank_words("trust") == "1st of 5 NHS trusts"
    assert figures_for(trusts["A"], as_of=AS_OF).rank_words("trust") == "2nd of 5 NHS trusts"


def test_rank_is_on_the_page_only_when_the_organisation_qualifies(
    trusts: dict[str, Organisation],
) -> None:
    with clock_at(dt.datetime(2026, 7, 15, 11, tzinfo=dt.UTC)):
        ashby = page_of(trusts["A"])
        elmet = page_of(trusts["E"])
    assert "Compared with other NHS trusts" in ashby
    assert "1st of 4 NHS trusts" in ashby
    assert "at least 10 stories in 12 months" in ashby
    assert "Compared with other" not in elmet
    assert " of 4 NHS trusts" not in elmet


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
    assert figures_for(dunmore, as_of=AS_OF).rank_words("trust") == "1st of 4 NHS trusts"
    assert figures_for(trusts["A"], as_of=AS_OF).rank_words("trust") == "2nd of 4 NHS trusts"
