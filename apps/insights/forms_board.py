"""The board report's forms: the period and the chosen stories (GET), and the trust's
targets (POST, super-users of the trust and platform admins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.core.forms import DateBoxesField, Form, check_date_range
from apps.organisations.models import Organisation
from apps.stories.models import Story, StoryService, StoryStatus

from .board import MAX_CHOSEN, last_full_month
from .selectors_insight import Period

# A story id longer than this is no id of ours (and would overflow the column).
ID_DIGITS = 18


class StoryIdsField(forms.Field):
    """`story=<id>` given any number of times: a list of distinct whole numbers."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids: list[int] = []
        for raw in values:
            text = str(raw).strip()
            if not text:
                continue
            if not text.isascii() or not text.isdigit() or len(text) > ID_DIGITS:
                raise ValidationError(
                    _("Choose stories from the list (“%(value)s” is not a story).")
                    % {"value": text[:20]},
                    code="invalid",
                )
            if int(text) not in ids:
                ids.append(int(text))
        return ids


class BoardReportForm(Form):
    """The report's period (both days included; without dates, the last full month) and
    up to MAX_CHOSEN published stories about the node to show in full. `period` and
    `stories` are set once the form is valid."""

    date_from = DateBoxesField(
        label=gettext_lazy("From"), required=False, help_text=gettext_lazy("For example, 1 3 2026")
    )
    date_to = DateBoxesField(
        label=gettext_lazy("To"), required=False, help_text=gettext_lazy("For example, 31 3 2026")
    )
    story = StoryIdsField(label=gettext_lazy("Stories to show in full"), required=False)

    def __init__(self, *args: Any, node: Organisation, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.node = node
        self.today = today
        self.period = last_full_month(today)
        self.stories: list[Story] = []

    def clean_story(self) -> list[int]:
        ids: list[int] = self.cleaned_data["story"]
        if len(ids) > MAX_CHOSEN:
            raise ValidationError(
                ngettext(
                    "Choose at most %(count)s story.",
                    "Choose at most %(count)s stories.",
                    MAX_CHOSEN,
                )
                % {"count": MAX_CHOSEN}
            )
        if not ids:
            return ids
        about = StoryService.objects.filter(
            story=OuterRef("pk"), organisation__path__startswith=self.node.path
        )
        found = {
            s.pk: s
            for s in Story.objects.filter(Exists(about), pk__in=ids, status=StoryStatus.PUBLISHED)
        }
        unknown = [pk for pk in ids if pk not in found]
        if unknown:
            raise ValidationError(
                _("Story %(id)s is not a published story about %(name)s. Choose from the list.")
                % {"id": unknown[0], "name": self.node.name}
            )
        self.stories = [found[pk] for pk in ids]
        return ids

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_date_range(self, "date_from", "date_to")
        if "date_from" in self.errors or "date_to" in self.errors:
            return data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("This date must be the same as or after the “from” date."))
            return data
        if start is None and end is None:
            return data
        period = Period.of(start, end, self.today)
        if period.start > period.end:
            self.add_error("date_from", _("This date must be on or before today."))
            return data
        if len(period.months) > settings.INSIGHT_MAX_MONTHS:
            self.add_error(
                "date_from",
                _("Choose a period of at most %(years)s years: the charts show each month.")
                % {"years": settings.INSIGHT_MAX_MONTHS // 12},
            )
            return data
        self.period = period
        return data


class TargetsForm(Form):
    """The trust's targets for its board report (`initial`: the trust's own)."""

    target_response_rate = forms.IntegerField(
        label=gettext_lazy("Response rate (percent)"),
        min_value=0,
        max_value=100,
        help_text=gettext_lazy(
            "The share of stories the trust aims to answer in public, 0 to 100."
        ),
    )
    target_within_response_target = forms.IntegerField(
        label=gettext_lazy("Answered within the response target (percent)"),
        min_value=0,
        max_value=100,
        help_text=gettext_lazy(
            "The share of stories the trust aims to answer within its response target of "
            "working days, 0 to 100."
        ),
    )
    target_median_response_days = forms.IntegerField(
        label=gettext_lazy("Typical time to respond (days)"),
        min_value=0,
        max_value=365,
        help_text=gettext_lazy("Half of all first responses should come within this many days."),
    )
