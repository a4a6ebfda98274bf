"""Atom feeds of published stories, built with Django's syndication framework.

Every address in a feed starts with settings.SITE_URL, not the Host header, so entry
ids stay the same whichever address the feed was fetched through, and a cached feed
can never carry a forged host.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from apps.core.text import xml_safe
from apps.organisations.models import Organisation
from apps.stories.models import Tag
from apps.stories.taxonomy import TagGroup

from . import selectors
from .selectors import FeedEntry

SUMMARY_WORDS = 50


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


class XmlSafeGenerator(SimplerXMLGenerator):
    """Writes text and attributes without the characters XML 1.0 cannot hold. Input is
    cleaned of them now (apps.core.middleware), but a story stored before that, or text
    from an import, must not make its every feed fail."""

    def characters(self, content: str) -> None:
        super().characters(xml_safe(content))

    def startElement(self, name: str, attrs: Any) -> None:  # noqa: N802 - SAX's name
        # Django's writer is given plain dicts, as here, though typeshed names SAX's class.
        cleaned = {key: xml_safe(value) for key, value in attrs.items()}
        super().startElement(name, cleaned)  # type: ignore[arg-type]


class ConversationAtomFeed(Atom1Feed):
    """Atom with each entry's story and conversation as HTML content (escaped into the
    XML by the writer), and the story's opening words as a plain-text summary."""

    def write(self, outfile: Any, encoding: str) -> None:
        # Atom1Feed.write, with the writer that drops characters XML forbids.
        handler = XmlSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        # Django writes the description as an HTML summary; here it is plain text.
        super().add_item_elements(handler, {**item, "description": None})
        # The summary is the story's own words: in its language ("" for another, unknown
        # one); the content marks the story's parts in its HTML (lang attributes).
        handler.addQuickElement(
            "summary", item["description"], {"type": "text", "xml:lang": item["language"]}
        )
        handler.addQuickElement("content", item["content"], {"type": "html"})


@dataclass(frozen=True)
class FeedScope:
    """What one feed is about: its words, its addresses (paths) and its entries."""

    title: str
    subtitle: str
    page_path: str
    feed_path: str
    entries: list[FeedEntry]


class StoryFeed(Feed):
    """A feed of published stories; one instance per request, made with its scope."""

    feed_type = ConversationAtomFeed

    def __init__(self, scope: FeedScope) -> None:
        self.scope = scope

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedScope:
        return self.scope

    def title(self, scope: FeedScope) -> str:
        return f"{scope.title} – {settings.SITE_NAME}"

    def subtitle(self, scope: FeedScope) -> str:
        return scope.subtitle

    def link(self, scope: FeedScope) -> str:
        return absolute(scope.page_path)

    def feed_url(self, scope: FeedScope) -> str:
        return absolute(scope.feed_path)

    def feed_guid(self, scope: FeedScope) -> str:
        # Two feeds may share a page (a node's subtree and the node alone); their ids
        # must still differ, so a feed is named by its own address.
        return absolute(scope.feed_path)

    def author_name(self) -> str:
        return settings.SITE_NAME

    def items(self, scope: FeedScope) -> list[FeedEntry]:
        return scope.entries

    def item_title(self, entry: FeedEntry) -> str:
        # Atom titles are text: the XML writer escapes them once (Django's default
        # escapes them a second time, for RSS readers that treat titles as HTML).
        return entry.story.display_title

    def item_link(self, entry: FeedEntry) -> str:
        return absolute(entry.story.get_absolute_url())

    def item_guid(self, entry: FeedEntry) -> str:
        return self.item_link(entry)

    def item_description(self, entry: FeedEntry) -> str:
        return Truncator(entry.story.body).words(SUMMARY_WORDS)

    def item_pubdate(self, entry: FeedEntry) -> Any:
        return entry.story.published_at

    def item_updateddate(self, entry: FeedEntry) -> Any:
        return entry.updated

    def item_author_name(self, entry: FeedEntry) -> str:
        return entry.story.pseudonym

    def item_categories(self, entry: FeedEntry) -> list[str]:
        return [str(story_tag.tag.label) for story_tag in entry.tags]

    def item_extra_kwargs(self, entry: FeedEntry) -> dict[str, str]:
        return {
            "content": render_to_string(
                "feeds/_entry.html",
                {
                    "entry": entry,
                    "story": entry.story,
                    # One list, so that the sentence naming them is whole in each language.
                    "services": format_html_join(
                        ", ",
                        '<a href="{}{}">{}</a>',
                        (
                            (settings.SITE_URL, service.get_absolute_url(), service.display_name)
                            for service in entry.services
                        ),
                    ),
                    "site_url": settings.SITE_URL,
                    "site_name": settings.SITE_NAME,
                },
            ),
            "language": entry.story.html_lang,
        }


def subtree_scope(organisation: Organisation) -> FeedScope:
    """Stories about the node or anything beneath it: what its page lists."""
    return FeedScope(
        title=_("Stories about %(name)s") % {"name": organisation.name},
        subtitle=_(
            "Stories of care told about %(name)s and every part of it, "
            "with the answers of its staff."
        )
        % {"name": organisation.name},
        page_path=organisation.get_absolute_url(),
        feed_path=reverse("feeds:organisation", kwargs={"slug": organisation.slug}),
        entries=selectors.feed_entries(
            selectors.stories_under(organisation), limit=settings.FEED_ENTRIES
        ),
    )


def service_scope(organisation: Organisation) -> FeedScope:
    """Stories that name this node itself, not only a part beneath it."""
    return FeedScope(
        title=_("Stories naming %(name)s") % {"name": organisation.name},
        subtitle=_("Stories of care told about %(name)s itself, with the answers of its staff.")
        % {"name": organisation.name},
        page_path=organisation.get_absolute_url(),
        feed_path=reverse("feeds:service", kwargs={"slug": organisation.slug}),
        entries=selectors.feed_entries(
            selectors.stories_naming(organisation), limit=settings.FEED_ENTRIES
        ),
    )


def tag_scope(tag: Tag) -> FeedScope:
    """Stories carrying one tag, whichever organisation they are about."""
    label = str(tag.label)
    if tag.group == TagGroup.FEELING:
        title = _("Stories where people felt %(feeling)s") % {"feeling": label}
        subtitle = _("Stories of care, about any organisation, where people felt %(feeling)s.") % {
            "feeling": label
        }
    else:
        title = _("Stories about %(topic)s") % {"topic": label}
        subtitle = _("Stories of care, about any organisation, where %(topic)s stood out.") % {
            "topic": label
        }
    return FeedScope(
        title=title,
        subtitle=subtitle,
        page_path=f"{reverse('stories:list')}?{urlencode({'tag': tag.slug})}",
        feed_path=reverse("feeds:tag", kwargs={"slug": tag.slug}),
        entries=selectors.feed_entries(selectors.stories_tagged(tag), limit=settings.FEED_ENTRIES),
    )
