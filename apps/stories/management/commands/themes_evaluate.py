"""Judge the suggestion method on any labelled CSV file, in stratified cross-validation.

    manage.py themes_evaluate FILE.csv --text-column feedback --label-column label \
        --folds 5 --seed 0 --criticality-column criticality

prints one line of JSON on standard output (progress goes to standard error).
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.themes import POLARITY_GOOD, POLARITY_IMPROVE, Example, cross_validate

_INTEGER = re.compile(r"[+-]?\d+")


class Command(BaseCommand):
    help = "Evaluate suggested topics, polarity and criticality on a labelled CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--text-column", required=True)
        parser.add_argument("--label-column", required=True)
        parser.add_argument("--criticality-column")
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["folds"] < 2:
            raise CommandError("--folds must be 2 or more.")
        examples, counts = read_examples(
            options["file"],
            text=options["text_column"],
            label=options["label_column"],
            criticality=options["criticality_column"],
        )
        labels = Counter(next(iter(e.topics)) for e in examples)
        if len(labels) < 2:
            raise CommandError("The label column needs at least two different labels.")
        try:
            figures = cross_validate(
                examples,
                folds=options["folds"],
                seed=options["seed"],
                progress=lambda done, total: self.stderr.write(f"fold {done} of {total} done"),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        figures.update(counts)
        figures["seconds"] = round(time.monotonic() - started, 1)
        self.stdout.write(json.dumps(figures, sort_keys=True))


def read_examples(
    path: Path, *, text: str, label: str, criticality: str | None
) -> tuple[list[Example], dict[str, int]]:
    """The rows with both a text and a label, and counts of what was left out and why."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
    counts = Counter[str]()
    examples: list[Example] = []
    csv.field_size_limit(sys.maxsize)
    with handle:
        reader = csv.DictReader(handle)
        try:
            columns = list(reader.fieldnames or [])
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}, line 1: {exc}") from exc
        missing = [c for c in (text, label, criticality) if c and c not in columns]
        if missing:
            raise CommandError(
                f"{path} has no column {', '.join(missing)}; it has: {', '.join(columns)}."
            )
        try:
            for row in reader:
                counts["rows_read"] += 1
                example = _example(row, text, label, criticality, counts)
                if example is not None:
                    examples.append(example)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}, line {reader.line_num}: {exc}") from exc
    return examples, {"rows_read": 0, "rows_without_text_or_label": 0, **counts}


def _example(
    row: dict[str, str], text: str, label: str, criticality: str | None, counts: Counter[str]
) -> Example | None:
    body, topic = (row.get(text) or "").strip(), (row.get(label) or "").strip()
    if not body or not topic or topic.upper() == "NA":
        counts["rows_without_text_or_label"] += 1
        return None
    value: int | None = None
    polarity: int | None = None
    if criticality:
        raw = (row.get(criticality) or "").strip()
        if _INTEGER.fullmatch(raw):
            value = int(raw)
            # The sign is the polarity; zero has none and is left out of that figure.
            if value:
                polarity = POLARITY_GOOD if value > 0 else POLARITY_IMPROVE
            else:
                counts["polarity_rows_zero_left_out"] += 1
        else:
            counts["criticality_not_integer_left_out"] += 1
    return Example(text=body, topics={topic: None}, criticality=value, polarity=polarity)
