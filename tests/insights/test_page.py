"""The statistics section on organisation pages: who sees the staff breakdown, its
paging, and query budgets at two data sizes."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.core import extensions
from apps.core.signals import figures_changed
from apps.insights.figures import figures_compute
from apps.insights.models import OrganisationFigures
from apps.organisations.models import Organisation, OrganisationKind
from apps.responders.models import RoleName
from apps.responses.models import Response, ResponseStatus
from apps.stories.models import Story, StoryService
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    with_second_factor,
)
from tests.querybudget import QueryBudget

from .conftest import page_of, signed_in

pytestmark = pytest.mark.django_db

PARTS = 'id="figures-parts"'


def node(org: Organisation, depth: int) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=depth)


def ward_reader(ward: Organisation) -> User:
    person = with_second_factor(UserFactory(display_name="Wendy Ward", email="wendy@staff.example"))
    RoleFactory(user=person, role=RoleName.READER, organisation=ward)
    return person


def rows(body: str) -> dict[str, str]:
    """Each row of the breakdown by its part's name."""
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    found = {}
    for row in table.split("<tr")[1:]:
        name = re.search(r'<a href="[^"]+">([^<]+)</a>', row)
        assert name is not None
        found[name[1]] = row
    return found


# --- who sees the breakdown ---------------------------------------------------------------
@pytest.mark.parametrize("member", ["anonymous", "other_org_responder", "moderator"])
def test_breakdown_is_not_shown_outside_the_organisation(
    org: Organisation, member: str, client_as: Any
) -> None:
    body = page_of(org, client_as(member))
    assert 'id="figures"' in body  # the public figures are there for everyone
    assert PARTS not in body
    assert "Your part" not in body


def test_reader_of_a_ward_sees_the_breakdown_with_their_row_marked(org: Organisation) -> None:
    site, outpatients = node(org, 2), node(org, 3)
    ward = OrganisationFactory(parent=site, name="Ward 7", kind=OrganisationKind.SERVICE)
    StoryFactory(services=[ward], published_at=timezone.now() - dt.timedelta(hours=3))
    wendy = signed_in(ward_reader(ward))
    body = page_of(org, wendy)
    assert PARTS in body
    found = rows(body)
    assert list(found) == [site.name, outpatients.name, "Ward 7"]  # tree order
    assert "Your part" in found["Ward 7"]
    assert "own-part" in found["Ward 7"]
    assert "Your part" not in found[site.name]
    assert "Your part" not in found[outpatients.name]
    assert "<td>1</td>" in found["Ward 7"]  # its story
    # The ward's reader sees the breakdown on the site's page too, but not on the ward's
    # own page: it has no parts.
    assert PARTS in page_of(site, wendy)
    assert PARTS not in page_of(ward, wendy)


def test_trust_reader_sees_every_row_marked(org: Organisation, reader: User) -> None:
    found = rows(page_of(org, signed_in(reader)))
    assert found
    assert all("Your part" in row for row in found.values())


def test_platform_admin_sees_the_breakdown_without_marks(
    org: Organisation, platform_admin: User
) -> None:
    body = page_of(org, signed_in(platform_admin))
    assert PARTS in body
    assert "Your part" not in body


def test_staff_of_one_trust_do_not_see_another_trusts_breakdown(
    org: Organisation, other_org: Organisation, reader: User
) -> None:
    assert PARTS not in page_of(other_org, signed_in(reader))


def test_breakdown_table_has_a_caption_and_scopes(org: Organisation, reader: User) -> None:
    body = page_of(org, signed_in(reader))
    part = body.split(PARTS)[1]
    assert '<caption id="figures-parts-caption">Figures for each part of Northfield' in part
    assert 'class="table-scroll" tabindex="0" role="region"' in part
    assert part.count('scope="col"') == 8
    assert 'scope="row"' in part


def test_breakdown_pages_keep_the_pages_other_parameters(
    org: Organisation, reader: User, settings: Any
) -> None:
    settings.FIGURES_PARTS_PAGE_SIZE = 2
    OrganisationFactory(parent=node(org, 2), name="Ward 9", kind=OrganisationKind.SERVICE)
    client = signed_in(reader)
    first = page_of(org, client, stories="1")
    assert list(rows(first)) == ["Northfield Hospital", "Northfield Outpatients"]
    assert "(page 1 of 2)" in first
    assert 'href="?stories=1&amp;figures=2#figures-parts" rel="next"' in first
    second = page_of(org, client, stories="1", figures="2")
    assert list(rows(second)) == ["Ward 9"]
    assert 'href="?stories=1&amp;figures=1#figures-parts" rel="prev"' in second
    # A page number out of range shows the last page, as the page's other lists do.
    assert list(rows(page_of(org, client, figures="99"))) == ["Ward 9"]


# --- query budgets --------------------------------------------------------------------------
def grow(org: Organisation, services: int, start: int = 0) -> None:
    """Add services under the trust's site, a story on each (two services on every third),
    half of them answered."""
    site = node(org, 2)
    now = timezone.now()
    added = [
        OrganisationFactory(parent=site, name=f"Clinic {i}", kind=OrganisationKind.SERVICE)
        for i in range(start, start + services)
    ]
    told = Story.objects.bulk_create(
        StoryFactory.build(published_at=now - dt.timedelta(days=i % 40)) for i in range(services)
    )
    StoryService.objects.bulk_create(
        [StoryService(story=s, organisation=c) for s, c in zip(told, added, strict=True)]
        + [
            StoryService(story=s, organisation=added[i - 1], position=1)
            for i, s in enumerate(told)
            if i % 3 == 2
        ]
    )
    Response.objects.bulk_create(
        Response(
            story=s,
            organisation=c,
            body="Thank you.",
            body_html="<p>Thank you.</p>",
            status=ResponseStatus.PUBLISHED,
            published_at=now,
            is_generic=i % 4 == 0,
        )
        for i, (s, c) in enumerate(zip(told, added, strict=True))
        if i % 2 == 0
    )


def mark_all(org: Organisation) -> None:
    """Two queries: the paths, then the mark (as publishing a story under each would)."""
    paths = Organisation.objects.filter(path__startswith=org.path).values_list("path", flat=True)
    figures_changed(Story, list(paths))


def without_figures() -> AbstractContextManager[None]:
    return extensions.organisation_page_sections.without("figures")


def test_public_page_queries_do_not_grow_with_the_data(org: Organisation, settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 0  # the budgets count a page's own work
    url = org.get_absolute_url()
    # Without figures the page takes 12 here (its own, the stories with their search's
    # services and topics to choose from, and the changes).
    bare = QueryBudget("organisation page without figures", limit=12)
    # The figures add one read (the row with its rank)…
    fresh = QueryBudget("organisation page, figures fresh", limit=13)
    # …or, after two to mark every node stale (and one for the kept pages of the nodes
    # marked: apps/organisations/invalidation.py), a recompute and a rank: two more; and
    # the stories and the changes are counted again, their kept counts having ended with
    # the change (two; a fresh page reads neither).
    stale = QueryBudget("organisation page, figures stale", limit=19)
    for size, more in ((3, 3), (30, 27)):
        grow(org, more, start=size - more)
        with without_figures():
            bare.measure(size, lambda: Client().get(url))
        fresh.measure(size, lambda: Client().get(url))
        stale.measure(size, lambda: (mark_all(org), Client().get(url)))
    assert "30 in the last 12 months" in page_of(org)
    for budget in (bare, fresh, stale):
        budget.assert_flat()
    assert fresh.counts[30] - bare.counts[30] == 1
    assert stale.counts[30] - fresh.counts[30] == 2 + 1 + 2 + 2


def test_staff_breakdown_queries_do_not_grow_with_the_parts(
    org: Organisation, reader: User, settings: Any
) -> None:
    settings.PAGE_CACHE_SECONDS = 0  # the budgets count a page's own work
    client = signed_in(reader)
    url = org.get_absolute_url()
    # (+2 since the story search: its services and topics to choose from)
    fresh = QueryBudget("organisation page with the breakdown, fresh", limit=18)
    # (+1: the stories' count, kept until the change, counted again)
    stale = QueryBudget("organisation page with the breakdown, all stale", limit=25)
    for size, more in ((3, 3), (30, 27)):
        grow(org, more, start=size - more)
        fresh.measure(size, lambda: client.get(url))
        stale.measure(size, lambda: (mark_all(org), client.get(url)))
    assert len(rows(page_of(org, client))) == 32  # the site, outpatients and 30 clinics
    for budget in (fresh, stale):
        budget.assert_flat()
    # Two to mark and one for the kept pages of the nodes marked; the page's own recompute
    # and rank (two); one recompute of the parts; two to count the stories and the changes
    # again.
    assert stale.counts[30] - fresh.counts[30] == 2 + 1 + 2 + 1 + 2


def test_breakdown_recomputes_only_the_page_and_keeps_it(
    org: Organisation, reader: User, settings: Any
) -> None:
    settings.FIGURES_PARTS_PAGE_SIZE = 10
    grow(org, 20)
    figures_compute(None)
    mark_all(org)
    page_of(org, signed_in(reader))
    # The trust (the page itself) and the first ten of its 22 parts were recomputed.
    assert OrganisationFigures.objects.filter(stale=True).count() == 12
    assert not OrganisationFigures.objects.get(organisation=org).stale
