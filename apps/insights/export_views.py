"""The export of any search: the stories /stories/ finds with the same parameters, as CSV
(streamed) or XLSX."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from apps.core.http import HtmxHttpRequest
from apps.stories.search import StorySearchForm, search_count, search_query_string

from .exports import Row, csv_lines, export_stories, headers, staff_paths_of, story_rows, write_xlsx

CSV = "csv"
XLSX = "xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
def stories_csv(request: HtmxHttpRequest) -> HttpResponseBase:
    """The stories of the search these parameters make, as CSV, streamed."""
    return _export(request, CSV)


@require_safe
def stories_xlsx(request: HtmxHttpRequest) -> HttpResponseBase:
    """The stories of the search these parameters make, as an Excel workbook."""
    return _export(request, XLSX)


def _export(request: HtmxHttpRequest, kind: str) -> HttpResponseBase:
    """The export of /stories/ with the same parameters, or a page saying why not (400):
    the search page with its errors beside the fields, or the size limit."""
    form = StorySearchForm(request.GET)
    if not form.is_valid():
        return _search_with_errors(request, form)
    filters = form.filters()
    limit = settings.EXPORT_MAX_STORIES
    if search_count(filters, cap=limit) > limit:
        context = {
            "limit": limit,
            "kind": kind,
            "query_string": search_query_string(request.GET, page_name="page"),
        }
        return render(request, "insights/export_too_big.html", context, status=400)
    staff_paths = staff_paths_of(request.user)
    staff = staff_paths is not None
    rows = (row for _story, row in story_rows(export_stories(filters, staff=staff), staff_paths))
    response = _csv(rows, staff) if kind == CSV else _xlsx(rows, staff)
    filename = f"stories-{timezone.localdate().isoformat()}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if staff:
        response["Cache-Control"] = "private, no-store"
    return response


def _search_with_errors(request: HtmxHttpRequest, form: StorySearchForm) -> HttpResponse:
    """The search page with the form's errors beside its fields and in its summary."""
    form.offer_choices()
    context = {
        "form": form,
        "filters": None,
        "page": None,
        "query_string": search_query_string(request.GET, page_name="page"),
    }
    return render(request, "stories/list.html", context, status=400)


def _csv(rows: Iterator[Row], staff: bool) -> StreamingHttpResponse:
    return StreamingHttpResponse(
        csv_lines(headers(staff=staff), rows), content_type="text/csv; charset=utf-8"
    )


def _xlsx(rows: Iterator[Row], staff: bool) -> FileResponse:
    """The workbook, written to a temporary file (constant memory), then sent from it in
    blocks; the file is gone once the response closes it."""
    target: Any = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_xlsx(target, headers(staff=staff), rows)
    target.seek(0)
    return FileResponse(target, content_type=XLSX_TYPE)
