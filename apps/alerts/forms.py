from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form, LongSelect, choice_field
from apps.organisations.models import Organisation
from apps.responders.scope import Node
from apps.stories.models import Tag
from apps.stories.taxonomy import Criticality

from .models import Frequency


class SubscriptionForm(Form):
    organisation = forms.ChoiceField(
        label=_("Stories about"),
        widget=LongSelect,
        help_text=_("This part and everything in it."),
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.DAILY
    )
    min_criticality = forms.TypedChoiceField(
        label=_("Criticality at least"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Any")),
            *[(c.value, format_lazy("{}: {}", c.value, c.label)) for c in Criticality],
        ],
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Only stories with these tags (optional)"),
        queryset=Tag.objects.order_by("group", "position"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty for every story."),
    )

    def __init__(self, *args: Any, nodes: list[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nodes = {str(n.pk): n for n in nodes}
        choice_field(self, "organisation").choices = [
            (n.pk, f"{'– ' * (n.depth - 1)}{n.name}") for n in nodes
        ]

    def clean_organisation(self) -> Organisation:
        # The choices are plain rows of the scope; the subscription needs the node itself
        # (gone since the form was shown: Django's own words for a choice not offered).
        value = self.cleaned_data["organisation"]
        node = Organisation.objects.filter(pk=self.nodes[value].pk).first()
        if node is None:
            message = self.fields["organisation"].error_messages["invalid_choice"]
            raise forms.ValidationError(message, code="invalid_choice", params={"value": value})
        return node
