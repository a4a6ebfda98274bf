"""A merge left half done must not land: no file of the project holds conflict markers."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("apps", "config", "docs", "templates", "static", "tests", "fixtures", ".ci")
SUFFIXES = {".py", ".md", ".html", ".txt", ".css", ".js", ".toml", ".json", ".yml", ".yaml", ""}
# The opening and closing markers; a lone "=======" may be a Markdown underline.
MARKER = re.compile(r"^(<{7}|>{7}) ", re.MULTILINE)


def _project_files() -> list[Path]:
    files = [p for p in ROOT.glob("*") if p.is_file() and p.suffix in SUFFIXES]
    for folder in FOLDERS:
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return files


def test_no_file_holds_merge_conflict_markers() -> None:
    found = []
    for path in _project_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if MARKER.search(text):
            found.append(str(path.relative_to(ROOT)))
    assert found == [], f"merge conflict markers in: {found}"


def test_the_check_finds_a_marker() -> None:
    assert MARKER.search("text\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> branch\n")
    assert not MARKER.search("a heading\n=======\n")
