"""Demo data for `make run`: fictional organisations, staff and stories, loaded once."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.organisations.models import Organisation
from apps.organisations.services import organisation_bulk_add, unique_slugs
from apps.responders.models import RoleName
from apps.responders.services import role_install
from apps.stories.models import Story, StoryStatus, Tag
from apps.stories.services import story_submit

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
    Organisation.objects.filter(name="Ashdown Vale Hospitals NHS Foundation Trust").update(
        listed_staff_names="Bethany\nDr Okafor"
    )
    _load_stories()
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
        role_install(user=user, role=person.role, organisation=organisation)
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


STORIES = Path(settings.BASE_DIR) / "fixtures" / "demo" / "stories.json"


def _load_stories() -> None:
    """Published stories across the demo services, and a few waiting for a moderator."""
    spec = json.loads(STORIES.read_text())
    tags = {tag.slug: tag for tag in Tag.objects.all()}
    services = {org.name: org for org in Organisation.objects.all()}
    now = timezone.now()
    for index, item in enumerate(spec["stories"] + spec["waiting"]):
        published = index < len(spec["stories"])
        when = (now - dt.timedelta(days=30 * item["months_ago"])).date().replace(day=1)
        told = story_submit(
            services=[services[item["service"]]],
            body=item["body"],
            title=item["title"],
            pseudonym=item["pseudonym"],
            author_role=item["role"],
            experienced_on=when,
            email="",  # no demo emails; authors follow their stories by link
            good=[tags[s] for s in item.get("good", [])],
            improve=[tags[s] for s in item.get("improve", [])],
            feelings=[tags[s] for s in item.get("feelings", [])],
            submission_key=uuid.UUID(int=index + 1),
        )
        if published:
            Story.objects.filter(pk=told.story.pk).update(
                status=StoryStatus.PUBLISHED,
                criticality=item["criticality"],
                published_at=now - dt.timedelta(days=3 * (len(spec["stories"]) - index)),
            )
