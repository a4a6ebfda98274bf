from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from apps.core import extensions, pagecache
from apps.core.http import HtmxHttpRequest, limited
from apps.core.origin import same_origin
from apps.core.pagecache import public_page
from apps.core.view_markers import private
from apps.core.visitors import visitor_of
from apps.organisations.models import Organisation

from . import reads, reports, selectors, services
from .export import author_download as author_download_of
from .forms import (
    FFT_PREFIX,
    AuthorEmailForm,
    FlagForm,
    ResendLinkForm,
    TellForm,
    add_fft_fields,
)
from .models import Story, StoryStatus
from .retention import purge_date
from .search import StorySearchForm, search_page, search_query_string
from .taxonomy import Channel

TELL_RATE = "20/h"
TELL_GROUP = "stories.tell"


@dataclass(frozen=True)
class Way:
    """A way in other than the web form (docs/ways-in.md): a poster's code or a campaign
    link serves the tell form itself, posting back to `action`, with `services`
    preselected; `record` notes where the story came from, in the same transaction;
    `easy` is the way's easy-read pages (docs/easy-read.md), linked at the form's top."""

    channel: str
    action: str
    services: list[str]
    record: Callable[[Story], None]
    easy: str = ""


@require_http_methods(["GET", "POST"])
def tell(request: HtmxHttpRequest) -> HttpResponse:
    return tell_page(request, way=None)


def tell_page(request: HtmxHttpRequest, *, way: Way | None) -> HttpResponse:
    """The tell form. "Find" posts the whole form (so nothing typed or ticked is lost
    without JavaScript) and shows it again with the matching services added, unchecked;
    htmx asks for the service list alone. Only "Send my story" counts towards the limit."""
    sending = request.method == "POST" and "find" not in request.POST
    if request.method == "POST":
        form = TellForm(request.POST)
        keys = request.POST.getlist("services")
        query = request.POST.get("q", "")[:100]
    else:
        form = TellForm()
        keys = request.GET.getlist("service") + request.GET.getlist("services")
        keys += way.services if way else []
        query = request.GET.get("q", "")[:100]
    selected, found = selectors.service_options(selected_keys=keys, query=query)
    form.offer_services(selected + found)
    add_fft_fields(form, selected)
    if request.method == "GET":
        form.initial["services"] = [org.pk for org in selected]
    elif not sending:
        form.hold()
    # A search whose only matches are ticked already says so, not "no service matches".
    words = query.strip().casefold()
    ticked = bool(words) and any(words in org.display_name.casefold() for org in selected)
    context = {
        "form": form,
        "query": query,
        "found": found,
        "ticked": ticked,
        "action": way.action if way else reverse("stories:tell"),
        "easy_url": _easy_url(way, selected),
    }
    if request.htmx and request.method == "GET":
        if request.GET.get("part") == "fft":
            # The questions for the services ticked now, with the answers chosen so far.
            form.initial.update(
                (name, request.GET[name])
                for name in form.fields
                if name.startswith(FFT_PREFIX)
                if name in request.GET
            )
            return render(request, "stories/_fft_parts.html", context)
        return render(request, "stories/tell.html#service-options", context)
    if sending:
        if is_ratelimited(request, group=TELL_GROUP, key="ip", rate=TELL_RATE, increment=True):
            messages.error(
                request,
                _(
                    "Too many stories have been sent from here in the last hour. "
                    "Please try again later; what you typed is still below."
                ),
            )
            return render(request, "stories/tell.html", context, status=429)
        if form.is_valid():
            if form.is_robot:
                return redirect("stories:told")  # say nothing to a robot
            with transaction.atomic():
                channel = way.channel if way else Channel.WEB
                told = services.story_submit(**form.story_arguments(), channel=channel)
                if way:
                    way.record(told.story)
            if told.token:
                request.session["told_token"] = told.token
            return redirect("stories:told")
    return render(request, "stories/tell.html", context)


def _easy_url(way: Way | None, selected: list[Organisation]) -> str:
    """The easy-read pages of this way, or the web's with the first chosen service."""
    if way and way.easy:
        return way.easy
    address = reverse("stories:tell_easy")
    return f"{address}?{urlencode({'service': selected[0].pk})}" if selected else address


@private
@require_safe
def told(request: HttpRequest) -> HttpResponse:
    token = request.session.pop("told_token", None)
    # The address as emailed (from SITE_URL), to copy or write down.
    address = services.author_link_url(token) if token else ""
    return render(request, "stories/told.html", {"token": token, "address": address})


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST", block=False)
def resend_link(request: HttpRequest) -> HttpResponse:
    form = ResendLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not limited(request):
        if not form.data.get("website"):
            services.story_resend_link(email=form.cleaned_data["email"])
        # The same answer whether or not the address told a story.
        messages.success(
            request,
            _("If a story was told with that address, a new private link is on its way to it."),
        )
        return redirect("stories:resend_link")
    if limited(request):
        messages.error(request, _("Too many requests from here. Please try again later."))
    return render(request, "stories/resend_link.html", {"form": form})


def _author_story(token: str) -> Story:
    story = services.story_for_token(token)
    if story is None:
        raise Http404("This link is not valid. Ask for a new one.")
    return story


def _author_page(
    request: HttpRequest, story: Story, token: str, email_form: AuthorEmailForm
) -> HttpResponse:
    context = {
        "story": story,
        "token": token,
        "email_form": email_form,
        "changes": selectors.pending_edits(story),
        "purge_on": purge_date(story),
        "published_changes": selectors.published_edits(story),
        # A purged story's conversation has no words left to show.
        "sections": []
        if story.purged_at
        else [
            section(request, story, token)
            for section in extensions.author_page_sections.providers()
        ],
    }
    return render(request, "stories/author.html", context)


@private
@require_safe
def author(request: HttpRequest, token: str) -> HttpResponse:
    """The author's private page: status, edits to approve, withdraw, change or erase email.
    Each of its buttons posts to a view of its own below."""
    return _author_page(request, _author_story(token), token, AuthorEmailForm())


@private
@require_POST
def author_approve(request: HttpRequest, token: str) -> HttpResponse:
    """The author approves the moderator's edits, which publishes the story."""
    story = _author_story(token)
    try:
        services.story_author_approve(story_id=story.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you: your story is published."))
    return redirect("stories:author", token=token)


@private
@require_POST
def author_email(request: HttpRequest, token: str) -> HttpResponse:
    """The author changes their private email address; a wrong one comes back with its error."""
    story = _author_story(token)
    form = AuthorEmailForm(request.POST)
    if not form.is_valid():
        return _author_page(request, story, token, form)
    try:
        services.story_set_email(story_id=story.pk, email=form.cleaned_data["email"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your email address is changed."))
    return redirect("stories:author", token=token)


@private
@require_POST
def author_erase(request: HttpRequest, token: str) -> HttpResponse:
    """The author erases their email address: the link can no longer be sent again."""
    story = _author_story(token)
    try:
        services.story_set_email(story_id=story.pk, email="")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "Your email address is erased. Keep this link to "
                "follow your story: we cannot send it again."
            ),
        )
    return redirect("stories:author", token=token)


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """Withdrawing cannot be undone, so it has its own page that says what happens; only
    its button (a POST) withdraws."""
    story = _author_story(token)
    if request.method == "POST":
        try:
            services.story_withdraw(story_id=story.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your story is withdrawn and no longer public."))
        return redirect("stories:author", token=token)
    context = {"story": story, "token": token, "purge_days": settings.PURGE_AFTER_DAYS}
    return render(request, "stories/withdraw.html", context)


@private
@require_safe
def author_download(request: HttpRequest, token: str) -> HttpResponse:
    """Everything the author wrote and received, as a page to read or print."""
    story = _author_story(token)
    download = author_download_of(story.pk)
    context = {
        "story": story,
        "token": token,
        "data": download.data,
        "parts": download.templates,
        "purge_on": purge_date(story),
    }
    return render(request, "stories/author_download.html", context)


@private
@require_safe
def author_download_json(request: HttpRequest, token: str) -> HttpResponse:
    """The same as a JSON file, saved rather than shown."""
    story = _author_story(token)
    download = author_download_of(story.pk)
    response = JsonResponse(download.data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="my-story-{story.pk}.json"'
    return response


@require_safe
@vary_on_headers("HX-Request")
@public_page(lambda request: [pagecache.LIST])
def story_list(request: HtmxHttpRequest) -> HttpResponse:
    """Published stories: words to search for and filters, all in the URL; newest or most
    relevant first; the results alone for htmx."""
    form = StorySearchForm(request.GET)
    filters = form.filters() if form.is_valid() else None
    page = search_page(filters, request.GET.get("page")) if filters else None
    form.offer_choices()
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "query_string": search_query_string(request.GET, page_name="page"),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    return render(request, "stories/list.html#results" if partial else "stories/list.html", context)


def _read_rate(group: str, request: HttpRequest) -> str:
    return str(settings.STORY_READS_COUNTED_PER_HOUR) + "/h"


@require_safe
@public_page(lambda request, pk: [pagecache.story(pk)])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        story = selectors.story_public(pk)
    except Story.DoesNotExist:
        return _not_public(request, pk)
    context = {
        "story": story,
        "flag_form": FlagForm(),
        # Apps above this one (changes, the conversation) add their parts: the registry.
        "sections": [
            section(request, story) for section in extensions.story_page_sections.providers()
        ],
    }
    return render(request, "stories/detail.html", context)


# The beacon answers with the smallest transparent image there is.
BEACON = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@require_safe
@ratelimit(key="ip", rate=_read_rate, block=False)
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """The story page's beacon: this reader counted once a day (apps/stories/reads.py).
    One address reading more stories an hour than a person could is not counted."""
    if request.method == "GET" and not limited(request):
        reads.read_record(story_id=pk, visitor=visitor_of(request, per_day=True))
        if reads.flush_due():
            reads.reads_flush()
    return HttpResponse(BEACON, content_type="image/gif")


def _not_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The page of a story that was published and is no longer public: hidden by the
    moderators after a report, or restricted at a provider's request, it answers with
    the reason in place of its text and conversation. Any other story is not found."""
    hidden = selectors.story_hidden(pk)
    if hidden is not None:
        return render(request, "stories/hidden.html", {"story": hidden})
    try:
        story = selectors.story_restricted(pk)
    except Story.DoesNotExist as exc:
        raise Http404("No such published story") from exc
    return render(request, "stories/restricted.html", {"story": story})


@same_origin
@require_POST
@ratelimit(key="ip", rate="60/h", method="POST", block=False)
def me_too(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=pk, status=StoryStatus.PUBLISHED)
    if not limited(request):
        services.story_me_too(story=story, visitor=visitor_of(request))
        story.refresh_from_db(fields=["me_too_count"])
    if request.htmx:
        return render(request, "stories/detail.html#me-too", {"story": story, "me_too_done": True})
    messages.success(request, _("Thank you: your “I've experienced this” is counted."))
    return redirect(story.get_absolute_url())


REPORT_RATE = "10/h"


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=REPORT_RATE, method="POST", block=False)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """A reader reports a published story to the moderators (reason, optional note)."""
    story = get_object_or_404(Story, pk=pk, status=StoryStatus.PUBLISHED)
    form = FlagForm(request.POST or None)
    if request.method == "POST":
        if limited(request):
            form.add_error(None, _("Too many reports from here. Please try again later."))
            return render(
                request, "stories/report.html", {"story": story, "form": form}, status=429
            )
        if form.is_valid():
            if not form.is_robot:  # say nothing to a robot
                reports.story_flag(
                    story=story,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    submission_key=form.cleaned_data["submission_key"],
                )
            messages.success(request, _("Thank you. A moderator will look at this story."))
            return redirect(story.get_absolute_url())
    return render(request, "stories/report.html", {"story": story, "form": form})
