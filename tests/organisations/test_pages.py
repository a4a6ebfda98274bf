from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.organisations.models import Organisation, OrganisationKind
from apps.organisations.services import organisation_bulk_add, unique_slugs
from tests.factories import OrganisationFactory, StoryFactory
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("organisations:directory")


def add_services(parent: Organisation, count: int, start: int = 0) -> None:
    names = [f"Service {n:05d}" for n in range(start, start + count)]
    nodes = [
        Organisation(name=name, slug=slug, kind=OrganisationKind.SERVICE, postcode="AV1 1AA")
        for name, slug in zip(names, unique_slugs(names), strict=True)
    ]
    organisation_bulk_add({parent: nodes})


@pytest.fixture
def tree() -> dict[str, Organisation]:
    trust = OrganisationFactory(
        name="Ashdown Vale Hospitals NHS Trust", ods_code="ZZA", postcode="AV1 1AA"
    )
    site = OrganisationFactory(
        parent=trust,
        name="Ashdown General Hospital",
        kind=OrganisationKind.SITE,
        ods_code="ZZA01",
        postcode="AV1 2BB",
    )
    directorate = OrganisationFactory(
        parent=site, name="Surgery", kind=OrganisationKind.DIRECTORATE
    )
    ward = OrganisationFactory(
        parent=directorate, name="Ward 12 (Orthopaedics)", kind=OrganisationKind.SERVICE
    )
    gp = OrganisationFactory(
        name="Millbrook Surgery",
        kind=OrganisationKind.GP_PRACTICE,
        ods_code="Z90001",
        postcode="KB2 4CD",
    )
    closed = OrganisationFactory(
        name="Old Mill Surgery",
        kind=OrganisationKind.GP_PRACTICE,
        ods_code="Z90009",
        is_active=False,
    )
    return {
        "trust": trust,
        "site": site,
        "directorate": directorate,
        "ward": ward,
        "gp": gp,
        "closed": closed,
    }


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [org.name for org, _root in response.context["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ashdown", ["Ashdown General Hospital", "Ashdown Vale Hospitals NHS Trust"]),
        ("general ashdown", ["Ashdown General Hospital"]),  # every word, any order
        ("  WARD   12 ", ["Ward 12 (Orthopaedics)"]),
        ("zza01", ["Ashdown General Hospital"]),  # ODS code
        ("AV1", ["Ashdown General Hospital", "Ashdown Vale Hospitals NHS Trust"]),  # postcode area
        ("av12", ["Ashdown General Hospital"]),  # postcode prefix without the space
        ("kb2 4cd", ["Millbrook Surgery"]),  # full postcode
        ("nothing like this", []),
    ],
)
def test_directory_search_by_name_code_or_postcode(
    client: Client, tree: dict[str, Organisation], query: str, expected: list[str]
) -> None:
    response = client.get(DIRECTORY, {"q": query})
    assert response.status_code == 200
    assert names(response) == expected


def test_directory_hides_closed_organisations_unless_asked(
    client: Client, tree: dict[str, Organisation]
) -> None:
    assert "Old Mill Surgery" not in names(client.get(DIRECTORY, {"q": "surgery"}))
    shown = client.get(DIRECTORY, {"q": "surgery", "closed": "on"})
    assert "Old Mill Surgery" in names(shown)
    assert "closed" in shown.content.decode()


def test_directory_filters_by_kind(client: Client, tree: dict[str, Organisation]) -> None:
    response = client.get(DIRECTORY, {"kind": "gp_practice"})
    assert names(response) == ["Millbrook Surgery"]


def test_directory_shows_what_each_result_is_part_of(
    client: Client, tree: dict[str, Organisation]
) -> None:
    response = client.get(DIRECTORY, {"q": "ward"})
    assert response.context["results"][0][1] == tree["trust"]
    assert "Part of Ashdown Vale Hospitals NHS Trust" in response.content.decode()


def test_directory_pages_keep_the_search(client: Client, tree: dict[str, Organisation]) -> None:
    add_services(tree["ward"], 60)
    first = client.get(DIRECTORY, {"q": "service"})
    assert first.context["page"].paginator.count == 60
    assert len(names(first)) == 25
    body = first.content.decode()
    assert 'href="?q=service&amp;page=2"' in body
    third = client.get(DIRECTORY, {"q": "service", "page": "3"})
    assert names(third) == [f"Service {n:05d}" for n in range(50, 60)]
    # Past the end or nonsense: the nearest real page, not an error.
    assert client.get(DIRECTORY, {"q": "service", "page": "99"}).context["page"].number == 3
    assert client.get(DIRECTORY, {"q": "service", "page": "x"}).context["page"].number == 1


def test_directory_query_that_is_too_long_is_explained_beside_the_field(
    client: Client, tree: dict[str, Organisation]
) -> None:
    response = client.get(DIRECTORY, {"q": "x" * 101})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="q-error"' in body
    assert "at most 100 characters" in body
    assert 'aria-invalid="true"' in body


def test_directory_answers_htmx_with_the_results_fragment_only(
    client: Client, tree: dict[str, Organisation]
) -> None:
    response = client.get(DIRECTORY, {"q": "millbrook"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body
    assert "Millbrook Surgery" in body


def test_user_text_is_escaped(client: Client) -> None:
    OrganisationFactory(name="<script>alert(1)</script> Clinic", slug="script-clinic")
    body = client.get(DIRECTORY, {"q": "clinic"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Clinic" in body


def test_organisation_page_shows_its_place_in_the_tree_and_services(
    client: Client, tree: dict[str, Organisation]
) -> None:
    response = client.get(tree["site"].get_absolute_url())
    body = response.content.decode()
    assert [a.name for a in response.context["p"].ancestors] == ["Ashdown Vale Hospitals NHS Trust"]
    assert [c.name for c in response.context["p"].children] == ["Surgery"]
    assert [s.name for s in response.context["services"]] == ["Ward 12 (Orthopaedics)"]
    assert "Service in Surgery" in body  # where each service sits
    assert 'aria-label="Breadcrumb"' in body
    assert "ZZA01" in body


def test_organisation_page_of_a_closed_organisation_says_so(
    client: Client, tree: dict[str, Organisation]
) -> None:
    body = client.get(tree["closed"].get_absolute_url()).content.decode()
    assert "Closed" in body


def test_unknown_organisation_is_a_404_page(client: Client, db: None) -> None:
    response = client.get(reverse("organisations:detail", kwargs={"slug": "no-such-place"}))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_organisation_page_queries_do_not_grow_with_services(
    client: Client, tree: dict[str, Organisation]
) -> None:
    trust = tree["trust"]
    directorate = tree["directorate"]
    # The page's own 4, the stories section's 4 (count, page, and the search's services
    # and topics to choose from), the changes section's 2, the statistics 1.
    budget = QueryBudget("organisation page", limit=11)
    add_services(directorate, 9)  # 10 services with the ward
    budget.measure(10, lambda: client.get(trust.get_absolute_url()))
    add_services(directorate, 990, start=9)
    response = client.get(trust.get_absolute_url())
    assert response.context["services"].paginator.count == 1000
    budget.measure(1000, lambda: client.get(trust.get_absolute_url()))
    budget.assert_flat()


def test_directory_queries_do_not_grow_with_organisations(
    client: Client, tree: dict[str, Organisation]
) -> None:
    budget = QueryBudget("organisation directory", limit=4)
    add_services(tree["directorate"], 10)
    budget.measure(10, lambda: client.get(DIRECTORY, {"q": "service"}))
    add_services(tree["directorate"], 990, start=10)
    budget.measure(1000, lambda: client.get(DIRECTORY, {"q": "service"}))
    budget.assert_flat()


@pytest.mark.parametrize("links_first", [True, False], ids=["from-links", "index-walk"])
def test_organisation_page_lists_its_subtrees_stories_newest_first_each_once(
    client: Client,
    tree: dict[str, Organisation],
    settings: Any,
    monkeypatch: Any,
    links_first: bool,
) -> None:
    """Both ways of reading an unsearched list (from the subtree's links, or walking the
    newest-first index) give the same pages: newest first, a story naming two services
    of the subtree once, nothing from elsewhere."""
    from apps.stories.search import queries

    settings.STORIES_PAGE_SIZE = 3
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(queries, "LINKS_FIRST_UP_TO", 10_000 if links_first else 0)
    theatres = OrganisationFactory(
        parent=tree["directorate"], name="Theatres", kind=OrganisationKind.SERVICE
    )
    start = timezone.now() - dt.timedelta(days=30)
    for n in range(7):
        services = [tree["ward"], theatres] if n % 2 else [theatres]
        StoryFactory(
            title=f"Story number {n}", services=services, published_at=start + dt.timedelta(days=n)
        )
    StoryFactory(title="Story number 99", services=[tree["gp"]])
    url = tree["trust"].get_absolute_url()
    listed = []
    for number in (1, 2, 3):
        html = client.get(f"{url}?stories={number}").content.decode()
        listed += re.findall(r"Story number \d+", html)
    assert listed == [f"Story number {n}" for n in range(6, -1, -1)]
