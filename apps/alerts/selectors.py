from __future__ import annotations

from django.db.models import Count, QuerySet

from apps.accounts.models import User
from apps.core.models import OutboxEmail
from apps.organisations.models import Organisation
from apps.responders.scope import VIEW_STAFF_DATA, scope_of

from .models import Subscription


def subscriptions_of(user: User) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(user=user)
        .select_related("organisation")
        .prefetch_related("tags")
        .order_by("organisation__path", "pk")
    )


def default_nodes(user: User) -> list[Organisation]:
    """Where the default daily digest covers, for someone with no subscription of their own."""
    return list(Organisation.objects.filter(path__in=scope_of(user).paths(VIEW_STAFF_DATA)))


def outbox_summary() -> dict[str, int]:
    counts = OutboxEmail.objects.values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in counts}


def outbox_problems() -> QuerySet[OutboxEmail]:
    """Emails that failed for good or are being retried: what a platform admin looks at."""
    return (
        OutboxEmail.objects.filter(
            status__in=[OutboxEmail.Status.FAILED, OutboxEmail.Status.PENDING]
        )
        .exclude(attempts=0)
        .defer("body_text", "body_html")
        .order_by("-created_at")
    )
