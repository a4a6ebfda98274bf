"""How stories' tags read on public pages and in feeds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from apps.stories.taxonomy import TAG_HEADINGS, TagGroup, tag_label

register = template.Library()


@register.filter
def grouped_tags(story_tags: Iterable[Any]) -> list[tuple[str, list[str]]]:
    """A story's tags under "What was good", "What could be improved" and "How it felt",
    each a list of labels in the order given; empty groups left out. Feelings are listed
    by name alone: "anxious", not "anxious: negative"."""
    groups: dict[str, list[str]] = {key: [] for key, _heading in TAG_HEADINGS}
    for story_tag in story_tags:
        key = "feeling" if story_tag.tag.group == TagGroup.FEELING else story_tag.polarity
        if key in groups:
            label = tag_label(story_tag.tag.label)
            groups[key].append(label[:1].upper() + label[1:])
    return [(str(heading), groups[key]) for key, heading in TAG_HEADINGS if groups[key]]
