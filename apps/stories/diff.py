"""A word-by-word difference between two texts, for the author to see what changed."""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> SafeString:
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    parts: list[str] = []
    # Translators: read out by a screen reader after words a moderator took out.
    removed = pgettext("words of a text", "removed")
    # Translators: read out by a screen reader after words a moderator put in.
    added = pgettext("words of a text", "added")
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old[a1:a2])))
            continue
        if a2 > a1:
            parts.append(_wrap("del", "".join(old[a1:a2]), removed))
        if b2 > b1:
            parts.append(_wrap("ins", "".join(new[b1:b2]), added))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped in _wrap


def _wrap(tag: str, text: str, spoken: str) -> str:
    return f'<{tag}>{escape(text)}<span class="visually-hidden"> ({escape(spoken)})</span></{tag}>'
