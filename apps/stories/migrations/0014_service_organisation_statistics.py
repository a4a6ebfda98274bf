"""A finer sample of which nodes the stories' links name, so PostgreSQL can tell how many
links a scope's node ids hold (an inbox's or a summary's): with the default sample it
kept 100 nodes' frequencies and expected half the links of a million stories for a trust
that holds 1 in 100. ANALYZE (autovacuum's, or the bench's) reads the larger sample."""

from django.db import migrations

SAMPLE = 3000


class Migration(migrations.Migration):
    dependencies = [("stories", "0013_story_language")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE stories_storyservice ALTER COLUMN organisation_id "
            f"SET STATISTICS {SAMPLE}",
            "ALTER TABLE stories_storyservice ALTER COLUMN organisation_id SET STATISTICS -1",
        ),
    ]
