"""The insight page's form: the story search's own, with one more rule about the period."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.stories.search import StorySearchForm

from .selectors_insight import Period


class InsightForm(StorySearchForm):
    """Exactly the story search's parameters (so an insight view and the stories behind it
    share one URL's filters), and a period no longer than settings.INSIGHT_MAX_MONTHS,
    since the charts draw a column a month."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "date_from" in self.errors or "date_to" in self.errors:
            return data
        start, end = data.get("date_from"), data.get("date_to")
        if start is None and end is None:
            return data
        period = Period.of(start, end, timezone.localdate())
        if period.start <= period.end and len(period.months) > settings.INSIGHT_MAX_MONTHS:
            self.add_error(
                "date_from",
                _("Choose a period of at most %(years)s years: the charts show each month.")
                % {"years": settings.INSIGHT_MAX_MONTHS // 12},
            )
        return data
