from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from contextlib import redirect_stdout
from typing import Any, NamedTuple

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client, override_settings

from apps.accounts.models import User
from apps.demo.history import KEY_BASE
from apps.organisations.models import SERVICE_KINDS, Organisation, OrganisationKind
from apps.responders.models import Role

pytestmark = pytest.mark.django_db

# The history's stories have submission keys from here (apps.demo.history.KEY_BASE).
HISTORY = uuid.UUID(int=KEY_BASE)


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


class Loaded(NamedTuple):
    said: str  # what the command wrote
    stdout: str  # anything else written to standard output meanwhile (the email backend)


@pytest.fixture(scope="module")
def first_load(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    """What the first `load_demo` printed. The demo is loaded once for the module (on each
    test worker), in a transaction rolled back when the module ends; each test runs in a
    savepoint inside it, so what one test changes the next does not see. Loading it for
    every test took two minutes of CI's time."""
    stdout = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        with redirect_stdout(stdout):
            said = load()
        yield Loaded(said, stdout.getvalue())
        transaction.set_rollback(True)


def test_demo_loads_once_and_prints_the_logins(first_load: Loaded) -> None:
    first = first_load.said
    assert "Loaded the demo organisations and staff." in first
    assert "admin@carevoice.example" in first
    assert "password for each: demo-care-2026" in first
    count = Organisation.objects.count()
    second = load()
    assert "Demo data is already loaded." in second
    assert "moderator@carevoice.example" in second  # the logins every time
    assert Organisation.objects.count() == count
    assert User.objects.count() == 8
    assert Role.objects.filter(user__isnull=False).count() == 8
    assert "demo_code" in first
    assert "KNSWY3DPEHPK3PXPKNSWY3DPEHPK3PXP" in first


def test_demo_staff_span_the_trust_with_a_team_a_referral_and_second_factors(
    client: Client, first_load: Loaded
) -> None:
    from allauth.mfa.models import Authenticator

    from apps.responders.models import Team
    from apps.responses.models import Referral

    team = Team.objects.get(name="Ward 7 nursing team")
    assert [u.email for u in team.group.user_set.all()] == ["ward7.sister@ashdown-vale.example"]
    assert team.roles.get().organisation.name == "Ward 7 (Respiratory)"
    referral = Referral.objects.get()
    assert referral.user.email == "ed.manager@ashdown-vale.example"
    without = User.objects.exclude(
        pk__in=Authenticator.objects.filter(type="totp").values("user")
    ).values_list("email", flat=True)
    assert list(without) == ["new.starter@ashdown-vale.example"]
    out = io.StringIO()
    call_command("demo_code", stdout=out)
    assert re.fullmatch(r"\d{6}  \(valid for about \d+ more seconds\)\n", out.getvalue())


def test_demo_organisations_are_the_promised_fictional_tree(first_load: Loaded) -> None:
    kinds = Organisation.objects.values_list("kind", flat=True)
    assert list(kinds).count(OrganisationKind.TRUST) >= 3
    assert list(kinds).count(OrganisationKind.GP_PRACTICE) >= 5
    assert sum(1 for kind in kinds if kind in SERVICE_KINDS) >= 30
    assert list(kinds).count(OrganisationKind.SITE) >= 3
    assert list(kinds).count(OrganisationKind.DIRECTORATE) >= 3
    # Invented codes, made-up postcode areas and reserved web domains only.
    codes = Organisation.objects.exclude(ods_code=None).values_list("ods_code", flat=True)
    assert all(code.startswith("Z") for code in codes)
    postcodes = Organisation.objects.exclude(postcode="").values_list("postcode", flat=True)
    assert all(pc[:2] in {"AV", "HM", "KB", "GQ"} for pc in postcodes)
    sites = Organisation.objects.exclude(website="").values_list("website", flat=True)
    assert all(url.endswith(".example") for url in sites)


def test_a_search_for_part_of_a_demo_name_finds_it(client: Client, first_load: Loaded) -> None:
    response = client.get("/organisations/", {"q": "kestrel"})
    found = [org.name for org, _ in response.context["results"]]
    assert "Kestrel Bay NHS Trust" in found
    page = client.get(Organisation.objects.get(ods_code="ZZC").get_absolute_url())
    assert "Oncology Day Unit" in page.content.decode()


def test_demo_staff_can_sign_in(client: Client, first_load: Loaded) -> None:
    response = client.post(
        "/accounts/login/",
        {"login": "ed.manager@ashdown-vale.example", "password": "demo-care-2026"},
    )
    assert response.status_code == 302
    role = Role.objects.get(user__email="ed.manager@ashdown-vale.example")
    assert role.organisation is not None
    assert role.organisation.name == "Emergency and Acute Medicine"


@override_settings(DEMO_DATA_ALLOWED=False)
def test_demo_data_refuses_to_load_where_not_allowed() -> None:
    # The module's demo may be loaded around this test (first_load): nothing is added.
    before = Organisation.objects.count()
    with pytest.raises(CommandError, match="only for local machines"):
        load()
    assert Organisation.objects.count() == before


def test_demo_stories_are_published_across_services_with_some_waiting(
    client: Client, first_load: Loaded
) -> None:
    from apps.stories.models import Story, StoryStatus

    published = Story.objects.filter(status=StoryStatus.PUBLISHED)
    assert published.count() >= 10
    assert Story.objects.filter(status=StoryStatus.AWAITING_MODERATION).count() == 3
    assert published.values("storyservice__organisation").distinct().count() >= 10
    assert all(s.criticality is not None for s in published)
    listing = client.get("/stories/", {"q": "busy night"}).content.decode()
    assert "Seen quickly on a busy night" in listing


def test_demo_has_conversations_with_generic_replies_author_replies_and_votes(
    client: Client, first_load: Loaded
) -> None:
    from apps.responses.models import AuthorReply, Response

    # The hand-written conversations (the two years of history add their own).
    responses = Response.objects.filter(status="published", story__submission_key__lt=HISTORY)
    assert responses.count() == 4
    # The second near-copy of "thank you for your feedback" is marked generic.
    assert list(responses.filter(is_generic=True).values_list("story__title", flat=True)) == [
        "Play team made all the difference"
    ]
    assert all(r.helpful_count > 0 for r in responses)
    assert AuthorReply.objects.filter(status="published").count() == 1
    assert AuthorReply.objects.filter(status="awaiting_moderation").count() == 1
    story = responses.get(story__title="Seen quickly on a busy night").story
    page = client.get(story.get_absolute_url()).content.decode()
    assert page.index("Seen quickly") < page.index("Daniel Reyes") < page.index("home now")


def test_demo_has_a_planned_a_made_and_an_overdue_change(first_load: Loaded) -> None:
    from django.utils import timezone

    from apps.changes.models import Change, ChangeStatus

    # The hand-written changes (the two years of history add their own).
    changes = Change.objects.filter(links__story__submission_key__lt=HISTORY)
    statuses = sorted(changes.values_list("status", flat=True))
    assert statuses == [ChangeStatus.MADE, ChangeStatus.PLANNED, ChangeStatus.PLANNED]
    overdue = changes.filter(status="planned", due_on__lt=timezone.localdate())
    assert overdue.count() == 1
    # Each linked to its story, and the first two to the response that announced them.
    assert changes.filter(links__response__isnull=False).count() == 2
    made = changes.get(status=ChangeStatus.MADE)
    page = Client().get(made.get_public_url())
    assert "Wards phone the named next of kin" in page.content.decode()


def test_demo_lists_the_emails_it_sent_in_one_readable_line_each(first_load: Loaded) -> None:
    first = first_load.said
    assert "Content-Type" not in first + first_load.stdout
    assert "=?utf-8?" not in first + first_load.stdout
    lines = [line for line in first.splitlines() if line.startswith("  to ")]
    assert lines, first
    assert "  to ed.manager@ashdown-vale.example: Helen Marsh asked you to answer a story" in first
    assert any("replied on “Seen quickly on a busy night”" in line for line in lines)
    assert "emails to demo staff" not in load()  # nothing new the second time


def test_demo_names_a_safeguarding_contact_and_a_fallback_address(first_load: Loaded) -> None:
    """A serious case in the demo reaches someone who can sign in and open it."""
    printed = first_load.said
    from apps.stories.models import SafeguardingContact, SafeguardingSettings

    contact = SafeguardingContact.objects.get()
    assert contact.organisation.name == "Ashdown Vale Hospitals NHS Foundation Trust"
    assert User.objects.filter(email=contact.email).exists()
    assert SafeguardingSettings.objects.get().fallback_email == "safeguarding@carevoice.example"
    assert "the trust's safeguarding contact" in printed


def test_demo_trains_a_first_model_of_suggested_topics(first_load: Loaded) -> None:
    from apps.stories.models import Story, StoryStatus, ThemeModelVersion
    from apps.stories.suggestions import story_suggestions

    out = first_load.said
    version = ThemeModelVersion.objects.get()
    assert (version.version, version.trained_by) == (1, "load_demo")
    assert f"Trained suggested topics (model 1) on {version.story_count:,} moderated" in out
    waiting = Story.objects.filter(status=StoryStatus.AWAITING_MODERATION).first()
    assert waiting is not None
    assert not story_suggestions(waiting).cold_start


def test_the_demo_health_board_has_a_welsh_page(client: Client, first_load: Loaded) -> None:
    board = Organisation.objects.get(ods_code="ZZD")
    welsh = client.get(f"/cy/organisations/{board.slug}/").content.decode()
    assert "<h1>Bwrdd Iechyd Glenmarrow</h1>" in welsh
    assert "Mae&#x27;r bwrdd iechyd yn cynllunio" in welsh
    assert "Ysbyty Brenhinol Glenmarrow" in welsh
    english = client.get(f"/organisations/{board.slug}/").content.decode()
    assert "<h1>Glenmarrow Health Board</h1>" in english
