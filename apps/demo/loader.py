"""Demo data for `make run`: fictional organisations and staff, loaded once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction

from apps.accounts.models import User
from apps.organisations.models import Organisation
from apps.organisations.services import organisation_bulk_add, unique_slugs
from apps.responders.models import Role, RoleName

SPEC = Path(settings.BASE_DIR) / "fixtures" / "demo" / "organisations.json"
# A marker organisation: when it exists, the demo has been loaded.
MARKER_ODS_CODE = "ZZA"
# Printed by `make run`; never used outside a demo database.
DEMO_PASSWORD = "demo-care-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    job_title: str
    role: RoleName
    at: str | None  # the node's name; None for the platform-wide roles

    @property
    def description(self) -> str:
        return f"{self.role.label}" + (f" at {self.at}" if self.at else "")


DEMO_USERS = [
    DemoUser(
        "admin@carevoice.example",
        "Priya Shah",
        "Platform administrator",
        RoleName.PLATFORM_ADMIN,
        None,
    ),
    DemoUser("moderator@carevoice.example", "Tom Okafor", "Moderator", RoleName.MODERATOR, None),
    DemoUser(
        "patient.experience@ashdown-vale.example",
        "Helen Marsh",
        "Head of Patient Experience",
        RoleName.SUPER_USER,
        "Ashdown Vale Hospitals NHS Foundation Trust",
    ),
    DemoUser(
        "ed.manager@ashdown-vale.example",
        "Daniel Reyes",
        "Emergency Department Matron",
        RoleName.RESPONDER,
        "Emergency and Acute Medicine",
    ),
    DemoUser(
        "surgery.lead@ashdown-vale.example",
        "Grace Lin",
        "Surgical Services Lead Nurse",
        RoleName.RESPONDER,
        "Surgery",
    ),
    DemoUser(
        "governance@ashdown-vale.example",
        "Owen Price",
        "Governance Officer",
        RoleName.READER,
        "Ashdown General Hospital",
    ),
]


def demo_is_loaded() -> bool:
    return Organisation.objects.filter(ods_code=MARKER_ODS_CODE).exists()


@transaction.atomic
def demo_load() -> bool:
    """Load the demo organisations and staff unless already there. Returns whether it loaded."""
    if demo_is_loaded():
        return False
    tree = json.loads(SPEC.read_text())["tree"]
    _add_level(tree, None)
    for person in DEMO_USERS:
        user = User.objects.create_user(
            person.email,
            DEMO_PASSWORD,
            display_name=person.display_name,
            job_title=person.job_title,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        organisation = None
        if person.at:
            organisation = Organisation.objects.get(name=person.at)
        Role.objects.create(user=user, role=person.role, organisation=organisation)
    return True


def _add_level(items: list[dict[str, Any]], parent: Organisation | None) -> None:
    slugs = unique_slugs([item["name"] for item in items])
    nodes = [
        Organisation(slug=slug, **{k: v for k, v in item.items() if k != "children"})
        for item, slug in zip(items, slugs, strict=True)
    ]
    organisation_bulk_add({parent: nodes})
    for node, item in zip(nodes, items, strict=True):
        if item.get("children"):
            _add_level(item["children"], node)
