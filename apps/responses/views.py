"""The staff inbox and the staff view of one story: read, refer, revoke."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.decorators import second_factor_required
from apps.accounts.http import AnyUser, AuthenticatedHttpRequest
from apps.accounts.models import User
from apps.core import extensions
from apps.core.audit import refuse
from apps.core.forms import add_service_errors
from apps.responders.models import Team
from apps.responders.permissions import is_staff_member
from apps.responders.scope import MANAGE_ROLES, RESPOND, VIEW_STAFF_DATA, scope_of
from apps.responders.selectors import my_roles, nodes_in_scope, teams_managed_by
from apps.stories.models import Story

from . import selectors, services
from .forms import InboxFilterForm, ReferForm, ResponseEditForm, ResponseForm, WithdrawForm
from .models import Referral, Response, StaffRead
from .permissions import can_refer, can_respond, can_view_story_as_staff

# Past this, a page number read ahead of the paginator is taken as the first page (an
# offset beyond PostgreSQL's bigint is an error, not an empty page).
MAX_PAGE = 1_000_000


def _page_number(value: str | None) -> int:
    """The page number asked for, as the paginator will read it; 1 for anything else
    (the paginator then says what it makes of it)."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


@require_safe
@second_factor_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Stories I may read as staff or answer, with filters; the URL holds them all."""
    user = request.user
    # The three permissions the page asks of the scope, in one query.
    scope_of(user).read_paths(VIEW_STAFF_DATA, RESPOND, MANAGE_ROLES)
    # The filter's options are kept for everyone with the same scope (the tree is public).
    paths = " ".join(scope_of(user).paths(VIEW_STAFF_DATA))
    form = InboxFilterForm(
        request.GET, services=lambda: nodes_in_scope(user), kept_as=f"inbox-services:{paths}"
    )
    filters = form.filters()
    size = settings.STORIES_PAGE_SIZE
    # The page asked for is read with the count, in one statement.
    first = (_page_number(request.GET.get("page")) - 1) * size
    paginator: Paginator[Story] = Paginator(
        selectors.inbox(user, filters, first=slice(first, first + size)), size
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.inbox_marks(user, list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filter_query": query.urlencode(),
        "roles": list(my_roles(user)),
        "is_staff_member": is_staff_member(user),
        "in_organisation": bool(scope_of(user).paths()),
        "managed": scope_of(user).paths(MANAGE_ROLES),
        "sort": filters.sort,
        # Apps above this one (insights) add their parts through the registry.
        "sections": []
        if request.htmx
        else [section(request) for section in extensions.staff_home_sections.providers()],
    }
    template = "inbox/index.html#results" if request.htmx else "inbox/index.html"
    return render(request, template, context)


def _story_or_refuse(
    request: AuthenticatedHttpRequest,
    pk: int,
    may: Callable[[AnyUser, Story], bool] = can_view_story_as_staff,
    action: str = "responses.staff_story.refused",
) -> Story:
    """The published story, if the user may do this with it; otherwise 403, recorded."""
    story = get_object_or_404(selectors.story_queryset(), pk=pk)
    if not may(request.user, story):
        refuse(
            actor=request.user,
            action=action,
            target=story,
            organisation_path=selectors.story_path(story),
        )
    return story


def _response_form(user: User, story: Story) -> ResponseForm:
    """A blank response form, starting on the most specific node the story names."""
    nodes = services.respond_nodes(user, story)
    return ResponseForm(nodes=nodes, default=services.respond_node_default(story, nodes))


def _story_page(
    request: AuthenticatedHttpRequest,
    story: Story,
    form: ReferForm | None = None,
    response_form: ResponseForm | None = None,
    preview: services.Preview | None = None,
) -> HttpResponse:
    user = request.user
    may_refer = can_refer(user, story)
    may_respond = can_respond(user, story)
    teams = teams_managed_by(user) if may_refer else Team.objects.none()
    entries = selectors.conversation(story, staff=True, placeholders=True)
    context = {
        "story": story,
        "referrals": selectors.story_referrals(story),
        "may_refer": may_refer,
        "may_respond": may_respond,
        "read": StaffRead.objects.filter(story=story, user=user).exists(),
        "form": form or ReferForm(teams=teams),
        "entries": entries,
        "editable": {
            e.item.pk for e in entries if e.kind == "response" and services.may_edit(user, e.item)
        },
        "response_form": response_form or (_response_form(user, story) if may_respond else None),
        "preview": preview,
        "edit_minutes": services.EDIT_MINUTES,
        # Apps above this one (changes) add their parts through the registry.
        "sections": [
            section(request, story, entries)
            for section in extensions.staff_story_page_sections.providers()
        ],
    }
    return render(request, "inbox/story.html", context)


@require_safe
@second_factor_required
def story(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One story as staff see it: criticality, who it is referred to, and what I may do."""
    return _story_page(request, _story_or_refuse(request, pk))


@require_POST
@second_factor_required
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    story = _story_or_refuse(request, pk)
    services.story_mark_read(user=request.user, story=story)
    if request.htmx:
        return render(request, "inbox/story.html#read", {"story": story, "read": True})
    messages.success(request, _("Marked as read."))
    return redirect("inbox:story", pk=story.pk)


@require_http_methods(["POST"])
@second_factor_required
def refer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    story = _story_or_refuse(request, pk, may=can_refer, action="responses.referral.refused")
    form = ReferForm(request.POST, teams=teams_managed_by(request.user))
    if form.is_valid():
        try:
            referral = services.referral_create(
                referrer=request.user,
                story=story,
                user=form.person,
                team=form.cleaned_data["team"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Referred to %(holder)s; they have been emailed.")
                % {"holder": referral.user or referral.team},
            )
            return redirect("inbox:story", pk=story.pk)
    return _story_page(request, story, form)


@require_POST
@second_factor_required
def revoke_referral(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.select_related("story", "user", "team"), pk=pk)
    services.referral_revoke(actor=request.user, referral=referral)
    messages.success(
        request,
        _("%(holder)s may no longer answer this story.")
        % {"holder": referral.user or referral.team},
    )
    return redirect("inbox:story", pk=referral.story_id)


def _respond_form(request: AuthenticatedHttpRequest, pk: int) -> tuple[Story, ResponseForm]:
    """The story, if the user may respond to it (else 403, recorded), and the posted form."""
    story = _story_or_refuse(request, pk, may=can_respond, action="responses.response.refused")
    form = ResponseForm(request.POST, nodes=services.respond_nodes(request.user, story))
    return story, form


def _respond_again(
    request: AuthenticatedHttpRequest,
    story: Story,
    form: ResponseForm,
    preview: services.Preview | None = None,
) -> HttpResponse:
    """The response form again, with its preview or its errors: the form's part alone for
    htmx, else the whole page."""
    if request.htmx:
        context = {
            "story": story,
            "response_form": form,
            "preview": preview,
            "edit_minutes": services.EDIT_MINUTES,
        }
        return render(request, "inbox/story.html#respond", context)
    return _story_page(request, story, response_form=form, preview=preview)


@require_POST
@second_factor_required
def preview_response(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show the response as it would be posted, warning if it reads like a generic reply;
    nothing is saved."""
    story, form = _respond_form(request, pk)
    preview = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            preview = services.response_preview(
                author=request.user,
                story=story,
                organisation=data["organisation"],
                body=data["body"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _respond_again(request, story, form, preview)


@require_POST
@second_factor_required
def post_response(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Post a public response to the story (held for a moderator from new responders)."""
    story, form = _respond_form(request, pk)
    if form.is_valid():
        data = form.cleaned_data
        try:
            response = services.response_create(
                author=request.user,
                story=story,
                organisation=data["organisation"],
                body=data["body"],
                submission_key=data["submission_key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if response.is_public:
                messages.success(request, _("Your response is published."))
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. As you are new to responding, a moderator will check "
                        "your response before it is published (usually within a working day)."
                    ),
                )
            if request.htmx:
                return HttpResponseClientRedirect(reverse("inbox:story", kwargs={"pk": pk}))
            return redirect("inbox:story", pk=story.pk)
    return _respond_again(request, story, form)


def _response_or_404(pk: int) -> Response:
    return get_object_or_404(
        Response.objects.select_related("story", "organisation", "author"), pk=pk
    )


@require_http_methods(["GET", "POST"])
@second_factor_required
def edit_response(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its writer changes a response within 30 minutes; a moderator at any time."""
    response = _response_or_404(pk)
    form = ResponseEditForm(request.POST or None, initial={"body": response.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.response_edit(
                actor=request.user,
                response=response,
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The response is changed."))
            return redirect("inbox:story", pk=response.story_id)
    elif not services.may_edit(request.user, response):
        refuse(
            actor=request.user,
            action="responses.response.edit_refused",
            target=response,
            organisation_path=response.organisation.path,
        )
    withdraw = WithdrawForm()
    context = {"response": response, "form": form, "withdraw_form": withdraw}
    return render(request, "inbox/edit_response.html", context)


@require_POST
@second_factor_required
def withdraw_response(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    response = _response_or_404(pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.response_withdraw(
            actor=request.user,
            response=response,
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        context = {
            "response": response,
            "form": ResponseEditForm(initial={"body": response.body}),
            "withdraw_form": form,
        }
        return render(request, "inbox/edit_response.html", context)
    messages.success(request, _("The response is withdrawn and no longer public."))
    return redirect("inbox:story", pk=response.story_id)
