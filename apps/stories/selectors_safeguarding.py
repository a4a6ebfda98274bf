"""Reads for the safeguarding pages: a case with its story and records, the open cases,
the time to a safeguarding decision, a node's contacts and help text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Aggregate, Count, DurationField, F, Max, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext

from apps.organisations.models import Organisation

from .models import SafeguardingCase, SafeguardingContact, SafeguardingHelp, Story
from .selectors import services_named

WINDOW_DAYS = 90


def case_for_page(pk: int) -> SafeguardingCase:
    """One case with its story (and services), the nodes told and what was recorded."""
    return get_object_or_404(
        SafeguardingCase.objects.select_related(
            "story", "opened_by", "decided_by"
        ).prefetch_related("organisations", "records", services_named("story__services")),
        pk=pk,
    )


def open_cases() -> QuerySet[SafeguardingCase]:
    """Serious cases not yet decided, oldest first, with how many records each has."""
    return (
        SafeguardingCase.objects.filter(decision="")
        .select_related("story")
        .prefetch_related("organisations")
        .annotate(record_count=Count("records"))
        .order_by("created_at", "pk")
    )


class _Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass(frozen=True)
class DecisionTimes:
    """From submission to a safeguarding level, for stories whose level was set lately."""

    days: int
    count: int
    median: dt.timedelta | None
    longest: dt.timedelta | None
    by_level: dict[str, int]
    waiting_with_cue: int

    @property
    def median_words(self) -> str:
        return _words(self.median)

    @property
    def longest_words(self) -> str:
        return _words(self.longest)


def _words(span: dt.timedelta | None) -> str:
    """ "3 hours, 5 minutes"; "—" for none; under a minute for less."""
    if span is None:
        return "—"
    now = timezone.now()
    return (
        timesince(now - span, now) if span >= dt.timedelta(minutes=1) else gettext("under a minute")
    )


def decision_times(days: int = WINDOW_DAYS) -> DecisionTimes:
    since = timezone.now() - dt.timedelta(days=days)
    decided = Story.objects.filter(safeguarding_set_at__gte=since)
    wait = F("safeguarding_set_at") - F("created_at")
    figures = decided.aggregate(count=Count("pk"), median=_Median(wait), longest=Max(wait))
    by_level = dict(decided.order_by().values_list("safeguarding_level").annotate(n=Count("pk")))
    waiting = Story.objects.filter(
        risk_cue=True, safeguarding_level="", status="awaiting_moderation"
    ).count()
    return DecisionTimes(
        days=days,
        count=figures["count"],
        median=figures["median"],
        longest=figures["longest"],
        by_level=by_level,
        waiting_with_cue=waiting,
    )


@dataclass(frozen=True)
class NodeSafeguarding:
    contacts: list[SafeguardingContact]
    # Where this node's serious cases go while it names no contacts of its own.
    inherited_from: Organisation | None
    inherited: list[SafeguardingContact]
    help_text: str


def node_safeguarding(organisation: Organisation) -> NodeSafeguarding:
    above = organisation.ancestor_paths()
    contacts = list(
        SafeguardingContact.objects.filter(
            organisation__path__in=[*above, organisation.path]
        ).select_related("organisation")
    )
    own = [c for c in contacts if c.organisation_id == organisation.pk]
    inherited: list[SafeguardingContact] = []
    source = None
    if not own:
        for path in reversed(above):
            inherited = [c for c in contacts if c.organisation.path == path]
            if inherited:
                source = inherited[0].organisation
                break
    help_row = SafeguardingHelp.objects.filter(organisation=organisation).first()
    return NodeSafeguarding(
        contacts=own,
        inherited_from=source,
        inherited=inherited,
        help_text=help_row.text if help_row else "",
    )
