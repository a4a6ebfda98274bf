from django.db import migrations
from django.utils.text import slugify

# A copy of TAXONOMY.md's lists as they were when this migration was written;
# later changes to the lists come in migrations of their own.
ASPECTS = [
    "staff manner and attitude", "number and deployment of staff", "staff responsiveness",
    "continuity of staff", "competence and training", "listening and involving patients",
    "information during care", "information and guidance", "being kept informed",
    "contacting services", "appointment arrangements", "timeliness of care", "pain management",
    "diagnosis and triage", "referrals and continuity of care", "admission", "discharge",
    "care plans", "patient records", "cleanliness and infection control", "equipment",
    "environment and facilities", "food and drink", "medication", "activities and fresh air",
    "feeling safe", "privacy and dignity", "equality, diversity and inclusion",
    "interaction with family and carers", "transport and parking", "service location",
    "choice and existence of services", "out-of-hours support", "mental health act",
    "psychological therapy arrangements", "impact of treatment and care",
]
POSITIVE = ["grateful", "reassured", "listened to", "respected", "safe", "cared for",
            "relieved", "hopeful"]
NEGATIVE = ["anxious", "frustrated", "angry", "ignored", "upset", "disappointed", "confused",
            "unsafe", "let down", "exhausted"]


def seed(apps, schema_editor):
    Tag = apps.get_model("stories", "Tag")
    rows = [Tag(slug=slugify(label), label=label, group="aspect", polarity="", position=i)
            for i, label in enumerate(ASPECTS)]
    rows += [Tag(slug=f"felt-{slugify(label)}", label=label, group="feeling",
                 polarity="positive", position=i) for i, label in enumerate(POSITIVE)]
    rows += [Tag(slug=f"felt-{slugify(label)}", label=label, group="feeling",
                 polarity="negative", position=len(POSITIVE) + i) for i, label in enumerate(NEGATIVE)]
    Tag.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    apps.get_model("stories", "Tag").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("stories", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
