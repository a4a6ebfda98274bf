"""Stories, responses and private data for the feed and widget tests."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from django.utils import timezone

from apps.accounts.models import User
from apps.core.html import render
from apps.organisations.models import Organisation, OrganisationKind
from apps.responses.models import AuthorReply, AuthorReplyStatus, Referral, Response, ResponseStatus
from apps.stories.models import (
    ModerationDecision,
    Story,
    StoryRevision,
    StoryService,
    StoryStatus,
    StoryTag,
    Tag,
)
from tests.factories import OrganisationFactory, StoryFactory, UserFactory

ATOM = "{http://www.w3.org/2005/Atom}"

# Distinctive staff-only values: none may reach a feed or the widget.
PRIVATE = {
    "author_email": "secret.author@private.example",
    "moderator_note": "MODNOTE-check the ward rota quietly",
    "decision_note": "DECISIONNOTE-spoke to the matron",
    "original_text": "ORIGINALTEXT-Nurse Jane Doe on Ward 7 was rude",
    "referral_note": "REFERRALNOTE-please handle gently",
    "listed_staff": "LISTEDSTAFF-Dr Hidden Person",
    "pending_response": "PENDINGRESPONSE-we are looking into it",
    "withdrawn_response": "WITHDRAWNRESPONSE-an answer taken back",
    "withdrawn_reason": "WITHDRAWNREASON-posted by mistake",
    "pending_reply": "PENDINGREPLY-thank you but",
    "rejected_reply": "REJECTEDREPLY-not good enough",
    "reply_rejection_note": "REPLYREJECTIONNOTE-names a nurse",
    "unpublished_title": "UNPUBLISHED-STORY-TITLE",
    "withdrawn_title": "WITHDRAWN-STORY-TITLE",
    "rejected_title": "REJECTED-STORY-TITLE",
    "awaiting_author_title": "AWAITINGAUTHOR-STORY-TITLE",
    "rejection_note": "REJECTIONNOTE-too old",
}
# Words of the criticality scale that the public never sees.
CRITICALITY_WORDS = ("criticality", "severely critical", "Criticality", "safeguarding")


def tree(org: Organisation) -> dict[str, Organisation]:
    """The cast's trust, its site and outpatients, and a ward added beside them."""
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    outpatients = Organisation.objects.get(path__startswith=org.path, depth=3)
    ward = OrganisationFactory(parent=site, name="Northfield Ward 7", kind=OrganisationKind.SERVICE)
    org.refresh_from_db()
    site.refresh_from_db()
    return {"trust": org, "site": site, "outpatients": outpatients, "ward": ward}


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def story(about: list[Organisation], *, days_ago: float = 1, **fields: Any) -> Story:
    fields.setdefault("published_at", ago(days=days_ago))
    return StoryFactory(services=about, **fields)


def respond(
    about: Story,
    organisation: Organisation,
    body: str,
    *,
    when: dt.datetime | None = None,
    status: str = ResponseStatus.PUBLISHED,
    name: str = "Ruth Reed",
    job_title: str = "Ward manager",
    **fields: Any,
) -> Response:
    published = status == ResponseStatus.PUBLISHED
    return Response.objects.create(
        story=about,
        organisation=organisation,
        author_name=name,
        author_job_title=job_title,
        body=body,
        body_html=render(body),
        status=status,
        published_at=(when or timezone.now()) if published else None,
        **fields,
    )


def author_reply(
    about: Story, body: str, *, status: str, when: dt.datetime | None = None
) -> AuthorReply:
    return AuthorReply.objects.create(
        story=about,
        body=body,
        status=status,
        published_at=(when or timezone.now()) if status == AuthorReplyStatus.PUBLISHED else None,
        rejection_note=PRIVATE["reply_rejection_note"]
        if status == AuthorReplyStatus.REJECTED
        else "",
    )


def tag(about: Story, slug: str, polarity: str = "good") -> StoryTag:
    return StoryTag.objects.create(story=about, tag=Tag.objects.get(slug=slug), polarity=polarity)


def with_private_data(org: Organisation, service: Organisation) -> Story:
    """A published story carrying every kind of staff-only data, and unpublished things
    beside it; returns the published story."""
    Organisation.objects.filter(pk=org.pk).update(listed_staff_names=PRIVATE["listed_staff"])
    told = story(
        [service],
        title="Seen quickly in outpatients",
        criticality=5,
        author_email=PRIVATE["author_email"],
        moderator_note=PRIVATE["moderator_note"],
    )
    StoryRevision.objects.create(story=told, number=0, title="", body=PRIVATE["original_text"])
    ModerationDecision.objects.create(
        story=told, action=ModerationDecision.Action.PUBLISHED, note=PRIVATE["decision_note"]
    )
    Referral.objects.create(story=told, user=UserFactory(), note=PRIVATE["referral_note"])
    respond(told, service, "We are glad it went well.")
    respond(told, service, PRIVATE["pending_response"], status=ResponseStatus.AWAITING_MODERATION)
    respond(
        told,
        service,
        PRIVATE["withdrawn_response"],
        status=ResponseStatus.WITHDRAWN,
        withdrawn_reason=PRIVATE["withdrawn_reason"],
    )
    author_reply(told, PRIVATE["pending_reply"], status=AuthorReplyStatus.AWAITING_MODERATION)
    author_reply(told, PRIVATE["rejected_reply"], status=AuthorReplyStatus.REJECTED)
    for status, title in (
        (StoryStatus.AWAITING_MODERATION, PRIVATE["unpublished_title"]),
        (StoryStatus.WITHDRAWN, PRIVATE["withdrawn_title"]),
        (StoryStatus.AWAITING_AUTHOR, PRIVATE["awaiting_author_title"]),
    ):
        # A withdrawn story keeps the date it was published; it still must not show.
        story([service], title=title, status=status, days_ago=0.5)
    story(
        [service],
        title=PRIVATE["rejected_title"],
        status=StoryStatus.REJECTED,
        published_at=None,
        rejection_reason="other",
        rejection_note=PRIVATE["rejection_note"],
    )
    return told


def assert_nothing_private(body: str) -> None:
    for name, value in PRIVATE.items():
        assert value not in body, f"{name} reached a public page: {value}"
    for word in CRITICALITY_WORDS:
        assert word not in body, f"{word!r} reached a public page"


def many(organisation: Organisation, n: int, *, answered: bool = True, tagged: str = "") -> None:
    """n more published stories about the node, each with a response, an author reply and
    (optionally) a tag, in bulk."""
    stories = Story.objects.bulk_create(
        StoryFactory.build(title=f"Bulk {i}", published_at=ago(days=30, minutes=i))
        for i in range(n)
    )
    StoryService.objects.bulk_create(
        StoryService(story=s, organisation=organisation) for s in stories
    )
    if answered:
        Response.objects.bulk_create(
            Response(
                story=s,
                organisation=organisation,
                author_name="Bulk Responder",
                body="Thank you.",
                body_html="<p>Thank you.</p>",
                published_at=timezone.now(),
            )
            for s in stories
        )
        AuthorReply.objects.bulk_create(
            AuthorReply(
                story=s,
                body="Thanks.",
                status=AuthorReplyStatus.PUBLISHED,
                published_at=timezone.now(),
            )
            for s in stories
        )
    if tagged:
        chosen = Tag.objects.get(slug=tagged)
        StoryTag.objects.bulk_create(
            StoryTag(story=s, tag=chosen, polarity="good") for s in stories
        )


def parse(content: bytes) -> ET.Element:
    root = ET.fromstring(content)  # noqa: S314 - our own feed, in a test
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry")


def text(element: ET.Element, name: str) -> str:
    found = element.find(f"{ATOM}{name}")
    assert found is not None, f"no <{name}>"
    return found.text or ""


def signed_in(user: User) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
