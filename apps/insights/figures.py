"""The public figures of organisation nodes, computed by the database and kept.

One SQL statement computes the figures of any number of nodes: each story's services are
expanded into themselves and every ancestor (`substr(path, 1, 4 * g)` over
`generate_series` up to the service's depth) and joined by equality to the nodes asked
for, so the same statement serves one node's page and the nightly refresh of the whole
tree. It upserts the rows it computed and returns them (or, for the refresh, how many it
wrote). Reading a node's figures is one query while its row is fresh; a stale, missing or
out-of-date row costs two more (recompute, then rank).

How each figure is counted is written down for the public in docs/statistics.md.
"""

from __future__ import annotations

import datetime as dt
import os.path
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.changes.models import ChangeStatus
from apps.organisations.models import Organisation
from apps.responses.models import ResponseStatus
from apps.stories.models import StoryStatus

from . import display
from .models import OrganisationFigures

STEP = Organisation.steplen

# The counted columns of insights_organisationfigures, in the order the SQL lists them.
COUNTS = (
    "stories_12m",
    "responded_12m",
    "stories_30d",
    "responded_30d",
    "median_response_seconds",
    "responses_12m",
    "generic_12m",
    "with_change_12m",
    "changes_made_12m",
)


@dataclass(frozen=True)
class Window:
    """The periods a local date D counts over, as the database compares them."""

    as_of: dt.date
    year_ago: dt.date  # the same date a year earlier (29 February: the 28th)
    since_12m: dt.datetime  # local midnight of year_ago
    since_30d: dt.datetime  # local midnight of D − 30 days
    until: dt.datetime  # local midnight after D: nothing later counts

    @classmethod
    def of(cls, as_of: dt.date) -> Window:
        try:
            year_ago = as_of.replace(year=as_of.year - 1)
        except ValueError:  # 29 February
            year_ago = as_of.replace(year=as_of.year - 1, day=28)
        return cls(
            as_of=as_of,
            year_ago=year_ago,
            since_12m=_midnight(year_ago),
            since_30d=_midnight(as_of - dt.timedelta(days=30)),
            until=_midnight(as_of + dt.timedelta(days=1)),
        )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True)
class Figures:
    """A node's figures; `rank` among active nodes of its kind when it qualifies."""

    organisation_id: int
    as_of: dt.date
    stories_12m: int = 0
    responded_12m: int = 0
    stories_30d: int = 0
    responded_30d: int = 0
    median_response_seconds: float | None = None
    responses_12m: int = 0
    generic_12m: int = 0
    with_change_12m: int = 0
    changes_made_12m: int = 0
    rank: int | None = None
    ranked: int | None = None  # how many nodes of the kind qualified for the rank
    tied: bool = False  # another qualifying node has exactly the same rate

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Figures:
        return cls(
            organisation_id=row["organisation_id"],
            as_of=row["as_of"],
            **{name: row[name] for name in COUNTS},
            rank=row.get("rank"),
            ranked=row.get("ranked"),
            tied=(row.get("peers") or 0) > 1,
        )

    @classmethod
    def from_model(cls, row: OrganisationFigures, as_of: dt.date) -> Figures:
        """A stored row already found to be of this date and fresh."""
        return cls(
            organisation_id=row.organisation_id,
            as_of=as_of,
            **{name: getattr(row, name) for name in COUNTS},
        )

    # Rates and shares: None when there is nothing to divide by.
    @property
    def rate_12m(self) -> float | None:
        return self.responded_12m / self.stories_12m if self.stories_12m else None

    @property
    def rate_30d(self) -> float | None:
        return self.responded_30d / self.stories_30d if self.stories_30d else None

    @property
    def generic_share(self) -> float | None:
        return self.generic_12m / self.responses_12m if self.responses_12m else None

    @property
    def with_change_share(self) -> float | None:
        return self.with_change_12m / self.responses_12m if self.responses_12m else None

    # The same in words, for pages.
    @property
    def rate_12m_words(self) -> str:
        return display.percent_words(self.responded_12m, self.stories_12m)

    @property
    def rate_30d_words(self) -> str:
        return display.percent_words(self.responded_30d, self.stories_30d)

    @property
    def generic_words(self) -> str:
        return display.percent_words(self.generic_12m, self.responses_12m)

    @property
    def with_change_words(self) -> str:
        return display.percent_words(self.with_change_12m, self.responses_12m)

    @property
    def median_words(self) -> str:
        return display.duration_words(self.median_response_seconds)

    @property
    def peers_enough(self) -> bool:
        """Whether enough other organisations qualified for a rank to mean anything: a
        rank among a handful ("1st of 1") says nothing."""
        return self.ranked is not None and self.ranked - 1 >= settings.FIGURES_RANK_MIN_PEERS

    def rank_words(self, kind: str) -> str:
        """The rank in words ("34th of 226 NHS trusts", "joint 2nd of …"); empty when the
        node does not qualify or too few others of its kind do."""
        if self.rank is None or self.ranked is None or not self.peers_enough:
            return ""
        values = {
            "place": display.ordinal(self.rank),
            "kinds": display.kind_words(kind, self.ranked),
        }
        if self.tied:
            # Translators: a shared place in a ranking, e.g. "joint 3rd of 6 NHS trusts".
            return pgettext("rank", "joint %(place)s of %(kinds)s") % values
        # Translators: a place in a ranking, e.g. "34th of 226 NHS trusts".
        return pgettext("rank", "%(place)s of %(kinds)s") % values

    def no_rank_words(self, kind: str, *, active: bool = True) -> str:
        """Why no rank is shown, in plain words; empty when there is a rank."""
        if self.rank_words(kind):
            return ""
        plural = display.KIND_PLURALS.get(kind, kind)
        if not active:
            return _("No rank: closed organisations are not compared.")
        if self.stories_12m < settings.FIGURES_RANK_MIN_STORIES:
            return _(
                "No rank: fewer than %(min)s stories were published here in the last 12 "
                "months, too few to compare fairly."
            ) % {"min": settings.FIGURES_RANK_MIN_STORIES}
        return _(
            "No rank yet: fewer than %(peers)s other %(plural)s have at least %(min)s "
            "stories in the last 12 months, too few for a fair comparison."
        ) % {
            "peers": settings.FIGURES_RANK_MIN_PEERS,
            "plural": plural,
            "min": settings.FIGURES_RANK_MIN_STORIES,
        }

    # Headlines: a few figures in the words people use.
    @property
    def answered_share_words(self) -> str:
        return display.share_words(self.responded_12m, self.stories_12m)


# --- computing -------------------------------------------------------------------------
# Parameters only; the one choice made in Python is which of two fixed endings to use.
_COMPUTE = """
WITH targets AS (
    SELECT o.id, o.path, substr(o.path, 1, %(step)s) AS root
    FROM organisations_organisation o
    WHERE o.path LIKE %(within)s AND (%(everything)s OR o.id = ANY(%(ids)s::bigint[]))
),
linked AS MATERIALIZED (
    -- The services under `within` and their published stories of the 12 months. Kept
    -- apart (MATERIALIZED) so the planner sizes this join on its own: a big subtree
    -- hashes its links and reads the 12 months from story_published_newest, index
    -- only; a small one looks its few stories up.
    SELECT ss.organisation_id, s.id AS story_id, s.published_at
    FROM organisations_organisation o
    JOIN stories_storyservice ss ON ss.organisation_id = o.id
    JOIN stories_story s ON s.id = ss.story_id
    WHERE o.path LIKE %(within)s
      AND s.status = %(story_published)s
      AND s.published_at >= %(since_12m)s AND s.published_at < %(until)s
),
story_targets AS (
    -- Each of those stories once per target it has a service under.
    SELECT DISTINCT t.id AS target_id, t.root, l.story_id, l.published_at
    FROM linked l
    JOIN organisations_organisation o ON o.id = l.organisation_id
    CROSS JOIN LATERAL generate_series(%(from_depth)s, o.depth) AS g(depth)
    JOIN targets t ON t.path = substr(o.path, 1, %(step)s * g.depth)
    WHERE o.path LIKE %(within)s
),
story_roots AS (
    SELECT DISTINCT story_id, root FROM story_targets
),
per_story AS (
    -- Staff responses: published, from inside the target's own top-level organisation.
    SELECT sr.story_id, sr.root, min(r.published_at) AS first_at, count(*) AS responses,
           count(*) FILTER (WHERE r.is_generic) AS generic,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM changes_changestory cs
               JOIN changes_change c ON c.id = cs.change_id
               WHERE cs.response_id = r.id AND c.status = ANY(%(change_counts)s::varchar[])
           )) AS with_change
    FROM story_roots sr
    JOIN responses_response r ON r.story_id = sr.story_id
    JOIN organisations_organisation ro ON ro.id = r.organisation_id
    WHERE r.status = %(response_published)s AND r.published_at < %(until)s
      AND substr(ro.path, 1, %(step)s) = sr.root
    GROUP BY sr.story_id, sr.root
),
per_target AS (
    SELECT st.target_id,
           count(*) AS stories_12m,
           count(ps.story_id) AS responded_12m,
           count(*) FILTER (WHERE st.published_at >= %(since_30d)s) AS stories_30d,
           count(ps.story_id) FILTER (WHERE st.published_at >= %(since_30d)s) AS responded_30d,
           percentile_cont(0.5) WITHIN GROUP (
               -- A response posted while the story was held for the right of reply came
               -- before it was published: answered at once, never in negative time.
               ORDER BY extract(
                   epoch FROM ps.first_at - least(ps.first_at, st.published_at)
               )::float8
           ) AS median_response_seconds,
           coalesce(sum(ps.responses), 0)::bigint AS responses_12m,
           coalesce(sum(ps.generic), 0)::bigint AS generic_12m,
           coalesce(sum(ps.with_change), 0)::bigint AS with_change_12m
    FROM story_targets st
    LEFT JOIN per_story ps ON ps.story_id = st.story_id AND ps.root = st.root
    GROUP BY st.target_id
),
made AS (
    SELECT t.id AS target_id, count(*) AS changes_made_12m
    FROM changes_change c
    JOIN organisations_organisation o ON o.id = c.organisation_id
    CROSS JOIN LATERAL generate_series(%(from_depth)s, o.depth) AS g(depth)
    JOIN targets t ON t.path = substr(o.path, 1, %(step)s * g.depth)
    WHERE o.path LIKE %(within)s AND c.status = %(change_made)s
      AND c.made_on >= %(year_ago)s AND c.made_on <= %(as_of)s
    GROUP BY t.id
),
computed AS (
    SELECT t.id AS organisation_id, %(as_of)s::date AS as_of,
           coalesce(p.stories_12m, 0) AS stories_12m,
           coalesce(p.responded_12m, 0) AS responded_12m,
           coalesce(p.stories_30d, 0) AS stories_30d,
           coalesce(p.responded_30d, 0) AS responded_30d,
           p.median_response_seconds,
           coalesce(p.responses_12m, 0) AS responses_12m,
           coalesce(p.generic_12m, 0) AS generic_12m,
           coalesce(p.with_change_12m, 0) AS with_change_12m,
           coalesce(m.changes_made_12m, 0) AS changes_made_12m,
           -- The mark this statement's snapshot saw (0: no row yet).
           coalesce(f.version, 0) AS version
    FROM targets t
    LEFT JOIN per_target p ON p.target_id = t.id
    LEFT JOIN made m ON m.target_id = t.id
    LEFT JOIN insights_organisationfigures f ON f.organisation_id = t.id
),
saved AS (
    INSERT INTO insights_organisationfigures AS f (
        organisation_id, as_of, computed_at, stale, version, stories_12m, responded_12m,
        stories_30d, responded_30d, median_response_seconds, responses_12m, generic_12m,
        with_change_12m, changes_made_12m)
    SELECT organisation_id, as_of, now(), false, version, stories_12m, responded_12m,
           stories_30d, responded_30d, median_response_seconds, responses_12m, generic_12m,
           with_change_12m, changes_made_12m
    FROM computed
    ORDER BY organisation_id
    ON CONFLICT (organisation_id) DO UPDATE SET
        as_of = EXCLUDED.as_of,
        computed_at = EXCLUDED.computed_at,
        stale = false,
        stories_12m = EXCLUDED.stories_12m,
        responded_12m = EXCLUDED.responded_12m,
        stories_30d = EXCLUDED.stories_30d,
        responded_30d = EXCLUDED.responded_30d,
        median_response_seconds = EXCLUDED.median_response_seconds,
        responses_12m = EXCLUDED.responses_12m,
        generic_12m = EXCLUDED.generic_12m,
        with_change_12m = EXCLUDED.with_change_12m,
        changes_made_12m = EXCLUDED.changes_made_12m
    -- Something was marked after this snapshot was taken (the version moved on): these
    -- figures may miss it, so the row keeps its mark and the next reader recomputes.
    WHERE f.version = EXCLUDED.version
    RETURNING f.organisation_id
)
"""
_RETURN_COMPUTED = "SELECT * FROM computed ORDER BY organisation_id"
_RETURN_WRITTEN = "SELECT count(*) FROM saved"


def _common_prefix(paths: Sequence[str]) -> str:
    """The deepest node path every one of these paths lies under ('' for none)."""
    prefix = os.path.commonprefix(list(paths))
    return prefix[: len(prefix) - len(prefix) % STEP]


def _compute_params(nodes: Sequence[Organisation] | None, as_of: dt.date) -> dict[str, Any]:
    window = Window.of(as_of)
    within = "" if nodes is None else _common_prefix([node.path for node in nodes])
    return {
        "step": STEP,
        # Every target and every service counted lies under this prefix: for one node
        # (or the parts of one node) the database reads only that subtree.
        "within": within + "%",
        "from_depth": max(1, len(within) // STEP),
        "everything": nodes is None,
        "ids": [] if nodes is None else [node.pk for node in nodes],
        "story_published": StoryStatus.PUBLISHED.value,
        "response_published": ResponseStatus.PUBLISHED.value,
        "change_counts": [ChangeStatus.PLANNED.value, ChangeStatus.MADE.value],
        "change_made": ChangeStatus.MADE.value,
        "as_of": window.as_of,
        "year_ago": window.year_ago,
        "since_12m": window.since_12m,
        "since_30d": window.since_30d,
        "until": window.until,
    }


def _rows(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def figures_compute(
    nodes: Sequence[Organisation] | None, *, as_of: dt.date | None = None
) -> list[Figures]:
    """Compute and store the figures of these nodes (None: every node) as of a local
    date, in one statement; return them, in id order."""
    if nodes is not None and not nodes:
        return []
    params = _compute_params(nodes, as_of or timezone.localdate())
    return [Figures.from_row(row) for row in _rows(_COMPUTE + _RETURN_COMPUTED, params)]


def figures_refresh(*, as_of: dt.date | None = None) -> int:
    """Recompute and store every node's figures in one statement; the rows written (a row
    marked again while it ran keeps its mark and is not counted)."""
    params = _compute_params(None, as_of or timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(_COMPUTE + _RETURN_WRITTEN, params)
        return int(cursor.fetchone()[0])


# --- invalidation ----------------------------------------------------------------------
# Every node concerned gets a row, marked; an existing one has its version raised even if
# it was already stale. A recompute that read the data before this transaction committed
# (it saw the old version) then cannot clear the mark; see `saved` above. `ORDER BY id`
# takes the row locks in the same order as the recompute, so the two never deadlock.
_MARK = """
INSERT INTO insights_organisationfigures AS f (organisation_id, stale, version)
SELECT o.id, true, 1
FROM organisations_organisation o
WHERE o.path = ANY(%(paths)s::varchar[])
ORDER BY o.id
ON CONFLICT (organisation_id) DO UPDATE SET stale = true, version = f.version + 1
"""


def figures_mark_stale(*, paths: Sequence[str]) -> None:
    """Mark stale the figures of these nodes and of every node above them (one statement;
    runs in the caller's transaction, so the mark commits or rolls back with the change)."""
    concerned = sorted({p[:i] for p in paths for i in range(STEP, len(p) + 1, STEP)})
    if not concerned:
        return
    with connection.cursor() as cursor:
        cursor.execute(_MARK, {"paths": concerned})


# --- reading ---------------------------------------------------------------------------
# Ranks are read from the stored rows (refreshed nightly, and on view), among active
# nodes of one kind with enough stories; rank() gives ties the same place.
_RANKED = """
SELECT f.organisation_id,
       rank() OVER (ORDER BY f.responded_12m::float8 / f.stories_12m DESC) AS rank,
       count(*) OVER () AS ranked,
       count(*) OVER (PARTITION BY f.responded_12m::float8 / f.stories_12m) AS peers
FROM insights_organisationfigures f
JOIN organisations_organisation o ON o.id = f.organisation_id
WHERE o.kind = %(kind)s AND o.is_active AND f.computed_at IS NOT NULL
  AND f.stories_12m >= %(min_stories)s AND f.stories_12m > 0
"""
_READ = f"""
SELECT f.*, r.rank, r.ranked, r.peers
FROM insights_organisationfigures f
LEFT JOIN ({_RANKED}) r ON r.organisation_id = f.organisation_id
WHERE f.organisation_id = %(id)s
"""  # noqa: S608 - two constant strings joined, values are parameters
_RANK = f"SELECT * FROM ({_RANKED}) r WHERE r.organisation_id = %(id)s"  # noqa: S608


def _rank_params(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.pk,
        "kind": organisation.kind,
        "min_stories": settings.FIGURES_RANK_MIN_STORIES,
    }


def _due(row: OrganisationFigures | dict[str, Any] | None, as_of: dt.date) -> bool:
    """Whether a stored row must be recomputed before it is shown."""
    if row is None:
        return True
    if isinstance(row, dict):
        return bool(row["stale"]) or row["as_of"] != as_of
    return row.stale or row.as_of != as_of


def figures_for(organisation: Organisation, as_of: dt.date | None = None) -> Figures:
    """The node's figures and rank. One query when its row is fresh; three when the row is
    missing, stale or of another date (it is recomputed and stored first)."""
    as_of = as_of or timezone.localdate()
    found = _rows(_READ, _rank_params(organisation))
    row = found[0] if found else None
    if row is not None and not _due(row, as_of):
        return Figures.from_row(row)
    (computed,) = figures_compute([organisation], as_of=as_of)
    ranks = _rows(_RANK, _rank_params(organisation))
    if not ranks:
        return computed
    return replace(
        computed,
        rank=ranks[0]["rank"],
        ranked=ranks[0]["ranked"],
        tied=ranks[0]["peers"] > 1,
    )


@dataclass(frozen=True)
class Part:
    organisation: Organisation
    figures: Figures
    level: int  # 1 for a child of the node asked about, 2 for a grandchild…


def _stored(node: Organisation) -> OrganisationFigures | None:
    try:
        return node.figures
    except OrganisationFigures.DoesNotExist:
        return None


def figures_beneath(
    organisation: Organisation, *, number: Any = None, as_of: dt.date | None = None
) -> Page:
    """One page of the figures of every node beneath this one, in tree order, as `Part`s.
    Three queries: the count, the page's nodes with their rows, and one recompute of those
    that are missing, stale or of another date (skipped when none is)."""
    as_of = as_of or timezone.localdate()
    nodes = (
        Organisation.objects.filter(
            path__startswith=organisation.path, depth__gt=organisation.depth
        )
        .select_related("figures")
        .order_by("path")
    )
    page = Paginator(nodes, settings.FIGURES_PARTS_PAGE_SIZE).get_page(number)
    listed = list(page.object_list)
    due = [node for node in listed if _due(_stored(node), as_of)]
    fresh = {f.organisation_id: f for f in figures_compute(due, as_of=as_of)}
    parts = []
    for node in listed:
        stored = _stored(node)
        if node.pk in fresh or stored is None:
            figures = fresh[node.pk]
        else:
            figures = Figures.from_model(stored, as_of)
        parts.append(Part(node, figures, node.depth - organisation.depth))
    page.object_list = parts
    return page
