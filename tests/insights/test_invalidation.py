"""Stored figures go stale when what they count changes (through the real services), or
when the local date moves on; a recompute racing a change never hides it."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.signals import figures_changed
from apps.insights.figures import Figures, figures_compute, figures_for, figures_mark_stale
from apps.insights.models import OrganisationFigures
from apps.organisations.models import Organisation
from apps.responses.services import response_create, response_withdraw
from apps.stories.models import Story
from apps.stories.services import story_withdraw
from tests.factories import StoryFactory
from tests.querybudget import count_queries

from .conftest import clock_at, page_of

pytestmark = pytest.mark.django_db


def node(org: Organisation, depth: int) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=depth)


def hold_none(org: Organisation) -> None:
    Organisation.objects.filter(pk=org.pk).update(responses_held_for_new_responders=0)


def figures_section(body: str) -> str:
    return body.split('id="figures"')[1].split('id="figures-parts"')[0]


def stale(*nodes: Organisation) -> set[str]:
    return {
        f.organisation.name
        for f in OrganisationFigures.objects.filter(
            organisation__in=nodes, stale=True
        ).select_related("organisation")
    }


def test_publishing_a_response_through_the_service_updates_the_page(
    org: Organisation, other_org: Organisation, responder: User
) -> None:
    hold_none(org)
    site, service = node(org, 2), node(org, 3)
    told = StoryFactory(services=[service], published_at=timezone.now() - dt.timedelta(hours=5))
    before = figures_section(page_of(org))
    assert "1 in the last 12 months" in before
    assert "No responses yet in the last 12 months" in before
    figures_for(other_org)
    assert stale(org, site, service, other_org) == set()

    response_create(author=responder, story=told, organisation=service, body="We are sorry.")

    # The service, everything above it, and nothing in another trust.
    assert stale(org, site, service, other_org) == {org.name, site.name, service.name}
    after = figures_section(page_of(org))
    assert "100% in the last 12 months (1 of 1)" in after
    assert "5 hours" in after
    assert stale(org) == set()  # recomputed by the page, and kept


def test_withdrawing_a_response_or_a_story_drops_them_from_the_page(
    org: Organisation, responder: User
) -> None:
    hold_none(org)
    service = node(org, 3)
    told = StoryFactory(services=[service], published_at=timezone.now() - dt.timedelta(hours=5))
    other = StoryFactory(services=[service], published_at=timezone.now() - dt.timedelta(hours=4))
    answer = response_create(author=responder, story=told, organisation=service, body="Sorry.")
    assert "50% in the last 12 months (1 of 2)" in figures_section(page_of(org))

    response_withdraw(actor=responder, response=answer, reason="Posted on the wrong story.")
    assert "No responses yet in the last 12 months" in figures_section(page_of(org))

    story_withdraw(story_id=other.pk)
    assert "1 in the last 12 months" in figures_section(page_of(org))
    story_withdraw(story_id=told.pk)
    section = figures_section(page_of(org))
    assert "No stories about Northfield or any part of it were published" in section


def test_a_new_day_recomputes_without_any_change(org: Organisation) -> None:
    StoryFactory(services=[node(org, 3)], published_at=timezone.now() - dt.timedelta(days=2))
    today = timezone.localdate()
    assert "1 in the last 12 months" in figures_section(page_of(org))
    assert OrganisationFigures.objects.get(organisation=org).as_of == today
    # A year and a bit later nothing was marked, but the story has left the 12 months.
    later = timezone.now() + dt.timedelta(days=370)
    with clock_at(later):
        section = figures_section(page_of(org))
        later_day = timezone.localdate()
    assert "No stories about Northfield" in section
    assert f"Figures as of {later_day:%-d %B %Y}" in section
    assert OrganisationFigures.objects.get(organisation=org).as_of == later_day


def test_a_row_of_another_date_is_recomputed_once(org: Organisation) -> None:
    figures_for(org, as_of=dt.date(2026, 1, 1))
    assert count_queries(lambda: figures_for(org)) == 3  # read, recompute, rank
    assert count_queries(lambda: figures_for(org)) == 1  # fresh: read with rank


def test_marking_covers_the_nodes_and_their_ancestors_only(
    org: Organisation, other_org: Organisation
) -> None:
    site, service = node(org, 2), node(org, 3)
    figures_compute(None)
    figures_changed(Story, [site.path])
    assert stale(org, site, service, other_org) == {org.name, site.name}


def test_marking_raises_the_version_even_when_already_stale(org: Organisation) -> None:
    service = node(org, 3)
    figures_mark_stale(paths=[service.path])  # no rows yet: written, marked
    row = OrganisationFigures.objects.get(organisation=service)
    assert (row.stale, row.version, row.computed_at) == (True, 1, None)
    figures_mark_stale(paths=[service.path])
    assert OrganisationFigures.objects.get(organisation=service).version == 2
    figures_compute([service])
    row = OrganisationFigures.objects.get(organisation=service)
    assert (row.stale, row.version) == (False, 2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_recompute_that_raced_a_change_leaves_the_mark(org: Organisation) -> None:
    """A page recomputes while a story is being published: its statement started before
    the publish committed, so it cannot see the story, and it must not clear the mark the
    publish wrote, or the page would show the old figures until tomorrow."""
    service = node(org, 3)
    figures_compute([org])  # fresh, no stories
    seen: dict[str, Any] = {}

    def recompute() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                seen["pid"] = cursor.fetchone()[0]
            (seen["figures"],) = figures_compute([org])
        finally:
            connection.close()

    with transaction.atomic():
        StoryFactory(services=[service], published_at=timezone.now())
        figures_mark_stale(paths=[service.path])  # as publishing does, in its transaction
        reader = threading.Thread(target=recompute)
        reader.start()
        # Wait until the reader's upsert waits for this transaction's lock on the row: the
        # reader's own wait, not any lock on the server, which other test processes share.
        for _ in range(200):
            if "pid" in seen:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_backend_pid() = ANY(pg_blocking_pids(%s))", [seen["pid"]]
                    )
                    if cursor.fetchone()[0]:
                        break
            time.sleep(0.05)
        else:
            pytest.fail("the recompute never waited for the publishing transaction")
    reader.join(10)
    assert isinstance(seen["figures"], Figures)
    assert seen["figures"].stories_12m == 0  # it read the data from before the publish
    row = OrganisationFigures.objects.get(organisation=org)
    assert row.stale, "a recompute from before the change cleared the mark"
    assert figures_for(org).stories_12m == 1
    assert not OrganisationFigures.objects.get(organisation=org).stale
