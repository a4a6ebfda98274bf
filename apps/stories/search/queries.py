"""The search's queries: what matches a `StoryFilters`, in which order, counted how far.

Every read is bounded by settings.STORY_SEARCH_LIMIT whatever the number of stories;
see the package's docstring.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import (
    SearchConfig,
    SearchQuery,
    SearchRank,
)
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Case, F, Func, IntegerField, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest, Length, Replace, Substr
from django.db.models.lookups import IsNull, LessThanOrEqual
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from apps.core import extensions, pagecache
from apps.organisations.models import Organisation
from apps.stories.selectors import services_named

from ..models import HEADLINE_GAP, Story, StoryService, StoryStatus, StoryTag, Tag
from ..selectors import at_progress, with_progress
from ..taxonomy import StoryLanguage

NEWEST = "newest"
RELEVANCE = "relevance"
# What ts_headline shows: up to two passages of the body around the matched words.
HEADLINE_OPTIONS = (
    "StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15, ShortWord=3, "
    f'MaxFragments=2, FragmentDelimiter="{HEADLINE_GAP}"'
)


@dataclass(frozen=True)
class StoryFilters:
    """What to look for. Empty values filter nothing.

    q: websearch words (quotes for a phrase, `or`, `-word`); organisation: a node whose
    whole subtree counts; service: stories naming exactly this node (inside the
    organisation when both are given: the form checks it); tag; author_role (an
    AuthorRole value); date_from/date_to: published on those days, inclusive, in the
    site's time zone; responded: True (has a published response), False (has none) or
    None; progress: a Progress value; order: NEWEST or RELEVANCE (already resolved: never
    RELEVANCE without q)."""

    q: str = ""
    organisation: Organisation | None = None
    service: Organisation | None = None
    tag: Tag | None = None
    author_role: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    responded: bool | None = None
    progress: str = ""
    order: str = NEWEST

    @property
    def is_filtered(self) -> bool:
        """Whether anything beyond the organisation narrows the list."""
        return any(
            (
                self.q,
                self.service,
                self.tag,
                self.author_role,
                self.date_from,
                self.date_to,
                self.responded is not None,
                self.progress,
            )
        )


def _escaped(text: Any) -> Func:
    """The text with &, < and > escaped, so what ts_headline returns is safe HTML whose
    only markup is the <mark> it adds. PostgreSQL's parser reads the escapes as entities,
    never as words, so the same words match."""
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = Replace(text, Value(raw), Value(entity))
    return text


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def subtree_nodes(organisation: Organisation) -> list[Organisation]:
    """The organisation and every node beneath it, in path order: one query, kept on the
    instance for the rest of the request (the filter and the service list both need it)."""
    nodes = organisation.__dict__.get("_search_subtree")
    if nodes is None:
        nodes = list(
            Organisation.objects.filter(path__startswith=organisation.path).order_by("path")
        )
        organisation.__dict__["_search_subtree"] = nodes
    return nodes


def _matching(filters: StoryFilters) -> QuerySet[Story]:
    """Published stories meeting every filter, unordered and without annotations.

    Each filter is a plain condition on the story or a semi-join by its id, so the
    database may walk the newest-first index and test each story, or start from the
    fewest rows (a tag, a service, a rare step) when those are fewer."""
    stories = Story.objects.filter(status=StoryStatus.PUBLISHED)
    if filters.q:
        stories = stories.filter(search_vector=_query(filters.q))
    stories = _in_place(stories, filters)
    stories = _told(stories, filters)
    return _come_so_far(stories, filters)


def search_matching(filters: StoryFilters) -> QuerySet[Story]:
    """Every published story meeting `filters`, unordered, unannotated and unbounded: for
    aggregates over a search (insight's charts count them in the database; never read
    the rows of a big one)."""
    return _matching(filters)


def _in_place(stories: QuerySet[Story], filters: StoryFilters) -> QuerySet[Story]:
    """The service, or the organisation's subtree, and the tag."""
    tagged = (
        StoryTag.objects.filter(tag=filters.tag).values("story_id")
        if filters.tag is not None
        else None
    )
    if filters.service is not None:
        # The form keeps the service inside the organisation, so the service alone says it.
        exact = StoryService.objects.filter(organisation=filters.service)
        stories = stories.filter(pk__in=exact.values("story_id"))
    elif filters.organisation is not None:
        # By the nodes' ids, so each story's links are checked in their own index rather
        # than joined to the tree one by one.
        nodes = [org.pk for org in subtree_nodes(filters.organisation)]
        under = StoryService.objects.filter(organisation_id__in=nodes)
        if tagged is not None:
            # The tag inside: the subtree's links meet the tag's stories before they are
            # made distinct, a few thousand rows rather than a big trust's 80,000 (the
            # search at a million stories: 53 → 27 ms).
            under = under.filter(story_id__in=tagged)
            tagged = None
        stories = stories.filter(pk__in=under.values("story_id"))
    if tagged is not None:
        stories = stories.filter(pk__in=tagged)
    return stories


def _told(stories: QuerySet[Story], filters: StoryFilters) -> QuerySet[Story]:
    """Who told the story, and on which days it was published."""
    if filters.author_role:
        stories = stories.filter(author_role=filters.author_role)
    if filters.date_from:
        stories = stories.filter(published_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        stories = stories.filter(
            published_at__lt=_day_start(filters.date_to + dt.timedelta(days=1))
        )
    return stories


def _come_so_far(stories: QuerySet[Story], filters: StoryFilters) -> QuerySet[Story]:
    """Whether it has a response, and its progress: conditions from the apps registered
    for them (apps.core.extensions), nothing filtered when none is."""
    responded = extensions.story_responded.get()
    if filters.responded is not None and responded is not None:
        stories = stories.filter(responded() if filters.responded else ~responded())
    if filters.progress:
        condition = at_progress(filters.progress)
        if condition is not None:
            stories = stories.filter(condition)
    return stories


def _estimated_rows(sql: str, params: Any) -> float:
    """How many rows the planner expects the query to give (EXPLAIN: planned, not run)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        row = cursor.fetchone()
    plan = row[0] if row else None
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"]) if plan else 0.0


def _published_estimate() -> float:
    """About how many stories are published: the row count PostgreSQL keeps for the
    published-newest index (up to date after each analyse), not a count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = 'story_published_newest'::regclass"
        )
        row = cursor.fetchone()
    return max(float(row[0]) if row else 0.0, 0.0)


def _newest_first(matching: QuerySet[Story], filters: StoryFilters) -> QuerySet[Story]:
    """The matches newest first, read the cheaper of two ways.

    Walking the newest-first index, testing each story, reads about limit × published /
    matches stories to find the newest `limit`; reading every match through the word and
    filter indexes, then sorting, reads `matches` stories. The planner tends to walk when
    matches are a few thousand, each test of the words being dearer than it reckons, so the
    walk is ruled out (by asking for an order that index cannot give) when the expected
    matches are fewer than the square root of limit × published.

    Only filters with an index of their own to start from count towards "expected":
    who told the story, the dates and "has a response" are tested on each story read, so
    with them alone (or with a big organisation) reading every match means reading most
    of the table (an organisation's relatives' stories took 460 ms that way, against a
    walk of a few milliseconds)."""
    if not (filters.is_filtered or filters.organisation):
        return matching.order_by("-published_at", "-pk")  # every published story
    led = replace(filters, author_role="", date_from=None, date_to=None, responded=None)
    if not (led.is_filtered or led.organisation):
        return matching.order_by("-published_at", "-pk")
    sql, params = _matching(led).query.sql_with_params()
    # Kept until the published stories change (planning the estimate took 1-3 ms of a
    # search in a big trust): it only chooses between two ways of reading, and public
    # stories are all it counts.
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    expected, published = pagecache.kept(
        f"search-estimate:{digest}",
        [pagecache.LIST],
        lambda: (_estimated_rows(sql, params), _published_estimate()),
    )
    if expected * expected < settings.STORY_SEARCH_LIMIT * published:
        # No published story lacks a date, so NULLS LAST changes nothing but the plan.
        return matching.order_by(F("published_at").desc(nulls_last=True), "-pk")
    return matching.order_by("-published_at", "-pk")


def _query(q: str) -> SearchQuery:
    """The words as English stems or as written: a story's words are English stems when
    it is in English and as written otherwise (Story._words), so each side finds its own
    ("nursing" finds an English story's "nurses"; "nyrsys" a Welsh story's "nyrsys")."""
    return SearchQuery(q, search_type="websearch", config="english") | SearchQuery(
        q, search_type="websearch", config="simple"
    )


def _rank(q: str) -> SearchRank:
    return SearchRank(F("search_vector"), _query(q))


def _config() -> Case:
    """The configuration a story's words were read with, to find them again in its body."""
    return Case(
        When(language=StoryLanguage.ENGLISH, then=SearchConfig("english")),
        default=SearchConfig("simple"),
    )


# ts_headline reads the whole text it is given, and reading was most of a search page's
# SQL: 20 ms for twenty stories of 7,600 characters. A longer body is given a window of
# HEADLINE_WINDOW characters from HEADLINE_LEAD before the first place one of the query's
# English stems appears (they begin the words they stem: "wait" for "waited"); where none
# appears (a Welsh story, a stem that is not a prefix), the whole body, as before.
HEADLINE_WINDOW = 1500
HEADLINE_LEAD = 300
_FIRST_HIT = """(
    SELECT min(NULLIF(strpos(lower("stories_story"."body"), stem), 0))
    FROM unnest(tsvector_to_array(to_tsvector('english', %s))) stem
)"""


def _headline_text(q: str) -> Case:
    # A constant statement; the words are a parameter.
    first = RawSQL(_FIRST_HIT, (q,), output_field=IntegerField())  # noqa: S611
    window = Substr(
        "body", Greatest(Value(1), first - Value(HEADLINE_LEAD)), Value(HEADLINE_WINDOW)
    )
    return Case(
        When(LessThanOrEqual(Length("body"), HEADLINE_WINDOW), then=F("body")),
        # (GREATEST passes over a NULL: none found is asked first.)
        When(IsNull(first, True), then=F("body")),
        default=window,
        output_field=TextField(),
    )


def _headline(q: str) -> Func:
    return Func(
        _config(),
        _escaped(_headline_text(q)),
        _query(q),
        Value(HEADLINE_OPTIONS),
        function="ts_headline",
        template="%(function)s(%(expressions)s)",
        output_field=TextField(),
    )


def _for_show(stories: QuerySet[Story], filters: StoryFilters) -> QuerySet[Story]:
    """What a list shows of each story: progress, services in order and, for a search,
    the highlighted headline."""
    if filters.q:
        stories = stories.annotate(search_headline=_headline(filters.q))
    return with_progress(stories).prefetch_related(
        services_named(),
    )


def story_search(filters: StoryFilters) -> QuerySet[Story]:
    """The published stories matching `filters`, ordered, with `progress`, their services
    (prefetched, in order) and, when `filters.q` is given, `rank` and `headline`.

    `headline` is safe HTML: passages of the body, escaped, with the matched words in
    <mark>…</mark>, and an ellipsis where it does not start or end the body (Story.headline,
    from the `search_headline` annotation). Newest first walks the published-newest index;
    most relevant first ranks only the newest settings.STORY_SEARCH_LIMIT matches (then
    newest first among equals). Slice it before reading (the headline is worked out for the
    rows read), and count with `search_count`. The same stories, in the same order, come
    from `search_ids` (which also counts) and `search_page` (one page, hydrated), which
    choose how the database reads the matches and so stay quick for words of middling
    frequency."""
    matching = _matching(filters)
    stories: QuerySet[Story]
    if filters.q and filters.order == RELEVANCE:
        newest = matching.order_by("-published_at", "-pk").values("pk")
        stories = (
            Story.objects.filter(pk__in=newest[: settings.STORY_SEARCH_LIMIT])
            .annotate(rank=_rank(filters.q))
            .order_by("-rank", "-published_at", "-pk")
        )
    else:
        stories = matching.order_by("-published_at", "-pk")
        if filters.q:
            stories = stories.annotate(rank=_rank(filters.q))
    return _for_show(stories, filters)


@contextmanager
def _serial_plans(filters: StoryFilters) -> Iterator[None]:
    """Plans without parallel workers for the block, when anything narrows the stories. A
    search reads a bounded number of rows; workers only help when the machine has idle
    cores, and under the load of many readers they made the same searches two to three
    times slower (measured at a million stories on two busy cores), and no faster on an
    idle one. SET LOCAL lasts until the transaction ends, no longer. The unfiltered list
    walks an index and never gets a parallel plan, so it skips the three statements."""
    if not (filters.is_filtered or filters.organisation):
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def search_count(filters: StoryFilters, *, cap: int | None = None) -> int:
    """How many stories match, counting no further than `cap` + 1 (by default
    settings.STORY_SEARCH_LIMIT): a result over the cap means "more than the cap"."""
    limit = settings.STORY_SEARCH_LIMIT if cap is None else cap
    capped = _matching(filters).order_by().values("pk")[: limit + 1]
    with _serial_plans(filters):
        return capped.count()


def search_all(filters: StoryFilters) -> QuerySet[Story]:
    """Every matching story, unbounded, in the order the search shows them: newest first,
    or (`order` relevance) best rank first, newest first among equals. For exports, which
    read it in chunks after counting it (`search_count(filters, cap=...)`). Up to
    settings.STORY_SEARCH_LIMIT matches, its ids are those of `search_ids`, in the same
    order; beyond, it goes on where the search's pages stop, and ranks every match rather
    than the newest `limit`. Unannotated but for `rank`."""
    matching = _matching(filters)
    if filters.q and filters.order == RELEVANCE:
        return matching.annotate(rank=_rank(filters.q)).order_by("-rank", "-published_at", "-pk")
    return matching.order_by("-published_at", "-pk")


def search_ids(filters: StoryFilters) -> list[int]:
    """The ids of the matching stories in the order shown, at most
    settings.STORY_SEARCH_LIMIT of them, and one more when there are more.

    The newest limit-and-one matches are read newest first (one query); for most relevant
    first the newest `limit` of them are then ranked (a second query), best first, newest
    first among equals."""
    limit = settings.STORY_SEARCH_LIMIT
    newest = _newest_first(_matching(filters), filters)
    with _serial_plans(filters):
        ids = list(newest.values_list("pk", flat=True)[: limit + 1])
    if not (filters.q and filters.order == RELEVANCE) or len(ids) < 2:
        return ids
    # Ranked once the newest are known, so only they are ranked (a second, small query).
    ranks = dict(
        Story.objects.filter(pk__in=ids[:limit])
        .annotate(rank=_rank(filters.q))
        .values_list("pk", "rank")
    )
    # Best first; sorted() is stable, so newest first among equals.
    return sorted(ids[:limit], key=lambda pk: -ranks.get(pk, 0.0)) + ids[limit:]


class StoryPaginator(Paginator):
    """Pages whose count comes from `found` (a cheaper query than counting the list), run
    when first needed. With a `limit`, pages reach no further than that many stories and
    `more` says whether there were more."""

    def __init__(
        self,
        stories: QuerySet[Story] | QuerySet[Story, int] | list[int],
        per_page: int,
        *,
        found: Callable[[], int],
        limit: int | None = None,
    ) -> None:
        super().__init__(stories, per_page)
        self._found = found
        self.limit = limit

    @cached_property
    def found(self) -> int:
        return self._found()

    @cached_property
    def count(self) -> int:
        return self.found if self.limit is None else min(self.found, self.limit)

    @property
    def more(self) -> bool:
        return self.limit is not None and self.found > self.limit


def search_page(filters: StoryFilters, number: Any, per_page: int | None = None) -> Page:
    """One page of the search, its stories as `story_search` gives them, in three queries
    whatever the number of matches: the ids in order (`search_ids`, which also counts, up to
    the limit), the page's stories with what they show, their services. A bad or too-large
    number gives the nearest page; `page.paginator.more` says there were more than the
    limit."""
    ids = search_ids(filters)
    limit = settings.STORY_SEARCH_LIMIT
    page = StoryPaginator(
        ids[:limit], per_page or settings.STORIES_PAGE_SIZE, found=lambda: len(ids), limit=limit
    ).get_page(number)
    return _with_stories(page, filters)


# Up to this many stories, an unsearched list of a subtree starts from the subtree's links
# (a few milliseconds for each thousand); above it, the subtree holds enough of all the
# stories for a walk of the newest-first index to meet twenty of them soon.
LINKS_FIRST_UP_TO = 10_000


def listed_page(filters: StoryFilters, number: Any, *, found: Callable[[], int]) -> Page:
    """One page of every published story `filters` allows (unsearched, newest first, no
    limit), counted by `found`, in three queries: the page's ids, walking the newest-first
    index; the page's stories with what they show; their services. Asked in one query,
    PostgreSQL planned the progress of all the matches (hashing every change's stories)
    before taking the first twenty: 13 of a big trust's 16 ms at a million stories."""
    count = found()
    newest: Any = F("published_at")
    if count <= LINKS_FIRST_UP_TO:
        # A smaller subtree's stories are read from its links and sorted: walking the
        # newest-first index, PostgreSQL expects the subtree's share of every story to be
        # spread evenly over time and stops early, but a node whose stories are older
        # than most (a ward since closed) was walked 729,000 stories deep (720 ms for a
        # service of 1,183 stories at a million). No index holds this expression.
        newest = F("published_at") + Value(dt.timedelta(0))
    ids = _matching(filters).order_by(newest.desc(), "-pk").values_list("pk", flat=True)
    page = StoryPaginator(ids, settings.STORIES_PAGE_SIZE, found=lambda: count).get_page(number)
    page.object_list = story_cards(list(page.object_list), filters)
    return page


@dataclass(frozen=True)
class Card:
    """A story's card in a list, already written: `_search_results.html` shows `html`."""

    pk: int
    html: SafeString


def story_cards(ids: list[int], filters: StoryFilters) -> list[Card]:
    """The cards of these stories, in order, each kept for its language under the story's
    own page version (`pagecache.kept_many`): a card shows nothing its story's page does
    not (its title, author, date, progress, services and text), so whatever ends the one
    ends the other. Only the stories whose card is missing are read (two queries) and
    their cards written; a list whose cards are all kept reads none.

    A search with words shows passages of each story's text around them, which differ by
    search: what is above the text is kept the same way, and the passages are read for the
    page's stories alone (one query) and written beside it."""
    language = get_language() or ""

    def write(template: str) -> Callable[[list[int]], dict[int, str]]:
        def written(missing: list[int]) -> dict[int, str]:
            # What is kept shows no passages: the stories as an unsearched list reads them.
            stories = _for_show(Story.objects.filter(pk__in=missing), replace(filters, q=""))
            return {s.pk: render_to_string(template, {"story": s}) for s in stories}

        return written

    versions = {pk: [pagecache.story(pk)] for pk in ids}
    if not filters.q:
        html = pagecache.kept_many(f"card:{language}", versions, write("stories/_card.html"))
    else:
        heads = pagecache.kept_many(
            f"card-head:{language}", versions, write("stories/_card_head.html")
        )
        found = (
            Story.objects.filter(pk__in=[pk for pk in ids if pk in heads])
            .annotate(search_headline=_headline(filters.q))
            .only("language", "body")
        )
        html = {
            s.pk: render_to_string(
                # Written by our own template, escaped as it writes every page.
                "stories/_card_found.html",
                {"head": mark_safe(heads[s.pk]), "story": s},  # noqa: S308
            )
            for s in found
        }
    # Written by our own template, escaped as it writes every page.
    return [Card(pk, mark_safe(html[pk])) for pk in ids if pk in html]  # noqa: S308


def _with_stories(page: Page, filters: StoryFilters) -> Page:
    """The page's ids replaced by their cards, in order (`story_cards`)."""
    page.object_list = story_cards(list(page.object_list), filters)
    return page


def search_query_string(params: QueryDict, *, page_name: str) -> str:
    """The request's parameters without the page number and empty values, for page links."""
    kept = QueryDict(mutable=True)
    for key, values in params.lists():
        if key != page_name:
            kept.setlist(key, [v for v in values if v])
    return kept.urlencode()
