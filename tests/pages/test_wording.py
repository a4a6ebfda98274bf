"""Public wording (issue 14, item 8): counts, tags, progress and change links read as people
would say them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from apps.changes.services import change_plan
from apps.core import pagecache
from apps.organisations.models import Organisation, OrganisationKind
from apps.stories.models import Story, StoryTag, Tag
from tests.changes.test_changes import respond
from tests.factories import StoryFactory
from tests.pages.test_pages import links_in

pytestmark = pytest.mark.django_db

LONG = (
    "Patients waiting for surgery in the evening will be offered water and a snack every hour "
    "until two hours before their operation"
)


@pytest.fixture
def service(org: Organisation) -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.SERVICE, path__startswith=org.path)


@pytest.fixture
def story(service: Organisation) -> Story:
    return StoryFactory(services=[service])


def page(story: Story) -> str:
    return Client().get(story.get_absolute_url()).content.decode()


def test_no_read_count_is_shown_before_anyone_reads(story: Story) -> None:
    html = page(story)
    assert not re.search(r"Read by \d", html)
    assert "0 people" not in html  # neither reads nor "I've experienced this"


def test_no_helpful_count_is_shown_before_anyone_votes(
    story: Story, service: Organisation, responder: Any
) -> None:
    response = respond(story, service, responder)
    assert "say so" not in page(story)
    type(response).objects.filter(pk=response.pk).update(helpful_count=1)
    pagecache.touch(pagecache.story(story.pk))  # as counting a vote does
    assert "1 person says so" in page(story)


@pytest.mark.parametrize(
    ("count", "words"),
    [(1, "Read by 1 person"), (2, "Read by 2 people"), (21, "Read by 21 people")],
)
def test_read_count_plural_forms(story: Story, count: int, words: str) -> None:
    Story.objects.filter(pk=story.pk).update(read_count=count, me_too_count=count)
    pagecache.touch(pagecache.story(story.pk))  # as counting "me too" does
    html = page(story)
    assert f"{words}<" in html
    assert ("1 person has said so" if count == 1 else f"{count} people have said so") in html


def test_tags_are_grouped_as_people_would_read_them(story: Story) -> None:
    for slug, polarity in (
        ("food-and-drink", "good"),
        ("timeliness-of-care", "improve"),
        ("felt-anxious", "negative"),
        ("felt-reassured", "positive"),
    ):
        StoryTag.objects.create(story=story, tag=Tag.objects.get(slug=slug), polarity=polarity)
    html = page(story)
    assert re.search(
        r"<h3>What was good</h3>\s*<ul class=\"tag-list\"><li class=\"tag\">Food and drink</li>",
        html,
    )
    assert "<h3>What could be improved</h3>" in html
    assert re.search(
        r"<h3>How it felt</h3>\s*<ul class=\"tag-list\">"
        r"(<li class=\"tag\">(Anxious|Reassured)</li>){2}</ul>",
        html,
    )
    for wrong in (": negative", ": positive", ": was good", ": could be improved"):
        assert wrong not in html


def _steps(html: str) -> list[str]:
    block = html.split('<ol class="progress-steps"', 1)[1].split("</ol>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", "", "<li" + li).split()) for li in block.split("<li")[1:]]


def test_progress_steps_read_sensibly(story: Story, service: Organisation, responder: Any) -> None:
    html = page(story)
    assert _steps(html) == [
        "Published (done)",
        "Read by staff (not yet)",
        "Responded to (not yet)",
        "Change planned (not yet)",
        "Change made (not yet)",
    ]
    assert 'aria-current="step">Published' in html
    assert "Not yet read (done)" not in html
    respond(story, service, responder)
    steps = _steps(page(story))
    assert steps[:3] == ["Published (done)", "Read by staff (done)", "Responded to (done)"]


def test_shorten_cuts_between_words_with_an_ellipsis() -> None:
    render = Template("{% load core_text %}{{ text|shorten:n }}").render
    assert render(Context({"text": LONG, "n": 40})) == "Patients waiting for surgery in the…"
    assert render(Context({"text": "Short enough", "n": 40})) == "Short enough"
    assert render(Context({"text": "Wait, then   go on and on", "n": 8})) == "Wait…"
    assert render(Context({"text": "Antidisestablishmentarianism", "n": 10})) == "Antidises…"


def test_change_links_name_the_change_without_broken_words(
    story: Story, service: Organisation, responder: Any, org: Organisation
) -> None:
    response = respond(story, service, responder)
    change = change_plan(
        actor=responder,
        story=story,
        organisation=service,
        summary=LONG,
        due_on=story.published_at.date().replace(year=story.published_at.year + 1),
        response_id=response.pk,
    )
    html = page(story)
    # Beside the response: the badge's name says which change, cut between words.
    assert (
        'aria-label="Change planned: Patients waiting for surgery in the evening will be offered…"'
        in html
    )
    assert 'visually-hidden">: ' not in html
    # In "What is changing", the link is the change itself.
    section = html.split('id="story-changes"', 1)[1]
    assert links_in(section, "ul")[change.public_text] == change.get_public_url()
    # The register and the organisation page cut long summaries between words too.
    register = Client().get(reverse("changes:register", kwargs={"slug": org.slug})).content.decode()
    assert "a snack every hour until two hours before their…<" in register
    assert "their operatio…" not in register


def test_the_register_link_has_one_name(
    story: Story, service: Organisation, responder: Any, org: Organisation, client_as: Any
) -> None:
    change = change_plan(
        actor=responder,
        story=story,
        organisation=org,
        summary="Jugs of water on every table.",
        due_on=story.published_at.date().replace(year=story.published_at.year + 1),
    )
    register = reverse("changes:register", kwargs={"slug": org.slug})
    name = f"Changes at {org.name}"
    pages = [
        Client().get(org.get_absolute_url()),
        Client().get(change.get_public_url()),
        client_as("responder").get(change.get_absolute_url()),
    ]
    for response in pages:
        links = links_in(response.content.decode(), "main")
        assert links.get(name) == register, response.request["PATH_INFO"]
        named = [text for text, href in links.items() if href == register]
        assert named == [name], named
