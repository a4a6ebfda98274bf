"""Suggested topics and criticality for moderators: training the model of apps.core.themes
on the platform's own moderated stories, storing it with a version, and asking the newest
for the story being moderated.

Suggestions are only ever shown to the moderator of the story; they are never stored as
tags, and nothing here writes a story's tags: a moderator's choice in the form does that.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet

from apps.core import themes

from .models import ModerationDecision, Story, StoryStatus, StoryTag, Tag, ThemeModelVersion
from .taxonomy import Polarity, TagGroup

log = logging.getLogger(__name__)

TRAINED_BY_COMMAND = "manage.py themes_train"
TRAINED_BY_NIGHTLY = "the nightly task"
TO_ENGINE = {Polarity.GOOD: themes.POLARITY_GOOD, Polarity.IMPROVE: themes.POLARITY_IMPROVE}
FROM_ENGINE = {themes.POLARITY_GOOD: Polarity.GOOD, themes.POLARITY_IMPROVE: Polarity.IMPROVE}


class ColdStart(Exception):
    """Too few moderated stories to learn from."""

    def __init__(self, count: int) -> None:
        self.count, self.needed = count, themes.MIN_EXAMPLES
        super().__init__(
            f"Too few moderated stories to learn from: {count} of the {self.needed} needed "
            "(published stories with at least one aspect-of-care tag). No model was trained."
        )


def training_stories() -> QuerySet[Story]:
    """The moderated stories the model learns from: published, with at least one confirmed
    aspect-of-care tag (the moderator's tags as published, so corrections are learned)."""
    return Story.objects.filter(
        status=StoryStatus.PUBLISHED,
        purged_at__isnull=True,
        story_tags__tag__group=TagGroup.ASPECT,
        story_tags__polarity__in=list(TO_ENGINE),
    ).distinct()


def training_examples() -> list[themes.Example]:
    """Each training story as the engine's example: its text, its aspect tags (label = the
    tag's slug, good +1, could be improved -1) and the moderator's criticality."""
    aspects = StoryTag.objects.filter(
        tag__group=TagGroup.ASPECT, polarity__in=list(TO_ENGINE)
    ).select_related("tag")
    stories = (
        training_stories()
        .order_by("pk")
        .only("pk", "title", "body", "criticality")
        .prefetch_related(Prefetch("story_tags", queryset=aspects, to_attr="aspects"))
    )
    return [
        themes.Example(
            text=_text(story),
            topics={st.tag.slug: TO_ENGINE[Polarity(st.polarity)] for st in story.aspects},
            criticality=story.criticality,
        )
        for story in stories.iterator(chunk_size=500)
    ]


def _text(story: Story) -> str:
    return f"{story.title}\n{story.body}".strip()


def themes_train(
    *,
    trained_by: str,
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> ThemeModelVersion:
    """Train and store the next version on the moderated stories, with its cross-validated
    figures (none with `folds=0`). Raises ColdStart below themes.MIN_EXAMPLES. The model
    is used from the next page a moderator opens."""
    say = progress or (lambda _message: None)
    say("Reading the moderated stories…")
    examples = training_examples()
    say(f"{len(examples)} moderated stories with aspect-of-care tags.")
    if len(examples) < themes.MIN_EXAMPLES:
        raise ColdStart(len(examples))
    started = time.perf_counter()
    figures: dict[str, Any] = {}
    if folds:
        say(f"Cross-validating ({folds} folds)…")
        figures = themes.cross_validate(examples, folds=folds, seed=seed)
    say("Training on all of them…")
    payload = themes.ThemeModel.fit(examples, seed=seed).to_bytes()
    seconds = time.perf_counter() - started
    with transaction.atomic():
        # The lock makes two trainings at once number their versions one after the other.
        last = (
            ThemeModelVersion.objects.select_for_update()
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        return ThemeModelVersion.objects.create(
            version=(last or 0) + 1,
            story_count=len(examples),
            figures=figures,
            payload=payload,
            trained_by=trained_by,
            seconds=round(seconds, 3),
        )


def new_since(version: ThemeModelVersion) -> int:
    """Training stories published, or edited after publication, since `version` was
    trained: what a new model would learn that this one did not."""
    decided = ModerationDecision.objects.filter(
        at__gt=version.trained_at,
        action__in=[
            ModerationDecision.Action.PUBLISHED,
            ModerationDecision.Action.EDITED_PUBLISHED,
        ],
    ).values("story")
    return (
        training_stories()
        .filter(Q(published_at__gt=version.trained_at) | Q(pk__in=decided))
        .count()
    )


def themes_retrain_if_due() -> ThemeModelVersion | None:
    """The nightly retraining: a first model once there are enough moderated stories, then
    a new one only when settings.THEMES_RETRAIN_AFTER new ones exist. Returns the new
    version, or None when none was due."""
    newest = ThemeModelVersion.objects.defer("payload").order_by("-version").first()
    if newest is not None and new_since(newest) < settings.THEMES_RETRAIN_AFTER:
        return None
    try:
        return themes_train(trained_by=TRAINED_BY_NIGHTLY)
    except ColdStart:
        return None


# The newest model, loaded once per process per version: a page asks for the newest
# version's id (one small query) and unpickles the payload only when it changed.
_loaded: dict[int, themes.ThemeModel] = {}


def current_model() -> tuple[ThemeModelVersion, themes.ThemeModel] | None:
    """The newest stored model, or None on a cold start."""
    newest = ThemeModelVersion.objects.defer("payload").order_by("-version").first()
    if newest is None:
        return None
    model = _loaded.get(newest.pk)
    if model is None:
        payload = ThemeModelVersion.objects.filter(pk=newest.pk).values_list("payload", flat=True)
        model = themes.ThemeModel.from_bytes(bytes(payload.get()))
        _loaded.clear()
        _loaded[newest.pk] = model
    return newest, model


@dataclass(frozen=True)
class TopicRow:
    """One suggested topic as the moderator sees it."""

    tag: Tag
    score: float | None  # 0-1; None for a topic answered but no longer suggested
    polarity: str  # Polarity.GOOD, Polarity.IMPROVE, or "" when the model cannot tell
    tagged_as: str  # the polarity the story is already tagged with, or ""


@dataclass(frozen=True)
class Panel:
    """What the Suggested panel shows: the topics and criticality, or why there are none."""

    version: ThemeModelVersion | None = None
    topics: tuple[TopicRow, ...] = ()
    criticality: int | None = None
    phrases: tuple[str, ...] = ()
    # Cold start: how many moderated stories there are, of how many needed.
    moderated: int = 0
    needed: int = field(default_factory=lambda: themes.MIN_EXAMPLES)
    unavailable: bool = False

    @property
    def cold_start(self) -> bool:
        return self.version is None and not self.unavailable

    @property
    def untrained(self) -> bool:
        """No model yet, though there are enough stories: the nightly task trains one."""
        return self.cold_start and self.moderated >= self.needed


def story_suggestions(story: Story, text: str | None = None, *, limit: int = 5) -> Panel:
    """The newest model's suggestions for `text` (the moderator's edit where one was
    posted; else the story's current text). One query for the newest version and one for
    the suggested tags (a count on a cold start instead)."""
    try:
        current = current_model()
        if current is None:
            return Panel(moderated=training_stories().count())
        version, model = current
        found = model.suggest(text if text is not None else _text(story), limit=limit)
    except Exception:
        # A payload this engine can no longer read, or a model that fails on this text,
        # must not stop moderation: the moderator tags the story as before.
        log.exception("No suggestions for story %s: the themes model failed.", story.pk)
        return Panel(unavailable=True)
    slugs = [topic.label for topic in found.topics]
    tags = {tag.slug: tag for tag in Tag.objects.filter(group=TagGroup.ASPECT, slug__in=slugs)}
    tagged = {st.tag_id: st.polarity for st in story.story_tags.all()}
    rows = tuple(
        TopicRow(
            tag=tags[topic.label],
            score=topic.score,
            polarity=FROM_ENGINE.get(topic.polarity, "") if topic.polarity else "",
            tagged_as=tagged.get(tags[topic.label].pk, ""),
        )
        for topic in found.topics
        if topic.label in tags  # a tag removed from the list since training is not offered
    )
    criticality = found.criticality
    if criticality is not None:
        criticality = min(5, max(0, criticality))
    return Panel(version=version, topics=rows, criticality=criticality, phrases=found.phrases)
