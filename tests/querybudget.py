"""Query budgets: a page must use the same number of queries whatever the data size."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


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
