from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.stories.suggestions import TRAINED_BY_COMMAND, ColdStart, themes_train


class Command(BaseCommand):
    help = (
        "Train a new model of suggested topics and criticality on the moderated, published "
        "stories and their tags, store it as the next version (used from the next story a "
        "moderator opens) and print its cross-validated figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (5)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (0)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["folds"] < 2:
            raise CommandError("--folds must be at least 2.")
        try:
            version = themes_train(
                trained_by=TRAINED_BY_COMMAND,
                folds=options["folds"],
                seed=options["seed"],
                progress=self.stdout.write,
            )
        except ColdStart as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored model version {version.version}, trained on {version.story_count:,} "
                f"stories in {version.seconds:.1f} s."
            )
        )
        self.stdout.write(json.dumps(version.figures, sort_keys=True))
