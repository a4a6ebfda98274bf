"""Each endpoint answers in the same number of queries whatever the amount of data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from apps.organisations.models import Organisation, OrganisationKind
from tests.factories import OrganisationFactory
from tests.querybudget import QueryBudget

from .conftest import World, _change, _response, _story, _tag, get

pytestmark = pytest.mark.django_db


def _grow(world: World, start: int, count: int) -> None:
    """More services, stories (two services each, tags), responses and changes."""
    from tests.factories import UserFactory

    writer = UserFactory(display_name="Sam Lee", job_title="Matron")
    site = Organisation.objects.get(name="Ashdown General Hospital")
    for n in range(start, start + count):
        service = OrganisationFactory(
            parent=site,
            name=f"Ashdown Clinic {n}",
            kind=OrganisationKind.SERVICE,
        )
        story = _story([service, world.south_outpatients], n)
        _tag(story, "discharge", "improve")
        _tag(story, "felt-listened-to", "positive")
        response = _response(story, service, writer, f"Thank you, story {n}.")
        _change(service, story, response, f"Change {n}.", story.published_at.date())
        _response(world.north_story, service, writer, f"Another answer {n}.")


def _endpoints(world: World, key: str | None) -> dict[str, Callable[[Client], object]]:
    north = world.north_story.pk
    return {
        "stories": lambda c: get(c, "/api/v1/stories", key, limit="100"),
        "stories searched": lambda c: get(
            c, "/api/v1/stories", key, q="night staff", organisation="RAD", responded="yes"
        ),
        "story": lambda c: get(c, f"/api/v1/stories/{north}", key),
        "responses": lambda c: get(c, f"/api/v1/stories/{north}/responses", key, limit="100"),
        "organisations": lambda c: get(c, "/api/v1/organisations", key, limit="100"),
        "organisation": lambda c: get(c, f"/api/v1/organisations/{world.north.slug}", key),
        "changes": lambda c: get(c, "/api/v1/changes", key, limit="100"),
        "changes of one": lambda c: get(c, "/api/v1/changes", key, organisation="RAD"),
    }


# Anonymous; a key adds its own lookup (and, once a minute, its "last used" stamp, which
# QueryBudget's warm-up call takes).
LIMITS = {
    "stories": 4,  # count, page, services, tags
    "stories searched": 10,  # + organisation, words check, the search (its count in a
    # transaction of its own for serial plans: three statements more)
    "story": 3,  # story, services, tags
    "responses": 6,  # story (3), responses, replies, changes
    "organisations": 3,  # count, page, parents
    "organisation": 4,  # node, ancestors, children (+ a lookup by ODS code)
    "changes": 3,  # count, page, their published stories
    "changes of one": 4,  # + the organisation
}


ANSWERED = ("stories", "stories searched", "story")


@pytest.mark.parametrize("keyed", [False, True], ids=["anonymous", "with a key"])
def test_endpoints_query_budget(api: Client, world: World, keyed: bool) -> None:
    key = world.north_key if keyed else None
    budgets = {
        name: QueryBudget(
            f"{name} ({'key' if keyed else 'anonymous'})",
            # A key reads the stories' Friends and Family Test answers too.
            limit=LIMITS[name] + keyed + (keyed and name in ANSWERED),
        )
        for name in LIMITS
    }
    endpoints = _endpoints(world, key)
    for size, grow in ((5, 5), (40, 35)):
        _grow(world, 1000 + size, grow)
        for name, call in endpoints.items():
            budgets[name].measure(size, lambda call=call: call(api))  # type: ignore[misc]
    for budget in budgets.values():
        budget.assert_flat()
