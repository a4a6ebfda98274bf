"""Marks a view carries for the middleware: responses that set no cookie (`cookie_free`),
and responses that belong to one person though nobody is signed in (`private`)."""

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

View = TypeVar("View", bound=Callable[..., Any])


class _Marked(Protocol):
    """A view function with the marks set on it. They are attributes of the function, not
    entries in a registry, because `functools.wraps` copies them onto every decorator that
    wraps a marked view, so the function the URL resolver holds carries them too."""

    cookie_free: bool
    private: bool


def cookie_free(view: View) -> View:
    """Mark a view whose responses must set no cookie and not vary by one (the widget that
    other sites embed, the feeds): middleware that would read or write the session skips
    it. The view itself must not touch the session, the user or a CSRF token."""
    cast(_Marked, view).cookie_free = True
    return view


def is_cookie_free(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, "cookie_free", False))


def private(view: View) -> View:
    """Mark a view whose every response belongs to one person even when nobody is signed
    in (a page reached by a private link): it is sent `Cache-Control: private, no-store`
    (apps.core.middleware.PrivateCacheMiddleware)."""
    cast(_Marked, view).private = True
    return view


def is_private(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, "private", False))
