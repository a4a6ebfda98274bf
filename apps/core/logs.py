"""Log filters: what an operator reads should be one line per event worth reading."""

from __future__ import annotations

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A refused request (403) is an expected answer, already audited where it matters:
    log it as one line, without the traceback of the PermissionDenied that produced it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
