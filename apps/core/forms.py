import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

# Dates a search may name. A day past the last representable one (9999-12-31 + 1 day) or
# before year 1 in UK time cannot be computed at all; nothing on the site is that old.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class Form(forms.Form):
    """The site's forms: labels without Django's trailing colon, as the templates write them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_service_errors(form: forms.Form, exc: Exception) -> None:
    """Put a service's ValidationError beside the fields it names (or above the form)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc))


def check_date_range(form: forms.Form, *names: str) -> None:
    """An error beside each of these date fields that holds a day outside the sane range."""
    for name in names:
        value = form.cleaned_data.get(name)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            form.add_error(
                name,
                gettext("Enter a date between %(first)s and %(last)s.")
                % {"first": EARLIEST_DATE.year, "last": LATEST_DATE.year},
            )


class LongSelect(forms.Select):
    """A select written in one pass in Python, not through a template per option, which is
    many times faster: for long lists (a subtree of a thousand nodes) and for forms on
    the busiest pages (the story search)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}

        def options(choices: Any) -> SafeString:
            return format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((key, " selected" if str(key) in chosen else "", label) for key, label in choices),
            )

        # A choice whose label is a list of choices is a group (as Django's Select reads it).
        body = SafeString(
            "".join(
                format_html('<optgroup label="{}">{}</optgroup>', key, options(label))
                if isinstance(label, list | tuple)
                else options([(key, label)])
                for key, label in self.choices
            )
        )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final), body)
