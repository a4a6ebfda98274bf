"""Answers remembered for one request, and only one.

`RequestMemoMiddleware` opens a fresh memo for each request and drops it when the
response is made, so nothing read in one request is trusted in the next and nothing is
kept on shared objects (the user above all). Outside a request (a Celery task, a
management command, a test calling a predicate) there is no memo: `memo` computes every
time, and code that asks about one user many times keeps its own answer instead.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

# Keys are tuples whose first item names what is remembered ("responders.scope", ...),
# so `forget` can drop one kind of answer.
_memo: ContextVar[dict[tuple[Hashable, ...], Any] | None] = ContextVar("request_memo", default=None)


def memo(key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """The answer remembered under `key` in this request, computed the first time; outside
    a request, computed afresh."""
    store = _memo.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return cast("T", store[key])


def forget(kind: str) -> None:
    """Drop every answer of this kind remembered in this request: for code that changes
    what they were read from and asks again before the request ends."""
    store = _memo.get()
    if store is not None:
        for key in [key for key in store if key[0] == kind]:
            del store[key]


@contextmanager
def request_memo() -> Iterator[None]:
    """One memo for the duration of the block, as a request has."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class RequestMemoMiddleware:
    """Give each request its own memo, dropped when the response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_memo():
            return self.get_response(request)
