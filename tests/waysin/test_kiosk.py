from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.stories.models import Story, StoryService, Tag
from apps.stories.taxonomy import Channel
from apps.waysin import services
from apps.waysin.models import Kiosk, StoryOrigin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def make_kiosk(actor: User, node: Organisation, pin: str = "") -> tuple[Kiosk, str]:
    made = services.kiosk_create(
        actor=actor, node=node, name="Day room tablet", exit_pin=pin, nonce=uuid.uuid4()
    )
    return made.kiosk, made.token


def told(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "author_role": "patient",
        "body": "The nurses on the ward explained every step and my pain was well managed.",
        "feelings": [Tag.objects.get(slug="felt-grateful").pk],
        "pseudonym": "",
        "consent": "on",
        "website": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_kiosk_link_opens_the_tell_flow_for_its_node_only(
    super_user: User, ward: Organisation, other_org: Organisation
) -> None:
    kiosk, token = make_kiosk(super_user, ward)
    page = Client().get(reverse("waysin:kiosk", kwargs={"token": token}))
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    html = page.content.decode()
    assert "Ward 7" in html
    # One service: it is chosen already, and nothing else can be chosen.
    assert f'name="service" value="{ward.pk}"' in html
    assert other_org.name not in html
    response = Client().post(
        reverse("waysin:kiosk", kwargs={"token": token}), told(service=str(other_org.pk))
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Story.objects.exists()


def test_kiosk_story_is_told_without_email_and_keeps_its_kiosk(
    super_user: User, ward: Organisation
) -> None:
    kiosk, token = make_kiosk(super_user, ward)
    response = Client().post(
        reverse("waysin:kiosk", kwargs={"token": token}), told(service=str(ward.pk))
    )
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    # Nothing of the story on the thank-you: the next person sees this page.
    assert "pain was well managed" not in response.content.decode()
    story = Story.objects.get()
    assert story.channel == Channel.KIOSK
    assert story.author_email == ""
    assert story.pseudonym == "A visitor"
    assert list(story.services.all()) == [ward]
    assert StoryOrigin.objects.get(story=story).kiosk == kiosk
    kiosk.refresh_from_db()
    assert kiosk.last_used_at is not None


def test_kiosk_same_key_twice_makes_one_story(super_user: User, ward: Organisation) -> None:
    _kiosk, token = make_kiosk(super_user, ward)
    data = told(service=str(ward.pk))
    url = reverse("waysin:kiosk", kwargs={"token": token})
    for _ in range(3):
        answer = Client().post(url, data, HTTP_X_KIOSK="1")
        assert answer.status_code == 200
        assert answer.json()["sent"] is True
    assert Story.objects.count() == 1
    assert StoryOrigin.objects.count() == 1


def test_kiosk_helped_story_is_assisted_and_the_helper_private(
    super_user: User, ward: Organisation
) -> None:
    _kiosk, token = make_kiosk(super_user, ward)
    Client().post(
        reverse("waysin:kiosk", kwargs={"token": token}),
        told(service=str(ward.pk), helped="on", helped_by="Jo, ward volunteer"),
    )
    story = Story.objects.get()
    assert story.channel == Channel.ASSISTED
    assert story.helped_by == "Jo, ward volunteer"
    story.status = "published"
    story.published_at = timezone.now()
    story.save()
    public = Client().get(story.get_absolute_url()).content.decode()
    assert "ward volunteer" not in public


def test_kiosk_json_answers_name_the_problem(super_user: User, ward: Organisation) -> None:
    _kiosk, token = make_kiosk(super_user, ward)
    answer = Client().post(
        reverse("waysin:kiosk", kwargs={"token": token}),
        told(service=str(ward.pk), body="short", consent=""),
        HTTP_X_KIOSK="1",
    )
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"body", "consent"}
    assert not Story.objects.exists()


def test_revoked_kiosk_says_so_and_tells_nothing(super_user: User, ward: Organisation) -> None:
    kiosk, token = make_kiosk(super_user, ward)
    assert services.kiosk_revoke(actor=super_user, kiosk=kiosk)
    assert not services.kiosk_revoke(actor=super_user, kiosk=kiosk)
    url = reverse("waysin:kiosk", kwargs={"token": token})
    page = Client().get(url)
    assert page.status_code == 410
    assert "This kiosk is switched off" in page.content.decode()
    assert Client().post(url, told(service=str(ward.pk))).status_code == 410
    answer = Client().post(url, told(service=str(ward.pk)), HTTP_X_KIOSK="1")
    assert answer.status_code == 410
    assert answer.json() == {"sent": False, "reason": "closed"}
    assert not Story.objects.exists()
    assert AuditEntry.objects.filter(action="waysin.kiosk.revoked").count() == 1


def test_unknown_kiosk_link_is_closed(db: None) -> None:
    assert Client().get("/kiosk/not-a-real-kiosk-link-at-all-xyz/").status_code == 410
    assert Client().get("/kiosk/x/").status_code == 410


def test_kiosk_is_rate_limited_per_device_not_per_address(
    super_user: User, ward: Organisation, settings: Any
) -> None:
    from apps.waysin import views_kiosk

    settings.RATELIMIT_ENABLE = True
    _first, first_token = make_kiosk(super_user, ward)
    _second, second_token = make_kiosk(super_user, ward)
    limit = int(views_kiosk.KIOSK_RATE.split("/")[0])
    first = reverse("waysin:kiosk", kwargs={"token": first_token})
    for _ in range(limit):
        assert Client().post(first, told(service=str(ward.pk)), HTTP_X_KIOSK="1").status_code == 200
    refused = Client().post(first, told(service=str(ward.pk)), HTTP_X_KIOSK="1")
    assert refused.status_code == 429
    # Another kiosk on the same network address goes on.
    second = reverse("waysin:kiosk", kwargs={"token": second_token})
    assert Client().post(second, told(service=str(ward.pk)), HTTP_X_KIOSK="1").status_code == 200


def test_kiosk_for_a_site_offers_its_services_by_buttons(
    super_user: User, org: Organisation, ward: Organisation
) -> None:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    _kiosk, token = make_kiosk(super_user, site)
    html = Client().get(reverse("waysin:kiosk", kwargs={"token": token})).content.decode()
    assert 'type="radio" name="service"' in html
    assert "Ward 7" in html
    assert "Northfield Outpatients" in html
    missing = Client().post(reverse("waysin:kiosk", kwargs={"token": token}), told())
    assert "Tap the service your story is about." in missing.content.decode()


def test_kiosk_asks_the_friends_and_family_question_where_the_trust_does(
    super_user: User, org: Organisation, ward: Organisation
) -> None:
    _kiosk, token = make_kiosk(super_user, ward)
    url = reverse("waysin:kiosk", kwargs={"token": token})
    assert "Overall, how was your experience" not in Client().get(url).content.decode()
    org.fft_asked = "after"
    org.save()
    assert "Overall, how was your experience" in Client().get(url).content.decode()
    Client().post(url, told(service=str(ward.pk), fft="very_good"))
    assert StoryService.objects.get(organisation=ward).fft == "very_good"


def test_exit_pin(super_user: User, ward: Organisation) -> None:
    _kiosk, token = make_kiosk(super_user, ward, pin="4321")
    url = reverse("waysin:kiosk_exit", kwargs={"token": token})
    assert "Exit PIN" in Client().get(url).content.decode()
    wrong = Client().post(url, {"pin": "1111"})
    assert "not this kiosk" in wrong.content.decode()
    right = Client().post(url, {"pin": "4321"})
    assert "Kiosk mode has ended" in right.content.decode()
    assert right["Cache-Control"] == "private, no-store"


def test_only_managers_make_kiosks(responder: User, super_user: User, ward: Organisation) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        make_kiosk(responder, ward)
    kiosk, token = make_kiosk(super_user, ward)
    assert len(token) >= 40
    assert token not in kiosk.token_hash
    entry = AuditEntry.objects.get(action="waysin.kiosk.created")
    assert token not in str(entry.details)


def test_feeling_tiles_carry_a_picture_of_their_polarity(
    super_user: User, ward: Organisation
) -> None:
    _kiosk, token = make_kiosk(super_user, ward)
    html = Client().get(reverse("waysin:kiosk", kwargs={"token": token})).content.decode()
    grateful = html.split(f'value="{Tag.objects.get(slug="felt-grateful").pk}"')[1][:400]
    angry = html.split(f'value="{Tag.objects.get(slug="felt-angry").pk}"')[1][:400]
    assert "face-happy" in grateful
    assert "face-sad" in angry


def test_over_the_limit_without_javascript_keeps_the_words(
    super_user: User, ward: Organisation, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from django_ratelimit import core as ratelimit

    from apps.waysin import views_kiosk

    settings.RATELIMIT_ENABLE = True
    # The clock stands still for the limit's window (the edge mocked): sixty tellings on a
    # busy machine could otherwise straddle the end of the hour the counter is kept for.
    stopped = time.time()
    monkeypatch.setattr(
        ratelimit, "time", type("Clock", (), {"time": staticmethod(lambda: stopped)})
    )
    _kiosk, token = make_kiosk(super_user, ward)
    url = reverse("waysin:kiosk", kwargs={"token": token})
    for _ in range(int(views_kiosk.KIOSK_RATE.split("/")[0])):
        Client().post(url, told(service=str(ward.pk)), HTTP_X_KIOSK="1")
    refused = Client().post(url, told(service=str(ward.pk), body="Words to keep " * 5))
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Please ask a member of staff" in html
    assert "Words to keep" in html
