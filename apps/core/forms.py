import datetime as dt
import html
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.choices import normalize_choices
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _

from . import pagecache

# Dates a search may name. A day past the last representable one (9999-12-31 + 1 day) or
# before year 1 in UK time cannot be computed at all; nothing on the site is that old.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class Form(forms.Form):
    """The site's forms: labels without Django's trailing colon, as the templates write them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, which must be a choice field (to set its choices)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice field")
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> "forms.ModelChoiceField[Any]":
    """The form's field `name`, which must be a model choice field (to set its queryset)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    return field


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


def _escaped(value: Any) -> str:
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


class LongSelect(forms.Select):
    """A select written in one pass in Python, not through a template per option, which is
    many times faster: for long lists (a subtree of a thousand nodes) and for forms on
    the busiest pages (the story search)."""

    @property
    def choices(self) -> Any:
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        # Pairs are kept as given (render reads each key and label, and a label that is a
        # list as a group): normalising a thousand of them again took milliseconds.
        self._choices = list(value) if isinstance(value, list | tuple) else normalize_choices(value)

    # Set where the choices are the same for everyone who gets this name until the site
    # changes (a scope's nodes, public as the tree is): the options are then written once
    # per language and kept (`pagecache.kept`, under the site's version), and only the
    # value chosen is marked. A thousand options took a millisecond to write each view.
    kept_as: str | None = None

    def use_required_attribute(self, initial: Any) -> bool:
        # Django's select asks its first choice whatever the field, which lists choices
        # given as a callable; only a required one need ask.
        return self.is_required and super().use_required_attribute(initial)

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        # As Django's select reads it: nothing chosen chooses the empty option.
        values = value if isinstance(value, list | tuple) else [value]
        chosen = {"" if v is None else str(v) for v in values}
        body: str
        if self.kept_as is None:
            body = self._options(chosen)
        else:
            body = pagecache.kept(
                f"{self.kept_as}:{get_language()}", [], lambda: str(self._options(set()))
            )
            for key in chosen:
                # Keys and labels are escaped, so this can only be the option's own tag.
                plain = f'<option value="{_escaped(key)}">'
                body = body.replace(plain, f'<option value="{_escaped(key)}" selected>', 1)
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        # Every key and label was escaped as it was written.
        return format_html("<select{}>{}</select>", flatatt(final), SafeString(body))

    def _options(self, chosen: set[str]) -> SafeString:
        def option(key: Any, label: Any) -> str:
            # Escaped as Django's templates would (what is marked safe is kept), by the
            # standard library's escape: a thousand format_html calls took milliseconds.
            selected = " selected" if str(key) in chosen else ""
            return f'<option value="{_escaped(key)}"{selected}>{_escaped(label)}</option>'

        # A choice whose label is a list of choices is a group (as Django's Select reads it).
        return SafeString(
            "".join(
                f'<optgroup label="{_escaped(key)}">'
                + "".join(option(*choice) for choice in label)
                + "</optgroup>"
                if isinstance(label, list | tuple)
                else option(key, label)
                for key, label in self.choices
            )
        )


DATE_PARTS = ("day", "month", "year")
YEAR_MIN, YEAR_MAX = 1900, 2100


class DateBoxes(forms.MultiWidget):
    """A date as three text boxes, Day, Month and Year (the NHS and GOV.UK date input),
    named `<name>_day`, `<name>_month` and `<name>_year`. Reads the boxes when any of them is
    sent, else one ISO date in `<name>` (addresses written by hand, links, the API), so both
    ways of giving a date keep working. The template wraps it in a fieldset with a legend
    and a hint."""

    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        boxes: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": f"date-input-{part}",
                    "maxlength": "4" if part == "year" else "2",
                }
            )
            for part in DATE_PARTS
        }
        super().__init__(boxes, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                return [None, None, None]
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if any(f"{name}_{part}" in data for part in DATE_PARTS):
            return [data.get(f"{name}_{part}", "") for part in DATE_PARTS]
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(f"{name}_{part}" in data for part in DATE_PARTS)

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        # Written in Python, as LongSelect is: the site's templates folder is not one the
        # form renderer reads.
        values = value if isinstance(value, list | tuple) else self.decompress(value)
        base = {**self.attrs, **(attrs or {})}
        labels = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
        items = []
        for part, box, shown in zip(DATE_PARTS, self.widgets, values, strict=True):
            box_attrs = {k: v for k, v in base.items() if k != "id"}
            box_attrs["id"] = f"{base.get('id', name)}_{part}"
            items.append(
                format_html(
                    '<div class="date-input-item"><label for="{}">{}</label>{}</div>',
                    box_attrs["id"],
                    labels[part],
                    _text_box(box, f"{name}_{part}", shown, box_attrs),
                )
            )
        return format_html('<div class="date-input">{}</div>', SafeString("".join(items)))

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_day" if id_ else id_


def _text_box(box: forms.Widget, name: str, value: Any, attrs: dict[str, Any]) -> SafeString:
    """`box.render(name, value, attrs)` for a text input, as Django's template writes it, in
    Python: six boxes through the form renderer were a tenth of a search page's time."""
    shown = box.format_value(value)
    written = [
        format_html(" {}", key) if given is True else format_html(' {}="{}"', key, given)
        for key, given in box.build_attrs(box.attrs, attrs).items()
        if given is not False and given is not None
    ]
    return format_html(
        '<input type="text" name="{}"{}{}>',
        name,
        format_html(' value="{}"', shown) if shown is not None else "",
        SafeString("".join(written)),
    )


class DateBoxesField(forms.DateField):
    """A date typed into DateBoxes (day, month, year) or given as one ISO date. Errors name
    the part that is wrong, as the NHS pattern asks; years outside 1900–2100 are refused."""

    widget = DateBoxes

    def to_python(self, value: Any) -> dt.date | None:
        if not isinstance(value, list | tuple):
            return super().to_python(value)
        parts = dict(zip(DATE_PARTS, (str(v or "").strip() for v in value), strict=False))
        if not any(parts.values()):
            return None
        label = self.label or _("The date")
        example = _("for example, 27 3 2026")
        missing = [part for part in DATE_PARTS if not parts.get(part)]
        if missing:
            # One whole sentence per missing part: other languages may need the part's
            # word to change with the sentence around it.
            sentences = {
                "day": _("%(label)s must include a day."),
                "month": _("%(label)s must include a month."),
                "year": _("%(label)s must include a year."),
            }
            raise ValidationError(sentences[missing[0]] % {"label": label}, code="incomplete")
        if not all(re.fullmatch(r"[0-9]{1,4}", parts[part]) for part in DATE_PARTS):
            raise ValidationError(
                _("%(label)s must be a real date in numbers, %(example)s.")
                % {"label": label, "example": example},
                code="invalid",
            )
        day, month, year = (int(parts[part]) for part in DATE_PARTS)
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise ValidationError(
                _("The year must be between %(min)s and %(max)s.")
                % {"min": YEAR_MIN, "max": YEAR_MAX},
                code="year_range",
            )
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValidationError(
                _("%(label)s must be a real date, %(example)s.")
                % {"label": label, "example": example},
                code="invalid",
            ) from None
