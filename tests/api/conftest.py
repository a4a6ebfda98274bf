"""A small, realistic world for the API tests: two trusts, stories with services, tags,
responses (published, held, withdrawn), changes at each status, and a key per trust.

Private things carry SENTINELS, so a test can look for them in every response body."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from apps.changes.models import Change, ChangeStatus, ChangeStory
from apps.organisations.models import Organisation, OrganisationKind
from apps.responses.models import AuthorReply, AuthorReplyStatus, Response, ResponseStatus
from apps.stories.models import Story, StoryStatus, StoryTag, Tag
from apps.stories.taxonomy import AuthorRole, Polarity
from tests.factories import OrganisationFactory, StoryFactory, UserFactory, api_key_for

# Text that must never leave staff pages: found in any API response, it is a leak.
SENTINELS = (
    "NOTE-FOR-STAFF-",  # moderator notes
    "author-private@",  # authors' email addresses
    "HIDDEN-STAFF-NAME",  # an organisation's listed staff names
    "HELD-RESPONSE",  # a response waiting for a moderator
    "WITHDRAWN-RESPONSE",  # a withdrawn response
    "UNPUBLISHED-STORY",  # a story not published
    "ORIGINAL-WORDING",  # what the author first wrote, before the moderator's edits
)
STAFF_FIELDS = ("criticality", "moderator_note")


@dataclass
class World:
    north: Organisation
    north_outpatients: Organisation
    north_maternity: Organisation
    south: Organisation
    south_outpatients: Organisation
    north_story: Story
    south_story: Story
    shared_story: Story
    hidden_story: Story
    north_key: str
    south_key: str
    response: Response
    changes: list[Change] = field(default_factory=list)


def _service(parent: Organisation, name: str) -> Organisation:
    return OrganisationFactory(parent=parent, name=name, kind=OrganisationKind.SERVICE)


def _story(services: list[Organisation], n: int, **extra: Any) -> Story:
    story = StoryFactory(
        services=services,
        title=extra.pop("title", f"Story {n} about {services[0].name}"),
        body=extra.pop(
            "body",
            "The night staff on the ward were kind and explained every step of the "
            f"treatment to my mother, story number {n}.",
        ),
        author_email=f"author-private@{n}.example",
        moderator_note=f"NOTE-FOR-STAFF-{n}",
        criticality=extra.pop("criticality", n % 6),
        author_role=extra.pop("author_role", AuthorRole.RELATIVE),
        published_at=extra.pop("published_at", timezone.now() - dt.timedelta(days=n)),
        **extra,
    )
    story.revisions.create(number=0, title="x", body="ORIGINAL-WORDING of the story")
    return story


def _tag(story: Story, slug: str, polarity: str) -> None:
    StoryTag.objects.create(story=story, tag=Tag.objects.get(slug=slug), polarity=polarity)


def build_world() -> World:
    north = OrganisationFactory(
        name="Ashdown", ods_code="RAD", kind=OrganisationKind.TRUST, postcode="NF1 2AB"
    )
    north_site = OrganisationFactory(
        parent=north, name="Ashdown General Hospital", kind=OrganisationKind.SITE
    )
    north_outpatients = _service(north_site, "Ashdown Outpatients")
    north_maternity = _service(north_site, "Ashdown Maternity")
    Organisation.objects.filter(pk=north.pk).update(listed_staff_names="HIDDEN-STAFF-NAME")
    south = OrganisationFactory(name="Brookvale", ods_code="RBK", kind=OrganisationKind.TRUST)
    south_site = OrganisationFactory(
        parent=south, name="Brookvale Hospital", kind=OrganisationKind.SITE
    )
    south_outpatients = _service(south_site, "Brookvale Outpatients")
    OrganisationFactory(
        parent=south_site, name="Brookvale Old Wing", kind=OrganisationKind.SERVICE, is_active=False
    )

    north_story = _story([north_outpatients], 1, criticality=4)
    south_story = _story([south_outpatients], 2, criticality=5, author_role=AuthorRole.PATIENT)
    shared_story = _story([north_maternity, south_outpatients], 3, criticality=2)
    hidden_story = _story(
        [north_outpatients],
        4,
        status=StoryStatus.AWAITING_MODERATION,
        published_at=None,
        title="UNPUBLISHED-STORY",
    )
    for n in range(5, 9):
        _story([north_outpatients if n % 2 else south_outpatients], n)
    _tag(north_story, "staff-manner-and-attitude", Polarity.GOOD)
    _tag(north_story, "felt-grateful", Polarity.POSITIVE)
    _tag(south_story, "food-and-drink", Polarity.IMPROVE)

    writer = UserFactory(display_name="Nia Evans", job_title="Ward manager")
    response = _response(north_story, north_outpatients, writer, "We are glad the team helped.")
    _response(
        north_story, north_outpatients, writer, "HELD-RESPONSE", ResponseStatus.AWAITING_MODERATION
    )
    _response(
        south_story, south_outpatients, writer, "WITHDRAWN-RESPONSE", ResponseStatus.WITHDRAWN
    )
    AuthorReply.objects.create(
        story=north_story, body="Thank you.", status=AuthorReplyStatus.AWAITING_MODERATION
    )

    today = timezone.localdate()
    planned = _change(north_outpatients, north_story, response, "Longer visiting hours.", today)
    made = _change(south_outpatients, south_story, None, "Hot meals at night.", today)
    Change.objects.filter(pk=made.pk).update(
        status=ChangeStatus.MADE, made_summary="Hot meals now served until 10pm.", made_on=today
    )
    stopped = _change(north_maternity, shared_story, None, "A new car park.", today)
    Change.objects.filter(pk=stopped.pk).update(
        status=ChangeStatus.NOT_GOING_AHEAD, reason="The land is not ours."
    )
    ChangeStory.objects.create(change=planned, story=hidden_story)

    return World(
        north=north,
        north_outpatients=north_outpatients,
        north_maternity=north_maternity,
        south=south,
        south_outpatients=south_outpatients,
        north_story=north_story,
        south_story=south_story,
        shared_story=shared_story,
        hidden_story=hidden_story,
        north_key=api_key_for(north, name="Ashdown dashboard")[1],
        south_key=api_key_for(south, name="Brookvale dashboard")[1],
        response=response,
        changes=[planned, made, stopped],
    )


def _response(
    story: Story,
    organisation: Organisation,
    writer: Any,
    text: str,
    status: str = ResponseStatus.PUBLISHED,
) -> Response:
    return Response.objects.create(
        story=story,
        organisation=organisation,
        author=writer,
        author_name=writer.display_name,
        author_job_title=writer.job_title,
        body=text,
        body_html=f"<p>{text}</p>",
        status=status,
        published_at=timezone.now() if status == ResponseStatus.PUBLISHED else None,
        is_generic=True,
    )


def _change(
    organisation: Organisation,
    story: Story,
    response: Response | None,
    summary: str,
    today: dt.date,
) -> Change:
    change = Change.objects.create(
        organisation=organisation,
        summary=summary,
        due_on=today + dt.timedelta(days=30),
        status_on=today,
        recorded_by_name="Nia Evans",
        recorded_by_job_title="Ward manager",
    )
    ChangeStory.objects.create(change=change, story=story, response=response)
    return change


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Rate-limit counts live in the cache: each test starts and leaves it empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> Client:
    return Client()


def get(client: Client, path: str, key: str | None = None, **params: Any) -> Any:
    headers = {"Authorization": f"Key {key}"} if key else {}
    return client.get(path, params, headers=headers)
