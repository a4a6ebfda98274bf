"""The API's query-parameter forms (stories use the site's own StorySearchForm) and the
staff form that makes a key."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.changes.models import ChangeStatus
from apps.core.forms import Form, LongSelect, check_date_range, choice_field
from apps.organisations.forms import DirectorySearchForm, tree_choices
from apps.organisations.models import Organisation

from . import keys

BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]


class OrganisationFilterForm(DirectorySearchForm):
    """The directory's search, with `closed` spelled true or false (a checkbox takes any
    word for yes, which an API should not)."""

    closed = forms.TypedChoiceField(  # type: ignore[assignment]
        label="Include closed organisations",  # i18n: not text (API schema)
        required=False,
        choices=BOOLEAN_CHOICES,
        coerce=lambda value: value == "true",
        empty_value=False,  # type: ignore[arg-type]
    )


def node_by_key(value: str) -> Organisation | None:
    """The node with this slug or ODS code (one query)."""
    value = value.strip()
    if not value:
        return None
    return (
        Organisation.objects.filter(Q(slug=value) | Q(ods_code=value.upper()))
        .order_by("depth")
        .first()
    )


class ChangeFilterForm(Form):
    """The public register's filters: an organisation's subtree, a status, a date range
    (of each change's latest step)."""

    organisation = forms.CharField(
        required=False,
        max_length=220,
        help_text="Slug or ODS code: changes for it and "  # i18n: not text (API schema)
        "everything beneath it.",
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), *ChangeStatus.choices],
        help_text="Status.",  # i18n: not text (API schema)
    )
    date_from = forms.DateField(
        required=False,
        help_text="Latest step on or after (ISO date).",  # i18n: not text (API schema)
    )
    date_to = forms.DateField(
        required=False,
        help_text="Latest step on or before (ISO date).",  # i18n: not text (API schema)
    )

    def clean_organisation(self) -> Organisation | None:
        value = self.cleaned_data["organisation"]
        if not value.strip():
            return None
        found = node_by_key(value)
        if found is None:
            raise ValidationError(
                f"No organisation is known by “{value[:60]}”."  # i18n: not text (API answer)
            )
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_date_range(self, "date_from", "date_to")
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                "This date must be the same as or after date_from.",  # i18n: not text (API answer)
            )
        return data


class ApiKeyForm(Form):
    name = forms.CharField(
        label=_("What the key is for"),
        max_length=100,
        help_text=_("For example: the trust's website, or the patient experience dashboard."),
    )
    node = forms.ChoiceField(
        label=_("For which organisation"),
        widget=LongSelect,
        help_text=_(
            "The key adds staff-only details for stories about this part and everything beneath it."
        ),
    )
    nonce = forms.CharField(
        label=_("Form"),
        widget=forms.HiddenInput,
        max_length=100,
        error_messages={"required": _("The form has expired. Please fill it in again.")},
    )

    def __init__(self, *args: Any, nodes: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nodes = {str(node.pk): node for node in nodes}
        choice_field(self, "node").choices = tree_choices(nodes)
        self.fields["node"].error_messages["invalid_choice"] = _(
            "Choose one of the organisations you manage."
        )
        if not self.is_bound:
            self.initial.setdefault("nonce", keys.new_nonce())

    def chosen_node(self) -> Organisation:
        return self.nodes[self.cleaned_data["node"]]
