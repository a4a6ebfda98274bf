"""The site's two languages: English at the plain addresses, Welsh under /cy/.

The language of a page is the language of its address, so a link, a bookmark and a
cache all name one language. The language switch (Django's set_language) remembers a
person's choice in a cookie; an English address opened with Welsh remembered goes to
its Welsh address, so the choice survives a typed or bookmarked address too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import get_language_from_path
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .origin import same_origin
from .view_markers import is_cookie_free

WELSH = "cy"
ENGLISH = "en-gb"
# The BCP 47 tag a page's lang and hreflang attributes carry.
HTML_TAGS = {ENGLISH: "en-GB", WELSH: "cy"}


def remembered(request: HttpRequest) -> str | None:
    """The language a person chose with the switch, if any."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else None


def address_in(request: HttpRequest, language: str) -> str | None:
    """This page's address in the language, or None where the page has only one
    (the API, health checks) or the address is no page at all."""
    here = request.get_full_path()
    there = translate_url(here, language)
    if there != here or get_language_from_path(request.path_info) == language:
        return there
    if language == settings.LANGUAGE_CODE:
        return here  # an English page whose address has no Welsh twin is still English
    return None


class LanguageMiddleware:
    """Activates the language of the address; takes a person who chose Welsh from an
    English address to the Welsh one (reads only, never a form's POST or htmx). Views
    that must set no cookie and not vary by one (feeds, the widget) are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", HTML_TAGS.get(language, language))
        if language == settings.LANGUAGE_CODE and getattr(request, "_language_by_cookie", False):
            patch_vary_headers(response, ["Cookie"])
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if is_cookie_free(view) or request.LANGUAGE_CODE != settings.LANGUAGE_CODE:
            return None
        if not _has_welsh_twin(request):
            return None  # one language only (the API, health checks): no cookie is read
        # An English address whose answer depends on the remembered language.
        request._language_by_cookie = True  # type: ignore[attr-defined]
        if (
            request.method in {"GET", "HEAD"}
            and "HX-Request" not in request.headers
            and remembered(request) == WELSH
        ):
            response: HttpResponse = HttpResponseRedirect(
                translate_url(request.get_full_path(), WELSH)
            )
            patch_vary_headers(response, ["Cookie"])
            return response
        return None


# Whether the addresses of a URL pattern have a Welsh twin, by the pattern: the same for
# every address it matches (it lies inside i18n_patterns or not), so worked out once.
_TWINNED: dict[tuple[str, str], bool] = {}


def _has_welsh_twin(request: HttpRequest) -> bool:
    """Whether this English address has a Welsh one. Asking translate_url (a resolve and
    a reverse) on every request was an eighth of a kept page's time."""
    match = request.resolver_match
    key = (match.route, match.view_name) if match is not None else None
    if key is not None and key in _TWINNED:
        return _TWINNED[key]
    here = request.get_full_path()
    twinned = translate_url(here, WELSH) != here
    if key is not None:
        _TWINNED[key] = twinned
    return twinned


@dataclass(frozen=True)
class LanguageLink:
    code: str
    tag: str  # for lang and hreflang
    name: str  # in its own language, as a switch shows it
    url: str
    current: bool


def language_links(request: HttpRequest) -> list[LanguageLink]:
    """This page in each of the site's languages (none when the page has only one)."""
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        url = address_in(request, code)
        if url is None:
            return []
        links.append(LanguageLink(code, HTML_TAGS.get(code, code), name, url, code == current))
    return links


@same_origin
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The language switch: remembers the choice and goes to the same page in it.
    (Django's set_language, reading the page's address in the page's own language.)"""
    page = request.POST.get("next", "")
    with translation.override(get_language_from_path(page) or settings.LANGUAGE_CODE):
        return set_language(request)
