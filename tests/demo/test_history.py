"""The demo's two years of stories at the demo trust: enough, and shaped, for every
insight chart to show something real; the same on every machine."""

from __future__ import annotations

import datetime as dt
import io
import statistics
from collections import Counter
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef
from django.db.models.functions import TruncMonth
from django.utils import timezone

from apps.changes.models import Change, ChangeStatus
from apps.organisations.models import Organisation
from apps.responses.models import Response, StaffRead
from apps.stories.models import Story, StoryTag

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A fixed clock, mid-month, so this month holds about half a month's stories.
NOW = dt.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON)
TRUST = "Ashdown Vale Hospitals NHS Foundation Trust"


def load() -> None:
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("load_demo", stdout=io.StringIO())


def trust_stories() -> Any:
    trust = Organisation.objects.get(name=TRUST)
    return Story.objects.filter(
        status="published", storyservice__organisation__path__startswith=trust.path
    ).distinct()


def monthly(stories: Any) -> list[int]:
    rows = (
        stories.annotate(month=TruncMonth("published_at", tzinfo=LONDON))
        .values("month")
        .annotate(n=Count("pk", distinct=True))
        .order_by("month")
    )
    return [row["n"] for row in rows]


def test_two_years_of_months_with_a_run_and_a_rise_an_spc_chart_would_flag() -> None:
    load()
    counts = monthly(trust_stories())
    assert len(counts) >= 25  # 24 months of history, and this month so far
    whole = counts[-25:-1]  # the last 24 whole months
    assert all(20 <= n <= 70 for n in whole), whole
    # An XmR chart over the whole months: centre, limits from the mean moving range.
    centre = statistics.mean(whole)
    moving = statistics.mean(abs(a - b) for a, b in zip(whole, whole[1:], strict=False))
    upper = centre + 2.66 * moving
    assert max(whole) > upper, (whole, centre, upper)  # the busy winter month
    below = longest = 0
    for n in whole:
        below = below + 1 if n < centre else 0
        longest = max(longest, below)
    assert longest >= 8, whole  # the quieter run


def test_tags_criticality_responses_reads_and_changes_are_all_there() -> None:
    load()
    stories = trust_stories()
    total = stories.count()
    assert 700 <= total <= 1000
    polarities = Counter(
        StoryTag.objects.filter(story__in=stories, tag__group="aspect").values_list(
            "polarity", flat=True
        )
    )
    assert polarities["good"] > 0.3 * sum(polarities.values())
    assert polarities["improve"] > 0.3 * sum(polarities.values())
    # Topics that occur together.
    pairs = StoryTag.objects.filter(
        tag__slug="being-kept-informed",
        story__in=StoryTag.objects.filter(tag__slug="timeliness-of-care").values("story"),
    )
    assert pairs.count() >= 30
    assert set(stories.values_list("criticality", flat=True)) >= {0, 1, 2, 3, 4, 5}
    # Responses: most within two working days, some later, some stories unanswered.
    first = stories.annotate(first=Min("responses__published_at")).exclude(first=None)
    waits = [s.first - s.published_at for s in first.only("published_at")]
    quick = sum(1 for w in waits if w <= dt.timedelta(days=2))
    assert quick > 0.6 * len(waits)
    assert len(waits) - quick >= 50
    unanswered = stories.exclude(Exists(Response.objects.filter(story=OuterRef("pk"))))
    assert 0.05 * total <= unanswered.count() <= 0.3 * total
    assert Response.objects.filter(story__in=stories, is_generic=True).exists()
    assert StaffRead.objects.filter(story__in=stories).count() > 0.8 * total
    assert StaffRead.objects.filter(at__gt=NOW).count() == 0
    made = Change.objects.filter(links__story__in=stories, status=ChangeStatus.MADE)
    assert made.count() >= 15
    planned = Change.objects.filter(links__story__in=stories, status=ChangeStatus.PLANNED)
    assert planned.filter(due_on__lt=NOW.date()).exists()  # overdue
    assert planned.filter(due_on__gte=NOW.date()).exists()
    assert not stories.filter(published_at__gt=NOW).exists()


def _fingerprint() -> list[tuple[Any, ...]]:
    return list(
        Story.objects.order_by("submission_key").values_list(
            "title", "published_at", "criticality", "body"
        )
    )


def test_the_history_is_the_same_every_time() -> None:
    with transaction.atomic():
        load()
        first = _fingerprint()
        transaction.set_rollback(True)
    load()
    assert _fingerprint() == first


def test_demo_ways_in_spread_channels_and_answers(db: None) -> None:
    """The demo shows every channel, answers to the Friends and Family Test for recent
    stories only, and a kiosk and campaign link that work."""
    from django.test import Client

    from apps.demo.loader import demo_load
    from apps.demo.ways_in import DEMO_CAMPAIGN_CODE, DEMO_KIOSK_TOKEN
    from apps.stories.models import Story, StoryService
    from apps.waysin.models import StoryOrigin

    assert demo_load()
    channels = set(Story.objects.values_list("channel", flat=True))
    assert {"web", "kiosk", "paper", "qr", "campaign", "phone", "assisted"} <= channels
    answered = StoryService.objects.exclude(fft="")
    assert answered.count() > 100
    oldest = min(answered.values_list("story__published_at", flat=True))
    assert (timezone.now() - oldest).days <= 31 * 9
    kiosk_stories = Story.objects.filter(channel="kiosk").count()
    assert StoryOrigin.objects.filter(kiosk__isnull=False).count() == kiosk_stories
    assert Client().get(f"/kiosk/{DEMO_KIOSK_TOKEN}/").status_code == 200
    assert Client().get(f"/t/{DEMO_CAMPAIGN_CODE}").status_code == 200
