"""`make eval`: the text-intelligence figures on the real stories, against their targets.

Runs `manage.py themes_evaluate` on ../shared/data/care-opinion-stories.csv (5 folds,
seed 0), times a full training and single suggestions, runs the names evaluation
(`python -m tests.eval.names`), prints a table and writes reports/eval.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.shared_data import shared_data_file

ROOT = Path(__file__).resolve().parents[2]

# (figure, target, "min" when the figure must reach it, "max" when it must stay under it)
THEME_TARGETS = [
    ("accuracy", None, "report"),
    ("macro_f1", 0.42, "min"),
    ("top3", 0.95, "min"),
    ("polarity_macro_f1", 0.92, "min"),
    ("criticality_within_1", 0.80, "min"),
]
NAME_TARGETS = [
    ("injected_recall", 0.95, "min"),
    ("ms_per_story_p95", 50.0, "max"),
]


def _themes_evaluate(path: Path, folds: int, seed: int) -> dict[str, Any]:
    command = [
        sys.executable,
        "manage.py",
        "themes_evaluate",
        str(path),
        *("--text-column", "feedback", "--label-column", "label"),
        *("--criticality-column", "criticality"),
        *("--folds", str(folds), "--seed", str(seed)),
    ]
    print("$", " ".join(command[1:]), flush=True)
    done = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1])


def _timings(path: Path) -> dict[str, float]:
    """A training on every story, then one suggestion for each of 300 stories."""
    from apps.core.themes import Example, ThemeModel

    with path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["feedback"].strip() and r["label"].strip()]
    examples = [
        Example(
            r["feedback"],
            {r["label"]: None},
            criticality=int(r["criticality"]) if r["criticality"].lstrip("-").isdigit() else None,
        )
        for r in rows
    ]
    started = time.perf_counter()
    model = ThemeModel.fit(examples)
    training = time.perf_counter() - started
    durations = []
    for example in examples[:300]:
        started = time.perf_counter()
        model.suggest(example.text)
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    return {
        "training_seconds": round(training, 1),
        "suggest_p50_ms": round(durations[len(durations) // 2], 1),
        "suggest_p95_ms": round(durations[int(len(durations) * 0.95)], 1),
        "model_megabytes": round(len(model.to_bytes()) / 1e6, 1),
    }


def _names() -> dict[str, Any] | None:
    if not (ROOT / "tests" / "eval" / "names.py").exists():
        return None
    print("$ python -m tests.eval.names", flush=True)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tests.eval.names"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(name: str, value: Any, target: float | None, sense: str) -> str:
    if target is None or value is None:
        verdict = "reported" if value is not None else "not measured"
        shown = "–"
    else:
        met = value >= target if sense == "min" else value < target
        verdict = "met" if met else "NOT MET"
        shown = f"{'≥' if sense == 'min' else '<'} {target}"
    return f"| {name} | {value} | {shown} | {verdict} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report", type=Path, default=ROOT / "reports" / "eval.md")
    options = parser.parse_args()
    path = shared_data_file()
    if path is None:
        print("Shared data absent: no care-opinion-stories.csv in CAREVOICE_SHARED_DATA")
        print("or ../shared/data, so there is nothing to measure on.")
        return 1
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    themes = _themes_evaluate(path, options.folds, options.seed)
    timings = _timings(path)
    names = _names()
    lines = [
        "# Text intelligence on the real stories",
        "",
        f"{themes['stories']} labelled stories, {options.folds}-fold stratified "
        f"cross-validation, seed {options.seed}; themes_evaluate took {themes['seconds']} s.",
        "",
        "| figure | measured | target | |",
        "|---|---|---|---|",
        *(_row(n, themes.get(n), t, s) for n, t, s in THEME_TARGETS),
        _row("training on every story, s", timings["training_seconds"], 600, "max"),
        _row("one suggestion, p95 ms", timings["suggest_p95_ms"], 100, "max"),
        _row("one suggestion, p50 ms", timings["suggest_p50_ms"], None, "report"),
        _row("stored model, MB", timings["model_megabytes"], None, "report"),
    ]
    if names is not None:
        lines += [_row(f"names: {n}", names.get(n), t, s) for n, t, s in NAME_TARGETS]
        lines += [
            _row(f"names: {key}", value, None, "report")
            for key, value in names.items()
            if key not in {n for n, _, _ in NAME_TARGETS}
        ]
    lines += [
        "",
        "Per label (themes_evaluate):",
        "",
        "| label | precision | recall | F1 | stories |",
    ]
    lines.append("|---|---|---|---|---|")
    for label, figures in themes["per_label"].items():
        lines.append(
            f"| {label} | {figures['precision']} | {figures['recall']} | {figures['f1']} "
            f"| {figures['support']} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    print(json.dumps({"themes": themes, "timings": timings, "names": names}, sort_keys=True))
    options.report.parent.mkdir(exist_ok=True)
    options.report.write_text(text, encoding="utf-8")
    print(f"Written to {options.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
