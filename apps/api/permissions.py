"""Who may see what through the API: a key's staff-only fields stop at its subtree."""

from __future__ import annotations

from apps.stories.models import Story

from .models import ApiKey


def staff_may_see(api_key: ApiKey | None, story: Story) -> bool:
    """Whether the key's subtree holds any of the story's services (prefetched: no query),
    the same rule as a member of staff's scope."""
    if not isinstance(api_key, ApiKey):
        return False
    path = api_key.organisation.path
    return any(service.path.startswith(path) for service in story.services.all())
