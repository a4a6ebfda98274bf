"""The bench's export scenario (tests/bench/exports.py) runs, on a small database: its
report rows say how many stories, how long, and the peak memory."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.organisations.models import Organisation
from apps.stories.models import Story
from tests.bench import exports as export_bench
from tests.exports.test_exports import _many

pytestmark = pytest.mark.django_db


def test_the_export_scenario_runs_and_reports_memory(org: Organisation) -> None:
    service = Organisation.objects.get(path__startswith=org.path, depth=3)
    _many([service], 60)
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    for days, story in enumerate(Story.objects.order_by("pk")):
        Story.objects.filter(pk=story.pk).update(published_at=noon - dt.timedelta(days=days))
    rows = export_bench.run("60 stories", runs=2, stories=40)
    assert [r.scenario for r in rows] == [
        "export (60 stories): CSV of 40 stories",
        "export (60 stories): XLSX of 40 stories",
    ]
    for r in rows:
        assert r.median_ms > 0
        assert r.queries > 0
        assert "peak Python memory" in r.note
        assert "date_from=" in r.note
