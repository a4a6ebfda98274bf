"""`make bench`: seed a throw-away database at a given scale, time the pages, write a report.

    python -m tests.bench.run --scale 10000 --stories 100000 --report reports/bench.md

A second phase, "figures at scale" (tests/bench/figures.py), seeds its own database with
--figures-stories stories across --figures-orgs organisations and times the organisation
page with its statistics, then search and the JSON API on the same data
(tests/bench/search.py; --skip-search leaves them out); --skip-figures or --only-figures
runs one phase alone.

Figures are wall-clock times of full requests through Django's test client
(URL routing, views, templates, database), without network or a web server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
# The timed scenarios measure the work a page costs (what the first reader after a change
# pays), so the shared page cache is off here; the load stage serves with it on.
os.environ.setdefault("PAGE_CACHE_SECONDS", "0")

import django  # noqa: E402

django.setup()

from allauth.mfa.totp.internal.auth import TOTP  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.alerts.models import Frequency, Subscription  # noqa: E402
from apps.alerts.services import story_fan_out  # noqa: E402
from apps.organisations.models import SERVICE_KINDS, Organisation, OrganisationKind  # noqa: E402
from apps.organisations.services import organisation_bulk_add  # noqa: E402
from apps.responders.models import (  # noqa: E402
    OrganisationUserPermission,  # noqa: E402
    Role,
    RoleName,
)
from apps.responders.services import role_install  # noqa: E402
from apps.responses.models import Response, ResponseStatus  # noqa: E402
from apps.stories.models import Story, StoryService  # noqa: E402
from tests.bench import figures  # noqa: E402
from tests.bench import load as load_stage  # noqa: E402
from tests.bench.common import (  # noqa: E402
    BROWSER,
    SERVICES,
    WORDS,
    Row,
    bench_database,
    gin_indexes_built_after,
    log,
    measure,
    p95,
    postcode,
    town,
)

BENCH_DATABASE = "carevoice_bench"
STAFF_TRUST_STORIES = 10_000  # published stories under the responder's trust, at least
STAFF_SUBTREE_NODES = 1_000  # nodes in the super-user's subtree
ANSWERED_ONE_IN = 3  # one story in three under the staff nodes has a published response
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
FAN_OUT_SUBSCRIPTIONS = 10_000
FAN_OUT_RUNS = 5
# The bound the report checks the fan-out against (stated in docs/development.md).
FAN_OUT_MAX_SECONDS = 3.0
FAN_OUT_MAX_QUERIES = 20


def seed(scale: int, rng: random.Random) -> dict[str, Organisation]:
    """About `scale` nodes: trusts with sites, directorates and services, plus GP practices."""
    counter = iter(range(10**9))

    def node(name: str, kind: str, **extra: object) -> Organisation:
        n = next(counter)
        return Organisation(name=name, kind=kind, slug=f"n{n}", postcode=postcode(rng), **extra)

    practices = max(1, scale // 10)
    trusts_n = max(1, scale // 100)
    sites_per, dirs_per = 3, 3
    services_total = max(0, scale - practices - trusts_n * (1 + sites_per + sites_per * dirs_per))

    trusts = [
        node(f"{town(rng)} Hospitals NHS Trust", OrganisationKind.TRUST, ods_code=f"R{n:04d}")
        for n in range(trusts_n)
    ]
    gps = [
        node(f"{town(rng)} Surgery", OrganisationKind.GP_PRACTICE, ods_code=f"G{n:05d}")
        for n in range(practices)
    ]
    organisation_bulk_add({None: trusts + gps})
    log(f"  {len(trusts):,} trusts and {len(gps):,} GP practices")
    sites = {
        t: [node(f"{town(rng)} General Hospital", OrganisationKind.SITE) for _ in range(sites_per)]
        for t in trusts
    }
    organisation_bulk_add(sites)
    dirs = {
        s: [
            node(name, OrganisationKind.DIRECTORATE)
            for name in ("Medicine", "Surgery", "Community Services")[:dirs_per]
        ]
        for group in sites.values()
        for s in group
    }
    organisation_bulk_add(dirs)
    all_dirs = [d for group in dirs.values() for d in group]
    services: dict[Organisation | None, list[Organisation]] = {d: [] for d in all_dirs}
    for i in range(services_total):  # round-robin, so every directorate gets its share
        parent = all_dirs[i % len(all_dirs)]
        services[parent].append(
            node(f"{rng.choice(SERVICES)} {len(services[parent]) + 1}", OrganisationKind.SERVICE)
        )
    organisation_bulk_add(services)
    total = Organisation.objects.count()
    log(f"  {total:,} organisation nodes in all")
    first_trust = trusts[0]
    first_site = sites[first_trust][0]
    first_dir = dirs[first_site][0]
    return {
        "trust": first_trust,
        "directorate": first_dir,
        "service": services[first_dir][0],
        "gp": gps[0],
        "total": total,  # type: ignore[dict-item]
    }


def seed_stories(count: int, rng: random.Random) -> dict[str, Story]:
    """`count` stories across the services: 99% published, 1% waiting for moderation."""
    services = list(
        Organisation.objects.filter(kind__in=SERVICE_KINDS).values_list("pk", flat=True)
    )
    now = timezone.now()
    batch = 5000
    made = 0
    while made < count:
        size = min(batch, count - made)
        stories = Story.objects.bulk_create(
            Story(
                title=f"Story {made + i}",
                body=" ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 200))),
                pseudonym="Bench reader",
                author_role="patient",
                experienced_on=now.date().replace(day=1),
                status="published" if (made + i) % 100 else "awaiting_moderation",
                published_at=now - dt.timedelta(minutes=made + i) if (made + i) % 100 else None,
                criticality=rng.randint(0, 5),
            )
            for i in range(size)
        )
        StoryService.objects.bulk_create(
            StoryService(story=story, organisation_id=rng.choice(services)) for story in stories
        )
        made += size
        log(f"  {made:,} of {count:,} stories")
    newest = Story.objects.filter(status="published").order_by("-published_at").first()
    assert newest is not None
    return {"story": newest}


def add_stories(services: list[int], count: int, span_minutes: int, rng: random.Random) -> None:
    """`count` published stories about these services, published over the last `span_minutes`,
    so they interleave with the others in date order."""
    now = timezone.now()
    made = 0
    while made < count:
        size = min(5000, count - made)
        stories = Story.objects.bulk_create(
            Story(
                title=f"Staff story {made + i}",
                body=" ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 200))),
                pseudonym="Bench reader",
                author_role="patient",
                experienced_on=now.date().replace(day=1),
                status="published",
                published_at=now - dt.timedelta(minutes=rng.randrange(span_minutes)),
                criticality=rng.randint(0, 5),
            )
            for i in range(size)
        )
        StoryService.objects.bulk_create(
            StoryService(story=story, organisation_id=rng.choice(services)) for story in stories
        )
        made += size


def answer_some(root: Organisation, author: User, rng: random.Random) -> tuple[int, int]:
    """A published response to about one published story in `ANSWERED_ONE_IN` under `root`.
    Returns (published stories under root, of which answered)."""
    about = dict(
        StoryService.objects.filter(
            organisation__path__startswith=root.path, story__status="published"
        )
        .order_by("story_id", "organisation__path")
        .values_list("story_id", "organisation_id")
        .distinct()
    )
    now = timezone.now()
    answered = [pk for pk in sorted(about) if rng.randrange(ANSWERED_ONE_IN) == 0]
    Response.objects.bulk_create(
        (
            Response(
                story_id=pk,
                organisation_id=about[pk],
                author=author,
                body="Thank you for telling us about your care.",
                body_html="<p>Thank you for telling us about your care.</p>",
                status=ResponseStatus.PUBLISHED,
                published_at=now,
            )
            for pk in answered
        ),
        batch_size=5000,
    )
    return len(about), len(answered)


def staff_user(email: str, role: str, organisation: Organisation, *, mfa: bool = True) -> User:
    """A member of staff with a role written as the staff pages read it (guardian rows too)."""
    user = User.objects.create_user(email, "x", display_name=email.split("@")[0])
    role_install(user=user, role=role, organisation=organisation)
    if mfa:
        TOTP.activate(user, TOTP_SECRET)
    return user


def seed_staff(trust: Organisation, story_count: int, rng: random.Random) -> dict[str, Any]:
    """The two staff scenarios: a responder at `trust`, topped up to `STAFF_TRUST_STORIES`
    published stories, and a super-user of a new trust of `STAFF_SUBTREE_NODES` nodes, with
    stories as dense as elsewhere and a responder at each of its directorates."""
    service_kinds = {"kind__in": SERVICE_KINDS}
    trust_services = list(
        Organisation.objects.filter(path__startswith=trust.path, **service_kinds).values_list(
            "pk", flat=True
        )
    )
    under_trust = Story.objects.filter(
        status="published",
        pk__in=StoryService.objects.filter(organisation__path__startswith=trust.path).values(
            "story_id"
        ),
    ).count()
    top_up = max(0, STAFF_TRUST_STORIES - under_trust)
    add_stories(trust_services, top_up, story_count, rng)
    log(f"  {top_up:,} more stories under {trust.name} ({under_trust:,} already)")
    responder = staff_user("bench-responder@bench.example", RoleName.RESPONDER, trust)
    trust_stories, trust_answered = answer_some(trust, responder, rng)

    # A second trust, built like the others but wider: sites, directorates, then services.
    density = story_count / Organisation.objects.filter(**service_kinds).count()
    counter = iter(range(10**9))

    def node(name: str, kind: str, **extra: object) -> Organisation:
        slug = f"bench-staff-{next(counter)}"
        return Organisation(name=name, kind=kind, slug=slug, postcode=postcode(rng), **extra)

    sites_n = 9
    root = node(f"{town(rng)} and District NHS Trust", OrganisationKind.TRUST, ods_code="RBENCH")
    organisation_bulk_add({None: [root]})
    sites = [node(f"{town(rng)} General Hospital", OrganisationKind.SITE) for _ in range(sites_n)]
    organisation_bulk_add({root: sites})
    dirs = {
        s: [
            node(name, OrganisationKind.DIRECTORATE)
            for name in ("Medicine", "Surgery", "Community Services", "Women and Children")
        ]
        for s in sites
    }
    organisation_bulk_add(dirs)
    all_dirs = [d for group in dirs.values() for d in group]
    services: dict[Organisation | None, list[Organisation]] = {d: [] for d in all_dirs}
    for i in range(STAFF_SUBTREE_NODES - 1 - sites_n - len(all_dirs)):
        parent = all_dirs[i % len(all_dirs)]
        services[parent].append(
            node(f"{rng.choice(SERVICES)} {len(services[parent]) + 1}", OrganisationKind.SERVICE)
        )
    organisation_bulk_add(services)
    new_services = [s.pk for group in services.values() for s in group]
    add_stories(new_services, round(density * len(new_services)), story_count, rng)
    super_user = staff_user("bench-super-user@bench.example", RoleName.SUPER_USER, root)
    for i, directorate in enumerate(all_dirs):  # half of them without a second factor yet
        staff_user(
            f"bench-responder-{i}@bench.example", RoleName.RESPONDER, directorate, mfa=i % 2 == 0
        )
    sub_stories, sub_answered = answer_some(root, super_user, rng)
    sub_nodes = Organisation.objects.filter(path__startswith=root.path).count()
    log(f"  a subtree of {sub_nodes:,} nodes with {sub_stories:,} stories")
    return {
        "responder": responder,
        "trust_nodes": Organisation.objects.filter(path__startswith=trust.path).count(),
        "trust_stories": trust_stories,
        "trust_answered": trust_answered,
        "super_user": super_user,
        "root": root,
        "sub_nodes": sub_nodes,
        "sub_stories": sub_stories,
        "sub_answered": sub_answered,
        "sub_roles": Role.objects.filter(organisation__path__startswith=root.path).count(),
    }


def run(
    scale: int, repeat: int, story_count: int, keep: bool = False
) -> tuple[list[Row], dict[str, str]]:
    rng = random.Random(20261122)  # noqa: S311 - reproducible data, not security
    with bench_database(BENCH_DATABASE, keep=keep):
        log(f"Seeding about {scale:,} organisations…")
        started = time.perf_counter()
        world = seed(scale, rng)
        staff: dict[str, Any] = {}
        if story_count:
            log(f"Seeding {story_count:,} stories…")
            with gin_indexes_built_after("stories_story"):
                world.update(seed_stories(story_count, rng))
                log("Seeding the staff scenarios…")
                staff = seed_staff(world["trust"], story_count, rng)
        seeded_in = time.perf_counter() - started
        nodes_total, stories_total = Organisation.objects.count(), Story.objects.count()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
        plan = (
            Organisation.objects.filter(path__startswith=world["trust"].path).order_by().explain()
        )
        scans = [line.strip(" ->") for line in plan.splitlines() if "Scan" in line]
        subtree_scan = next((s for s in scans if "Index" in s), scans[0]).split("  (")[0]
        client = Client(HTTP_USER_AGENT=BROWSER)
        trust = world["trust"]
        scenarios: list[tuple[str, str, str]] = [
            ("directory, first page", "/organisations/", "no search"),
            ("directory search: common word", "/organisations/?q=hospital", "‘hospital’"),
            (
                "directory search: two words",
                f"/organisations/?q={trust.name.split()[0]}+nhs",
                "name words",
            ),
            ("directory search: rare name", "/organisations/?q=zzzznotthere", "no match"),
            ("directory search: ODS code", f"/organisations/?q={trust.ods_code}", "exact"),
            (
                "directory search: postcode prefix",
                f"/organisations/?q={trust.postcode.split()[0]}",
                "outward code",
            ),
            (
                "organisation page: trust",
                trust.get_absolute_url(),
                f"{trust.numchild} sites, whole-subtree services",
            ),
            (
                "organisation page: directorate",
                world["directorate"].get_absolute_url(),
                "services beneath",
            ),
            (
                "organisation page: service",
                world["service"].get_absolute_url(),
                "a leaf, 3 ancestors",
            ),
            ("organisation page: GP practice", world["gp"].get_absolute_url(), "a root leaf"),
        ]
        if story_count:
            story = world["story"]
            scenarios += [
                ("story page", story.get_absolute_url(), "newest story, a returning reader"),
                ("stories list, first page", "/stories/", "newest first, 20 a page"),
                ("stories list, page 200", "/stories/?page=200", "deep page"),
            ]
            moderator = User.objects.create_user(
                "bench-moderator@bench.example", "x", display_name="Bench"
            )
            Role.objects.create(user=moderator, role=RoleName.MODERATOR)
            TOTP.activate(moderator, TOTP_SECRET)  # the queue needs a second factor
        rows = []
        for name, url, note in scenarios:
            log(f"Timing {name} ({repeat} requests)…")
            times, queries = measure(client, url, repeat)
            rows.append(Row(name, statistics.median(times), p95(times), queries, note))
        if story_count:
            moderation = Client()
            moderation.force_login(moderator)
            log(f"Timing moderation queue ({repeat} requests)…")
            times, queries = measure(moderation, "/moderation/", repeat)
            rows.append(
                Row(
                    "moderation queue",
                    statistics.median(times),
                    p95(times),
                    queries,
                    f"{story_count // 100:,} waiting, oldest first",
                )
            )
        if staff:
            inbox = reverse("inbox:index")
            members = reverse("staff:members", kwargs={"slug": staff["root"].slug})
            unanswered = staff["trust_stories"] - staff["trust_answered"]
            staff_scenarios: list[tuple[str, User, str, str]] = [
                (
                    "staff inbox: responder at a trust",
                    staff["responder"],
                    inbox,
                    f"{staff['trust_stories']:,} stories, by what needs doing, 20 a page",
                ),
                (
                    "staff inbox: responder, newest first",
                    staff["responder"],
                    f"{inbox}?sort=newest",
                    f"{staff['trust_stories']:,} stories, newest first, 20 a page",
                ),
                (
                    "staff inbox: responder, no response yet",
                    staff["responder"],
                    f"{inbox}?unanswered=on",
                    f"{unanswered:,} of them unanswered",
                ),
                (
                    "staff inbox: super-user of a subtree",
                    staff["super_user"],
                    inbox,
                    f"{staff['sub_stories']:,} stories; {staff['sub_nodes']:,} nodes to filter by",
                ),
                (
                    "members page: super-user of a subtree",
                    staff["super_user"],
                    members,
                    f"{staff['sub_roles']} roles beneath; {staff['sub_nodes']:,} nodes to grant at",
                ),
            ]
            for name, user, url, note in staff_scenarios:
                client = Client()
                client.force_login(user)
                log(f"Timing {name} ({repeat} requests)…")
                times, queries = measure(client, url, repeat)
                rows.append(Row(name, statistics.median(times), p95(times), queries, note))
        if story_count:
            service = world["service"]
            log(f"Seeding {FAN_OUT_SUBSCRIPTIONS:,} subscriptions for the alerts fan-out…")
            seed_subscribers(service, FAN_OUT_SUBSCRIPTIONS)
            log(f"Timing the fan-out of {FAN_OUT_RUNS} stories…")
            times, queries, made = measure_fan_out(service, FAN_OUT_RUNS)
            worst = max(times)
            within = worst <= FAN_OUT_MAX_SECONDS and queries <= FAN_OUT_MAX_QUERIES
            rows.append(
                Row(
                    f"alerts fan-out to {FAN_OUT_SUBSCRIPTIONS:,} subscriptions",
                    statistics.median(times) * 1000,
                    p95(times) * 1000,
                    queries,
                    f"{made}; bound {FAN_OUT_MAX_SECONDS:.0f} s and {FAN_OUT_MAX_QUERIES} "
                    f"queries: {'within' if within else 'OVER'} (slowest {worst:.2f} s)",
                )
            )
        meta = {
            "when": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, PostgreSQL {server_version}",
            "data": f"{nodes_total:,} organisation nodes and {stories_total:,} stories "
            f"(seeded in {seeded_in:.1f} s)",
            "repeat": f"{repeat} timed requests per scenario after 3 warm-up requests",
            "subtree query (everything under a trust)": subtree_scan,
        }
        if staff:
            extra_nodes = nodes_total - world["total"]  # type: ignore[operator]
            meta["data"] = (
                f"{nodes_total:,} organisation nodes and {stories_total:,} stories, of which "
                f"{extra_nodes:,} nodes and {stories_total - story_count:,} stories were added "
                f"for the staff scenarios (seeded in {seeded_in:.1f} s)"
            )
            meta["staff scenarios"] = (
                f"a responder at a trust of {staff['trust_stories']:,} published stories "
                f"({staff['trust_nodes']:,} nodes, {staff['trust_answered']:,} stories answered); "
                f"a super-user of a subtree of {staff['sub_nodes']:,} nodes "
                f"({staff['sub_stories']:,} stories, {staff['sub_answered']:,} answered, "
                f"{staff['sub_roles']} roles held there). Both have an authenticator app and "
                "hold their role as the staff pages read it (role and permission rows); about "
                f"one story in {ANSWERED_ONE_IN} has a published response"
            )
        return rows, meta


def seed_subscribers(service: Organisation, count: int) -> None:
    """`count` readers, each holding a role on the service's path (written as the guardian
    row the fan-out reads) and subscribed to it: three in four at once, the rest digests;
    one in five wants only criticality 4 and above."""
    nodes = [*Organisation.objects.filter(path__in=service.ancestor_paths()), service]
    users = User.objects.bulk_create(
        [
            User(email=f"subscriber{i}@bench.example", display_name=f"Subscriber {i}")
            for i in range(count)
        ],
        batch_size=5000,
    )
    view = Permission.objects.get(codename="view_staff_data")
    OrganisationUserPermission.objects.bulk_create(
        [
            OrganisationUserPermission(
                user=u, permission=view, content_object=nodes[i % len(nodes)]
            )
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    Subscription.objects.bulk_create(
        [
            Subscription(
                user=u,
                organisation=nodes[i % len(nodes)],
                frequency=Frequency.IMMEDIATE if i % 4 else Frequency.DAILY,
                min_criticality=4 if i % 5 == 0 else None,
            )
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )


def measure_fan_out(service: Organisation, runs: int) -> tuple[list[float], int, str]:
    """Fan out new stories to the subscribers, each in a transaction rolled back after, so
    the runs are alike and no email leaves (sending is the workers' part, after commit)."""
    times, queries, made = [], 0, ""
    for run_number in range(runs):
        story = Story.objects.create(
            title=f"Fan-out {run_number}",
            body="A story for the alerts benchmark.",
            pseudonym="Bench",
            author_role="patient",
            experienced_on=dt.date(2026, 1, 1),
            status="published",
            published_at=timezone.now(),
            criticality=3,
        )
        StoryService.objects.create(story=story, organisation=service, position=0)
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = story_fan_out(story_id=story.pk)
                times.append(time.perf_counter() - started)
            queries = len(captured)
            if result is not None:
                made = f"{result.immediate:,} emails, {result.digest:,} digest entries"
            transaction.set_rollback(True)
    return times, queries, made


def report(rows: list[Row], meta: dict[str, str], scale: int) -> str:
    lines = [
        "# Benchmarks",
        "",
        *(f"- {key}: {value}" for key, value in meta.items()),
        "",
        "| scenario | median (ms) | p95 (ms) | queries | note |",
        "|---|---:|---:|---:|---|",
        *(
            f"| {r.scenario} | {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.queries} | {r.note} |"
            for r in rows
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=int, default=10_000, help="organisation nodes to seed")
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per scenario")
    parser.add_argument("--stories", type=int, default=100_000, help="stories to seed")
    parser.add_argument("--report", type=Path, default=Path("reports/bench.md"))
    parser.add_argument(
        "--keep", action="store_true", help="keep the seeded databases, to EXPLAIN queries"
    )
    parser.add_argument(
        "--figures-stories",
        type=int,
        default=1_000_000,
        help="stories to seed for the figures phase (the organisation page with statistics)",
    )
    parser.add_argument(
        "--figures-orgs", type=int, default=1_000, help="organisation nodes for the figures phase"
    )
    phases = parser.add_mutually_exclusive_group()
    phases.add_argument("--skip-figures", action="store_true", help="skip the figures phase")
    phases.add_argument("--only-figures", action="store_true", help="run the figures phase only")
    phases.add_argument(
        "--only-load", action="store_true", help="run the load stage only (tests/bench/load.py)"
    )
    parser.add_argument(
        "--skip-load", action="store_true", help="skip the load stage (gunicorn under wrk)"
    )
    parser.add_argument("--load-pairs", type=int, default=5, help="load stage: pairs per page")
    parser.add_argument(
        "--load-seconds", type=int, default=6, help="load stage: seconds of each wrk run"
    )
    parser.add_argument(
        "--skip-search",
        action="store_true",
        help="in the figures phase, skip timing search and the JSON API on its database",
    )
    parser.add_argument(
        "--skip-exports",
        action="store_true",
        help="in the figures phase, skip the exports of about 100,000 stories (CSV and XLSX)",
    )
    parser.add_argument(
        "--skip-insight",
        action="store_true",
        help="in the figures phase, skip timing the insight pages",
    )
    args = parser.parse_args(argv)
    if args.scale < 10 or args.repeat < 5:
        parser.error("--scale must be at least 10 and --repeat at least 5")
    if args.figures_orgs < 100 or args.figures_stories < 1_000:
        parser.error("--figures-orgs must be at least 100 and --figures-stories at least 1000")
    rows: list[Row] = []
    meta: dict[str, str] = {}
    durations = []
    if args.skip_load and args.only_load:
        parser.error("--skip-load and --only-load contradict each other")
    if not args.only_figures and not args.only_load:
        started = time.perf_counter()
        rows, meta = run(args.scale, args.repeat, args.stories, keep=args.keep)
        durations.append(f"pages {time.perf_counter() - started:.0f} s")
    if not args.skip_figures and not args.only_load:
        started = time.perf_counter()
        more, more_meta = figures.run(
            args.figures_orgs,
            args.figures_stories,
            args.repeat,
            keep=args.keep,
            search=not args.skip_search,
            exports=not args.skip_exports,
            insight=not args.skip_insight,
        )
        durations.append(f"figures at scale {time.perf_counter() - started:.0f} s")
        rows += more
        for key, value in more_meta.items():
            meta.setdefault(key, value)
    if not args.skip_load and not args.only_figures:
        started = time.perf_counter()
        more, more_meta = load_stage.run(args.load_pairs, args.load_seconds, warm=3)
        durations.append(f"load {time.perf_counter() - started:.0f} s")
        rows += more
        for key, value in more_meta.items():
            meta.setdefault(key, value)
    meta["run time"] = ", ".join(durations)
    text = report(rows, meta, args.scale)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text)
    print(text)
    print(f"Report written to {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
