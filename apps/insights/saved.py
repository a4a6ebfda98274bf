"""Saved views and their report schedules: the forms, the rules and the dates.

A saved view keeps the *cleaned* query string of a story search or an insight view (read
back through the same form, so a view saves only what the page itself accepts), under a
name unique to its owner. A schedule sends it as an email report (`reports.py`), each
Monday or each 1st at settings.REPORT_SEND_HOUR in the site's time zone, for a relative
range worked out when it is sent. docs/insight.md, "Saved views and reports".
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.http import AnyUser
from apps.accounts.models import User
from apps.core.forms import Form
from apps.organisations.models import Organisation
from apps.responders.models import Team
from apps.responders.scope import MANAGE_ROLES, scope_of, under
from apps.stories.models import Tag
from apps.stories.search import StoryFilters, StorySearchForm

from .forms import InsightForm
from .models_saved import (
    NAME_MAX,
    QUERY_MAX,
    Frequency,
    RelativeRange,
    ReportSchedule,
    SavedView,
    ViewKind,
)
from .permissions import can_see_staff_insight
from .selectors_insight import Period

# The search form's fields, in the order a saved query string lists them.
QUERY_FIELDS = (
    "q",
    "organisation",
    "service",
    "tag",
    "author_role",
    "date_from",
    "date_to",
    "responded",
    "progress",
    "order",
)


# --- the query --------------------------------------------------------------------


def view_form(
    kind: str, organisation: Organisation | None, query: str
) -> StorySearchForm | InsightForm:
    """The page's own form, bound to a saved query string."""
    data = QueryDict(query)
    if kind == ViewKind.SEARCH:
        return StorySearchForm(data)
    return InsightForm(data, fixed_organisation=organisation)


def canonical_query(form: StorySearchForm) -> str:
    """The query string of a valid form, rebuilt from what it cleaned: nodes and topics
    by slug, dates as ISO dates, empty values and anything else left out."""
    data = form.cleaned_data
    kept = QueryDict(mutable=True)
    for name in QUERY_FIELDS:
        if name not in form.fields:
            continue
        value = data.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, dt.date):
            kept[name] = value.isoformat()
        elif isinstance(value, (Organisation, Tag)):
            kept[name] = value.slug
        else:
            kept[name] = str(value)
    return kept.urlencode()


def view_url(view: SavedView, *, staff: bool | None = None, period: Period | None = None) -> str:
    """The page of a saved view (relative), optionally over a period's dates instead of
    its own. `staff=False` gives the public page of a staff insight view."""
    query = QueryDict(view.query, mutable=True)
    if period is not None:
        query["date_from"] = period.start.isoformat()
        query["date_to"] = period.end.isoformat()
    if view.kind == ViewKind.SEARCH or view.organisation is None:
        page = reverse("stories:list")
    else:
        use_staff = view.kind == ViewKind.STAFF_INSIGHT if staff is None else staff
        name = "insights:staff" if use_staff else "insights:organisation"
        page = reverse(name, kwargs={"slug": view.organisation.slug})
    encoded = query.urlencode()
    return f"{page}?{encoded}" if encoded else page


def view_filters(view: SavedView) -> StoryFilters | None:
    """The filters of a saved view, or None when its query no longer holds (a topic or
    a service since removed)."""
    form = view_form(view.kind, view.organisation, view.query)
    return form.filters() if form.is_valid() else None


def view_node(view: SavedView, filters: StoryFilters | None) -> Organisation | None:
    """The node a report of the view is about: an insight view's own; for a search, its
    service or else its organisation; None for a search of every organisation."""
    if view.organisation is not None:
        return view.organisation
    if filters is None:
        return None
    return filters.service or filters.organisation


# --- saving -------------------------------------------------------------------------


def _name_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Name this view"),
        max_length=NAME_MAX,
        help_text=gettext_lazy("For example: Ward 7, last 3 months"),
        error_messages={"required": gettext_lazy("Enter a name for the view.")},
    )


class SaveViewForm(Form):
    """What the "Save this view" form posts: a name, and (hidden) the page's kind, node
    and query string, checked again here through the page's own form."""

    name = _name_field()
    kind = forms.ChoiceField(choices=ViewKind.choices, widget=forms.HiddenInput)
    organisation = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=QUERY_MAX, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].error_messages["invalid_choice"] = _(
            "Save a search or an insight page."
        )
        self.fields["query"].error_messages["max_length"] = _(
            "This view has too many filters to save (at most %(limit)s characters)."
        ) % {"limit": QUERY_MAX}
        self.view_errors: list[str] = []

    def clean_name(self) -> str:
        return " ".join(str(self.cleaned_data["name"]).split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if not kind or "query" in self.errors:
            return data
        node = None
        if kind != ViewKind.SEARCH:
            slug = str(data.get("organisation") or "").strip()
            node = Organisation.objects.filter(slug=slug).first() if slug else None
            if node is None:
                self.add_error("query", _("This insight page's organisation is not known."))
                return data
            if kind == ViewKind.STAFF_INSIGHT and not can_see_staff_insight(self.user, node):
                self.add_error(
                    "query",
                    _("You may not see the staff insight of %(name)s.") % {"name": node.name},
                )
                return data
        data["organisation"] = node
        page_form = view_form(kind, node, data.get("query") or "")
        if not page_form.is_valid():
            for name, errors in page_form.errors.items():
                label = page_form.fields[name].label if name in page_form.fields else ""
                for message in errors:
                    text = f"{label}: {message}" if label else str(message)
                    self.view_errors.append(text)
                    self.add_error("query", text)
            return data
        data["query"] = canonical_query(page_form)
        return data


def saved_view_save(
    *, owner: User, name: str, kind: str, organisation: Organisation | None, query: str
) -> tuple[SavedView, bool]:
    """Save a view under a name; the same view again under the same name (a second click)
    is the one already saved. Another view under a name in use is refused on `name`."""
    same = {"kind": kind, "organisation": organisation, "query": query}
    existing = SavedView.objects.filter(owner=owner, name=name).first()
    if existing is None:
        try:
            with transaction.atomic():
                return SavedView.objects.create(owner=owner, name=name, **same), True
        except IntegrityError:
            # Saved by a second request in the meantime.
            existing = SavedView.objects.get(owner=owner, name=name)
    if (existing.kind, existing.organisation_id, existing.query) == (
        kind,
        organisation.pk if organisation else None,
        query,
    ):
        return existing, False
    raise ValidationError({"name": _name_taken(name)})


def _name_taken(name: str) -> str:
    return _("You already have a view called “%(name)s”. Choose another name.") % {"name": name}


class RenameForm(Form):
    name = _name_field()

    def clean_name(self) -> str:
        return " ".join(str(self.cleaned_data["name"]).split())


def saved_view_rename(view: SavedView, name: str) -> None:
    if SavedView.objects.filter(owner_id=view.owner_id, name=name).exclude(pk=view.pk).exists():
        raise ValidationError({"name": _name_taken(name)})
    view.name = name
    try:
        with transaction.atomic():
            view.save(update_fields=["name", "updated_at"])
    except IntegrityError as exc:
        raise ValidationError({"name": _name_taken(name)}) from exc


def saved_views_of(user: AnyUser) -> QuerySet[SavedView]:
    """The user's own views with their node and schedule (and its team): one query."""
    return SavedView.objects.filter(owner_id=user.pk).select_related(
        "organisation", "schedule", "schedule__team"
    )


# --- scheduling -----------------------------------------------------------------------


def report_teams(user: AnyUser) -> QuerySet[Team]:
    """The teams a report may go to: those the user belongs to, and those under the nodes
    they manage (super-users). Platform roles alone give none."""
    if not isinstance(user, User) or not user.is_active:
        return Team.objects.none()
    managed = scope_of(user).paths(MANAGE_ROLES)
    where = Q(group__user=user)
    if managed:
        where |= under(managed)
    return (
        Team.objects.filter(pk__in=Team.objects.filter(where).values("pk"))
        .select_related("organisation")
        .order_by("name", "pk")
    )


class ScheduleForm(Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("How often"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how often to send the report.")},
    )
    range = forms.ChoiceField(
        label=gettext_lazy("Stories from"),
        choices=RelativeRange.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Worked out each time the report is sent; the view's own dates are not used."
        ),
        error_messages={"required": gettext_lazy("Choose the period each report covers.")},
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Send it to"),
        queryset=Team.objects.none(),
        required=False,
        blank=True,  # so the radio buttons offer "Just me"
        empty_label=gettext_lazy("Just me"),
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "A team you belong to or manage. Each member gets the figures they may see."
        ),
    )

    def __init__(self, *args: Any, user: User, view: SavedView, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.view = view
        field = self.fields["team"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = report_teams(user)
            if not field.queryset.exists():
                field.help_text = _("You are in no team, so the report comes to you alone.")
        field.error_messages["invalid_choice"] = _("Choose one of your teams, or just you.")
        for name in ("frequency", "range"):
            self.fields[name].error_messages["invalid_choice"] = _("Choose one from the list.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filters = view_filters(self.view)
        if filters is None:
            self.add_error(
                None, _("This view's filters no longer work: save the view again to fix them.")
            )
        elif view_node(self.view, filters) is None:
            self.add_error(
                None,
                _(
                    "A report is about one organisation: choose an organisation in the "
                    "search, save it as a new view, and schedule that."
                ),
            )
        return data


def schedule_set(
    *,
    view: SavedView,
    frequency: str,
    range: str,  # noqa: A002 - the field's name
    team: Team | None,
    now: dt.datetime,
) -> ReportSchedule:
    """Schedule (or reschedule) the view's report; the first goes at the next run time."""
    schedule, _created = ReportSchedule.objects.update_or_create(
        saved_view=view,
        defaults={
            "frequency": frequency,
            "range": range,
            "team": team,
            "active": True,
            "next_run_at": next_run(frequency, now),
        },
    )
    return schedule


def schedule_stop(view: SavedView) -> bool:
    deleted, _kinds = ReportSchedule.objects.filter(saved_view=view).delete()
    return bool(deleted)


# --- dates --------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _at_send_hour(day: dt.date) -> dt.datetime:
    # The wall-clock hour on that day, whatever its offset (summer time).
    return dt.datetime.combine(day, dt.time(settings.REPORT_SEND_HOUR), tzinfo=_zone())


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def next_run(frequency: str, after: dt.datetime) -> dt.datetime:
    """The first run strictly after `after`: the next Monday (weekly) or 1st (monthly) at
    settings.REPORT_SEND_HOUR, site time."""
    day = after.astimezone(_zone()).date()
    if frequency == Frequency.WEEKLY:
        candidate = _at_send_hour(day + dt.timedelta(days=(7 - day.weekday()) % 7))
        step = dt.timedelta(days=7)
        return candidate if candidate > after else candidate + step
    candidate = _at_send_hour(day.replace(day=1))
    if candidate > after:
        return candidate
    return _at_send_hour(_first_of_next_month(day))


def _months_before(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def report_period(range: str, day: dt.date) -> Period:  # noqa: A002 - the field's name
    """The whole weeks or months before `day` (the day the report is sent) that the range
    names: last week is Monday to Sunday; months are calendar months."""
    if range == RelativeRange.LAST_WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return Period(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
    first = day.replace(day=1)
    months = {
        RelativeRange.LAST_MONTH: 1,
        RelativeRange.LAST_3_MONTHS: 3,
        RelativeRange.LAST_12_MONTHS: 12,
    }.get(RelativeRange(range), 1)
    return Period(_months_before(first, months), first - dt.timedelta(days=1))


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(_zone()).date()
