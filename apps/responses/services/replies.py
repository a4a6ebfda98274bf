"""The author's side of the conversation (replies through the private link, checked by
a moderator) and the public's "this response was helpful"."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.core import pagecache
from apps.core.audit import audit
from apps.core.outbox import Email, outbox_add_many
from apps.stories.models import Story, StoryStatus

from ..models import AuthorReply, AuthorReplyStatus, HelpfulVote, Referral, Response, ResponseStatus
from ..selectors import story_path
from .held import HeldKind, held_publish, held_reject

MAX_LENGTH = 3000


def author_reply_create(
    *,
    story: Story,
    body: str,
    response_id: int | None = None,
    submission_key: uuid.UUID | None = None,
) -> AuthorReply:
    """The author answers back (the caller has checked their private link). Plain text,
    held for a moderator. A second submit with the same key returns the first reply."""
    if submission_key is not None:
        done = AuthorReply.objects.filter(submission_key=submission_key).first()
        if done is not None:
            return done
    if story.status != StoryStatus.PUBLISHED:
        raise ValidationError(_("You can reply once your story is published."))
    text = body.strip()
    if not text:
        raise ValidationError({"body": _("Write your reply.")})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"body": _("Keep your reply under %(max)s characters.") % {"max": MAX_LENGTH}}
        )
    # A reply is linked to a response of this story only; another story's id links nothing.
    response = Response.objects.filter(pk=response_id, story=story).first() if response_id else None
    if response is not None and not response.is_public:
        raise ValidationError({"response": _("Choose a response to this story.")})
    try:
        with transaction.atomic():
            reply = AuthorReply.objects.create(
                story=story, response=response, body=text, submission_key=submission_key
            )
            audit(
                actor=None,
                action="responses.author_reply.submitted",
                target=reply,
                organisation_path=story_path(story),
                story_id=story.pk,
            )
    except IntegrityError:
        # The same submit arrived twice at once: the other one made it.
        return AuthorReply.objects.get(submission_key=submission_key)
    return reply


def author_reply_publish(*, moderator: User, reply: AuthorReply) -> AuthorReply:
    """Publish the author's reply; the staff in that conversation are then emailed."""
    return held_publish(HELD_AUTHOR_REPLY, moderator=moderator, item=reply)


def author_reply_reject(*, moderator: User, reply: AuthorReply, note: str) -> AuthorReply:
    """Decline the author's reply with a note the author sees on their private page."""
    return held_reject(HELD_AUTHOR_REPLY, moderator=moderator, item=reply, reason=note)


def conversation_staff(story: Story) -> list[User]:
    """The staff in a story's conversation: who responded in public, and the people
    (or team members) it is referred to now."""
    responders = User.objects.filter(
        is_active=True,
        responses__story=story,
        responses__status=ResponseStatus.PUBLISHED,
    )
    open_referrals = Referral.objects.filter(story=story, revoked_at__isnull=True)
    referred = User.objects.filter(is_active=True, referrals__in=open_referrals)
    in_teams = User.objects.filter(is_active=True, groups__team__referrals__in=open_referrals)
    return list(responders.union(referred, in_teams).order_by("email"))


def _tell_staff(reply: AuthorReply) -> None:
    story = reply.story
    link = settings.SITE_URL + reverse("inbox:story", kwargs={"pk": story.pk})
    emails = [
        Email(
            kind="responses.author_reply",
            key=str(reply.pk),
            to=person.email,
            subject=_("%(pseudonym)s replied on “%(title)s”")
            % {"pseudonym": story.pseudonym, "title": story.display_title},
            text=render_to_string(
                "responses/email/author_reply.txt",
                {
                    "person": person,
                    "story": story,
                    "reply": reply,
                    "link": link,
                    "site_name": settings.SITE_NAME,
                },
            ),
        )
        for person in conversation_staff(story)
    ]
    outbox_add_many(emails)


HELD_AUTHOR_REPLY = HeldKind(
    model=AuthorReply,
    audit_name="responses.author_reply",
    published_verb="published",
    awaiting=AuthorReplyStatus.AWAITING_MODERATION,
    published=AuthorReplyStatus.PUBLISHED,
    rejected=AuthorReplyStatus.REJECTED,
    reason_field="rejection_note",
    reason_key="note",
    reason_needed=gettext_lazy("Tell the author why the reply is not published."),
    already_decided=gettext_lazy("This reply has already been decided."),
    related=("story",),
    organisation_path=lambda reply: story_path(reply.story),
    after_publish=_tell_staff,
)


def response_vote_helpful(*, response: Response, visitor: str | None) -> bool:
    """ "This response was helpful", once per visitor; robots and staff are not counted."""
    if visitor is None or not response.is_public:
        return False
    try:
        with transaction.atomic():
            HelpfulVote.objects.create(response=response, visitor=visitor)
    except IntegrityError:
        return False
    Response.objects.filter(pk=response.pk).update(helpful_count=F("helpful_count") + 1)
    pagecache.touch(pagecache.story(response.story_id))
    return True
