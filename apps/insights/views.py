"""The insight page of an organisation node: public, and for its staff."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from apps.accounts.decorators import second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.audit import refuse
from apps.core.http import HtmxHttpRequest
from apps.organisations.models import Organisation
from apps.organisations.selectors import organisation_page

from .forms import InsightForm
from .page import page_context, sort_of
from .permissions import can_see_staff_insight
from .selectors_insight import Period, insight_kept


@require_safe
def organisation(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Public insight: every breakdown hides cells under settings.INSIGHT_MIN_CELL."""
    return _page(request, slug, staff=False)


@require_safe
@second_factor_required
def staff(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Staff insight, with criticality: for staff whose role covers the node, moderators
    and platform admins; refused (403, audited) for anyone else, who may read the public
    page."""
    node = _node(slug)
    if not can_see_staff_insight(request.user, node):
        refuse(
            actor=request.user,
            action="insights.insight.staff_refused",
            target=node,
            organisation_path=node.path,
        )
    return _page(request, slug, staff=True)


def _node(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise Http404("No such organisation") from exc


def _page(request: HtmxHttpRequest, slug: str, *, staff: bool) -> HttpResponse:
    try:
        page_data = organisation_page(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise Http404("No such organisation") from exc
    node = page_data.organisation
    form = InsightForm(request.GET, fixed_organisation=node)
    context: dict[str, object] = {"p": page_data, "organisation": node, "form": form}
    context["staff"] = staff
    context["staff_link"] = not staff and can_see_staff_insight(request.user, node)
    context["min_cell"] = settings.INSIGHT_MIN_CELL
    if form.is_valid():
        filters = form.filters()
        period = Period.of(filters.date_from, filters.date_to, timezone.localdate())
        insight = insight_kept(node, filters, period, staff=staff)
        context["insight"] = insight
        if insight.total:
            sort = sort_of(request.GET, staff=staff)
            context.update(
                page_context(
                    insight, node=node, filters=filters, params=request.GET, staff=staff, sort=sort
                )
            )
    form.offer_choices()
    return render(request, "insights/insight.html", context)
