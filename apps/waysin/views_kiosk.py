"""The kiosk (a tablet at a service, opened once with its device link) and campaign links.

The kiosk's form is sent without a CSRF token: its address carries the device's 256-bit
secret, which no other site can know, and a story kept on the tablet while it was offline
may be sent hours later, when any token could have changed (docs/decisions.md)."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from apps.core.http import HtmxHttpRequest
from apps.core.view_markers import private
from apps.organisations.models import Organisation
from apps.organisations.selectors import with_place
from apps.stories.easy import Asks
from apps.stories.safeguarding import help_text_for
from apps.stories.taxonomy import Channel
from apps.stories.views import Way, tell_page
from apps.stories.views_easy import EasyWay, easy_page, web_limited, web_limited_message

from . import selectors, services
from .forms import ExitForm, KioskTellForm
from .models import Kiosk

# Per device, not per address: many kiosks share a hospital's network address.
KIOSK_RATE = "60/h"
EXIT_RATE = "10/h"
IDLE_SECONDS = 60
# The easy-read pages give people more time: three minutes without a touch.
EASY_IDLE_SECONDS = 180


def _trust_of(node: Organisation) -> Organisation:
    return Organisation.objects.only("fft_asked").get(path=node.path[: Organisation.steplen])


def _closed(request: HttpRequest, kiosk: Kiosk | None, wants_json: bool) -> HttpResponse:
    """A revoked or unknown link: said plainly, and nothing else can be done there."""
    if wants_json:
        return JsonResponse({"sent": False, "reason": "closed"}, status=410)
    return render(request, "waysin/kiosk_closed.html", {"kiosk": kiosk}, status=410)


def _device_key(kiosk: Kiosk) -> str:
    return f"kiosk:{kiosk.pk}"


@private
@csrf_exempt
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    """The kiosk's tell flow. With JavaScript the page sends by fetch, keeps a story on the
    tablet while offline, and answers in JSON; without, it is one page and a thank-you."""
    wants_json = request.headers.get("X-Kiosk") == "1"
    found = selectors.kiosk_by_token(token)
    if found is None or found.is_revoked:
        return _closed(request, found, wants_json)
    asked = _trust_of(found.node).fft_asked
    form = KioskTellForm(
        request.POST if request.method == "POST" else None,
        services=selectors.kiosk_services(found),
        ask_fft=bool(asked),
    )
    context = {
        "kiosk": found,
        "form": form,
        "token": token,
        "idle_seconds": IDLE_SECONDS,
        "kiosk_fft_first": asked == "before",
    }
    if request.method == "GET":
        return render(request, "waysin/kiosk.html", context)
    if is_ratelimited(
        request,
        group="waysin.kiosk",
        key=lambda _group, _request: _device_key(found),
        rate=KIOSK_RATE,
        increment=True,
    ):
        if wants_json:
            return JsonResponse({"sent": False, "reason": "limited"}, status=429)
        context["limited"] = True
        return render(request, "waysin/kiosk.html", context, status=429)
    if not form.is_valid():
        if wants_json:
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            return JsonResponse({"sent": False, "reason": "invalid", "errors": errors}, status=400)
        return render(request, "waysin/kiosk.html", context)
    help_now = ""
    if not form.is_robot:
        try:
            told = services.kiosk_tell(kiosk=found, told=form.story())
        except PermissionDenied:
            return _closed(request, found, wants_json)
        help_now = help_text_for(told.story) if told.story.risk_cue else ""
    if wants_json:
        return JsonResponse({"sent": True, "help": help_now})
    start = reverse("waysin:kiosk", kwargs={"token": token})
    return render(
        request, "waysin/kiosk_thanks.html", {**context, "help": help_now, "start": start}
    )


@private
@csrf_exempt
@require_http_methods(["GET", "POST"])
def kiosk_exit(request: HttpRequest, token: str) -> HttpResponse:
    """Staff leave kiosk mode on the tablet, with the kiosk's PIN where it has one."""
    found = selectors.kiosk_by_token(token)
    if found is None or found.is_revoked:
        return _closed(request, found, wants_json=False)
    form = ExitForm(request.POST if request.method == "POST" else None)
    start = reverse("waysin:kiosk", kwargs={"token": token})
    context = {"kiosk": found, "form": form, "start": start}
    if not found.exit_pin:
        return render(request, "waysin/kiosk_exit.html", {**context, "left": True})
    if request.method == "POST":
        if is_ratelimited(
            request,
            group="waysin.kiosk_exit",
            key=lambda _group, _request: _device_key(found),
            rate=EXIT_RATE,
            increment=True,
        ):
            form.add_error("pin", _("Too many tries. Wait an hour, or ask a super-user."))
        elif form.is_valid() and check_password(form.cleaned_data["pin"], found.exit_pin):
            return render(request, "waysin/kiosk_exit.html", {**context, "left": True})
        elif form.is_valid():
            form.add_error("pin", _("That is not this kiosk's PIN."))
    return render(request, "waysin/kiosk_exit.html", context)


@private
@require_http_methods(["GET", "POST"])
def campaign(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """A campaign link: the tell form with the campaign's service chosen; an expired or
    unknown link says so plainly and offers the ordinary form."""
    found = selectors.campaign_by_code(code)
    if found is None or found.has_expired():
        status = 404 if found is None else 410
        return render(request, "waysin/campaign_ended.html", {"campaign": found}, status=status)
    way = Way(
        channel=Channel.CAMPAIGN,
        action=request.path,
        services=[found.node.slug],
        record=lambda story: services.campaign_record(found, story),
        easy=reverse("waysin:campaign_easy", kwargs={"code": found.code}),
    )
    return tell_page(request, way=way)


@private
@require_http_methods(["GET", "POST"])
def kiosk_easy(request: HttpRequest, token: str) -> HttpResponse:
    """The easy-read pages at a kiosk (docs/easy-read.md): the kiosk's places, no email
    and no private link, the kiosk's channel, origin and limit; the thank-you returns to
    the kiosk, as does a few minutes without a touch."""
    found = selectors.kiosk_by_token(token)
    if found is None or found.is_revoked:
        return _closed(request, found, wants_json=False)
    start = reverse("waysin:kiosk", kwargs={"token": token})
    way = EasyWay(
        key=f"kiosk:{found.pk}",
        channel=Channel.KIOSK,
        action=reverse("waysin:kiosk_easy", kwargs={"token": token}),
        asks=Asks(places=selectors.kiosk_services(found), when=False, email=False),
        record=lambda story: services.kiosk_record(kiosk=found, story=story),
        limited=lambda req: is_ratelimited(
            req,
            group="waysin.kiosk",
            key=lambda _group, _request: _device_key(found),
            rate=KIOSK_RATE,
            increment=True,
        ),
        limited_message=_(
            "This kiosk has sent a lot of stories in the last hour. Please ask a member of "
            "staff to help you. Your answers are still here."
        ),
        standard=start,
        base_template="waysin/kiosk_base.html",
        again=start,
        idle_seconds=EASY_IDLE_SECONDS,
    )
    try:
        return easy_page(request, way=way)
    except PermissionDenied:
        return _closed(request, found, wants_json=False)


@private
@require_http_methods(["GET", "POST"])
def campaign_easy(request: HttpRequest, code: str) -> HttpResponse:
    """A campaign link's easy-read pages: its place chosen, its channel and record."""
    found = selectors.campaign_by_code(code)
    if found is None or found.has_expired():
        status = 404 if found is None else 410
        return render(request, "waysin/campaign_ended.html", {"campaign": found}, status=status)
    place = with_place(Organisation.objects.filter(pk=found.node_id)).get()
    way = EasyWay(
        key=f"campaign:{found.pk}",
        channel=Channel.CAMPAIGN,
        action=reverse("waysin:campaign_easy", kwargs={"code": found.code}),
        asks=Asks(places=[place], when=True, email=True),
        record=lambda story: services.campaign_record(found, story),
        limited=web_limited,
        limited_message=web_limited_message(),
        standard=reverse("waysin:campaign", kwargs={"code": found.code}),
    )
    return easy_page(request, way=way)
