"""Moderators check held responses (the new-responder policy) and author replies."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from apps.stories.views_moderation import moderators_only

from . import selectors, services
from .forms import DecisionForm
from .models import AuthorReply, Response


@require_safe
@moderators_only
def queue(request: HttpRequest) -> HttpResponse:
    responses, replies = selectors.held_for_moderation()
    context = {
        "responses": list(responses[:100]),
        "replies": list(replies[:100]),
        "form": DecisionForm(),
        "waiting": selectors.moderation_waiting(),
    }
    return render(request, "moderation/conversation.html", context)


def _decided(request: HttpRequest, decide: object, what: str) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to publish it.")
        return redirect("conversation_moderation:queue")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        decide(approve, form.cleaned_data["note"])  # type: ignore[operator]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The {what} is {'published' if approve else 'not published'}.")
    return redirect("conversation_moderation:queue")


@require_POST
@moderators_only
def decide_response(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_object_or_404(Response.objects.select_related("organisation"), pk=pk)
    return _decided(
        request,
        lambda approve, note: services.response_moderate(
            moderator=request.user,  # type: ignore[arg-type]
            response=response,
            approve=approve,
            reason=note,
        ),
        "response",
    )


@require_POST
@moderators_only
def decide_reply(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(AuthorReply.objects.select_related("story"), pk=pk)
    return _decided(
        request,
        lambda approve, note: services.author_reply_moderate(
            moderator=request.user,  # type: ignore[arg-type]
            reply=reply,
            approve=approve,
            note=note,
        ),
        "reply",
    )
