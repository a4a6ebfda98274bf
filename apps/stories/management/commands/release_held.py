from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.stories.moderation import stories_release_held


class Command(BaseCommand):
    help = (
        "Publish the stories whose right-of-reply hold has ended, as the periodic task "
        "stories.release_held does. Safe to repeat or to run beside the task: each story "
        "is published once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        released = stories_release_held()
        self.stdout.write(self.style.SUCCESS(f"Published {released:,} held stories."))
