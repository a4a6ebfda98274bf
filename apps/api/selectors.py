"""Reads of API keys: the key behind a request, and the keys a person may manage."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from apps.changes.models import Change
from apps.changes.selectors import RegisterFilters, register
from apps.responders.scope import under as under_paths
from apps.stories.models import Story, StoryService

from . import keys
from .models import ApiKey


def api_key_for(key: str) -> ApiKey | None:
    """The key row for a key as sent (revoked ones included), in one query; None for an
    unknown or malformed key. Looked up by its hash: the key itself is never stored."""
    if not keys.is_well_formed(key):
        return None
    return (
        ApiKey.objects.select_related("organisation")
        .only("pk", "name", "revoked_at", "last_used_at", "organisation__path")
        .filter(key_hash=keys.digest(key))
        .first()
    )


def _within(paths: list[str] | None, field: str) -> Q:
    return Q() if paths is None else under_paths(paths, field)


def api_keys_managed(paths: list[str] | None) -> QuerySet[ApiKey]:
    """Keys of those subtrees, working ones first, newest first, with who made them."""
    return (
        ApiKey.objects.filter(_within(paths, "organisation__path"))
        .select_related("organisation", "created_by", "revoked_by")
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def changes_everywhere(filters: RegisterFilters) -> QuerySet[Change]:
    """The register of the whole tree, filtered and ordered as an organisation's is."""
    return register(None, filters, timezone.localdate())


def fft_answers_of(stories: list[Story]) -> dict[tuple[int, int], str]:
    """The Friends and Family Test answers of these stories, by (story id, service id):
    one query (none for no stories)."""
    if not stories:
        return {}
    links = StoryService.objects.filter(story__in=[s.pk for s in stories]).exclude(fft="")
    return {
        (story_id, service_id): answer
        for story_id, service_id, answer in links.values_list("story_id", "organisation_id", "fft")
    }
