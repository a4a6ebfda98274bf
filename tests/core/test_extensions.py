"""The registry of extension points (apps.core.extensions): what it keeps, what it refuses,
and that the pages below do without what is not registered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.changes.services import change_plan
from apps.core import extensions
from apps.core.extensions import OrderedSlots, Section, SingleSlot
from apps.organisations.models import Organisation
from apps.responses.models import AuthorReply, AuthorReplyStatus, Response, ResponseStatus
from apps.stories.models import Story
from apps.stories.search import StoryFilters, story_search
from tests.factories import StoryFactory, author_link


def first(request: object, story: object) -> Section:
    return Section("first.html")


def second(request: object, story: object) -> Section:
    return Section("second.html")


# --- the registry itself ---------------------------------------------------------------


def test_ordered_slots_keep_the_declared_order_whatever_the_order_of_registration() -> None:
    point: OrderedSlots[object] = OrderedSlots("page", ("top", "middle", "bottom"))
    assert point.providers() == []
    point.register("bottom", second)
    point.register("top", first)
    assert point.slots() == ["top", "bottom"]
    assert point.providers() == [first, second]


def test_ordered_slots_refuse_an_undeclared_slot_and_a_slot_filled_twice() -> None:
    point: OrderedSlots[object] = OrderedSlots("page", ("top",))
    with pytest.raises(ImproperlyConfigured, match="no slot 'side'"):
        point.register("side", first)
    point.register("top", first)
    point.register("top", first)  # the same provider again: AppConfig.ready() run twice
    with pytest.raises(ImproperlyConfigured, match="already has"):
        point.register("top", second)
    assert point.providers() == [first]


def test_a_single_slot_is_empty_until_registered_and_refuses_a_second_provider() -> None:
    point: SingleSlot[object] = SingleSlot("landing")
    assert point.get() is None
    point.register(first)
    point.register(first)
    with pytest.raises(ImproperlyConfigured, match="'landing' already has"):
        point.register(second)
    assert point.get() is first


def test_without_leaves_out_slots_for_the_block_only() -> None:
    point: OrderedSlots[object] = OrderedSlots("page", ("top", "bottom"))
    point.register("top", first)
    point.register("bottom", second)
    with point.without("top"):
        assert point.providers() == [second]
    assert point.providers() == [first, second]


def test_isolated_empties_every_point_and_puts_them_back() -> None:
    landing = extensions.staff_landing.get()
    sections = extensions.story_page_sections.providers()
    with extensions.isolated():
        for point in extensions.POINTS:
            if isinstance(point, SingleSlot):
                assert point.get() is None
            else:
                assert point.providers() == []
        extensions.story_page_sections.register("conversation", first)
    assert extensions.staff_landing.get() is landing
    assert extensions.story_page_sections.providers() == sections


def test_the_installed_apps_fill_every_point() -> None:
    assert extensions.story_page_sections.slots() == ["changes", "conversation"]
    assert extensions.author_page_sections.slots() == ["changes", "conversation"]
    assert extensions.staff_story_page_sections.slots() == ["changes"]
    assert extensions.organisation_page_sections.slots() == [
        "figures",
        "changes",
        "stories",
        "follow",
        "poster",
    ]
    for point in extensions.POINTS:
        if isinstance(point, SingleSlot):
            assert point.get() is not None, point.name


# --- pages without an app ---------------------------------------------------------------


@contextmanager
def installed_without(*names: str) -> Iterator[None]:
    """The registry as it would be with these apps left out of INSTALLED_APPS: empty, then
    filled by every other app's own AppConfig.ready()."""
    with extensions.isolated():
        for config in apps.get_app_configs():
            if config.name.startswith("apps.") and config.name not in names:
                config.ready()
        yield


@pytest.fixture
def conversation(org: Organisation, responder: User) -> tuple[Story, Response]:
    story = StoryFactory(services=[org], title="Thirsty on Ward 7")
    response = Response.objects.create(
        story=story,
        organisation=org,
        author=responder,
        author_name=responder.display_name,
        body="We hear you.",
        body_html="<p>We hear you, and thank you.</p>",
        status=ResponseStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    AuthorReply.objects.create(
        story=story,
        response=response,
        body="Thank you for listening.",
        status=AuthorReplyStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    return story, response


def test_without_changes_the_story_pages_keep_their_conversation(
    conversation: tuple[Story, Response], responder: User, settings: Any
) -> None:
    story, response = conversation
    change = change_plan(
        actor=responder,
        story=story,
        organisation=story.services.get(),
        summary="Jugs of water on every table.",
        due_on=timezone.localdate(),
        response_id=response.pk,
    )
    token = author_link(story)
    pages = (story.get_absolute_url(), reverse("stories:author", kwargs={"token": token}))
    with installed_without("apps.changes"):
        for url in pages:
            html = Client().get(url).content.decode()
            assert "We hear you, and thank you." in html, url
            assert "Thank you for listening." in html, url
            assert "What is changing" not in html, url
            assert change.get_public_url() not in html, url
    # With changes, the same pages add them, beside the response and above it (a release
    # that installs another app starts with no kept page: PAGE_CACHE_RELEASE).
    settings.PAGE_CACHE_RELEASE = "with changes"
    for url in pages:
        html = Client().get(url).content.decode()
        assert "We hear you, and thank you." in html, url
        assert "What is changing" in html, url
        turn = html.split(f'id="response-{response.pk}"')[1].split("</li>")[0]
        assert change.get_public_url() in turn, url


def test_with_nothing_registered_the_pages_below_do_without(
    conversation: tuple[Story, Response], org: Organisation, client_as: Any
) -> None:
    story, _ = conversation
    quiet = StoryFactory(services=[org], title="Nobody has read me")
    with extensions.isolated():
        html = Client().get(story.get_absolute_url()).content.decode()
        assert "Thirsty on Ward 7" in html
        assert "We hear you, and thank you." not in html  # no conversation without responses
        assert Client().get(org.get_absolute_url()).status_code == 200
        # No progress, no "has a response": the filters filter nothing.
        every = {s.pk for s in story_search(StoryFilters())}
        assert {s.pk for s in story_search(StoryFilters(progress="change_made"))} == every
        assert {s.pk for s in story_search(StoryFilters(responded=True))} == every
        assert quiet.pk in every
        queue = client_as("moderator").get(reverse("moderation:queue"))
        assert queue.status_code == 200
        assert "Waiting for moderation" not in queue.content.decode()
