"""Moderated stories that teach the model of suggested topics, written in bulk."""

from __future__ import annotations

from django.utils import timezone

from apps.core import themes
from apps.stories.models import Story, StoryStatus, StoryTag, Tag
from apps.stories.taxonomy import AuthorRole, Polarity

STAFF = "staff-manner-and-attitude"
WAIT = "timeliness-of-care"
FOOD = "food-and-drink"
CLEAN = "cleanliness-and-infection-control"
PHRASES = {
    STAFF: ("The nurses were kind, caring and friendly to my mother.", Polarity.GOOD),
    WAIT: ("We waited for hours in casualty before anyone saw us.", Polarity.IMPROVE),
    FOOD: ("The food was cold and nobody helped her to eat or drink.", Polarity.IMPROVE),
    CLEAN: ("The ward was spotless and clean, the bathrooms cleaned every day.", Polarity.GOOD),
}
MIXES = [
    (STAFF,),
    (WAIT,),
    (FOOD,),
    (CLEAN,),
    (STAFF, WAIT),
    (WAIT, FOOD),
    (STAFF, CLEAN),
    (FOOD, CLEAN),
    (STAFF, FOOD),
    (CLEAN, WAIT),
]
# A story the model should tag staff manner good, waiting and food could be improved.
TOLD = " ".join(PHRASES[slug][0] for slug in (STAFF, WAIT, FOOD))
# Two of them.
TOLD_TWO = " ".join(PHRASES[slug][0] for slug in (STAFF, WAIT))


def enough() -> int:
    return max(themes.MIN_EXAMPLES, 40)


def moderated_stories(count: int, *, start: int = 0) -> list[Story]:
    """`count` published stories, each told from one or two phrases and tagged to match,
    with a criticality to match (0 all good, 2 mixed, 3 all to improve)."""
    tags = {tag.slug: tag for tag in Tag.objects.filter(slug__in=PHRASES)}
    now = timezone.now()
    mixes = [MIXES[(start + i) % len(MIXES)] for i in range(count)]
    stories = Story.objects.bulk_create(
        Story(
            title=f"Visit {start + i}",
            body=" ".join(PHRASES[slug][0] for slug in mix) + f" It was visit {start + i}.",
            pseudonym="Daughter",
            author_role=AuthorRole.RELATIVE,
            experienced_on=now.date().replace(day=1),
            status=StoryStatus.PUBLISHED,
            published_at=now,
            criticality=_criticality(mix),
        )
        for i, mix in enumerate(mixes)
    )
    StoryTag.objects.bulk_create(
        StoryTag(story=story, tag=tags[slug], polarity=PHRASES[slug][1])
        for story, mix in zip(stories, mixes, strict=True)
        for slug in mix
    )
    return stories


def _criticality(mix: tuple[str, ...]) -> int:
    polarities = {PHRASES[slug][1] for slug in mix}
    if polarities == {Polarity.GOOD}:
        return 0
    return 3 if polarities == {Polarity.IMPROVE} else 2
