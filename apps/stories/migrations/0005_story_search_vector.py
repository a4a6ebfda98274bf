# A stored generated column: PostgreSQL computes the words of the title and body on
# every insert and update, so no code path (services, admin, bulk SQL) can leave it
# stale. Adding it rewrites the table once, under a lock, while the column is filled.

import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0004_story_partial_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.CombinedSearchVector(
                    django.contrib.postgres.search.SearchVector(
                        "title", config="english", weight="A"
                    ),
                    "||",
                    django.contrib.postgres.search.SearchVector(
                        "body", config="english", weight="B"
                    ),
                    django.contrib.postgres.search.SearchConfig("english"),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
    ]
