"""The conversation in public: the author told of each response, the author's replies
through their private link (checked by a moderator), helpful votes, and what the public
page never shows."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.changes.models import Change, ChangeStory
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responses.models import AuthorReply, AuthorReplyStatus, Response, ResponseStatus
from apps.responses.services import referral_create, response_create
from apps.stories.models import Story
from tests.factories import (
    RoleFactory,
    StoryFactory,
    UserFactory,
    author_link,
    team_of,
    with_second_factor,
)
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
OTHER_BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # The rate limits count in the process-wide cache; each test starts from nothing.
    cache.clear()


def node(org: Organisation, depth: int) -> Organisation:
    return Organisation.objects.filter(path__startswith=org.path, depth=depth).first()  # type: ignore[return-value]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hold_none(org: Organisation) -> None:
    Organisation.objects.filter(pk=org.pk).update(responses_held_for_new_responders=0)


def respond(client: Client, story: Story, body: str) -> Any:
    return client.post(
        reverse("inbox:post_response", kwargs={"pk": story.pk}),
        {
            "organisation": story.services.get().pk,
            "body": body,
            "submission_key": str(uuid.uuid4()),
        },
    )


def answered(story: Story, responder: User, body: str) -> Response:
    """A public response by the responder (their trust holds none back)."""
    hold_none(Organisation.objects.get(path=story.services.get().root_path))
    return response_create(
        author=responder, story=story, organisation=story.services.get(), body=body
    )


def reply(token: str, body: str, response: Response | None = None) -> Any:
    return Client().post(
        reverse("conversation:author_reply", kwargs={"token": token}),
        {
            "body": body,
            "response": response.pk if response else "",
            "submission_key": str(uuid.uuid4()),
        },
    )


def decide_reply(moderator: User, reply: AuthorReply, decision: str, note: str = "") -> Any:
    return signed_in(moderator).post(
        reverse("conversation_moderation:decide_reply", kwargs={"pk": reply.pk}),
        {"decision": decision, "note": note},
        follow=True,
    )


def public_page(story: Story, client: Client | None = None) -> str:
    page = (client or Client()).get(story.get_absolute_url())
    assert page.status_code == 200
    return page.content.decode()


def author_page(token: str) -> str:
    page = Client().get(reverse("stories:author", kwargs={"token": token}))
    assert page.status_code == 200
    return page.content.decode()


def sent_to(address: str) -> list[Any]:
    return [email for email in mail.outbox if email.to == [address]]


# --- the author is told --------------------------------------------------------------
def test_author_is_emailed_once_when_a_response_is_published(
    org: Organisation, responder: User, django_capture_on_commit_callbacks: Any
) -> None:
    hold_none(org)
    story = StoryFactory(services=[node(org, 3)], criticality=4)
    body = "Please ask for Sister Jones on Ward 7: she would like to hear more."
    with django_capture_on_commit_callbacks(execute=True):
        assert respond(signed_in(responder), story, body).status_code == 302
    (email,) = mail.outbox
    assert email.to == [story.author_email]
    assert body in email.body
    link = re.search(r"http\S+/my-story/(\S+)/", email.body)
    assert link is not None
    assert Client().get(reverse("stories:author", kwargs={"token": link[1]})).status_code == 200
    (html, mimetype), *_ = email.alternatives
    assert mimetype == "text/html"
    assert "Sister Jones" in html
    assert link[0] in html
    everything = " ".join([email.subject, email.body, html])
    assert "@staff.example" not in everything  # no staff address, the writer's included
    assert "critical" not in everything.lower()


def test_author_email_html_part_escapes_the_response(
    org: Organisation, responder: User, django_capture_on_commit_callbacks: Any
) -> None:
    hold_none(org)
    story = StoryFactory(services=[node(org, 3)])
    body = "Please ask for <b>Sister Jones</b> on Ward 7."
    with django_capture_on_commit_callbacks(execute=True):
        respond(signed_in(responder), story, body)
    (email,) = mail.outbox
    assert body in email.body  # the plain text is as written
    (html, _), *_ = email.alternatives
    assert "&lt;b&gt;Sister Jones&lt;/b&gt;" in html
    assert "<b>" not in html


def test_author_is_emailed_once_when_a_held_response_is_approved(
    org: Organisation,
    responder: User,
    moderator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    story = StoryFactory(services=[node(org, 3)], criticality=5)
    with django_capture_on_commit_callbacks(execute=True):
        respond(signed_in(responder), story, "We are changing how the ward hands over.")
    assert mail.outbox == []
    held = Response.objects.get()
    url = reverse("conversation_moderation:decide_response", kwargs={"pk": held.pk})
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(moderator).post(url, {"decision": "approve", "note": ""})
        signed_in(moderator).post(url, {"decision": "approve", "note": ""})  # twice
    (email,) = mail.outbox
    assert email.to == [story.author_email]
    assert "We are changing how the ward hands over." in email.body
    assert "/my-story/" in email.body
    assert moderator.email not in email.body
    assert responder.email not in email.body
    assert "critical" not in email.body.lower()


def test_author_is_not_emailed_about_a_declined_response(
    org: Organisation,
    responder: User,
    moderator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    respond(signed_in(responder), story, "We are changing how the ward hands over.")
    held = Response.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(moderator).post(
            reverse("conversation_moderation:decide_response", kwargs={"pk": held.pk}),
            {"decision": "reject", "note": "Please answer what they asked."},
        )
    assert mail.outbox == []


def test_author_without_an_email_address_is_not_emailed(
    org: Organisation, responder: User, django_capture_on_commit_callbacks: Any
) -> None:
    hold_none(org)
    story = StoryFactory(services=[node(org, 3)], author_email="")
    with django_capture_on_commit_callbacks(execute=True):
        respond(signed_in(responder), story, "Thank you for telling us about the night staff.")
    assert Response.objects.get().is_public
    assert mail.outbox == []


# --- the author replies ----------------------------------------------------------------
@pytest.fixture
def story(org: Organisation) -> Story:
    return StoryFactory(
        services=[node(org, 3)], body="The night nurse sat with my mother until she slept."
    )


@pytest.fixture
def token(story: Story) -> str:
    return author_link(story)


def test_author_reply_waits_for_a_moderator(story: Story, token: str, responder: User) -> None:
    response = answered(story, responder, "Thank you: I have passed this on to the night team.")
    page = reply(token, "Thank you for passing it on.", response)
    assert page.status_code == 302
    assert page.url == reverse("stories:author", kwargs={"token": token})
    waiting = AuthorReply.objects.get()
    assert (waiting.status, waiting.response) == (AuthorReplyStatus.AWAITING_MODERATION, response)
    mine = author_page(token)
    assert "Thank you for passing it on." in mine
    assert "Waiting for a moderator" in mine
    assert "Thank you for passing it on." not in public_page(story)
    assert AuditEntry.objects.filter(action="responses.author_reply.submitted").count() == 1


def test_author_reply_published_by_a_moderator_joins_the_conversation_in_time_order(
    story: Story,
    token: str,
    responder: User,
    super_user: User,
    moderator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = answered(story, responder, "Thank you: I have passed this on to the night team.")
    reply(token, "Thank you for passing it on.", first)
    with django_capture_on_commit_callbacks(execute=True):
        page = decide_reply(moderator, AuthorReply.objects.get(), "approve")
    assert "The reply is published." in page.content.decode()
    assert AuthorReply.objects.get().status == AuthorReplyStatus.PUBLISHED
    (email,) = sent_to(responder.email)
    assert "Thank you for passing it on." in email.body
    assert f"/staff/stories/{story.pk}/" in email.body
    assert sent_to(super_user.email) == []  # not in the conversation

    answered(story, responder, "The night team were glad to hear it.")
    html = public_page(story)
    turns = [
        "The night nurse sat with my mother",
        "I have passed this on to the night team.",
        "Thank you for passing it on.",
        "The night team were glad to hear it.",
    ]
    assert all(turn in html for turn in turns)
    assert [html.index(turn) for turn in turns] == sorted(html.index(turn) for turn in turns)


def test_author_reply_email_to_staff_escapes_the_reply(
    story: Story,
    token: str,
    responder: User,
    moderator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    answered(story, responder, "Thank you: I have passed this on to the night team.")
    reply(token, "Please <strong>call me</strong> back.")
    with django_capture_on_commit_callbacks(execute=True):
        decide_reply(moderator, AuthorReply.objects.get(), "approve")
    (email,) = sent_to(responder.email)
    (html, _), *_ = email.alternatives
    assert "&lt;strong&gt;call me&lt;/strong&gt;" in html
    assert "<strong>" not in html


def test_a_pseudonym_stored_with_a_line_break_still_reaches_staff_on_one_line(
    org: Organisation,
    responder: User,
    moderator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Stored before pseudonyms were checked for line breaks: the email must still go.
    story = StoryFactory(services=[node(org, 3)], pseudonym="Grateful\r\nBcc: x@evil.example")
    answered(story, responder, "Thank you: I have passed this on to the night team.")
    reply(author_link(story), "Thank you for passing it on.")
    with django_capture_on_commit_callbacks(execute=True):
        decide_reply(moderator, AuthorReply.objects.get(), "approve")
    (email,) = sent_to(responder.email)
    assert email.subject.startswith("Grateful Bcc: x@evil.example replied on")
    assert "\n" not in email.subject
    assert "\r" not in email.subject
    assert email.message()["Bcc"] is None


def test_author_reply_published_is_emailed_to_referred_staff_too(
    org: Organisation,
    story: Story,
    token: str,
    responder: User,
    super_user: User,
    moderator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    answered(story, responder, "Thank you: I have passed this on to the night team.")
    referred = with_second_factor(UserFactory(email="referred@staff.example"))
    RoleFactory(user=referred, role="reader", organisation=org)
    in_team = with_second_factor(UserFactory(email="in.team@staff.example"))
    RoleFactory(user=in_team, role="reader", organisation=org)
    referral_create(referrer=super_user, story=story, user=referred)
    referral_create(referrer=super_user, story=story, team=team_of(org, in_team))
    mail.outbox.clear()
    reply(token, "Thank you for passing it on.")
    with django_capture_on_commit_callbacks(execute=True):
        decide_reply(moderator, AuthorReply.objects.get(), "approve")
    assert sorted(to for email in mail.outbox for to in email.to) == sorted(
        [responder.email, referred.email, in_team.email]
    )


def test_author_reply_to_a_withdrawn_response_is_explained(
    story: Story, token: str, responder: User
) -> None:
    gone = answered(story, responder, "Thank you: I have passed this on to the night team.")
    Response.objects.filter(pk=gone.pk).update(status=ResponseStatus.WITHDRAWN)
    page = reply(token, "Thank you.", gone)
    assert page.status_code == 200
    assert "Choose a response to this story." in page.content.decode()
    assert not AuthorReply.objects.exists()


def test_author_reply_declined_needs_a_note_the_author_sees(
    story: Story, token: str, responder: User, moderator: User
) -> None:
    answered(story, responder, "Thank you: I have passed this on to the night team.")
    reply(token, "The nurse on duty was called Jo Bloggs.")
    waiting = AuthorReply.objects.get()
    page = decide_reply(moderator, waiting, "reject")
    assert "Tell the author why the reply is not published." in page.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == AuthorReplyStatus.AWAITING_MODERATION

    decide_reply(moderator, waiting, "reject", note="We do not publish the names of staff.")
    waiting.refresh_from_db()
    assert waiting.status == AuthorReplyStatus.REJECTED
    mine = author_page(token)
    assert "Not published" in mine
    assert "We do not publish the names of staff." in mine
    assert "Jo Bloggs" not in public_page(story)


def test_author_reply_moderation_is_for_moderators_only(
    story: Story, token: str, responder: User
) -> None:
    answered(story, responder, "Thank you: I have passed this on to the night team.")
    reply(token, "Thank you for passing it on.")
    waiting = AuthorReply.objects.get()
    url = reverse("conversation_moderation:decide_reply", kwargs={"pk": waiting.pk})
    assert signed_in(responder).post(url, {"decision": "approve"}).status_code == 403
    assert Client().post(url, {"decision": "approve"}).status_code == 302  # to sign in
    waiting.refresh_from_db()
    assert waiting.status == AuthorReplyStatus.AWAITING_MODERATION


def test_author_reply_with_an_unknown_token_is_404(story: Story) -> None:
    assert reply("not-a-real-token", "Hello").status_code == 404
    assert not AuthorReply.objects.exists()


def test_author_reply_empty_is_explained(story: Story, token: str) -> None:
    page = reply(token, "   ")
    assert page.status_code == 200
    assert page.context["form"].errors["body"]
    assert "This field is required." in page.content.decode()
    assert not AuthorReply.objects.exists()


def test_author_reply_double_submit_makes_one_reply(story: Story, token: str) -> None:
    data = {"body": "Thank you.", "response": "", "submission_key": str(uuid.uuid4())}
    url = reverse("conversation:author_reply", kwargs={"token": token})
    assert Client().post(url, data).status_code == Client().post(url, data).status_code == 302
    assert AuthorReply.objects.count() == 1


def test_author_reply_to_a_response_of_another_story_is_not_linked(
    org: Organisation, story: Story, token: str, responder: User
) -> None:
    elsewhere = answered(
        StoryFactory(services=[node(org, 3)]), responder, "A response to another story."
    )
    reply(token, "Thank you.", elsewhere)
    assert AuthorReply.objects.get().response is None


# --- helpful votes ---------------------------------------------------------------------
@pytest.fixture
def response(story: Story, responder: User) -> Response:
    return answered(story, responder, "Thank you: I have passed this on to the night team.")


def vote(
    response: Response, client: Client | None = None, ip: str = "203.0.113.7", **headers: str
) -> Any:
    return (client or Client()).post(
        reverse("conversation:helpful", kwargs={"pk": response.pk}),
        headers={"User-Agent": BROWSER, **headers},
        REMOTE_ADDR=ip,
    )


def helpful_count(response: Response) -> int:
    response.refresh_from_db()
    return response.helpful_count


def test_helpful_counts_once_per_visitor(response: Response) -> None:
    page = vote(response)
    assert page.status_code == 302
    assert page.url == f"{response.story.get_absolute_url()}#response-{response.pk}"
    vote(response)
    assert helpful_count(response) == 1
    # Another browser name from the same address is the same visitor: no way to inflate.
    for n in range(20):
        vote(response, **{"User-Agent": f"{OTHER_BROWSER} build/{n}"})
    assert helpful_count(response) == 1
    vote(response, ip="198.51.100.23")
    assert helpful_count(response) == 2


def test_helpful_does_not_count_signed_in_staff_or_robots(
    response: Response, responder: User, reader: User
) -> None:
    vote(response, signed_in(responder))
    vote(response, signed_in(reader))
    vote(response, **{"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    assert helpful_count(response) == 0


def test_helpful_with_htmx_returns_the_count(response: Response) -> None:
    vote(response, ip="198.51.100.23")
    page = vote(response, **{"HX-Request": "true"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="helpful-{response.pk}"' in html
    assert "2 people say so – thank you" in html
    assert "<html" not in html


def test_helpful_on_a_response_awaiting_moderation_is_404(
    story: Story, responder: User, org: Organisation
) -> None:
    Organisation.objects.filter(pk=org.pk).update(responses_held_for_new_responders=3)
    held = response_create(
        author=responder, story=story, organisation=node(org, 3), body="Not public yet."
    )
    assert held.status == ResponseStatus.AWAITING_MODERATION
    assert vote(held).status_code == 404
    assert helpful_count(held) == 0


# --- the public page and staff-only data ----------------------------------------------
def test_public_story_page_never_shows_a_response_awaiting_moderation(
    org: Organisation, story: Story, responder: User, moderator: User
) -> None:
    respond(signed_in(responder), story, "Waiting to be checked by a moderator.")
    assert Response.objects.get().status == ResponseStatus.AWAITING_MODERATION
    for viewer in (Client(), signed_in(responder), signed_in(moderator)):
        assert "Waiting to be checked" not in public_page(story, viewer)
    staff_page = signed_in(responder).get(reverse("inbox:story", kwargs={"pk": story.pk}))
    assert "Waiting to be checked" in staff_page.content.decode()


def test_public_story_page_never_shows_criticality(
    org: Organisation, responder: User, moderator: User
) -> None:
    story = StoryFactory(services=[node(org, 3)], criticality=5)
    token = author_link(story)
    response = answered(story, responder, "I am sorry. I would like to meet you.")
    reply(token, "Thank you, I would like that.", response)
    decide_reply(moderator, AuthorReply.objects.get(), "approve")
    for html in (public_page(story), author_page(token)):
        assert "I would like to meet you." in html
        assert "critical" not in html.lower()
        assert "@staff.example" not in html


def _grow_conversation(story: Story, org: Organisation, writer: User, turns: int) -> None:
    for turn in range(turns):
        response = Response.objects.create(
            story=story,
            organisation=org,
            author=writer,
            author_name=writer.display_name,
            body=f"Response {turn}",
            body_html=f"<p>Response {turn}</p>",
            status=ResponseStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        change = Change.objects.create(
            organisation=org,
            summary=f"Change {turn}",
            due_on=timezone.localdate(),
            status_on=timezone.localdate(),
        )
        ChangeStory.objects.create(change=change, story=story, response=response)
        AuthorReply.objects.create(
            story=story,
            response=response,
            body=f"Reply {turn}",
            status=AuthorReplyStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        AuthorReply.objects.create(story=story, body=f"Waiting {turn}")


def test_conversation_pages_keep_their_query_budgets(
    org: Organisation, responder: User, moderator: User
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    pages = {
        # The changes of the story (one query) and, for staff, the changes it may be
        # linked to (one more) and whether they may record one.
        "public story page": (Client(), story.get_absolute_url(), 11),
        "staff story page": (signed_in(responder), f"/staff/stories/{story.pk}/", 20),
        "moderation of replies": (signed_in(moderator), "/moderation/conversation/", 9),
    }
    budgets = {name: QueryBudget(name, limit=limit) for name, (_, _, limit) in pages.items()}
    for size in (1, 25):
        _grow_conversation(story, node(org, 3), responder, size if size == 1 else size - 1)
        for name, (client, url, _) in pages.items():
            budgets[name].measure(size, lambda client=client, url=url: client.get(url))
    for budget in budgets.values():
        budget.assert_flat()


def test_moderators_find_the_edit_link_of_any_response_on_the_public_page(
    org: Organisation, responder: User, moderator: User
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    _grow_conversation(story, node(org, 3), responder, 1)
    response = Response.objects.get(story=story)
    link = reverse("inbox:edit_response", kwargs={"pk": response.pk})
    assert link in signed_in(moderator).get(story.get_absolute_url()).content.decode()
    assert link not in Client().get(story.get_absolute_url()).content.decode()
    assert signed_in(moderator).get(link).status_code == 200


def test_a_story_page_reads_its_changes_once_for_the_outcomes_and_the_changes_section(
    org: Organisation, responder: User
) -> None:
    """Both the outcomes beside a response and the changes section show the story's
    changes: the request memo reads them once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    story = StoryFactory(services=[node(org, 3)])
    _grow_conversation(story, node(org, 3), responder, 2)
    with CaptureQueriesContext(connection) as captured:
        html = Client().get(story.get_absolute_url()).content.decode()
    assert "Change 0" in html
    assert "Change 1" in html
    own = 'SELECT "changes_changestory"'
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(own)]
    assert len(reads) == 1, reads
