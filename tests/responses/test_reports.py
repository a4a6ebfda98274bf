"""Reports after publication: anyone reports a published story, response or author reply;
moderators work through the reports queue and hide (a placeholder giving the reason),
edit a published story, or dismiss; the author and the responders are told through the
outbox; everything is audited."""

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
from apps.core.models import AuditEntry, OutboxEmail
from apps.organisations.models import Organisation
from apps.responses.models import (
    AuthorReply,
    AuthorReplyStatus,
    ConversationReport,
    Response,
    ResponseStatus,
)
from apps.stories.models import Flag, ModerationDecision, Story, StoryStatus
from apps.stories.selectors import story_count_for_organisation
from tests.factories import StoryFactory, UserFactory, author_link
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db

HIDDEN_STORY = (
    "This story has been hidden by the moderators because it names or identifies a person."
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def service(org: Organisation) -> Organisation:
    return Organisation.objects.filter(path__startswith=org.path, depth=3).first()  # type: ignore[return-value]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reader(ip: str = "203.0.113.7") -> Client:
    return Client(REMOTE_ADDR=ip)


def published_response(story: Story, writer: User, body: str = "We are sorry.") -> Response:
    return Response.objects.create(
        story=story,
        organisation=story.services.get(),
        author=writer,
        author_name=writer.display_name,
        author_job_title="Ward manager",
        body=body,
        body_html=f"<p>{body}</p>",
        published_at=timezone.now(),
    )


def published_reply(story: Story, body: str = "Thank you for answering.") -> AuthorReply:
    return AuthorReply.objects.create(
        story=story, body=body, status=AuthorReplyStatus.PUBLISHED, published_at=timezone.now()
    )


def report(url: str, reason: str = "identifies_someone", note: str = "", **extra: str) -> Any:
    data = {"reason": reason, "note": note, "submission_key": str(uuid.uuid4()), **extra}
    return reader().post(url, data)


def decide(moderator: User, action: str, kind: str, pk: int, **data: str) -> Any:
    prefixed = {f"{kind}-{pk}-{name}": value for name, value in data.items()}
    url = reverse(f"reports:{action}", kwargs={"kind": kind, "pk": pk})
    return signed_in(moderator).post(url, prefixed)


def emails_to(address: str) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(to=address).order_by("pk"))


# --- must show: report -> hide -> placeholder, the author and responders told -----------
def test_a_reported_story_hidden_shows_the_placeholder_and_the_author_and_responders_are_told(
    org: Organisation,
    responder: User,
    moderator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    story = StoryFactory(
        services=[service(org)],
        title="Sister Jones was rude",
        body="Sister Jones on ward 7 shouted at my father all night long.",
        author_email="teller@home.example",
    )
    slug = org.slug
    before = story_count_for_organisation(org)

    # A reader reports it.
    sent = report(reverse("stories:report", kwargs={"pk": story.pk}), note="Names a nurse")
    assert sent.status_code == 302
    flag = Flag.objects.get(story=story)

    # It is in the moderators' queue, linked from the stories queue, with its count.
    queue_page = signed_in(moderator).get(reverse("moderation:queue"))
    assert reverse("reports:queue") in queue_page.content.decode()
    queue = signed_in(moderator).get(reverse("reports:queue"))
    assert queue["Cache-Control"] == "private, no-store"
    (item,) = queue.context["queue"].items
    assert (item.kind, item.pk, item.count) == ("story", story.pk, 1)
    assert "Names a nurse" in queue.content.decode()

    # The moderator hides it with a reason.
    with django_capture_on_commit_callbacks(execute=True):
        done = decide(
            moderator, "hide", "story", story.pk, reason="identifies_someone", note="Checked"
        )
    assert done.status_code == 302
    story.refresh_from_db()
    assert story.status == StoryStatus.HIDDEN

    # The page still answers, with the placeholder and never the text.
    page = Client().get(story.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert HIDDEN_STORY in body
    assert "shouted" not in body
    assert "Sister Jones" not in body

    # It has left the lists, search, the feed, the API and the counts.
    assert "Sister Jones" not in Client().get(reverse("stories:list")).content.decode()
    assert "Sister Jones" not in Client().get("/stories/", {"q": "shouted"}).content.decode()
    feed = Client().get(reverse("feeds:organisation", kwargs={"slug": slug}))
    assert "Sister Jones" not in feed.content.decode()
    assert Client().get(reverse("api:story", kwargs={"pk": story.pk})).status_code == 404
    assert "Sister Jones" not in Client().get(reverse("api:stories")).content.decode()
    assert story_count_for_organisation(org) == before - 1

    # The report is closed; everything audited: who, what, why.
    flag.refresh_from_db()
    assert (flag.outcome, flag.resolved_by, flag.resolved_at is not None) == (
        "hidden",
        moderator,
        True,
    )
    entry = AuditEntry.objects.get(action="stories.story.hidden")
    assert (entry.actor, entry.object_id) == (moderator, str(story.pk))
    assert entry.details["reason"] == "identifies_someone"
    assert entry.details["reports"] == [flag.pk]
    assert ModerationDecision.objects.filter(story=story, action="hidden").exists()

    # The author and the responder are told: outbox rows, rendered and sent.
    (to_author,) = emails_to("teller@home.example")
    (to_responder,) = emails_to(responder.email)
    assert to_author.status == to_responder.status == OutboxEmail.Status.SENT
    for address in ("teller@home.example", responder.email):
        (sent_email,) = [m for m in mail.outbox if m.to == [address]]
        (html, _mimetype), *_ = sent_email.alternatives
        assert "it names or identifies a person" in sent_email.body
        assert "it names or identifies a person" in html
        assert "Sister Jones was rude" in sent_email.subject
        assert "Names a nurse" not in sent_email.body  # never the reporter's note
    author_text = next(m.body for m in mail.outbox if m.to == ["teller@home.example"])
    link = re.search(r"http\S+/my-story/(\S+)/", author_text)
    assert link is not None
    author_page = Client().get(reverse("stories:author", kwargs={"token": link[1]}))
    assert "the moderators hid it because it names or identifies a person" in (
        author_page.content.decode()
    )
    # Nothing is left in the queue.
    assert signed_in(moderator).get(reverse("reports:queue")).context["queue"].items == []


def test_a_reported_response_hidden_shows_a_placeholder_in_the_conversation(
    org: Organisation, responder: User, moderator: User
) -> None:
    story = StoryFactory(services=[service(org)], author_email="teller@home.example")
    writer = UserFactory(email="writer@trust.example")
    response = published_response(story, writer, "Call me on 07700 900123 any time.")
    url = reverse("conversation:report_response", kwargs={"pk": response.pk})
    assert url in Client().get(story.get_absolute_url()).content.decode()
    assert report(url, reason="other", note="A personal phone number").status_code == 302

    done = decide(
        moderator, "hide", "response", response.pk, reason="other", public_note="it gave a phone"
    )
    assert done.status_code == 302
    response.refresh_from_db()
    assert (response.status, response.hidden_note) == (ResponseStatus.HIDDEN, "it gave a phone")
    body = Client().get(story.get_absolute_url()).content.decode()
    assert "This response has been hidden by the moderators because it gave a phone." in body
    assert "07700 900123" not in body
    api = Client().get(reverse("api:story_responses", kwargs={"pk": story.pk}))
    assert "07700" not in api.content.decode()
    for address in ("teller@home.example", responder.email, "writer@trust.example"):
        (row,) = emails_to(address)
        assert "it gave a phone" in row.body_text
    assert AuditEntry.objects.get(action="responses.response.hidden").actor == moderator
    assert ConversationReport.objects.get().outcome == "hidden"


def test_a_reported_author_reply_hidden_shows_a_placeholder(
    org: Organisation, responder: User, moderator: User
) -> None:
    story = StoryFactory(services=[service(org)], author_email="teller@home.example")
    token = author_link(story)
    reply = published_reply(story, "You are all useless and should be sacked.")
    assert report(reverse("conversation:report_reply", kwargs={"pk": reply.pk}), "abusive")
    decide(moderator, "hide", "reply", reply.pk, reason="abusive")
    reply.refresh_from_db()
    assert reply.status == AuthorReplyStatus.HIDDEN
    placeholder = "This reply has been hidden by the moderators because it is abusive or offensive."
    assert placeholder in Client().get(story.get_absolute_url()).content.decode()
    author_page = Client().get(reverse("stories:author", kwargs={"token": token}))
    assert placeholder in author_page.content.decode()
    assert "should be sacked" not in author_page.content.decode()
    assert len(emails_to("teller@home.example")) == 1
    assert len(emails_to(responder.email)) == 1


# --- dismiss and edit ------------------------------------------------------------------
def test_dismissing_keeps_the_story_and_tells_the_author_and_responders(
    org: Organisation, responder: User, moderator: User
) -> None:
    story = StoryFactory(services=[service(org)], author_email="teller@home.example")
    for _ in range(2):
        report(reverse("stories:report", kwargs={"pk": story.pk}), "untrue_or_unfair")
    done = decide(moderator, "dismiss", "story", story.pk, note="Fair criticism")
    assert done.status_code == 302
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    assert set(Flag.objects.values_list("outcome", "resolution_note")) == {
        ("dismissed", "Fair criticism")
    }
    entry = AuditEntry.objects.get(action="stories.flag.dismissed")
    assert (entry.actor, entry.details["note"]) == (moderator, "Fair criticism")
    (to_author,) = emails_to("teller@home.example")
    assert "stays published as it is" in to_author.body_text
    assert len(emails_to(responder.email)) == 1
    # A second dismissal has nothing to dismiss: the page says so, beside the form.
    again = decide(moderator, "dismiss", "story", story.pk)
    assert again.status_code == 200
    assert "This story has no open reports." in again.content.decode()


def test_a_moderator_edits_a_published_story_and_the_author_sees_the_difference(
    org: Organisation, responder: User, moderator: User
) -> None:
    story = StoryFactory(
        services=[service(org)],
        title="Ward 7",
        body="Nurse Alice Smith ignored my mother for hours on ward 7.",
        author_email="teller@home.example",
    )
    token = author_link(story)
    report(reverse("stories:report", kwargs={"pk": story.pk}))
    client = signed_in(moderator)
    page = client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    assert "Reported by 1 reader" in page.content.decode()
    assert "Save the edits to the published story" in page.content.decode()
    done = client.post(
        reverse("moderation:story_edit_published", kwargs={"pk": story.pk}),
        {"title": "Ward 7", "body": "A nurse ignored my mother for hours on ward 7."},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("reports:queue")
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    assert "Alice Smith" not in Client().get(story.get_absolute_url()).content.decode()
    assert Flag.objects.get().outcome == "edited"
    assert AuditEntry.objects.get(action="stories.story.edited_published").actor == moderator
    page = Client().get(reverse("stories:author", kwargs={"token": token})).content.decode()
    assert "The moderator's changes after a report" in page
    assert "<del>" in page
    assert "Alice" in page
    assert reverse("stories:withdraw", kwargs={"token": token}) in page
    (to_author,) = emails_to("teller@home.example")
    assert "you can withdraw your story" in to_author.body_text
    assert len(emails_to(responder.email)) == 1
    # The author withdraws, as before publication.
    Client().post(reverse("stories:withdraw", kwargs={"token": token}))
    story.refresh_from_db()
    assert story.status == StoryStatus.WITHDRAWN


# --- the report form -------------------------------------------------------------------
def test_a_double_submit_makes_one_report_and_the_honeypot_none(org: Organisation) -> None:
    story = StoryFactory(services=[service(org)])
    url = reverse("stories:report", kwargs={"pk": story.pk})
    key = str(uuid.uuid4())
    for _ in range(2):
        reader().post(url, {"reason": "spam", "submission_key": key})
    report(url, website="http://spam.example")
    assert Flag.objects.count() == 1


def test_reports_are_rate_limited_per_address(org: Organisation) -> None:
    story = StoryFactory(services=[service(org)])
    reply = published_reply(story)
    url = reverse("conversation:report_reply", kwargs={"pk": reply.pk})
    for _ in range(10):
        assert report(url, "spam").status_code == 302
    refused = report(url, "spam")
    assert refused.status_code == 429
    assert "Too many reports from here" in refused.content.decode()
    assert ConversationReport.objects.count() == 10


def test_other_needs_words_and_only_published_things_can_be_reported(
    org: Organisation, moderator: User
) -> None:
    story = StoryFactory(services=[service(org)])
    url = reverse("stories:report", kwargs={"pk": story.pk})
    missing = report(url, reason="other")
    assert missing.status_code == 200
    assert "Say what the moderator should look at." in missing.content.decode()
    waiting = AuthorReply.objects.create(story=story, body="Not yet checked.")
    assert (
        Client().get(reverse("conversation:report_reply", kwargs={"pk": waiting.pk})).status_code
        == 404
    )
    report(url)
    # Hiding for "other" needs the public words; the error is beside the field.
    refused = decide(moderator, "hide", "story", story.pk, reason="other")
    assert refused.status_code == 200
    assert "Write the reason the public will see." in refused.content.decode()
    assert decide(moderator, "hide", "nonsense", story.pk).status_code == 404
    assert decide(moderator, "hide", "response", 999999, reason="spam").status_code == 404
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED


def test_only_moderators_decide_reports(org: Organisation, responder: User) -> None:
    story = StoryFactory(services=[service(org)])
    report(reverse("stories:report", kwargs={"pk": story.pk}))
    assert decide(responder, "hide", "story", story.pk, reason="spam").status_code == 403
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED


# --- the queue's budget ----------------------------------------------------------------
def _reported(org: Organisation, n: int) -> None:
    for i in range(n):
        story = StoryFactory(services=[service(org)])
        Flag.objects.create(story=story, reason="spam")
        Flag.objects.create(story=story, reason="abusive")
        writer = UserFactory()
        response = published_response(story, writer)
        ConversationReport.objects.create(response=response, reason="abusive")
        if i % 2:
            ConversationReport.objects.create(reply=published_reply(story), reason="spam")


def test_reports_queue_reads_a_fixed_number_of_queries(org: Organisation, moderator: User) -> None:
    client = signed_in(moderator)
    url = reverse("reports:queue")
    budget = QueryBudget("reports queue", limit=17)
    _reported(org, 3)
    budget.measure(3, lambda: client.get(url))
    _reported(org, 30)
    budget.measure(33, lambda: client.get(url))
    budget.assert_flat()
    page = client.get(url)
    assert page.context["queue"].total == 33 * 2 + 16
    items = page.context["queue"].items
    assert len(items) == 50
    assert [i.first_at for i in items] == sorted(i.first_at for i in items)
