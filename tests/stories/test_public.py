from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.visitors import visitor_key
from apps.organisations.models import Organisation
from apps.stories import reads
from apps.stories.models import Flag, Story, StoryReader, StoryStatus
from apps.stories.reads import reads_flush
from apps.stories.selectors import story_count_for_organisation, story_list_for_organisation
from apps.stories.taxonomy import Progress
from tests.factories import StoryFactory, status_fields
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def visitor(ip: str = "203.0.113.5", agent: str = BROWSER) -> Client:
    return Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)


def service_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=3)


def test_story_page_shows_the_story_and_nothing_staff_only(org: Organisation) -> None:
    story = StoryFactory(
        services=[service_of(org)],
        title="Kind night staff",
        criticality=4,
        moderator_note="Check with ward manager",
        author_email="me@home.example",
    )
    body = visitor().get(story.get_absolute_url()).content.decode()
    assert "Kind night staff" in body
    assert "Grateful daughter" in body
    assert "Northfield Outpatients" in body
    for private in ("me@home.example", "Check with ward manager", "criticality", "strongly"):
        assert private not in body


# A hidden or restricted story's page answers with the reason (tests/responses/
# test_reports.py, tests/stories/test_restrict.py).
@pytest.mark.parametrize(
    "status",
    [s for s in StoryStatus.values if s not in ("published", "hidden", "restricted")],
)
def test_unpublished_stories_are_not_public(org: Organisation, status: str) -> None:
    story = StoryFactory(
        services=[service_of(org)],
        status=status,
        **{"published_at": None, **status_fields(status, org)},
    )
    assert visitor().get(f"/stories/{story.pk}/").status_code == 404
    assert story.title not in visitor().get("/stories/").content.decode()
    assert story.title not in visitor().get(org.get_absolute_url()).content.decode()


def read(client: Client, story: Story, **extra: Any) -> None:
    """Open the story's page and load its beacon, as a browser does with its images."""
    page = client.get(story.get_absolute_url(), **extra)
    assert page.status_code == 200
    beacon = re.search(r'<img class="beacon" src="([^"]+)"', page.content.decode())
    assert beacon is not None, "the story page carries no read beacon"
    answer = client.get(beacon.group(1), **extra)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/gif"
    assert "no-store" in answer["Cache-Control"]


def within_the_interval() -> None:
    """As if the queue had just been written: reads wait for the next flush."""
    cache.set(reads.DUE, 1, 3600)


def test_reads_count_people_not_reloads_robots_or_staff(org: Organisation, responder: User) -> None:
    story = StoryFactory(services=[service_of(org)])
    within_the_interval()
    person = visitor()
    read(person, story)
    read(person, story)  # a reload
    read(visitor(ip="198.51.100.7"), story)  # another person
    read(visitor(agent="Googlebot/2.1 (+http://www.google.com/bot.html)"), story)
    staff = Client(REMOTE_ADDR="192.0.2.1", HTTP_USER_AGENT=BROWSER)
    staff.force_login(responder)
    read(staff, story)
    assert reads_flush() == 2
    story.refresh_from_db()
    assert story.read_count == 2
    assert reads_flush() == 0  # nothing is added twice
    # The count shows once the kept page is made again (a change to the story, or its
    # time in the cache ending, which clearing the cache stands for here).
    cache.clear()
    assert "Read by 2 people" in person.get(story.get_absolute_url()).content.decode()


def test_reads_write_no_row_and_are_added_in_one_batch(
    org: Organisation,
) -> None:
    """A read writes nothing to the database; the queue of reads of many stories is
    added to their counts in one statement."""
    stories = [StoryFactory(services=[service_of(org)]) for _ in range(3)]
    within_the_interval()
    for n in range(30):
        read(visitor(ip=f"198.51.100.{n}"), stories[n % 3])
    assert StoryReader.objects.count() == 0
    assert [Story.objects.get(pk=s.pk).read_count for s in stories] == [0, 0, 0]
    with CaptureQueriesContext(connection) as done:
        assert reads_flush() == 30
    statements = [q["sql"] for q in done.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith("UPDATE")
    assert [Story.objects.get(pk=s.pk).read_count for s in stories] == [10, 10, 10]


def test_the_first_read_after_the_interval_writes_the_queue(org: Organisation) -> None:
    story = StoryFactory(services=[service_of(org)])
    read(visitor(ip="198.51.100.1"), story)  # the first beacon finds nothing written yet
    story.refresh_from_db()
    assert story.read_count == 1
    read(visitor(ip="198.51.100.2"), story)  # within the interval: queued
    story.refresh_from_db()
    assert story.read_count == 1
    cache.delete(reads.DUE)  # the interval ends
    read(visitor(ip="198.51.100.3"), story)
    story.refresh_from_db()
    assert story.read_count == 3


def test_changing_headers_does_not_make_a_new_reader(org: Organisation) -> None:
    """A client that sends a different User-Agent on every request is one reader, however
    many times it reads."""
    story = StoryFactory(services=[service_of(org)])
    for n in range(100):
        read(
            visitor(agent=f"{BROWSER} build/{n}"),
            story,
            headers={"Accept-Language": f"x-{n}"},
        )
    reads_flush()
    story.refresh_from_db()
    assert story.read_count == 1


def test_me_too_is_not_inflated_by_changing_headers(org: Organisation) -> None:
    story = StoryFactory(services=[service_of(org)])
    url = reverse("stories:me_too", kwargs={"pk": story.pk})
    for n in range(20):
        visitor(agent=f"{BROWSER} build/{n}").post(url)
    story.refresh_from_db()
    assert story.me_too_count == 1


def test_reads_count_once_a_day_and_votes_once(org: Organisation) -> None:
    """Reads are counted per visitor per day; a vote's key holds no day, so it is once."""
    today = dt.date(2026, 3, 1)
    key = visitor_key(address="203.0.113.5", user_agent=BROWSER, day=today)
    assert key == visitor_key(address="203.0.113.5", user_agent="Other/1.0", day=today)
    assert key != visitor_key(address="203.0.113.5", user_agent=BROWSER, day=today.replace(day=2))
    assert key != visitor_key(address="203.0.113.6", user_agent=BROWSER, day=today)
    assert visitor_key(address="203.0.113.5", user_agent=BROWSER) not in (key, None)
    assert "203.0.113.5" not in str(key)


def test_one_address_reading_too_many_stories_is_not_counted(
    org: Organisation, settings: Any
) -> None:
    settings.STORY_READS_COUNTED_PER_HOUR = 2
    stories = [StoryFactory(services=[service_of(org)]) for _ in range(3)]
    for story in stories:
        read(visitor(), story)
    reads_flush()
    assert [Story.objects.get(pk=s.pk).read_count for s in stories] == [1, 1, 0]


def test_me_too_counts_once_per_person(org: Organisation) -> None:
    story = StoryFactory(services=[service_of(org)])
    url = reverse("stories:me_too", kwargs={"pk": story.pk})
    person = visitor()
    assert person.post(url).status_code == 302
    person.post(url)
    visitor(ip="198.51.100.9").post(url, headers={"HX-Request": "true"})
    story.refresh_from_db()
    assert story.me_too_count == 2
    fragment = visitor(ip="198.51.100.9").post(url, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<form method="post"')
    assert "2 people have said so" in fragment.content.decode()


def test_a_reader_reports_a_story_with_a_reason(org: Organisation) -> None:
    story = StoryFactory(services=[service_of(org)])
    url = reverse("stories:report", kwargs={"pk": story.pk})
    missing = visitor().post(url, {"reason": ""})
    assert "Choose a reason." in missing.content.decode()
    sent = {"reason": "identifies_someone", "note": "It names my neighbour"}
    done = visitor().post(url, sent, follow=True)
    assert "A moderator will look at this story" in done.content.decode()
    flag = Flag.objects.get()
    assert (flag.story, flag.reason, flag.note) == (story, *sent.values())


def test_organisation_pages_list_the_stories_of_their_whole_subtree(
    org: Organisation, other_org: Organisation
) -> None:
    here = StoryFactory(services=[service_of(org)], title="About Northfield")
    StoryFactory(services=[service_of(other_org)], title="About Southgate")
    page = visitor().get(org.get_absolute_url())
    stories = next(
        s for s in page.context["sections"] if s.template == "stories/_organisation_stories.html"
    )
    assert [card.pk for card in stories.context["stories"]] == [here.pk]
    assert "About Northfield" in page.content.decode()
    assert "About Southgate" not in page.content.decode()


def test_an_organisation_pages_cards_are_kept_until_their_story_changes(
    org: Organisation, settings: Any
) -> None:
    """Each card is written once per language and kept under its story's version: the
    page's list then reads no story; editing one story writes that card again, and the
    Welsh page keeps its own."""
    settings.PAGE_CACHE_SECONDS = 0  # the whole page is rendered each time
    first = StoryFactory(services=[service_of(org)], title="The ward was calm")
    StoryFactory(services=[service_of(org)], title="Parking was hard")
    url = org.get_absolute_url()

    def stories_read(address: str = url) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            html = visitor().get(address).content.decode()
        reads = [q["sql"] for q in queries.captured_queries if 'FROM "stories_story"' in q["sql"]]
        return sum('"stories_story"."body"' in sql for sql in reads), html

    assert stories_read()[0] == 1  # the two cards are written
    assert stories_read()[0] == 0  # and then kept
    first.title = "The ward was calm and clean"
    first.save()
    count, html = stories_read()
    assert count == 1
    assert "The ward was calm and clean" in html
    assert "Parking was hard" in html
    welsh = "/cy" + url
    assert stories_read(welsh)[0] == 1  # Welsh cards are their own
    assert stories_read(welsh)[0] == 0


def test_organisation_pages_count_each_published_story_of_the_subtree_once(
    org: Organisation, other_org: Organisation
) -> None:
    service = service_of(org)
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    StoryFactory(services=[service, site])  # about two nodes of the subtree: one story
    StoryFactory(services=[service])
    for status in StoryStatus.values:
        if status != StoryStatus.PUBLISHED:
            StoryFactory(
                services=[service],
                status=status,
                **{"published_at": None, **status_fields(status, org)},
            )
    StoryFactory(services=[service_of(other_org)])
    # The count reads story links, not stories: it agrees with the list it heads.
    for progress in ["", Progress.NOT_READ, Progress.RESPONDED]:
        listed = story_list_for_organisation(org, progress).count()
        assert story_count_for_organisation(org, progress) == listed
    assert story_count_for_organisation(org) == 2
    assert story_count_for_organisation(other_org) == 1
    assert "Stories (2)" in visitor().get(org.get_absolute_url()).content.decode()


def _many(org: Organisation, n: int) -> None:
    service = service_of(org)
    stories = Story.objects.bulk_create(StoryFactory.build(title=f"Bulk {i}") for i in range(n))
    Story.services.through.objects.bulk_create(
        Story.services.through(story=s, organisation=service) for s in stories
    )


def test_story_pages_and_lists_keep_their_query_budgets(org: Organisation) -> None:
    story = StoryFactory(services=[service_of(org)])
    pages = {
        "story page": (
            story.get_absolute_url(),
            10,
        ),  # + the conversation: responses, author replies
        "stories list": ("/stories/", 5),
        # + latest changes and counts, + the statistics row with its rank, + the story
        # search's services and topics to choose from
        "organisation page": (org.get_absolute_url(), 13),
    }
    budgets = {name: QueryBudget(name, limit=limit) for name, (_, limit) in pages.items()}
    _many(org, 9)
    for name, (url, _) in pages.items():
        budgets[name].measure(10, lambda url=url: visitor().get(url))
    _many(org, 990)
    for name, (url, _) in pages.items():
        budgets[name].measure(1000, lambda url=url: visitor().get(url))
    for budget in budgets.values():
        budget.assert_flat()


def test_read_rows_of_past_days_are_pruned_and_votes_kept(org: Organisation) -> None:
    from apps.stories.tasks import prune_readers

    story = StoryFactory(services=[service_of(org)])
    # Read rows are what counting wrote before reads were queued in the cache.
    StoryReader.objects.create(story=story, visitor="a-reader-of-the-day", kind="read")
    visitor().post(reverse("stories:me_too", kwargs={"pk": story.pk}))
    assert prune_readers() == 0  # today's read row is kept until it can never match
    StoryReader.objects.update(at=timezone.now() - dt.timedelta(days=3))
    assert prune_readers() == 1
    assert list(StoryReader.objects.values_list("kind", flat=True)) == ["me_too"]
    story.refresh_from_db()
    assert story.me_too_count == 1
