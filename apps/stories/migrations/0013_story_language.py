# A story's language and its author's: every story told so far is in English, and its
# author used the English site (the only one there was).
#
# The search words now depend on the language (English stems for English, the words as
# written for every other language: Story._words). PostgreSQL cannot change a generated
# column's expression in place, so the column is dropped and added again, with its index:
# that rewrites the table once, under a lock, as 0005 did (docs/decisions.md, "Stories in
# any language"). Every existing story being English, the words it gets are the same.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models


def _words():
    def words(config):
        return django.contrib.postgres.search.CombinedSearchVector(
            django.contrib.postgres.search.SearchVector("title", config=config, weight="A"),
            "||",
            django.contrib.postgres.search.SearchVector("body", config=config, weight="B"),
            django.contrib.postgres.search.SearchConfig(config),
        )

    return models.Case(
        models.When(language="en", then=words("english")),
        default=words("simple"),
        output_field=django.contrib.postgres.search.SearchVectorField(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0012_ways_in"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="language",
            field=models.CharField(
                choices=[
                    ("en", "English"),
                    ("cy", "Welsh (Cymraeg)"),
                    ("pl", "Polish (Polski)"),
                    ("ro", "Romanian (Română)"),
                    ("pa", "Panjabi (ਪੰਜਾਬੀ)"),
                    ("ur", "Urdu (اردو)"),
                    ("pt", "Portuguese (Português)"),
                    ("es", "Spanish (Español)"),
                    ("ar", "Arabic (العربية)"),
                    ("bn", "Bengali (বাংলা)"),
                    ("gu", "Gujarati (ગુજરાતી)"),
                    ("it", "Italian (Italiano)"),
                    ("lt", "Lithuanian (Lietuvių)"),
                    ("zh", "Chinese (中文)"),
                    ("fr", "French (Français)"),
                    ("ta", "Tamil (தமிழ்)"),
                    ("tr", "Turkish (Türkçe)"),
                    ("so", "Somali (Soomaali)"),
                    ("und", "Another language"),
                ],
                default="en",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="story",
            name="author_language",
            field=models.CharField(
                choices=[("en-gb", "English"), ("cy", "Cymraeg")],
                default="en-gb",
                max_length=10,
            ),
        ),
        migrations.RemoveIndex(model_name="story", name="story_search"),
        migrations.RemoveField(model_name="story", name="search_vector"),
        migrations.AddField(
            model_name="story",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=_words(),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="story",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("status", "published")),
                fields=["search_vector"],
                name="story_search",
            ),
        ),
    ]
