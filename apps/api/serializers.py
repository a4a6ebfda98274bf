"""What the API shows of each thing: the fields of its public page, no more.

Staff-only fields (a story's criticality and moderator's note) are declared optional and
filled only by `StorySerializer` for a key whose subtree holds one of the story's
services; everywhere else they are absent, not null. The same holds for each service's
Friends and Family Test answer (`fft`): present for a key whose subtree holds that service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.changes.models import ChangeStatus
from apps.organisations.models import OrganisationKind
from apps.stories.models import Story
from apps.stories.taxonomy import (
    AuthorRole,
    Criticality,
    FftAnswer,
    Polarity,
    Progress,
    StoryLanguage,
    TagGroup,
)

from .models import ApiKey
from .permissions import staff_may_see


def absolute(path: str) -> str:
    """A full address for a path, from the site's configured address (not the request's
    Host header, which a caller controls)."""
    return f"{settings.SITE_URL}{path}"


class UtcDateTimeField(serializers.DateTimeField):
    """A moment in UTC, ISO 8601 with a Z: 2025-03-04T09:15:00Z."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M:%SZ", default_timezone=dt.UTC, **kwargs)


class LinkField(serializers.Field):
    """The public page of the object (its get_absolute_url), as a full address."""

    def __init__(self, method: str = "get_absolute_url", **kwargs: Any) -> None:
        self.method = method
        kwargs["source"] = "*"
        kwargs.setdefault("help_text", "The public page, for people.")
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return absolute(getattr(value, self.method)())


extend_schema_field({"type": "string", "format": "uri"})(LinkField)


def _choices(enum: Any) -> list[str]:
    return [str(value) for value in enum.values]


class OrganisationSummarySerializer(serializers.Serializer):
    """An organisation where another thing names it."""

    id = serializers.IntegerField()
    slug = serializers.SlugField(help_text="Its short name, as in its page's address.")
    ods_code = serializers.CharField(allow_null=True, help_text="NHS ODS code, if it has one.")
    name = serializers.CharField()
    name_cy = serializers.CharField(
        allow_blank=True,
        help_text="Its Welsh name, where its staff have given one; an empty string if not.",
    )
    kind = serializers.ChoiceField(choices=_choices(OrganisationKind))
    url = LinkField()


class ServiceSerializer(OrganisationSummarySerializer):
    """A service a story is about."""

    display_name = serializers.CharField(
        help_text="The name people recognise it by: with its site and trust, as in "
        '"Emergency Department, Ashdown General Hospital (Ashdown Vale Hospitals NHS '
        "Foundation Trust)\"; a top-level organisation's own name."
    )


class StoryServiceSerializer(ServiceSerializer):
    """A service a story is about, with the author's Friends and Family Test answer for it
    where the request has a key."""

    # Filled by StorySerializer, which knows the story (an answer is per story and
    # service) and whether there is a key; an Organisation has no `fft`, so it reads None.
    fft = serializers.ChoiceField(
        choices=_choices(FftAnswer),
        allow_null=True,
        required=False,
        help_text="Key holders only, on the services inside the key's organisation: the "
        'answer to the Friends and Family Test question, "Overall, how was your experience '
        "of our service?\", where the service's trust asked it and the author answered; null "
        "where not. Absent without a key and on other organisations' services.",
    )


class OrganisationSerializer(ServiceSerializer):
    """A node of the organisations tree: a trust or board, site, directorate, service…"""

    description = serializers.CharField(
        allow_blank=True,
        help_text="What it says of itself, in English: plain text (line breaks kept), at most "
        "1000 characters; an empty string if its staff have written none.",
    )
    description_cy = serializers.CharField(
        allow_blank=True,
        help_text="The same in Welsh, where its staff have written it; an empty string if not.",
    )
    is_active = serializers.BooleanField(help_text="False once it has closed.")
    closed_on = serializers.DateField(allow_null=True)
    address_line_1 = serializers.CharField(allow_blank=True)
    address_line_2 = serializers.CharField(allow_blank=True)
    town = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField(allow_blank=True)
    website = serializers.CharField(allow_blank=True)
    parent = serializers.SerializerMethodField(help_text="The node above, if any.")
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(OrganisationSummarySerializer(allow_null=True))
    def get_parent(self, obj: Any) -> dict[str, Any] | None:
        parent = self.context.get("parents", {}).get(obj.pk)
        if parent is None:
            return None
        return OrganisationSummarySerializer(parent, context=self.context).data

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_api_url(self, obj: Any) -> str:
        return absolute(reverse("api:organisation", kwargs={"key": obj.slug}))


class OrganisationDetailSerializer(OrganisationSerializer):
    ancestors = OrganisationSummarySerializer(
        many=True, help_text="Every node above, the top-level organisation first."
    )
    children = OrganisationSummarySerializer(many=True, help_text="The nodes just beneath.")


class TagSerializer(serializers.Serializer):
    slug = serializers.SlugField(source="tag.slug")
    label = serializers.CharField(source="tag.label")
    group = serializers.ChoiceField(choices=_choices(TagGroup), source="tag.group")
    polarity = serializers.ChoiceField(
        choices=_choices(Polarity),
        help_text="For an aspect of care, good or improve (as the author said); for a "
        "feeling, positive or negative.",
    )


class StorySerializer(serializers.Serializer):
    """A published story, as its public page shows it."""

    id = serializers.IntegerField()
    url = LinkField()
    api_url = serializers.SerializerMethodField()
    title = serializers.CharField(source="display_title")
    body = serializers.CharField()
    language = serializers.ChoiceField(
        choices=_choices(StoryLanguage),
        help_text="The language the title and body are written in: a BCP 47 code (en, cy, "
        "pl…), or und for a language not on the list.",
    )
    pseudonym = serializers.CharField(help_text="The name the author chose to show.")
    author_role = serializers.ChoiceField(choices=_choices(AuthorRole))
    experienced_on = serializers.DateField(
        help_text="The month it happened: always the first day of that month."
    )
    published_at = UtcDateTimeField()
    progress = serializers.ChoiceField(choices=_choices(Progress))
    services = StoryServiceSerializer(many=True, source="services.all")
    tags = TagSerializer(many=True, source="story_tags.all")
    read_count = serializers.IntegerField(help_text="People who read it (not page views).")
    me_too_count = serializers.IntegerField(help_text='People who said "I\'ve experienced this".')
    headline = serializers.CharField(
        required=False,
        help_text="Only when searching (q): passages of the body as HTML, its text escaped, "
        "the matched words in <mark>…</mark>.",
    )
    criticality = serializers.ChoiceField(
        choices=[int(v) for v in Criticality.values],
        allow_null=True,
        required=False,
        help_text="Staff only: present only with a key whose organisation's subtree holds "
        "one of the story's services. 0 (not critical) to 5 (severely critical).",
    )
    moderator_note = serializers.CharField(
        allow_blank=True,
        required=False,
        help_text="Staff only, as criticality: the moderator's note for staff.",
    )

    STAFF_ONLY = ("criticality", "moderator_note")

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_api_url(self, obj: Story) -> str:
        return absolute(reverse("api:story", kwargs={"pk": obj.pk}))

    def to_representation(self, instance: Story) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if getattr(instance, "headline", None) is None:
            data.pop("headline", None)
        api_key = self.context.get("api_key")
        if not staff_may_see(api_key, instance):
            for name in self.STAFF_ONLY:
                data.pop(name, None)
        # The Friends and Family Test answers: for a key, on the services inside its subtree
        # (prefetched: no query); absent everywhere else, as the staff-only fields are.
        answers = self.context.get("fft_answers", {})
        own = (
            {s.pk for s in instance.services.all() if s.path.startswith(api_key.organisation.path)}
            if isinstance(api_key, ApiKey)
            else set()
        )
        for service in data["services"]:
            if service["id"] in own:
                service["fft"] = answers.get((instance.pk, service["id"])) or None
            else:
                service.pop("fft", None)
        return data


class ChangeSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=_choices(ChangeStatus))
    summary = serializers.CharField(help_text="What will change (or was to).")
    url = LinkField(method="get_public_url")


class ResponseSerializer(serializers.Serializer):
    """A published response by a member of staff, for the organisation they answered for."""

    id = serializers.IntegerField()
    story_id = serializers.IntegerField()
    organisation = OrganisationSummarySerializer()
    author_name = serializers.CharField(help_text="As it was when they responded.")
    author_job_title = serializers.CharField(allow_blank=True)
    body_html = serializers.CharField(help_text="The response as cleaned HTML.")
    published_at = UtcDateTimeField()
    edited = serializers.SerializerMethodField(help_text="Whether it was edited after.")
    helpful_count = serializers.IntegerField(help_text='People who found it "helpful".')
    changes = ChangeSummarySerializer(
        many=True, source="outcomes", help_text="Changes this response announced."
    )

    def get_edited(self, obj: Any) -> bool:
        return obj.edited_at is not None


class StoryLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="story.id")
    title = serializers.CharField(source="story.display_title")
    url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, obj: Any) -> str:
        return absolute(obj.story.get_absolute_url())


class ChangeSerializer(ChangeSummarySerializer):
    """A change planned, made or not going ahead, as the public register shows it."""

    organisation = OrganisationSummarySerializer()
    recorded_on = serializers.SerializerMethodField()
    recorded_by_name = serializers.CharField(allow_blank=True)
    recorded_by_job_title = serializers.CharField(allow_blank=True)
    due_on = serializers.SerializerMethodField(help_text="For a planned change: by when.")
    made_on = serializers.SerializerMethodField(help_text="For a change made: when.")
    made_summary = serializers.SerializerMethodField(help_text="For a change made: what.")
    reason = serializers.SerializerMethodField(help_text="For one not going ahead: why.")
    updated_on = serializers.DateField(
        source="status_on", help_text="The date of its latest step (recorded, made, stopped)."
    )
    stories = StoryLinkSerializer(
        many=True, source="public_links", help_text="The published stories it answers."
    )

    @extend_schema_field(OpenApiTypes.DATE)
    def get_recorded_on(self, obj: Any) -> dt.date:
        return timezone.localdate(obj.created_at)

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_due_on(self, obj: Any) -> str | None:
        return obj.due_on.isoformat() if obj.status == ChangeStatus.PLANNED else None

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_made_on(self, obj: Any) -> str | None:
        made = obj.status == ChangeStatus.MADE and obj.made_on
        return obj.made_on.isoformat() if made else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_made_summary(self, obj: Any) -> str | None:
        return obj.made_summary if obj.status == ChangeStatus.MADE else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_reason(self, obj: Any) -> str | None:
        return obj.reason if obj.status == ChangeStatus.NOT_GOING_AHEAD else None
