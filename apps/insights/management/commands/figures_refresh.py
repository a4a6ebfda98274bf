from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.insights.figures import figures_refresh
from apps.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Recompute the public figures of every organisation node in one statement, as the "
        "nightly task insights.refresh_figures does. Safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            help="the local date to count to, YYYY-MM-DD (default: today in TIME_ZONE)",
        )

    def handle(self, *args: Any, as_of: str | None, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--as-of must be a date such as 2026-11-23, not {as_of!r}") from exc
        nodes = Organisation.objects.count()
        self.stdout.write(f"Computing the figures of {nodes:,} organisation nodes as of {day}…")
        started = time.perf_counter()
        written = figures_refresh(as_of=day)
        seconds = time.perf_counter() - started
        skipped = nodes - written
        note = (
            f"; {skipped:,} marked again while it ran (or added) were left for their next view"
            if skipped
            else ""
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {written:,} rows in {seconds:.1f} s{note}."))
