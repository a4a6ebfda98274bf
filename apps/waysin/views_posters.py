"""Posters and cards (docs/ways-in.md, "Posters and cards"): the QR code's address, which
serves the tell form for one service, and the public page and files to print."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from apps.core.extensions import Section
from apps.core.http import HtmxHttpRequest
from apps.core.pdf import PdfError
from apps.organisations.models import Organisation
from apps.organisations.selectors import with_place
from apps.stories.easy import Asks
from apps.stories.models import Story
from apps.stories.taxonomy import Channel
from apps.stories.views import Way, tell_page
from apps.stories.views_easy import EasyWay, easy_page, web_limited, web_limited_message

from . import posters

logger = logging.getLogger(__name__)

CONTENT_TYPES = {"pdf": "application/pdf", "svg": "image/svg+xml"}


def _nothing_more(story: Story) -> None:
    """A poster's story needs no origin row: its channel and its service say it all."""


@require_http_methods(["GET", "POST"])
def qr(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """The tell form with the code's service chosen; the story's channel is `qr`."""
    node = posters.node_for_code(code)
    if node is None:
        raise Http404("No such code")
    way = Way(
        channel=Channel.QR,
        action=reverse("posters:qr", kwargs={"code": posters.code_for(node)}),
        services=[str(node.pk)],
        record=_nothing_more,
        easy=reverse("posters:qr_easy", kwargs={"code": posters.code_for(node)}),
    )
    return tell_page(request, way=way)


@require_http_methods(["GET", "POST"])
def qr_easy(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """The easy-read pages with the code's service chosen (docs/easy-read.md); channel `qr`."""
    node = posters.node_for_code(code)
    if node is None:
        raise Http404("No such code")
    code = posters.code_for(node)
    place = with_place(Organisation.objects.filter(pk=node.pk)).get()
    way = EasyWay(
        key=f"qr:{node.pk}",
        channel=Channel.QR,
        action=reverse("posters:qr_easy", kwargs={"code": code}),
        asks=Asks(places=[place], when=True, email=True),
        record=_nothing_more,
        limited=web_limited,
        limited_message=web_limited_message(),
        standard=reverse("posters:qr", kwargs={"code": code}),
    )
    return easy_page(request, way=way)


def _node(slug: str) -> Organisation:
    node = posters.node_for_slug(slug)
    if node is None:
        raise Http404("No such organisation")
    return node


@require_safe
def page(request: HttpRequest, slug: str) -> HttpResponse:
    """The poster and card to see and download: public, so anyone may print them."""
    art = posters.artwork_for(_node(slug))
    return render(request, "waysin/poster.html", _page_context(art))


def _page_context(art: posters.Artwork) -> dict[str, object]:
    return {
        "art": art,
        "organisation": art.node,
        "poster_svg": posters.svg(art, posters.POSTER),
        "card_svg": posters.svg(art, posters.CARD),
    }


@require_safe
def download(request: HttpRequest, slug: str, kind: str, fmt: str) -> HttpResponse:
    """The poster or card as a PDF or SVG file. A PDF that cannot be made leaves the
    page, saying so, with the SVG files still to download."""
    art = posters.artwork_for(_node(slug))
    if fmt == "svg":
        body = posters.svg_file(art, kind)
    else:
        try:
            body = posters.pdf(art, kind, base_url=request.build_absolute_uri("/"))
        except PdfError:
            logger.exception("The %s PDF of %s could not be made", kind, art.slug)
            context = {**_page_context(art), "pdf_failed": True}
            return render(request, "waysin/poster.html", context, status=503)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{kind}-{art.slug}.{fmt}"'
    return response


def organisation_poster(request: HttpRequest, organisation: Organisation) -> Section:
    """The organisation page's way to its poster and card; none for a closed node (its
    code leads nowhere). No query."""
    if not organisation.is_active:
        return Section("waysin/_poster_section.html", {})
    url = reverse("posters:page", kwargs={"slug": organisation.slug})
    return Section("waysin/_poster_section.html", {"url": url})
