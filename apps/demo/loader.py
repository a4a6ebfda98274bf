"""Demo data for `make run`: fictional organisations, staff and stories, loaded once."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.changes.models import Change
from apps.changes.services import change_mark_made, change_plan, record_nodes
from apps.organisations.models import Organisation
from apps.organisations.services import organisation_bulk_add, unique_slugs
from apps.responders.models import RoleName
from apps.responders.services import role_grant, role_install
from apps.responders.teams import team_add_member, team_create
from apps.responses.models import ResponseStatus
from apps.responses.services import (
    author_reply_create,
    author_reply_publish,
    referral_create,
    respond_nodes,
    response_create,
    response_publish,
    response_vote_helpful,
)
from apps.stories.models import (
    SafeguardingContact,
    SafeguardingSettings,
    Story,
    StoryStatus,
    Tag,
)
from apps.stories.services import story_submit
from apps.stories.suggestions import ColdStart, themes_train

from .history import load_history

SPEC = Path(settings.BASE_DIR) / "fixtures" / "demo" / "organisations.json"
# A marker organisation: when it exists, the demo has been loaded.
MARKER_ODS_CODE = "ZZA"
# Printed by `make run`; never used outside a demo database.
DEMO_PASSWORD = "demo-care-2026"  # noqa: S105
# The authenticator-app secret every demo account (but the new starter) has set up.
# Published on purpose: `manage.py demo_code` prints the current code from it.
DEMO_TOTP_SECRET = "KNSWY3DPEHPK3PXPKNSWY3DPEHPK3PXP"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    job_title: str
    role: RoleName
    at: str | None  # the node's name; None for the platform-wide roles
    second_factor: bool = True
    also: str = ""  # another duty, said after the role

    @property
    def description(self) -> str:
        where = f"{self.role.label}" + (f" at {self.at}" if self.at else "")
        where += f"; {self.also}" if self.also else ""
        return where if self.second_factor else f"{where} (sets up a second factor first)"


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
        also="the trust's safeguarding contact",
    ),
    DemoUser(
        "ward7.sister@ashdown-vale.example",
        "Amira Said",
        "Ward 7 Sister",
        RoleName.READER,
        "Ward 7 (Respiratory)",
    ),
    DemoUser(
        "new.starter@ashdown-vale.example",
        "Sam Carter",
        "Staff Nurse",
        RoleName.READER,
        "Ward 9 (Care of Older People)",
        second_factor=False,
    ),
]
# A team under a directorate: it answers for Ward 7, and a story is referred to it.
DEMO_TEAM = ("Ward 7 nursing team", "Emergency and Acute Medicine", "Ward 7 (Respiratory)")
DEMO_TEAM_MEMBERS = ["ward7.sister@ashdown-vale.example"]


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
        if person.second_factor:
            TOTP.activate(user, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(user)
    _load_safeguarding()
    _load_team_and_referral()
    _load_conversations()
    _load_changes()
    # Last, so the hand-written stories above keep the first ids.
    load_history()
    _train_suggestions()
    # Fresh statistics for the planner, as autovacuum would gather them in time: the
    # first pages after loading then get the plans of a live database. ANALYZE counts
    # this transaction's own rows and runs inside it.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True


# (story title, responder email, response text, author reply or None, reply approved)
CONVERSATIONS = [
    (
        "Seen quickly on a busy night",
        "ed.manager@ashdown-vale.example",
        "Thank you for telling us about your dad's visit. I'm glad the triage nurse "
        "spotted how breathless he was and that he was seen within the hour, even on one "
        "of our busiest nights.\n\nI have shared your story with the night team: it means "
        "a lot to them to hear what went well. I hope your dad is feeling better.",
        "Thank you for replying. He's home now and doing well. Please pass on our thanks "
        "to the nurse with the blue lanyard who stayed calm all night.",
        True,
    ),
    (
        "Long wait without food or drink",
        "surgery.lead@ashdown-vale.example",
        "I'm sorry you were left without food or drink for so long when your operation "
        "moved to the afternoon. That should not happen.\n\nWe are changing how we "
        "tell people when they can drink water:\n\n- the list is checked at 10am\n"
        "- anyone later in the day is told they may drink until 11am\n\n"
        "If you would like to talk it through, please contact our "
        "[patient experience team](https://ashdown-vale.example/contact).",
        "That is good to hear. It would have made a big difference to me.",
        False,
    ),
    (
        "Nobody told us he was moving",
        "patient.experience@ashdown-vale.example",
        "Thank you for your feedback. We value all comments from our patients and their "
        "families, and we will share this with the team concerned.",
        None,
        False,
    ),
    (
        "Play team made all the difference",
        "patient.experience@ashdown-vale.example",
        "Thank you for your feedback. We value all comments from our patients and "
        "families, and we will share it with the team concerned.",
        None,
        False,
    ),
]


# Serious safeguarding cases of the demo trust go to its governance officer; any other
# node's to the platform's fallback address (the console shows both emails).
SAFEGUARDING_FALLBACK = "safeguarding@carevoice.example"


def _load_safeguarding() -> None:
    SafeguardingSettings.objects.update_or_create(
        pk=1, defaults={"fallback_email": SAFEGUARDING_FALLBACK}
    )
    SafeguardingContact.objects.create(
        organisation=Organisation.objects.get(name="Ashdown Vale Hospitals NHS Foundation Trust"),
        name="Owen Price",
        email="governance@ashdown-vale.example",
    )


def _load_conversations() -> None:
    """Responses (personal ones and two generic ones), author replies and helpful votes,
    made through the services as staff, authors and the moderator would make them."""
    moderator = User.objects.get(email="moderator@carevoice.example")
    for title, email, text, reply, approve_reply in CONVERSATIONS:
        story = Story.objects.filter(title=title, status=StoryStatus.PUBLISHED).first()
        author = User.objects.get(email=email)
        nodes = respond_nodes(author, story) if story else []
        if story is None or not nodes:
            continue
        response = response_create(author=author, story=story, organisation=nodes[-1], body=text)
        if not response.is_public:  # a new responder's first responses wait
            response = response_publish(moderator=moderator, response=response)
        for visitor in range(len(title) % 4 + 1):
            response_vote_helpful(response=response, visitor=f"demo-visitor-{visitor}")
        if reply:
            answer = author_reply_create(story=story, body=reply, response_id=response.pk)
            if approve_reply:
                author_reply_publish(moderator=moderator, reply=answer)


# (story title, who records it, what will change, weeks until due, what changed or None,
# other story titles it answers)
CHANGES = [
    (
        "Long wait without food or drink",
        "surgery.lead@ashdown-vale.example",
        "Theatre lists are checked at 10am, and anyone whose operation is later that day "
        "is told they may drink water until 11am.",
        6,
        None,
    ),
    (
        "Nobody told us he was moving",
        "patient.experience@ashdown-vale.example",
        "Wards phone the named next of kin before a patient moves to another ward.",
        4,
        "Since this month every ward move has a box on the transfer checklist: "
        "next of kin phoned, by whom and when.",
    ),
]


def _load_changes() -> None:
    """A planned change and a made one, recorded on the responses that announced them,
    as their responders would; and an overdue one, for the staff view of the register."""
    for title, email, summary, weeks, made in CHANGES:
        story = Story.objects.filter(title=title, status=StoryStatus.PUBLISHED).first()
        actor = User.objects.get(email=email)
        nodes = record_nodes(actor, story) if story else []
        if story is None or not nodes:
            continue
        response = story.responses.filter(status=ResponseStatus.PUBLISHED).first()
        change = change_plan(
            actor=actor,
            story=story,
            organisation=nodes[-1],
            summary=summary,
            due_on=timezone.localdate() + dt.timedelta(weeks=weeks),
            response_id=response.pk if response else None,
        )
        if made:
            change_mark_made(
                actor=actor, change=change, made_summary=made, made_on=timezone.localdate()
            )
    story = Story.objects.filter(title="Play team made all the difference").first()
    helen = User.objects.get(email="patient.experience@ashdown-vale.example")
    if story is not None and story.is_public:
        change = change_plan(
            actor=helen,
            story=story,
            organisation=record_nodes(helen, story)[-1],
            summary="The play room opens at weekends as well as on weekdays.",
            due_on=timezone.localdate(),
        )
        # Recorded some weeks ago and not yet made: overdue, as staff see it.
        Change.objects.filter(pk=change.pk).update(
            due_on=timezone.localdate() - dt.timedelta(days=10)
        )


def _load_team_and_referral() -> None:
    """The team and a referral, as the trust's super-user would make them."""
    name, under, answers_for = DEMO_TEAM
    helen = User.objects.get(email="patient.experience@ashdown-vale.example")
    team = team_create(actor=helen, organisation=Organisation.objects.get(name=under), name=name)
    for email in DEMO_TEAM_MEMBERS:
        team_add_member(actor=helen, team=team, user=User.objects.get(email=email))
    role_grant(
        granter=helen,
        team=team,
        role=RoleName.RESPONDER,
        organisation=Organisation.objects.get(name=answers_for),
    )
    # A story from the community hospital, referred to the Emergency Department matron.
    story = (
        Story.objects.filter(
            status=StoryStatus.PUBLISHED,
            storyservice__organisation__name="Physiotherapy Outpatients",
        )
        .order_by("pk")
        .first()
    )
    if story is not None:
        referral_create(
            referrer=helen,
            story=story,
            user=User.objects.get(email="ed.manager@ashdown-vale.example"),
            note="Our ED referred this patient to physio: could you answer for both teams?",
        )


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


def _train_suggestions() -> None:
    """A first model of suggested topics, so the moderation page shows suggestions. Without
    cross-validation, to keep `make run` quick (`manage.py themes_train` gives figures)."""
    with contextlib.suppress(ColdStart):
        themes_train(trained_by="load_demo", folds=0)


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
