from __future__ import annotations

from django import forms
from django.conf import settings

LIMIT_MESSAGE = (
    f"limit must be a whole number of stories from 1 to {settings.WIDGET_STORIES_MAX}, "
    "for example ?limit=3."
)


class WidgetOptionsForm(forms.Form):
    """The widget's query parameters, as the embedding page may set them."""

    limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.WIDGET_STORIES_MAX,
        error_messages={
            "invalid": LIMIT_MESSAGE,
            "min_value": LIMIT_MESSAGE,
            "max_value": LIMIT_MESSAGE,
        },
    )

    def stories(self) -> int:
        """How many stories to show (after is_valid)."""
        return self.cleaned_data.get("limit") or settings.WIDGET_STORIES

    def problems(self) -> list[str]:
        return [str(message) for messages in self.errors.values() for message in messages]
