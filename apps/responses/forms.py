from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.forms import Form, LongSelect, model_choice_field
from apps.organisations.models import Organisation
from apps.responders.models import Team
from apps.responders.scope import Node
from apps.stories.taxonomy import Criticality, ReportReason

from .selectors import NEEDS_DOING, NEWEST, InboxFilters


class InboxFilterForm(Form):
    """The inbox's filters and order; an unknown value is ignored rather than an error page."""

    unanswered = forms.BooleanField(label=_("No response yet"), required=False)
    unread = forms.BooleanField(label=_("Not read by me"), required=False)
    referred = forms.BooleanField(label=_("Referred to me"), required=False)
    # Checked against the scope's nodes in `filters` (an unknown one is ignored), so the
    # thousand choices are only listed, not validated as a ChoiceField would.
    service = forms.CharField(label=_("Service or part"), required=False, widget=LongSelect)
    criticality = forms.TypedChoiceField(
        label=_("Criticality at least"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *Criticality.choices],
        widget=LongSelect,
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            (NEEDS_DOING, _("What needs doing first")),
            (NEWEST, _("Newest first")),
        ],
        widget=LongSelect,
    )

    def __init__(
        self, *args: Any, services: Callable[[], list[Node]], kept_as: str, **kwargs: Any
    ) -> None:
        """`services` gives the scope's nodes, asked for only when they are needed (a
        service chosen, or its options not yet kept); `kept_as` names the options kept
        for everyone whose scope has the same paths."""
        super().__init__(*args, **kwargs)
        self.services = services
        widget = self.fields["service"].widget
        widget.choices = self._service_choices  # a callable: listed only if written
        widget.kept_as = kept_as

    def _service_choices(self) -> list[tuple[str, str]]:
        services = self.services()
        top = min((org.depth for org in services), default=1)
        return [
            ("", str(_("All"))),
            *[(org.slug, "\u2003" * (org.depth - top) + org.name) for org in services],
        ]

    def filters(self) -> InboxFilters:
        # What is valid is kept: one unknown value (a hand-edited URL) drops only itself.
        self.is_valid()
        data = self.cleaned_data
        slug = data.get("service") or ""
        return InboxFilters(
            unanswered=data.get("unanswered", False),
            unread=data.get("unread", False),
            referred=data.get("referred", False),
            service=next((org for org in self.services() if org.slug == slug), None)
            if slug
            else None,
            min_criticality=data.get("criticality"),
            sort=data.get("sort") or NEEDS_DOING,
        )


class ReferForm(Form):
    """Refer a story to one member of staff (by email) or to a team."""

    email = forms.EmailField(
        label=_("A member of staff"),
        required=False,
        help_text=_("Their email address. They must hold a role in the part you manage."),
    )
    team = forms.ModelChoiceField(
        label=_("Or a team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("No team"),
    )
    note = forms.CharField(
        label=_("A note for them"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff only: why you are asking them, and anything they should know."),
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "team").queryset = teams
        self.person: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, team = data.get("email"), data.get("team")
        if bool(email) == bool(team):
            raise forms.ValidationError(_("Choose a member of staff or a team, not both."))
        if email:
            self.person = User.objects.filter(email=email.lower(), is_active=True).first()
            if self.person is None:
                self.add_error("email", _("Nobody with that email address has an account here."))
        return data


class ResponseForm(Form):
    """A public response: on behalf of which node (when there is a choice) and the text."""

    organisation = forms.ModelChoiceField(
        label=_("Respond on behalf of"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("Your name and job title are shown with the name of this part."),
    )
    body = forms.CharField(
        label=_("Your response"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text=_(
            "Reply to this person as you would face to face. Blank lines make "
            "paragraphs; start lines with “- ” for a list; links as [words](https://…)."
        ),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        nodes: list[Organisation],
        default: Organisation | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "organisation")
        if default is not None:
            self.initial.setdefault("organisation", default.pk)
        field.queryset = Organisation.objects.filter(pk__in=[n.pk for n in nodes]).order_by("path")
        if len(nodes) == 1:
            field.widget = forms.HiddenInput()
            self.initial.setdefault("organisation", nodes[0].pk)
        self.initial.setdefault("submission_key", uuid.uuid4())


class ResponseEditForm(Form):
    body = forms.CharField(
        label=_("Your response"), widget=forms.Textarea(attrs={"rows": 8}), max_length=5000
    )


class WithdrawForm(Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Moderators must give a reason; the writer sees it."),
    )


class AuthorReplyForm(Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
        help_text=_(
            "A moderator reads every reply before it is shown. Please do not include "
            "names or contact details."
        ),
    )
    response = forms.IntegerField(required=False, widget=forms.HiddenInput)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("submission_key", uuid.uuid4())


class DecisionForm(Form):
    PUBLISH, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        choices=[(PUBLISH, _("Publish")), (REJECT, _("Do not publish"))], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Reason (shown to the writer)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportDecisionForm(Form):
    """What a moderator decides about the reports of one item: the reason the public
    sees if it is hidden (with words of its own for "other"), and a private note."""

    reason = forms.ChoiceField(
        label=_("If hiding: the reason the public will see"),
        required=False,
        choices=[("", "—"), *ReportReason.choices],
    )
    public_note = forms.CharField(
        label=_("The reason in your words (needed for “something else”; public)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Note for moderators (never public)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
