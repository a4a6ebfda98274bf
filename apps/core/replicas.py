"""Reads from PostgreSQL read replicas where that is safe; everything else on the primary.

`DATABASE_REPLICA_URLS` adds one database per replica (`replica_1`, `replica_2`, ...) next to
`default`, the primary. `ReplicaMiddleware` decides, once per request, where that request
reads: one replica, chosen at random, for a GET, HEAD or OPTIONS request from a client
that has not written lately; the primary for anything else. `ReplicaRouter` follows that
decision, except that writes, migrations and every read inside a transaction go to the
primary, and a request that writes reads the primary from then on.

Outside a request (Celery tasks, management commands, migrations, the shell) nothing is
decided, and everything uses the primary.

Read-your-writes: a response to an unsafe request (POST, PUT, PATCH, DELETE) carries a
short-lived signed cookie; while it is fresh (`REPLICA_PIN_SECONDS`), that client's reads
go to the primary, so it sees what it has just done even when the replicas lag.
docs/scaling.md is the operator's guide.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse

from .middleware import COOKIE_FREE_KEY

REPLICA_PREFIX = "replica_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PIN_COOKIE = "carevoice_primary"
_PIN_SALT = "carevoice.replicas.pin"


@dataclass
class Reads:
    """Where this request reads: a replica's alias, or None for the primary.

    Mutable on purpose: the router sets it to None at the request's first write, and
    code running in a copy of the request's context (sync_to_async) shares the object."""

    replica: str | None


_reads: ContextVar[Reads | None] = ContextVar("replica_reads", default=None)


def replica_aliases() -> list[str]:
    """The configured replicas' aliases (none unless DATABASE_REPLICA_URLS names some)."""
    return sorted(alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX))


def read_alias() -> str:
    """The database a read here and now goes to: the request's replica, or the primary.

    The router's answer for the ORM; raw SQL that may read a replica asks for
    `connections[read_alias()]` instead of `django.db.connection` (always the primary)."""
    reads = _reads.get()
    if reads is None or reads.replica is None:
        return DEFAULT_DB_ALIAS
    # Inside a transaction the reads must see its own writes and hold its locks.
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return reads.replica


def use_primary() -> None:
    """Read the primary for the rest of this request.

    For a request that has written (the router calls it), and for a render that outlives
    its request: a page kept in a shared cache just after a change would keep what a
    lagging replica still showed."""
    reads = _reads.get()
    if reads is not None:
        reads.replica = None


class ReplicaRouter:
    """Writes and migrations go to the primary; reads follow the request's decision."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        # A GET that writes (a session saved, say) may read what it wrote, and
        # a task run eagerly after it expects the row: the rest of the request stays here.
        use_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Every alias holds the same data: an object read from a replica may be linked
        # to one from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def pin_cookie_name() -> str:
    """`carevoice_primary`; with the `__Host-` prefix where cookies are Secure (production),
    as the session and CSRF cookies have."""
    return f"__Host-{PIN_COOKIE}" if settings.SESSION_COOKIE_SECURE else PIN_COOKIE


def is_pinned(request: HttpRequest) -> bool:
    """Whether this client wrote less than REPLICA_PIN_SECONDS ago (a fresh, validly
    signed pin cookie); the signature's own timestamp is what is checked, so neither
    an old cookie kept by the browser nor a forged one pins."""
    name = pin_cookie_name()
    if name not in request.COOKIES:
        return False
    value = request.get_signed_cookie(
        name, default=None, salt=_PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
    )
    return value is not None


def pin(response: HttpResponseBase) -> None:
    """Send this client's reads to the primary for the next REPLICA_PIN_SECONDS."""
    response.set_signed_cookie(
        pin_cookie_name(),
        "1",
        salt=_PIN_SALT,
        max_age=settings.REPLICA_PIN_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def replica_for(request: HttpRequest) -> str | None:
    """The replica this request may read from, or None when it must read the primary."""
    if request.method not in SAFE_METHODS:
        return None
    replicas = replica_aliases()
    if not replicas or is_pinned(request):
        return None
    # One replica for the whole request, so its reads agree with one another.
    return random.choice(replicas)  # noqa: S311 (spreading load, not a secret)


def _streamed_within(reads: Reads, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks of a streamed response, each made with the request's reads: an export
    queries the database as it streams, after the middleware has returned."""
    while True:
        token = _reads.set(reads)
        try:
            chunk = next(chunks, None)
        finally:
            _reads.reset(token)
        if chunk is None:
            return
        yield chunk


class ReplicaMiddleware:
    """Decide where the request reads (`replica_for`), for the length of the request,
    and pin a client to the primary after an unsafe request, whatever its outcome: a
    write can happen on any POST (a raw cursor does not pass through the router), and a
    needless pin costs only that client's reads for a few seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        reads = Reads(replica=replica_for(request))
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if reads.replica is not None and self._streams_from_database(response):
            response.streaming_content = _streamed_within(reads, iter(response))
        if (
            request.method not in SAFE_METHODS
            and replica_aliases()
            and not request.META.get(COOKIE_FREE_KEY, False)
        ):
            pin(response)
        return response

    @staticmethod
    def _streams_from_database(response: HttpResponseBase) -> TypeGuard[StreamingHttpResponse]:
        # A file is read from disk, and wrapping it would lose the server's sendfile.
        return (
            isinstance(response, StreamingHttpResponse)
            and not isinstance(response, FileResponse)
            and not response.is_async
        )
