"""Changes for ways in: kiosks, campaign links, and stories told through them."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import audit
from apps.organisations.models import Organisation
from apps.stories.models import Story, Tag
from apps.stories.services import Told, story_submit
from apps.stories.taxonomy import AuthorRole, Channel

from .models import Campaign, Kiosk, StoryOrigin
from .permissions import can_manage_ways_in
from .selectors import token_digest

# Letters and digits that cannot be mistaken for one another when read from a text message.
CODE_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 8


@dataclass(frozen=True)
class MadeKiosk:
    kiosk: Kiosk
    token: str  # "" when the same form was sent again: the link is shown once


def _check(actor: User, node: Organisation) -> None:
    if not can_manage_ways_in(actor, node):
        raise PermissionDenied(_("Only the node's super-users and platform admins do this."))


@transaction.atomic
def kiosk_create(
    *, actor: User, node: Organisation, name: str, exit_pin: str, nonce: uuid.UUID
) -> MadeKiosk:
    """A kiosk for a node the actor manages, audited; its device link is returned once.
    The same form sent twice makes one kiosk."""
    _check(actor, node)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Say where the kiosk stands.")})
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            kiosk = Kiosk.objects.create(
                node=node,
                name=name,
                token_hash=token_digest(token),
                exit_pin=make_password(exit_pin) if exit_pin else "",
                created_by=actor,
                nonce=nonce,
            )
    except IntegrityError:
        return MadeKiosk(Kiosk.objects.select_related("node").get(nonce=nonce), "")
    audit(
        actor=actor,
        action="waysin.kiosk.created",
        target=kiosk,
        organisation_path=node.path,
        name=name,
        exit_pin=bool(exit_pin),
    )
    return MadeKiosk(kiosk, token)


@transaction.atomic
def kiosk_revoke(*, actor: User, kiosk: Kiosk) -> bool:
    """Stop a kiosk's link working at once; False when it was revoked already."""
    _check(actor, kiosk.node)
    done = Kiosk.objects.filter(pk=kiosk.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if done:
        audit(
            actor=actor,
            action="waysin.kiosk.revoked",
            target=kiosk,
            organisation_path=kiosk.node.path,
        )
    return bool(done)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    node: Organisation,
    name: str,
    expires_at: dt.datetime | None,
    nonce: uuid.UUID,
) -> Campaign:
    """A campaign link for a node the actor manages, audited; the same form twice makes one."""
    _check(actor, node)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Say what the campaign is.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_on": _("Choose a day after today.")})
    existing = Campaign.objects.filter(nonce=nonce).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    node=node,
                    name=name,
                    code=_new_code(),
                    expires_at=expires_at,
                    created_by=actor,
                    nonce=nonce,
                )
            break
        except IntegrityError:
            existing = Campaign.objects.filter(nonce=nonce).first()
            if existing is not None:
                return existing  # the other submission of this form won
    else:  # pragma: no cover - five collisions in 31**8 codes
        raise ValidationError(_("Please try again."))
    audit(
        actor=actor,
        action="waysin.campaign.created",
        target=campaign,
        organisation_path=node.path,
        name=name,
        expires_at=expires_at.isoformat() if expires_at else None,
    )
    return campaign


@transaction.atomic
def campaign_end(*, actor: User, campaign: Campaign) -> bool:
    """Make a campaign link expire now; False when it had expired already."""
    _check(actor, campaign.node)
    now = timezone.now()
    done = (
        Campaign.objects.filter(pk=campaign.pk)
        .exclude(expires_at__lte=now)
        .update(expires_at=now, updated_at=now)
    )
    if done:
        audit(
            actor=actor,
            action="waysin.campaign.ended",
            target=campaign,
            organisation_path=campaign.node.path,
        )
    return bool(done)


def campaign_record(campaign: Campaign, story: Story) -> None:
    """Note that the campaign brought this story (a repeated submit notes it once)."""
    StoryOrigin.objects.get_or_create(story=story, defaults={"campaign": campaign})


@dataclass(frozen=True)
class KioskStory:
    service: Organisation
    body: str
    feelings: list[Tag]
    author_role: str
    pseudonym: str
    helped_by: str
    helped: bool
    fft: dict[int, str]
    submission_key: uuid.UUID


@transaction.atomic
def kiosk_tell(*, kiosk: Kiosk, told: KioskStory) -> Told:
    """A story told at a kiosk: channel `kiosk` (or `assisted` when someone helped), its
    kiosk kept as its origin, no email and so no private link (the next person would see
    it). A revoked kiosk tells nothing; the same submission key twice makes one story."""
    locked = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
    if locked.is_revoked:
        raise PermissionDenied(_("This kiosk has been switched off."))
    result = story_submit(
        services=[told.service],
        body=told.body,
        title="",
        pseudonym=told.pseudonym or _("A visitor"),
        author_role=told.author_role or AuthorRole.PATIENT,
        experienced_on=timezone.localdate().replace(day=1),
        email="",
        good=[],
        improve=[],
        feelings=told.feelings,
        submission_key=told.submission_key,
        channel=Channel.ASSISTED if told.helped else Channel.KIOSK,
        helped_by=told.helped_by if told.helped else "",
        fft=told.fft,
    )
    StoryOrigin.objects.get_or_create(story=result.story, defaults={"kiosk": locked})
    Kiosk.objects.filter(pk=locked.pk).update(last_used_at=timezone.now())
    return result


@transaction.atomic
def kiosk_record(*, kiosk: Kiosk, story: Story) -> None:
    """Note that a kiosk's easy-read pages told this story (docs/easy-read.md), in the
    story's transaction: a kiosk switched off meanwhile refuses it (PermissionDenied
    undoes the story with it); a repeated submit notes it once."""
    locked = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
    if locked.is_revoked:
        raise PermissionDenied(_("This kiosk has been switched off."))
    StoryOrigin.objects.get_or_create(story=story, defaults={"kiosk": locked})
    Kiosk.objects.filter(pk=locked.pk).update(last_used_at=timezone.now())
