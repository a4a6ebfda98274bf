"""Template filters for words shown to people."""

from __future__ import annotations

from django import template

register = template.Library()

ELLIPSIS = "…"


@register.filter
def shorten(value: object, length: int) -> str:
    """At most `length` characters, cut between words and ending in an ellipsis, with no
    space or stray punctuation before it. A single word longer than `length` is cut."""
    text = " ".join(str(value).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]  # room for the ellipsis
    if text[length - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]  # the last word would be cut short: leave it out
    return cut.rstrip(" ,;:.–-") + ELLIPSIS
