"""The author's download: everything they wrote and received, as JSON and a page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.changes.models import Change, ChangeStory
from apps.organisations.models import Organisation
from apps.responses.models import AuthorReply, AuthorReplyStatus, Response
from apps.stories.models import ModerationDecision, Story, StoryRevision, StoryStatus
from tests.factories import StoryFactory, author_link
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db


def _story(org: Organisation, moderator: User) -> Story:
    story = StoryFactory(
        services=[org],
        title="Kind night staff",
        body="The night staff were kind to my dad.",
        moderator_note="Staff-only: checked the ward name.",
        criticality=4,
    )
    StoryRevision.objects.create(
        story=story, number=0, title="Kind night staff on Ward 7", body="Nurse Jo was kind."
    )
    StoryRevision.objects.create(
        story=story, number=1, title=story.title, body=story.body, made_by=moderator
    )
    ModerationDecision.objects.create(
        story=story, action=ModerationDecision.Action.PUBLISHED, moderator=moderator
    )
    return story


def _answer(story: Story, org: Organisation, writer: User, n: int) -> None:
    for i in range(n):
        response = Response.objects.create(
            story=story,
            organisation=org,
            author=writer,
            author_name="Sam Patel",
            author_job_title="Ward manager",
            body=f"Thank you for telling us ({i}).",
            body_html=f"<p>Thank you for telling us ({i}).</p>",
            published_at=timezone.now(),
        )
        AuthorReply.objects.create(
            story=story,
            response=response,
            body=f"Thank you for answering ({i}).",
            status=AuthorReplyStatus.AWAITING_MODERATION,
        )


def test_the_json_holds_what_they_wrote_and_received_and_nothing_staff_only(
    client: Client, org: Organisation, moderator: User, responder: User
) -> None:
    story = _story(org, moderator)
    _answer(story, org, responder, 1)
    today = timezone.localdate()
    change = Change.objects.create(
        organisation=org,
        summary="Relatives may stay the night.",
        due_on=today + dt.timedelta(days=30),
        status_on=today,
    )
    ChangeStory.objects.create(change=change, story=story)
    token = author_link(story)
    response = client.get(reverse("stories:author_download_json", kwargs={"token": token}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="my-story-{story.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["story"]["as_told"] == {
        "title": "Kind night staff on Ward 7",
        "text": "Nurse Jo was kind.",
    }
    assert data["story"]["as_it_stands"]["text"] == "The night staff were kind to my dad."
    assert data["story"]["email"] == story.author_email
    assert [v["made_by"] for v in data["versions"]] == ["you", "a moderator"]
    assert data["responses"][0]["from"] == "Sam Patel"
    assert data["responses"][0]["job_title"] == "Ward manager"
    assert data["your_replies"][0]["text"] == "Thank you for answering (0)."
    assert data["your_replies"][0]["status"] == "awaiting_moderation"
    assert data["changes"][0]["what_will_change"] == "Relatives may stay the night."
    text = response.content.decode()
    assert "Staff-only" not in text
    assert "criticality" not in text
    assert moderator.display_name not in text


def test_the_page_shows_the_same_to_read_or_print(
    client: Client, org: Organisation, moderator: User, responder: User
) -> None:
    story = _story(org, moderator)
    _answer(story, org, responder, 1)
    token = author_link(story)
    page = client.get(reverse("stories:author_download", kwargs={"token": token}))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    for words in (
        "Your story as you told it",
        "Nurse Jo was kind.",
        "Your story as published",
        "The night staff were kind to my dad.",
        "Responses you received",
        "Sam Patel, Ward manager",
        "Your replies",
        "Thank you for answering (0).",
        "Changes recorded because of your story",
        reverse("stories:author_download_json", kwargs={"token": token}),
    ):
        assert words in html
    assert "Staff-only" not in html


def test_the_author_page_links_to_both(client: Client, org: Organisation) -> None:
    story = StoryFactory(services=[org])
    token = author_link(story)
    html = client.get(reverse("stories:author", kwargs={"token": token})).content.decode()
    assert reverse("stories:author_download", kwargs={"token": token}) in html
    assert reverse("stories:author_download_json", kwargs={"token": token}) in html


def test_a_wrong_link_downloads_nothing(client: Client) -> None:
    for name in ("stories:author_download", "stories:author_download_json"):
        assert client.get(reverse(name, kwargs={"token": "not-a-token"})).status_code == 404


def test_a_withdrawn_story_can_still_be_downloaded(client: Client, org: Organisation) -> None:
    story = StoryFactory(services=[org], status=StoryStatus.WITHDRAWN, closed_at=timezone.now())
    token = author_link(story)
    data = client.get(reverse("stories:author_download_json", kwargs={"token": token})).json()
    assert data["story"]["status"] == "withdrawn"
    assert data["story"]["words_deleted_on"]


def test_the_download_keeps_its_query_budget(
    client: Client, org: Organisation, moderator: User, responder: User
) -> None:
    for name in ("stories:author_download", "stories:author_download_json"):
        budget = QueryBudget(name, limit=14)
        for size in (1, 10):
            story = _story(org, moderator)
            _answer(story, org, responder, size)
            token = author_link(story)
            url = reverse(name, kwargs={"token": token})
            budget.measure(size, lambda url=url: client.get(url))
        budget.assert_flat()
