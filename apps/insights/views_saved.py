"""Saved views and their reports: each member of staff's own; anyone else's is 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.accounts.decorators import allowed_only
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.forms import add_service_errors
from apps.responders.permissions import is_staff_member

from .models_saved import SavedView
from .saved import (
    RenameForm,
    SaveViewForm,
    ScheduleForm,
    saved_view_rename,
    saved_view_save,
    saved_views_of,
    schedule_set,
    schedule_stop,
    view_url,
)

staff_only = allowed_only(is_staff_member)


def _own(request: AuthenticatedHttpRequest, pk: int) -> SavedView:
    """The user's own view; anyone else's is not found (its existence is not told)."""
    return get_object_or_404(
        SavedView.objects.select_related("organisation"), pk=pk, owner=request.user
    )


@require_safe
@staff_only
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My saved views: open, rename, schedule, delete."""
    views = [(view, view_url(view)) for view in saved_views_of(request.user)]
    return render(request, "insights/saved/index.html", {"views": views})


@require_POST
@staff_only
def save(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save the page's view under a name (the form on search and insight pages)."""
    form = SaveViewForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            view, created = saved_view_save(
                owner=request.user,
                name=data["name"],
                kind=data["kind"],
                organisation=data["organisation"],
                query=data["query"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if created:
                messages.success(request, _("Saved “%(name)s”.") % {"name": view.name})
            return redirect("insights:saved_views")
    return render(request, "insights/saved/save.html", {"form": form})


@require_http_methods(["GET", "POST"])
@staff_only
def rename(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    view = _own(request, pk)
    form = RenameForm(
        request.POST if request.method == "POST" else None, initial={"name": view.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved_view_rename(view, form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Renamed to “%(name)s”.") % {"name": view.name})
            return redirect("insights:saved_views")
    return render(request, "insights/saved/rename.html", {"view": view, "form": form})


@require_http_methods(["GET", "POST"])
@staff_only
def delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    view = _own(request, pk)
    if request.method == "POST":
        name = view.name
        view.delete()
        messages.success(request, _("Deleted “%(name)s”.") % {"name": name})
        return redirect("insights:saved_views")
    return render(request, "insights/saved/delete.html", {"view": view})


@require_http_methods(["GET", "POST"])
@staff_only
def schedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send the view as an email report, change how, or stop it."""
    view = _own(request, pk)
    current = getattr(view, "schedule", None)
    if request.method == "POST" and request.POST.get("action") == "stop":
        if schedule_stop(view):
            messages.success(request, _("The report “%(name)s” is stopped.") % {"name": view.name})
        return redirect("insights:saved_views")
    initial = {}
    if current is not None:
        initial = {"frequency": current.frequency, "range": current.range, "team": current.team}
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        view=view,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = schedule_set(
            view=view,
            frequency=data["frequency"],
            range=data["range"],
            team=data["team"],
            now=timezone.now(),
        )
        messages.success(
            request,
            _("The report “%(name)s” is scheduled; the first goes on %(day)s.")
            % {
                "name": view.name,
                "day": date_format(timezone.localtime(made.next_run_at), "l j F Y"),
            },
        )
        return redirect("insights:saved_views")
    context = {"view": view, "form": form, "current": current, "view_href": view_url(view)}
    return render(request, "insights/saved/schedule.html", context)
