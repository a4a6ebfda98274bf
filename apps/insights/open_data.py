"""The open data: every published story and its published responses, as CSV and JSON,
with a README, written nightly into settings.OPEN_DATA_DIR and served by /open-data/.

Each dump is written into a fresh folder beside the last; when every file is complete,
the `current` link is switched to it in one step (a symbolic link replaced by rename) and
older dumps are removed. So a reader gets either the whole old dump or the whole new one,
and a dump that fails leaves the previous one in place.

Only public fields are written (the columns in `PUBLIC_COLUMNS`); nothing staff-only (the
criticality, the author's email, the moderator's note) is read. Rows of stories are not
aggregates, so the small-number rule does not apply to them; the README's totals are of
the whole site.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from apps.responses.models import Response
from apps.stories.models import Story, StoryStatus

from .exports import PUBLIC_COLUMNS, RESPONSE_COLUMNS, Column, Row, csv_text, for_export, story_rows

OPEN_STORY_COLUMNS = PUBLIC_COLUMNS
OPEN_RESPONSE_COLUMNS = RESPONSE_COLUMNS
STORIES_CSV = "stories.csv"
RESPONSES_CSV = "responses.csv"
STORIES_JSON = "stories.json"
README = "README.md"
MANIFEST = "manifest.json"
# The files a dump holds, and the type each is served with.
FILES = {
    STORIES_CSV: "text/csv; charset=utf-8",
    RESPONSES_CSV: "text/csv; charset=utf-8",
    STORIES_JSON: "application/json",
    README: "text/markdown; charset=utf-8",
}
CURRENT = "current"
DUMP_PREFIX = "dump-"


@dataclass(frozen=True)
class Dump:
    """What the latest dump holds: when it was made, how many rows, each file's size."""

    generated_at: dt.datetime
    stories: int
    responses: int
    sizes: dict[str, int]
    licence: str


def _base() -> Path:
    return Path(settings.OPEN_DATA_DIR)


def latest() -> Dump | None:
    """The latest complete dump, or None when there is none (or it cannot be read)."""
    try:
        manifest = json.loads((_base() / CURRENT / MANIFEST).read_text(encoding="utf-8"))
        return Dump(
            generated_at=dt.datetime.fromisoformat(manifest["generated_at"]),
            stories=int(manifest["stories"]),
            responses=int(manifest["responses"]),
            sizes={name: int(size) for name, size in manifest["sizes"].items()},
            licence=str(manifest["licence"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def file_path(name: str) -> Path | None:
    """The path of one file of the latest dump, if `name` is one of its files and it is
    there; else None. No other name is ever turned into a path."""
    if name not in FILES:
        return None
    path = _base() / CURRENT / name
    return path if path.is_file() else None


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _response_row(response: Response) -> Row:
    return [
        response.pk,
        response.story_id,
        response.organisation.name,
        response.author_name,
        response.author_job_title,
        response.published_at.isoformat() if response.published_at else None,
        response.body,
    ]


class _Writers:
    """The three data files of a dump, open together, written story by story."""

    def __init__(self, folder: Path) -> None:
        self.files: list[IO[str]] = [
            (folder / name).open("w", encoding="utf-8", newline="")
            for name in (STORIES_CSV, RESPONSES_CSV, STORIES_JSON)
        ]
        stories, responses, self.json = self.files
        self.stories = csv.writer(stories)
        self.responses = csv.writer(responses)
        self.stories.writerow([c.header for c in OPEN_STORY_COLUMNS])
        self.responses.writerow([c.header for c in OPEN_RESPONSE_COLUMNS])
        self.json.write("[")
        self.first = True

    def write(self, story: Any, row: Row) -> int:
        """One story's lines; returns how many responses it had."""
        self.stories.writerow([csv_text(value) for value in row])
        responses = [_response_row(r) for r in story.public_responses]
        self.responses.writerows([csv_text(value) for value in r] for r in responses)
        item = _as_object(OPEN_STORY_COLUMNS, row)
        item["responses"] = [_as_object(OPEN_RESPONSE_COLUMNS, r) for r in responses]
        self.json.write(("\n" if self.first else ",\n") + json.dumps(item, ensure_ascii=False))
        self.first = False
        return len(responses)

    def close(self) -> None:
        self.json.write("\n]\n")
        for file in self.files:
            file.close()


def _as_object(columns: list[Column], row: Row) -> dict[str, object]:
    return {column.key: _json_value(value) for column, value in zip(columns, row, strict=True)}


def _write_data(folder: Path, progress: Callable[[int, int], None]) -> tuple[int, int]:
    published = Story.objects.filter(status=StoryStatus.PUBLISHED)
    total = published.count()
    writers = _Writers(folder)
    stories = responses = 0
    try:
        for story, row in story_rows(for_export(published.order_by("pk"), staff=False), None):
            responses += writers.write(story, row)
            stories += 1
            if stories % settings.EXPORT_CHUNK == 0:
                progress(stories, total)
    finally:
        writers.close()
    progress(stories, total)
    return stories, responses


def readme_text(generated_at: dt.datetime, stories: int, responses: int) -> str:
    """The README: what the files are, every column and what it means, the licence."""
    licence, url = settings.OPEN_DATA_LICENCE, settings.OPEN_DATA_LICENCE_URL
    lines = [
        f"# {settings.SITE_NAME} open data",
        "",
        f"Made {generated_at.isoformat(timespec='seconds')}: {stories} published stories "
        f"and {responses} published responses. A new dump is made every night; "
        f"{settings.SITE_URL}/open-data/ always links to the latest.",
        "",
        "## Licence",
        "",
        f"Published under the {licence} ({url}). You may copy, publish, adapt and use it, "
        "also commercially, if you say where it came from, for example: "
        f"“Contains stories and responses from {settings.SITE_NAME}, published under the "
        f"{licence}.”",
        "",
        "## Files",
        "",
        f"- `{STORIES_CSV}`: one row per published story (UTF-8, comma-separated, a header "
        "row). A cell that would start with =, +, -, @, a tab or a carriage return starts "
        "with an apostrophe, so that no spreadsheet runs it as a formula.",
        f"- `{RESPONSES_CSV}`: one row per published response to a published story, "
        "oldest first for each story.",
        f"- `{STORIES_JSON}`: the same stories as a JSON array of objects (keys as below; "
        "dates as text; no apostrophes added), each with its `responses`.",
        "",
        "Only what the site shows in public is here: no email address, no moderator's note, "
        "no staff-only judgement. Each row is one story, not a count, so no figure is "
        "hidden for small numbers. Stories withdrawn or not yet published are not included; "
        "a story withdrawn since the last dump leaves at the next.",
        "",
        f"## Columns of {STORIES_CSV} (key in {STORIES_JSON})",
        "",
        *[f"- `{c.header}` (`{c.key}`): {c.meaning}" for c in OPEN_STORY_COLUMNS],
        "",
        f"## Columns of {RESPONSES_CSV} (key in each story's `responses`)",
        "",
        *[f"- `{c.header}` (`{c.key}`): {c.meaning}" for c in OPEN_RESPONSE_COLUMNS],
        "",
    ]
    return "\n".join(lines)


def _switch(folder: Path) -> None:
    """Point `current` at the folder in one step, then remove the older dumps."""
    base = _base()
    link = base / f".{CURRENT}-{folder.name}"
    link.symlink_to(folder.name, target_is_directory=True)
    os.replace(link, base / CURRENT)
    for old in base.glob(f"{DUMP_PREFIX}*"):
        if old.name != folder.name and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def open_data_dump(progress: Callable[[int, int], None] = lambda done, total: None) -> Dump:
    """Write a new dump and make it the current one; `progress(done, total)` hears of each
    batch of stories. Raises OSError or a database error on failure, after removing the
    partial folder: the previous dump stays current."""
    base = _base()
    base.mkdir(parents=True, exist_ok=True)
    generated_at = timezone.now().replace(microsecond=0)
    work = Path(tempfile.mkdtemp(prefix=".writing-", dir=base))
    try:
        stories, responses = _write_data(work, progress)
        (work / README).write_text(readme_text(generated_at, stories, responses), "utf-8")
        sizes = {name: (work / name).stat().st_size for name in FILES}
        manifest = {
            "generated_at": generated_at.isoformat(),
            "stories": stories,
            "responses": responses,
            "sizes": sizes,
            "licence": settings.OPEN_DATA_LICENCE,
        }
        (work / MANIFEST).write_text(json.dumps(manifest), "utf-8")
        folder = base / f"{DUMP_PREFIX}{generated_at:%Y%m%dT%H%M%S}-{work.name[-8:]}"
        work.rename(folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _switch(folder)
    return Dump(generated_at, stories, responses, sizes, settings.OPEN_DATA_LICENCE)
