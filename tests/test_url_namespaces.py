"""Every URL namespace is in the table of docs/development.md, which says which app
serves it and, where the two differ, why."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import get_resolver

DOC = Path(settings.BASE_DIR) / "docs" / "development.md"


def _documented() -> set[str]:
    section = DOC.read_text().split("## URL namespaces", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))


def test_every_url_namespace_is_documented() -> None:
    namespaces = set(get_resolver().namespace_dict)
    assert namespaces - _documented() == set(), "add them to docs/development.md"
    assert _documented() - namespaces == set(), "namespaces no longer in use"
