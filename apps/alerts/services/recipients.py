"""Who should hear of a published story, and how soon."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from apps.responders.scope import VIEW_STAFF_DATA, holder_covers, holders_over
from apps.responders.selectors import with_ancestors
from apps.stories.models import Story

from ..models import URGENCY, Frequency, Subscription


def recipients_for(story: Story) -> dict[int, str]:
    """Each member of staff who should hear of this story, with how soon. A subscription
    counts only while its holder may still see the story as staff; people with a role
    and no subscription of their own get the default, a daily digest. Five queries."""
    paths = with_ancestors([s.path for s in story.services.all()])
    viewers = holders_over(paths, VIEW_STAFF_DATA)
    tag_ids = [st.tag_id for st in story.story_tags.all()]
    through = Subscription.tags.through
    matching = (
        Subscription.objects.filter(organisation__path__in=paths)
        .filter(Q(min_criticality__isnull=True) | Q(min_criticality__lte=story.criticality or 0))
        .filter(
            ~Exists(through.objects.filter(subscription_id=OuterRef("pk")))
            | Exists(through.objects.filter(subscription_id=OuterRef("pk"), tag_id__in=tag_ids))
        )
        .values_list("user_id", "frequency")
    )
    chosen: dict[int, str] = {}
    for user_id, frequency in matching:
        if user_id in viewers:
            chosen[user_id] = min(chosen.get(user_id, frequency), frequency, key=URGENCY.index)
    # A subscription left behind at a node where the person no longer holds a role does
    # not count as their own choice: they fall back to the default for their roles now.
    with_own = set(
        Subscription.objects.filter(user_id__in=list(viewers))
        .filter(holder_covers(VIEW_STAFF_DATA, user="user_id", path="organisation__path"))
        .values_list("user_id", flat=True)
    )
    for user_id in viewers:
        if user_id not in with_own:
            chosen.setdefault(user_id, Frequency.DAILY)
    return chosen
