"""Query budgets: a page must use the same number of queries whatever the data size."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def refresh_planner_statistics() -> None:
    """ANALYZE every table, as autovacuum keeps a live database analysed.

    A test grows its data inside its own transaction, which autovacuum never sees; the
    planner then works from whatever an earlier test's data left in the statistics
    (analysed when a table held other rows, or none) and can pick a plan no live
    database would, taking minutes over a query that takes milliseconds. ANALYZE counts
    this transaction's own rows, and its statistics roll back with the test."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def count_queries(action: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        action()
    return len(ctx.captured_queries)


class QueryBudget:
    """Record the queries of one action at several data sizes, then check them.

    budget = QueryBudget("organisation page", limit=6)
    budget.measure(10, lambda: client.get(url))
    ...grow the data...
    budget.measure(1000, lambda: client.get(url))
    budget.assert_flat()
    """

    def __init__(self, what: str, *, limit: int) -> None:
        self.what = what
        self.limit = limit
        self.counts: dict[int, int] = {}

    def measure(
        self, size: int, action: Callable[[], object], before: Callable[[], object] | None = None
    ) -> int:
        refresh_planner_statistics()
        # Once untimed first: a session's once-a-minute work (the idle time-out stamp)
        # depends on the clock, not on the data, and would blur the comparison. `before`,
        # uncounted, runs ahead of each call (e.g. to stamp the session afresh, so a slow
        # request on a busy machine cannot cross that minute between the two calls).
        if before is not None:
            before()
        action()
        if before is not None:
            before()
        self.counts[size] = count_queries(action)
        return self.counts[size]

    def assert_flat(self) -> None:
        assert len(self.counts) >= 2, "measure at two data sizes at least"
        figures = ", ".join(f"{n} queries at {size:,}" for size, n in sorted(self.counts.items()))
        assert len(set(self.counts.values())) == 1, f"{self.what} grows with the data: {figures}"
        worst = max(self.counts.values())
        assert worst <= self.limit, f"{self.what} is over its budget of {self.limit}: {figures}"
