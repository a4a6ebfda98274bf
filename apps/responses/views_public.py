"""Public parts of a conversation: "helpful" votes, and the author's replies through
their private link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from apps.core.forms import add_service_errors
from apps.core.http import HtmxHttpRequest, limited
from apps.core.origin import same_origin
from apps.core.view_markers import private
from apps.core.visitors import visitor_of
from apps.stories.forms import FlagForm
from apps.stories.models import StoryStatus
from apps.stories.services import story_for_token
from apps.stories.views import REPORT_RATE

from . import services
from .forms import AuthorReplyForm
from .models import AuthorReply, AuthorReplyStatus, Response, ResponseStatus


@same_origin
@require_POST
@ratelimit(key="ip", rate="60/h", method="POST", block=False)
def helpful(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """ "This response was helpful": once per visitor."""
    # Only on a published story: not one held for the right of reply, nor restricted.
    response = get_object_or_404(
        Response, pk=pk, status=ResponseStatus.PUBLISHED, story__status=StoryStatus.PUBLISHED
    )
    if not limited(request):
        services.response_vote_helpful(response=response, visitor=visitor_of(request))
        response.refresh_from_db(fields=["helpful_count"])
    if request.htmx:
        return render(
            request, "responses/_helpful.html", {"response": response, "voted": {response.pk}}
        )
    messages.success(request, _("Thank you: your vote is counted."))
    return redirect(f"{response.story.get_absolute_url()}#response-{response.pk}")


@private
@require_POST
@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def author_reply(request: HttpRequest, token: str) -> HttpResponse:
    """The author replies in the conversation; a moderator reads it first."""
    story = story_for_token(token)
    if story is None:
        raise Http404("This link is not valid. Ask for a new one.")
    form = AuthorReplyForm(request.POST)
    if limited(request):
        form.add_error(None, _("Too many replies from here. Please try again later."))
    elif form.is_valid():
        data = form.cleaned_data
        try:
            services.author_reply_create(
                story=story,
                body=data["body"],
                response_id=data["response"],
                submission_key=data["submission_key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Thank you. Your reply will appear once a moderator has read it.")
            )
            return redirect("stories:author", token=token)
    return render(request, "responses/reply.html", {"story": story, "form": form, "token": token})


def _report(
    request: HttpRequest, item: Response | AuthorReply, what: str, anchor: str
) -> HttpResponse:
    """The report form of a published response or author reply, as the story's own:
    rate-limited per address, a honeypot, one report per submission key."""
    back = f"{item.story.get_absolute_url()}#{anchor}"
    form = FlagForm(request.POST or None, what=what)
    context = {
        "item": item,
        "story": item.story,
        "form": form,
        "kind": "response" if isinstance(item, Response) else "reply",
        "back": back,
    }
    if request.method == "POST":
        if limited(request):
            form.add_error(None, _("Too many reports from here. Please try again later."))
            return render(request, "responses/report.html", context, status=429)
        if form.is_valid():
            if not form.is_robot:  # say nothing to a robot
                data = form.cleaned_data
                services.conversation_report(
                    response=item if isinstance(item, Response) else None,
                    reply=item if isinstance(item, AuthorReply) else None,
                    reason=data["reason"],
                    note=data["note"],
                    submission_key=data["submission_key"],
                )
            messages.success(request, _("Thank you. A moderator will look at it."))
            return redirect(back)
    return render(request, "responses/report.html", context)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=REPORT_RATE, method="POST", block=False)
def report_response(request: HttpRequest, pk: int) -> HttpResponse:
    """A reader reports a published response (on a published story) to the moderators."""
    response = get_object_or_404(
        Response.objects.select_related("story", "organisation"),
        pk=pk,
        status=ResponseStatus.PUBLISHED,
        story__status=StoryStatus.PUBLISHED,
    )
    return _report(request, response, pgettext("the thing reported", "response"), f"response-{pk}")


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=REPORT_RATE, method="POST", block=False)
def report_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A reader reports a published author reply (on a published story)."""
    reply = get_object_or_404(
        AuthorReply.objects.select_related("story"),
        pk=pk,
        status=AuthorReplyStatus.PUBLISHED,
        story__status=StoryStatus.PUBLISHED,
    )
    return _report(request, reply, pgettext("the thing reported", "reply"), f"reply-{pk}")
