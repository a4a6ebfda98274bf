"""The board report of a node, as a page to print and as a PDF, and the trust's targets."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from apps.accounts.decorators import second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.audit import refuse
from apps.organisations.models import Organisation

from .board import MAX_CHOSEN, board_report
from .forms_board import BoardReportForm, TargetsForm
from .pdf import PdfError, html_to_pdf
from .permissions import can_see_staff_insight
from .targets import TARGET_FIELDS, can_set_targets, trust_targets_update

logger = logging.getLogger(__name__)
TEMPLATE = "insights/board_report.html"


def _node(request: AuthenticatedHttpRequest, slug: str) -> Organisation:
    """The node, for staff whose role covers it, moderators and platform admins (the staff
    insight's rule); anyone else is refused (403, audited)."""
    node = Organisation.objects.filter(slug=slug).first()
    if node is None:
        raise Http404("No such organisation")
    if not can_see_staff_insight(request.user, node):
        refuse(
            actor=request.user,
            action="insights.board_report.refused",
            target=node,
            organisation_path=node.path,
        )
    return node


def _context(request: AuthenticatedHttpRequest, node: Organisation) -> dict[str, Any]:
    today = timezone.localdate()
    form = BoardReportForm(request.GET, node=node, today=today)
    context: dict[str, Any] = {"organisation": node, "form": form, "max_chosen": MAX_CHOSEN}
    if form.is_valid():
        report = board_report(node, form.period, form.stories, today)
        listed = {mark.pk for mark in report.insight.marks}
        context.update(report.sections)
        context.update(
            report=report,
            insight=report.insight,
            limit=settings.INSIGHT_MIN_CELL,
            chosen_ids={s.pk for s in form.stories},
            # Chosen stories from outside the period keep a box, so updating keeps them.
            earlier_chosen=[s for s in form.stories if s.pk not in listed],
            can_set_targets=can_set_targets(request.user, report.trust),
            query=request.GET.urlencode(),
        )
    return context


@require_safe
@second_factor_required
def board_report_page(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The report as a page, printable on A4; choose the period and the stories here."""
    node = _node(request, slug)
    return render(request, TEMPLATE, _context(request, node))


@require_safe
@second_factor_required
def board_report_pdf(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The same report as a PDF to download; when the PDF cannot be made, the page itself
    with a message saying so (and why, in the log)."""
    node = _node(request, slug)
    context = _context(request, node)
    if "report" not in context:  # the form's errors, on the page
        return render(request, TEMPLATE, context)
    html = render_to_string(TEMPLATE, {**context, "for_pdf": True}, request=request)
    try:
        pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    except PdfError:
        logger.exception("The board report PDF of %s could not be made", node.slug)
        return render(request, TEMPLATE, {**context, "pdf_failed": True})
    period = context["report"].period
    name = f"board-report-{node.slug}-{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@second_factor_required
def targets(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The trust's targets for its board report: super-users of the trust and platform
    admins (403, audited, for anyone else); a node below the top has none (404)."""
    node = Organisation.objects.filter(slug=slug).first()
    if node is None or node.depth != 1:
        raise Http404("No such trust")
    if not can_set_targets(request.user, node):
        refuse(
            actor=request.user,
            action="insights.targets.refused",
            target=node,
            organisation_path=node.path,
        )
    initial = {name: getattr(node, name) for name in TARGET_FIELDS}
    form = TargetsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        trust_targets_update(actor=request.user, trust=node, targets=form.cleaned_data)
        messages.success(request, _("The board report's targets are saved."))
        return redirect(reverse("insights:board_targets", kwargs={"slug": node.slug}))
    return render(request, "insights/board_targets.html", {"organisation": node, "form": form})
