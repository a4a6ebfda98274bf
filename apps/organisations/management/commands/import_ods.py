from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.organisations.ods import Layout, RowError, layout_for_filename, parse
from apps.organisations.services import ImportRejected, organisation_import_ods

MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import an NHS ODS extract: etr.csv (trusts), ets.csv (trust sites) or "
        "epraccur.csv (GP practices). Safe to repeat; all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the CSV file, as downloaded from ODS")
        parser.add_argument(
            "--layout",
            choices=[layout.value for layout in Layout],
            help="which extract this is; worked out from the file name when it is "
            "etr.csv, ets.csv or epraccur.csv",
        )

    def handle(self, *args: Any, path: Path, layout: str | None, **options: Any) -> None:
        chosen = Layout(layout) if layout else layout_for_filename(path.name)
        if chosen is None:
            raise CommandError(
                f"Cannot tell which ODS extract {path.name} is: pass --layout "
                + "|".join(layout.value for layout in Layout)
            )
        text = self._read(path)
        total_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        self.stdout.write(f"Checking {total_lines:,} lines of {path.name} as {chosen.value}…")
        parsed = parse(
            text, chosen, progress=lambda line: self._progress("Checked", line, total_lines)
        )
        if parsed.errors:
            self._fail(parsed.errors, path)
        self.stdout.write(f"Importing {len(parsed.records):,} organisations…")
        try:
            result = organisation_import_ods(
                records=parsed.records,
                layout=chosen,
                progress=lambda done, total: self._progress("Applied", done, total),
            )
        except ImportRejected as exc:
            self._fail(exc.errors, path)
        r = result
        summary = (
            f"Created {r.created:,}, updated {r.updated:,}, closed {r.closed:,}, "
            f"reopened {r.reopened:,}, moved {r.moved:,}, unchanged {r.unchanged:,}; "
            f"skipped {parsed.skipped:,} rows that are not in scope."
        )
        self.stdout.write(self.style.SUCCESS(summary))

    def _read(self, path: Path) -> str:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            # Older extracts are Windows-1252.
            return raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise CommandError(
                f"{path.name}: line {line}: byte {raw[exc.start]:#x} is neither UTF-8 nor "
                "Windows-1252 text; nothing was changed."
            ) from exc

    def _progress(self, verb: str, done: int, total: int) -> None:
        if total >= 2000:
            self.stderr.write(f"  {verb} {done:,} of {total:,} ({done * 100 // max(total, 1)}%)")
            sys.stderr.flush()

    def _fail(self, errors: list[RowError], path: Path) -> None:
        for error in errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(f"{path.name}: {error}")
        if len(errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"…and {len(errors) - MAX_ERRORS_SHOWN} more.")
        raise CommandError(
            f"{len(errors)} row(s) of {path.name} cannot be imported; nothing was changed."
        )
