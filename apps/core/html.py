"""The one place that turns user-supplied formatting into HTML.

Formatted text (responses may use paragraphs, lists and links) is cleaned once,
when it is written, with nh3's allow-list; everything else is escaped by the
templates. No other module imports the sanitiser.
"""

from __future__ import annotations

from typing import Any

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "a", "strong", "em"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def clean(html: str) -> str:
    """Keep only simple paragraphs, lists, emphasis and safe links."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
    )


def _markdown() -> Any:
    # CommonMark with raw HTML switched off: authors write paragraphs, lists, emphasis
    # and links; anything that looks like a tag is shown as text.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    md.disable(["image", "heading", "lheading", "code", "fence", "table", "hr"], True)
    return md


_RENDERER = _markdown()


def render(text: str) -> str:
    """Turn a response's simple formatting into clean HTML, once, when it is saved."""
    return clean(_RENDERER.render(text.strip()))
