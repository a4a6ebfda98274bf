"""Search and filters on /stories/ and on organisation pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.organisations.models import Organisation
from apps.responses.models import Response, ResponseStatus, StaffRead
from apps.stories.models import Story, StoryRevision, StoryStatus, StoryTag, Tag
from apps.stories.search import (
    NEWEST,
    RELEVANCE,
    StoryFilters,
    StorySearchForm,
    search_count,
    search_ids,
    story_search,
)
from apps.stories.search.queries import HEADLINE_WINDOW
from tests.factories import OrganisationFactory, StoryFactory, UserFactory, status_fields
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def outpatients(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=3)


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    return OrganisationFactory(parent=site, name="Ward 7", kind="service")


@pytest.fixture
def elsewhere(other_org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=other_org.path, depth=3)


@pytest.fixture
def staff() -> User:
    return UserFactory(display_name="Sam Patel")


def found(**params: Any) -> list[str]:
    """The titles story_search lists for these GET parameters (the form must be valid)."""
    form = StorySearchForm({k: str(v) for k, v in params.items()})
    assert form.is_valid(), form.errors
    return [s.title for s in story_search(form.filters())]


def errors(**params: Any) -> dict[str, list[str]]:
    form = StorySearchForm({k: str(v) for k, v in params.items()})
    assert not form.is_valid()
    return {k: list(v) for k, v in form.errors.items()}


def respond(story: Story, staff: User, status: str = ResponseStatus.PUBLISHED) -> Response:
    return Response.objects.create(
        story=story,
        organisation=story.services.first(),
        author=staff,
        author_name=staff.display_name,
        body="Thank you for telling us.",
        body_html="<p>Thank you for telling us.</p>",
        status=status,
        published_at=timezone.now() if status != ResponseStatus.AWAITING_MODERATION else None,
    )


def get(url: str, **params: Any) -> Any:
    return Client().get(url, params)


# --- words ---------------------------------------------------------------------------
def test_search_finds_words_by_their_stem(outpatients: Organisation) -> None:
    StoryFactory(services=[outpatients], title="Night", body="One nurse sat with me all night.")
    StoryFactory(services=[outpatients], title="Parking", body="The car park was full all day.")
    assert found(q="nurses") == ["Night"]
    assert found(q="nursing") == ["Night"]
    assert found(q="parked") == ["Parking"]


def test_search_reads_websearch_syntax(outpatients: Organisation) -> None:
    StoryFactory(services=[outpatients], title="Room", body="We sat in the waiting room for hours.")
    StoryFactory(
        services=[outpatients], title="Apart", body="The room was cold and the waiting long."
    )
    StoryFactory(services=[outpatients], title="Rude", body="The receptionist was rude to my son.")
    StoryFactory(
        services=[outpatients], title="Abrupt", body="The doctor was abrupt and rushed us."
    )
    assert found(q='"waiting room"') == ["Room"]
    assert sorted(found(q="waiting room")) == ["Apart", "Room"]
    assert sorted(found(q="rude OR abrupt")) == ["Abrupt", "Rude"]
    assert found(q="rude or abrupt -doctor") == ["Rude"]
    assert found(q="room -cold") == ["Room"]


def test_a_title_match_ranks_above_a_body_match(outpatients: Organisation) -> None:
    now = timezone.now()
    StoryFactory(
        services=[outpatients],
        title="Kind words",
        body="They told me about the discharge lounge before I went home.",
        published_at=now,
    )
    StoryFactory(
        services=[outpatients],
        title="Discharge was smooth",
        body="Everything was ready before I went home.",
        published_at=now - dt.timedelta(days=3),
    )
    assert found(q="discharge") == ["Discharge was smooth", "Kind words"]
    assert found(q="discharge", order="newest") == ["Kind words", "Discharge was smooth"]


def test_most_relevant_is_the_default_with_words_and_newest_without(
    outpatients: Organisation,
) -> None:
    assert StorySearchForm({"q": "staff"}).filters().order == RELEVANCE
    assert StorySearchForm({}).filters().order == NEWEST
    # Relevance means nothing without words: the newest come first.
    assert StorySearchForm({"order": "relevance"}).filters().order == NEWEST
    now = timezone.now()
    for days in (3, 1, 2):
        StoryFactory(
            services=[outpatients], title=f"{days} days", published_at=now - dt.timedelta(days)
        )
    assert found() == ["1 days", "2 days", "3 days"]
    assert found(order="relevance") == ["1 days", "2 days", "3 days"]


def test_matched_words_are_marked_and_the_rest_escaped(outpatients: Organisation) -> None:
    StoryFactory(
        services=[outpatients],
        title="Script",
        body='The nurse typed <script>alert("x")</script> & <b>bold</b> into the notes.',
    )
    html = get("/stories/", q="nurses").content.decode()
    assert "<mark>nurse</mark> typed &lt;script&gt;alert(" in html
    assert "&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert" not in html
    assert "<b>bold</b>" not in html
    # Words inside the angle brackets are words too, and are marked only as text.
    html = get("/stories/", q="bold").content.decode()
    assert "&lt;b&gt;<mark>bold</mark>&lt;/b&gt;" in html


def test_the_headline_is_only_for_searches(outpatients: Organisation) -> None:
    StoryFactory(services=[outpatients], body="A nurse & a doctor <came> to see me.")
    (story,) = story_search(StoryFilters())
    assert story.headline is None
    html = get("/stories/").content.decode()
    assert "A nurse &amp; a doctor &lt;came&gt; to see me." in html


@pytest.mark.parametrize(
    ("body", "before", "after"),
    [
        ("The nurse was kind.", False, False),
        (
            "The nurse was kind & quick. " + "We waited a long time for the porter. " * 12,
            False,
            True,
        ),
        ("We waited a long time for the porter. " * 12 + "Then the nurse was kind.", True, False),
        (
            "We waited a long time. " * 12 + "The nurse was kind. " + "We went home. " * 12,
            True,
            True,
        ),
    ],
)
def test_a_snippet_cut_from_the_text_shows_an_ellipsis(
    outpatients: Organisation, body: str, before: bool, after: bool
) -> None:
    StoryFactory(services=[outpatients], title="Kind", body=body)
    (story,) = story_search(StoryFilters(q="nurse", order="relevance"))
    assert "<mark>nurse</mark>" in story.headline
    assert story.headline.startswith("… ") is before
    assert story.headline.endswith(" …") is after
    if not before:
        assert story.headline.startswith("The <mark>nurse</mark>")
    if not after:
        assert story.headline.endswith(".")
    html = get("/stories/", q="nurse").content.decode()
    assert f'<p class="excerpt" lang="en">{story.headline}</p>' in html


@pytest.mark.parametrize(
    ("q", "word"),
    [
        ("nurse", "nurse"),  # its stem begins the word: the window is read
        ("happy", "happy"),  # "happi" begins no word: the whole body is read
        ("rude OR nurse", "nurse"),
    ],
)
def test_a_long_storys_snippet_finds_words_far_into_it(
    outpatients: Organisation, q: str, word: str
) -> None:
    """A body longer than the headline's window is read from just before the first of
    the query's words, wherever it is; where none is found as written, all of it."""
    filler = "We waited a long time for the porter. " * 100
    body = filler + f"Then the {word} was kind. " + filler
    assert len(body) > 2 * HEADLINE_WINDOW
    StoryFactory(services=[outpatients], title="Long", body=body)
    (story,) = story_search(StoryFilters(q=q, order="relevance"))
    assert f"<mark>{word}</mark>" in story.headline
    assert story.headline.startswith("… ")
    assert story.headline.endswith(" …")


def test_a_searched_cards_top_is_kept_and_its_passages_read_for_each_search(
    outpatients: Organisation, settings: Any
) -> None:
    """Above its text a searched card shows what the story's page shows, kept under the
    story's version like an unsearched card; the passages differ by search, so each search
    reads them (the bodies alone, one query) and marks its own words."""
    settings.PAGE_CACHE_SECONDS = 0  # the whole page is rendered each time
    story = StoryFactory(
        services=[outpatients], title="Night shift", body="The nurse was kind to my mother."
    )

    def searched(q: str) -> tuple[list[str], str]:
        with CaptureQueriesContext(connection) as queries:
            html = get("/stories/", q=q).content.decode()
        reads = [q["sql"] for q in queries.captured_queries if 'FROM "stories_story"' in q["sql"]]
        # The planner's estimate of the matches is asked of the search, not read.
        shown = [sql for sql in reads if not sql.startswith("EXPLAIN")]
        return [sql for sql in shown if '"stories_story"."body"' in sql], html

    first, html = searched("nurse")
    assert len(first) == 2  # the card's top with its progress, then the passages
    assert "<mark>nurse</mark> was kind" in html
    kept, html = searched("kind")
    assert len(kept) == 1  # the top kept: the passages alone are read
    assert "ts_headline" in kept[0]
    assert "was <mark>kind</mark> to my mother" in html
    assert "<mark>nurse</mark>" not in html
    assert "Night shift" in html
    assert "About Northfield Outpatients" in html
    story.title = "Night shift on ward 4"
    story.save()
    again, html = searched("kind")
    assert len(again) == 2  # the story changed: its top is written again
    assert "Night shift on ward 4" in html


def test_a_changed_story_is_found_by_its_new_words(outpatients: Organisation) -> None:
    story = StoryFactory(services=[outpatients], title="Edited", body="The porter was cheerful.")
    assert found(q="porter") == ["Edited"]
    story.body = "The physiotherapist was cheerful."
    story.save()
    # PostgreSQL keeps the stored words in step with the text on every write.
    assert found(q="porter") == []
    assert found(q="physiotherapist") == ["Edited"]


def test_both_ways_of_reading_the_matches_give_the_same_stories(
    outpatients: Organisation, settings: Any
) -> None:
    now = timezone.now()
    for i in range(40):
        StoryFactory(
            services=[outpatients],
            title=f"Story {i}",
            body="The nurse was kind." if i % 2 else "The porter was kind.",
            published_at=now - dt.timedelta(hours=i),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE stories_story")  # so the planner knows the numbers

    def read(limit: int) -> tuple[list[int], str]:
        settings.STORY_SEARCH_LIMIT = limit
        with CaptureQueriesContext(connection) as ctx:
            ids = search_ids(StorySearchForm({"q": "nurse", "order": "newest"}).filters())
        return ids, " ".join(q["sql"] for q in ctx.captured_queries)

    # Few matches for the limit: all read through the indexes, then sorted…
    sorted_ids, sql = read(30)
    assert "NULLS LAST" in sql
    # …many: the newest-first index walked.
    walked_ids, sql = read(3)
    assert "NULLS LAST" not in sql
    assert walked_ids == sorted_ids[:4]
    expected = [
        s.pk for s in Story.objects.filter(body__contains="nurse").order_by("-published_at")
    ]
    assert sorted_ids == expected


@pytest.mark.parametrize("order", ["newest", "relevance"])
def test_the_site_and_the_selector_agree_on_the_order(
    outpatients: Organisation, order: str
) -> None:
    now = timezone.now()
    for i in range(6):
        StoryFactory(
            services=[outpatients],
            title="Nurse" if i % 3 == 0 else f"Story {i}",
            body="A nurse " + "and another nurse " * (i % 2),
            published_at=now - dt.timedelta(hours=i),
        )
    filters = StorySearchForm({"q": "nurse", "order": order}).filters()
    assert search_ids(filters) == [s.pk for s in story_search(filters)]


# --- what is searched -------------------------------------------------------------------
def test_private_fields_are_never_searched(outpatients: Organisation) -> None:
    story = StoryFactory(
        services=[outpatients],
        title="Public",
        body="What the public may read.",
        author_email="zebedee@home.example",
        moderator_note="Mentions the xylophone incident",
        rejection_note="quokka",
        pseudonym="Wombat",
    )
    StoryRevision.objects.create(story=story, number=0, title="Original", body="Flamingo ward")
    for word in ("zebedee", "xylophone", "quokka", "flamingo", "original"):
        assert found(q=word) == [], word
    assert found(q="public") == ["Public"]


@pytest.mark.parametrize("status", [s for s in StoryStatus.values if s != "published"])
def test_stories_not_published_are_never_found(outpatients: Organisation, status: str) -> None:
    StoryFactory(
        services=[outpatients],
        title="Hidden hedgehog",
        body="A hedgehog in the garden of the hospital.",
        status=status,
        **{
            "published_at": timezone.now() if status == StoryStatus.WITHDRAWN else None,
            **status_fields(status, outpatients),
        },
    )
    assert found(q="hedgehog") == []
    assert found() == []
    assert "Hidden hedgehog" not in get("/stories/", q="hedgehog").content.decode()


# --- filters ----------------------------------------------------------------------------
def test_organisation_takes_its_whole_subtree_by_slug_or_ods_code(
    org: Organisation, outpatients: Organisation, ward: Organisation, elsewhere: Organisation
) -> None:
    StoryFactory(services=[outpatients], title="Outpatients")
    StoryFactory(services=[ward], title="Ward")
    StoryFactory(services=[elsewhere], title="Southgate")
    assert sorted(found(organisation=org.slug)) == ["Outpatients", "Ward"]
    assert sorted(found(organisation="rnf")) == ["Outpatients", "Ward"]
    assert found(organisation="RSG") == ["Southgate"]
    assert found(organisation=ward.slug) == ["Ward"]


def test_service_takes_stories_naming_that_node_exactly(
    org: Organisation, outpatients: Organisation, ward: Organisation, elsewhere: Organisation
) -> None:
    StoryFactory(services=[outpatients], title="Outpatients")
    StoryFactory(services=[ward, outpatients], title="Both")
    StoryFactory(services=[elsewhere], title="Southgate")
    assert sorted(found(service=ward.slug)) == ["Both"]
    assert sorted(found(service=outpatients.slug)) == ["Both", "Outpatients"]
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    assert found(service=site.slug) == []  # nothing names the site itself
    assert sorted(found(organisation="RNF", service=ward.slug)) == ["Both"]


def test_tag_author_role_and_progress_filter(outpatients: Organisation, staff: User) -> None:
    tag = Tag.objects.get(slug="food-and-drink")
    fed = StoryFactory(services=[outpatients], title="Fed", author_role="patient")
    StoryTag.objects.create(story=fed, tag=tag, polarity="good")
    read = StoryFactory(services=[outpatients], title="Read", author_role="carer")
    StaffRead.objects.create(story=read, user=staff)
    answered = StoryFactory(services=[outpatients], title="Answered", author_role="carer")
    respond(answered, staff)
    assert found(tag="food-and-drink") == ["Fed"]
    assert sorted(found(author_role="carer")) == ["Answered", "Read"]
    assert found(progress="not_read") == ["Fed"]
    assert found(progress="read") == ["Read"]
    assert found(progress="responded") == ["Answered"]
    assert found(progress="change_made") == []
    assert found(author_role="carer", progress="read") == ["Read"]


def test_responded_counts_published_staff_responses_only(
    outpatients: Organisation, staff: User
) -> None:
    answered = StoryFactory(services=[outpatients], title="Answered")
    respond(answered, staff)
    held = StoryFactory(services=[outpatients], title="Held")
    respond(held, staff, status=ResponseStatus.AWAITING_MODERATION)
    withdrawn = StoryFactory(services=[outpatients], title="Withdrawn")
    respond(withdrawn, staff, status=ResponseStatus.WITHDRAWN)
    StoryFactory(services=[outpatients], title="Quiet")
    assert found(responded="yes") == ["Answered"]
    assert sorted(found(responded="no")) == ["Held", "Quiet", "Withdrawn"]
    assert len(found(responded="")) == 4


def test_dates_are_whole_days_in_the_sites_time_zone(outpatients: Organisation) -> None:
    def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(2025, 7, day, hour, minute, tzinfo=LONDON)

    StoryFactory(services=[outpatients], title="Early on the 1st", published_at=at(1, 0, 10))
    StoryFactory(services=[outpatients], title="Late on the 2nd", published_at=at(2, 23, 50))
    StoryFactory(services=[outpatients], title="The 3rd", published_at=at(3, 0, 5))
    # 23:50 in London is 22:50 UTC: still the 2nd here.
    assert found(date_from="2025-07-02", date_to="2025-07-02") == ["Late on the 2nd"]
    assert found(date_from="2025-07-01", date_to="2025-07-02") == [
        "Late on the 2nd",
        "Early on the 1st",
    ]
    assert found(date_from="2025-07-03") == ["The 3rd"]
    assert found(date_to="2025-07-01") == ["Early on the 1st"]


def test_dates_typed_as_day_month_year_boxes(outpatients: Organisation) -> None:
    def at(day: int) -> dt.datetime:
        return dt.datetime(2025, 7, day, 12, tzinfo=LONDON)

    for day in (1, 2, 3):
        StoryFactory(services=[outpatients], title=f"Day {day}", published_at=at(day))
    boxes = {"date_from_day": "2", "date_from_month": "7", "date_from_year": "2025"}
    assert found(**boxes) == ["Day 3", "Day 2"]
    assert found(**boxes, date_to_day="02", date_to_month="07", date_to_year="2025") == ["Day 2"]
    # The boxes win over an ISO date of the same name (an old link edited on the page).
    assert found(**boxes, date_from="2025-07-03") == ["Day 3", "Day 2"]
    # Empty boxes filter nothing.
    assert len(found(date_from_day="", date_from_month="", date_from_year="")) == 3


def test_an_iso_date_fills_the_boxes(org: Organisation) -> None:
    html = get("/stories/", date_from="2025-03-27").content.decode()
    assert 'name="date_from_day" value="27"' in html
    assert 'name="date_from_month" value="3"' in html
    assert 'name="date_from_year" value="2025"' in html
    assert 'name="date_to_day" inputmode="numeric"' in html  # empty


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (("", "3", "2026"), "Published from must include a day."),
        (("27", "", "2026"), "Published from must include a month."),
        (("27", "3", ""), "Published from must include a year."),
        (("31", "2", "2026"), "Published from must be a real date, for example, 27 3 2026."),
        (("27", "13", "2026"), "Published from must be a real date, for example, 27 3 2026."),
        (("2x", "3", "2026"), "Published from must be a real date in numbers"),
        (("-1", "3", "2026"), "Published from must be a real date in numbers"),
        (("27", "3", "9999"), "The year must be between 1900 and 2100."),
        (("27", "3", "1899"), "The year must be between 1900 and 2100."),
        (("27", "3", "20261"), "Published from must be a real date in numbers"),
        (("27", "3", "\x00"), "Published from must be a real date in numbers"),
    ],
)
def test_a_bad_date_in_the_boxes_is_an_error_beside_the_date(
    org: Organisation, boxes: tuple[str, str, str], message: str
) -> None:
    day, month, year = boxes
    params = {"date_from_day": day, "date_from_month": month, "date_from_year": year}
    problems = errors(**params)
    assert list(problems) == ["date_from"]
    assert problems["date_from"][0].startswith(message)
    page = get("/stories/", **params)
    if "\x00" in year:
        # A NUL byte never reaches the form on the site: the input middleware refuses it.
        assert page.status_code == 400
        return
    assert page.status_code == 200
    html = page.content.decode()
    box = re.search(r'<div id="id_date_from_error">(.*?)</div>', html, re.S)
    assert box is not None
    assert message in box.group(1)
    assert 'aria-describedby="id_date_from_helptext id_date_from_error"' in html
    assert html.count('aria-invalid="true"') == 3  # each box
    assert f'name="date_from_day" value="{day}"' in html or not day  # kept as typed


def test_filters_combine(
    org: Organisation, outpatients: Organisation, ward: Organisation, staff: User
) -> None:
    now = timezone.now()
    wanted = StoryFactory(
        services=[ward], title="Wanted", body="The nurses were kind.", author_role="parent"
    )
    respond(wanted, staff)
    StoryTag.objects.create(
        story=wanted, tag=Tag.objects.get(slug="felt-reassured"), polarity="positive"
    )
    near_misses = [
        StoryFactory(services=[ward], title="No response", body="The nurses were kind."),
        StoryFactory(services=[outpatients], title="Other service", body="The nurses were kind."),
        StoryFactory(services=[ward], title="Other words", body="The porters were kind."),
        StoryFactory(
            services=[ward],
            title="Too old",
            body="The nurses were kind.",
            published_at=now - dt.timedelta(days=400),
        ),
    ]
    for story in near_misses[1:]:
        respond(story, staff)
    params = {
        "q": "nurse",
        "organisation": org.slug,
        "service": ward.slug,
        "responded": "yes",
        "date_from": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
    }
    assert found(**params) == ["Wanted"]
    assert found(**params, tag="felt-reassured", author_role="parent") == ["Wanted"]
    assert found(**params, author_role="patient") == []
    assert found(**params, progress="responded") == ["Wanted"]


# --- bad input --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"organisation": "no-such-trust"}, "organisation", "No organisation is known by"),
        ({"service": "XYZ99"}, "service", "No service is known by"),
        ({"tag": "no-such-topic"}, "tag", "There is no topic"),
        ({"author_role": "king"}, "author_role", "Choose who told the story"),
        ({"responded": "maybe"}, "responded", "Choose"),
        ({"progress": "nonsense"}, "progress", "Choose a step"),
        ({"order": "oldest"}, "order", "newest"),
        ({"date_from": "yesterday"}, "date_from", "Enter a valid date"),
        ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "date_to", "after the"),
        ({"date_to": "9999-12-31"}, "date_to", "between 1900 and 2100"),
        ({"date_from": "0001-01-01"}, "date_from", "between 1900 and 2100"),
        ({"q": "n" * 201}, "q", "at most 200 characters"),
        ({"q": "the and of"}, "q", "too common"),
        ({"q": "!!! ---"}, "q", "too common"),
    ],
)
def test_bad_input_is_an_error_beside_its_field(
    org: Organisation, params: dict[str, str], field: str, message: str
) -> None:
    problems = errors(**params)
    assert list(problems) == [field]
    assert message in problems[field][0]
    page = get("/stories/", **params)
    assert page.status_code == 200
    html = page.content.decode()
    box = re.search(rf'<div id="id_{field}_error">(.*?)</div>', html, re.S)
    assert box is not None
    assert message.replace('"', "&quot;") in box.group(1)
    assert f'aria-describedby="id_{field}_error"' in html or f'id_{field}_error"' in html
    assert "Correct the search above to see stories." in html


def test_a_service_outside_the_organisation_is_an_error(
    org: Organisation, elsewhere: Organisation
) -> None:
    problems = errors(organisation=org.slug, service=elsewhere.slug)
    assert problems["service"] == [
        "Southgate Outpatients is not part of Northfield. Choose one of its services, "
        "or any service."
    ]


def test_the_form_gives_no_filters_when_not_valid(org: Organisation) -> None:
    form = StorySearchForm({"date_from": "never"})
    with pytest.raises(ValueError, match="not valid"):
        form.filters()


# --- the page ---------------------------------------------------------------------------
def test_the_page_shows_the_count_order_and_choices(
    org: Organisation, other_org: Organisation, outpatients: Organisation, ward: Organisation
) -> None:
    for i in range(3):
        StoryFactory(services=[ward], title=f"Ward {i}", body="The nurse was kind.")
    page = get("/stories/", q="nurse", organisation="RNF")
    html = page.content.decode()
    assert "<strong>3 stories</strong> match “nurse”, most relevant first." in html
    # The organisation named by its ODS code shows chosen, and its services are offered.
    assert f'<option value="{org.slug}" selected>Northfield</option>' in html
    assert f'<option value="{ward.slug}">Ward 7 (Northfield Hospital)</option>' in html
    assert "Southgate" in html  # another trust to choose
    one = get("/stories/", q="nurse", order="newest", service=ward.slug).content.decode()
    assert "match “nurse”, newest first." in one
    assert "<strong>0 stories</strong>" in get("/stories/", q="parking").content.decode()


def test_the_count_stops_at_the_limit(outpatients: Organisation, settings: Any) -> None:
    settings.STORY_SEARCH_LIMIT = 4
    settings.STORIES_PAGE_SIZE = 2
    now = timezone.now()
    for i in range(6):
        StoryFactory(
            services=[outpatients],
            title=f"Nurse {i}",
            body="A nurse " + "nurse " * i,
            published_at=now - dt.timedelta(hours=i),
        )
    form = StorySearchForm({"q": "nurse"})
    filters = form.filters()
    assert search_count(filters) == 5  # the limit and one more: "more than 4"
    # Most relevant first ranks the newest four only; their order is by rank.
    assert [s.title for s in story_search(filters)] == ["Nurse 3", "Nurse 2", "Nurse 1", "Nurse 0"]
    html = get("/stories/", q="nurse").content.decode()
    assert "<strong>More than 4 stories</strong> match “nurse”" in html
    assert "Only the first 4 are listed" in html
    assert "Page 1 of 2" in html
    # A page beyond the limit shows the last page there is.
    assert "Page 2 of 2" in get("/stories/", q="nurse", page="9").content.decode()


def test_page_links_keep_every_parameter(outpatients: Organisation, settings: Any) -> None:
    settings.STORIES_PAGE_SIZE = 1
    for i in range(3):
        StoryFactory(services=[outpatients], title=f"Nurse {i}", body="A kind nurse.")
    html = get(
        "/stories/", q="nurse", organisation="RNF", responded="", order="newest", page="2"
    ).content.decode()
    assert 'href="?q=nurse&amp;organisation=RNF&amp;order=newest&amp;page=3"' in html
    assert 'href="?q=nurse&amp;organisation=RNF&amp;order=newest&amp;page=1"' in html


def test_htmx_gets_the_results_and_the_parts_of_the_form_that_follow(
    org: Organisation, outpatients: Organisation
) -> None:
    StoryFactory(services=[outpatients], title="Kind nurse", body="The nurse was kind.")
    headers = {"HX-Request": "true"}
    page = Client().get("/stories/", {"q": "nurse", "organisation": org.slug}, headers=headers)
    html = page.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<h1>" not in html
    assert "Kind nurse" in html
    assert '<div id="id_q_error" hx-swap-oob="true"></div>' in html
    assert 'id="search-service" hx-swap-oob="true"' in html
    assert outpatients.slug in html  # the organisation's services, to choose from
    assert "HX-Request" in page["Vary"]
    bad = Client().get(
        "/stories/", {"date_from": "2025-02-02", "date_to": "2025-01-01"}, headers=headers
    )
    assert bad.status_code == 200
    assert re.search(
        r'<div id="id_date_to_error" hx-swap-oob="true"><p class="error-message">',
        bad.content.decode(),
    )
    # Going back to a page htmx no longer holds asks for the whole page.
    restored = Client().get(
        "/stories/", {"q": "nurse"}, headers={**headers, "HX-History-Restore-Request": "true"}
    )
    assert "<h1>Stories</h1>" in restored.content.decode()


def test_the_form_works_without_javascript(org: Organisation) -> None:
    html = get("/stories/").content.decode()
    form = re.search(r'<form method="get" action="/stories/"[^>]*>', html)
    assert form is not None
    assert 'hx-push-url="true"' in form.group(0)
    assert '<button type="submit">Search</button>' in html
    for label in (
        "Words to search for",
        "Organisation",
        "Service",
        "About",
        "Told by",
        "Response",
        "Progress",
        "Sort",
    ):
        assert f">{label}</label>" in html, label
    # Dates are three boxes in a fieldset named by its legend.
    for legend in ("Published from", "Published to"):
        assert f"<legend>{legend}</legend>" in html, legend
    for box in ("Day", "Month", "Year"):
        assert html.count(f">{box}</label>") == 2, box


# --- organisation pages ---------------------------------------------------------------
def test_organisation_pages_search_their_own_subtree(
    org: Organisation,
    outpatients: Organisation,
    ward: Organisation,
    elsewhere: Organisation,
    staff: User,
) -> None:
    answered = StoryFactory(services=[ward], title="Ward nurse", body="The nurse was kind.")
    respond(answered, staff)
    StoryFactory(services=[outpatients], title="Clinic nurse", body="The nurse was quick.")
    StoryFactory(services=[elsewhere], title="Southgate nurse", body="The nurse was kind.")
    page = get(org.get_absolute_url(), q="nurse")
    html = page.content.decode()
    assert "Ward nurse" in html
    assert "Clinic nurse" in html
    assert "Southgate nurse" not in html
    assert 'name="organisation"' not in html  # fixed: the page's own
    assert 'action="/organisations/northfield/#stories"' in html
    assert 'hx-select="#stories-results"' in html
    narrowed = get(org.get_absolute_url(), q="nurse", responded="yes").content.decode()
    assert "Ward nurse" in narrowed
    assert "Clinic nurse" not in narrowed
    by_service = get(org.get_absolute_url(), service=outpatients.slug).content.decode()
    assert "Clinic nurse" in by_service
    assert "Ward nurse" not in by_service
    # The other page's trust cannot be searched from here.
    wrong = get(org.get_absolute_url(), service=elsewhere.slug)
    assert wrong.status_code == 200
    assert "is not part of Northfield" in wrong.content.decode()
    # A day whose next day cannot be computed is an error beside its field, not a 500.
    far = get(org.get_absolute_url(), date_to="9999-12-31")
    assert far.status_code == 200
    assert "Enter a date between 1900 and 2100." in far.content.decode()


def test_organisation_pages_keep_the_exact_count_without_a_search(
    org: Organisation, outpatients: Organisation, settings: Any
) -> None:
    settings.STORY_SEARCH_LIMIT = 2
    for i in range(4):
        StoryFactory(services=[outpatients], title=f"Story {i}", body="The nurse was kind.")
    plain = get(org.get_absolute_url()).content.decode()
    assert '<h2 id="stories-heading">Stories (4)</h2>' in plain
    searched = get(org.get_absolute_url(), q="nurse").content.decode()
    assert "<strong>More than 2 stories</strong> match “nurse”" in searched


def test_organisation_page_links_keep_the_search_and_the_other_sections(
    org: Organisation, outpatients: Organisation, settings: Any
) -> None:
    settings.STORIES_PAGE_SIZE = 1
    for i in range(3):
        StoryFactory(services=[outpatients], title=f"Story {i}", body="The nurse was kind.")
    html = get(org.get_absolute_url(), q="nurse", page="1", stories="2").content.decode()
    assert 'href="?q=nurse&amp;page=1&amp;stories=3#stories"' in html


def test_a_single_service_page_offers_no_service_choice(outpatients: Organisation) -> None:
    StoryFactory(services=[outpatients], title="Clinic", body="The nurse was quick.")
    html = get(outpatients.get_absolute_url(), q="nurse").content.decode()
    assert "Clinic" in html
    assert 'name="service"' not in html


# --- budgets ----------------------------------------------------------------------------
def _many(services: list[Organisation], n: int) -> None:
    stories = Story.objects.bulk_create(
        StoryFactory.build(title=f"Bulk {i}", body=f"The nurse number {i} was kind.")
        for i in range(n)
    )
    Story.services.through.objects.bulk_create(
        Story.services.through(story=s, organisation=services[i % len(services)])
        for i, s in enumerate(stories)
    )


def test_searches_keep_their_query_budgets(
    org: Organisation, outpatients: Organisation, ward: Organisation
) -> None:
    pages = {
        # the words' check, the planner's estimates (two: matches and published stories,
        # to choose how to read them), the ids (and count) in a transaction of their own
        # (three statements more: begin, the setting for serial plans, commit), the page's
        # passages (each card's top kept per story, written the first time with its
        # services); the trusts and the topics to choose from
        "search": ("/stories/?q=nurse&responded=no&order=newest", 11),
        # + the organisation, its subtree (for the filter and its services to choose
        # from), the ranks
        "search, most relevant, in a trust": (
            f"/stories/?q=kind+nurse&organisation={org.slug}",
            14,
        ),
        # the organisation page's own (8) and the search's, less the trusts to choose from
        "organisation page with a search": (f"{org.get_absolute_url()}?q=nurse", 20),
    }
    budgets = {name: QueryBudget(name, limit=limit) for name, (_, limit) in pages.items()}
    _many([outpatients, ward], 10)
    for name, (url, _) in pages.items():
        budgets[name].measure(10, lambda url=url: Client().get(url))
    _many([outpatients, ward], 990)
    for name, (url, _) in pages.items():
        budgets[name].measure(1000, lambda url=url: Client().get(url))
    for budget in budgets.values():
        budget.assert_flat()


def test_the_search_url_is_public(org: Organisation) -> None:
    assert reverse("stories:list") == "/stories/"


def _ids_query(filters: StoryFilters) -> str:
    """The SQL that read the ids of `search_ids`, in the order it asked for."""
    with CaptureQueriesContext(connection) as ctx:
        search_ids(filters)
    return next(q["sql"] for q in ctx.captured_queries if 'AS "pk" FROM' in q["sql"])


def test_search_reads_every_match_only_when_an_index_can_give_them(
    org: Organisation, outpatients: Organisation
) -> None:
    """Sorting every match (the order no index gives) is asked for only when a filter with
    an index of its own leads; who told the story, dates and "has a response" are tested
    on each story, so with them alone the newest-first walk must stay open (reading every
    relative's story in a big trust read most of the table: 460 ms at a million)."""
    for n in range(3):
        StoryFactory(title=f"Kind nurse {n}", body="The nurse was kind to my mother.").services.add(
            outpatients
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE stories_story")  # the estimates the choice is made from
    by_words = StoryFilters(q="nurse")
    by_role = StoryFilters(author_role="relative", responded=False)
    by_role_in_org = StoryFilters(organisation=org, author_role="relative")
    # A handful of stories: few expected matches, so reading them all is cheaper.
    assert "NULLS LAST" in _ids_query(by_words)
    assert "NULLS LAST" in _ids_query(by_role_in_org)  # led by the organisation's links
    # Nothing with an index of its own: always the walk, whatever the estimate.
    assert "NULLS LAST" not in _ids_query(by_role)
    assert search_ids(by_words) == search_ids(StoryFilters(q="nurse", order=NEWEST))


def test_the_planners_estimate_is_kept_until_the_stories_change(
    org: Organisation, outpatients: Organisation, elsewhere: Organisation
) -> None:
    """The estimate that chooses how to read a filtered search is asked of the planner once
    and kept for everyone until a published story changes."""
    StoryFactory(title="Kind nurse", body="The nurse was kind.").services.add(outpatients)
    filters = StoryFilters(q="nurse", organisation=org)

    def explained() -> int:
        with CaptureQueriesContext(connection) as ctx:
            found = search_ids(filters)
        assert len(found) == 1
        return sum(q["sql"].startswith("EXPLAIN") for q in ctx.captured_queries)

    assert explained() == 1
    assert explained() == 0  # kept
    StoryFactory(title="Another nurse", body="A nurse again.").services.add(elsewhere)
    assert explained() == 1  # a story published: asked again


def test_the_folded_filters_say_which_are_in_use(org: Organisation, ward: Organisation) -> None:
    html = get(
        "/stories/", q="nurse", service=ward.slug, responded="yes", date_from="2025-01-02"
    ).content.decode()
    assert '<details class="search-filters">' in html  # folded on a phone (CSS opens it wide)
    active = re.search(r'id="search-filters-active">(.*?)</span>', html)
    assert active is not None
    assert active.group(1) == f"In use: {ward.name}, Has a response, From 2 January 2025"
    # An htmx search replaces the list out of band.
    headers = {"HX-Request": "true", "HX-Target": "results"}
    swapped = Client().get("/stories/", {"responded": "no"}, headers=headers).content.decode()
    assert (
        '<span class="search-filters-active" id="search-filters-active" hx-swap-oob="true">'
        "In use: No response yet</span>"
    ) in swapped


def test_the_filters_start_open_when_one_has_an_error(org: Organisation) -> None:
    html = get("/stories/", date_to_day="31", date_to_month="2", date_to_year="2026").content
    assert '<details class="search-filters" open data-errors>' in html.decode()
    words = get("/stories/", q="the and").content.decode()
    assert '<details class="search-filters">' in words  # the words' error is outside
