"""Public parts of a conversation: "helpful" votes, and the author's replies through
their private link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from apps.core.forms import add_service_errors
from apps.core.http import HtmxHttpRequest, limited
from apps.core.view_markers import private
from apps.core.visitors import visitor_of
from apps.stories.models import StoryStatus
from apps.stories.services import story_for_token

from . import services
from .forms import AuthorReplyForm
from .models import Response, ResponseStatus


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
    messages.success(request, "Thank you: your vote is counted.")
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
        form.add_error(None, "Too many replies from here. Please try again later.")
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
                request, "Thank you. Your reply will appear once a moderator has read it."
            )
            return redirect("stories:author", token=token)
    return render(request, "responses/reply.html", {"story": story, "form": form, "token": token})
