"""The change register as CSV: a selector that yields the file's lines, so the view only
streams them."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from apps.core.cells import Echo, csv_cell

from .models import Change

EXPORT_COLUMNS = [
    "id",
    "status",
    "overdue",
    "what will change",
    "service",
    "service ODS code",
    "by when",
    "what changed",
    "made on",
    "why not going ahead",
    "latest step on",
    "recorded by",
    "recorded on",
    "stories",
]


def register_csv_lines(changes: QuerySet[Change], today: dt.date) -> Iterator[str]:
    """The header, then one line per change (read in chunks, so a long register is never
    all in memory). `changes` comes from `selectors.register`, with its links prefetched."""
    writer = csv.writer(Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for change in changes.iterator(chunk_size=500):
        yield writer.writerow([csv_cell(value) for value in _row(change, today)])


def _row(change: Change, today: dt.date) -> tuple[object, ...]:
    return (
        change.pk,
        change.get_status_display(),
        "yes" if change.is_overdue(today) else "",
        change.summary,
        change.organisation.name,
        change.organisation.ods_code or "",
        change.due_on.isoformat(),
        change.made_summary,
        change.made_on.isoformat() if change.made_on else "",
        change.reason,
        change.status_on.isoformat(),
        change.recorded_by_name,
        timezone.localtime(change.created_at).date().isoformat(),
        " ".join(settings.SITE_URL + link.story.get_absolute_url() for link in change.public_links),
    )
