from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .languages import HTML_TAGS, language_links
from .pagecache import is_public_page


def site(request: HttpRequest) -> dict[str, Any]:
    return {"site_name": settings.SITE_NAME, "public_page": is_public_page(request)}


def languages(request: HttpRequest) -> dict[str, Any]:
    """The page's language as an HTML tag, and the page in every language (worked out
    only when a template reads it: the switch and the hreflang alternates)."""
    code = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return {
        "html_lang": HTML_TAGS.get(code, code),
        "language_links": SimpleLazyObject(lambda: language_links(request)),
    }
