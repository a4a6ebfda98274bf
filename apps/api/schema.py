"""The OpenAPI document's shared parts: the error responses every operation can give, and
query parameters read off the very forms that validate them (so the document cannot
drift from the site's filters)."""

from __future__ import annotations

from typing import Any

from django import forms
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error: a stable code to branch on, and a message for people.",
    "required": ["code", "message"],
    "properties": {
        "code": {
            "type": "string",
            "description": "invalid_parameter, invalid_key, not_found, rate_limited, "
            "method_not_allowed, not_acceptable or server_error.",
            "example": "invalid_parameter",
        },
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "description": "With invalid_parameter: the messages for each query parameter.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's, with the errors of DESIGN.md's contract on every operation."""

    def _error(self, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
        component = ResolvedComponent(
            name="Error",
            type=ResolvedComponent.SCHEMA,
            object="apps.api.Error",
            schema=ERROR_SCHEMA,
        )
        self.registry.register_on_missing(component)
        response: dict[str, Any] = {
            "description": description,
            "content": {"application/json": {"schema": component.ref}},
        }
        if headers:
            response["headers"] = headers
        return response

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        parameters = self._get_parameters()
        if any(p["in"] == "query" for p in parameters):
            responses["400"] = self._error("A query parameter is not valid (invalid_parameter).")
        responses["401"] = self._error(
            "The Authorization header holds no working key (invalid_key).",
            {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
        )
        if any(p["in"] == "path" for p in parameters):
            responses["404"] = self._error("Nothing published has this id (not_found).")
        responses["429"] = self._error(
            "Over the rate limit (rate_limited).",
            {
                "Retry-After": {
                    "schema": {"type": "integer", "minimum": 1},
                    "required": True,
                    "description": "Seconds to wait before trying again.",
                }
            },
        )
        return responses


def form_parameters(
    form_class: type[forms.Form], descriptions: dict[str, str], **form_kwargs: Any
) -> list[OpenApiParameter]:
    """One optional query parameter per field of the form, typed from the field."""
    form = form_class(**form_kwargs)
    parameters = []
    for name, field in form.fields.items():
        schema: dict[str, Any] = {"type": "string"}
        if isinstance(field, forms.DateField):
            schema["format"] = "date"
        elif isinstance(field, forms.ChoiceField):
            choices: Any = field.choices
            schema["enum"] = [str(value) for value, _ in choices if value != ""]
        elif isinstance(field, forms.CharField):
            # An empty parameter is refused (apps.api.views._valid): the document says so.
            schema["minLength"] = 1
            if field.max_length:
                schema["maxLength"] = field.max_length
        parameters.append(
            OpenApiParameter(
                name,
                schema,
                OpenApiParameter.QUERY,
                required=False,
                description=descriptions.get(name, str(field.help_text or field.label or "")),
            )
        )
    return parameters
