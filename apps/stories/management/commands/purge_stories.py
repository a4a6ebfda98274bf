from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from apps.stories.retention import stories_due_for_purge, stories_purge


class Command(BaseCommand):
    help = (
        "Delete for good the words of stories withdrawn or rejected PURGE_AFTER_DAYS ago "
        "(and erased emails, old sent mail), as the nightly task stories.purge does. "
        "Cannot be undone. Safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="say how many stories are due, change nothing"
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        now = timezone.now()
        due = stories_due_for_purge(now).count()
        days = settings.PURGE_AFTER_DAYS
        self.stdout.write(f"{due:,} stories closed more than {days} days ago still hold words.")
        if dry_run:
            return
        started = time.perf_counter()
        run = stories_purge(
            now=now, progress=lambda done: self.stdout.write(f"  purged {done:,} of {due:,}…")
        )
        seconds = time.perf_counter() - started
        rows = ", ".join(f"{kind} {count:,}" for kind, count in sorted(run.rows.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Purged {run.stories:,} stories in {seconds:.1f} s ({rows or 'no rows'}); "
                f"deleted {run.old_emails:,} sent emails older than {days} days."
            )
        )
