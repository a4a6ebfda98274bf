"""Staff pages for API keys: super-users for their part of the tree, platform admins for
any. A key is shown once, on the page that answers the form that made it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from apps.accounts.decorators import second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.audit import refuse
from apps.core.forms import add_service_errors
from apps.organisations.models import Organisation
from apps.responders.permissions import can_manage
from apps.responders.selectors import managed_nodes, managed_paths

from . import selectors, services
from .forms import ApiKeyForm, node_by_key
from .models import ApiKey

PAGE_SIZE = 50


def _scope(request: AuthenticatedHttpRequest) -> tuple[Organisation | None, list[str] | None]:
    """The node the page is narrowed to (?organisation=<slug or ODS code>) if any, and the subtrees
    whose keys it shows; 403 for someone who manages none of it."""
    wanted = request.GET.get("organisation", "").strip()
    under = node_by_key(wanted) if wanted else None
    if wanted and under is None:
        raise Http404("No organisation has that short name or ODS code.")
    if under is not None and not can_manage(request.user, under):
        refuse(
            actor=request.user,
            action="api.api_key.page_refused",
            target=under,
            organisation_path=under.path,
        )
    paths = managed_paths(request.user, under)
    if paths == []:
        raise PermissionDenied("Only super-users and platform admins manage API keys.")
    return under, paths


@require_http_methods(["GET", "POST"])
@second_factor_required
@ratelimit(key="user", rate="60/h", method="POST", block=True)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The keys of the part of the tree the user manages, and making one."""
    under, paths = _scope(request)
    nodes = list(managed_nodes(paths))
    form = ApiKeyForm(request.POST if request.method == "POST" else None, nodes=nodes)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.api_key_create(
                actor=request.user,
                organisation=form.chosen_node(),
                name=form.cleaned_data["name"],
                nonce=form.cleaned_data["nonce"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not made.key:
                messages.info(
                    request,
                    _(
                        "That form made the key “%(name)s” already; a key is shown "
                        "only once. If nobody copied it, revoke it and make another."
                    )
                    % {"name": made.api_key.name},
                )
                return redirect("api_keys:index")
            response = render(request, "api/key_made.html", {"made": made})
            add_never_cache_headers(response)  # the key must not stay in any cache
            return response
    page = Paginator(selectors.api_keys_managed(paths), PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "under": under,
        "page": page,
        "form": form,
        "nodes": nodes,
        "page_query": urlencode({"organisation": under.slug}) if under else "",
    }
    return render(request, "api/keys.html", context)


@require_POST
@second_factor_required
def revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    api_key = get_object_or_404(ApiKey.objects.select_related("organisation"), pk=pk)
    if services.api_key_revoke(actor=request.user, api_key=api_key):
        messages.success(request, _("The key “%(name)s” no longer works.") % {"name": api_key.name})
    else:
        messages.info(
            request, _("The key “%(name)s” was revoked already.") % {"name": api_key.name}
        )
    return redirect("api_keys:index")
