"""The fixed cast every access test uses, the strict mode, and the browser harness.

Cast (STYLE.md): anonymous, reader, responder, super_user (roles at `org`),
other_org_responder (a responder at `other_org`), moderator and platform_admin.
The story-link holder (`author`) joins the cast with stories.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from apps.accounts.models import User
from apps.organisations.models import Organisation, OrganisationKind
from apps.responders.models import RoleName

from .factories import OrganisationFactory, RoleFactory, UserFactory, with_second_factor
from .shared_data import SHARED_STORIES, shared_data_file

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
STRICT = os.environ.get("CAREVOICE_STRICT", "").lower() in {"1", "true", "yes"}

CAST = (
    "anonymous",
    "reader",
    "responder",
    "super_user",
    "other_org_responder",
    "moderator",
    "platform_admin",
)


# --- isolation -------------------------------------------------------------------
@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> None:
    """The test database as pytest-django makes it, with its serialized contents (what
    `serialized_rollback` restores) readable from every connection object.

    Django keeps a connection per thread and, under a running event loop, per context:
    a browser test drives Playwright's sync API, which runs a loop, so its connection is
    a new object without the contents. Its restore was then silently skipped, and its
    flush ran the post-migrate hooks that the first one had inhibited: a browser test
    after another transactional test found no permissions (guardian's assign_perm
    failed). On the class, every connection finds them."""
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: rate-limit counters (sign-in, telling, votes)
    live there, and one test's attempts must not refuse the next test's (a 429 that
    depended on which tests the worker ran before)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _english_between_tests() -> Iterator[None]:
    """Each test starts, and leaves the thread, in the site's default language: a request
    to a Welsh page activates Welsh for the thread (as Django's locale middleware does),
    and a later test would then reverse /cy/ addresses and render Welsh."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- strict mode -----------------------------------------------------------------
# In CI (CAREVOICE_STRICT=1) a skipped test is a failed test: browser and broker
# tests must really run there, never pass by skipping.
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
    if (
        STRICT
        and report.skipped
        and not hasattr(report, "wasxfail")
        and not str(reason).startswith(SHARED_DATA_ABSENT)
    ):
        report.outcome = "failed"
        report.longrepr = (
            f"Skipped in strict mode (CAREVOICE_STRICT=1), which counts as a failure: {reason}"
        )


# --- the real stories of ../shared/data -------------------------------------------
# Real published stories under a non-commercial licence: never in this repository, read
# in place where the machine has them (CAREVOICE_SHARED_DATA, else ../shared/data
# beside the checkout). Where they are absent the tests that need them skip, even in
# strict mode, saying so; .ci/run points at them when the machine has them.
SHARED_DATA_ABSENT = "Shared data absent"


@pytest.fixture
def shared_stories_csv() -> Path:
    path = shared_data_file()
    if path is None:
        pytest.skip(
            f"{SHARED_DATA_ABSENT}: no {SHARED_STORIES} in CAREVOICE_SHARED_DATA or "
            "../shared/data, so the figures on real stories were not measured."
        )
    return path


# --- the tree and the cast ---------------------------------------------------------
def _trust(name: str, code: str) -> Organisation:
    trust = OrganisationFactory(name=name, ods_code=code, kind=OrganisationKind.TRUST)
    site = OrganisationFactory(parent=trust, name=f"{name} Hospital", kind=OrganisationKind.SITE)
    OrganisationFactory(parent=site, name=f"{name} Outpatients", kind=OrganisationKind.SERVICE)
    trust.refresh_from_db()
    return trust


@pytest.fixture
def org(db: None) -> Organisation:
    return _trust("Northfield", "RNF")


@pytest.fixture
def other_org(db: None) -> Organisation:
    return _trust("Southgate", "RSG")


def _member(role: RoleName, organisation: Organisation | None, name: str) -> User:
    user = UserFactory(
        display_name=name, email=f"{role.value}.{name.split()[0].lower()}@staff.example"
    )
    RoleFactory(user=user, role=role, organisation=organisation)
    # The cast have set up their authenticator app; tests of the set-up itself make
    # their own people.
    return with_second_factor(user)


@pytest.fixture
def anonymous() -> None:
    return None


@pytest.fixture
def reader(org: Organisation) -> User:
    return _member(RoleName.READER, org, "Rita Reader")


@pytest.fixture
def responder(org: Organisation) -> User:
    return _member(RoleName.RESPONDER, org, "Rory Responder")


@pytest.fixture
def super_user(org: Organisation) -> User:
    return _member(RoleName.SUPER_USER, org, "Sasha Super")


@pytest.fixture
def other_org_responder(other_org: Organisation) -> User:
    return _member(RoleName.RESPONDER, other_org, "Olly Other")


@pytest.fixture
def moderator(db: None) -> User:
    return _member(RoleName.MODERATOR, None, "Mo Moderator")


@pytest.fixture
def platform_admin(db: None) -> User:
    return _member(RoleName.PLATFORM_ADMIN, None, "Pat Admin")


@pytest.fixture
def client_as(request: pytest.FixtureRequest, db: None) -> Any:
    """client_as("responder") -> a Client signed in as that cast member (anonymous: not)."""

    def make(member: str) -> Client:
        client = Client()
        user = request.getfixturevalue(member)
        if user is not None:
            client.force_login(user)
        return client

    return make


# --- browser tests ---------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM}: `apt-get install chromium` "
            "(CI installs it; set CHROMIUM_PATH to use another)."
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def pytest_configure(config: pytest.Config) -> None:
    # Playwright's sync API runs an event loop in the test thread; Django's live
    # server and ORM calls from the test are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The Welsh pages read the compiled catalogue; a catalogue edited since the last
    # `make setup` is compiled again here (atomically: the workers may race).
    from config.catalogues import compile_catalogues

    compile_catalogues()
