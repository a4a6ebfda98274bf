"""Referring a story to a person or team, and marking stories read."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import audit, refuse
from apps.core.outbox import outbox_add
from apps.responders.models import Team
from apps.responders.scope import MANAGE_ROLES, VIEW_STAFF_DATA, scope_of
from apps.responders.services import holder_label, object_permission_give, object_permission_take
from apps.stories.models import Story

from ..models import Referral, StaffRead
from ..permissions import RESPOND_TO_STORY, can_refer, can_view_story_as_staff
from ..selectors import story_path

PERMISSION = f"stories.{RESPOND_TO_STORY}"


def referral_create(
    *,
    referrer: User,
    story: Story,
    user: User | None = None,
    team: Team | None = None,
    note: str = "",
) -> Referral:
    """Let one person or team answer one story, until revoked: only super-users over the
    story, only to staff or teams inside their own subtree. Audited; the people it reaches
    are emailed after commit. A refusal is audited and raised as PermissionDenied."""
    if not can_refer(referrer, story):
        refuse(
            actor=referrer,
            action="responses.referral.refused",
            target=story,
            organisation_path=story_path(story),
            message=_("You cannot refer this story."),
        )
    if (user is None) == (team is None):
        raise ValidationError(_("Choose a person or a team."))
    managed = scope_of(referrer).paths(MANAGE_ROLES)
    if user is not None and not any(
        scope_of(user).holds_inside(VIEW_STAFF_DATA, path) for path in managed
    ):
        raise ValidationError(
            {
                "email": _(
                    "Refer stories to staff who hold a role in the part of the "
                    "organisation you manage (invite them first)."
                )
            }
        )
    if team is not None and not any(team.organisation.path.startswith(p) for p in managed):
        raise ValidationError({"team": _("That team is not in the part you manage.")})
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                story=story, user=user, team=team, note=note.strip(), referred_by=referrer
            )
            object_permission_give(codename=PERMISSION, obj=story, user=user, team=team)
            audit(
                actor=referrer,
                action="responses.referral.created",
                target=referral,
                organisation_path=story_path(story),
                story_id=story.pk,
                holder=holder_label(user, team),
            )
            _tell(referral)
    except IntegrityError:
        raise ValidationError(_("This story is referred to them already.")) from None
    return referral


def _tell(referral: Referral) -> None:
    if referral.user is not None:
        people = [referral.user]
    elif referral.team is not None:
        people = list(referral.team.group.user_set.all())
    else:
        people = []
    link = settings.SITE_URL + reverse("inbox:story", kwargs={"pk": referral.story_id})
    for person in people:
        context = {
            "referral": referral,
            "person": person,
            "link": link,
            "site_name": settings.SITE_NAME,
        }
        outbox_add(
            kind="responses.referral",
            key=str(referral.pk),
            to=person.email,
            subject=_("%(person)s asked you to answer a story on %(site)s")
            % {"person": referral.referred_by, "site": settings.SITE_NAME},
            text=render_to_string("responses/email/referral.txt", context),
        )


def referral_revoke(*, actor: User, referral: Referral) -> None:
    """End a referral: the person or team may no longer answer the story. Audited."""
    story = referral.story
    if not can_refer(actor, story):
        refuse(
            actor=actor,
            action="responses.referral.revoke_refused",
            target=referral,
            organisation_path=story_path(story),
            message=_("You cannot change the referrals of this story."),
        )
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.revoked_at is not None:
            return
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        object_permission_take(codename=PERMISSION, obj=story, user=locked.user, team=locked.team)
        audit(
            actor=actor,
            action="responses.referral.revoked",
            target=locked,
            organisation_path=story_path(story),
            story_id=story.pk,
        )


def story_mark_read(*, user: User, story: Story) -> bool:
    """Record that a member of staff in scope (or referred) read the story; once each."""
    if not can_view_story_as_staff(user, story):
        raise PermissionDenied(_("You cannot mark this story read."))
    _read, created = StaffRead.objects.get_or_create(story=story, user=user)
    return created
