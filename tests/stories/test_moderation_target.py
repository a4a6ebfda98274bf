"""Moderation within a target: the queue shows each story's age and marks (in words, not
colour alone) those waiting past settings.MODERATION_TARGET_WORKING_DAYS; the platform
admin page counts them. Working days as the response target counts them; clock moved."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from apps.accounts.models import User
from apps.organisations.models import Organisation
from apps.stories.models import SafeguardingCase, Story, StoryStatus
from apps.stories.selectors_moderation import moderation_target
from tests.querybudget import QueryBudget

from .test_moderation import signed_in, waiting

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo(settings.TIME_ZONE)
FRIDAY_10 = dt.datetime(2026, 11, 27, 10, 0, tzinfo=ZONE)


def told_at(story: Story, when: dt.datetime, status: str = "") -> Story:
    Story.objects.filter(pk=story.pk).update(created_at=when, status=status or story.status)
    return story


def at(moment: dt.datetime) -> Any:
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _rows(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return body.split("<tr")[1:]


def test_the_queue_marks_a_story_past_one_working_day_over_a_weekend(
    org: Organisation, moderator: User
) -> None:
    told_at(waiting(org, title="Friday's story"), FRIDAY_10)
    client = signed_in(moderator)
    # Monday 09:59 is less than one working day after Friday 10:00 (the weekend is not).
    with at(FRIDAY_10 + dt.timedelta(days=2, hours=23, minutes=59)):
        before = client.get(reverse("moderation:queue")).content.decode()
    with at(FRIDAY_10 + dt.timedelta(days=3, minutes=1)):
        after = client.get(reverse("moderation:queue")).content.decode()
    assert "Past the target" not in _rows(before)[0]
    assert "2\xa0days, 23\xa0hours" in _rows(before)[0]  # its age
    assert "Past the target" in _rows(after)[0]
    assert 'class="queue-late"' in after
    assert "The target is 1 working day from being told" in after


def test_a_story_waiting_for_its_author_is_not_the_moderators_lateness(
    org: Organisation, moderator: User
) -> None:
    told_at(waiting(org), FRIDAY_10, StoryStatus.AWAITING_AUTHOR)
    with at(FRIDAY_10 + dt.timedelta(days=10)):
        html = signed_in(moderator).get(reverse("moderation:queue")).content.decode()
    assert "Past the target" not in _rows(html)[0]


@override_settings(MODERATION_TARGET_WORKING_DAYS=3)
def test_the_target_is_a_setting(org: Organisation, moderator: User) -> None:
    told_at(waiting(org), FRIDAY_10)
    queue = reverse("moderation:queue")
    # A client each: a day between two requests would end the staff session (idle time-out).
    with at(FRIDAY_10 + dt.timedelta(days=4)):  # Tuesday: two working days
        assert "Past the target" not in _rows(signed_in(moderator).get(queue).content.decode())[0]
    with at(FRIDAY_10 + dt.timedelta(days=5)):  # Wednesday: three
        assert "Past the target" in _rows(signed_in(moderator).get(queue).content.decode())[0]


def test_the_platform_admin_page_counts_the_stories_past_the_target(
    org: Organisation, platform_admin: User, moderator: User
) -> None:
    told_at(waiting(org), FRIDAY_10 - dt.timedelta(days=7))
    told_at(waiting(org), FRIDAY_10 - dt.timedelta(days=1))  # Thursday 10:00
    told_at(waiting(org), FRIDAY_10)
    told_at(waiting(org), FRIDAY_10 - dt.timedelta(days=9), StoryStatus.AWAITING_AUTHOR)
    with at(FRIDAY_10 + dt.timedelta(hours=1)):
        figures = moderation_target(FRIDAY_10 + dt.timedelta(hours=1))
        page = signed_in(platform_admin).get(reverse("moderation:admin"))
        refused = signed_in(moderator).get(reverse("moderation:admin"))
    assert (figures.waiting, figures.past_target) == (3, 2)
    assert figures.oldest == FRIDAY_10 - dt.timedelta(days=7)
    html = page.content.decode()
    assert '<dd id="past-target-count"><strong>2</strong>' in html
    assert "Waiting for a moderator</dt><dd>3</dd>" in html
    assert refused.status_code == 403


def test_the_admin_page_keeps_its_query_budget(org: Organisation, platform_admin: User) -> None:
    client = signed_in(platform_admin)
    budget = QueryBudget("platform admin page", limit=14)
    for size in (2, 20):
        while Story.objects.count() < size:
            told_at(waiting(org), FRIDAY_10 - dt.timedelta(days=7))
        budget.measure(size, lambda: client.get(reverse("moderation:admin")))
    budget.assert_flat()


def test_the_admin_page_counts_open_safeguarding_cases_and_links_to_them(
    org: Organisation, platform_admin: User
) -> None:
    """Open serious cases are counted (decided ones are not), with the way to them."""
    for decision in ("", "", "published"):
        SafeguardingCase.objects.create(story=waiting(org), decision=decision)
    html = signed_in(platform_admin).get(reverse("moderation:admin")).content.decode()
    assert '<dd id="open-cases-count"><strong>2</strong>' in html
    assert f'href="{reverse("safeguarding:cases")}"' in html
    assert f'href="{reverse("safeguarding:settings")}"' in html
