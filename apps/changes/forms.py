from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateBoxesField, Form, LongSelect, choice_field
from apps.organisations.models import Organisation
from apps.responses.models import Response

from .models import Change, ChangeStatus
from .selectors import OVERDUE, RegisterFilters


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _node_choices(nodes: list[Organisation], blank: str = "") -> list[tuple[str, str]]:
    top = min((org.depth for org in nodes), default=1)
    choices = [(str(org.pk), "\u2003" * (org.depth - top) + org.name) for org in nodes]
    return [("", blank), *choices] if blank else choices


def _response_choices(responses: list[Response]) -> list[tuple[str, str]]:
    return [
        ("", gettext("None in particular")),
        *[
            (
                str(r.pk),
                gettext("%(name)s, %(date)s")
                % {"name": r.author_name, "date": date_format(r.published_at, "d M Y")}
                if r.published_at
                else r.author_name,
            )
            for r in responses
        ],
    ]


class ChangePlanForm(Form):
    summary = forms.CharField(
        label=_("What will change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In plain words, for the public: what you will do differently."),
    )
    organisation = forms.ChoiceField(
        label=_("For which service or part"),
        help_text=_("The change is listed on its page and the pages above it."),
    )
    due_on = forms.DateField(label=_("By when"), widget=DateInput())
    response = forms.ChoiceField(
        label=_("Announced in which response"),
        required=False,
        help_text=_("The response that says so shows the change beside it."),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, nodes: list[Organisation], responses: list[Response], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.nodes = {str(org.pk): org for org in nodes}
        # With a choice to make, nothing is chosen for the responder: a change silently
        # filed under the wrong part would be listed on the wrong pages.
        choice_field(self, "organisation").choices = _node_choices(
            nodes, blank=gettext("Choose a service or part") if len(nodes) > 1 else ""
        )
        self.fields["organisation"].error_messages["required"] = gettext(
            "Choose which service or part the change is for."
        )
        choice_field(self, "response").choices = _response_choices(responses)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
            if len(nodes) == 1:
                self.initial.setdefault("organisation", str(nodes[0].pk))

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "organisation": self.nodes[data["organisation"]],
            "summary": data["summary"],
            "due_on": data["due_on"],
            "response_id": int(data["response"]) if data["response"] else None,
            "submission_key": data["submission_key"],
        }


class ChangeEditForm(Form):
    summary = ChangePlanForm.base_fields["summary"]
    due_on = forms.DateField(label=_("By when"), widget=DateInput())

    @classmethod
    def of(cls, change: Change) -> ChangeEditForm:
        return cls(initial={"summary": change.summary, "due_on": change.due_on}, prefix="edit")


class ChangeMadeForm(Form):
    made_summary = forms.CharField(
        label=_("What changed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the public and the authors of its stories: what is different now."),
    )
    made_on = forms.DateField(label=_("When it changed"), widget=DateInput())

    @classmethod
    def blank(cls) -> ChangeMadeForm:
        return cls(initial={"made_on": timezone.localdate()}, prefix="made")


class ChangeStopForm(Form):
    reason = forms.CharField(
        label=_("Why it is not going ahead"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("This is public, and the authors of its stories are told."),
    )


class ChangeLinkForm(Form):
    change = forms.ChoiceField(label=_("A planned change"))
    response = forms.ChoiceField(label=_("Announced in which response"), required=False)

    def __init__(
        self, *args: Any, changes: list[Change], responses: list[Response], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.changes = {str(c.pk): c for c in changes}
        choice_field(self, "change").choices = [
            (
                str(c.pk),
                gettext("%(summary)s (%(name)s, by %(date)s)")
                % {
                    "summary": c.summary[:80],
                    "name": c.organisation.name,
                    "date": date_format(c.due_on, "d M Y"),
                },
            )
            for c in changes
        ]
        choice_field(self, "response").choices = _response_choices(responses)


STATUS_CHOICES = [("", _("Any")), *ChangeStatus.choices]


class RegisterFilterForm(Form):
    """The register's filters; an unknown value is ignored rather than an error page."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    service = forms.ChoiceField(label=_("Service or part"), required=False, widget=LongSelect)
    date_from = DateBoxesField(
        label=_("Updated from"), required=False, help_text=_("For example, 27 3 2026")
    )
    date_to = DateBoxesField(
        label=_("Updated to"), required=False, help_text=_("For example, 27 3 2026")
    )

    def __init__(self, *args: Any, services: list[Organisation], staff: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.nodes = {org.slug: org for org in services}
        overdue = [(OVERDUE, gettext("Overdue (planned, past its date)"))] if staff else []
        choice_field(self, "status").choices = [*STATUS_CHOICES, *overdue]
        top = min((org.depth for org in services), default=1)
        choice_field(self, "service").choices = [
            ("", gettext("All")),
            *[(org.slug, "\u2003" * (org.depth - top) + org.name) for org in services],
        ]

    def filters(self) -> RegisterFilters:
        if not self.is_valid():
            return RegisterFilters()
        data = self.cleaned_data
        return RegisterFilters(
            status=data["status"],
            service=self.nodes.get(data["service"]),
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
