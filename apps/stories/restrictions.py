"""Restricting a published story at a provider's request, and lifting it: platform
admins only, with a reason and the requesting organisation, always audited.

A restricted story is no longer PUBLISHED, so every list, feed, search, API answer,
widget and count that asks for published stories leaves it out; its page still answers,
with "This story has been restricted by <organisation> because <reason>" in place of its
text and conversation.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import audit
from apps.core.signals import figures_changed
from apps.organisations.models import Organisation
from apps.responders.permissions import is_platform_admin
from apps.responders.selectors import with_ancestors

from .models import Story, StoryStatus
from .selectors import story_service_paths

REASON_MAX = 1000


def requesting_organisations(story: Story) -> list[Organisation]:
    """The nodes that may ask for a story's restriction: its services and every node
    above them (the provider, its site, its trust). One query."""
    paths = with_ancestors(story_service_paths(story.pk))
    return list(Organisation.objects.filter(path__in=paths).order_by("path"))


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason, as the story's page will show it.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(most)s characters.") % {"most": REASON_MAX}}
        )
    return reason


@transaction.atomic
def story_restrict(*, story_id: int, admin: User, organisation: Organisation, reason: str) -> Story:
    """Restrict a published story at the request of a node over its services: it leaves
    every public list, feed, search, API answer, widget and count; its page shows who
    asked and why. Audited with the admin, the organisation and the reason."""
    if not is_platform_admin(admin):
        raise PermissionDenied
    reason = _clean_reason(reason)
    story = Story.objects.select_for_update().get(pk=story_id)
    if story.status != StoryStatus.PUBLISHED:
        raise ValidationError(_("Only a published story can be restricted."))
    if organisation.pk not in {o.pk for o in requesting_organisations(story)}:
        raise ValidationError(
            {"organisation": _("Choose the service or an organisation above it that asked.")}
        )
    story.status = StoryStatus.RESTRICTED
    story.restricted_by = organisation
    story.restriction_reason = reason
    story.restricted_at = timezone.now()
    story.save(
        update_fields=[
            "status",
            "restricted_by",
            "restriction_reason",
            "restricted_at",
            "updated_at",
        ]
    )
    audit(
        actor=admin,
        action="stories.story.restricted",
        target=story,
        organisation_path=organisation.path,
        requested_by=organisation.name,
        reason=reason,
    )
    figures_changed(Story, story_service_paths(story.pk))
    return story


@transaction.atomic
def story_lift_restriction(*, story_id: int, admin: User, reason: str) -> Story:
    """Publish a restricted story again (its first publication date kept). Audited with
    the admin, why, and the restriction it ends."""
    if not is_platform_admin(admin):
        raise PermissionDenied
    reason = _clean_reason(reason)
    story = (
        Story.objects.select_for_update(of=("self",))
        .select_related("restricted_by")
        .get(pk=story_id)
    )
    if story.status != StoryStatus.RESTRICTED:
        raise ValidationError(_("This story is not restricted."))
    was = story.restricted_by
    audit(
        actor=admin,
        action="stories.story.restriction_lifted",
        target=story,
        organisation_path=was.path if was else "",
        requested_by=was.name if was else "",
        restriction_reason=story.restriction_reason,
        reason=reason,
    )
    story.status = StoryStatus.PUBLISHED
    story.restricted_by = None
    story.restriction_reason = ""
    story.restricted_at = None
    story.save(
        update_fields=[
            "status",
            "restricted_by",
            "restriction_reason",
            "restricted_at",
            "updated_at",
        ]
    )
    figures_changed(Story, story_service_paths(story.pk))
    return story
