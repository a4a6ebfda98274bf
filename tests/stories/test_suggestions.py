"""Suggested topics and criticality: training on moderated stories, the nightly retraining,
and the Suggested panel of the moderation page, where nothing applies without a moderator."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core import themes
from apps.insights.selectors_insight import Period, insight_for
from apps.organisations.models import Organisation
from apps.stories import suggestions, tasks
from apps.stories.models import Story, StoryStatus, StoryTag, ThemeModelVersion
from apps.stories.search import StoryFilters
from apps.stories.selectors_moderation import story_for_moderation
from tests.factories import StoryFactory
from tests.querybudget import QueryBudget
from tests.stories.test_moderation import decide, signed_in, waiting
from tests.stories.themes_data import (
    FOOD,
    STAFF,
    TOLD,
    TOLD_TWO,
    WAIT,
    enough,
    moderated_stories,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained() -> ThemeModelVersion:
    moderated_stories(enough())
    return suggestions.themes_train(trained_by="a test", folds=3)


def story_page(client: Any, story: Story) -> Any:
    return client.get(reverse("moderation:story", kwargs={"pk": story.pk}))


def test_training_on_a_cold_start_says_why_and_fails() -> None:
    moderated_stories(3)
    StoryFactory()  # published but untagged: not a training story
    with pytest.raises(CommandError) as raised:
        call_command("themes_train", stdout=io.StringIO())
    assert f"3 of the {themes.MIN_EXAMPLES} needed" in str(raised.value)
    assert not ThemeModelVersion.objects.exists()


def test_training_stores_a_version_with_its_figures() -> None:
    moderated_stories(enough())
    out = io.StringIO()
    call_command("themes_train", "--folds", "3", stdout=out)
    version = ThemeModelVersion.objects.get()
    assert (version.version, version.story_count) == (1, enough())
    assert version.trained_by == suggestions.TRAINED_BY_COMMAND
    printed = out.getvalue().splitlines()
    assert f"{enough()} moderated stories with aspect-of-care tags." in printed
    assert printed[-2].startswith("Stored model version 1, trained on")
    assert json.loads(printed[-1]) == version.figures != {}
    model = themes.ThemeModel.from_bytes(bytes(version.payload))
    assert {STAFF, WAIT, FOOD} <= set(model.labels)
    call_command("themes_train", "--folds", "3", stdout=io.StringIO())
    assert list(ThemeModelVersion.objects.values_list("version", flat=True)) == [2, 1]


def test_training_learns_the_moderators_tags_not_withdrawn_or_waiting_stories() -> None:
    kept, waiting_one, withdrawn = moderated_stories(3)
    Story.objects.filter(pk=waiting_one.pk).update(status=StoryStatus.AWAITING_MODERATION)
    Story.objects.filter(pk=withdrawn.pk).update(status=StoryStatus.WITHDRAWN)
    examples = suggestions.training_examples()
    assert len(examples) == 1
    assert examples[0].text.startswith(kept.title)
    assert examples[0].criticality == kept.criticality
    assert dict(examples[0].topics) == {STAFF: themes.POLARITY_GOOD}


def test_the_nightly_task_retrains_only_past_the_threshold(settings: Any) -> None:
    settings.THEMES_RETRAIN_AFTER = 3
    moderated_stories(3)
    assert tasks.themes_retrain() is None  # a cold start: nothing, quietly
    moderated_stories(enough(), start=3)
    assert tasks.themes_retrain() == 1  # the first model
    assert tasks.themes_retrain() is None
    # What v1 learned from was published before it was trained.
    Story.objects.update(published_at=timezone.now() - dt.timedelta(hours=2))
    ThemeModelVersion.objects.update(trained_at=timezone.now() - dt.timedelta(hours=1))
    moderated_stories(2, start=100)
    assert tasks.themes_retrain() is None  # 2 new of 3
    moderated_stories(1, start=200)
    assert tasks.themes_retrain() == 2
    newest = ThemeModelVersion.objects.first()
    assert newest is not None
    assert (newest.trained_by, newest.story_count) == (
        suggestions.TRAINED_BY_NIGHTLY,
        enough() + 6,
    )


def test_the_nightly_task_is_on_the_beat_schedule() -> None:
    from config.celery import app

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "stories.themes_retrain" in scheduled


def test_a_cold_start_says_so_on_the_moderation_page(org: Organisation, moderator: User) -> None:
    moderated_stories(2)
    text = story_page(signed_in(moderator), waiting(org, body=TOLD)).content.decode()
    assert "No suggestions yet" in text
    assert f"there are 2 of the {themes.MIN_EXAMPLES} needed" in text
    assert 'name="suggested"' not in text


def test_enough_stories_but_no_model_yet_says_how_to_train_one(
    org: Organisation, moderator: User
) -> None:
    moderated_stories(enough())
    text = story_page(signed_in(moderator), waiting(org, body=TOLD)).content.decode()
    assert f"there are enough moderated stories ({enough()})" in text
    assert "manage.py themes_train" in text


def test_the_page_suggests_topics_with_polarity_and_a_criticality(
    org: Organisation, moderator: User, trained: ThemeModelVersion
) -> None:
    story = waiting(org, body=TOLD_TWO)
    response = story_page(signed_in(moderator), story)
    panel = response.context["panel"]
    suggested = {row.tag.slug: row.polarity for row in panel.topics}
    assert suggested == {STAFF: "good", WAIT: "improve"}
    assert panel.criticality is not None
    text = response.content.decode()
    assert "Suggested as could be improved" in text
    assert f'value="{WAIT}"' in text
    assert f'name="suggest_{WAIT}" value="" id="id_suggest_{WAIT}_2" checked' in text
    assert "Suggested criticality:" in text
    assert not StoryTag.objects.filter(story=story).exists()  # nothing applied by looking


def test_suggestions_follow_the_text_in_the_form_and_keep_the_answers(
    org: Organisation, moderator: User, trained: ThemeModelVersion
) -> None:
    story = waiting(org, body="We came in on a Tuesday and went home on the Friday.")
    client = signed_in(moderator)
    before = {row.tag.slug for row in story_page(client, story).context["panel"].topics}
    assert before != {STAFF, WAIT}
    # An edit that is not valid yet (no such criticality): the page comes back with
    # suggestions for the edited text, and the answer given stays chosen.
    response = decide(
        client,
        story,
        "save",
        body=TOLD_TWO,
        criticality="9",
        suggested=[FOOD],
        **{f"suggest_{FOOD}": "improve"},
    )
    assert response.status_code == 200
    assert {row.tag.slug for row in response.context["panel"].topics} == {STAFF, WAIT}
    rows = {row.tag.slug: field for row, field in response.context["suggested"]}
    assert set(rows) == {STAFF, WAIT, FOOD}  # food: answered, no longer suggested
    assert rows[FOOD].value() == "improve"
    assert "your answer is kept" in response.content.decode()


def test_accepting_changing_and_not_using_suggestions(
    org: Organisation, moderator: User, trained: ThemeModelVersion
) -> None:
    story = waiting(org, body=TOLD)
    client = signed_in(moderator)
    story_page(client, story)
    response = decide(
        client,
        story,
        "publish",
        suggested=[STAFF, WAIT, FOOD],
        **{f"suggest_{STAFF}": "good", f"suggest_{WAIT}": "good", f"suggest_{FOOD}": ""},
    )
    assert response.status_code == 302
    tags = dict(StoryTag.objects.filter(story=story).values_list("tag__slug", "polarity"))
    # Staff accepted as suggested, waiting changed to good, food not used.
    assert tags == {STAFF: "good", WAIT: "good"}


def test_an_accepted_suggestion_wins_over_the_same_tag_ticked_the_other_way(
    org: Organisation, moderator: User, trained: ThemeModelVersion
) -> None:
    from apps.stories.models import Tag

    story = waiting(org, body=TOLD)
    client = signed_in(moderator)
    story_page(client, story)
    staff = Tag.objects.get(slug=STAFF)
    decide(
        client,
        story,
        "save",
        good=[staff.pk],
        suggested=[STAFF],
        **{f"suggest_{STAFF}": "improve"},
    )
    tags = dict(StoryTag.objects.filter(story=story).values_list("tag__slug", "polarity"))
    assert tags == {STAFF: "improve"}


def test_odd_suggestion_answers_are_errors_beside_the_field_or_ignored(
    org: Organisation, moderator: User, trained: ThemeModelVersion
) -> None:
    story = waiting(org, body=TOLD)
    client = signed_in(moderator)
    story_page(client, story)
    response = decide(
        client,
        story,
        "save",
        suggested=[STAFF, "felt-grateful", "no-such-tag", "x" * 500],
        **{f"suggest_{STAFF}": "sideways", "suggest_felt-grateful": "good"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        f"suggest_{STAFF}": ["Select a valid choice. sideways is not one of the available choices."]
    }
    assert not StoryTag.objects.filter(story=story).exists()


def test_an_unaccepted_suggestion_is_not_counted_or_public(
    org: Organisation, moderator: User, trained: ThemeModelVersion
) -> None:
    story = waiting(org, body=TOLD, title="Three things")
    client = signed_in(moderator)
    story_page(client, story)
    decide(client, story, "publish", suggested=[STAFF, FOOD], **{f"suggest_{STAFF}": "good"})
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    insight = insight_for(
        org, StoryFilters(organisation=org), Period.of(None, None, timezone.localdate())
    )
    assert [(t.slug, t.good, t.improve) for t in insight.topics] == [(STAFF, 1, 0)]
    public = client.get(story.get_absolute_url()).content.decode()
    assert "Staff manner and attitude" in public or "staff manner and attitude" in public
    for word in ("Food and drink", "food and drink", "Suggested", "suggest_"):
        assert word not in public


def test_an_unreadable_model_leaves_moderation_working(
    org: Organisation, moderator: User, trained: ThemeModelVersion
) -> None:
    ThemeModelVersion.objects.create(
        version=2, story_count=1, payload=b"not a model", trained_by="a test"
    )
    text = story_page(signed_in(moderator), waiting(org, body=TOLD)).content.decode()
    assert "Suggestions are unavailable just now" in text


def test_a_model_of_two_criticality_values_leaves_moderation_working(
    org: Organisation, moderator: User
) -> None:
    """Trained where moderators used only two levels, the engine (as merged) fails when it
    picks the phrases; the page must still work, and say so if there are no suggestions."""
    moderated_stories(enough())
    Story.objects.filter(criticality=2).update(criticality=3)
    suggestions.themes_train(trained_by="a test", folds=0)
    response = story_page(signed_in(moderator), waiting(org, body=TOLD_TWO))
    assert response.status_code == 200
    panel = response.context["panel"]
    assert panel.unavailable or panel.topics
    if panel.unavailable:
        assert "Suggestions are unavailable just now" in response.content.decode()


def test_training_without_folds_stores_no_figures() -> None:
    moderated_stories(enough())
    version = suggestions.themes_train(trained_by="load_demo", folds=0)
    assert version.figures == {}


def test_the_model_is_loaded_once_per_version(trained: ThemeModelVersion) -> None:
    first = suggestions.current_model()
    again = suggestions.current_model()
    assert first is not None
    assert again is not None
    assert first[1] is again[1]


def test_suggestions_cost_two_small_queries_once_the_model_is_loaded(
    org: Organisation, trained: ThemeModelVersion, django_assert_num_queries: Any
) -> None:
    story = story_for_moderation(waiting(org, body=TOLD_TWO).pk)  # with its tags
    suggestions.story_suggestions(story)  # loads the payload, once per process
    with django_assert_num_queries(2):  # the newest version's id, the suggested tags
        suggestions.story_suggestions(story)


def test_the_story_page_keeps_its_query_budget_with_a_model(
    org: Organisation, moderator: User, trained: ThemeModelVersion
) -> None:
    client = signed_in(moderator)
    story = waiting(org, body=TOLD)
    budget = QueryBudget("moderation story page with suggestions", limit=23)
    budget.measure(enough(), lambda: story_page(client, story))
    moderated_stories(200, start=1000)
    budget.measure(enough() + 200, lambda: story_page(client, story))
    budget.assert_flat()
