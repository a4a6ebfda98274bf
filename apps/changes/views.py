"""Staff record and update changes; everyone reads an organisation's register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.accounts.decorators import second_factor_required
from apps.accounts.http import AnyUser, AuthenticatedHttpRequest
from apps.core.audit import refuse
from apps.core.forms import add_service_errors
from apps.core.http import HtmxHttpRequest
from apps.organisations.models import Organisation
from apps.responses.models import Response, ResponseStatus
from apps.responses.selectors import story_queryset
from apps.stories.models import Story

from . import selectors, services
from .export import register_csv_lines
from .forms import (
    ChangeEditForm,
    ChangeLinkForm,
    ChangeMadeForm,
    ChangePlanForm,
    ChangeStopForm,
    RegisterFilterForm,
)
from .models import Change, ChangeStatus
from .permissions import can_record_for, can_record_on, can_update, is_staff_over


def _story(request: AuthenticatedHttpRequest, pk: int) -> Story:
    story = get_object_or_404(story_queryset(), pk=pk)
    if not can_record_on(request.user, story):
        refuse(
            actor=request.user,
            action="changes.change.refused",
            target=story,
            organisation_path=next((s.path for s in story.services.all()), ""),
        )
    return story


def _published_responses(story: Story) -> list[Response]:
    return list(
        Response.objects.filter(story=story, status=ResponseStatus.PUBLISHED).order_by(
            "published_at", "pk"
        )
    )


def _staff_story_url(story: Story) -> str:
    return reverse("inbox:story", kwargs={"pk": story.pk}) + "#changes"


@require_http_methods(["GET", "POST"])
@second_factor_required
def record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record a planned change on a story, from one of its responses or later."""
    story = _story(request, pk)
    form = ChangePlanForm(
        request.POST or None,
        nodes=services.record_nodes(request.user, story),
        responses=_published_responses(story),
        initial={"response": request.GET.get("response", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_plan(actor=request.user, story=story, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The planned change is recorded; the author is told."))
            return redirect(_staff_story_url(story))
    return render(request, "changes/record.html", {"story": story, "form": form})


@require_POST
@second_factor_required
def link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Link the story to a planned change already recorded for another story."""
    story = _story(request, pk)
    form = ChangeLinkForm(
        request.POST,
        changes=selectors.link_candidates(request.user, story),
        responses=_published_responses(story),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.change_link(
                actor=request.user,
                change=form.changes[data["change"]],
                story=story,
                response_id=int(data["response"]) if data["response"] else None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The story is linked to the change; its author is told."))
    else:
        messages.error(request, _("Choose one of the planned changes listed."))
    return redirect(_staff_story_url(story))


def _change(
    request: AuthenticatedHttpRequest,
    pk: int,
    may: Callable[[AnyUser, Organisation], bool] = is_staff_over,
) -> Change:
    """The change, if the user may see it as staff (or, for updates, update it)."""
    try:
        change = selectors.change_for_staff(pk)
    except Change.DoesNotExist as exc:
        raise Http404("No such change") from exc
    if not may(request.user, change.organisation):
        refuse(
            actor=request.user,
            action="changes.change.view_refused",
            target=change,
            organisation_path=change.organisation.path,
        )
    return change


def _detail_page(
    request: AuthenticatedHttpRequest,
    change: Change,
    posted: ChangeEditForm | ChangeMadeForm | ChangeStopForm | None = None,
) -> HttpResponse:
    """The staff page of a change; the form `posted` comes back in its place with its
    errors, the others fresh."""
    may_update = can_update(request.user, change)
    open_ = may_update and change.status == ChangeStatus.PLANNED
    context = {
        "change": change,
        "may_update": may_update,
        "overdue": change.is_overdue(timezone.localdate()),
        "edit_form": ChangeEditForm.of(change) if open_ else None,
        "made_form": ChangeMadeForm.blank() if open_ else None,
        "stop_form": ChangeStopForm(prefix="stop") if open_ else None,
    }
    if posted is not None:
        context[f"{posted.prefix}_form"] = posted
    return render(request, "changes/detail.html", context)


@require_safe
@second_factor_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A change as staff see it: its stories, and the forms to edit, mark made or stop it."""
    return _detail_page(request, _change(request, pk))


def _update(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: type[ChangeEditForm | ChangeMadeForm | ChangeStopForm],
    prefix: str,
    service: Callable[..., Change],
    done: str,
) -> HttpResponse:
    """One of the change page's three forms, posted to its own URL: its service with the
    form's data, then back to the change with `done`; or the page with the form's errors."""
    change = _change(request, pk, may=can_record_for)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            service(actor=request.user, change=change, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(change.get_absolute_url())
    return _detail_page(request, change, form)


@require_POST
@second_factor_required
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a planned change's words or move its date."""
    return _update(
        request, pk, ChangeEditForm, "edit", services.change_edit, _("The change is updated.")
    )


@require_POST
@second_factor_required
def mark_made(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark a planned change made; the authors of its stories are told."""
    return _update(
        request,
        pk,
        ChangeMadeForm,
        "made",
        services.change_mark_made,
        _(
            "The change is marked made. The authors of its stories who gave an "
            "email address are told."
        ),
    )


@require_POST
@second_factor_required
def stop(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark a planned change not going ahead, saying why."""
    return _update(
        request,
        pk,
        ChangeStopForm,
        "stop",
        services.change_stop,
        _("The change is marked not going ahead."),
    )


@require_POST
@second_factor_required
def unlink(request: AuthenticatedHttpRequest, pk: int, story_pk: int) -> HttpResponse:
    change = _change(request, pk, may=can_record_for)
    try:
        services.change_unlink(actor=request.user, change=change, story_id=story_pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The story is no longer linked to this change."))
    return redirect(change.get_absolute_url())


def _mark_overdue(changes: Iterable[Change], staff: bool, today: dt.date) -> None:
    """Overdue is shown to the organisation's staff, whose reminders say the same."""
    for change in changes:
        change.overdue = staff and change.is_overdue(today)


def _organisation(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise Http404("No such organisation") from exc


@require_safe
def register(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Every change planned and made for the organisation's subtree, with filters that
    the URL holds. Staff of the organisation see overdue changes marked, and may export."""
    organisation = _organisation(slug)
    staff = is_staff_over(request.user, organisation)
    form = RegisterFilterForm(
        request.GET or None, services=selectors.register_services(organisation), staff=staff
    )
    today = timezone.localdate()
    changes = selectors.register(organisation, form.filters(), today)
    page = Paginator(changes, settings.STORIES_PAGE_SIZE).get_page(request.GET.get("page"))
    _mark_overdue(page.object_list, staff, today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organisation": organisation,
        "form": form,
        "page": page,
        "staff": staff,
        "filter_query": query.urlencode(),
    }
    template = "changes/register.html#results" if request.htmx else "changes/register.html"
    return render(request, template, context)


@require_safe
def public(request: HttpRequest, pk: int) -> HttpResponse:
    """One change, with the published stories it answers."""
    change = get_object_or_404(selectors.change_public(), pk=pk)
    staff = is_staff_over(request.user, change.organisation)
    _mark_overdue([change], staff, timezone.localdate())
    context = {"change": change, "staff": staff}
    return render(request, "changes/public.html", context)


@require_safe
@second_factor_required
def export(request: AuthenticatedHttpRequest, slug: str) -> HttpResponseBase:
    """The register, as filtered, as CSV: staff of the organisation and platform admins."""
    organisation = _organisation(slug)
    if not is_staff_over(request.user, organisation):
        refuse(
            actor=request.user,
            action="changes.register.export_refused",
            target=organisation,
            organisation_path=organisation.path,
        )
    form = RegisterFilterForm(
        request.GET or None, services=selectors.register_services(organisation), staff=True
    )
    today = timezone.localdate()
    changes = selectors.register(organisation, form.filters(), today)
    response = StreamingHttpResponse(
        register_csv_lines(changes, today), content_type="text/csv; charset=utf-8"
    )
    filename = f"changes-{organisation.slug}-{today.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
