"""Sections that other apps add to an organisation's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Section:
    """A part of the organisation page: a template and what it needs.

    Providers are listed in settings.ORGANISATION_PAGE_SECTIONS as dotted paths to
    callables `(request, organisation) -> Section`, each in a fixed number of queries.
    """

    template: str
    context: dict[str, Any] = field(default_factory=dict)
