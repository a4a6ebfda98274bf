"""Forms for ways in: the kiosk's tell flow, and the staff forms that make kiosks and
campaign links."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form, LongSelect, choice_field
from apps.organisations.forms import tree_choices
from apps.organisations.models import Organisation
from apps.stories.forms import PseudonymField, check_pseudonym
from apps.stories.models import Tag
from apps.stories.taxonomy import BODY_MAX, BODY_MIN, AuthorRole, FftAnswer, TagGroup

from .services import KioskStory

FFT_QUESTION = _("Overall, how was your experience of our service?")


class KioskTellForm(Form):
    """A story told at a kiosk, by taps and a few words: no email, no account. Each part is
    a step on screen (with JavaScript) or a section of one page (without)."""

    service = forms.ChoiceField(
        label=_("Which service is your story about?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Tap the service your story is about.")},
    )
    author_role = forms.ChoiceField(
        label=_("Who are you?"),
        choices=AuthorRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tap who you are.")},
    )
    body = forms.CharField(
        label=_("What happened?"),
        min_length=BODY_MIN,
        max_length=BODY_MAX,
        widget=forms.Textarea(
            attrs={"rows": 8, "maxlength": BODY_MAX, "minlength": BODY_MIN, "autocomplete": "off"}
        ),
        help_text=_("In your own words. Please leave out names and other personal details."),
        error_messages={"required": _("Tell us what happened.")},
    )
    feelings = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.filter(group=TagGroup.FEELING),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("How did it make you feel?"),
        help_text=_("Tap as many as you like, or none."),
    )
    fft = forms.ChoiceField(
        label=FFT_QUESTION,
        choices=FftAnswer.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    pseudonym = PseudonymField(
        label=_("A name to show with your story (optional)"),
        required=False,
        max_length=60,
        min_length=2,
        help_text=_("Not your real name: for example ‘Grateful daughter’."),
        validators=[check_pseudonym],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    helped = forms.BooleanField(
        label=_("Someone helped me tell this (a volunteer or member of staff)"),
        required=False,
    )
    helped_by = forms.CharField(
        label=_("Their name or role (optional, seen only by staff)"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree: my story is published without my name once a moderator has checked "
            "it, and a moderator may remove details that identify anyone."
        ),
        error_messages={"required": _("Tap to agree, so we can publish your story.")},
    )
    # Only robots fill this in.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(
        self, *args: Any, services: list[Organisation], ask_fft: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(org.pk): org for org in services}
        choice_field(self, "service").choices = [(str(o.pk), o.name) for o in services]
        if len(services) == 1:
            self.initial.setdefault("service", str(services[0].pk))
        if not ask_fft:
            del self.fields["fft"]
        self.ask_fft = ask_fft

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def story(self) -> KioskStory:
        data = self.cleaned_data
        service = self.services[data["service"]]
        answer = data.get("fft") or ""
        return KioskStory(
            service=service,
            body=data["body"],
            feelings=list(data["feelings"]),
            author_role=data["author_role"],
            pseudonym=data["pseudonym"] or "",
            helped=data["helped"],
            helped_by=data["helped_by"],
            fft={service.pk: answer} if answer else {},
            submission_key=data["submission_key"],
        )


class ExitForm(Form):
    pin = forms.CharField(
        label=_("Exit PIN"),
        max_length=12,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class _NodeForm(Form):
    node = forms.ChoiceField(label=_("For which service or organisation"), widget=LongSelect)
    nonce = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, nodes: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nodes = {str(node.pk): node for node in nodes}
        choice_field(self, "node").choices = tree_choices(nodes)
        self.fields["node"].error_messages["invalid_choice"] = _(
            "Choose one of the organisations you manage."
        )

    def chosen_node(self) -> Organisation:
        return self.nodes[self.cleaned_data["node"]]


class KioskMakeForm(_NodeForm):
    prefix = "kiosk"
    name = forms.CharField(
        label=_("Where the kiosk stands"),
        max_length=100,
        help_text=_("For example: Ward 7 day room, or the main entrance."),
    )
    exit_pin = forms.RegexField(
        label=_("Exit PIN (optional)"),
        regex=r"^[0-9]{4,12}$",
        required=False,
        help_text=_("4 to 12 digits that staff enter to leave kiosk mode on the tablet."),
        error_messages={"invalid": _("Use 4 to 12 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    field_order = ("name", "node", "exit_pin")


class CampaignMakeForm(_NodeForm):
    prefix = "campaign"
    name = forms.CharField(
        label=_("What the campaign is"),
        max_length=100,
        help_text=_("For example: text after outpatient appointments, spring 2027."),
    )
    expires_on = forms.DateField(
        label=_("Last day the link works (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave it empty for a link that works until you end it."),
    )
    field_order = ("name", "node", "expires_on")

    def clean_expires_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data["expires_on"]
        if day is None:
            return None
        today = timezone.localdate()
        if day < today:
            raise ValidationError(_("Choose today or a later day."))
        if day.year > today.year + 10:
            raise ValidationError(_("Choose a day within ten years."))
        return day

    def expires_at(self) -> dt.datetime | None:
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        # The link works to the end of its last day, in the site's time zone.
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
        return timezone.make_aware(end)
