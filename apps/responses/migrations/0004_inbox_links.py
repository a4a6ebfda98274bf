"""The inbox's copy of every story link (`InboxLink`), and the triggers that keep it.

A scope's stories are then one range of the copy's path index, with what the inbox sorts,
filters and counts by beside each path: at a million stories the inbox's three statements
took 400 ms over the stories table and take under 15 ms here. Triggers rather than
services keep it, because every writer of these tables must: services, the admin,
factories, the demo's bulk loads and the bench's SQL alike.
"""

import django.db.models.deletion
from django.db import migrations, models


# Organisation.steplen: a trust's (a root's) path is the first STEP characters of its nodes'.
STEP = 4

FUNCTIONS = f"""
-- The story-level columns of the given stories' copies, read afresh from the source tables.
CREATE FUNCTION responses_inbox_refresh(stories bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE responses_inboxlink i
    SET status = s.status,
        published_at = s.published_at,
        criticality = s.criticality,
        answered_at = (
            SELECT min(r.published_at) FROM responses_response r
            WHERE r.story_id = s.id AND r.status = 'published'
        ),
        target_days = (
            SELECT min(root.response_target_working_days)
            FROM stories_storyservice ss
            JOIN organisations_organisation o ON o.id = ss.organisation_id
            JOIN organisations_organisation root ON root.path = substr(o.path, 1, {STEP})
            WHERE ss.story_id = s.id
        )
    FROM stories_story s
    -- A semi-join: "= ANY" would test the whole array against every row.
    WHERE s.id = i.story_id AND i.story_id IN (SELECT unnest(stories))
$$;

-- A link added, moved or removed: its copy follows, then its story's columns (a
-- second trust can shorten the target).
CREATE FUNCTION responses_inbox_link_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM responses_inboxlink WHERE link_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO responses_inboxlink (link_id, story_id, path, status)
        SELECT NEW.id, NEW.story_id, o.path, '' FROM organisations_organisation o
        WHERE o.id = NEW.organisation_id;
        PERFORM responses_inbox_refresh(ARRAY[NEW.story_id]);
    END IF;
    IF TG_OP = 'DELETE' OR OLD.story_id <> NEW.story_id THEN
        PERFORM responses_inbox_refresh(ARRAY[OLD.story_id]);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION responses_inbox_story_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM responses_inbox_refresh(ARRAY[NEW.id]);
    RETURN NULL;
END
$$;

CREATE FUNCTION responses_inbox_response_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM responses_inbox_refresh(ARRAY[NEW.story_id]);
    END IF;
    IF TG_OP = 'DELETE' OR OLD.story_id <> NEW.story_id THEN
        PERFORM responses_inbox_refresh(ARRAY[OLD.story_id]);
    END IF;
    RETURN NULL;
END
$$;

-- A node moved (its path, and maybe its trust) or a trust's target changed.
CREATE FUNCTION responses_inbox_node_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.path IS DISTINCT FROM NEW.path THEN
        UPDATE responses_inboxlink i SET path = NEW.path
        FROM stories_storyservice ss
        WHERE ss.id = i.link_id AND ss.organisation_id = NEW.id;
    END IF;
    IF substr(OLD.path, 1, {STEP}) IS DISTINCT FROM substr(NEW.path, 1, {STEP})
        OR OLD.response_target_working_days IS DISTINCT FROM NEW.response_target_working_days
    THEN
        PERFORM responses_inbox_refresh(ARRAY(
            SELECT DISTINCT i.story_id FROM responses_inboxlink i
            WHERE i.path LIKE NEW.path || '%'
        ));
    END IF;
    RETURN NULL;
END
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION responses_inbox_node_changed();
DROP FUNCTION responses_inbox_response_changed();
DROP FUNCTION responses_inbox_story_changed();
DROP FUNCTION responses_inbox_link_changed();
DROP FUNCTION responses_inbox_refresh(bigint[]);
"""

# The copies of the links already there, in one statement.
FILL = f"""
INSERT INTO responses_inboxlink (
    link_id, story_id, path, status, published_at, criticality, answered_at, target_days
)
SELECT ss.id, ss.story_id, o.path, s.status, s.published_at, s.criticality, a.first, t.n
FROM stories_storyservice ss
JOIN organisations_organisation o ON o.id = ss.organisation_id
JOIN stories_story s ON s.id = ss.story_id
LEFT JOIN (
    SELECT story_id, min(published_at) AS first FROM responses_response
    WHERE status = 'published' GROUP BY story_id
) a ON a.story_id = ss.story_id
LEFT JOIN (
    SELECT l.story_id, min(root.response_target_working_days) AS n
    FROM stories_storyservice l
    JOIN organisations_organisation node ON node.id = l.organisation_id
    JOIN organisations_organisation root ON root.path = substr(node.path, 1, {STEP})
    GROUP BY l.story_id
) t ON t.story_id = ss.story_id;
"""

# (name, table, when it fires, function, and for an update the columns that matter)
_TRIGGERS = [
    ("link_added", "stories_storyservice", "INSERT OR DELETE", "link_changed", ()),
    (
        "link_moved",
        "stories_storyservice",
        "UPDATE",
        "link_changed",
        ("organisation_id", "story_id"),
    ),
    (
        "story",
        "stories_story",
        "UPDATE",
        "story_changed",
        ("status", "published_at", "criticality"),
    ),
    ("response_added", "responses_response", "INSERT OR DELETE", "response_changed", ()),
    (
        "response_changed",
        "responses_response",
        "UPDATE",
        "response_changed",
        ("status", "published_at", "story_id"),
    ),
    (
        "node",
        "organisations_organisation",
        "UPDATE",
        "node_changed",
        ("path", "response_target_working_days"),
    ),
]


def _create(name: str, table: str, event: str, function: str, columns: tuple[str, ...]) -> str:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    when = f" WHEN ({changed})" if columns else ""
    return (
        f"CREATE TRIGGER responses_inbox_{name} AFTER {event} ON {table}\n"
        f"FOR EACH ROW{when} EXECUTE FUNCTION responses_inbox_{function}();"
    )


TRIGGERS = "\n".join(_create(*trigger) for trigger in _TRIGGERS)
DROP_TRIGGERS = "\n".join(
    f"DROP TRIGGER responses_inbox_{name} ON {table};" for name, table, *_ in reversed(_TRIGGERS)
)


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0003_reports"),
        ("stories", "0014_service_organisation_statistics"),
        # The triggers read trusts' response targets.
        ("organisations", "0004_trust_response_settings"),
    ]

    operations = [
        migrations.CreateModel(
            name="InboxLink",
            fields=[
                (
                    "link",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="stories.storyservice",
                    ),
                ),
                ("path", models.CharField(db_collation="C", max_length=255)),
                ("status", models.CharField(max_length=24)),
                ("published_at", models.DateTimeField(null=True)),
                ("criticality", models.PositiveSmallIntegerField(null=True)),
                ("answered_at", models.DateTimeField(null=True)),
                ("target_days", models.PositiveSmallIntegerField(null=True)),
                (
                    "story",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="stories.story",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["path"],
                        include=(
                            "story",
                            "status",
                            "published_at",
                            "criticality",
                            "answered_at",
                            "target_days",
                        ),
                        name="inbox_scope",
                    )
                ],
            },
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
    ]
