"""The nightly refresh: the Celery task, its beat entry and the `figures_refresh` command."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command

from apps.insights.figures import figures_compute, figures_for, figures_mark_stale
from apps.insights.models import OrganisationFigures
from apps.insights.tasks import refresh_figures
from apps.organisations.models import Organisation
from config.celery import app
from tests.querybudget import count_queries

from .conftest import AS_OF
from .test_figures import EXPECTED, counts

pytestmark = pytest.mark.django_db


def test_command_computes_every_node_and_says_what_it_did(world: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("figures_refresh", "--as-of", AS_OF.isoformat(), stdout=out)
    text = out.getvalue()
    nodes = Organisation.objects.count()
    assert f"Computing the figures of {nodes} organisation nodes as of 2026-07-15" in text
    assert f"Wrote {nodes} rows in " in text
    assert OrganisationFigures.objects.filter(stale=False, as_of=AS_OF).count() == nodes
    stored = {row.organisation_id: row for row in OrganisationFigures.objects.all()}
    for name, node in world.items():
        row = stored[node.pk]
        assert {field: getattr(row, field) for field in EXPECTED[name]} == EXPECTED[name], name


def test_refresh_matches_figures_for_a_sample(world: dict[str, Any]) -> None:
    call_command("figures_refresh", "--as-of", AS_OF.isoformat(), stdout=io.StringIO())
    for name in ("T", "S", "W2", "U1", "V"):
        node = world[name]
        # Fresh rows: read back in one query, equal to a recompute of that node alone.
        assert count_queries(lambda node=node: figures_for(node, as_of=AS_OF)) == 1
        stored = figures_for(node, as_of=AS_OF)
        (alone,) = figures_compute([node], as_of=AS_OF)
        assert counts(stored) == counts(alone) == EXPECTED[name]
        assert dataclasses.replace(stored, rank=None, ranked=None, tied=False) == alone


def test_refresh_is_one_statement_whatever_the_tree(world: dict[str, Any]) -> None:
    # Two queries: the command's count of nodes, then the one statement.
    assert count_queries(lambda: call_command("figures_refresh", stdout=io.StringIO())) == 2


def test_refresh_clears_marks_and_can_run_twice(world: dict[str, Any]) -> None:
    call_command("figures_refresh", "--as-of", AS_OF.isoformat(), stdout=io.StringIO())
    figures_mark_stale(paths=[world["W1"].path])
    assert OrganisationFigures.objects.filter(stale=True).count() == 3  # W1, S, T
    call_command("figures_refresh", "--as-of", AS_OF.isoformat(), stdout=io.StringIO())
    assert not OrganisationFigures.objects.filter(stale=True).exists()


def test_command_refuses_a_date_it_cannot_read(db: None) -> None:
    with pytest.raises(CommandError, match="--as-of must be a date"):
        call_command("figures_refresh", "--as-of", "15/07/2026", stdout=io.StringIO())


def test_task_refreshes_every_node(world: dict[str, Any]) -> None:
    written = refresh_figures.apply().get()
    assert written == Organisation.objects.count()
    assert not OrganisationFigures.objects.filter(stale=True).exists()


def test_task_runs_nightly_at_half_past_two() -> None:
    (entry,) = [e for e in app.conf.beat_schedule.values() if e["task"] == refresh_figures.name]
    assert refresh_figures.name == "insights.refresh_figures"
    assert entry["schedule"] == crontab(hour=2, minute=30)
