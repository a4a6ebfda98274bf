"""The staff inbox at scale: a super-user of a 1,000-node trust, on the figures phase's
database of about a million stories, timed last in that phase.

The figures tree has about a thousand nodes in all, so this stage adds a trust of its own
(sites, directorates, then services, as the first phase builds it) and moves every
hundredth story onto its services, with the responses and changes that name them: the
trust then holds about 10,000 stories, as the first phase's does at its default size,
among a million. It runs after the other stages of the phase, whose scenarios it would
otherwise change.
"""

from __future__ import annotations

import random

from allauth.mfa.totp.internal.auth import TOTP
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.organisations.models import Organisation, OrganisationKind
from apps.organisations.services import organisation_bulk_add
from apps.responders.models import RoleName
from apps.responders.services import role_install
from tests.bench.common import SERVICES, Row, log, measure, postcode, row, town

SUBTREE_NODES = 1_000
SITES = 9
DIRECTORATES = ["Medicine", "Surgery", "Community Services", "Women and Children"]
SHARE = 100  # every hundredth story moves onto the new trust
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

MOVE = """
UPDATE stories_storyservice
SET organisation_id = (%(services)s::bigint[])[1 + mod(story_id / %(share)s + position * 7, %(n)s)]
WHERE mod(story_id, %(share)s) = 0
"""
# A response and a change name the node the story's first service now is.
MOVE_RESPONSES = """
UPDATE responses_response r SET organisation_id = ss.organisation_id
FROM stories_storyservice ss
WHERE ss.story_id = r.story_id AND ss.position = 0 AND mod(r.story_id, %(share)s) = 0
"""
MOVE_CHANGES = """
UPDATE changes_change c SET organisation_id = ss.organisation_id
FROM changes_changestory cs
JOIN stories_storyservice ss ON ss.story_id = cs.story_id AND ss.position = 0
WHERE cs.change_id = c.id AND mod(cs.story_id, %(share)s) = 0
"""


def seed(rng: random.Random) -> tuple[Organisation, list[int]]:
    """A trust of SUBTREE_NODES nodes; returns it and its services' ids."""
    counter = iter(range(10**9))

    def node(name: str, kind: str, **extra: object) -> Organisation:
        slug = f"bench-inbox-{next(counter)}"
        return Organisation(name=name, kind=kind, slug=slug, postcode=postcode(rng), **extra)

    root = node(f"{town(rng)} and District NHS Trust", OrganisationKind.TRUST, ods_code="RINBOX")
    organisation_bulk_add({None: [root]})
    sites = [node(f"{town(rng)} General Hospital", OrganisationKind.SITE) for _ in range(SITES)]
    organisation_bulk_add({root: sites})
    dirs = {s: [node(name, OrganisationKind.DIRECTORATE) for name in DIRECTORATES] for s in sites}
    organisation_bulk_add(dirs)
    all_dirs = [d for group in dirs.values() for d in group]
    services: dict[Organisation | None, list[Organisation]] = {d: [] for d in all_dirs}
    for i in range(SUBTREE_NODES - 1 - SITES - len(all_dirs)):
        parent = all_dirs[i % len(all_dirs)]
        services[parent].append(
            node(f"{rng.choice(SERVICES)} {len(services[parent]) + 1}", OrganisationKind.SERVICE)
        )
    organisation_bulk_add(services)
    for i, directorate in enumerate(all_dirs):
        user = User.objects.create_user(
            f"bench-inbox-responder-{i}@bench.example", "x", display_name=f"Responder {i}"
        )
        role_install(user=user, role=RoleName.RESPONDER, organisation=directorate)
    root.refresh_from_db()
    return root, [s.pk for group in services.values() for s in group]


def run(scale: str, repeat: int) -> list[Row]:
    rng = random.Random(20261204)  # noqa: S311 - reproducible data, not security
    log(f"Staff inbox at scale: a trust of {SUBTREE_NODES:,} nodes, every {SHARE}th story…")
    root, services = seed(rng)
    params = {"services": services, "n": len(services), "share": SHARE}
    with connection.cursor() as cursor:
        cursor.execute(MOVE, params)
        cursor.execute(MOVE_RESPONSES, params)
        cursor.execute(MOVE_CHANGES, params)
        cursor.execute(
            "VACUUM (ANALYZE) stories_storyservice, responses_response, changes_change,"
            " organisations_organisation, responses_inboxlink"
        )
        cursor.execute(
            "SELECT count(DISTINCT ss.story_id) FROM stories_storyservice ss"
            " JOIN organisations_organisation o ON o.id = ss.organisation_id"
            " WHERE o.path LIKE %s",
            [root.path + "%"],
        )
        stories = cursor.fetchone()[0]
    user = User.objects.create_user("bench-inbox@bench.example", "x", display_name="Inbox")
    role_install(user=user, role=RoleName.SUPER_USER, organisation=root)
    TOTP.activate(user, TOTP_SECRET)  # the staff pages need a second factor
    client = Client()
    client.force_login(user)
    label = f"staff inbox: super-user of a subtree ({scale})"
    log(f"Timing {label} ({repeat} requests)…")
    times, queries = measure(client, reverse("inbox:index"), repeat)
    note = f"{stories:,} stories; {SUBTREE_NODES:,} nodes to filter by, by what needs doing"
    return [row(label, times, queries, note)]
