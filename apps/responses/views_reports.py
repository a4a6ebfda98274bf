"""The moderators' reports queue: hide behind a placeholder, dismiss, or (for a story)
edit through the moderation page. One URL per decision; each calls one named service."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.forms import add_service_errors
from apps.stories import reports as story_reports
from apps.stories.views_moderation import moderators_only

from . import selectors, services
from .forms import ReportDecisionForm
from .models import AuthorReply, Response
from .selectors_reports import reports_queue

KINDS: dict[str, type[Response] | type[AuthorReply]] = {
    "response": Response,
    "reply": AuthorReply,
}


def _page(
    request: AuthenticatedHttpRequest,
    bound: ReportDecisionForm | None = None,
    key: tuple[str, int] | None = None,
) -> HttpResponse:
    """The queue, each item with its decision form (`bound`, with its errors, for `key`)."""
    queue = reports_queue()
    forms = {
        (item.kind, item.pk): bound
        if bound is not None and key == (item.kind, item.pk)
        else ReportDecisionForm(prefix=f"{item.kind}-{item.pk}")
        for item in queue.items
    }
    for item in queue.items:
        item.form = forms[item.kind, item.pk]
    context = {
        "queue": queue,
        "waiting": selectors.moderation_waiting(),
        "unlisted_error": bound if bound is not None and key not in forms else None,
    }
    return render(request, "moderation/reports.html", context)


@require_safe
@moderators_only
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request)


def _decide(
    request: AuthenticatedHttpRequest,
    kind: str,
    pk: int,
    act: Callable[[ReportDecisionForm], object],
    done: str,
) -> HttpResponse:
    if kind not in ("story", *KINDS):
        raise Http404("No such kind of item")
    form = ReportDecisionForm(request.POST, prefix=f"{kind}-{pk}")
    if form.is_valid():
        try:
            act(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ObjectDoesNotExist as exc:
            raise Http404("No such item") from exc
        else:
            messages.success(request, done)
            return redirect("reports:queue")
    return _page(request, form, (kind, pk))


@require_POST
@moderators_only
def hide(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """Hide the item behind a placeholder with the chosen reason."""

    def act(form: ReportDecisionForm) -> object:
        data = form.cleaned_data
        if kind == "story":
            return story_reports.story_hide(
                story_id=pk,
                moderator=request.user,
                reason=data["reason"],
                public_note=data["public_note"],
            )
        return services.conversation_item_hide(
            model=KINDS[kind],
            pk=pk,
            moderator=request.user,
            reason=data["reason"],
            public_note=data["public_note"],
        )

    return _decide(request, kind, pk, act, _("Hidden. The author and the responders are told."))


@require_POST
@moderators_only
def dismiss(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """Dismiss the item's open reports: it stays as it is."""

    def act(form: ReportDecisionForm) -> object:
        note = form.cleaned_data["note"]
        if kind == "story":
            return story_reports.story_reports_dismiss(
                story_id=pk, moderator=request.user, note=note
            )
        return services.conversation_reports_dismiss(
            model=KINDS[kind], pk=pk, moderator=request.user, note=note
        )

    return _decide(request, kind, pk, act, _("Dismissed. The author and the responders are told."))
