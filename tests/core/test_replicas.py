"""The replica router's rules, with two replica aliases mirroring the test database.

The aliases are added for this module only (the suite runs without replicas), as copies
of the test database's connection settings, so each is a real second connection to it:
a query sent to `replica_1` really runs on that connection, and these tests see where
each query went. Data must be committed for another connection to see it, so the tests
that serve pages use `transactional_db`. tests/integration/test_replica_streaming.py
proves the same against a real streaming standby.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import User
from apps.core import pagecache
from apps.core.replicas import (
    PIN_COOKIE,
    ReplicaMiddleware,
    ReplicaRouter,
    read_alias,
    use_primary,
)
from apps.organisations.models import Organisation
from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory

REPLICAS = ["replica_1", "replica_2"]
ALL = [DEFAULT_DB_ALIAS, *REPLICAS]
# Committed data, as a served request sees it; serialized_rollback puts back what the
# migrations seed for the transactional tests that follow (as tests/integration does).
served = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=ALL)


@pytest.fixture(scope="module", autouse=True)
def _two_replicas(django_db_setup: None) -> Iterator[None]:
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    # Django's connection handler reads this very dict, so new aliases are usable at once.
    assert connections.settings is settings.DATABASES
    for alias in REPLICAS:
        settings.DATABASES[alias] = {
            **primary,
            "TEST": {**primary["TEST"], "MIRROR": DEFAULT_DB_ALIAS},
        }
    yield
    for alias in REPLICAS:
        connections[alias].close()
        del connections[alias]
        del settings.DATABASES[alias]


def _inside(request: HttpRequest, look: Callable[[], object]) -> tuple[object, HttpResponse]:
    """What `look` returns when called by a view during `request`, and the response."""
    seen: list[object] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(look())
        return HttpResponse("ok")

    response = ReplicaMiddleware(view)(request)
    assert isinstance(response, HttpResponse)
    return seen[0], response


def _read() -> str:
    return router.db_for_read(Organisation)


rf = RequestFactory()


# --- the rules, alias by alias ---------------------------------------------------------
def test_replica_router_is_installed() -> None:
    assert any(isinstance(r, ReplicaRouter) for r in router.routers)


def test_replica_outside_a_request_everything_uses_the_primary() -> None:
    assert _read() == DEFAULT_DB_ALIAS
    assert router.db_for_write(Organisation) == DEFAULT_DB_ALIAS


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_replica_safe_request_reads_a_replica_and_writes_the_primary(method: str) -> None:
    request = getattr(rf, method)("/")
    read, _ = _inside(request, _read)
    assert read in REPLICAS
    write, _ = _inside(getattr(rf, method)("/"), lambda: router.db_for_write(Organisation))
    assert write == DEFAULT_DB_ALIAS


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_replica_unsafe_request_reads_the_primary(method: str) -> None:
    read, _ = _inside(getattr(rf, method)("/"), _read)
    assert read == DEFAULT_DB_ALIAS


def test_replica_one_replica_serves_a_whole_request_and_requests_spread() -> None:
    chosen: set[object] = set()
    for _ in range(60):
        reads, _ = _inside(rf.get("/"), lambda: {_read() for _ in range(5)})
        assert isinstance(reads, set)
        assert len(reads) == 1
        chosen |= reads
    # 60 choices from two replicas miss one with a probability of 2 in 10^18.
    assert chosen == set(REPLICAS)


def test_replica_a_request_that_writes_reads_the_primary_from_then_on() -> None:
    def write_then_read() -> tuple[str, str, str]:
        before = _read()
        router.db_for_write(Organisation)
        return before, _read(), _read()

    (before, after, later), _ = _inside(rf.get("/"), write_then_read)
    assert before in REPLICAS
    assert after == later == DEFAULT_DB_ALIAS


def test_replica_use_primary_moves_the_rest_of_the_request() -> None:
    def reads() -> tuple[str, str, str]:
        before = read_alias()
        use_primary()
        return before, read_alias(), _read()

    (before, after, routed), _ = _inside(rf.get("/"), reads)
    assert before in REPLICAS
    assert after == routed == DEFAULT_DB_ALIAS
    # ...and the next request chooses afresh.
    read, _ = _inside(rf.get("/"), _read)
    assert read in REPLICAS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_replica_reads_inside_a_transaction_use_the_primary() -> None:
    def reads() -> tuple[str, str, str]:
        before = _read()
        with transaction.atomic():
            inside = _read()
        return before, inside, _read()

    (before, inside, after), _ = _inside(rf.get("/"), reads)
    assert before in REPLICAS
    assert inside == DEFAULT_DB_ALIAS
    assert after == before


def test_replica_migrations_only_on_the_primary() -> None:
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "stories")
    for alias in REPLICAS:
        assert not router.allow_migrate(alias, "stories")


# --- read-your-writes --------------------------------------------------------------------
def _pin_from(response: HttpResponse) -> str:
    return response.cookies[PIN_COOKIE].value


def test_replica_unsafe_response_pins_the_client_with_a_short_private_cookie() -> None:
    _, response = _inside(rf.post("/"), _read)
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == settings.REPLICA_PIN_SECONDS == 15
    assert not cookie["secure"]  # as the session cookie here; production sets both


def test_replica_pin_cookie_in_production_is_secure_and_host_only(settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = True
    _, response = _inside(rf.post("/"), _read)
    assert PIN_COOKIE not in response.cookies
    cookie = response.cookies[f"__Host-{PIN_COOKIE}"]
    assert cookie["secure"] is True
    assert cookie["path"] == "/"
    assert not cookie["domain"]
    # ...and that is the cookie read back.
    request = rf.get("/", secure=True)
    request.COOKIES[f"__Host-{PIN_COOKIE}"] = cookie.value
    read, _ = _inside(request, _read)
    assert read == DEFAULT_DB_ALIAS


def test_replica_safe_response_sets_no_cookie() -> None:
    _, response = _inside(rf.get("/"), _read)
    assert PIN_COOKIE not in response.cookies
    assert not response.cookies


def test_replica_pinned_client_reads_the_primary() -> None:
    _, written = _inside(rf.post("/"), _read)
    request = rf.get("/")
    request.COOKIES[PIN_COOKIE] = _pin_from(written)
    read, response = _inside(request, _read)
    assert read == DEFAULT_DB_ALIAS
    assert PIN_COOKIE not in response.cookies  # a read does not renew the pin


def test_replica_pin_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    # The clock (the edge) says the write was longer ago than the pin lasts.
    past = time.time() - settings.REPLICA_PIN_SECONDS - 5
    monkeypatch.setattr("django.core.signing.time.time", lambda: past)
    _, written = _inside(rf.post("/"), _read)
    monkeypatch.undo()
    request = rf.get("/")
    request.COOKIES[PIN_COOKIE] = _pin_from(written)
    read, _ = _inside(request, _read)
    assert read in REPLICAS


@pytest.mark.parametrize("forged", ["1", "9999999999", "1:abc:def"])
def test_replica_forged_pin_is_ignored(forged: str) -> None:
    request = rf.get("/")
    request.COOKIES[PIN_COOKIE] = forged
    read, _ = _inside(request, _read)
    assert read in REPLICAS


def test_replica_streamed_response_reads_the_replica_of_its_request() -> None:
    seen: list[str] = []

    def rows() -> Iterator[bytes]:
        for number in range(3):
            seen.append(_read())
            yield f"row {number}\n".encode()

    def view(request: HttpRequest) -> StreamingHttpResponse:
        return StreamingHttpResponse(rows())

    response = ReplicaMiddleware(view)(rf.get("/"))  # type: ignore[arg-type]
    assert isinstance(response, StreamingHttpResponse)
    assert b"".join(response.streaming_content) == b"row 0\nrow 1\nrow 2\n"  # type: ignore[arg-type]
    assert len(set(seen)) == 1
    assert seen[0] in REPLICAS
    # ...and the stream leaves nothing behind: outside it, reads are the primary's again.
    assert _read() == DEFAULT_DB_ALIAS


# --- through the site --------------------------------------------------------------------
class Queries:
    """The statements each alias ran during the block."""

    def __init__(self) -> None:
        self.captured = {alias: CaptureQueriesContext(connections[alias]) for alias in ALL}
        self._stack = ExitStack()

    def __enter__(self) -> Queries:
        for context in self.captured.values():
            self._stack.enter_context(context)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def on(self, *aliases: str) -> list[str]:
        return [q["sql"] for alias in aliases for q in self.captured[alias].captured_queries]


@served
def test_replica_anonymous_page_reads_its_rows_from_a_replica(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation = OrganisationFactory(name="Northfield Trust")
    address = reverse("organisations:detail", args=[organisation.slug])
    organisation_rows = 'FROM "organisations_organisation"'

    # Just created: a replica may not have it yet, and the page cache keeps what is
    # rendered now, so this render reads the primary.
    with Queries() as queries:
        response = client.get(address)
    assert response.status_code == 200
    assert "Northfield Trust" in response.content.decode()
    assert not any(organisation_rows in sql for sql in queries.on(*REPLICAS))

    # Once replicas have had time to replay the change (the clock is the edge), a page
    # not kept yet is rendered from a replica.
    later = time.time() + settings.REPLICA_PIN_SECONDS + 1
    monkeypatch.setattr("apps.core.pagecache.time.time", lambda: later)
    with Queries() as queries:
        response = client.get(address + "?page=1")
    assert response.status_code == 200
    assert "Northfield Trust" in response.content.decode()
    assert any(organisation_rows in sql for sql in queries.on(*REPLICAS))
    # Raw SQL run on django.db.connection (the figures, computed and saved as the page is
    # read) stays on the primary; the ORM's reads do not.
    assert not any(organisation_rows in sql for sql in queries.on(DEFAULT_DB_ALIAS))
    assert PIN_COOKIE not in response.cookies


@served
def test_replica_sign_in_writes_the_primary_and_pins_the_next_reads(client: Client) -> None:
    user = UserFactory(email="sam.patel@trust.example")
    with Queries() as queries:
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
        )
    assert response.status_code == 302
    assert queries.on(*REPLICAS) == []
    assert any(sql.startswith("INSERT") for sql in queries.on(DEFAULT_DB_ALIAS))
    assert PIN_COOKIE in response.cookies

    # The pinned client reads its new session from the primary: it is signed in.
    with Queries() as queries:
        page = client.get(reverse("account_email"))
    assert page.status_code == 200
    assert queries.on(*REPLICAS) == []

    # Without the pin, the same session is read from a replica (here a mirror, so it is
    # there too: the streaming test shows a lagging one).
    del client.cookies[PIN_COOKIE]
    with Queries() as queries:
        page = client.get(reverse("account_email"))
    assert page.status_code == 200
    assert queries.on(*REPLICAS)
    assert User.objects.get().pk == user.pk


@served
def test_replica_page_cache_keeps_no_replica_render_of_a_recent_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page rendered on a miss is kept for every later reader: just after a change to
    what it shows, a replica may still hold the state before it, so the page is rendered
    from the primary until REPLICA_PIN_SECONDS have passed."""
    rendered_on: list[str] = []

    @pagecache.public_page(lambda request: [pagecache.organisation("northfield")])
    def page(request: HttpRequest) -> HttpResponse:
        rendered_on.append(read_alias())
        return HttpResponse("the page")

    def get(path: str) -> str:
        response = ReplicaMiddleware(page)(rf.get(path))
        return str(response[pagecache.STATUS_HEADER])

    assert get("/kept/") == "miss"
    assert rendered_on.pop() in REPLICAS  # nothing has changed lately
    assert get("/kept/") == "hit"
    assert rendered_on == []

    pagecache.touch(pagecache.organisation("northfield"))
    assert get("/kept/") == "miss"
    assert rendered_on.pop() == DEFAULT_DB_ALIAS

    # The clock (the edge) moves past the pin: replicas have had time to replay it.
    later = time.time() + settings.REPLICA_PIN_SECONDS + 1
    monkeypatch.setattr("apps.core.pagecache.time.time", lambda: later)
    assert get("/kept/?page=2") == "miss"
    assert rendered_on.pop() in REPLICAS
