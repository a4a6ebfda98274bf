"""The staff inbox: stories a member of staff may read as staff or answer.

Each read is a fixed number of queries whatever the number of grants, teams,
referrals or stories: the scope is one list of paths and one of the referred stories
(a query each), and the rest are single statements over the inbox's copies of the
links under those paths (`InboxLink`), one range of one index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, overload

from django.conf import settings
from django.db import connection, connections
from django.db.models import (
    BooleanField,
    Exists,
    OuterRef,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.timesince import timesince

from apps.accounts.http import AnyUser
from apps.core.replicas import read_alias
from apps.organisations.models import Organisation
from apps.responders.scope import (
    RESPOND,
    VIEW_STAFF_DATA,
    Node,
    Scope,
    path_range,
    scope_of,
    under_sql,
)
from apps.stories.models import (
    ANSWERABLE_STATUSES,
    STAFF_VISIBLE_STATUSES,
    Flag,
    Story,
)
from apps.stories.moderation import QUEUE_STATUSES
from apps.stories.selectors import services_named, services_of

from .models import (
    AuthorReply,
    AuthorReplyStatus,
    ConversationReport,
    Referral,
    Response,
    ResponseStatus,
    StaffRead,
)
from .permissions import REFERRALS, RESPOND_TO_STORY

# The inbox's orders: what needs doing first (the default), or newest first.
NEEDS_DOING = "needs"
NEWEST = "newest"


@dataclass(frozen=True)
class InboxFilters:
    unanswered: bool = False
    service: Node | None = None
    min_criticality: int | None = None
    referred: bool = False
    unread: bool = False
    sort: str = NEEDS_DOING


# A published story with no published response is overdue once its trust's target has
# passed: that many working days (Monday to Friday) after publication, on the local
# calendar, at the same local clock time, as alerts.services.add_working_days counts for
# the reminders; with services in several trusts, the shortest target. The days to add
# are worked out in closed form: a weekend start counts from the Friday before; from a
# weekday w (1-5), n working days are n calendar days plus a weekend for every Friday
# passed, 2 * ((w - 1 + n) / 5). The story table is the query's own ("stories_story").
_OVERDUE = """
COALESCE((
    SELECT ("stories_story"."published_at" AT TIME ZONE %s) + make_interval(days => CASE
               WHEN t.n = 0 THEN 0
               ELSE t.n + 2 * ((LEAST(t.w, 5) - 1 + t.n) / 5) - (t.w - LEAST(t.w, 5))
           END) <= (%s::timestamptz AT TIME ZONE %s)
    FROM (
        SELECT min(root.response_target_working_days)::int AS n,
               extract(isodow FROM "stories_story"."published_at" AT TIME ZONE %s)::int AS w
        FROM stories_storyservice ss
        JOIN organisations_organisation o ON o.id = ss.organisation_id
        JOIN organisations_organisation root ON root.path = substr(o.path, 1, %s)
        WHERE ss.story_id = "stories_story"."id"
    ) t
    WHERE t.n IS NOT NULL
), false)
"""


# The story's first published response, in place of `now` in _OVERDUE.
_FIRST_RESPONSE = """(
    SELECT min(r.published_at) FROM responses_response r
    WHERE r.story_id = "stories_story"."id" AND r.status = %s
)"""


def answered_within_target() -> RawSQL:
    """Whether the story (the query's own row, `stories_story`) had its first published
    response before its trust's response target passed: the deadline the inbox calls
    overdue, met by the first response (for the board report's headline)."""
    zone = settings.TIME_ZONE
    late = _OVERDUE.replace("%s::timestamptz", f"{_FIRST_RESPONSE}::timestamptz", 1)
    # Constant statements; the zone, the status and the step are parameters.
    return RawSQL(  # noqa: S611
        f"({_FIRST_RESPONSE} IS NOT NULL AND NOT {late})",
        (ResponseStatus.PUBLISHED.value, zone, ResponseStatus.PUBLISHED.value, zone, zone)
        + (Organisation.steplen,),
        output_field=BooleanField(),
    )


# The same deadline over the inbox's copy of a link (`InboxLink`), whose row carries the
# story's publication, first response and shortest target: no subquery, so a scope's
# thousands of stories are tested in a few milliseconds. `w` is the weekday published.
# Working out local weekdays and times is most of that cost, so it is done only near the
# deadline: n working days are at least n calendar days (for n > 0) and at most
# n + 2 * ((4 + n) / 5) <= 2n + 2, and local clock changes move the deadline by hours,
# so a story published less than n - 1 days ago is not overdue, and one published
# 2n + 4 days ago or more is; between the two, the exact test decides.
_L = '"responses_inboxlink"'
_WEEKDAY = f'extract(isodow FROM {_L}."published_at" AT TIME ZONE %s)::int'
_LINK_OVERDUE = f"""
COALESCE(CASE
    WHEN {_L}."answered_at" IS NOT NULL THEN false
    WHEN {_L}."published_at" > %s::timestamptz - make_interval(days => {_L}."target_days" - 1)
        THEN false
    WHEN {_L}."published_at"
        <= %s::timestamptz - make_interval(days => 2 * {_L}."target_days" + 4)
        THEN true
    ELSE ({_L}."published_at" AT TIME ZONE %s) + make_interval(days => CASE
        WHEN {_L}."target_days" = 0 THEN 0
        ELSE {_L}."target_days"
            + 2 * ((LEAST({_WEEKDAY}, 5) - 1 + {_L}."target_days") / 5)
            - ({_WEEKDAY} - LEAST({_WEEKDAY}, 5))
    END) <= (%s::timestamptz AT TIME ZONE %s)
END, false)
"""


def link_overdue_sql(now: Any) -> tuple[str, tuple[Any, ...]]:
    """`link_overdue` as SQL and its parameters, for a statement written as SQL."""
    zone = settings.TIME_ZONE
    return _LINK_OVERDUE, (now, now) + (zone,) * 4 + (now, zone)


def link_overdue(now: Any) -> RawSQL:
    """Whether the link's story (`InboxLink`) waits for a response past its target at
    `now`: the inbox's and the staff home's overdue, as `_OVERDUE` counts it."""
    # A constant statement; the zone and the time are parameters.
    return RawSQL(*link_overdue_sql(now), output_field=BooleanField())  # noqa: S611


def scope_links_sql(paths: list[str]) -> tuple[str, list[Any], bool]:
    """The inbox's copies of the links under these paths, as a condition on
    `responses_inboxlink` with its parameters, and whether it gives each story one row.

    For one subtree it does: a story's first link there is the one whose previous link by
    path (`prev_path`, "" for none) sorts before the subtree's path (its paths in one
    subtree are neighbours in path order). For several, a story may have a link in each,
    and the rows must be told apart by story."""
    if len(paths) == 1:
        low, high = path_range(paths[0])
        condition = "(path >= %s AND path < %s AND prev_path < %s)"
        return condition, [low, high, low], True
    condition, params = under_sql(paths, "path")
    return f"({condition})", list(params), False


# The inbox's statement over the copies of its links. One row a story: straight from the
# copies for one subtree (`scope_links_sql`), or grouped by story otherwise; then sorted,
# with the number of stories beside each row (a window) and the page cut from it.
_ONE_ROW = """
SELECT story_id, answered_at IS NOT NULL, {overdue}, count(*) OVER ()
FROM responses_inboxlink
WHERE {where}
ORDER BY {order}
LIMIT %s OFFSET %s
"""
_GROUPED = """
SELECT story_id, bool_or(answered_at IS NOT NULL), bool_or({overdue}), count(*) OVER ()
FROM responses_inboxlink
WHERE {where}
GROUP BY story_id
ORDER BY {order}
LIMIT %s OFFSET %s
"""
# The columns are the same on each copy of a story's links, so a group's are its rows'.
_ORDERS = {
    # Overdue first, then the rest waiting for a response, each waiting longest first,
    # then the answered ones newest first.
    NEEDS_DOING: (
        "3 DESC, 2, (CASE WHEN {max}(answered_at) IS NULL THEN {max}(published_at) END)"
        " NULLS LAST, {max}(published_at) DESC NULLS LAST, story_id DESC"
    ),
    NEWEST: "{max}(published_at) DESC NULLS LAST, story_id DESC",
}


@dataclass(frozen=True)
class _Statement:
    where: str
    params: list[Any]
    one_row: bool


def _chosen(
    scope: Scope, filters: InboxFilters, referred: frozenset[int], paths: list[str]
) -> _Statement:
    """Which copies the inbox reads: its reach and the filters, as SQL."""
    # Held stories too: staff answer them during the right of reply, before they are public.
    conditions = ["status = ANY(%s)"]
    params: list[Any] = [list(ANSWERABLE_STATUSES)]
    # A service filter narrows the reach to its subtree (one of the scope's nodes).
    reach, reach_params, one_row = scope_links_sql(
        [filters.service.path] if filters.service is not None else paths
    )
    if referred and filters.service is None:
        # "Under the paths OR among these ids": two index scans joined.
        reach, one_row = f"({reach} OR story_id = ANY(%s))", False
        reach_params = [*reach_params, list(referred)]
    conditions.append(reach)
    params += reach_params
    if filters.unanswered:
        conditions.append("answered_at IS NULL")
    if filters.min_criticality is not None:
        conditions.append("criticality >= %s")
        params.append(filters.min_criticality)
    if filters.referred:
        conditions.append("story_id = ANY(%s)")
        params.append(list(referred))
    if filters.unread:
        conditions.append(
            "NOT EXISTS (SELECT FROM responses_staffread r"
            " WHERE r.user_id = %s AND r.story_id = responses_inboxlink.story_id)"
        )
        params.append(scope.member.pk if scope.member is not None else None)
    return _Statement(" AND ".join(conditions), params, one_row)


# The story columns the inbox's list shows (templates/inbox/index.html).
_LISTED = (
    "title",
    "pseudonym",
    "language",
    "status",
    "published_at",
    "held_until",
    "criticality",
)


class Inbox:
    """What the paginator needs: a count and slices, each asked the fastest way.

    A slice reads the inbox's copies of the scope's links (`InboxLink`), one range of one
    index whatever the number of nodes, a row a story and sorted, with the number of
    stories beside each row (a window); then its page's stories, in that order, with what
    the list shows of them. The paginator asks the count first: the page it will ask for
    (`first`, the slice) is read then, and its count comes with it.

    The statement is written as SQL: built through the ORM, its expressions cost more to
    compile than the copies' index took to read."""

    def __init__(self, statement: _Statement, sort: str, now: Any, first: slice) -> None:
        self.statement = statement
        self.sort = sort
        self.now = now
        self.first = first
        self._first_rows: list[tuple[Any, ...]] | None = None
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            rows = self._read(self.first)
            if rows:
                self._count = rows[0][3]
            elif not self.first.start:
                self._count = 0
            else:  # a page past the end: count on its own
                sql = "SELECT count(DISTINCT story_id) FROM responses_inboxlink WHERE "
                self._count = self._fetch(sql + self.statement.where, [])[0][0]
        return self._count

    def _fetch(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with connections[read_alias()].cursor() as cursor:
            cursor.execute(sql, self.statement.params + params)
            return cursor.fetchall()

    def _read(self, index: slice) -> list[tuple[Any, ...]]:
        # The paginator may ask for fewer than a page at the end: the rows read cover it.
        cached = self._first_rows is not None and index.start == self.first.start
        if cached and index.stop is not None and index.stop <= self.first.stop:
            return self._first_rows[: index.stop - (index.start or 0)]  # type: ignore[index]
        start = index.start or 0
        overdue, overdue_params = link_overdue_sql(self.now)
        one_row = self.statement.one_row
        order = _ORDERS[self.sort].format(max="" if one_row else "max")
        template = _ONE_ROW if one_row else _GROUPED
        # Constant text but for the reach's ranges; every value is a parameter.
        sql = template.format(overdue=overdue, where=self.statement.where, order=order)
        # The overdue test comes first in the statement, then the WHERE's values.
        with connections[read_alias()].cursor() as cursor:
            cursor.execute(
                sql, [*overdue_params, *self.statement.params, index.stop - start, start]
            )
            rows = cursor.fetchall()
        if index == self.first:
            self._first_rows = rows
        return rows

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Story]:
        return iter(self[: self.count()])

    @overload
    def __getitem__(self, index: int) -> Story: ...

    @overload
    def __getitem__(self, index: slice) -> list[Story]: ...

    def __getitem__(self, index: int | slice) -> Story | list[Story]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        rows = self._read(index)
        ids = [row[0] for row in rows]
        # What the list shows of a story, not its text nor its search vector.
        by_id = {story.pk: story for story in Story.objects.filter(pk__in=ids).only(*_LISTED)}
        # The list names each story's services and tests their paths, nothing more.
        services = services_of(ids)
        page = []
        for story_id, answered, overdue, _total in rows:
            story = by_id[story_id]
            story.answered = answered
            story.overdue = overdue
            story.listed_services = services[story_id]
            page.append(story)
        return page


def inbox(
    user: AnyUser,
    filters: InboxFilters | None = None,
    now: Any = None,
    first: slice = slice(0, 20),
) -> Inbox:
    """Published and held stories about the user's part of the tree, or referred to them,
    by what needs doing (overdue first, then the rest waiting for a response, each waiting
    longest first, then the answered ones newest first) or newest first, each marked
    answered and overdue. `inbox_marks` adds, for one page, what else the list shows.
    `first` is the slice the paginator will ask for first."""
    filters = filters or InboxFilters()
    scope = scope_of(user)
    paths = scope.paths(VIEW_STAFF_DATA)
    # The referrals are read here, as a list: "under the paths OR among these ids" is then
    # two index scans joined, where a subquery in the OR would read every link.
    referred = scope.all_object_ids(REFERRALS, RESPOND_TO_STORY)
    statement = _chosen(scope, filters, referred, paths)
    return Inbox(statement, filters.sort, now or timezone.now(), first)


def inbox_marks(user: AnyUser, stories: list[Story]) -> list[Story]:
    """Mark one page of the inbox: referred to me, read by me, and whether I may respond
    (`answered` and `overdue` come from `inbox`). One query whatever the page (the
    referrals were read with the inbox); scope comes from the prefetched services."""
    scope = scope_of(user)
    ids = [story.pk for story in stories]
    referred = scope.objects_among(REFERRALS, RESPOND_TO_STORY, ids)
    read = set(
        StaffRead.objects.filter(user=scope.member, story_id__in=ids).values_list(
            "story_id", flat=True
        )
    )
    respond = scope.paths(RESPOND)
    now = timezone.now()
    for story in stories:
        # How long an unanswered story has waited, to the largest unit ("6 days"): shown
        # for those alone.
        story.waiting = "" if story.answered else timesince(story.published_at or now, now, depth=1)
        story.is_referred = story.pk in referred
        story.read_by_me = story.pk in read
        story.answerable = story.is_referred or any(
            service.path.startswith(path) for service in story.listed_services for path in respond
        )
    return stories


def story_referrals(story: Story) -> list[Referral]:
    """The open referrals of a story, with who they reach and who made them."""
    return list(
        Referral.objects.filter(story=story, revoked_at__isnull=True)
        .select_related("user", "team", "referred_by")
        .order_by("created_at")
    )


def story_queryset() -> QuerySet[Story]:
    """Stories staff may see (published, held for the right of reply, restricted) with
    what the staff page shows, in a fixed number of queries."""
    return (
        Story.objects.filter(status__in=STAFF_VISIBLE_STATUSES)
        .select_related("restricted_by")
        .prefetch_related(
            services_named(),
            "story_tags__tag",
        )
    )


@dataclass(frozen=True)
class Entry:
    """One turn of a conversation: a staff response or an author reply."""

    kind: str  # "response" or "reply"
    at: Any
    item: Any


def conversation(
    story: Story, *, staff: bool = False, author: bool = False, placeholders: bool = False
) -> list[Entry]:
    """A story's responses and author replies in time order, in two queries. The public
    sees what is published; staff also see responses waiting for a moderator; the author
    also sees their own replies waiting or declined. With `placeholders`, what the
    moderators hid after a report is there too, for the page to show its placeholder
    (never its text)."""
    response_statuses = [ResponseStatus.PUBLISHED]
    if staff:
        response_statuses.append(ResponseStatus.AWAITING_MODERATION)
    reply_statuses = [AuthorReplyStatus.PUBLISHED]
    if placeholders:
        response_statuses.append(ResponseStatus.HIDDEN)
        reply_statuses.append(AuthorReplyStatus.HIDDEN)
    if author:
        reply_statuses += [AuthorReplyStatus.AWAITING_MODERATION, AuthorReplyStatus.REJECTED]
    responses = Response.objects.filter(story=story, status__in=response_statuses).select_related(
        "organisation"
    )
    replies = AuthorReply.objects.filter(story=story, status__in=reply_statuses)
    entries = [Entry("response", r.published_at or r.created_at, r) for r in responses]
    for entry in entries:
        entry.item.story = story  # the page asks per response; no query each
    entries += [Entry("reply", r.published_at or r.created_at, r) for r in replies]
    return sorted(entries, key=lambda e: (e.at, e.kind))


def held_for_moderation() -> tuple[QuerySet[Response], QuerySet[AuthorReply]]:
    """Responses held by the new-responder policy and author replies, oldest first."""
    responses = (
        Response.objects.filter(status=ResponseStatus.AWAITING_MODERATION)
        .select_related("story", "organisation", "author")
        .order_by("created_at", "pk")
    )
    replies = (
        AuthorReply.objects.filter(status=AuthorReplyStatus.AWAITING_MODERATION)
        .select_related("story", "response")
        .order_by("created_at", "pk")
    )
    return responses, replies


@dataclass(frozen=True)
class ModerationWaiting:
    """How much waits for a moderator: stories (new or back from their author), responses
    held by the new-responder policy and author replies."""

    stories: int
    responses: int
    replies: int
    # Open reports of published stories, responses and replies (the reports queue).
    reports: int = 0


def moderation_waiting() -> ModerationWaiting:
    """The counts of what waits for a moderator, in one query whatever the numbers."""
    waiting = [
        Story.objects.filter(status__in=QUEUE_STATUSES),
        Response.objects.filter(status=ResponseStatus.AWAITING_MODERATION),
        AuthorReply.objects.filter(status=AuthorReplyStatus.AWAITING_MODERATION),
        Flag.objects.filter(resolved_at__isnull=True),
        ConversationReport.objects.filter(resolved_at__isnull=True),
    ]
    selects: list[str] = []
    params: list[Any] = []
    for queryset in waiting:
        sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        # The SQL is Django's own for these querysets, with its values kept as parameters.
        selects.append(f"(SELECT count(*) FROM ({sql}) AS waiting)")  # noqa: S608
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        stories, responses, replies, flags, reports = cursor.fetchone()
    return ModerationWaiting(
        stories=stories, responses=responses, replies=replies, reports=flags + reports
    )


def story_path(story: Story) -> str:
    """The path of the story's first service: where its audit entries are filed."""
    return next((s.path for s in story.services.all()), "")


def story_has_published_response() -> Exists:
    """Whether the story (OuterRef "pk") has a published response: registered as
    `story_responded` for the story search, which sits below this app."""
    return Exists(Response.objects.filter(story=OuterRef("pk"), status=ResponseStatus.PUBLISHED))
