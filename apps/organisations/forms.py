from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form

from .models import Organisation, OrganisationKind


class DirectorySearchForm(Form):
    q = forms.CharField(
        label=_("Name, ODS code or postcode"),
        required=False,
        max_length=100,
        help_text=_("For example: Ashdown, RX1 or LS1"),
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Any type")), *OrganisationKind.choices],
    )
    closed = forms.BooleanField(label=_("Include closed organisations"), required=False)


def tree_choices(nodes: list[Organisation]) -> list[tuple[str, str]]:
    """Choices for a select of nodes in tree order, each indented by its depth below the
    shallowest, so a long list still shows the tree."""
    top = min((node.depth for node in nodes), default=1)
    return [(str(node.pk), "\u2003" * (node.depth - top) + node.name) for node in nodes]
