"""Moderators check held responses (the new-responder policy) and author replies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.pii import Mark, find_personal_data, highlight, name_marks
from apps.stories.views_moderation import moderators_only

from . import selectors, services
from .forms import DecisionForm
from .models import AuthorReply, Response


@require_safe
@moderators_only
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    responses, replies = selectors.held_for_moderation()
    waiting_replies = [_marked(reply) for reply in replies[:100]]
    context = {
        "responses": list(responses[:100]),
        "replies": waiting_replies,
        "form": DecisionForm(),
        "waiting": selectors.moderation_waiting(),
    }
    return render(request, "moderation/conversation.html", context)


@dataclass(frozen=True)
class MarkedReply:
    """A reply waiting with the same privacy marks as a story: on its text and on its
    author's pseudonym."""

    reply: AuthorReply
    marks: list[Mark]
    marked: SafeString
    pseudonym_marks: list[Mark]


def _marked(reply: AuthorReply) -> MarkedReply:
    marks = find_personal_data(reply.body)
    return MarkedReply(
        reply, marks, highlight(reply.body, marks), name_marks(reply.story.pseudonym)
    )


@require_POST
@moderators_only
def decide_response(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    response = get_object_or_404(Response.objects.select_related("organisation"), pk=pk)
    return _decided(
        request,
        publish=lambda: services.response_publish(moderator=request.user, response=response),
        reject=lambda reason: services.response_reject(
            moderator=request.user, response=response, reason=reason
        ),
        published=_("The response is published."),
        rejected=_("The response is not published."),
    )


@require_POST
@moderators_only
def decide_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(AuthorReply.objects.select_related("story"), pk=pk)
    return _decided(
        request,
        publish=lambda: services.author_reply_publish(moderator=request.user, reply=reply),
        reject=lambda note: services.author_reply_reject(
            moderator=request.user, reply=reply, note=note
        ),
        published=_("The reply is published."),
        rejected=_("The reply is not published."),
    )


def _decided(
    request: AuthenticatedHttpRequest,
    *,
    publish: Callable[[], object],
    reject: Callable[[str], object],
    published: str,
    rejected: str,
) -> HttpResponse:
    """The form's decision is one of its two choices (anything else is refused with a
    message, never taken for either); each calls its own named service."""
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to publish it."))
        return redirect("conversation_moderation:queue")
    publishing = form.cleaned_data["decision"] == DecisionForm.PUBLISH
    try:
        if publishing:
            publish()
        else:
            reject(form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, published if publishing else rejected)
    return redirect("conversation_moderation:queue")
