"""The board report's PDF: apps.core.pdf, after giving each chart its own patterns."""

from __future__ import annotations

import re

from apps.core import pdf as core_pdf
from apps.core.pdf import PdfError

__all__ = ["PdfError", "html_to_pdf", "inline_svg_defs"]


_DEFS = re.compile(r'<svg class="svg-defs"[^>]*>(<defs>.*?</defs>)</svg>', re.S)
_SVG = re.compile(r"(<svg\b[^>]*>)(.*?</svg>)", re.S)
_PATTERN_ID = re.compile(r'id="(insight-[a-z-]+)"')


def inline_svg_defs(html: str) -> str:
    """Give every SVG that fills with the page's shared patterns (templates/insights/
    _defs.html) its own copy of them, under ids of its own: WeasyPrint draws each inline
    SVG on its own, so a fill of `url(#insight-improve)` in one cannot reach the pattern
    defined in another, and the hatching would vanish from the PDF."""
    found = _DEFS.search(html)
    if found is None:
        return html
    defs = found.group(1)
    names = _PATTERN_ID.findall(defs)
    html = html[: found.start()] + html[found.end() :]
    count = 0

    def own_copy(match: re.Match[str]) -> str:
        nonlocal count
        opening, rest = match.groups()
        if "url(#insight-" not in rest:
            return match.group(0)
        count += 1
        copy = defs
        for name in names:
            copy = copy.replace(f'id="{name}"', f'id="{name}-{count}"')
            rest = rest.replace(f"url(#{name})", f"url(#{name}-{count})")
        return opening + copy + rest

    return _SVG.sub(own_copy, html)


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """The report's PDF: core's, with each chart's shared patterns copied into it."""
    return core_pdf.html_to_pdf(inline_svg_defs(html), base_url=base_url)
