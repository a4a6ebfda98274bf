"""Recall of the name marks on real stories with names injected into them (the set is
built in tests/eval/names.py from ../shared/data, seeded, and read at run time only)."""

from __future__ import annotations

from pathlib import Path

from tests.eval import names as evaluation

TARGET = 0.95


def test_name_marks_find_at_least_95_percent_of_injected_names(shared_stories_csv: Path) -> None:
    texts = evaluation.stories()
    assert texts, f"no stories read from {shared_stories_csv}"
    cases = evaluation.injected(texts)
    recall, total, missed = evaluation.recall(cases)
    assert total >= 1000
    assert recall >= TARGET, f"recall {recall:.3f} of {total}; first missed: {missed[:10]}"


def test_the_injected_set_is_the_same_on_every_run() -> None:
    texts = ["One sentence. Two sentences here. Three."] * 50
    first = evaluation.injected(texts, count=50)
    again = evaluation.injected(texts, count=50)
    assert [c.text for c in first] == [c.text for c in again]
    for case in first:
        [(start, end)] = case.spans
        assert case.text[start:end].strip() == case.text[start:end]
        assert case.text[start].isupper()
