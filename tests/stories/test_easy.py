"""The easy-read way to tell a story (docs/easy-read.md), page by page, without a browser:
each question, its messages, the answers kept through errors, Back and Change, the send
by the standard form's service (one story per submission key, the same limit), and the
kiosk's, poster's and campaign link's own pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django_ratelimit.core import is_ratelimited

from apps.core.models import OutboxEmail
from apps.organisations.models import Organisation, OrganisationKind
from apps.stories.easy import Answers
from apps.stories.models import Story, StoryStatus
from apps.stories.views import TELL_GROUP, TELL_RATE
from apps.waysin.models import Campaign, Kiosk, StoryOrigin
from apps.waysin.posters import code_for
from apps.waysin.selectors import token_digest
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
EASY = reverse("stories:tell_easy")
STORY = "The nurse sat with me and explained my tablets slowly. I felt looked after."
STATE = re.compile(r'name="state" value="([^"]*)"')


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    """A Welsh page leaves Welsh active in this thread; the next test reverses in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    return OrganisationFactory(
        parent=site, name="Ward 7", kind=OrganisationKind.SERVICE, ods_code="RNF07"
    )


class Walk:
    """A person going through the pages: each answer is posted with the answers so far,
    read from the page, as a browser without JavaScript sends them."""

    def __init__(self, client: Client, url: str) -> None:
        self.client = client
        self.url = url
        self.state = ""
        self.page: Any = None

    def post(self, step: str, go: str = "next", **fields: Any) -> Any:
        data = {"state": self.state, "step": step, "go": go, **fields}
        self.page = self.client.post(self.url, data)
        found = STATE.search(self.page.content.decode()) if self.page.status_code < 300 else None
        if found:
            self.state = found.group(1)
        return self.page

    def start(self, **fields: Any) -> Any:
        self.page = self.client.post(self.url, {"go": "start", **fields})
        self.state = STATE.search(self.page.content.decode()).group(1)
        return self.page

    def heading(self) -> str:
        found = re.search(r"<h1[^>]*>(.*?)</h1>", self.page.content.decode(), re.S)
        return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""

    def answers(self, key: str = "web") -> Answers:
        return Answers.load(self.state, key)


def through_to_check(walk: Walk, ward: Organisation, **overrides: Any) -> None:
    answers = {
        "where": {"service": ward.pk},
        "when": {"when": "this_month"},
        "who": {"who": "me"},
        "tone": {"tone": "good"},
        "what": {"body": STORY},
        "feelings": {"feelings": ["felt-cared-for", "felt-reassured"]},
        "email": {"email": "Me@Home.example"},
        "agree": {"agree": "on"},
    }
    answers.update(overrides)
    walk.start(service=ward.pk)
    for step, fields in answers.items():
        if fields is None:
            continue
        response = walk.post(step, **fields)
        assert response.status_code == 200, (step, response.status_code)
        assert "There is a problem" not in response.content.decode(), (step, walk.heading())
    assert walk.heading() == "Check your answers"


def test_the_first_page_says_what_happens_and_is_public(client: Client, ward: Organisation) -> None:
    page = client.get(EASY, {"service": "RNF07"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "You are telling us about: <strong>Ward 7, Northfield Hospital (Northfield)" in text
    assert "We will ask you 8 short questions." in text
    assert "private" not in page.get("Cache-Control", "")
    assert reverse("pages:page", kwargs={"slug": "terms-easy-read"}) in text
    assert reverse("pages:page", kwargs={"slug": "privacy-easy-read"}) in text


def test_a_story_told_in_easy_read_is_made_as_the_standard_form_makes_it(
    client: Client, ward: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    walk = Walk(client, EASY)
    walk.start(service=ward.pk)
    # The place arrived with the address: it is chosen, for the person to confirm.
    assert walk.heading() == "Where did you have care?"
    assert re.search(rf'value="{ward.pk}"[^>]*checked', walk.page.content.decode())
    assert walk.page["Cache-Control"].count("no-store") == 1
    headings = []
    for step, fields in (
        ("where", {"service": ward.pk}),
        ("when", {"when": "last_month"}),
        ("who", {"who": "family"}),
        ("tone", {"tone": "mixed"}),
        ("what", {"body": STORY}),
        ("feelings", {"feelings": ["felt-cared-for", "felt-anxious"]}),
        ("email", {"email": "Me@Home.example"}),
        ("agree", {"agree": "on"}),
    ):
        headings.append(walk.heading())
        walk.post(step, **fields)
    assert headings == [
        "Where did you have care?",
        "When did it happen?",
        "Who had the care?",
        "Was the care good or bad?",
        "What happened?",
        "How did you feel?",
        "What is your email address?",
        "Do you agree?",
    ]
    check = walk.page.content.decode()
    assert walk.heading() == "Check your answers"
    for answer in ("Ward 7", "Last month", "Someone in my family", "Some good, some bad"):
        assert answer in check
    assert STORY in check
    assert "Cared for" in check
    assert "Worried" in check
    assert "Me@Home.example" in check
    with django_capture_on_commit_callbacks(execute=True):
        sent = walk.post("check", go="send")
    assert sent.status_code == 302
    assert sent["Location"] == reverse("stories:tell_easy_done")
    story = Story.objects.get()
    assert story.status == StoryStatus.AWAITING_MODERATION
    assert story.channel == "web"
    assert story.author_role == "relative"
    assert story.pseudonym == "A relative"
    assert story.author_email == "me@home.example"
    assert story.body == STORY
    assert list(story.services.all()) == [ward]
    this_month = timezone.localdate().replace(day=1)
    assert story.experienced_on == (this_month - dt.timedelta(days=1)).replace(day=1)
    assert sorted(t.tag.slug for t in story.story_tags.all()) == [
        "felt-anxious",
        "felt-cared-for",
    ]
    assert story.revisions.count() == 1
    # The private link by email, as for the standard form.
    email = OutboxEmail.objects.get(kind="stories.link")
    assert email.to == "me@home.example"
    done = client.get(sent["Location"])
    text = done.content.decode()
    assert "Thank you for your story" in text
    assert "/my-story/" in text
    assert "private" in done["Cache-Control"]
    # Shown once: the link is not on the page a second time.
    assert "/my-story/" not in client.get(sent["Location"]).content.decode()


def test_the_same_send_twice_makes_one_story(client: Client, ward: Organisation) -> None:
    walk = Walk(client, EASY)
    through_to_check(walk, ward)
    state = walk.state
    first = walk.post("check", go="send")
    walk.state = state
    second = walk.post("check", go="send")
    assert first.status_code == second.status_code == 302
    assert Story.objects.count() == 1


@pytest.mark.parametrize(
    ("step", "fields", "message"),
    [
        ("where", {}, "Choose the place where you had care. Type its name, then press Find."),
        ("where", {"service": "999999999"}, "Choose one of the places on this page."),
        ("when", {}, "Choose when it happened."),
        ("when", {"when": "tomorrow"}, "Choose one of the answers on this page."),
        ("who", {}, "Choose who had the care."),
        ("who", {"who": "the_king"}, "Choose one of the answers on this page."),
        ("tone", {}, "Choose good, bad, or some good and some bad."),
        ("what", {}, "Please write what happened."),
        ("what", {"body": "Too short."}, "Please write a bit more. Write at least 30 letters."),
        ("what", {"body": "x" * 10_001}, "Your story is too long."),
        ("feelings", {"feelings": ["felt-sleepy"]}, "Choose feelings from this page."),
        ("email", {}, "Please write your email address. We need it to send you your link."),
        ("email", {"email": "me at home"}, "This is not an email address."),
        ("agree", {}, "You need to agree before you can send your story."),
    ],
)
def test_each_question_says_what_is_wrong_and_keeps_the_earlier_answers(
    client: Client, ward: Organisation, step: str, fields: dict[str, Any], message: str
) -> None:
    walk = Walk(client, EASY)
    through_to_check(walk, ward)
    before = walk.answers()
    walk.post("check", go=f"change-{step}")
    response = walk.post(step, **fields)
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert message in text
    assert "<title>Error: " in text
    # Nothing said before is lost: the page carries the same answers.
    assert walk.answers() == dataclasses.replace(before, checking=True)


def test_a_month_before_last_is_asked_and_checked(client: Client, ward: Organisation) -> None:
    walk = Walk(client, EASY)
    walk.start(service=ward.pk)
    walk.post("where", service=ward.pk)
    walk.post("when", when="earlier")
    assert walk.heading() == "Which month was it?"
    today = timezone.localdate()
    future = today.replace(day=1) + dt.timedelta(days=40)
    walk.post("month", month=future.month, year=future.year)
    if future.year == today.year:
        assert "That month has not happened yet." in walk.page.content.decode()
    walk.post("month", month=1, year=today.year - 3)
    if today.month > 1:  # three years back to this month are allowed, and no more
        text = walk.page.content.decode()
        assert "We can only take stories about care in the last 3 years." in text
    walk.post("month", month=1, year=today.year)
    assert walk.heading() == "Who had the care?"
    assert (walk.answers().month, walk.answers().year) == (1, today.year)


def test_the_feelings_that_match_come_first_and_the_others_fold(
    client: Client, ward: Organisation
) -> None:
    walk = Walk(client, EASY)
    walk.start(service=ward.pk)
    for step, fields in (
        ("where", {"service": ward.pk}),
        ("when", {"when": "earlier"}),
        ("month", {"month": 1, "year": timezone.localdate().year}),
        ("who", {"who": "me"}),
        ("tone", {"tone": "good"}),
        ("what", {"body": STORY}),
    ):
        walk.post(step, **fields)
    text = walk.page.content.decode()
    assert walk.heading() == "How did you feel?"
    # Which month was part of the question about when: the count did not grow.
    assert "Question 6 of 8" in text
    folded = text.index("Other feelings")
    assert text.index("Thankful") < folded < text.index("Worried")
    assert '<details class="easy-more">' in text
    walk.post("feelings", feelings=["felt-anxious"])
    walk.post("email", go="back")
    assert '<details class="easy-more" open>' in walk.page.content.decode()


def test_back_goes_to_the_question_before_with_its_answer(
    client: Client, ward: Organisation
) -> None:
    walk = Walk(client, EASY)
    walk.start(service=ward.pk)
    walk.post("where", service=ward.pk)
    walk.post("when", when="this_month")
    walk.post("who", who="friend")
    assert walk.heading() == "Was the care good or bad?"
    walk.post("tone", go="back")
    assert walk.heading() == "Who had the care?"
    assert re.search(r'value="friend"[^>]*checked', walk.page.content.decode())
    walk.post("who", go="back")
    walk.post("when", go="back")
    walk.post("where", go="back")
    # Back from the first question is the first page, which goes on with the answers.
    assert walk.heading() == "Tell us about your care"
    walk.post("", go="start")
    assert walk.answers().who == "friend"


def test_change_on_the_check_page_comes_back_to_it(client: Client, ward: Organisation) -> None:
    walk = Walk(client, EASY)
    through_to_check(walk, ward)
    assert 'value="change-who"' in walk.page.content.decode()
    walk.post("check", go="change-who")
    assert walk.heading() == "Who had the care?"
    walk.post("who", who="look_after")
    assert walk.heading() == "Check your answers"
    assert "Someone I look after" in walk.page.content.decode()
    # A change that needs another answer asks it, then comes back.
    walk.post("check", go="change-when")
    walk.post("when", when="earlier")
    assert walk.heading() == "Which month was it?"
    walk.post("month", month=1, year=timezone.localdate().year)
    assert walk.heading() == "Check your answers"
    assert f"January {timezone.localdate().year}" in walk.page.content.decode()
    # Back from a change goes to the check page too; Back from there goes on back.
    walk.post("check", go="change-tone")
    walk.post("tone", go="back")
    assert walk.heading() == "Check your answers"
    walk.post("check", go="back")
    assert walk.heading() == "Do you agree?"
    walk.post("agree", go="back")
    assert walk.heading() == "What is your email address?"


def test_finding_the_place_by_its_name(client: Client, ward: Organisation) -> None:
    walk = Walk(client, EASY)
    walk.start()
    assert walk.answers().service is None
    walk.post("where", go="find", q="no such place here")
    assert "We did not find a place called “no such place here”." in walk.page.content.decode()
    # Next with words typed and nothing chosen looks, as Find does; one match is chosen.
    walk.post("where", q="ward 7")
    text = walk.page.content.decode()
    assert walk.heading() == "Where did you have care?"
    assert "Ward 7, Northfield Hospital (Northfield)" in text
    assert re.search(rf'value="{ward.pk}"[^>]*checked', text)
    walk.post("where", service=ward.pk)
    assert walk.heading() == "When did it happen?"
    assert walk.answers().service == ward.pk


@pytest.mark.parametrize(
    "state",
    [
        "",
        "nonsense",
        "\x00",
        "x" * 20_000,
        signing.dumps({"key": "not-a-uuid"}, salt="stories.easy:web"),
        signing.dumps(["a", "list"], salt="stories.easy:web", compress=True),
        signing.dumps({"key": "0b6c1cde-7d55-4f3c-9a39-1a7c8c1f2d11", "who": 3}, salt="other"),
        Answers().dump("kiosk:1"),
    ],
    # Named, not shown: a signed value holds the time, which differs between workers.
    ids=["none", "nonsense", "nul", "long", "bad-key", "a-list", "other-salt", "a-kiosks"],
)
def test_answers_changed_on_the_way_are_refused_with_a_message(
    client: Client, ward: Organisation, state: str
) -> None:
    response = client.post(EASY, {"state": state, "step": "who", "go": "next", "who": "me"})
    text = response.content.decode()
    if response.status_code == 400:
        return  # a NUL byte is refused before any view (apps.core.middleware)
    assert response.status_code == 200
    assert "Sorry, we lost your earlier answers." in text
    # The answer given on this page is kept, with fresh answers to go on with.
    assert re.search(r'value="me"[^>]*checked', text)
    assert Story.objects.count() == 0


def test_a_send_with_answers_missing_asks_them_first(client: Client, ward: Organisation) -> None:
    walk = Walk(client, EASY)
    walk.start(service=ward.pk)
    walk.post("check", go="send")
    assert walk.heading() == "When did it happen?"
    assert "Please answer this question. Then you can send your story." in (
        walk.page.content.decode()
    )
    assert Story.objects.count() == 0


def test_odd_steps_and_buttons_lead_to_the_next_question(
    client: Client, ward: Organisation
) -> None:
    walk = Walk(client, EASY)
    walk.start(service=ward.pk)
    for step, go in (("nowhere", "next"), ("where", "change-nowhere"), ("check", "fly")):
        response = walk.post(step, go=go)
        assert response.status_code == 200


def test_a_robot_is_thanked_and_nothing_is_made(client: Client, ward: Organisation) -> None:
    walk = Walk(client, EASY)
    through_to_check(walk, ward)
    response = walk.post("check", go="send", website="http://spam.example")
    assert response.status_code == 302
    assert Story.objects.count() == 0


def test_the_standard_forms_limit_holds_here_too(client: Client, ward: Organisation) -> None:
    walk = Walk(client, EASY)
    through_to_check(walk, ward)
    request = RequestFactory().post(EASY, REMOTE_ADDR="127.0.0.1")
    for _ in range(int(TELL_RATE.split("/")[0])):
        is_ratelimited(request, group=TELL_GROUP, key="ip", rate=TELL_RATE, increment=True)
    response = walk.post("check", go="send")
    assert response.status_code == 429
    assert "Too many stories have been sent from here" in response.content.decode()
    assert walk.heading() == "Check your answers"
    assert Story.objects.count() == 0


def test_the_easy_read_way_is_linked_from_the_home_page_and_the_tell_form(
    client: Client, ward: Organisation
) -> None:
    assert f'href="{EASY}"' in client.get(reverse("home")).content.decode()
    tell = client.get(reverse("stories:tell"), {"service": ward.slug}).content.decode()
    assert f'href="{EASY}?service={ward.pk}"' in tell
    welsh = client.get("/cy/").content.decode()
    assert 'href="/cy/tell/easy/"' in welsh


def test_the_easy_read_terms_and_privacy_notice_link_to_the_full_ones(client: Client) -> None:
    for full, easy in (("terms", "terms-easy-read"), ("privacy", "privacy-easy-read")):
        full_url = reverse("pages:page", kwargs={"slug": full})
        easy_url = reverse("pages:page", kwargs={"slug": easy})
        page = client.get(easy_url).content.decode()
        assert f'href="{full_url}"' in page
        assert "easy-read-page" in page
        assert f'href="{easy_url}"' in client.get(full_url).content.decode()
    terms = client.get(reverse("pages:page", kwargs={"slug": "terms-easy-read"})).content.decode()
    assert "Do not write anyone&#x27;s name." in terms or "Do not write anyone's name." in terms
    assert f'href="{EASY}"' in terms


# --- a kiosk, a poster's code and a campaign link -----------------------------------
def _kiosk(node: Organisation) -> tuple[Kiosk, str]:
    token = f"kiosk-token-for-the-easy-read-test-{Kiosk.objects.count()}"
    return Kiosk.objects.create(node=node, name="Day room", token_hash=token_digest(token)), token


def test_a_kiosk_tells_in_easy_read_without_email_and_returns_to_its_start(
    client: Client, ward: Organisation
) -> None:
    kiosk, token = _kiosk(ward)
    start = reverse("waysin:kiosk", kwargs={"token": token})
    url = reverse("waysin:kiosk_easy", kwargs={"token": token})
    assert f'href="{url}"' in client.get(start).content.decode()
    first = client.get(url)
    assert first.status_code == 200
    assert "private" in first["Cache-Control"]
    assert "We will ask you 5 short questions." in first.content.decode()
    walk = Walk(client, url)
    walk.start()
    # One place and no date: the first question is who.
    assert walk.heading() == "Who had the care?"
    walk.post("who", who="me")
    walk.post("tone", tone="bad")
    walk.post("what", body=STORY)
    walk.post("feelings", feelings=["felt-ignored"])
    assert walk.heading() == "Do you agree?"
    assert "we will ask you first" not in walk.page.content.decode()
    walk.post("agree", agree="on")
    assert walk.heading() == "Check your answers"
    assert "Your email" not in walk.page.content.decode()
    thanks = walk.post("check", go="send")
    assert thanks.status_code == 200
    text = thanks.content.decode()
    assert "Thank you for your story" in text
    assert f'content="30;url={start}"' in text
    assert "/my-story/" not in text
    story = Story.objects.get()
    assert story.channel == "kiosk"
    assert story.author_email == ""
    assert story.experienced_on == timezone.localdate().replace(day=1)
    assert StoryOrigin.objects.get(story=story).kiosk == kiosk
    kiosk.refresh_from_db()
    assert kiosk.last_used_at is not None


def test_a_kiosk_for_a_hospital_asks_which_of_its_places(
    client: Client, org: Organisation, ward: Organisation
) -> None:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    _kiosk_row, token = _kiosk(site)
    walk = Walk(client, reverse("waysin:kiosk_easy", kwargs={"token": token}))
    walk.start()
    assert walk.heading() == "Where did you have care?"
    assert 'type="search"' not in walk.page.content.decode()
    walk.post("where", service=org.pk)  # the trust is not one of the kiosk's places
    assert "Choose one of the places on this page." in walk.page.content.decode()
    walk.post("where", service=ward.pk)
    assert walk.heading() == "Who had the care?"


def test_a_kiosk_switched_off_tells_nothing(client: Client, ward: Organisation) -> None:
    kiosk, token = _kiosk(ward)
    walk = Walk(client, reverse("waysin:kiosk_easy", kwargs={"token": token}))
    walk.start()
    for step, fields in (
        ("who", {"who": "me"}),
        ("tone", {"tone": "good"}),
        ("what", {"body": STORY}),
        ("feelings", {}),
        ("agree", {"agree": "on"}),
    ):
        walk.post(step, **fields)
    Kiosk.objects.filter(pk=kiosk.pk).update(revoked_at=timezone.now())
    response = walk.post("check", go="send")
    assert response.status_code == 410
    assert Story.objects.count() == 0
    assert client.get(reverse("waysin:kiosk_easy", kwargs={"token": token})).status_code == 410


def test_answers_from_one_kiosk_are_refused_at_another(client: Client, ward: Organisation) -> None:
    _first, token = _kiosk(ward)
    _second, other = _kiosk(ward)
    walk = Walk(client, reverse("waysin:kiosk_easy", kwargs={"token": token}))
    walk.start()
    walk.post("who", who="me")
    walk.url = reverse("waysin:kiosk_easy", kwargs={"token": other})
    walk.post("tone", tone="good")
    assert "Sorry, we lost your earlier answers." in walk.page.content.decode()


def test_a_poster_code_and_a_campaign_link_tell_with_their_own_channel(
    client: Client, ward: Organisation
) -> None:
    campaign = Campaign.objects.create(node=ward, name="Clinic texts", code="easyread1")
    for url, tell, channel in (
        (
            reverse("posters:qr_easy", kwargs={"code": code_for(ward)}),
            reverse("posters:qr", kwargs={"code": code_for(ward)}),
            "qr",
        ),
        (
            reverse("waysin:campaign_easy", kwargs={"code": campaign.code}),
            reverse("waysin:campaign", kwargs={"code": campaign.code}),
            "campaign",
        ),
    ):
        assert f'href="{url}"' in client.get(tell).content.decode()
        walk = Walk(client, url)
        walk.start()
        assert walk.heading() == "When did it happen?"  # the place is the code's
        for step, fields in (
            ("when", {"when": "this_month"}),
            ("who", {"who": "me"}),
            ("tone", {"tone": "good"}),
            ("what", {"body": f"{STORY} ({channel})"}),
            ("feelings", {}),
            ("email", {"email": "me@home.example"}),
            ("agree", {"agree": "on"}),
        ):
            walk.post(step, **fields)
        assert walk.post("check", go="send").status_code == 302
        story = Story.objects.get(channel=channel)
        assert list(story.services.all()) == [ward]
    assert StoryOrigin.objects.get(story__channel="campaign").campaign == campaign


def test_words_that_suggest_risk_show_where_to_get_help_now(
    client: Client, ward: Organisation
) -> None:
    risky = "The ward sent me home and I took an overdose that night because nobody listened."
    walk = Walk(client, EASY)
    through_to_check(walk, ward, what={"body": risky})
    done = client.get(walk.post("check", go="send")["Location"]).content.decode()
    assert "If you need help now" in done
    assert "116 123" in done
    assert Story.objects.get().risk_cue
    _kiosk_row, token = _kiosk(ward)
    kiosk = Walk(client, reverse("waysin:kiosk_easy", kwargs={"token": token}))
    kiosk.start()
    for step, fields in (
        ("who", {"who": "me"}),
        ("tone", {"tone": "bad"}),
        ("what", {"body": risky + " Again."}),
        ("feelings", {}),
        ("agree", {"agree": "on"}),
    ):
        kiosk.post(step, **fields)
    thanks = kiosk.post("check", go="send").content.decode()
    assert "If you need help now" in thanks
    assert "116 123" in thanks
