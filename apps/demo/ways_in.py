"""The demo's ways in: the trust asks the Friends and Family Test question, its history
came in by every channel, and a working kiosk and campaign link to try (docs/ways-in.md).

A random generator of its own, so the history's other figures stay as they were."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from apps.organisations.models import Organisation
from apps.stories.models import Story, StoryService
from apps.stories.taxonomy import Channel, FftAnswer, Polarity
from apps.waysin.models import Campaign, Kiosk, StoryOrigin
from apps.waysin.selectors import token_digest

from .history import SEED, TRUST

# The demo kiosk's device link: fixed, so the printed logins can name it. A demo only.
DEMO_KIOSK_TOKEN = "demo-kiosk-main-entrance-ashdown-general-2026"  # noqa: S105
DEMO_CAMPAIGN_CODE = "clinic26"
# Shares like those a trust known for its feedback reported: web, kiosk and paper lead.
CHANNELS = [
    (Channel.WEB, 35),
    (Channel.KIOSK, 25),
    (Channel.PAPER, 20),
    (Channel.QR, 8),
    (Channel.CAMPAIGN, 6),
    (Channel.PHONE, 3),
    (Channel.ASSISTED, 3),
]
# Answers by the story's mood: good stories mostly very good or good.
ANSWERS = {
    Polarity.GOOD: [(FftAnswer.VERY_GOOD, 70), (FftAnswer.GOOD, 25), (FftAnswer.DONT_KNOW, 5)],
    Polarity.IMPROVE: [
        (FftAnswer.GOOD, 10),
        (FftAnswer.NEITHER, 25),
        (FftAnswer.POOR, 35),
        (FftAnswer.VERY_POOR, 25),
        (FftAnswer.DONT_KNOW, 5),
    ],
}
ASKED_FOR_MONTHS = 9


def load_ways_in(moods: dict[int, str]) -> None:
    """Channels and answers for the history's stories (by id, with each one's mood)."""
    rng = random.Random(SEED + 19)  # noqa: S311 - a seeded demo, not a secret
    trust = Organisation.objects.get(name=TRUST)
    Organisation.objects.filter(pk=trust.pk).update(fft_asked="after")
    site = Organisation.objects.filter(path__startswith=trust.path, depth=2).order_by("path")[0]
    kiosk = Kiosk.objects.create(
        node=site, name="Main entrance", token_hash=token_digest(DEMO_KIOSK_TOKEN)
    )
    campaign = Campaign.objects.create(
        node=site, name="Text after outpatient appointments", code=DEMO_CAMPAIGN_CODE
    )
    since = timezone.now() - dt.timedelta(days=31 * ASKED_FOR_MONTHS)
    stories = list(Story.objects.filter(pk__in=moods).only("pk", "channel", "published_at"))
    labels, weights = zip(*CHANNELS, strict=True)
    origins = []
    for story in stories:
        story.channel = rng.choices(labels, weights)[0]
        if story.channel == Channel.KIOSK:
            origins.append(StoryOrigin(story=story, kiosk=kiosk))
        elif story.channel == Channel.CAMPAIGN:
            origins.append(StoryOrigin(story=story, campaign=campaign))
    Story.objects.bulk_update(stories, ["channel"], batch_size=1000)
    StoryOrigin.objects.bulk_create(origins)
    links = list(StoryService.objects.filter(story__in=stories, story__published_at__gte=since))
    for link in links:
        if rng.random() < 0.8:  # not everyone answers
            answers, shares = zip(*ANSWERS[Polarity(moods[link.story_id])], strict=True)
            link.fft = rng.choices(answers, shares)[0]
    StoryService.objects.bulk_update(links, ["fft"], batch_size=1000)
