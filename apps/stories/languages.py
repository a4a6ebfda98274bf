"""A story's two languages (docs/languages.md, "Stories in any language"): the language
it is written in (`Story.language`, a BCP 47 code of `StoryLanguage`), and the site
language its author used when telling it (`Story.author_language`, en-gb or cy), in
which every email to the author is written, its links included.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from django.conf import settings
from django.utils import translation

from apps.core.languages import WELSH as SITE_WELSH

from .taxonomy import ENGLISH, WELSH

if TYPE_CHECKING:
    from .models import Story

P = ParamSpec("P")
R = TypeVar("R")


def site_language() -> str:
    """The site language of the page being served (a code of settings.LANGUAGES), the
    site's default where none is active (a task, a management command)."""
    active = translation.get_language() or settings.LANGUAGE_CODE
    try:
        code = translation.get_supported_language_variant(active)
    except LookupError:
        return str(settings.LANGUAGE_CODE)
    return code if code in dict(settings.LANGUAGES) else str(settings.LANGUAGE_CODE)


def page_story_language() -> str:
    """The language a story told on this page is in unless its author says otherwise:
    Welsh on the Welsh pages (/cy/…), English on the others."""
    return WELSH if site_language() == SITE_WELSH else ENGLISH


def entered_author_language(language: str) -> str:
    """The language to write to the author of a story staff typed in: Welsh for a story
    written in Welsh, English for one in English, else the language of the page it was
    typed in (the author never used the site, so their own words are the best clue)."""
    if language == WELSH:
        return SITE_WELSH
    if language == ENGLISH:
        return str(settings.LANGUAGE_CODE)
    return site_language()


def author_language(story: Story) -> str:
    """The site language to write to the story's author in."""
    chosen = story.author_language
    return chosen if chosen in dict(settings.LANGUAGES) else str(settings.LANGUAGE_CODE)


def in_author_language(
    story_of: Callable[..., Story] | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Runs a function that writes to a story's author in the author's language, so its
    subject, text and links (reverse gives /cy/… addresses under Welsh) are theirs,
    whatever the language of the page or task that caused it. The story is the
    function's first argument, or what `story_of` makes of it (a response: its story)."""

    def decorate(write: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(write)
        def written(*args: P.args, **kwargs: P.kwargs) -> R:
            first: Any = args[0] if args else next(iter(kwargs.values()))
            story = story_of(first) if story_of is not None else first
            with translation.override(author_language(story)):
                return write(*args, **kwargs)

        return written

    return decorate
