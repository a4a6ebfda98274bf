"""The shared cache of public pages (DESIGN.md, "Caching and scale"; docs/scaling.md).

A page that anyone may read, asked for by someone who is not signed in, is rendered once
and kept in the shared cache (Redis through CACHE_URL in production). Exact invalidation
by versions: a page names what it shows as tags ("story:12", "org:north-trust", "list",
and "site" on every page), each tag has a version in the cache, and a kept page carries
the versions of all its tags as they were read before it was rendered. A reader fetches
the kept page and the tags' current versions together, in one round trip, and is
served the page only if they are the same. A change replaces the versions of the tags it
touches (at once, and again when its transaction commits), so the next reader of any
page showing it renders afresh, and no other page is disturbed.

Why versions rather than deleting keys: a render that started before a change and ends
after it is kept with the old versions, which no reader will match again; deleting could
not have caught it. A version that has fallen out of the cache is replaced by a new one,
never read as "0", so a page kept from before can never match it again.

Each kept page also carries an ETag, and the answer tells shared caches (a CDN, a
reverse proxy) that they may keep it for PAGE_CACHE_SHARED_SECONDS and must ask again
after that, so a conditional request costs one cache read and no rendering.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypedDict, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language

from . import replicas

logger = logging.getLogger(__name__)

PAGE_PREFIX = "page:"
KEPT_PREFIX = "kept:"
VERSION_PREFIX = "pv:"
SITE = "site"  # every page: names and settings shown everywhere
LIST = "list"  # every page that lists stories (home, /stories/, search results)
# Set on the request while a cacheable page renders: templates then leave out anything
# that belongs to one person (the CSRF token in htmx's headers).
PUBLIC_KEY = "carevoice.public_page"
# Said on every answer of a cached view, for operators and the tests.
STATUS_HEADER = "X-Page-Cache"

Tags = Callable[..., Iterable[str]]
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class Entry(TypedDict):
    versions: list[str]  # of the page's tags when it was rendered
    content: bytes
    content_type: str
    etag: str


def story(pk: int) -> str:
    return f"story:{pk}"


def organisation(slug: str) -> str:
    return f"org:{slug}"


def touch(*tags: str) -> None:
    """Mark every page showing these things out of date: at once, and again when the
    change commits, since a reader may render from the data as it was before the commit
    and keep that under the first new versions. A cache that is down is logged, never
    raised: the write that caused it has happened, and a page's time limit ends it."""
    wanted = frozenset(tag for tag in tags if tag)
    if wanted:
        _replace_versions(wanted)
        transaction.on_commit(functools.partial(_replace_versions, wanted), robust=True)


def _replace_versions(tags: frozenset[str]) -> None:
    # The time of the change leads the token: see _changed_lately.
    token = f"{time.time():.0f}.{secrets.token_hex(8)}"
    try:
        cache.set_many({VERSION_PREFIX + tag: token for tag in tags}, timeout=None)
    except Exception:
        logger.exception("The page cache could not be told of a change")


def _read(key: str, tags: list[str]) -> tuple[Any, list[str]]:
    """What is kept under `key` and the current version of each tag, in one round trip to
    the cache; a tag that has no version is given a new one (two more)."""
    found, versions = _read_many([key], tags)
    return found.get(key), versions


def _read_many(keys: list[str], tags: list[str]) -> tuple[dict[str, Any], list[str]]:
    """What is kept under each of `keys` and the current version of each tag, in one
    round trip to the cache; a tag that has no version is given a new one (two more)."""
    versions = [VERSION_PREFIX + tag for tag in tags]
    found = cache.get_many([*keys, *versions])
    if any(k not in found for k in versions):
        for k in versions:
            if k not in found:
                cache.add(k, secrets.token_hex(8), timeout=None)
        found = {**found, **cache.get_many(versions)}
    return found, [str(found.get(k, "")) for k in versions]


def _kept_key(name: str, item: object, tags: list[str]) -> str:
    # The release too: what is kept may be objects of this release's code.
    parts = [settings.PAGE_CACHE_RELEASE, name, str(item), *tags]
    return KEPT_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def kept(name: str, tags: Iterable[str], compute: Callable[[], T]) -> T:
    """A value worked out by `compute` once for each version of these tags (and of the
    site), for everyone, signed in or not: what a page would otherwise count afresh on
    every view (an organisation's stories). The same exact invalidation as the pages, so
    it is never out of date once the change that altered it has committed. Kept for
    KEPT_VALUE_SECONDS (0: worked out every time). While a change is recent the value is
    worked out from the primary, as pages are; with the cache down, every time."""
    values = kept_many(name, {"": list(tags)}, lambda items: {"": compute()})
    return values[""]


def kept_many(
    name: str, items: dict[K, list[str]], compute: Callable[[list[K]], dict[K, T]]
) -> dict[K, T]:
    """`kept` for several values at once, each under its own tags (and the site's): a
    list's cards, each kept under its story. One round trip reads them all with their
    tags' versions; `compute` is given the items whose value is missing or out of date
    and returns what it found of them (an item it leaves out is left out)."""
    if settings.KEPT_VALUE_SECONDS <= 0 or not items:
        return compute(list(items)) if items else {}
    tagged = {item: [SITE, *tags] for item, tags in items.items()}
    keys = {item: _kept_key(name, item, tags) for item, tags in tagged.items()}
    every_tag = sorted({tag for tags in tagged.values() for tag in tags})
    try:
        found, versions = _read_many(list(keys.values()), every_tag)
    except Exception:
        logger.exception("Kept values could not be read")
        return compute(list(items))
    current = dict(zip(every_tag, versions, strict=True))
    values: dict[K, T] = {}
    wanted: dict[K, list[str]] = {}
    for item, tags in tagged.items():
        now = [current[tag] for tag in tags]
        got = found.get(keys[item])
        if isinstance(got, tuple) and len(got) == 2 and got[0] == now:
            values[item] = got[1]
        else:
            wanted[item] = now
    if wanted:
        if _changed_lately([version for now in wanted.values() for version in now]):
            replicas.use_primary()
        fresh = compute(list(wanted))
        values.update(fresh)
        try:
            cache.set_many(
                {keys[item]: (wanted[item], value) for item, value in fresh.items()},
                settings.KEPT_VALUE_SECONDS,
            )
        except Exception:
            logger.exception("Kept values could not be written")
    return values


def is_public_page(request: HttpRequest) -> bool:
    """Whether this request renders a page for the shared cache."""
    return bool(request.META.get(PUBLIC_KEY, False))


def _cacheable(request: HttpRequest) -> bool:
    """Only reads by someone with no session and no message waiting: a signed-in person,
    an author part way through something, or anyone just thanked by a message gets the
    page made for them. Looking at the cookies, not at request.user, keeps the session
    unread (and the answer free of Vary: Cookie from it)."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in {"GET", "HEAD"}:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _changed_lately(versions: list[str]) -> bool:
    """Whether a change to what the page shows is so recent that a read replica may not
    have it yet (within REPLICA_PIN_SECONDS): the page is then rendered from the primary,
    or a replica's older state would be kept under the new versions (docs/scaling.md)."""
    now = time.time()
    for version in versions:
        made, dot, _ = version.partition(".")
        if dot and made.isdigit() and now - int(made) < settings.REPLICA_PIN_SECONDS:
            return True
    return False


def _key(request: HttpRequest) -> str:
    htmx = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    parts = [
        settings.PAGE_CACHE_RELEASE,
        # Figures and "n days ago" roll over at midnight with no change to mark them.
        timezone.localdate().isoformat(),
        get_language() or "",
        request.get_full_path(),
        "hx" if htmx else "",
    ]
    return PAGE_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _storable(response: HttpResponse) -> bool:
    """A whole, successful answer that sets no cookie and is nobody's in particular."""
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
    )


def _answer(request: HttpRequest, entry: Entry, status: str) -> HttpResponse:
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    response[STATUS_HEADER] = status
    # Browsers ask again every time (a 304 when nothing changed); shared caches may answer
    # for PAGE_CACHE_SHARED_SECONDS.
    patch_cache_control(
        response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_SHARED_SECONDS
    )
    conditional = get_conditional_response(request, etag=entry["etag"], response=response)
    return conditional if conditional is not None else response


def public_page(tags: Tags) -> Callable[[Callable[..., HttpResponse]], Callable[..., Any]]:
    """Serve the view's page from the shared cache to readers who are not signed in.
    `tags(request, **kwargs)` names what the page shows besides the site itself."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key = _key(request)
            try:
                entry, versions = _read(key, [SITE, *tags(request, **kwargs)])
            except Exception:  # the cache is down: the page is still served, from the database
                logger.exception("The page cache could not be read")
                return view(request, *args, **kwargs)
            if isinstance(entry, dict) and entry.get("versions") == versions:
                return _answer(request, entry, "hit")  # type: ignore[arg-type]
            request.META[PUBLIC_KEY] = True
            if _changed_lately(versions):
                replicas.use_primary()
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if not _storable(response):
                return response
            content = response.content
            made: Entry = {
                "versions": versions,
                "content": content,
                "content_type": response["Content-Type"],
                "etag": '"' + hashlib.sha256(content).hexdigest()[:32] + '"',
            }
            try:
                cache.set(key, made, settings.PAGE_CACHE_SECONDS)
            except Exception:  # kept or not, this reader has the page
                logger.exception("The page cache could not be written")
            return _answer(request, made, "miss")

        return wrapper

    return decorate
