""" "Follow this organisation" on its page: the feed links and the widget's code.
Registered as the organisation page's "follow" section; it reads nothing from the database."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.extensions import Section
from apps.organisations.models import Organisation

ATOM = "application/atom+xml"


def organisation_follow(request: HttpRequest, organisation: Organisation) -> Section:
    """The subtree's feed (and, for a node with parts, the feed of the node alone), and the
    iframe code that puts the widget on another site. No query."""
    feeds = [
        {
            "href": reverse("feeds:organisation", kwargs={"slug": organisation.slug}),
            "title": _("Stories about %(name)s") % {"name": organisation.name},
            "type": ATOM,
            "hint": _("every story about it and its parts") if organisation.numchild else "",
        }
    ]
    if organisation.numchild:
        feeds.append(
            {
                "href": reverse("feeds:service", kwargs={"slug": organisation.slug}),
                "title": _("Stories naming %(name)s itself") % {"name": organisation.name},
                "type": ATOM,
                "hint": _("only stories told about it, not about its parts"),
            }
        )
    widget = reverse("feeds:widget", kwargs={"slug": organisation.slug})
    snippet = render_to_string(
        "feeds/_widget_snippet.txt",
        {
            "src": settings.SITE_URL + widget,
            "name": organisation.name,
            "site_name": settings.SITE_NAME,
        },
    ).strip()
    return Section(
        "feeds/_organisation_follow.html",
        # `head_links` are for the page's <head> (feed readers and browsers discover them).
        {"feeds": feeds, "head_links": feeds, "snippet": snippet, "widget": widget},
    )
