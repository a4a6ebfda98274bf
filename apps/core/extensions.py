"""The extension points: where an app higher up adds to what a lower app shows or asks.

Imports point downwards (DESIGN.md), yet a story page shows the conversation (responses,
above stories) and the changes (above responses), and accounts sends staff to a page that
only responders can choose. Each such place is a named point here, in one list; the app
that provides it registers in its `AppConfig.ready()`, and the app that reads it asks the
point. With nothing registered a reader does without: no section, no progress, the
default landing page. docs/development.md ("Extension points") says who provides and who
reads each one.

Core imports no other app, so the story, organisation and conversation entries a provider
receives are `Any` here; each provider's own signature names their types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, Q, QuerySet
from django.http import HttpRequest

T = TypeVar("T")


@dataclass(frozen=True)
class Section:
    """A part of a page added by an app above the page's own: a template and what it
    needs (the page includes the template with `section` set to the context)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoryProgress:
    """How a story's progress is derived, from the app that knows every step.

    annotate: adds `progress` (a Progress value) to each story of a queryset, in the
    same query. conditions: each step → a condition on a story meaning "at this step and
    no further", so a filter by step is a join the database can start from instead of
    working out every story's progress. The two must agree (tests/changes checks it)."""

    annotate: Callable[[QuerySet[Any]], QuerySet[Any]]
    conditions: Callable[[], Mapping[str, Q]]


# What each point's providers are (story, organisation and entries are the readers' own).
StorySection = Callable[[HttpRequest, Any], Section]  # (request, story)
AuthorSection = Callable[[HttpRequest, Any, str], Section]  # (request, story, token)
StaffStorySection = Callable[[HttpRequest, Any, list[Any]], Section]  # (…, entries)
OrganisationSection = Callable[[HttpRequest, Any], Section]  # (request, organisation)
ResponseOutcomes = Callable[[Any, list[Any]], None]  # (story, entries): sets `outcomes`
StaffLanding = Callable[[AbstractBaseUser | AnonymousUser], str]  # (user) -> a URL
StoryResponded = Callable[[], Exists]  # on the story, OuterRef("pk")
ModerationWaiting = Callable[[], object]  # the counts `moderation/_waiting.html` shows
StaffHomeSection = Callable[[Any], Section]  # (request) -> the part of the staff home


@dataclass(frozen=True)
class ExportPart:
    """A part of the author's download: JSON-ready `data` (merged into the JSON file's
    top level) and the template that shows it on the readable page (`part` = data)."""

    data: dict[str, Any]
    template: str


AuthorExport = Callable[[Any], ExportPart]  # (story) -> its part of the download
StoryPurge = Callable[[Any], dict[str, int]]  # (story) -> rows whose words it removed


class SingleSlot(Generic[T]):
    """A point with one provider at most: a second registration is a mistake (two apps
    would each believe theirs is used), so it is refused."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._provider: T | None = None

    def register(self, provider: T) -> None:
        # The same provider again is harmless (a test re-running AppConfig.ready()).
        if self._provider is not None and self._provider != provider:
            raise ImproperlyConfigured(
                f"Extension point {self.name!r} already has {self._provider!r}; "
                f"refusing {provider!r}."
            )
        self._provider = provider

    def get(self) -> T | None:
        """The provider, or None when no installed app provides one."""
        return self._provider

    def _state(self) -> Any:
        return self._provider

    def _restore(self, state: Any) -> None:
        self._provider = state


class OrderedSlots(Generic[T]):
    """A point with several providers, one per named slot, read in the order the slots
    are declared here (the order of the sections on the page), whatever the order the
    apps register in. An undeclared slot, or a slot filled twice, is refused."""

    def __init__(self, name: str, order: tuple[str, ...]) -> None:
        self.name = name
        self.order = order
        self._providers: dict[str, T] = {}

    def register(self, slot: str, provider: T) -> None:
        if slot not in self.order:
            raise ImproperlyConfigured(
                f"Extension point {self.name!r} has no slot {slot!r} (it has {self.order})."
            )
        held = self._providers.get(slot)
        if held is not None and held != provider:
            raise ImproperlyConfigured(
                f"Slot {slot!r} of {self.name!r} already has {held!r}; refusing {provider!r}."
            )
        self._providers[slot] = provider

    def slots(self) -> list[str]:
        """The filled slots, in the declared order."""
        return [slot for slot in self.order if slot in self._providers]

    def providers(self) -> list[T]:
        """The providers, in the declared order (empty when no installed app provides)."""
        return [self._providers[slot] for slot in self.slots()]

    @contextmanager
    def without(self, *slots: str) -> Iterator[None]:
        """For tests and benchmarks: the point without these slots for the block."""
        held = dict(self._providers)
        for slot in slots:
            self._providers.pop(slot, None)
        try:
            yield
        finally:
            self._providers = held

    def _state(self) -> Any:
        return dict(self._providers)

    def _restore(self, state: Any) -> None:
        self._providers = dict(state)


# --- the points -----------------------------------------------------------------------
# Parts of the public story page and the author's private page: changes, conversation.
story_page_sections: OrderedSlots[StorySection] = OrderedSlots(
    "story_page_sections", ("changes", "conversation")
)
author_page_sections: OrderedSlots[AuthorSection] = OrderedSlots(
    "author_page_sections", ("changes", "conversation")
)
# Parts of the staff page of a story, below the conversation; they may annotate entries.
staff_story_page_sections: OrderedSlots[StaffStorySection] = OrderedSlots(
    "staff_story_page_sections", ("changes",)
)
# Parts of an organisation's page, top to bottom.
organisation_page_sections: OrderedSlots[OrganisationSection] = OrderedSlots(
    "organisation_page_sections", ("figures", "changes", "stories", "follow", "poster")
)
# Parts of the staff home (the inbox at /staff/), above its roles and stories.
staff_home_sections: OrderedSlots[StaffHomeSection] = OrderedSlots(
    "staff_home_sections", ("summary",)
)
# What each public response led to, shown beside it in the conversation.
response_outcomes: SingleSlot[ResponseOutcomes] = SingleSlot("response_outcomes")
# Where staff land after signing in, when no safe `next` says otherwise.
staff_landing: SingleSlot[StaffLanding] = SingleSlot("staff_landing")
# How far each story has come, and the condition for each step.
story_progress: SingleSlot[StoryProgress] = SingleSlot("story_progress")
# Whether a story has a published response (the search's "has a response").
story_responded: SingleSlot[StoryResponded] = SingleSlot("story_responded")
# What waits for a moderator, for the story queue's page.
moderation_waiting: SingleSlot[ModerationWaiting] = SingleSlot("moderation_waiting")
# The author's download (/my-story/<token>/download/): what apps above stories hold.
author_export_parts: OrderedSlots[AuthorExport] = OrderedSlots(
    "author_export_parts", ("conversation", "changes")
)
# The retention purge: apps above stories remove their words about a purged story.
story_purge_parts: OrderedSlots[StoryPurge] = OrderedSlots("story_purge_parts", ("conversation",))

POINTS: tuple[SingleSlot[Any] | OrderedSlots[Any], ...] = (
    story_page_sections,
    author_page_sections,
    staff_story_page_sections,
    organisation_page_sections,
    staff_home_sections,
    response_outcomes,
    staff_landing,
    story_progress,
    story_responded,
    moderation_waiting,
    author_export_parts,
    story_purge_parts,
)


@contextmanager
def isolated() -> Iterator[None]:
    """For tests: every point empty for the block (register into them as an app would),
    and back as it was afterwards."""
    held = [point._state() for point in POINTS]
    for point in POINTS:
        point._restore(None if isinstance(point, SingleSlot) else {})
    try:
        yield
    finally:
        for point, state in zip(POINTS, held, strict=True):
            point._restore(state)
