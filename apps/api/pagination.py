"""Paging with `limit` and `offset`, in the envelope {count, next, previous, results}.

A `limit` over the maximum is an error (400 invalid_parameter), not quietly cut down: a
client that asked for 500 and got 100 would think it had everything. `offset` stops at
MAX_OFFSET: deep offsets make the database walk and drop every row before them, so a
client going further back narrows with a date filter instead.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response


def _whole_number(request: Any, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ValidationError({name: [f"Give a whole number from {low} to {high}."]})
    return int(raw)


class LimitOffset(LimitOffsetPagination):
    template = None

    @property
    def default_limit(self) -> int:
        return int(settings.API_PAGE_SIZE)

    @property
    def max_limit(self) -> int:
        return int(settings.API_MAX_PAGE_SIZE)

    @property
    def max_offset(self) -> int:
        return int(settings.API_MAX_OFFSET)

    def parse(self, request: Any) -> None:
        """Check both parameters before any query runs."""
        self.limit = _whole_number(request, "limit", self.default_limit, 1, self.max_limit)
        self.offset = _whole_number(request, "offset", 0, 0, self.max_offset)

    def get_limit(self, request: Any) -> int:
        return int(self.limit)

    def get_offset(self, request: Any) -> int:
        return int(self.offset)

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        self.parse(request)
        return list(super().paginate_queryset(queryset, request, view) or [])

    def get_next_link(self) -> str | None:
        if self.offset + self.limit > self.max_offset:
            return None
        return super().get_next_link()

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "limit",
                "required": False,
                "in": "query",
                "description": f"How many results to return, 1 to {self.max_limit}; more is an "
                "error (invalid_parameter), not cut down.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
            {
                "name": "offset",
                "required": False,
                "in": "query",
                "description": f"How many results to skip, up to {self.max_offset}. To go "
                "further, narrow the results with a filter (a date range, say).",
                "schema": {"type": "integer", "minimum": 0, "maximum": self.max_offset},
            },
        ]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "example": 123},
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page (or past the "
                    "largest offset).",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The previous page, or null on the first.",
                },
                "results": schema,
            },
        }


class StoryPages(LimitOffset):
    """Stories page like the site's search: through the first settings.STORY_SEARCH_LIMIT
    matches at most, with `count` stopping there and `capped` true when more stories
    match (narrow the query, a date range say, to reach them)."""

    @property
    def max_offset(self) -> int:
        return int(settings.STORY_SEARCH_LIMIT) - 1

    def paginate_search(self, filters: Any, request: Any, search: Any) -> list[Any]:
        # Imported here: DRF loads this module while the app registry may still be loading.
        from apps.stories.models import StoryTag
        from apps.stories.search import search_count

        self.request = request
        self.parse(request)
        reach = int(settings.STORY_SEARCH_LIMIT)
        found = search_count(filters)
        self.capped = found > reach
        self.count = min(found, reach)
        end = min(self.offset + self.limit, self.count)
        if self.offset >= end:
            return []
        stories = search(filters).prefetch_related(
            Prefetch("story_tags", queryset=StoryTag.objects.select_related("tag"))
        )
        return list(stories[self.offset : end])

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["capped"] = self.capped
        return response

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        reach = int(settings.STORY_SEARCH_LIMIT)
        parameters[1]["description"] = (
            f"How many results to skip, up to {reach - 1}: a query reaches its first "
            f"{reach:,} stories. To go further, narrow it (a date range, say)."
        )
        return parameters

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        envelope = super().get_paginated_response_schema(schema)
        envelope["required"] = [*envelope["required"], "capped"]
        envelope["properties"]["count"]["description"] = (
            f"How many stories match, counting no further than {settings.STORY_SEARCH_LIMIT:,}."
        )
        envelope["properties"]["capped"] = {
            "type": "boolean",
            "description": "True when more stories match than `count`: narrow the query "
            "to reach the rest.",
        }
        return envelope
