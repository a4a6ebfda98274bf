from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _


class WidgetOptionsForm(forms.Form):
    """The widget's query parameters, as the embedding page may set them."""

    limit = forms.IntegerField(required=False, min_value=1, max_value=settings.WIDGET_STORIES_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        message = _(
            # Translators: shown to whoever embeds the widget; "limit" and "?limit=3" are code.
            "limit must be a whole number of stories from 1 to %(most)s, for example ?limit=3."
        ) % {"most": settings.WIDGET_STORIES_MAX}
        # One message for every way the value can be wrong, in the request's language.
        self.fields["limit"].error_messages.update(
            {"invalid": message, "min_value": message, "max_value": message}
        )

    def stories(self) -> int:
        """How many stories to show (after is_valid)."""
        return self.cleaned_data.get("limit") or settings.WIDGET_STORIES

    def problems(self) -> list[str]:
        return [str(message) for messages in self.errors.values() for message in messages]
