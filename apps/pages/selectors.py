"""Reads of the site's own pages: an admin's saved text, or the shipped default."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from apps.core.html import render_page

from .defaults import default_text
from .models import Page, PageSlug


@dataclass(frozen=True)
class PageContent:
    slug: str
    title: str
    body: str  # the text an admin edits
    html: SafeString
    version: int  # 0 while the default is shown
    page: Page | None  # None while the default is shown


def page_content(slug: str) -> PageContent:
    """One page, in one query. Raises KeyError for a slug that is not one of the pages."""
    title = str(PageSlug(slug).label) if slug in PageSlug.values else None
    if title is None:
        raise KeyError(slug)
    page = Page.objects.select_related("updated_by").filter(slug=slug).first()
    if page is None:
        body = default_text(slug)
        # The default is the project's own text, cleaned like any other.
        return PageContent(slug, title, body, mark_safe(render_page(body)), 0, None)  # noqa: S308
    # body_html was rendered and cleaned by apps.core.html when it was saved.
    return PageContent(slug, title, page.body, mark_safe(page.body_html), page.version, page)  # noqa: S308


def pages_overview() -> list[tuple[str, str, Page | None]]:
    """Every page with its title and the admin's saved row, if any: one query."""
    saved = {page.slug: page for page in Page.objects.select_related("updated_by")}
    return [(slug, str(label), saved.get(slug)) for slug, label in PageSlug.choices]
