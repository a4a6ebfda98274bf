"""The open data page and its files (apps/insights/open_data.py writes them)."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from apps.core.http import HtmxHttpRequest

from . import open_data


@require_safe
def open_data_page(request: HtmxHttpRequest) -> HttpResponse:
    """What the open data holds, its licence, and links to the latest files (or that
    there are none yet)."""
    dump = open_data.latest()
    labels = {
        open_data.STORIES_CSV: _("Stories (CSV)"),
        open_data.RESPONSES_CSV: _("Responses (CSV)"),
        open_data.STORIES_JSON: _("Stories with their responses (JSON)"),
        open_data.README: _("README: the files, every column and the licence"),
    }
    files = [
        {"name": name, "label": label, "size": dump.sizes.get(name) if dump else None}
        for name, label in labels.items()
    ]
    context = {
        "dump": dump,
        "files": files,
        "licence": settings.OPEN_DATA_LICENCE,
        "licence_url": settings.OPEN_DATA_LICENCE_URL,
        "story_columns": open_data.OPEN_STORY_COLUMNS,
        "response_columns": open_data.OPEN_RESPONSE_COLUMNS,
    }
    return render(request, "insights/open_data.html", context)


@require_safe
def open_data_file(request: HtmxHttpRequest, name: str) -> FileResponse:
    """One file of the latest dump, by its name (only the dump's own names are served)."""
    path = open_data.file_path(name)
    if path is None:
        raise Http404("No such open data file yet")
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type=open_data.FILES[name]
    )
    # Public data, the same for everyone; a day's cache matches the nightly dump.
    response["Cache-Control"] = "public, max-age=3600"
    return response
