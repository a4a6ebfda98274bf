from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from apps.insights.open_data import open_data_dump


class Command(BaseCommand):
    help = (
        "Write the open data (every published story and its published responses, as CSV "
        "and JSON, with a README) into OPEN_DATA_DIR and make it the one /open-data/ serves, "
        "as the nightly task insights.open_data_dump does. The previous dump stays in place "
        "until the new one is complete. Safe to repeat."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = settings.OPEN_DATA_DIR
        self.stdout.write(f"Writing the open data into {folder}…")
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done:,} of {total:,} stories")

        try:
            dump = open_data_dump(progress)
        except OSError as exc:
            raise CommandError(
                f"The open data could not be written into {folder}: {exc}. The previous dump, "
                "if any, is still the one served. Check that the folder (OPEN_DATA_DIR) exists "
                "or can be made, is writable, and that the disk has room."
            ) from exc
        except DatabaseError as exc:
            raise CommandError(
                f"The stories could not be read from the database: {exc}. The previous "
                "dump, if any, is still the one served."
            ) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {dump.stories:,} stories and {dump.responses:,} responses in "
                f"{seconds:.1f} s; /open-data/ now serves them."
            )
        )
