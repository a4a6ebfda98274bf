"""Staff pages for ways in (kiosks and campaign links), for the super-users of a part of
the tree and platform admins. A kiosk's device link is shown once, on the page that
answers the form that made it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from apps.accounts.decorators import second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.forms import add_service_errors
from apps.responders.selectors import managed_nodes, managed_paths

from . import selectors, services
from .forms import CampaignMakeForm, KioskMakeForm
from .models import Campaign, Kiosk

LISTED = 200


def _paths(request: AuthenticatedHttpRequest) -> list[str] | None:
    paths = managed_paths(request.user)
    if paths == []:
        raise PermissionDenied(_("Only super-users and platform admins set up ways in."))
    return paths


def _make_kiosk(request: AuthenticatedHttpRequest, form: KioskMakeForm) -> HttpResponse | None:
    try:
        made = services.kiosk_create(
            actor=request.user,
            node=form.chosen_node(),
            name=form.cleaned_data["name"],
            exit_pin=form.cleaned_data["exit_pin"],
            nonce=form.cleaned_data["nonce"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    if not made.token:
        messages.info(
            request,
            _(
                "That form made the kiosk “%(name)s” already; its link is shown only once. "
                "If nobody opened it, switch that kiosk off and make another."
            )
            % {"name": made.kiosk.name},
        )
        return redirect("waysin:index")
    link = absolute_url(reverse("waysin:kiosk", kwargs={"token": made.token}))
    response = render(request, "waysin/kiosk_made.html", {"kiosk": made.kiosk, "link": link})
    add_never_cache_headers(response)  # the link must not stay in any cache
    return response


def _make_campaign(request: AuthenticatedHttpRequest, form: CampaignMakeForm) -> bool:
    try:
        campaign = services.campaign_create(
            actor=request.user,
            node=form.chosen_node(),
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(),
            nonce=form.cleaned_data["nonce"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(
        request,
        _("The campaign link “%(name)s” works now: %(link)s")
        % {"name": campaign.name, "link": absolute_url(campaign_path(campaign))},
    )
    return True


def campaign_path(campaign: Campaign) -> str:
    return reverse("waysin:campaign", kwargs={"code": campaign.code})


def absolute_url(path: str) -> str:
    """The address as people outside receive it (SITE_URL, as in emails)."""
    return str(settings.SITE_URL) + path


@require_http_methods(["GET", "POST"])
@second_factor_required
@ratelimit(key="user", rate="60/h", method="POST", block=True)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The kiosks and campaign links of the part of the tree the user manages."""
    paths = _paths(request)
    nodes = list(managed_nodes(paths, active_only=True))
    posted = request.POST.get("make") if request.method == "POST" else None
    kiosk_form = KioskMakeForm(request.POST if posted == "kiosk" else None, nodes=nodes)
    campaign_form = CampaignMakeForm(request.POST if posted == "campaign" else None, nodes=nodes)
    if posted == "kiosk" and kiosk_form.is_valid():
        answer = _make_kiosk(request, kiosk_form)
        if answer is not None:
            return answer
    if posted == "campaign" and campaign_form.is_valid() and _make_campaign(request, campaign_form):
        return redirect("waysin:index")
    context: dict[str, Any] = {
        "nodes": nodes,
        "kiosk_form": kiosk_form,
        "campaign_form": campaign_form,
        "kiosks": list(selectors.kiosks_managed(paths)[:LISTED]),
        "campaigns": list(selectors.campaigns_managed(paths)[:LISTED]),
        "listed": LISTED,
        "site_url": settings.SITE_URL,
    }
    return render(request, "waysin/index.html", context)


@require_POST
@second_factor_required
def kiosk_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    kiosk = get_object_or_404(Kiosk.objects.select_related("node"), pk=pk)
    if services.kiosk_revoke(actor=request.user, kiosk=kiosk):
        messages.success(request, _("The kiosk “%(name)s” is switched off.") % {"name": kiosk})
    else:
        messages.info(
            request, _("The kiosk “%(name)s” was switched off already.") % {"name": kiosk}
        )
    return redirect("waysin:index")


@require_POST
@second_factor_required
def campaign_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("node"), pk=pk)
    if services.campaign_end(actor=request.user, campaign=campaign):
        messages.success(request, _("The link “%(name)s” no longer works.") % {"name": campaign})
    else:
        messages.info(request, _("The link “%(name)s” had ended already.") % {"name": campaign})
    return redirect("waysin:index")
