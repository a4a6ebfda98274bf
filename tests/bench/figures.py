"""The second phase of `make bench`: the organisation page with its statistics at scale.

Seeds a throw-away database with about `orgs` organisation nodes (trusts with sites,
directorates and services; GP practices and care homes as roots) and `stories` stories
over three years, with responses, staff reads and changes, then times `figures_refresh`
over every node and the organisation pages with their figures fresh and stale.

The nodes go in through the ORM (a thousand rows); everything else is written by
INSERT … SELECT inside the database, from draws of random() after setseed(), so a
million stories take a couple of minutes and the same options give the same data.
"""

from __future__ import annotations

import csv
import io
import os
import platform
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.changes.models import Change, ChangeStory  # noqa: E402
from apps.core import extensions  # noqa: E402
from apps.core.signals import figures_changed  # noqa: E402
from apps.organisations.models import Organisation, OrganisationKind  # noqa: E402
from apps.organisations.services import organisation_bulk_add  # noqa: E402
from apps.responses.models import Response, StaffRead  # noqa: E402
from apps.stories.models import Story, StoryService, StoryTag, Tag  # noqa: E402
from tests.bench import exports as export_bench  # noqa: E402
from tests.bench import inbox as inbox_bench  # noqa: E402
from tests.bench import insight as insight_bench  # noqa: E402
from tests.bench import scale as sizing  # noqa: E402
from tests.bench import search as search_bench  # noqa: E402
from tests.bench.common import (  # noqa: E402
    BROWSER,
    SERVICES,
    WORDS,
    Row,
    bench_database,
    gin_indexes_built_after,
    inbox_copies_filled_after,
    log,
    measure,
    measure_after,
    postcode,
    row,
    town,
)

FIGURES_DATABASE = "carevoice_bench_figures"
REFRESH_COMMAND = "figures_refresh"
YEARS = 3
SLOTS = 100_000  # a story's service is drawn from this many slots, shared by weight
CHUNK = 250_000  # stories per INSERT statement, one progress line each
BODIES = 997  # distinct made-up story texts, reused, when the shared data set is absent
# Real published stories (licence and care: ../shared/data/README.md), read in place and
# only into the throw-away database.
STORY_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "care-opinion-stories.csv"
TAGS_PER_STORY = 0.6  # chance of each of up to three tags
SEED = 0.2026  # setseed() for random() in the database
DIRECTORATES = ["Medicine", "Surgery", "Women and Children", "Community Services"]

# Shares of all stories, or of the stories the step applies to.
TWO_SERVICES = 0.10  # a story names a second service (in the same trust, where it has one)
PUBLISHED, WITHDRAWN, AWAITING = 0.93, 0.025, 0.03  # the rest rejected
ANSWERED = 0.62  # of published or withdrawn stories, once the response's time has come
RESPONSE_AWAITING, RESPONSE_WITHDRAWN = 0.03, 0.01  # of responses
GENERIC = 0.05  # of responses
SECOND_RESPONSE = 0.15  # of stories with a published response
STAFF_READ = 0.3  # of published or withdrawn stories not yet answered (all answered ones are read)
CHANGE = 0.022  # of published stories: about 2% of all
CHANGE_MADE, CHANGE_STOPPED = 0.45, 0.15  # if the step's date has come; else still planned


@dataclass
class Tree:
    trusts: list[Organisation]
    gps: list[Organisation]
    homes: list[Organisation]
    services: list[Organisation]  # of trusts, in path order


def seed_tree(orgs: int, rng: random.Random) -> Tree:
    """About `orgs` nodes: 4% trusts (site → directorate → service; a few trusts far bigger
    than the rest), 20% GP practices and 8% care homes as roots."""
    counter = iter(range(10**9))

    def node(name: str, kind: str, **extra: object) -> Organisation:
        n = next(counter)
        place = extra.pop("town", "")
        return Organisation(
            name=name,
            kind=kind,
            slug=f"{slugify(name)[:200]}-{n}",
            town=place,
            postcode=postcode(rng),
            **extra,
        )

    def named(pattern: str, kind: str, **extra: object) -> Organisation:
        place = town(rng)
        return node(pattern.format(town=place), kind, town=place, **extra)

    trusts_n = max(2, round(orgs * 0.04))
    gps_n = max(2, round(orgs * 0.20))
    homes_n = max(1, round(orgs * 0.08))
    trust_names = [
        "{town} Hospitals NHS Trust",
        "{town} University Hospitals NHS Foundation Trust",
        "{town} and District NHS Foundation Trust",
    ]
    trusts = [
        named(rng.choice(trust_names), OrganisationKind.TRUST, ods_code=f"R{n:04d}")
        for n in range(trusts_n)
    ]
    gp_names = ["{town} Surgery", "{town} Medical Centre", "{town} Health Centre"]
    gps = [
        named(rng.choice(gp_names), OrganisationKind.GP_PRACTICE, ods_code=f"G{n:05d}")
        for n in range(gps_n)
    ]
    home_names = ["{town} House", "{town} Lodge Care Home", "{town} Court Nursing Home"]
    homes = [
        named(rng.choice(home_names), OrganisationKind.CARE_HOME, ods_code=f"VC{n:04d}")
        for n in range(homes_n)
    ]
    organisation_bulk_add({None: trusts + gps + homes})
    site_names = ["{town} General Hospital", "{town} Community Hospital", "{town} Royal Infirmary"]
    sites = {
        t: [named(rng.choice(site_names), OrganisationKind.SITE) for _ in range(rng.randint(1, 3))]
        for t in trusts
    }
    organisation_bulk_add(sites)
    dirs = {
        s: [
            node(name, OrganisationKind.DIRECTORATE)
            for name in rng.sample(DIRECTORATES, rng.randint(1, 3))
        ]
        for group in sites.values()
        for s in group
    }
    organisation_bulk_add(dirs)
    by_trust = {t: [d for s in sites[t] for d in dirs[s]] for t in trusts}

    # Every directorate gets one service; the rest go to trusts by a falling weight, so
    # the first trusts are several times the size of the last.
    left = orgs - trusts_n - gps_n - homes_n - sum(len(v) for v in sites.values())
    left -= sum(len(v) for v in dirs.values())
    spare = max(0, left - sum(len(v) for v in by_trust.values()))
    weights = [1 / (i + 1) ** 0.8 for i in range(trusts_n)]
    extra = [int(spare * w / sum(weights)) for w in weights]
    for i in range(spare - sum(extra)):
        extra[i] += 1
    services: dict[Organisation | None, list[Organisation]] = {
        d: [] for group in dirs.values() for d in group
    }
    for t, more in zip(trusts, extra, strict=True):
        group = by_trust[t]
        for i in range(len(group) + more):
            parent = group[i % len(group)]
            taken = {s.name for s in services[parent]}
            name = next((s for s in rng.sample(SERVICES, len(SERVICES)) if s not in taken), None)
            name = name or f"{rng.choice(SERVICES)} {len(taken) + 1}"
            services[parent].append(node(name, OrganisationKind.SERVICE))
    organisation_bulk_add(services)
    all_services = sorted((s for group in services.values() for s in group), key=lambda o: o.path)
    return Tree(trusts=trusts, gps=gps, homes=homes, services=all_services)


def story_texts(rng: random.Random) -> tuple[list[str], list[str]]:
    """Titles and bodies for the stories: real published stories from the shared data when
    they are there (so search meets real words at real frequencies), else made-up ones."""
    real = real_texts()
    if real:
        return [title_of(body) for body in real], real
    bodies = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 200))).capitalize() + "."
        for _ in range(BODIES)
    ]
    return [" ".join(rng.sample(WORDS, 4)).capitalize() for _ in range(BODIES)], bodies


def real_texts() -> list[str]:
    """The distinct texts of the shared story data set, or [] when it is absent."""
    if not STORY_DATA.exists():
        return []
    with STORY_DATA.open(newline="", encoding="utf-8") as handle:
        texts = {row["feedback"].strip() for row in csv.DictReader(handle)}
    return sorted(text for text in texts if len(text) >= 30)


def title_of(body: str) -> str:
    words = body.split()
    return " ".join(words[:7])[:100]


def load_draw_tables(tree: Tree, rng: random.Random) -> tuple[int, int]:
    """Tables the SQL draws from: the service-kind nodes (with the run of nodes of the same
    trust, for a second service), slots shared among them by how busy each is, and a pool
    of story texts. Returns the number of slots and of texts."""
    nodes: list[tuple[int, int, int, float]] = []  # (org id, root first, root count, weight)
    runs: dict[str, list[Organisation]] = {}
    for service in tree.services:
        runs.setdefault(service.root_path, []).append(service)
    for group in runs.values():
        first = len(nodes)
        for service in group:
            nodes.append((service.pk, first, len(group), rng.lognormvariate(0, 1.2)))
    # Each a single node; fewer stories each than a hospital service.
    nodes += [
        (gp.pk, len(nodes) + i, 1, rng.lognormvariate(-0.7, 0.8)) for i, gp in enumerate(tree.gps)
    ]
    nodes += [
        (h.pk, len(nodes) + i, 1, rng.lognormvariate(-2.0, 0.8)) for i, h in enumerate(tree.homes)
    ]
    total = sum(n[3] for n in nodes)
    slots = [idx for idx, n in enumerate(nodes) for _ in range(max(1, round(n[3] / total * SLOTS)))]
    titles, bodies = story_texts(rng)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_node (idx int PRIMARY KEY, org_id bigint NOT NULL,"
            " root_first int NOT NULL, root_count int NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO bench_node SELECT ord - 1, org_id, first, n"
            " FROM unnest(%s::bigint[], %s::int[], %s::int[]) WITH ORDINALITY"
            " AS t(org_id, first, n, ord)",
            [[n[0] for n in nodes], [n[1] for n in nodes], [n[2] for n in nodes]],
        )
        cursor.execute("CREATE UNLOGGED TABLE bench_slot (slot int PRIMARY KEY, idx int NOT NULL)")
        cursor.execute(
            "INSERT INTO bench_slot SELECT ord - 1, idx FROM unnest(%s::int[])"
            " WITH ORDINALITY AS t(idx, ord)",
            [slots],
        )
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_text (i int PRIMARY KEY, title text, body text)"
        )
        cursor.execute(
            "INSERT INTO bench_text SELECT ord - 1, title, body"
            " FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(title, body, ord)",
            [titles, bodies],
        )
    return len(slots), len(bodies)


# One row of uniform draws per story; every later choice reads these, so the data
# depends only on the seed, the sizes and the node ids. Drawn a chunk at a time, in order,
# so the draws are the same as in one statement.
DRAW = """
SELECT g AS n, floor(random() * %(slots)s)::int AS slot,
       random() AS u_status, random() AS u_age, random() AS u_lag, random() AS u_two,
       random() AS u_pick, random() AS u_resp, random() AS u_delay1, random() AS u_rstatus,
       random() AS u_generic, random() AS u_second, random() AS u_delay2, random() AS u_read,
       random() AS u_change, random() AS u_cstatus, random() AS u_cdays, random() AS u_crit
FROM generate_series(%(lo)s, %(hi)s) AS g
"""
DRAW_CHUNK = 1_000_000

# Every story's facts, numbered by creation time as real ids would be.
PLAN = """
CREATE UNLOGGED TABLE bench_story AS
WITH first AS (
    SELECT d.*, n1.idx AS idx1, n1.org_id AS org1, n1.root_first, n1.root_count,
           CASE WHEN d.u_status < %(published)s THEN 'published'
                WHEN d.u_status < %(withdrawn)s THEN 'withdrawn'
                WHEN d.u_status < %(awaiting)s THEN 'awaiting_moderation'
                ELSE 'rejected' END AS status
    FROM bench_draw d
    JOIN bench_slot s ON s.slot = d.slot
    JOIN bench_node n1 ON n1.idx = s.idx
), dated AS (
    SELECT f.*,
           CASE WHEN f.u_two >= %(two)s THEN NULL
                WHEN f.root_count > 1 THEN f.root_first + floor(f.u_pick * f.root_count)::int
                ELSE (SELECT x.idx FROM bench_slot x
                      WHERE x.slot = floor(f.u_pick * %(slots)s)::int) END AS idx2,
           CASE WHEN f.status IN ('published', 'withdrawn')
                THEN %(now)s - f.u_age * %(days)s * interval '1 day' END AS published_at,
           CASE WHEN f.status = 'awaiting_moderation' THEN %(now)s - f.u_age * interval '5 days'
                ELSE %(now)s - f.u_age * %(days)s * interval '1 day'
                     - (1 + f.u_lag * 47) * interval '1 hour' END AS created_at
    FROM first f
), answered AS (
    SELECT d.*,
           d.published_at + (0.5 + 720 * power(d.u_delay1, 4)) * interval '1 hour' AS r1_at,
           CASE WHEN d.u_rstatus < %(r_awaiting)s THEN 'awaiting_moderation'
                WHEN d.u_rstatus < %(r_withdrawn)s THEN 'withdrawn'
                ELSE 'published' END AS r1_status
    FROM dated d
)
SELECT row_number() OVER (ORDER BY a.created_at, a.n) AS id, a.*,
       n2.org_id AS org2,
       a.status IN ('published', 'withdrawn') AND a.u_resp < %(answered)s
           AND a.r1_at < %(now)s AS has_r1,
       a.r1_at + (1 + 480 * a.u_delay2) * interval '1 hour' AS r2_at
FROM answered a
LEFT JOIN bench_node n2 ON n2.idx = a.idx2 AND a.idx2 <> a.idx1
"""

STORIES = """
INSERT INTO stories_story (
    id, created_at, updated_at, title, body, pseudonym, author_role, channel, experienced_on,
    status, published_at, author_email, criticality, moderator_note, rejection_reason,
    rejection_note, read_count, me_too_count)
SELECT s.id, s.created_at, coalesce(s.published_at, s.created_at), t.title, t.body,
       (ARRAY['Sam', 'Alex', 'A patient', 'A carer', 'Jo', 'Anonymous'])[1 + mod(s.n, 6)::int],
       (ARRAY['patient', 'patient', 'patient', 'carer', 'parent', 'relative'])
           [1 + mod(s.id, 6)::int],
       (ARRAY['web', 'web', 'web', 'web', 'web', 'web', 'qr', 'kiosk', 'phone', 'paper'])
           [1 + mod(s.n, 10)::int],
       date_trunc('month', s.created_at - s.u_lag * interval '60 days')::date,
       s.status, s.published_at, '',
       CASE WHEN s.status <> 'awaiting_moderation' THEN floor(s.u_crit * 6)::int END,
       '', CASE WHEN s.status = 'rejected' THEN 'not_care_experience' ELSE '' END, '',
       CASE WHEN s.published_at IS NOT NULL THEN floor(s.u_crit * s.u_age * 200)::int ELSE 0 END,
       CASE WHEN s.published_at IS NOT NULL THEN floor(s.u_lag * 4)::int ELSE 0 END
FROM bench_story s
JOIN bench_text t ON t.i = mod(s.n, %(bodies)s)
WHERE s.id BETWEEN %(lo)s AND %(hi)s
ORDER BY s.id
"""

STORY_SERVICES = """
INSERT INTO stories_storyservice (story_id, organisation_id, position)
SELECT s.id, v.org, v.position
FROM bench_story s
CROSS JOIN LATERAL (VALUES (s.org1, 0), (s.org2, 1)) AS v(org, position)
WHERE s.id BETWEEN %(lo)s AND %(hi)s AND v.org IS NOT NULL
ORDER BY s.id, v.position
"""

# Up to three tags a story, drawn from its own numbers; the polarity follows the tag's
# own (feelings) or the story's criticality (aspects).
STORY_TAGS = """
WITH tag AS (SELECT (row_number() OVER (ORDER BY id) - 1)::int AS i, id, polarity
             FROM stories_tag)
INSERT INTO stories_storytag (story_id, tag_id, polarity)
SELECT DISTINCT ON (s.id, t.id) s.id, t.id,
       CASE WHEN t.polarity <> '' THEN t.polarity
            WHEN s.u_crit < 0.5 THEN 'good' ELSE 'improve' END
FROM bench_story s
CROSS JOIN LATERAL (VALUES (s.u_cdays), (s.u_delay2), (s.u_second)) AS k(u)
JOIN tag t ON t.i = floor(k.u * 1000)::int %% %(tags)s
WHERE s.id BETWEEN %(lo)s AND %(hi)s AND mod(floor(k.u * 1e6)::int, 10) < %(tag_share)s * 10
ORDER BY s.id, t.id
"""

# The first response's id is its story's; a second one's is offset by the story count.
RESPONSES = """
INSERT INTO responses_response (
    id, created_at, updated_at, story_id, organisation_id, author_id, author_name,
    author_job_title, body, body_html, status, published_at, is_generic, similar_count,
    withdrawn_reason, helpful_count)
SELECT r.id, r.at, r.at, r.story_id, r.org1, %(author)s, 'Sam Patel', 'Patient experience lead',
       r.body, '<p>' || r.body || '</p>', r.status,
       CASE WHEN r.status <> 'awaiting_moderation' THEN r.at END,
       r.generic, CASE WHEN r.generic THEN 5 + mod(r.story_id, 20)::int ELSE 0 END,
       CASE WHEN r.status = 'withdrawn' THEN 'Posted on the wrong story.' ELSE '' END,
       mod(r.story_id, 4)::int
FROM (
    SELECT s.id, s.id AS story_id, s.org1, s.r1_at AS at, s.r1_status AS status,
           s.u_generic < %(generic)s AS generic,
           CASE WHEN s.u_generic < %(generic)s
                THEN 'Thank you for your feedback. We are sorry to hear about your experience.'
                ELSE 'Thank you for telling us about your care. I have shared your story with '
                     || 'the team and we have talked about what we could do differently.' END
               AS body
    FROM bench_story s
    WHERE s.has_r1 AND s.id BETWEEN %(lo)s AND %(hi)s
    UNION ALL
    SELECT %(stories)s + s.id, s.id, s.org1, s.r2_at, 'published', false,
           'Following up: the ward team has now met to go through your story.'
    FROM bench_story s
    WHERE s.has_r1 AND s.r1_status = 'published' AND s.u_second < %(second)s
      AND s.r2_at < %(now)s AND s.id BETWEEN %(lo)s AND %(hi)s
) AS r
ORDER BY r.id
"""

STAFF_READS = """
INSERT INTO responses_staffread (story_id, user_id, at)
SELECT s.id, %(reader)s, least(%(now)s, s.published_at + s.u_read * interval '48 hours')
FROM bench_story s
WHERE s.published_at IS NOT NULL AND (s.has_r1 OR s.u_read < %(read)s)
  AND s.id BETWEEN %(lo)s AND %(hi)s
ORDER BY s.id
"""

# A change for the story's first service, recorded after the response (if one was published,
# which it then names); made or stopped only if that step's date has already come.
CHANGES = """
CREATE UNLOGGED TABLE bench_change AS
SELECT row_number() OVER (ORDER BY p.at, p.id) AS change_id, p.*,
       CASE WHEN p.wanted <> 'planned' AND p.step_at <= %(now)s THEN p.wanted
            ELSE 'planned' END AS status
FROM (
    SELECT s.id, s.org1, s.has_r1 AND s.r1_status = 'published' AS linked, c.at,
           c.at + (14 + 166 * s.u_cdays) * interval '1 day' AS due_at,
           c.at + (14 + 166 * s.u_cdays) * s.u_cdays * interval '1 day' AS step_at,
           CASE WHEN s.u_cstatus < %(made)s THEN 'made'
                WHEN s.u_cstatus < %(stopped)s THEN 'not_going_ahead'
                ELSE 'planned' END AS wanted
    FROM bench_story s
    CROSS JOIN LATERAL (
        SELECT least(%(now)s, CASE WHEN s.has_r1 AND s.r1_status = 'published'
                                   THEN s.r1_at + interval '1 hour'
                                   ELSE s.published_at + interval '3 days' END) AS at
    ) AS c
    WHERE s.status = 'published' AND s.u_change < %(change)s
) AS p
"""

CHANGE_ROWS = """
INSERT INTO changes_change (
    id, created_at, updated_at, organisation_id, status, summary, due_on, made_summary, made_on,
    reason, status_on, recorded_by_id, recorded_by_name, recorded_by_job_title)
SELECT c.change_id, c.at, greatest(c.at, CASE WHEN c.status <> 'planned' THEN c.step_at END),
       c.org1, c.status,
       'Patients will be told the expected waiting time when they arrive.', c.due_at::date,
       CASE WHEN c.status = 'made' THEN 'The waiting time is now shown on a screen in reception.'
            ELSE '' END,
       CASE WHEN c.status = 'made' THEN c.step_at::date END,
       CASE WHEN c.status = 'not_going_ahead' THEN 'The screens could not be installed this year.'
            ELSE '' END,
       CASE WHEN c.status = 'planned' THEN c.at::date ELSE c.step_at::date END,
       %(author)s, 'Sam Patel', 'Patient experience lead'
FROM bench_change c
ORDER BY c.change_id
"""

CHANGE_STORIES = """
INSERT INTO changes_changestory (change_id, story_id, response_id, linked_at, linked_by_id)
SELECT c.change_id, c.id, CASE WHEN c.linked THEN c.id END, c.at, %(author)s
FROM bench_change c
ORDER BY c.change_id
"""

# Rows were written with their ids: each identity goes on after the highest.
NEXT_IDS = """
SELECT setval(pg_get_serial_sequence('stories_story', 'id'),
              (SELECT coalesce(max(id), 0) + 1 FROM stories_story), false),
       setval(pg_get_serial_sequence('responses_response', 'id'),
              (SELECT coalesce(max(id), 0) + 1 FROM responses_response), false),
       setval(pg_get_serial_sequence('changes_change', 'id'),
              (SELECT coalesce(max(id), 0) + 1 FROM changes_change), false)
"""
STAGING_TABLES = [
    "bench_draw",
    "bench_story",
    "bench_change",
    "bench_node",
    "bench_slot",
    "bench_text",
]
SEEDED_TABLES = [
    "stories_story",
    "stories_storyservice",
    "stories_storytag",
    "responses_response",
    "responses_staffread",
    "changes_change",
    "changes_changestory",
]


SEEDED_MODELS = [Story, StoryService, StoryTag, Response, StaffRead, Change, ChangeStory]


def column_defaults() -> None:
    """Give the seeded tables' columns their models' constant defaults in the database, so
    the INSERT … SELECT statements need not name each column a later migration adds (Django
    keeps defaults in Python)."""
    with connection.schema_editor() as editor:
        for model in SEEDED_MODELS:
            for field in model._meta.concrete_fields:
                generated = getattr(field, "generated", False)
                if generated or field.null or (field.has_default() and callable(field.default)):
                    continue
                default = field.get_default()  # "" for text fields without a default
                if default is None:
                    continue
                value = field.get_db_prep_save(default, connection)
                editor.execute(
                    f"ALTER TABLE {editor.quote_name(model._meta.db_table)} ALTER COLUMN "
                    f"{editor.quote_name(field.column)} SET DEFAULT {editor.quote_value(value)}"
                )


def seed_stories(stories: int, tree: Tree, rng: random.Random) -> None:
    """`stories` stories and what follows them, written by SQL inside the database."""
    column_defaults()
    staff = User.objects.create_user(
        "bench-figures@bench.example",
        "x",
        display_name="Sam Patel",
        job_title="Patient experience lead",
    )
    slots, texts = load_draw_tables(tree, rng)
    params: dict[str, Any] = {
        "now": timezone.now(),
        "days": 365 * YEARS,
        "slots": slots,
        "stories": stories,
        "bodies": texts,
        "tags": Tag.objects.count(),
        "tag_share": TAGS_PER_STORY,
        "published": PUBLISHED,
        "withdrawn": PUBLISHED + WITHDRAWN,
        "awaiting": PUBLISHED + WITHDRAWN + AWAITING,
        "two": TWO_SERVICES,
        "answered": ANSWERED,
        "r_awaiting": RESPONSE_AWAITING,
        "r_withdrawn": RESPONSE_AWAITING + RESPONSE_WITHDRAWN,
        "generic": GENERIC,
        "second": SECOND_RESPONSE,
        "read": STAFF_READ,
        "change": CHANGE,
        "made": CHANGE_MADE,
        "stopped": CHANGE_MADE + CHANGE_STOPPED,
        "author": staff.pk,
        "reader": staff.pk,
    }
    with connection.cursor() as cursor:
        # A throw-away database: nothing is lost if the server stops before a flush.
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        # setseed() and the draws share this session, so random() gives the same sequence.
        cursor.execute("SELECT setseed(%s)", [SEED])
        drawing = sizing.Progress(stories, "stories drawn")
        for lo in range(1, stories + 1, DRAW_CHUNK):
            step = {**params, "lo": lo, "hi": min(stories, lo + DRAW_CHUNK - 1)}
            into = "CREATE UNLOGGED TABLE bench_draw AS" if lo == 1 else "INSERT INTO bench_draw"
            cursor.execute(f"{into} {DRAW}", step)
            drawing.step(step["hi"])
        log("  planning stories, responses and changes (one statement: it numbers them all)…")
        spilled = sizing.temp_bytes()
        with sizing.heartbeat("planning"):
            cursor.execute(PLAN, params)
        sizing.flush_statistics()
        staging = sizing.staging_size(STAGING_TABLES)
        cursor.execute("DROP TABLE bench_draw")
        cursor.execute("CREATE INDEX ON bench_story (id)")
        with sizing.heartbeat("planning changes"):
            cursor.execute(CHANGES, params)
        log(
            f"  staging tables {staging / sizing.GB:.1f} GB at most, sorts spilled "
            f"{(sizing.temp_bytes() - spilled) / sizing.GB:.1f} GB to temporary files"
        )
        writing = sizing.Progress(stories, "stories written")
        for lo in range(1, stories + 1, CHUNK):
            step = {**params, "lo": lo, "hi": min(stories, lo + CHUNK - 1)}
            cursor.execute(STORIES, step)
            cursor.execute(STORY_SERVICES, step)
            cursor.execute(RESPONSES, step)
            cursor.execute(STAFF_READS, step)
            cursor.execute(STORY_TAGS, step)
            writing.step(step["hi"], ", with their responses and reads")
        cursor.execute(CHANGE_ROWS, params)
        cursor.execute(CHANGE_STORIES, params)
        cursor.execute(NEXT_IDS)
        cursor.execute("DROP TABLE " + ", ".join(t for t in STAGING_TABLES if t != "bench_draw"))
        log("  vacuuming and analysing…")
        # As autovacuum would leave a live database (visibility map, hint bits), and so it
        # does not start in the middle of the timings.
        with sizing.heartbeat("vacuuming and analysing"):
            cursor.execute("VACUUM (ANALYZE) " + ", ".join(SEEDED_TABLES))
            cursor.execute("ANALYZE")
        for setting in ("synchronous_commit", "work_mem", "maintenance_work_mem"):
            cursor.execute("RESET " + setting)


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM stories_story),
                   (SELECT count(*) FROM stories_story WHERE status = 'published'),
                   (SELECT count(*) FROM stories_storyservice),
                   (SELECT count(*) FROM responses_response),
                   (SELECT count(*) FROM responses_response WHERE status = 'published'),
                   (SELECT count(DISTINCT story_id) FROM responses_response
                     WHERE status = 'published'),
                   (SELECT count(*) FROM responses_response WHERE is_generic),
                   (SELECT count(*) FROM responses_staffread),
                   (SELECT count(*) FROM changes_change),
                   (SELECT count(*) FROM changes_change WHERE status = 'made'),
                   (SELECT count(*) FROM organisations_organisation),
                   (SELECT count(*) FROM stories_storytag)
            """
        )
        names = [
            "stories",
            "published",
            "story_services",
            "responses",
            "published_responses",
            "answered",
            "generic",
            "staff_reads",
            "changes",
            "made",
            "nodes",
            "story_tags",
        ]
        return dict(zip(names, cursor.fetchone(), strict=True))


def published_under(path: str) -> int:
    """Published stories about anything under `path` (a story naming two counts once)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT ss.story_id) FROM stories_storyservice ss"
            " JOIN organisations_organisation o ON o.id = ss.organisation_id"
            " JOIN stories_story s ON s.id = ss.story_id"
            " WHERE o.path LIKE %s AND s.status = 'published'",
            [path + "%"],
        )
        return cursor.fetchone()[0]


def pick_pages(tree: Tree) -> dict[str, tuple[Organisation, int]]:
    """The busiest trust, the median service of a trust and the median GP practice, by
    published stories, each with its count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ss.organisation_id, count(*) FROM stories_storyservice ss"
            " JOIN stories_story s ON s.id = ss.story_id AND s.status = 'published'"
            " GROUP BY ss.organisation_id"
        )
        per_node = dict(cursor.fetchall())
    per_root: dict[str, int] = {}
    for service in tree.services:
        per_root[service.root_path] = per_root.get(service.root_path, 0) + per_node.get(
            service.pk, 0
        )
    trust = max(tree.trusts, key=lambda t: per_root.get(t.path, 0))

    def median(nodes: list[Organisation]) -> Organisation:
        ranked = sorted(nodes, key=lambda o: (per_node.get(o.pk, 0), o.pk))
        return ranked[len(ranked) // 2]

    service, gp = median(tree.services), median(tree.gps)
    return {
        "trust": (trust, published_under(trust.path)),
        "service": (service, per_node.get(service.pk, 0)),
        "gp": (gp, per_node.get(gp.pk, 0)),
    }


def refresh() -> tuple[float, int] | None:
    """Seconds and queries `figures_refresh` takes over every node, or None if it does not
    exist yet."""
    if REFRESH_COMMAND not in get_commands():
        return None
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        call_command(REFRESH_COMMAND, stdout=io.StringIO())
        seconds = time.perf_counter() - started
    return seconds, len(ctx.captured_queries)


def statistics_section() -> str | None:
    """The organisation-page section the insights app adds, if it is installed yet."""
    return "figures" if "figures" in extensions.organisation_page_sections.slots() else None


def run(
    orgs: int,
    stories: int,
    repeat: int,
    keep: bool = False,
    search: bool = True,
    exports: bool = True,
    insight: bool = True,
) -> tuple[list[Row], dict[str, str]]:
    rng = random.Random(20261123)
    scale = f"{stories:,} stories, {orgs:,} organisations"
    with bench_database(FIGURES_DATABASE, keep=keep):
        log(f"Figures at scale: seeding about {orgs:,} organisations…")
        started = time.perf_counter()
        tree = seed_tree(orgs, rng)
        nodes_in = time.perf_counter() - started
        log(
            f"  {Organisation.objects.count():,} nodes: {len(tree.trusts)} trusts with "
            f"{len(tree.services)} services, {len(tree.gps)} GP practices, "
            f"{len(tree.homes)} care homes"
        )
        log(f"Seeding {stories:,} stories in SQL…")
        room = sizing.preflight(stories)
        with gin_indexes_built_after("stories_story"), inbox_copies_filled_after():
            seed_stories(stories, tree, rng)
        # Once more, after the indexes and copies: seeding's own vacuum left a quarter of
        # the story tags' pages not all-visible (seen at a million), and the tag filter's
        # search then read 12,600 table pages (121 ms) where it reads the index alone.
        with connection.cursor() as cursor, sizing.heartbeat("vacuuming again"):
            cursor.execute("VACUUM (ANALYZE) " + ", ".join(SEEDED_TABLES))
        seeded_in = time.perf_counter() - started
        size = sizing.database_size() / sizing.GB
        log(f"  seeded in {seeded_in:.0f} s; the database takes {size:.1f} GB")
        made = counts()
        pages = pick_pages(tree)

        rows: list[Row] = []
        log(f"Timing {REFRESH_COMMAND} over every node…")
        refreshed = refresh()
        if refreshed is None:
            log(f"  no {REFRESH_COMMAND} command yet: skipped")
        else:
            seconds, queries = refreshed
            # The query log keeps the last 9,000; more than that shows as 9,000.
            rows.append(
                Row(
                    f"{REFRESH_COMMAND}, every node ({scale})",
                    seconds * 1000,
                    seconds * 1000,
                    queries,
                    f"one run over {made['nodes']:,} nodes, so median and p95 are that run",
                )
            )

        section = statistics_section()
        # The scenario names stay put so reports compare; the note says what was there.
        missing = "" if section else "; no statistics section yet"
        client = Client(HTTP_USER_AGENT=BROWSER)
        trust, trust_stories = pages["trust"]
        service, service_stories = pages["service"]
        gp, gp_stories = pages["gp"]
        warm = [
            (
                "busiest trust",
                trust,
                f"{trust_stories:,} published stories, "
                f"{Organisation.objects.filter(path__startswith=trust.path).count()} nodes",
            ),
            (
                "mid-size service",
                service,
                f"{service_stories:,} published stories, the median service",
            ),
            ("GP practice", gp, f"{gp_stories:,} published stories, the median practice"),
        ]
        for name, org, note in warm:
            label = f"organisation page with statistics ({scale}): {name}, figures fresh"
            log(f"Timing {label} ({repeat} requests)…")
            times, queries = measure(client, org.get_absolute_url(), repeat)
            rows.append(row(label, times, queries, note + missing))

        label = f"organisation page with statistics ({scale}): busiest trust, figures stale"
        log(f"Timing {label} ({repeat} requests)…")
        times, queries = measure_after(
            client,
            trust.get_absolute_url(),
            repeat,
            # As a story published under the trust would: its figures are recomputed on view.
            lambda: figures_changed(Story, [trust.path]),
        )
        rows.append(
            row(
                label,
                times,
                queries,
                "marked stale before each request, outside the clock; recomputed on view" + missing,
            )
        )

        searched: dict[str, str] = {}
        if search:
            more, searched = search_bench.run(trust, service, scale, repeat)
            rows += more
        if insight:
            more, insighted = insight_bench.run(trust, service, scale, repeat)
            rows += more
            searched.update(insighted)
        if exports:
            rows += export_bench.run(scale)
        # Last: it moves stories onto a trust of its own, which the scenarios above would see.
        rows += inbox_bench.run(scale, repeat)

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
        meta = {
            "when": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, PostgreSQL {server_version}",
            "repeat": f"{repeat} timed requests per scenario after 3 warm-up requests",
            "figures data": (
                f"{made['nodes']:,} organisation nodes ({len(tree.trusts)} trusts with "
                f"{len(tree.services)} services beneath, {len(tree.gps)} GP practices, "
                f"{len(tree.homes)} care homes); {made['stories']:,} stories over {YEARS} years "
                f"({made['published']:,} published, {made['story_services'] - made['stories']:,} "
                f"naming a second service; {made['story_tags']:,} tags), "
                f"{made['responses']:,} responses "
                f"({made['published_responses']:,} published, answering {made['answered']:,} "
                f"stories; {made['generic']:,} generic), {made['staff_reads']:,} staff reads, "
                f"{made['changes']:,} changes ({made['made']:,} made)"
            ),
            "figures seeding": (
                f"{seeded_in:.0f} s ({nodes_in:.1f} s for the nodes through the ORM, the rest "
                "INSERT … SELECT in the database, then VACUUM ANALYZE); the database then "
                f"took {size:.1f} GB; before seeding: {room}"
            ),
            "figures_refresh": (
                f"{refreshed[0]:.1f} s over every node, {refreshed[1]:,} queries"
                if refreshed is not None
                else f"the {REFRESH_COMMAND} command does not exist yet; not timed"
            ),
            "statistics section": (
                f"installed ({section})"
                if section
                else "not installed yet: the organisation pages were timed without statistics"
            ),
            "story texts": (
                f"{len(real_texts()):,} real published stories from the shared data set, "
                "taken in turn, so each is told many times over"
                if real_texts()
                else f"{BODIES} made-up texts of care words (the shared data set is absent)"
            ),
            **searched,
        }
        return rows, meta
