"""manage.py themes_evaluate: the suggestion method judged on any labelled CSV file."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.core.test_themes import _examples

KEYS = {"accuracy", "macro_f1", "top3", "per_label"}


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _labelled(tmp_path: Path, *, junk: int = 0) -> Path:
    rows = []
    for example in _examples(120, seed=7):
        first = sorted(example.topics)[0]
        # This file's own scale, where negative is critical, as in many sources.
        sign = -1 if example.topics[first] == -1 else 1
        rows.append(
            {
                "story": example.text,
                "theme": first,
                "score": str(sign * (1 + len(example.text) % 3)),
            }
        )
    for row in rows[:junk]:
        row["score"] = random.Random(1).choice(["x", "NA", "2.5", ""])
    rows.append({"story": "", "theme": "food", "score": "1"})
    rows.append({"story": "No label here.", "theme": "", "score": "1"})
    return _write(tmp_path / "labelled.csv", rows)


def _run(*args: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    call_command("themes_evaluate", *args, stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, "standard output is one line of JSON"
    assert "fold 3 of 3 done" in err.getvalue()
    return json.loads(lines[0])


def test_it_prints_one_line_of_json_with_every_figure(tmp_path: Path) -> None:
    path = _labelled(tmp_path, junk=6)

    figures = _run(
        str(path),
        *("--text-column", "story", "--label-column", "theme"),
        *("--criticality-column", "score", "--folds", "3", "--seed", "2"),
    )

    assert KEYS | {"polarity_macro_f1", "criticality_within_1"} <= set(figures)
    assert figures["rows_read"] == 122
    assert figures["rows_without_text_or_label"] == 2
    assert figures["stories"] == 120
    assert figures["criticality_not_integer_left_out"] == 6
    assert figures["polarity_rows"] == 114
    assert figures["accuracy"] > 0.7
    assert 0.7 < figures["polarity_macro_f1"] <= 1
    assert set(figures["per_label"]) == {"food", "parking", "staff_manner", "waiting"}


def test_without_a_criticality_column_there_are_no_polarity_figures(tmp_path: Path) -> None:
    figures = _run(
        str(_labelled(tmp_path)),
        "--text-column",
        "story",
        "--label-column",
        "theme",
        "--folds",
        "3",
    )

    assert set(figures) >= KEYS
    assert "polarity_macro_f1" not in figures
    assert "criticality_within_1" not in figures


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--text-column", "body", "--label-column", "theme"], "no column body"),
        (["--text-column", "story", "--label-column", "theme", "--folds", "1"], "--folds"),
        (
            ["--text-column", "story", "--label-column", "theme", "--criticality-column", "k"],
            "no column k",
        ),
    ],
)
def test_bad_arguments_are_named(tmp_path: Path, arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("themes_evaluate", str(_labelled(tmp_path)), *arguments, stdout=io.StringIO())


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read .*nowhere.csv"):
        call_command(
            "themes_evaluate",
            str(tmp_path / "nowhere.csv"),
            "--text-column",
            "a",
            "--label-column",
            "b",
        )


def test_a_file_that_is_not_text_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"story,theme\n\xff\xfe\x00bad,\x81\n")

    with pytest.raises(CommandError, match="line"):
        call_command(
            "themes_evaluate", str(path), "--text-column", "story", "--label-column", "theme"
        )


def test_one_label_only_cannot_be_evaluated(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "one.csv", [{"story": f"Story {i}", "theme": "food"} for i in range(9)]
    )

    with pytest.raises(CommandError, match="two different labels"):
        call_command(
            "themes_evaluate", str(path), "--text-column", "story", "--label-column", "theme"
        )


def test_on_real_stories_the_method_keeps_its_measured_level(
    shared_stories_csv: Path, tmp_path: Path
) -> None:
    """A guard, on every second real story and three folds, that the method still learns
    what it learned when it was chosen (`make eval` gives the full five-fold figures)."""
    with shared_stories_csv.open(newline="", encoding="utf-8") as handle:
        rows = [r for i, r in enumerate(csv.DictReader(handle)) if i % 2 == 0]
    # Real stories: the half is written for the command and removed straight after.
    path = _write(tmp_path / "half.csv", rows)
    try:
        figures = _run(
            str(path),
            *("--text-column", "feedback", "--label-column", "label"),
            *("--criticality-column", "criticality", "--folds", "3", "--seed", "0"),
        )
    finally:
        path.unlink()
    assert figures["stories"] > 900
    assert figures["accuracy"] >= 0.55
    assert figures["macro_f1"] >= 0.28
    assert figures["top3"] >= 0.85
    assert figures["polarity_macro_f1"] >= 0.85
    assert figures["criticality_within_1"] >= 0.83
