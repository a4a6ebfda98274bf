"""A hand-made world for the statistics: a trust with two sites, another trust, a GP
practice with nothing told about it, and stories, responses and changes placed around
the edges of each rule. Figures are worked out by hand in `EXPECTED` (test_figures.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.changes.models import Change, ChangeStatus, ChangeStory
from apps.organisations.models import Organisation, OrganisationKind
from apps.responses.models import Response, ResponseStatus
from apps.stories.models import Story, StoryStatus
from tests.factories import OrganisationFactory, StoryFactory

LONDON = ZoneInfo("Europe/London")
# A summer date, so local midnight is 23:00 UTC the day before and the boundaries show it.
AS_OF = dt.date(2026, 7, 15)
HOUR = 3600


@pytest.fixture(autouse=True)
def _london(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/London"


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


def story(
    *services: Organisation, at: dt.datetime | None, status: str = StoryStatus.PUBLISHED
) -> Story:
    return StoryFactory(services=list(services), published_at=at, status=status)


def respond(
    on: Story,
    by: Organisation,
    *,
    after_hours: float,
    status: str = ResponseStatus.PUBLISHED,
    generic: bool = False,
) -> Response:
    assert on.published_at is not None
    return Response.objects.create(
        story=on,
        organisation=by,
        author=None,
        author_name="Sam Patel",
        author_job_title="Ward manager",
        body="Thank you for telling us.",
        body_html="<p>Thank you for telling us.</p>",
        status=status,
        published_at=(
            None
            if status == ResponseStatus.AWAITING_MODERATION
            else on.published_at + dt.timedelta(hours=after_hours)
        ),
        is_generic=generic,
    )


def change(
    at: Organisation,
    status: str,
    *,
    made_on: dt.date | None = None,
    answers: Story | None = None,
    announced_by: Response | None = None,
) -> Change:
    recorded = change_row(at, status, made_on)
    if answers is not None:
        ChangeStory.objects.create(change=recorded, story=answers, response=announced_by)
    return recorded


def change_row(at: Organisation, status: str, made_on: dt.date | None) -> Change:
    return Change.objects.create(
        organisation=at,
        status=status,
        summary="Call bells answered within five minutes",
        due_on=dt.date(2026, 9, 1),
        made_summary="Bells are answered within five minutes" if status == "made" else "",
        made_on=made_on,
        reason="The ward is closing" if status == ChangeStatus.NOT_GOING_AHEAD else "",
        status_on=made_on or dt.date(2026, 6, 1),
    )


def clock_at(moment: dt.datetime) -> AbstractContextManager[Any]:
    """The site's clock (django.utils.timezone.now, which localdate reads) stopped here."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """Northmoor trust (T) → Northmoor General (S) → Ward 1 (W1), Ward 2 (W2);
    T → Northmoor Community (S2) → District Nursing (X). Upton trust (U) → Upton
    Maternity (U1). Quiet Lane Surgery (V), a GP practice nobody wrote about.

    As of 15 July 2026: 12 months from 15 July 2025 00:00 BST, 30 days from 15 June 2026.
    """
    T = OrganisationFactory(name="Northmoor NHS Trust", kind=OrganisationKind.TRUST)
    S = OrganisationFactory(parent=T, name="Northmoor General", kind=OrganisationKind.SITE)
    W1 = OrganisationFactory(parent=S, name="Ward 1", kind=OrganisationKind.SERVICE)
    W2 = OrganisationFactory(parent=S, name="Ward 2", kind=OrganisationKind.SERVICE)
    S2 = OrganisationFactory(parent=T, name="Northmoor Community", kind=OrganisationKind.SITE)
    X = OrganisationFactory(parent=S2, name="District Nursing", kind=OrganisationKind.SERVICE)
    U = OrganisationFactory(name="Upton NHS Trust", kind=OrganisationKind.TRUST)
    U1 = OrganisationFactory(parent=U, name="Upton Maternity", kind=OrganisationKind.SERVICE)
    V = OrganisationFactory(name="Quiet Lane Surgery", kind=OrganisationKind.GP_PRACTICE)

    # s1 (W1, in 30 days): first response after 2 h; a second, generic one after 30 h.
    s1 = story(W1, at=local(2026, 7, 10, 9))
    respond(s1, W1, after_hours=2)
    respond(s1, W1, after_hours=30, generic=True)
    # s2 names both wards (counted once for S and T); answered by the trust after 10 h,
    # generic, and the response announced a planned change.
    s2 = story(W1, W2, at=local(2026, 7, 1, 10))
    r2 = respond(s2, T, after_hours=10, generic=True)
    change(W2, ChangeStatus.PLANNED, answers=s2, announced_by=r2)
    # s3 (W2, not in 30 days): answered only by another trust and by a response still
    # waiting for a moderator, so not responded to.
    s3 = story(W2, at=local(2026, 3, 1, 12))
    respond(s3, U, after_hours=1)
    respond(s3, W2, after_hours=1, status=ResponseStatus.AWAITING_MODERATION)
    # s4 (W2): a withdrawn response after 1 h (ignored), a published one after 96 h that
    # announced a change now not going ahead (does not count as leading to a change).
    s4 = story(W2, at=local(2026, 1, 5, 8))
    respond(s4, W2, after_hours=1, status=ResponseStatus.WITHDRAWN)
    r4 = respond(s4, W2, after_hours=96)
    change(W2, ChangeStatus.NOT_GOING_AHEAD, answers=s4, announced_by=r4)
    # s5: withdrawn by its author; never counts, nor does its response.
    s5 = story(W1, at=local(2026, 7, 2, 10), status=StoryStatus.WITHDRAWN)
    respond(s5, W1, after_hours=1)
    # s6: one second before the 12 months begin (local time); s7: at the very start.
    s6 = story(W1, at=local(2025, 7, 14, 23, 59, 59))
    respond(s6, W1, after_hours=1)
    s7 = story(W1, at=local(2025, 7, 15, 0, 0, 0))
    r7 = respond(s7, S, after_hours=6)
    change(W1, ChangeStatus.MADE, made_on=dt.date(2026, 5, 1), answers=s7, announced_by=r7)
    # s8 (X, on the other site, in 30 days): no response.
    story(X, at=local(2026, 7, 12, 10))
    # s9: waiting for moderation.
    story(W1, at=None, status=StoryStatus.AWAITING_MODERATION)
    # s10 names a ward of each trust; only Upton answered (after 3 h).
    s10 = story(W1, U1, at=local(2026, 7, 5, 10))
    respond(s10, U1, after_hours=3)
    # Changes made: at the first day of the 12 months (counts), the day before (does
    # not), the day after the date asked about (does not), and one on the other site.
    change(W1, ChangeStatus.MADE, made_on=dt.date(2025, 7, 15))
    change(W2, ChangeStatus.MADE, made_on=dt.date(2025, 7, 14))
    change(W1, ChangeStatus.MADE, made_on=dt.date(2026, 7, 16))
    change(X, ChangeStatus.MADE, made_on=dt.date(2026, 6, 1))
    nodes = {"T": T, "S": S, "W1": W1, "W2": W2, "S2": S2, "X": X, "U": U, "U1": U1, "V": V}
    for node in nodes.values():
        node.refresh_from_db()
    return nodes


def page_of(organisation: Organisation, client: Client | None = None, **params: str) -> str:
    response = (client or Client()).get(organisation.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def at_noon_on_as_of() -> Iterator[Callable[[], None]]:
    with clock_at(local(2026, 7, 15, 12)):
        yield lambda: None
