"""The search's form: GET parameters in, a `StoryFilters` out, and the lists to choose from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateBoxesField, Form, LongSelect, check_date_range, choice_field
from apps.organisations.models import SERVICE_KINDS, Organisation, OrganisationKind

from ..models import Tag
from ..taxonomy import AuthorRole, Progress, TagGroup, tag_label
from .queries import NEWEST, RELEVANCE, StoryFilters, subtree_nodes

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Q_MAX = 200
RESPONDED_CHOICES = [
    # Translators: a story may have a response or not; this option means either.
    ("", _("Either")),
    ("yes", _("Has a response")),
    ("no", _("No response yet")),
]
ORDER_CHOICES = [(RELEVANCE, _("Most relevant first")), (NEWEST, _("Newest first"))]


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


def _progress_choices() -> list[tuple[str, StrOrPromise]]:
    """The progress steps, each label with a capital, in the page's language when shown."""
    return [(p.value, capfirst(p.label)) for p in Progress]


def _node(value: str) -> Organisation | None:
    """The node with this slug or ODS code."""
    value = value.strip()
    return (
        Organisation.objects.filter(Q(slug=value) | Q(ods_code=value.upper()))
        .order_by("depth")
        .first()
    )


class StorySearchForm(Form):
    """The search's GET parameters, every one optional.

    q (at most 200 characters), organisation (slug or ODS code: its whole subtree),
    service (slug or ODS code: that node exactly), tag (a Tag slug), author_role,
    date_from, date_to (ISO dates, or from the page three boxes each, `date_from_day`,
    `date_from_month`, `date_from_year`; from no later than to), responded ("yes", "no" or
    empty), progress (a Progress value), order ("newest", "relevance" or empty: most
    relevant when there are words, else newest). An unknown slug or code is an error on
    its field. `filters()` gives the `StoryFilters` of a valid form.

    `fixed_organisation` (an organisation page) sets the organisation and takes the field
    away. Widgets offer no choices until `offer_choices()` (the site calls it; the API
    only validates)."""

    q = forms.CharField(
        label=_("Words to search for"),
        required=False,
        max_length=Q_MAX,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
        # Translators: examples of the search's syntax: a phrase in quotes, "or", and a
        # minus before a word to leave out. Translate the words, keep the marks.
        help_text=_('For example: night staff, "waiting room", nurse or doctor, parking -fees'),
    )
    organisation = forms.CharField(label=_("Organisation"), required=False, widget=LongSelect)
    service = forms.CharField(label=_("Service"), required=False, widget=LongSelect)
    # Translators: the topic a story is about (a search filter).
    tag = forms.CharField(label=pgettext_lazy("topic", "About"), required=False, widget=LongSelect)
    author_role = forms.ChoiceField(
        label=_("Told by"),
        required=False,
        choices=[("", _("Anyone")), *AuthorRole.choices],
        widget=LongSelect,
    )
    date_from = DateBoxesField(
        label=_("Published from"), required=False, help_text=_("For example, 27 3 2026")
    )
    date_to = DateBoxesField(
        label=_("Published to"), required=False, help_text=_("For example, 27 3 2026")
    )
    responded = forms.ChoiceField(
        label=_("Response"), required=False, choices=RESPONDED_CHOICES, widget=LongSelect
    )
    progress = forms.ChoiceField(
        label=_("Progress"),
        required=False,
        # Translators: the option of a filter by progress that leaves no story out.
        choices=[("", pgettext_lazy("progress", "Any")), *_progress_choices()],
        widget=LongSelect,
    )
    order = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=ORDER_CHOICES,
        widget=LongSelect,
        help_text=_("Without words to search for, the newest come first."),
    )

    def __init__(self, *args: Any, fixed_organisation: Organisation | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fixed_organisation = fixed_organisation
        if fixed_organisation is not None:
            del self.fields["organisation"]
        self.fields["author_role"].error_messages["invalid_choice"] = gettext(
            "Choose who told the story from the list."
        )
        self.fields["responded"].error_messages["invalid_choice"] = gettext(
            'Choose "yes", "no" or either.'
        )
        self.fields["progress"].error_messages["invalid_choice"] = gettext(
            "Choose a step from the list."
        )
        # Translators: "newest" and "relevance" are the values in the address: keep them.
        self.fields["order"].error_messages["invalid_choice"] = gettext(
            'Choose "newest" or "relevance" for the order.'
        )

    def clean_q(self) -> str:
        q = " ".join(str(self.cleaned_data["q"]).split())
        if q and not _has_lexemes(q):
            raise ValidationError(
                gettext(
                    "These words are too common to search for (like “the” or “and”), or are "
                    "not words. Add a more particular word."
                )
            )
        return q

    def clean_organisation(self) -> Organisation | None:
        value = self.cleaned_data["organisation"].strip()
        if not value:
            return None
        org = _node(value)
        if org is None:
            raise ValidationError(
                gettext(
                    "No organisation is known by “%(value)s” (its short name or ODS code). "
                    "Choose one from the list."
                )
                % {"value": value[:60]}
            )
        return org

    def clean_service(self) -> Organisation | None:
        value = self.cleaned_data["service"].strip()
        if not value:
            return None
        org = _node(value)
        if org is None:
            raise ValidationError(
                gettext(
                    "No service is known by “%(value)s” (its short name or ODS code). "
                    "Choose one from the list."
                )
                % {"value": value[:60]}
            )
        return org

    def clean_tag(self) -> Tag | None:
        value = self.cleaned_data["tag"].strip()
        if not value:
            return None
        tag = Tag.objects.filter(slug=value).first()
        if tag is None:
            raise ValidationError(
                gettext("There is no topic “%(value)s”. Choose one from the list.")
                % {"value": value[:60]}
            )
        return tag

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_date_range(self, "date_from", "date_to")
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to", gettext("This date must be the same as or after the “from” date.")
            )
        within = self.fixed_organisation or data.get("organisation")
        service = data.get("service")
        if within and service and not service.path.startswith(within.path):
            self.add_error(
                "service",
                gettext(
                    "%(service)s is not part of %(organisation)s. Choose one of its services, "
                    "or any service."
                )
                % {"service": service.name, "organisation": within.name},
            )
        return data

    @property
    def oob_targets(self) -> str:
        """The parts of the form an htmx search replaces out of band: the errors' boxes and
        the service field (its ids, as a selector list)."""
        boxes = [f"#{f.auto_id}_error" for f in self.visible_fields() if f.name != "service"]
        return ",".join([*boxes, "#search-service", "#search-filters-active"])

    FOLDED = ("organisation", "service", "tag", "author_role", "responded", "progress")

    @property
    def filters_in_use(self) -> list[str]:
        """The filters this search applies, in words ("Has a response", "From 27 March
        2026"), for the summary of the folded filters; none while the form has errors."""
        if not self.is_valid():
            return []
        data = self.cleaned_data
        shown: list[str] = []
        for name in self.FOLDED:
            value = data.get(name)
            if not value or name not in self.fields:
                continue
            if isinstance(value, Organisation):
                shown.append(value.name)
            elif isinstance(value, Tag):
                shown.append(_capitalised(tag_label(value.label)))
            else:
                # A ChoiceField keeps its choices as a list of pairs, whatever it was given.
                pairs = cast("list[tuple[object, object]]", choice_field(self, name).choices)
                labels = dict(pairs)
                shown.append(str(labels.get(value, value)))
        for name, words in (("date_from", _("From %(day)s")), ("date_to", _("To %(day)s"))):
            if data.get(name):
                shown.append(words % {"day": date_format(data[name], "j F Y")})
        return shown

    @property
    def filters_open(self) -> bool:
        """Whether the folded filters start open: when one of them has an error to show."""
        return any(name in self.errors for name in (*self.FOLDED, "date_from", "date_to", "order"))

    def offer_choices(self) -> None:
        """Fill the selects for a page: trusts and health boards (and the chosen node, of
        any kind), the services of the chosen organisation, and the topics. Three queries."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        chosen: Organisation | None = data.get("organisation")
        within = self.fixed_organisation or chosen
        service: Organisation | None = data.get("service")
        if "organisation" in self.fields:
            tops = list(
                Organisation.objects.filter(
                    depth=1, kind__in=[OrganisationKind.TRUST, OrganisationKind.BOARD]
                ).order_by("name")
            )
            if chosen is not None and chosen not in tops:
                tops.insert(0, chosen)
            self.fields["organisation"].widget.choices = [
                ("", gettext("All organisations")),
                *[(org.slug, org.name) for org in tops],
            ]
        services = _service_options(within)
        if service is not None and service.pk not in {org.pk for org, _parent in services}:
            services.insert(0, (service, None))
        # An organisation page of a single service has nothing to choose.
        self.shows_services = self.fixed_organisation is None or len(services) > 1
        self.fields["service"].help_text = (
            "" if services else gettext("Choose an organisation first to list its services.")
        )
        self.fields["service"].widget.choices = [
            ("", gettext("Any service")),
            *[
                (org.slug, f"{org.name} ({parent.name})" if parent else org.name)
                for org, parent in services
            ],
        ]
        groups: dict[str, list[tuple[str, str]]] = {}
        for tag in Tag.objects.order_by("group", "position"):
            groups.setdefault(str(TagGroup(tag.group).label).capitalize(), []).append(
                (tag.slug, _capitalised(tag_label(tag.label)))
            )
        self.fields["tag"].widget.choices = [
            # Translators: the option of the topic filter that leaves no story out.
            ("", gettext("Anything")),
            *groups.items(),
        ]
        # A node named by its ODS code shows as chosen in a list keyed by slug.
        shown = QueryDict(mutable=True)
        if isinstance(self.data, QueryDict):
            shown = self.data.copy()
        else:
            shown.update(self.data)
        for name, node in (("organisation", chosen), ("service", service)):
            if node is not None and name in self.fields:
                shown[name] = node.slug
        self.data = shown

    def filters(self) -> StoryFilters:
        """The filters of this (valid) form; raises ValueError if it is not valid."""
        if not self.is_valid():
            raise ValueError("the search form is not valid")
        data = self.cleaned_data
        q = data["q"]
        order = data["order"] or (RELEVANCE if q else NEWEST)
        return StoryFilters(
            q=q,
            organisation=self.fixed_organisation or data.get("organisation"),
            service=data["service"],
            tag=data["tag"],
            author_role=data["author_role"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            responded={"yes": True, "no": False}.get(data["responded"]),
            progress=data["progress"],
            order=order if q else NEWEST,
        )


def _service_options(
    within: Organisation | None,
) -> list[tuple[Organisation, Organisation | None]]:
    """The services of `within`'s subtree, each with its parent when that is in the subtree
    too (one query: the whole subtree, parents found by path)."""
    if within is None:
        return []
    nodes = subtree_nodes(within)
    by_path = {org.path: org for org in nodes}
    return [
        (org, by_path.get(org.path[: -Organisation.steplen]))
        for org in nodes
        if org.kind in SERVICE_KINDS
    ]


def _has_lexemes(q: str) -> bool:
    """Whether websearch_to_tsquery keeps any word of `q` (stop words alone give nothing)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(websearch_to_tsquery('english', %s)) > 0", [q])
        row = cursor.fetchone()
    return bool(row and row[0])
