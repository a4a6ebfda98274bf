"""Deciding a held item: the shared steps behave the same for a held response and an
author's reply; each named service adds only its own side effect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responses import services
from apps.responses.models import AuthorReply, AuthorReplyStatus, Response, ResponseStatus
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def held_response(org: Organisation, writer: User) -> Response:
    story = StoryFactory(services=[org])
    return Response.objects.create(
        story=story,
        organisation=org,
        author=writer,
        author_name=writer.display_name,
        body="We are sorry.",
        body_html="<p>We are sorry.</p>",
        status=ResponseStatus.AWAITING_MODERATION,
    )


def held_reply(org: Organisation, writer: User) -> AuthorReply:
    story = StoryFactory(services=[org])
    return AuthorReply.objects.create(
        story=story, body="Thank you.", status=AuthorReplyStatus.AWAITING_MODERATION
    )


@dataclass(frozen=True)
class Kind:
    """One kind of held item, seen from outside: how to make one and decide it."""

    make: Callable[[Organisation, User], Any]
    publish: Callable[..., Any]
    reject: Callable[..., Any]
    audit_name: str
    published_verb: str
    rejected_status: str
    reason_field: str
    reason_key: str
    url: str


KINDS = {
    "response": Kind(
        make=held_response,
        publish=lambda m, item: services.response_publish(moderator=m, response=item),
        reject=lambda m, item, why: services.response_reject(
            moderator=m, response=item, reason=why
        ),
        audit_name="responses.response",
        published_verb="approved",
        rejected_status=ResponseStatus.WITHDRAWN,
        reason_field="withdrawn_reason",
        reason_key="reason",
        url="conversation_moderation:decide_response",
    ),
    "author_reply": Kind(
        make=held_reply,
        publish=lambda m, item: services.author_reply_publish(moderator=m, reply=item),
        reject=lambda m, item, why: services.author_reply_reject(moderator=m, reply=item, note=why),
        audit_name="responses.author_reply",
        published_verb="published",
        rejected_status=AuthorReplyStatus.REJECTED,
        reason_field="rejection_note",
        reason_key="note",
        url="conversation_moderation:decide_reply",
    ),
}


@pytest.fixture(params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> Kind:
    return KINDS[request.param]


def test_publishing_a_held_item_records_who_and_when(
    kind: Kind, org: Organisation, responder: User, moderator: User
) -> None:
    item = kind.make(org, responder)
    done = kind.publish(moderator, item)
    done.refresh_from_db()
    assert (done.status, done.moderated_by) == ("published", moderator)
    assert done.published_at is not None
    entry = AuditEntry.objects.get(action=f"{kind.audit_name}.{kind.published_verb}")
    assert (entry.actor, entry.details["story_id"]) == (moderator, item.story_id)


def test_rejecting_a_held_item_needs_a_reason_which_is_kept(
    kind: Kind, org: Organisation, responder: User, moderator: User
) -> None:
    item = kind.make(org, responder)
    with pytest.raises(ValidationError) as caught:
        kind.reject(moderator, item, "  ")
    assert list(caught.value.message_dict) == [kind.reason_key]
    kind.reject(moderator, item, " Names a nurse. ")
    item.refresh_from_db()
    assert (item.status, getattr(item, kind.reason_field)) == (
        kind.rejected_status,
        "Names a nurse.",
    )
    assert AuditEntry.objects.filter(action=f"{kind.audit_name}.rejected").count() == 1


def test_a_held_item_is_decided_once(
    kind: Kind, org: Organisation, responder: User, moderator: User
) -> None:
    item = kind.make(org, responder)
    kind.publish(moderator, item)
    with pytest.raises(ValidationError, match="already been decided"):
        kind.publish(moderator, item)
    with pytest.raises(ValidationError, match="already been decided"):
        kind.reject(moderator, item, "Too late.")


def test_only_a_moderator_decides_and_a_refusal_is_recorded(
    kind: Kind, org: Organisation, responder: User
) -> None:
    item = kind.make(org, responder)
    with pytest.raises(PermissionDenied):
        kind.publish(responder, item)
    with pytest.raises(PermissionDenied):
        kind.reject(UserFactory(), item, "No.")
    assert AuditEntry.objects.filter(action=f"{kind.audit_name}.moderation_refused").count() == 2
    item.refresh_from_db()
    assert item.status == "awaiting_moderation"


def test_a_decision_other_than_the_two_choices_changes_nothing(
    kind: Kind, org: Organisation, responder: User, moderator: User, client_as: Any
) -> None:
    item = kind.make(org, responder)
    client = client_as("moderator")
    url = reverse(kind.url, kwargs={"pk": item.pk})
    for decision in ("", "save", "publish", "approve "):
        response = client.post(url, {"decision": decision, "note": ""}, follow=True)
        assert "Choose whether to publish it." in response.content.decode()
    item.refresh_from_db()
    assert item.status == "awaiting_moderation"


# --- each named service's own side effect ------------------------------------------


def test_response_publish_tells_the_author(
    org: Organisation, responder: User, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    item = held_response(org, responder)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_publish(moderator=moderator, response=item)
    assert [m.to for m in mail.outbox] == [[item.story.author_email]]


def test_response_reject_tells_nobody(
    org: Organisation, responder: User, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    item = held_response(org, responder)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_reject(moderator=moderator, response=item, reason="Off topic.")
    assert mail.outbox == []


def test_author_reply_publish_tells_the_staff_in_the_conversation(
    org: Organisation, responder: User, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    reply = held_reply(org, responder)
    Response.objects.create(
        story=reply.story,
        organisation=org,
        author=responder,
        author_name=responder.display_name,
        body="We are sorry.",
        body_html="<p>We are sorry.</p>",
        status=ResponseStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.author_reply_publish(moderator=moderator, reply=reply)
    assert [m.to for m in mail.outbox] == [[responder.email]]


def test_author_reply_reject_tells_nobody(
    org: Organisation, responder: User, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    reply = held_reply(org, responder)
    with django_capture_on_commit_callbacks(execute=True):
        services.author_reply_reject(moderator=moderator, reply=reply, note="Names a nurse.")
    assert mail.outbox == []
