"""The small-number rule in templates: `{{ count|cell:limit }}`."""

from __future__ import annotations

from django import template

from apps.insights.charts import fewer_than

register = template.Library()


@register.filter
def cell(value: int | None, limit: int) -> str:
    """The count, or "fewer than N" when it is under the limit (0: no limit, staff)."""
    if value is None:
        return ""
    if limit and value < limit:
        return fewer_than(limit)
    return f"{value:,}"
