"""What the one error summary (templates/includes/error_summary.html) lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms as django_forms
from django import template
from django.forms import BoundField
from django.utils.translation import gettext

register = template.Library()


@dataclass(frozen=True)
class Problem:
    text: str
    anchor: str = ""  # the id of the element to go to; empty: nothing to link to


@dataclass(frozen=True)
class ErrorSummary:
    problems: list[Problem] = field(default_factory=list)
    title_id: str = "error-summary-title"


def _anchor(form: django_forms.BaseForm, bound: BoundField) -> str:
    """The element a field's problem links to: the field, or the first of its options (a
    list of radio buttons or check boxes has no element of its own to focus). A list with
    no options yet links where the form says (`error_anchors`), else to the field."""
    if bound.is_hidden:
        return ""
    if isinstance(bound.field.widget, django_forms.RadioSelect):  # check boxes too
        if bound.subwidgets:
            return f"{bound.auto_id}_0"
        return getattr(form, "error_anchors", {}).get(bound.name, bound.auto_id)
    return str(bound.auto_id or "")


def _forms(form: object, forms: object) -> list[django_forms.BaseForm]:
    given: Iterable[object] = forms if isinstance(forms, list | tuple) else [form]
    return [f for f in given if isinstance(f, django_forms.BaseForm)]


@register.simple_tag
def error_summary(
    form: object = None,
    forms: object = None,
    *,
    no_labels: object = False,
    form_errors_only: object = False,
    link_first: object = False,
) -> ErrorSummary:
    """The problems of the form (or `forms`), problems of the whole form first, then each
    field's in the form's order, each linking to its field. `no_labels`: the messages name
    their field themselves, so no label goes before them. `form_errors_only`: the page shows
    field problems beside the fields only. `link_first`: a problem of the whole form links
    to its first field (sign-in, where it is about what was typed there)."""
    problems: list[Problem] = []
    title_id = "error-summary-title"
    for one in _forms(form, forms):
        if not one.errors:
            continue
        if one.prefix and title_id == "error-summary-title":
            title_id = f"error-summary-title-{one.prefix}"
        visible = one.visible_fields()
        first = str(visible[0].auto_id or "") if link_first and visible else ""
        problems.extend(Problem(str(error), first) for error in one.non_field_errors())
        if form_errors_only:
            continue
        for bound in one:
            for error in bound.errors:
                if no_labels:
                    text = str(error)
                else:
                    # Translators: a form field's label, then one of its problems.
                    text = gettext("%(label)s: %(problem)s") % {
                        "label": bound.label,
                        "problem": error,
                    }
                problems.append(Problem(text, _anchor(one, bound)))
    return ErrorSummary(problems, title_id)
