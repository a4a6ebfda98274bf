"""Odd input to every GET parameter of every public URL never makes a server error.

The URLs are the rows of ACCESS (tests/test_url_access.py) that anonymous visitors may
GET; the parameters are read off each page as a visitor's browser would send them (the
names in its GET forms), plus `page`, and for the JSON API the filters its OpenAPI
document lists. Each parameter first gets a fixed list of known troublemakers (a NUL
byte, control characters, a day whose next day overflows, huge numbers, very long
values), then Hypothesis draws more (derandomised, so every run sends the same).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.organisations.models import Organisation
from apps.responses.models import AuthorReply

from .factories import StoryFactory, UserFactory, author_link, invite
from .test_url_access import ACCESS, _change, _response

pytestmark = pytest.mark.django_db

PUBLIC = sorted(
    name
    for name, rule in ACCESS.items()
    if rule.method == "get" and rule.expected["anonymous"] == 200
)
NASTY = [
    "\x00",
    "a\x00b",
    "\x0b\x1b[31m\x7f\x85",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2025-02-30",
    "-1",
    "0",
    "1e309",
    "NaN",
    str(2**64),
    "9" * 400,
    "ü" * 5000,
    "x" * 20000,
    "<script>alert(1)</script>",
    "'; SELECT 1; --",
    "%00",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates().map(str),
    st.text(st.sampled_from("0123456789-:T"), max_size=12),
)
EXAMPLES = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# Parameters that arrive by links from other pages (an organisation's "tell a story"; the
# search page's downloads, which carry the search's own parameters).
SEARCH_PARAMETERS = {
    "q",
    "organisation",
    "service",
    "tag",
    "author_role",
    "date_from",
    "date_to",
    "date_from_day",
    "date_from_month",
    "date_from_year",
    "responded",
    "progress",
    "order",
}
FROM_OTHER_PAGES = {
    "stories:tell": {"service", "services", "part"},
    "stories:tell_easy": {"service"},
    "posters:qr_easy": {"service"},
    "exports:stories_csv": SEARCH_PARAMETERS,
    "exports:stories_xlsx": SEARCH_PARAMETERS,
}


class GetFormFields(HTMLParser):
    """The names a browser would send from the page's GET forms, and those in the query
    strings of its links back to itself (paging, htmx)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self._in_get_form = (found.get("method") or "get").lower() == "get"
        elif tag in {"input", "select", "textarea"} and self._in_get_form and found.get("name"):
            self.names.add(str(found["name"]))
        for link in (found.get("href"), found.get("hx-get")):
            target = urlsplit(link or "")
            if target.query and target.path in ("", self.path):
                self.names.update(parse_qs(target.query, keep_blank_values=True))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_get_form = False


def _world(org: Organisation) -> dict[str, Any]:
    story = StoryFactory(services=[org])
    return {
        "org": org,
        "story": story,
        "token": author_link(story),
        "invitation_token": invite(org),
        "change": _change(org, story),
        # The conversation's report pages: a published response and author reply.
        "response": _response(org, story, UserFactory()),
        "reply": AuthorReply.objects.create(story=story, body="Thank you for answering."),
    }


def _api_parameters(client: Client, path: str) -> set[str]:
    document = json.loads(client.get(reverse("api:openapi")).content)
    for template, item in document["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return {p["name"] for p in item["get"]["parameters"] if p["in"] == "query"}
    return set()


def _parameters(client: Client, name: str, url: str) -> list[str]:
    if name.startswith("api:"):
        return sorted(_api_parameters(client, url) | {"format"})
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    fields = GetFormFields(url)
    if page.streaming:  # a download: nothing to read names from, but read it to the end
        b"".join(page.streaming_content)
    elif page["Content-Type"].startswith("text/html"):
        fields.feed(page.content.decode())
    return sorted(fields.names | {"page"} | FROM_OTHER_PAGES.get(name, set()))


def _assert_no_server_error(
    client: Client, url: str, params: dict[str, str], htmx: bool = False
) -> None:
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(url, params, headers=headers)
    assert response.status_code < 500, f"{url} {params!r} htmx={htmx}: {response.status_code}"
    if response.streaming:
        # A download fails while it streams, after its status was sent: read it all.
        b"".join(response.streaming_content)


@pytest.mark.parametrize("name", PUBLIC)
def test_odd_query_values_never_make_a_server_error(
    name: str, org: Organisation, settings: Any
) -> None:
    settings.API_RATE_ANONYMOUS = "1000000/min"
    cache.clear()
    client = Client()
    url = reverse(name, kwargs=ACCESS[name].kwargs(_world(org)))
    parameters = _parameters(client, name, url)

    for parameter in parameters:
        for value in NASTY:
            _assert_no_server_error(client, url, {parameter: value})

    @EXAMPLES
    @given(
        chosen=st.lists(st.sampled_from(parameters), min_size=1, max_size=3, unique=True),
        values=st.lists(VALUES, min_size=3, max_size=3),
        htmx=st.booleans(),
    )
    def several_at_once(chosen: list[str], values: list[str], htmx: bool) -> None:
        _assert_no_server_error(client, url, dict(zip(chosen, values, strict=False)), htmx)

    several_at_once()


# --- posters and cards (issue 19, part 2): codes and slugs that name no open node ---
BAD_CODES = ["zzzzzzzzzzzzzzzz", "zzzzzzzzzzzzz", "0", "-1", "..", "ü", "1 2", "%C3%BC"]
# Refused by the input middleware before any view (400), or not found.
ODD_BYTES = ["%00", "a%00b", "%0b%1b", "%ff"]


def test_bad_poster_codes_and_slugs_are_plain_not_found(org: Organisation) -> None:
    from apps.waysin.posters import code_for

    client = Client()
    closed = Organisation.objects.get(path__startswith=org.path, depth=2)
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    unknown = Organisation.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1
    for code in [*BAD_CODES, code_for(closed), code_for(Organisation(pk=unknown))]:
        for method in (client.get, client.post):
            response = method(f"/q/{code}/")
            assert response.status_code == 404, f"{code!r}: {response.status_code}"
    for code in ODD_BYTES:
        response = client.get(f"/q/{code}/")
        assert response.status_code in {400, 404}, f"{code!r}: {response.status_code}"
    for slug in ("no-such-place", closed.slug, "x" * 300):
        for name in ("page", "poster_pdf", "poster_svg", "card_pdf", "card_svg"):
            response = client.get(reverse(f"posters:{name}", kwargs={"slug": slug}))
            assert response.status_code == 404, f"{name} {slug!r}: {response.status_code}"


@pytest.mark.parametrize("value", NASTY)
def test_odd_stories_sent_by_a_poster_code_never_make_a_server_error(
    value: str, org: Organisation
) -> None:
    from apps.waysin.posters import code_for

    cache.clear()
    url = reverse("posters:qr", kwargs={"code": code_for(org)})
    for field in ("services", "body", "year", "q", "find"):
        data = {"services": [org.pk], "body": "x" * 40, "year": "2025", "month": "1"}
        data[field] = value
        response = Client().post(url, data)
        assert response.status_code < 500, f"{field}={value!r}: {response.status_code}"


# Staff forms of safeguarding: odd values in every field come back as field errors (or
# are saved as text), never a server error.
SAFEGUARDING_FORMS = {
    "safeguarding:case": ("note", "submission_key"),
    "safeguarding:settings": ("help_text", "fallback_email", "risk_words"),
    "safeguarding:node": ("name", "email"),
    "safeguarding:node_help": ("text",),
}


@pytest.mark.parametrize("name", sorted(SAFEGUARDING_FORMS))
def test_odd_values_in_safeguarding_forms_never_make_a_server_error(
    name: str, org: Organisation, platform_admin: Any
) -> None:
    from apps.stories.models import SafeguardingCase

    story = StoryFactory(services=[org])
    case = SafeguardingCase.objects.create(story=story)
    kwargs = {"safeguarding:case": {"pk": case.pk}, "safeguarding:settings": {}}.get(
        name, {"slug": org.slug}
    )
    url = reverse(name, kwargs=kwargs)
    client = Client()
    client.force_login(platform_admin)
    for field in SAFEGUARDING_FORMS[name]:
        for value in NASTY:
            response = client.post(url, {field: value})
            assert response.status_code < 500, f"{url} {field}={value!r}: {response.status_code}"


@pytest.mark.parametrize("value", NASTY)
def test_odd_safeguarding_levels_never_make_a_server_error(
    value: str, org: Organisation, moderator: Any
) -> None:
    from apps.stories.models import StoryRevision

    story = StoryFactory(services=[org], status="awaiting_moderation", published_at=None)
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    client = Client()
    client.force_login(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    for action in ("save", "publish"):
        url = reverse(f"moderation:story_{action}", kwargs={"pk": story.pk})
        data = {"title": "T", "body": story.body, "criticality": "1", "safeguarding_level": value}
        assert client.post(url, data).status_code < 500


@pytest.mark.parametrize("value", NASTY)
def test_odd_name_replacements_never_make_a_server_error(
    value: str, org: Organisation, moderator: Any
) -> None:
    from apps.stories.models import StoryRevision

    story = StoryFactory(
        services=[org], status="awaiting_moderation", published_at=None, body="Dr Patel was kind."
    )
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    client = Client()
    client.force_login(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    url = reverse("moderation:story_replace_name", kwargs={"pk": story.pk})
    base = {"title": "T", "body": story.body, "replace": "1", "name-1": "Dr Patel", "role-1": "x"}
    for field in ("replace", "name-1", "role-1", "other-1", "title", "body"):
        response = client.post(url, {**base, field: value})
        assert response.status_code < 500, f"{field}={value!r}: {response.status_code}"


# --- suggested topics (issue 18, part 2): the answers to the Suggested panel --
@pytest.mark.parametrize("value", NASTY)
def test_odd_answers_to_suggested_topics_never_make_a_server_error(
    value: str, org: Organisation, moderator: Any
) -> None:
    from apps.stories.models import StoryRevision

    story = StoryFactory(services=[org], status="awaiting_moderation", published_at=None)
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    client = Client()
    client.force_login(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    for action in ("save", "publish"):
        url = reverse(f"moderation:story_{action}", kwargs={"pk": story.pk})
        data = {
            "title": "T",
            "body": story.body,
            "criticality": "1",
            "suggested": ["food-and-drink", value],
            "suggest_food-and-drink": value,
            f"suggest_{value}": value,
        }
        assert client.post(url, data).status_code < 500


# --- retention (issue 17, part 4): the year a story happened, and the download's link --
@pytest.mark.parametrize("value", NASTY)
def test_odd_years_and_months_on_the_tell_form_never_make_a_server_error(
    value: str, org: Organisation
) -> None:
    client = Client()
    for field in ("year", "month"):
        data = {"services": [org.pk], "body": "x" * 40, "year": "2025", "month": "1"}
        data[field] = value
        response = client.post(reverse("stories:tell"), data)
        assert response.status_code < 500, f"{field}={value!r}: {response.status_code}"


@pytest.mark.parametrize("name", ["stories:author_download", "stories:author_download_json"])
def test_odd_links_to_the_download_never_make_a_server_error(name: str) -> None:
    client = Client()
    for token in ("x", "a" * 500, "%00", "..", "ü" * 100, "' OR 1=1"):
        response = client.get(reverse(name, kwargs={"token": token}))
        assert response.status_code == 404, f"{token!r}: {response.status_code}"


# The reports' forms (anonymous) and the moderators' decisions take posted words: odd
# ones come back as the form with its errors, never a server error.
REPORT_FORMS = ("stories:report", "conversation:report_response", "conversation:report_reply")


@pytest.mark.parametrize("name", REPORT_FORMS)
def test_odd_report_forms_never_make_a_server_error(name: str, org: Organisation) -> None:
    cache.clear()
    url = reverse(name, kwargs=ACCESS[name].kwargs(_world(org)))
    for value in NASTY:
        cache.clear()  # the rate limit would answer before the form is read
        data = {"reason": value, "note": value, "submission_key": value, "website": ""}
        response = Client().post(url, data)
        assert response.status_code < 500, f"{url} {value!r}: {response.status_code}"


@pytest.mark.parametrize("action", ["reports:hide", "reports:dismiss"])
def test_odd_report_decisions_never_make_a_server_error(
    action: str, org: Organisation, moderator: Any
) -> None:
    world = _world(org)
    client = Client()
    client.force_login(moderator)
    for kind, pk in (("story", world["story"].pk), ("reply", world["reply"].pk), ("x", 1)):
        url = reverse(action, kwargs={"kind": kind, "pk": pk})
        for value in NASTY:
            prefix = f"{kind}-{pk}-"
            data = {f"{prefix}reason": value, f"{prefix}public_note": value, f"{prefix}note": value}
            response = client.post(url, data)
            assert response.status_code < 500, f"{url} {value!r}: {response.status_code}"


@pytest.mark.parametrize("value", NASTY)
def test_odd_right_of_reply_values_never_make_a_server_error(
    value: str, org: Organisation, platform_admin: Any
) -> None:
    """A trust's right-of-reply form and the admin page's trust chooser."""
    client = Client()
    client.force_login(platform_admin)
    url = reverse("moderation:right_of_reply", kwargs={"slug": org.slug})
    for data in ({"working_days": value}, {"working_days": "3", "hold_every_story": value}):
        response = client.post(url, data)
        assert response.status_code < 500, f"{data!r}: {response.status_code}"
    chooser = client.get(reverse("moderation:right_of_reply_choose"), {"trust": value})
    assert chooser.status_code < 500, f"trust={value!r}: {chooser.status_code}"


# --- ways in (issue 19): the kiosk's form, odd device links and campaign codes, and the
# staff forms that make kiosks and campaign links ---------------------------------------
KIOSK_FIELDS = (
    "service",
    "author_role",
    "body",
    "feelings",
    "fft",
    "pseudonym",
    "helped",
    "helped_by",
    "consent",
    "submission_key",
)


@pytest.mark.parametrize("field", KIOSK_FIELDS)
def test_odd_kiosk_answers_never_make_a_server_error(field: str, org: Organisation) -> None:
    from .test_url_access import _kiosk

    org.fft_asked = "after"
    org.save()
    token = _kiosk({"org": org})[1]
    url = reverse("waysin:kiosk", kwargs={"token": token})
    base = {
        "service": str(org.pk),
        "author_role": "patient",
        "body": "The staff were kind and explained everything to me very clearly.",
        "consent": "on",
        "submission_key": "0b6c1cde-7d55-4f3c-9a39-1a7c8c1f2d11",
    }
    for value in NASTY:
        cache.clear()
        for headers in ({}, {"X-Kiosk": "1"}):
            response = Client().post(url, {**base, field: value}, headers=headers)
            assert response.status_code < 500, f"{field}={value!r}: {response.status_code}"


@pytest.mark.parametrize("name", ["waysin:kiosk", "waysin:kiosk_exit", "waysin:campaign"])
def test_odd_device_links_and_codes_never_make_a_server_error(name: str, db: None) -> None:
    key = "code" if name == "waysin:campaign" else "token"
    for value in ("x", "a" * 500, "%00", "..", "ü" * 100, "' OR 1=1", "\x7f\x85", "9" * 40):
        response = Client().get(reverse(name, kwargs={key: value}))
        assert response.status_code in (404, 410), f"{value!r}: {response.status_code}"


@pytest.mark.parametrize("make", ["kiosk", "campaign"])
def test_odd_values_in_the_ways_in_forms_never_make_a_server_error(
    make: str, org: Organisation, super_user: Any
) -> None:
    client = Client()
    client.force_login(super_user)
    fields = (
        ("name", "node", "exit_pin", "nonce")
        if make == "kiosk"
        else ("name", "node", "expires_on", "nonce")
    )
    for field in fields:
        for value in NASTY:
            data = {"make": make, f"{make}-name": "Day room", f"{make}-node": str(org.pk)}
            data[f"{make}-{field}"] = value
            response = client.post(reverse("waysin:index"), data)
            assert response.status_code < 500, f"{field}={value!r}: {response.status_code}"


def test_odd_exit_pins_never_make_a_server_error(org: Organisation) -> None:
    from django.contrib.auth.hashers import make_password

    from apps.waysin.models import Kiosk

    from .test_url_access import _kiosk

    kiosk, token = _kiosk({"org": org})
    Kiosk.objects.filter(pk=kiosk.pk).update(exit_pin=make_password("2468"))
    url = reverse("waysin:kiosk_exit", kwargs={"token": token})
    for value in NASTY:
        cache.clear()
        assert Client().post(url, {"pin": value}).status_code < 500


# --- ways in (issue 19): the Friends and Family Test question and a trust's setting ----
@pytest.mark.parametrize("value", NASTY)
def test_odd_friends_and_family_values_never_make_a_server_error(
    value: str, org: Organisation, platform_admin: Any
) -> None:
    """A trust's setting, and an answer on the tell form of a trust that asks it."""
    Organisation.objects.filter(pk=org.pk).update(fft_asked="before")
    client = Client()
    client.force_login(platform_admin)
    url = reverse("waysin_fft:setting", kwargs={"slug": org.slug})
    response = client.post(url, {"fft_asked": value})
    assert response.status_code < 500, f"fft_asked={value!r}: {response.status_code}"
    org.refresh_from_db()
    assert org.fft_asked == "before"
    cache.clear()
    data = {"services": [org.pk], "body": "x" * 40, f"fft_{org.pk}": value, f"fft_{value}": "good"}
    response = Client().post(reverse("stories:tell"), data)
    assert response.status_code < 500, f"fft={value!r}: {response.status_code}"


# --- the easy-read way to tell a story (docs/easy-read.md): every field of every page,
# the answers carried (`state`), the page named (`step`) and the button (`go`) ---------
EASY_FIELDS = {
    "where": ("service", "q"),
    "when": ("when",),
    "month": ("month", "year"),
    "who": ("who",),
    "tone": ("tone",),
    "what": ("body",),
    "feelings": ("feelings",),
    "email": ("email",),
    "agree": ("agree",),
    "check": ("website",),
}


def _easy_state(client: Client, url: str) -> str:
    page = client.post(url, {"go": "start"}).content.decode()
    found = re.search(r'name="state" value="([^"]*)"', page)
    assert found, url
    return found.group(1)


@pytest.mark.parametrize("way", ["web", "kiosk"])
def test_odd_answers_in_easy_read_never_make_a_server_error(way: str, org: Organisation) -> None:
    from .test_url_access import _kiosk

    url = (
        reverse("stories:tell_easy")
        if way == "web"
        else reverse("waysin:kiosk_easy", kwargs={"token": _kiosk({"org": org})[1]})
    )
    client = Client()
    state = _easy_state(client, url)
    sent = [
        (step, name, value)
        for step, names in EASY_FIELDS.items()
        for name in (*names, "state", "go")
        for value in NASTY
    ] + [(value, "step", value) for value in NASTY]
    for step, name, value in sent:
        cache.clear()
        data = {"state": state, "step": step, "go": "send" if step == "check" else "next"}
        data[name] = value
        response = client.post(url, data)
        assert response.status_code < 500, f"{step} {name}={value!r}: {response.status_code}"


# --- an organisation's description and Welsh name (docs/languages.md) ------------------
@pytest.mark.parametrize("field", ["description", "name_cy", "description_cy", "opened"])
def test_odd_descriptions_and_welsh_names_never_make_a_server_error(
    field: str, org: Organisation, super_user: Any
) -> None:
    """The staff form, then the public pages (English and Welsh) that show what it kept,
    and the directory searched for it."""
    from apps.responders.about import about_fingerprint, about_of

    client = Client()
    client.force_login(super_user)
    url = reverse("staff:about", kwargs={"slug": org.slug})
    public, directory = f"/organisations/{org.slug}/", "/organisations/"
    for value in NASTY:
        org.refresh_from_db()
        data = {**about_of(org), "opened": about_fingerprint(about_of(org)), field: value}
        response = client.post(url, data)
        assert response.status_code < 500, f"{field}={value!r}: {response.status_code}"
        cache.clear()
        for prefix in ("", "/cy"):
            page = Client().get(prefix + public)
            assert page.status_code == 200, f"{field}={value!r}: {page.status_code}"
            found = Client().get(prefix + directory, {"q": value})
            assert found.status_code < 500, f"q={value!r}: {found.status_code}"
