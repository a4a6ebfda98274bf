"""The register's CSV lines, built by a selector outside the view."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.changes import selectors
from apps.changes.export import EXPORT_COLUMNS, register_csv_lines
from apps.core.cells import csv_cell
from apps.organisations.models import Organisation
from tests.factories import StoryFactory

from .test_changes import node, plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Plain", "Plain"),
        (None, ""),
        (7, "7"),
    ],
)
def test_a_cell_is_never_a_formula(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_register_csv_lines_are_the_header_then_a_line_per_change(
    org: Organisation, responder: User
) -> None:
    ward = node(node(org, "General Hospital", "site"), "Ward 7")
    story = StoryFactory(services=[ward])
    change = plan(responder, story, ward, summary="Visiting hours widen")
    today = timezone.localdate()
    changes = selectors.register(org, selectors.RegisterFilters(), today)
    rows = list(csv.reader(io.StringIO("".join(register_csv_lines(changes, today)))))
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) == 2
    assert rows[1][:4] == [str(change.pk), change.get_status_display(), "", "Visiting hours widen"]
    assert rows[1][-1].endswith(story.get_absolute_url())
