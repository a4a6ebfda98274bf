"""The "Save this view" form of search and insight pages, for signed-in staff:
`{% save_view_form %}` (insight pages) or `{% save_view_form "search" %}`."""

from __future__ import annotations

from typing import Any

from django import template

from apps.insights.models_saved import ViewKind
from apps.insights.saved import SaveViewForm, canonical_query
from apps.responders.permissions import is_staff_member
from apps.stories.search import StorySearchForm

register = template.Library()


@register.inclusion_tag("insights/saved/_save_form.html", takes_context=True)
def save_view_form(context: template.Context, kind: str = "") -> dict[str, Any]:
    """Nothing for visitors, people who are not staff, or a page whose filters have errors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    page_form = context.get("form")
    if (
        user is None
        or not user.is_authenticated
        or not isinstance(page_form, StorySearchForm)
        or not page_form.is_valid()
        or not is_staff_member(user)
    ):
        return {"show": False}
    organisation = context.get("organisation")
    if not kind:
        kind = ViewKind.STAFF_INSIGHT if context.get("staff") else ViewKind.INSIGHT
    initial = {
        "kind": kind,
        "organisation": organisation.slug if organisation and kind != ViewKind.SEARCH else "",
        "query": canonical_query(page_form),
    }
    form = SaveViewForm(initial=initial, user=user, auto_id="save-%s")
    return {"show": True, "save_form": form, "csrf_token": context.get("csrf_token")}
