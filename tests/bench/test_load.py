"""The load stage's own parts (tests/bench/load.py), so they cannot rot between bench runs:
the bare view lives only in the bench's URLconf, gunicorn is stopped even when the stage
fails, wrk's closing line is read, and a page is judged only on clean runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from tests.bench import load
from tests.bench.load_urls import BARE_PATH

pytestmark = pytest.mark.django_db


def test_the_bare_view_is_in_the_bench_urlconf_only() -> None:
    with override_settings(ROOT_URLCONF="tests.bench.load_urls"):
        answer = Client().get(f"/{BARE_PATH}")
        assert answer.status_code == 200
        assert answer.content == b"ok"
        assert Client().get("/stories/").status_code == 200  # the project's URLs are there too
    with pytest.raises(Resolver404):
        resolve(f"/{BARE_PATH}")


def _serve_then_fail(port: int, folder: Path) -> None:
    static = folder / "static"
    static.mkdir()
    env = load.server_env("", static, "test", port)  # no Redis: the local settings
    with load.gunicorn(env, port, folder / "gunicorn.log"):
        assert load.status_of(f"http://127.0.0.1:{port}/{BARE_PATH}") == 200
        raise RuntimeError("a failing stage")


def test_gunicorn_serves_the_bare_view_and_is_stopped_when_the_stage_fails(
    tmp_path: Path,
) -> None:
    port = load.free_port()
    with pytest.raises(RuntimeError, match="a failing stage"):
        _serve_then_fail(port, tmp_path)
    # Master and workers share the listening socket: none of them is left.
    assert load.status_of(f"http://127.0.0.1:{port}/{BARE_PATH}") == 0


def test_the_closing_line_of_wrk_is_read() -> None:
    output = "Running 6s test @ http://127.0.0.1:8000/\n  2 threads and 16 connections\n"
    output += "bench-load 1200 6000000 0 1 0 3 2 12000.0 45500.0 61000.0\n"
    run = load.parse(output)
    assert run.requests == 1200
    assert run.per_second == 200
    assert (run.errors, run.not_ok) == (3, 3)
    assert (run.p50_ms, run.p95_ms, run.p99_ms) == (12.0, 45.5, 61.0)


def _run(requests: int, p95: float = 20.0, not_ok: int = 0) -> load.Run:
    return load.Run(requests, 1.0, 0, not_ok, 10.0, p95, p95)


def test_a_page_is_judged_on_the_median_ratio_of_its_pairs() -> None:
    page = load.Page("story", "story page", "/stories/x/", "a story", queries=9)
    pairs = [(_run(600), _run(1000)), (_run(400), _run(1000)), (_run(550), _run(1000))]
    row = load.judge(page, pairs)
    assert "median ratio 0.550 over 3 pairs (0.400–0.600)" in row.note
    assert "ratio target ≥ 0.5×: met" in row.note
    assert "p95 target under 50 ms: met" in row.note
    assert row.queries == 9
    slow = [(_run(300, p95=80.0), _run(1000))] * 3
    note = load.judge(page, slow).note
    assert "ratio target ≥ 0.5×: NOT met" in note
    assert "p95 target under 50 ms: NOT met" in note


def test_a_page_with_an_error_response_is_not_judged() -> None:
    page = load.Page("stories", "stories list", "/stories/", "the list")
    pairs = [(_run(600), _run(1000)), (_run(600, not_ok=2), _run(1000))]
    note = load.judge(page, pairs).note
    assert "NOT all answered 200: 2 responses of 400 or more" in note
    assert "met" not in note.split("NOT all answered 200")[1]
