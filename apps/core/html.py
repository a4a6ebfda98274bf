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


# The site's own pages (terms, privacy notice...) may also have section headings.
PAGE_TAGS = ALLOWED_TAGS | {"h2", "h3"}


def clean(html: str, *, tags: set[str] = ALLOWED_TAGS) -> str:
    """Keep only simple paragraphs, lists, emphasis and safe links (and `tags`)."""
    return nh3.clean(
        html,
        tags=tags,
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


def _page_markdown() -> Any:
    # As above, with headings. The page has its own h1, so "#" and "##" become h2 and
    # anything deeper h3: the outline stays whole whatever the writer typed.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    md.disable(["image", "lheading", "code", "fence", "table", "hr"], True)

    def shift_headings(state: Any) -> None:
        for token in state.tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = "h2" if token.tag in ("h1", "h2") else "h3"

    md.core.ruler.push("shift_headings", shift_headings)
    return md


_RENDERER = _markdown()
_PAGE_RENDERER = _page_markdown()


def render(text: str) -> str:
    """Turn a response's simple formatting into clean HTML, once, when it is saved."""
    return clean(_RENDERER.render(text.strip()))


def render_page(text: str) -> str:
    """The same for the site's own pages, which may also have headings."""
    return clean(_PAGE_RENDERER.render(text.strip()), tags=PAGE_TAGS)
