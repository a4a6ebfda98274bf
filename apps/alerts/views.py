"""Each member of staff's alert settings, and the platform admins' view of the outbox."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.accounts.decorators import allowed_only, second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.forms import add_service_errors
from apps.responders.permissions import is_platform_admin
from apps.responders.selectors import nodes_in_scope

from . import selectors, services
from .forms import SubscriptionForm
from .models import Subscription


@require_http_methods(["GET", "POST"])
@second_factor_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My subscriptions, the default while I have none, and a form to add one."""
    user = request.user
    form = SubscriptionForm(request.POST or None, nodes=nodes_in_scope(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_add(
                user=user,
                organisation=data["organisation"],
                frequency=data["frequency"],
                min_criticality=data["min_criticality"],
                tags=list(data["tags"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Alert added."))
            return redirect("alerts:index")
    subscriptions = list(selectors.subscriptions_of(user))
    context = {
        "form": form,
        "subscriptions": subscriptions,
        "default_nodes": [] if subscriptions else selectors.default_nodes(user),
    }
    return render(request, "alerts/index.html", context)


@require_POST
@second_factor_required
def remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk)
    services.subscription_remove(user=request.user, subscription=subscription)
    messages.success(request, _("Alert removed."))
    return redirect("alerts:index")


platform_admins_only = allowed_only(is_platform_admin)


@require_safe
@platform_admins_only
def outbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Emails that failed for good or are being retried, with the reason; never bodies."""
    page = Paginator(selectors.outbox_problems(), 50).get_page(request.GET.get("page"))
    return render(
        request, "alerts/outbox.html", {"page": page, "summary": selectors.outbox_summary()}
    )


@require_POST
@platform_admins_only
def outbox_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if services.outbox_retry(actor=request.user, pk=pk):
        messages.success(request, _("The email will be sent again."))
    else:
        messages.error(request, _("That email is not one that failed."))
    return redirect("alerts:outbox")
