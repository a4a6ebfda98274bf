"""Searching and filtering the published stories: one form, one filter object, one selector.

The site (`/stories/`, organisation pages) and the JSON API use the same names, so a
filter means the same everywhere:

- `StorySearchForm`: the GET parameters, validated; `form.filters()` gives a `StoryFilters`.
- `StoryFilters`: what to look for, typed and frozen.
- `story_search(filters)`: the published stories that match, ordered, each with
  `progress` and, when there are words to search, `rank` and a highlighted `headline`.
- `search_count(filters)` counts them, up to a bound; `search_page(filters, number)`
  gives one page of them with its count in a fixed, small number of queries;
  `listed_page(filters, number, found=...)` one page of an unsearched list, unbounded.

Bounded at any size by settings.STORY_SEARCH_LIMIT (500): a count stops one past it
(shown as "more than 500"), pages reach no further, and "most relevant first" ranks only
the newest that many matches, so a common word never counts or ranks hundreds of
thousands of stories.
"""

from .forms import StorySearchForm
from .queries import (
    NEWEST,
    RELEVANCE,
    StoryFilters,
    StoryPaginator,
    listed_page,
    search_all,
    search_count,
    search_ids,
    search_matching,
    search_page,
    search_query_string,
    story_search,
)

__all__ = [
    "NEWEST",
    "RELEVANCE",
    "StoryFilters",
    "StoryPaginator",
    "StorySearchForm",
    "listed_page",
    "search_all",
    "search_count",
    "search_ids",
    "search_matching",
    "search_page",
    "search_query_string",
    "story_search",
]
