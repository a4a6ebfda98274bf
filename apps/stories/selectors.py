"""Reads of stories. Each returns a fixed number of queries."""

from __future__ import annotations

from django.db import connections
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.safestring import SafeString

from apps.core import extensions, pagecache
from apps.core.replicas import read_alias
from apps.organisations.models import Organisation
from apps.organisations.selectors import PLACE_COLUMNS, organisation_search, place_sql, with_place

from .diff import word_diff
from .models import ModerationDecision, Story, StoryService, StoryStatus, StoryTag
from .taxonomy import Progress

SERVICE_OPTIONS_LIMIT = 10


def service_options(
    *, selected_keys: list[str], query: str
) -> tuple[list[Organisation], list[Organisation]]:
    """Services already chosen (by id, slug or ODS code) and those matching a search, each
    named with its place (`display_name`)."""
    ids = [int(k) for k in selected_keys if k.isdigit()]
    names = [k for k in selected_keys if k and not k.isdigit()]
    selected = (
        list(
            with_place(Organisation.objects.filter(is_active=True))
            .filter(Q(pk__in=ids) | Q(slug__in=names) | Q(ods_code__in=[n.upper() for n in names]))
            .order_by("name")
        )
        if selected_keys
        else []
    )
    found: list[Organisation] = []
    if query.strip():
        chosen = {org.pk for org in selected}
        found = [
            org
            for org in with_place(organisation_search(query=query))[
                : SERVICE_OPTIONS_LIMIT + len(chosen)
            ]
            if org.pk not in chosen
        ][:SERVICE_OPTIONS_LIMIT]
    return selected, found


# What naming a service reads (`Organisation.display_name`) and where it sits in the tree:
# a list that only names its services reads these alone (`services_of`).
NAMING_FIELDS = ("id", "name", "name_cy", "path", "depth")


def services_named(lookup: str = "services") -> Prefetch:
    """A story's services in the author's order, each named with its place: the one
    prefetch every page, feed, email and API answer that names a story's services uses
    (`lookup` reaches them from another model: "story__services"). A list that shows no
    more of them than their names reads them with `services_of`."""
    services = Organisation.objects.order_by("storyservice__position")
    return Prefetch(lookup, queryset=with_place(services))


# A page's services as `services_of` reads them; "organisations_organisation" under its own
# name, as the place's columns (`place_sql`) refer to it.
_SERVICES_OF = """
SELECT link.story_id, {fields}, {place}
FROM stories_storyservice link
JOIN organisations_organisation ON organisations_organisation.id = link.organisation_id
WHERE link.story_id = ANY(%s)
ORDER BY link.story_id, link.position
"""


def services_of(story_ids: list[int]) -> dict[int, list[Organisation]]:
    """The services of these stories, each story's in the author's order, with what names
    them (`NAMING_FIELDS` and their place, as `services_named` gives them) and no more, in
    one statement written as SQL: for a list that only names them (the staff inbox), where
    a prefetch and its related managers cost four times the query."""
    place, params = place_sql()
    # In the model's order, as `from_db` takes them.
    named = [f.attname for f in Organisation._meta.concrete_fields if f.attname in NAMING_FIELDS]
    fields = ", ".join(f'organisations_organisation."{name}"' for name in named)
    found: dict[int, list[Organisation]] = {pk: [] for pk in story_ids}
    alias = read_alias()
    with connections[alias].cursor() as cursor:
        # Constant text; every value is a parameter.
        cursor.execute(_SERVICES_OF.format(fields=fields, place=place), [*params, list(story_ids)])
        for story_id, *row in cursor.fetchall():
            service = Organisation.from_db(alias, named, row[: len(named)])
            for name, value in zip(PLACE_COLUMNS, row[len(named) :], strict=True):
                setattr(service, name, value)
            found[story_id].append(service)
    return found


def with_progress(stories: QuerySet[Story]) -> QuerySet[Story]:
    """Each story's `progress`, annotated by the app registered for it (the steps are rows
    of apps above this one); the same query, no more. Unchanged when none is."""
    progress = extensions.story_progress.get()
    return progress.annotate(stories) if progress is not None else stories


def at_progress(step: str) -> Q | None:
    """The condition that a story is at `step`, from the app registered for progress; None
    when no app is, or `step` is none of its steps (then nothing is filtered).

    As a condition, a rare step is a join the database can start from, where testing the
    annotation would work out every story's progress first."""
    progress = extensions.story_progress.get()
    return progress.conditions().get(step) if progress is not None else None


def story_public(pk: int) -> Story:
    """One published story with what its page shows, in a fixed number of queries."""
    return (
        with_progress(Story.objects.filter(status=StoryStatus.PUBLISHED))
        .prefetch_related(
            services_named(),
            Prefetch(
                "story_tags",
                queryset=StoryTag.objects.select_related("tag").order_by(
                    "tag__group", "tag__position"
                ),
            ),
        )
        .get(pk=pk)
    )


def story_hidden(pk: int) -> Story | None:
    """A story the moderators hid after publication (its page shows the placeholder with
    the reason, never the text), or None."""
    return (
        Story.objects.filter(pk=pk, status=StoryStatus.HIDDEN)
        .only("pk", "status", "title", "pseudonym", "hidden_reason", "hidden_note")
        .first()
    )


def story_restricted(pk: int) -> Story:
    """A restricted story with what its page shows instead of the text: its title,
    services, and who asked for the restriction. Raises Story.DoesNotExist otherwise."""
    return (
        Story.objects.filter(status=StoryStatus.RESTRICTED)
        .select_related("restricted_by")
        .prefetch_related(services_named())
        .get(pk=pk)
    )


def story_list_public(progress: str = "") -> QuerySet[Story]:
    """Published stories, newest first, each with its progress; only those at `progress`
    when it is one of the steps."""
    stories = with_progress(Story.objects.filter(status=StoryStatus.PUBLISHED))
    condition = at_progress(progress) if progress in Progress.values else None
    if condition is not None:
        stories = stories.filter(condition)
    return stories.order_by("-published_at", "-pk").prefetch_related(services_named())


def story_list_for_organisation(organisation: Organisation, progress: str = "") -> QuerySet[Story]:
    """Published stories about any service in the organisation's whole subtree."""
    return story_list_public(progress).filter(
        pk__in=Story.services.through.objects.filter(
            organisation__path__startswith=organisation.path
        ).values("story_id")
    )


def story_count_for_organisation(organisation: Organisation, progress: str = "") -> int:
    """How many stories `story_list_for_organisation` lists, in one query.

    Without a progress filter the count is kept (pagecache.kept) under the versions that
    a change to any story about the subtree replaces (apps/stories/invalidation.py), so a
    big trust's page does not count its tens of thousands of links on every view (18 of
    its 83 ms at a million stories); once a change commits the next reader counts afresh.
    It counts the subtree's story links whose story is not among the few unpublished ones
    (every link has its story), from indexes alone: asking each story whether it is
    published reads a story row per link."""
    if progress in Progress.values and extensions.story_progress.get() is not None:
        return story_list_for_organisation(organisation, progress).count()
    return pagecache.kept(
        "stories_published",
        [pagecache.organisation(organisation.slug)],
        lambda: _published_under(organisation),
    )


def _published_under(organisation: Organisation) -> int:
    not_published = Story.objects.filter(pk=OuterRef("story_id")).exclude(
        status=StoryStatus.PUBLISHED
    )
    links = StoryService.objects.filter(organisation__path__startswith=organisation.path)
    counted = links.filter(~Exists(not_published)).aggregate(n=Count("story_id", distinct=True))
    return int(counted["n"])


def story_service_paths(story_id: int) -> list[str]:
    """The paths of the services a story is about (one query)."""
    return list(
        StoryService.objects.filter(story_id=story_id).values_list("organisation__path", flat=True)
    )


def pending_edits(story: Story) -> SafeString | None:
    """The moderator's changes the author is asked to approve, as a difference, if any."""
    if story.status != StoryStatus.AWAITING_AUTHOR:
        return None
    original = story.revisions.order_by("number").first()
    if original is None:
        return None
    return word_diff(f"{original.title}\n{original.body}", f"{story.title}\n{story.body}")


def published_edits(story: Story) -> SafeString | None:
    """A moderator's edit of the published story after a report, as a difference from
    the text before it, while it is the story's latest decision (two queries)."""
    if story.status != StoryStatus.PUBLISHED:
        return None
    latest = story.decisions.order_by("-at", "-pk").values_list("action", flat=True).first()
    if latest != ModerationDecision.Action.EDITED_PUBLISHED:
        return None
    last_two = list(story.revisions.order_by("-number")[:2])
    if len(last_two) < 2:
        return None
    after, before = last_two
    return word_diff(f"{before.title}\n{before.body}", f"{after.title}\n{after.body}")
