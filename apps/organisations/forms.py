from django import forms

from apps.core.forms import Form

from .models import OrganisationKind


class DirectorySearchForm(Form):
    q = forms.CharField(
        label="Name, ODS code or postcode",
        required=False,
        max_length=100,
        help_text="For example: Ashdown, RX1 or LS1",
    )
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[("", "Any type"), *OrganisationKind.choices],
    )
    closed = forms.BooleanField(label="Include closed organisations", required=False)
