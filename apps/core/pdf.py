"""HTML to PDF with WeasyPrint, fetching nothing but the site's own static files (the
board report, posters and cards)."""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage


class PdfError(Exception):
    """The PDF could not be made (WeasyPrint or its system libraries missing, or any
    failure while rendering)."""


def _static_file(url: str) -> str | None:
    """The file on disk behind a static URL of this site, or None."""
    path = urlsplit(url).path
    if not path.startswith(settings.STATIC_URL):
        return None
    name = path[len(settings.STATIC_URL) :]
    found = finders.find(name)
    if isinstance(found, str):
        return found
    try:
        return str(staticfiles_storage.path(name))
    except (NotImplementedError, ValueError):
        return None


def _static_fetcher() -> Any:
    """WeasyPrint's URL fetcher that serves the site's stylesheet and images from disk and
    fetches nothing else: the page is rendered on the server, where an address fetched
    from the network could reach inside it."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            found = _static_file(url)
            if found is None:
                raise ValueError(f"Not fetched for a PDF: {url[:200]}")
            with open(found, "rb") as handle:
                body = handle.read()
            kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})

    return StaticOnly()


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF of the page. Raises PdfError, with the cause chained, on any failure."""
    try:
        # Imported here: without pango and harfbuzz the import itself fails, and the
        # pages that offer a PDF must still work.
        from weasyprint import HTML

        page = HTML(string=html, base_url=base_url, url_fetcher=_static_fetcher())
        pdf = page.write_pdf()
    except Exception as exc:  # any failure leaves the caller its fallback
        raise PdfError(str(exc)[:200]) from exc
    if not isinstance(pdf, bytes):
        raise PdfError("WeasyPrint returned no PDF")
    return pdf
