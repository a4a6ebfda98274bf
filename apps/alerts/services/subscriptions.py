"""Each member of staff's own subscriptions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import refuse
from apps.organisations.models import Organisation
from apps.responders.scope import VIEW_STAFF_DATA, scope_of
from apps.stories.models import Tag

from ..models import Subscription


@transaction.atomic
def subscription_add(
    *,
    user: User,
    organisation: Organisation,
    frequency: str,
    min_criticality: int | None,
    tags: list[Tag],
) -> Subscription:
    """A member of staff subscribes to a node they may see as staff."""
    if not scope_of(user).covers(VIEW_STAFF_DATA, organisation):
        raise ValidationError({"organisation": _("Choose a part of the organisation you work in.")})
    subscription = Subscription.objects.create(
        user=user, organisation=organisation, frequency=frequency, min_criticality=min_criticality
    )
    subscription.tags.set(tags)
    return subscription


def subscription_remove(*, user: User, subscription: Subscription) -> None:
    """Only the subscriber removes their own subscription."""
    if subscription.user_id != user.pk:
        refuse(
            actor=user,
            action="alerts.subscription.remove_refused",
            target=subscription,
            organisation_path=subscription.organisation.path,
        )
    subscription.delete()
