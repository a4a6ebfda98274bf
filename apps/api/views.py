"""The read-only JSON API, `/api/v1/`. Each view validates its query with a form, asks a
selector of the app that owns the data, and pages the result; no view queries a model
directly, so the API shows what the public pages show."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from apps.changes import selectors as changes
from apps.core.view_markers import cookie_free
from apps.organisations import selectors as organisations
from apps.organisations.models import Organisation
from apps.responses.selectors import conversation
from apps.stories.models import Story
from apps.stories.search import StorySearchForm, story_search
from apps.stories.selectors import story_public

from . import errors, serializers
from .forms import ChangeFilterForm, OrganisationFilterForm, node_by_key
from .models import ApiKey
from .pagination import StoryPages
from .schema import form_parameters
from .selectors import changes_everywhere, fft_answers_of

# Ids are PostgreSQL bigints; a larger number names nothing (and must not reach the query).
MAX_ID = 2**63 - 1

STORY_FILTERS = {
    "q": "Words to search for, as on the site: quotes for a phrase, `or`, `-word` to "
    "leave out. Adds `headline` to each story and orders by relevance unless `order`.",
    "organisation": "Slug or ODS code: stories about it or anything beneath it.",
    "service": "Slug or ODS code: stories naming exactly this node.",
    "tag": "A tag's slug.",
    "author_role": "Who told the story.",
    "date_from": "Published on or after this day (ISO date, UK time).",
    "date_to": "Published on or before this day (ISO date, UK time).",
    "responded": "yes: has a published response; no: has none.",
    "progress": "How far the story has come.",
    "order": "newest, or relevance (only with q). By default relevance with q, else newest.",
}
ORGANISATION_FILTERS = {
    "q": "Every word in the name (English or Welsh), or an ODS code, or the start of a "
    "postcode (LS1).",
    "kind": "The type of node.",
    "closed": "true to include closed organisations (left out by default).",
}


def _valid(form: Any, request: Request) -> Any:
    """The form bound to the query, valid, or a 400 naming each bad parameter. A parameter
    sent empty is an error here (on the site it means "any"): leave it out instead, so a
    client's empty variable is noticed rather than quietly filtering nothing."""
    empty = {
        name: ["Leave this parameter out rather than sending it empty."]
        for name in form.fields
        if request.query_params.get(name, None) == ""
    }
    if empty:
        raise ValidationError(empty)
    if not form.is_valid():
        raise ValidationError(
            {
                ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
                for name, messages in form.errors.items()
            }
        )
    return form


def _id(value: int) -> int:
    if value > MAX_ID:
        raise NotFound
    return value


def _published_story(pk: int) -> Story:
    """The published story as its public page shows it; anything else is a 404."""
    try:
        return story_public(_id(pk))
    except Story.DoesNotExist as exc:
        raise NotFound from exc


class ApiView(GenericAPIView):
    """What every endpoint shares: GET and HEAD only, no cookie read or set, and anyone
    may call it (a key only adds)."""

    http_method_names = ["get", "head"]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return cookie_free(super().as_view(**initkwargs))

    @property
    def api_key(self) -> ApiKey | None:
        auth = self.request.auth
        return auth if isinstance(auth, ApiKey) else None

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "api_key": self.api_key,
            "fft_answers": getattr(self, "fft_answers", {}),
        }

    def read_fft_answers(self, stories: list[Story]) -> None:
        """With a key, the stories' Friends and Family Test answers for the serializer
        (one query); without one, nothing is read."""
        self.fft_answers = fft_answers_of(stories) if self.api_key is not None else {}

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Public, read-only and cookie-free: any web page may read it. Keys belong on
        # servers; a browser sending one still gets only what the key allows.
        response["Access-Control-Allow-Origin"] = "*"
        # Shared caches may keep what anyone may read, for a minute; nothing a key
        # unlocked, and no error.
        public = self.api_key is None and response.status_code == 200
        response["Cache-Control"] = "public, max-age=60" if public else "no-store"
        patch_vary_headers(response, ["Authorization"])
        return response


class StoryList(ApiView):
    """Published stories with the filters of the site's story search (/stories/). Each
    story is as its public page shows it; with a key, stories about the key's part of the
    tree also carry `criticality` and `moderator_note`. As on the site, a query reaches
    its first matches only (as far as `offset` goes); `capped` says when more match."""

    pagination_class = StoryPages
    serializer_class = serializers.StorySerializer

    @extend_schema(
        operation_id="stories_list",
        summary="Published stories, newest first (or most relevant when searching)",
        parameters=form_parameters(StorySearchForm, STORY_FILTERS),
        responses=serializers.StorySerializer(many=True),
        tags=["stories"],
    )
    def get(self, request: Request) -> Response:
        form = _valid(StorySearchForm(request.query_params), request)
        filters = form.filters()
        pages: StoryPages = self.paginator
        page = pages.paginate_search(filters, request, story_search)
        self.read_fft_answers(page)
        return pages.get_paginated_response(self.get_serializer(page, many=True).data)


class StoryDetail(ApiView):
    """One published story, as its public page shows it (with a key whose subtree holds
    one of its services, also `criticality` and `moderator_note`). Anything not published
    is a 404, as on the site."""

    serializer_class = serializers.StorySerializer
    pagination_class = None

    @extend_schema(
        operation_id="stories_retrieve",
        summary="One published story",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        tags=["stories"],
    )
    def get(self, request: Request, pk: int) -> Response:
        story = _published_story(pk)
        self.read_fft_answers([story])
        return Response(self.get_serializer(story).data)


class StoryResponses(ApiView):
    """The published responses to a published story, oldest first: who answered, for
    which organisation, what they said, and the changes each one announced."""

    serializer_class = serializers.ResponseSerializer

    @extend_schema(
        operation_id="stories_responses_list",
        summary="The published responses to a story, oldest first",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses=serializers.ResponseSerializer(many=True),
        tags=["stories"],
    )
    def get(self, request: Request, pk: int) -> Response:
        story = _published_story(pk)
        responses = [e.item for e in conversation(story) if e.kind == "response"]
        announced = changes.by_response(changes.story_changes(story))
        for response in responses:
            response.outcomes = announced.get(response.pk, [])
        page = self.paginate_queryset(responses)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class OrganisationList(ApiView):
    """The directory of organisations and services, searched as on the site: by name,
    ODS code or postcode, and by type. Closed ones only with closed=true."""

    serializer_class = serializers.OrganisationSerializer

    @extend_schema(
        operation_id="organisations_list",
        summary="Organisations and services, by name",
        parameters=form_parameters(OrganisationFilterForm, ORGANISATION_FILTERS),
        responses=serializers.OrganisationSerializer(many=True),
        tags=["organisations"],
    )
    def get(self, request: Request) -> Response:
        form = _valid(OrganisationFilterForm(request.query_params), request)
        data = form.cleaned_data
        found = organisations.with_place(
            organisations.organisation_search(
                query=data["q"], kind=data["kind"], include_closed=data["closed"]
            )
        )
        page = self.paginate_queryset(found) or []
        parents = {org.pk: parent for org, parent in organisations.with_parents(page)}
        serializer = self.get_serializer(
            page, many=True, context={**self.get_serializer_context(), "parents": parents}
        )
        return self.get_paginated_response(serializer.data)


class OrganisationDetail(ApiView):
    """One organisation by its slug or ODS code, closed or not, with the nodes above it
    and just beneath it."""

    serializer_class = serializers.OrganisationDetailSerializer
    pagination_class = None

    @extend_schema(
        operation_id="organisations_retrieve",
        summary="One organisation, with the nodes above and beneath it",
        parameters=[
            OpenApiParameter(
                "key", str, OpenApiParameter.PATH, description="Its slug or its ODS code."
            )
        ],
        tags=["organisations"],
    )
    def get(self, request: Request, key: str) -> Response:
        try:
            page = organisations.organisation_page(slug=key)
        except Organisation.DoesNotExist:
            node = node_by_key(key)
            if node is None:
                raise NotFound from None
            page = organisations.organisation_page(slug=node.slug)
        organisation = page.organisation
        organisation.ancestors = page.ancestors
        organisation.children = page.children
        parents = {organisation.pk: page.ancestors[-1]} if page.ancestors else {}
        serializer = self.get_serializer(
            organisation, context={**self.get_serializer_context(), "parents": parents}
        )
        return Response(serializer.data)


class ChangeList(ApiView):
    """The public register of changes: planned, made or not going ahead, latest step
    first, for the whole tree or one organisation's subtree."""

    serializer_class = serializers.ChangeSerializer

    @extend_schema(
        operation_id="changes_list",
        summary="Changes planned, made or not going ahead, latest step first",
        parameters=form_parameters(ChangeFilterForm, {}),
        responses=serializers.ChangeSerializer(many=True),
        tags=["changes"],
    )
    def get(self, request: Request) -> Response:
        form = _valid(ChangeFilterForm(request.query_params), request)
        data = form.cleaned_data
        filters = changes.RegisterFilters(
            status=data["status"], date_from=data["date_from"], date_to=data["date_to"]
        )
        if data["organisation"] is not None:
            found = changes.register(data["organisation"], filters, timezone.localdate())
        else:
            found = changes_everywhere(filters)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class OpenApiDocument(SpectacularAPIView):
    """The OpenAPI 3 document of this API, as JSON."""

    http_method_names = ["get", "head"]
    renderer_classes = [OpenApiJsonRenderer]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return cookie_free(super().as_view(**initkwargs))


@cookie_free
def root(request: HttpRequest) -> JsonResponse:
    """Where things are: for a person trying the API in a browser."""
    links = {
        name: f"{settings.SITE_URL}{reverse(f'api:{name}')}"
        for name in ("stories", "organisations", "changes", "openapi")
    }
    return JsonResponse({**links, "documentation": "docs/api.md"})


@cookie_free
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other address under /api/v1/: a JSON 404, never the site's HTML page."""
    hint = ""
    if request.path.endswith("/"):
        try:
            match = resolve(request.path.rstrip("/"))
        except Resolver404:
            match = None
        if match is not None and match.view_name != "api:not_found":
            hint = f"Addresses here end without a slash: {request.path.rstrip('/')}"
    return errors.not_found_json(request, hint)
