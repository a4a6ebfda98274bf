"""Reads for ways in: what a manager sees, and finding a kiosk or campaign by its link."""

from __future__ import annotations

import hashlib

from django.db.models import Count, F, Q, QuerySet

from apps.organisations.models import Organisation
from apps.responders.scope import under as under_paths

from .models import Campaign, Kiosk


def token_digest(token: str) -> str:
    """What is kept of a kiosk's device token. SHA-256, not a slow hash: the token is 256
    random bits, so there is nothing to guess."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _within(paths: list[str] | None, field: str) -> Q:
    return Q() if paths is None else under_paths(paths, field)


def kiosks_managed(paths: list[str] | None) -> QuerySet[Kiosk]:
    """Kiosks of those subtrees, working ones first, each with how many stories it sent."""
    return (
        Kiosk.objects.filter(_within(paths, "node__path"))
        .select_related("node", "created_by", "revoked_by")
        .annotate(stories=Count("storyorigin"))
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def campaigns_managed(paths: list[str] | None) -> QuerySet[Campaign]:
    """Campaigns of those subtrees, newest first, each with how many stories it brought."""
    return (
        Campaign.objects.filter(_within(paths, "node__path"))
        .select_related("node", "created_by")
        .annotate(stories=Count("storyorigin"))
        .order_by("-created_at", "-pk")
    )


def kiosk_by_token(token: str) -> Kiosk | None:
    if not 20 <= len(token) <= 100:
        return None
    return Kiosk.objects.select_related("node").filter(token_hash=token_digest(token)).first()


def campaign_by_code(code: str) -> Campaign | None:
    if not code.isalnum() or len(code) > 16:
        return None
    return Campaign.objects.select_related("node").filter(code=code.lower()).first()


def kiosk_services(kiosk: Kiosk) -> list[Organisation]:
    """What a kiosk offers: its node, and the active services beneath it (a ward's tablet
    has only its ward; a hospital's entrance offers its services by big buttons)."""
    node = kiosk.node
    below = Organisation.objects.filter(path__startswith=node.path, is_active=True)
    return list(below.only("pk", "name", "slug", "path", "depth").order_by("path")[:60])
