from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


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
