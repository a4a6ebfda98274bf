# Built CONCURRENTLY, like 0004: the public keeps writing stories while it builds.

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("stories", "0005_story_search_vector"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="story",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("status", "published")),
                fields=["search_vector"],
                name="story_search",
            ),
        ),
        AddIndexConcurrently(
            model_name="storytag",
            index=models.Index(fields=["tag", "story"], name="tag_stories"),
        ),
    ]
