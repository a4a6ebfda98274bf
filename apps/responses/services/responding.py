"""Staff responding in public: preview, post, edit and withdraw, and moderating the
responses that the organisation's policy holds back."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.core.audit import audit, refuse
from apps.core.html import render
from apps.core.outbox import outbox_add
from apps.core.signals import figures_changed
from apps.organisations.models import Organisation
from apps.responders.permissions import can_moderate
from apps.responders.scope import RESPOND, scope_of
from apps.stories.languages import in_author_language
from apps.stories.models import Story, StoryStatus
from apps.stories.selectors import story_service_paths
from apps.stories.services import author_access_new, author_link_url

from ..models import Referral, Response, ResponseStatus
from ..permissions import can_respond, is_referred
from ..selectors import story_path
from .held import HeldKind, held_publish, held_reject

EDIT_MINUTES = 30
MAX_LENGTH = 5000
# Trigram similarity at or above this counts as "nearly the same text".
GENERIC_SIMILARITY = 0.6
# Only the organisation's most recent responses are compared, so the check stays fast.
GENERIC_LOOKBACK = 2000


def respond_nodes(user: User, story: Story) -> list[Organisation]:
    """The nodes this user may answer this story on behalf of: each of the story's
    services and the nodes above it that lie inside the user's responder scope; with a
    referral, the story's services and the referred teams' nodes. One query, two when
    the story is referred to them; the same rule as `changes.services.record_nodes`
    without the referrals (`Scope.nodes_within`)."""
    services = list(story.services.all())
    referred: set[str] = set()
    if is_referred(user, story):
        referred.update(s.path for s in services)
        referred.update(
            Referral.objects.filter(
                story=story, revoked_at__isnull=True, team__group__user=user
            ).values_list("team__organisation__path", flat=True)
        )
    return scope_of(user).nodes_within(RESPOND, services, also=referred)


def respond_node_default(story: Story, nodes: list[Organisation]) -> Organisation | None:
    """Of the nodes a responder may answer for, the one the form starts on: the most
    specific node the story names (its service itself when the responder may answer for
    it, else the nearest node above it); between services, the one the story names first.
    A referred team's node that the story does not name comes only when nothing else does.
    No query: the story's services are prefetched in the order the author gave them."""
    services = list(story.services.all())
    best: tuple[int, int] | None = None
    chosen: Organisation | None = None
    for node in nodes:
        for position, service in enumerate(services):
            if service.path.startswith(node.path):
                key = (node.depth, -position)
                if best is None or key > best:
                    best, chosen = key, node
    return chosen or (nodes[0] if nodes else None)


def similar_count(*, organisation: Organisation, body: str, exclude: int | None = None) -> int:
    """How many of the organisation's recent published responses (its whole trust) read
    nearly the same as this text."""
    recent = (
        Response.objects.filter(
            status=ResponseStatus.PUBLISHED,
            organisation__path__startswith=organisation.root_path,
        )
        .exclude(pk=exclude or 0)
        .order_by("-pk")
        .values("pk")[:GENERIC_LOOKBACK]
    )
    return (
        Response.objects.filter(pk__in=recent)
        .annotate(similarity=TrigramSimilarity("body", body))
        .filter(similarity__gte=GENERIC_SIMILARITY)
        .count()
    )


@dataclass(frozen=True)
class Preview:
    html: str
    similar: int


def response_preview(
    *, author: User, story: Story, organisation: Organisation, body: str
) -> Preview:
    """What the response will look like, and how many earlier ones it resembles. No write."""
    _check(author, story, organisation, body)
    return Preview(
        html=render(body), similar=similar_count(organisation=organisation, body=body.strip())
    )


def _check(author: User, story: Story, organisation: Organisation, body: str) -> None:
    if not can_respond(author, story):
        refuse(
            actor=author,
            action="responses.response.refused",
            target=story,
            organisation_path=story_path(story),
            message=_("You cannot respond to this story."),
        )
    if organisation.pk not in {node.pk for node in respond_nodes(author, story)}:
        raise ValidationError({"organisation": _("You cannot respond on behalf of that part.")})
    if not body.strip():
        raise ValidationError({"body": _("Write your response.")})
    if len(body) > MAX_LENGTH:
        raise ValidationError(
            {"body": _("Keep your response under %(max)s characters.") % {"max": MAX_LENGTH}}
        )


def _held(author: User, organisation: Organisation) -> bool:
    """The trust's policy: a new responder's first N responses wait for a moderator."""
    root = Organisation.objects.only("responses_held_for_new_responders").get(
        path=organisation.root_path
    )
    earlier = Response.objects.filter(author=author, published_at__isnull=False).count()
    return earlier < root.responses_held_for_new_responders


def response_create(
    *,
    author: User,
    story: Story,
    organisation: Organisation,
    body: str,
    submission_key: uuid.UUID | None = None,
) -> Response:
    """Post a public response under the author's name and job title, on behalf of a node
    they may answer for. Held for a moderator while the responder is new (the trust's
    policy); marked generic when it reads like earlier ones. The story's author is emailed
    once it is public. A second submit with the same key returns the first response."""
    if submission_key is not None:
        done = Response.objects.filter(submission_key=submission_key).first()
        if done is not None:
            return done
    # Checked before the transaction, so a refusal's audit entry is kept.
    _check(author, story, organisation, body)
    try:
        return _create(author, story, organisation, body, submission_key)
    except IntegrityError:
        # The same submit arrived twice at once: the other one made it.
        return Response.objects.get(submission_key=submission_key)


@transaction.atomic
def _create(
    author: User,
    story: Story,
    organisation: Organisation,
    body: str,
    submission_key: uuid.UUID | None,
) -> Response:
    text = body.strip()
    similar = similar_count(organisation=organisation, body=text)
    held = _held(author, organisation)
    now = timezone.now()
    response = Response.objects.create(
        story=story,
        organisation=organisation,
        author=author,
        author_name=author.display_name,
        author_job_title=author.job_title,
        body=text,
        body_html=render(text),
        status=ResponseStatus.AWAITING_MODERATION if held else ResponseStatus.PUBLISHED,
        published_at=None if held else now,
        similar_count=similar,
        is_generic=similar > 0,
        submission_key=submission_key,
    )
    audit(
        actor=author,
        action="responses.response.held" if held else "responses.response.published",
        target=response,
        organisation_path=organisation.path,
        story_id=story.pk,
        generic=response.is_generic,
    )
    if not held:
        figures_changed(Response, story_service_paths(story.pk))
        _tell_author(response)
    return response


def _story_is_public(story: Story) -> bool:
    """Whether the story's author may hear of a response now: not while the story is held
    for the right of reply (its publication email says responses are beside it)."""
    return story.status == StoryStatus.PUBLISHED


def may_edit(user: User, response: Response, now: dt.datetime | None = None) -> bool:
    """Its writer for 30 minutes (while it is not withdrawn); moderators at any time."""
    if response.status == ResponseStatus.WITHDRAWN:
        return False
    if can_moderate(user):
        return True
    now = now or timezone.now()
    return (
        response.author_id == user.pk
        and can_respond(user, response.story)
        and now - response.created_at <= dt.timedelta(minutes=EDIT_MINUTES)
    )


def _may_edit_or_refuse(actor: User, response: Response, verb: str) -> None:
    if not may_edit(actor, response):
        refuse(
            actor=actor,
            action=f"responses.response.{verb}_refused",
            target=response,
            organisation_path=response.organisation.path,
            message=(
                _(
                    "Responses can be edited by their writer for %(minutes)s minutes, and "
                    "after that only by a moderator."
                )
                if verb == "edit"
                else _(
                    "Responses can be withdrawn by their writer for %(minutes)s minutes, and "
                    "after that only by a moderator."
                )
            )
            % {"minutes": EDIT_MINUTES},
        )


def response_edit(*, actor: User, response: Response, body: str) -> Response:
    """Change the text (its writer within 30 minutes, or a moderator); rendered again,
    the generic mark worked out again. Audited."""
    _may_edit_or_refuse(actor, response, "edit")
    text = body.strip()
    if not text:
        raise ValidationError({"body": _("Write your response.")})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"body": _("Keep your response under %(max)s characters.") % {"max": MAX_LENGTH}}
        )
    return _edit(actor, response.pk, text)


@transaction.atomic
def _edit(actor: User, pk: int, text: str) -> Response:
    response = Response.objects.select_for_update().select_related("organisation").get(pk=pk)
    similar = similar_count(organisation=response.organisation, body=text, exclude=response.pk)
    response.body, response.body_html = text, render(text)
    response.similar_count, response.is_generic = similar, similar > 0
    response.edited_at = timezone.now()
    response.save()
    audit(
        actor=actor,
        action="responses.response.edited",
        target=response,
        organisation_path=response.organisation.path,
        story_id=response.story_id,
    )
    if response.status == ResponseStatus.PUBLISHED:
        figures_changed(Response, story_service_paths(response.story_id))  # the generic mark
    return response


def response_withdraw(*, actor: User, response: Response, reason: str = "") -> Response:
    """Take a response down: its writer within 30 minutes, or a moderator with a reason."""
    _may_edit_or_refuse(actor, response, "withdraw")
    is_writer = response.author_id == actor.pk
    if not is_writer and not reason.strip():
        raise ValidationError({"reason": _("Say why the response is withdrawn.")})
    return _withdraw(actor, response.pk, reason, is_writer=is_writer)


@transaction.atomic
def _withdraw(actor: User, pk: int, reason: str, *, is_writer: bool) -> Response:
    response = Response.objects.select_for_update().select_related("organisation").get(pk=pk)
    response.status = ResponseStatus.WITHDRAWN
    response.withdrawn_reason = reason.strip()
    if not is_writer:
        response.moderated_by = actor
    response.save()
    audit(
        actor=actor,
        action="responses.response.withdrawn",
        target=response,
        organisation_path=response.organisation.path,
        story_id=response.story_id,
    )
    figures_changed(Response, story_service_paths(response.story_id))
    return response


def response_publish(*, moderator: User, response: Response) -> Response:
    """A moderator publishes a held response; the story's author is then emailed and the
    organisations' figures are marked stale."""
    return held_publish(HELD_RESPONSE, moderator=moderator, item=response)


def response_reject(*, moderator: User, response: Response, reason: str) -> Response:
    """A moderator withdraws a held response with a reason that its writer sees on their
    staff page."""
    return held_reject(HELD_RESPONSE, moderator=moderator, item=response, reason=reason)


def _published(response: Response) -> None:
    figures_changed(Response, story_service_paths(response.story_id))
    _tell_author(response)


@in_author_language(lambda response: response.story)
def _tell_author(response: Response) -> None:
    """Email the story's author that staff answered, with a fresh private link to reply.
    Public text only; never anyone's email address."""
    story = response.story
    if not story.author_email or not _story_is_public(story):
        return
    token = author_access_new(story)
    context = {
        "story": story,
        "response": response,
        "organisation": response.organisation,
        "link": author_link_url(token),
        "public_link": settings.SITE_URL + story.get_absolute_url(),
        "site_name": settings.SITE_NAME,
    }
    outbox_add(
        kind="responses.response_to_author",
        key=str(response.pk),
        to=story.author_email,
        subject=_("%(name)s responded to your story") % {"name": response.organisation.name}
        + f" – {settings.SITE_NAME}",
        text=render_to_string("responses/email/response_to_author.txt", context),
    )


HELD_RESPONSE = HeldKind(
    model=Response,
    audit_name="responses.response",
    published_verb="approved",
    awaiting=ResponseStatus.AWAITING_MODERATION,
    published=ResponseStatus.PUBLISHED,
    rejected=ResponseStatus.WITHDRAWN,
    reason_field="withdrawn_reason",
    reason_key="reason",
    reason_needed=gettext_lazy("Say why the response is not published."),
    already_decided=gettext_lazy("This response has already been decided."),
    related=("story", "organisation"),
    organisation_path=lambda response: response.organisation.path,
    after_publish=_published,
)
