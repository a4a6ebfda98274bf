"""What the server logs: one readable line for an expected refusal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest


class _Listener(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def request_log() -> Any:
    listener = _Listener()
    # At the root, as the console handler is: the record has passed django.request's filters.
    root = logging.getLogger()
    root.addHandler(listener)
    try:
        yield listener.records
    finally:
        root.removeHandler(listener)


def test_a_refused_staff_page_logs_one_line_without_a_traceback(
    client_as: Callable[[str], Any], request_log: list[logging.LogRecord]
) -> None:
    response = client_as("responder").get("/moderation/")
    assert response.status_code == 403
    refusals = [r for r in request_log if r.name == "django.request"]
    assert len(refusals) == 1
    assert refusals[0].getMessage().startswith("Forbidden")
    assert refusals[0].exc_info is None
    assert "Traceback" not in logging.Formatter().format(refusals[0])
