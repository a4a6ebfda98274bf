"""Safeguarding, two levels: the risk cue and help at once, levels set while moderating,
serious cases told to the nearest contacts ahead of other mail, the case page and who
may see it, and a serious case kept out of everything public."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import AuditEntry, OutboxEmail
from apps.core.outbox import URGENT, outbox_add, outbox_due
from apps.organisations.models import Organisation
from apps.responders.models import RoleName
from apps.stories import moderation, safeguarding
from apps.stories.models import (
    SafeguardingCase,
    SafeguardingContact,
    SafeguardingHelp,
    SafeguardingRecord,
    SafeguardingSettings,
    Story,
    StoryStatus,
)
from apps.stories.moderation import StoryEdits
from tests.factories import RoleFactory, StoryFactory, UserFactory, with_second_factor
from tests.querybudget import QueryBudget

from .test_moderation import decide, signed_in, waiting
from .test_tell import valid

pytestmark = pytest.mark.django_db
RISKY = "After the discharge my brother said he wants to end his life and has been self harming."
CONTACT = "safe.lead@northfield.example"


def service_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=3)


def held(org: Organisation, moderator: User, **kwargs: Any) -> Story:
    story = waiting(org, **kwargs)
    assert moderation.story_lock(story_id=story.pk, moderator=moderator).held
    return story


def edits(story: Story, **changes: Any) -> StoryEdits:
    return StoryEdits(**{"title": story.title, "body": story.body, "criticality": 1, **changes})


def contact(org: Organisation, email: str = CONTACT, name: str = "Sam Lead") -> User:
    """A safeguarding contact of `org` who has an account (any staff member, or none)."""
    SafeguardingContact.objects.create(organisation=org, name=name, email=email)
    return with_second_factor(UserFactory(email=email, display_name=name))


def mark_serious(story: Story, moderator: User, note: str = "Brother at risk tonight.") -> None:
    moderation.story_save_edits(
        story_id=story.pk,
        moderator=moderator,
        edits=edits(story, safeguarding_level="serious", moderator_note=note),
    )


# --- the risk cue -----------------------------------------------------------------------


def test_risk_words_are_found_at_word_starts_in_either_spelling() -> None:
    assert safeguarding.risk_cues("He was self-harming; she talked of suicide.") == [
        "self-harming",
        "suicide",
    ]
    assert safeguarding.risk_cues("Self harm, abused, NEGLECTED, violent") == [
        "abused",
        "NEGLECTED",
        "Self harm",
        "violent",
    ]
    assert safeguarding.risk_cues("The nurses were kind and the food was good.") == []
    # Inside a word is not a match: "disabuse" is not "abuse".
    assert safeguarding.risk_cues("to disabuse him") == []


def test_platform_admins_extend_the_list(platform_admin: User) -> None:
    assert safeguarding.risk_cues("He has no food in the house") == []
    safeguarding.settings_update(
        actor=platform_admin, help_text="", fallback_email="", risk_words="no food\n\n"
    )
    assert safeguarding.risk_cues("He has no food in the house") == ["no food"]
    assert AuditEntry.objects.filter(action="stories.safeguarding_settings.updated").exists()


def test_a_new_risk_word_marks_the_stories_still_waiting_and_sends_their_help_once(
    org: Organisation, platform_admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    """Stories told before the word was added get the cue and the help text, once; a
    published story does not."""
    told = "There was no food in the house when they sent him home."
    ward = service_of(org)
    waiting_story = StoryFactory(
        services=[ward], body=told, status=StoryStatus.AWAITING_MODERATION, published_at=None
    )
    Story.objects.filter(pk=waiting_story.pk).update(author_email="told@example.org")
    published = StoryFactory(services=[ward], body=told)
    assert not waiting_story.risk_cue
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # saved twice: one cue, one help email
            safeguarding.settings_update(
                actor=platform_admin, help_text="", fallback_email="", risk_words="no food"
            )
    waiting_story.refresh_from_db()
    published.refresh_from_db()
    assert (waiting_story.risk_cue, published.risk_cue) == (True, False)
    rows = OutboxEmail.objects.filter(kind="stories.safeguarding_help")
    assert list(rows.values_list("to", flat=True)) == ["told@example.org"]
    assert AuditEntry.objects.filter(action="stories.story.risk_cue_found").count() == 1


def test_telling_a_risky_story_marks_it_and_sends_help_at_once(
    client: Client, org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    ward = service_of(org)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("stories:tell"), valid(ward, body=RISKY))
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.risk_cue
    assert story.status == StoryStatus.AWAITING_MODERATION
    help_row = OutboxEmail.objects.get(kind="stories.safeguarding_help")
    assert help_row.priority == URGENT
    sent = [m for m in mail.outbox if "Where to get help now" in m.subject]
    assert len(sent) == 1
    assert sent[0].to == ["daughter@home.example"]
    for words in ("999", "NHS 111", "Samaritans", "116 123"):
        assert words in sent[0].body
    assert AuditEntry.objects.filter(action="stories.story.risk_cue_found").count() == 1


def test_a_story_without_risk_words_gets_no_help_email(client: Client, org: Organisation) -> None:
    client.post(reverse("stories:tell"), valid(service_of(org)))
    assert not Story.objects.get().risk_cue
    assert not OutboxEmail.objects.filter(kind="stories.safeguarding_help").exists()


def test_the_help_text_is_the_nearest_trusts_then_the_platforms_then_the_default(
    org: Organisation, other_org: Organisation
) -> None:
    ours = StoryFactory(services=[service_of(org)])
    theirs = StoryFactory(services=[service_of(other_org)])
    assert "Samaritans" in safeguarding.help_text_for(ours)
    SafeguardingSettings.objects.create(pk=1, help_text="Platform: call 999.")
    SafeguardingHelp.objects.create(organisation=org, text="Northfield: call our line.")
    assert safeguarding.help_text_for(ours) == "Northfield: call our line."
    assert safeguarding.help_text_for(theirs) == "Platform: call 999."


def test_the_queue_puts_risky_stories_first_with_a_cue_in_words(
    org: Organisation, moderator: User
) -> None:
    older = waiting(org, title="Older and calm")
    Story.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    risky = waiting(org, title="Newest and risky", risk_cue=True)
    page = signed_in(moderator).get(reverse("moderation:queue"))
    assert [s.pk for s in page.context["page"].object_list] == [risky.pk, older.pk]
    html = page.content.decode()
    assert html.index("Possible risk now") < html.index("Newest and risky")
    assert html.count("Possible risk now") == 1


def test_a_risky_story_needs_a_level_before_any_decision(
    org: Organisation, moderator: User
) -> None:
    story = held(org, moderator, risk_cue=True, body=RISKY)
    client = signed_in(moderator)
    message = "choose a safeguarding level before deciding"
    for action, extra in (
        ("publish", {}),
        ("ask_author", {}),
        ("reject", {"reason": "duplicate"}),
    ):
        response = decide(client, story, action, **extra)
        assert response.status_code == 200, action
        assert message in str(response.context["form"].errors["safeguarding_level"]), action
    assert Story.objects.get(pk=story.pk).status == StoryStatus.AWAITING_MODERATION
    response = decide(client, story, "publish", safeguarding_level="none")
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.safeguarding_level) == ("published", "none")
    assert story.safeguarding_set_at is not None
    entry = AuditEntry.objects.get(action="stories.story.safeguarding_set")
    assert (entry.actor, entry.details["level"]) == (moderator, "none")


def test_signpost_publishes_as_usual_and_emails_the_author_help_once(
    org: Organisation, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    story = held(org, moderator, author_email="me@home.example")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.story_publish(
            story_id=story.pk,
            moderator=moderator,
            edits=edits(story, safeguarding_level="signpost"),
        )
    story.refresh_from_db()
    assert (story.status, story.safeguarding_level) == ("published", "signpost")
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2
    assert any("Where to get help now" in s for s in subjects)
    assert safeguarding.send_help(story) is None
    assert OutboxEmail.objects.filter(kind="stories.safeguarding_help").count() == 1


# --- serious -------------------------------------------------------------------------------


def test_serious_tells_the_nearest_contacts_at_once_ahead_of_other_mail(
    org: Organisation, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    contact(org, "trust.lead@northfield.example")
    contact(site, CONTACT)
    story = held(org, moderator, body=RISKY)
    older = outbox_add(
        kind="test", key="1", to="someone@example.org", subject="Older mail", text="x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        mark_serious(story, moderator)
    story.refresh_from_db()
    case = SafeguardingCase.objects.get(story=story)
    assert story.status == StoryStatus.AWAITING_MODERATION
    assert list(case.organisations.all()) == [site]
    told = [m for m in mail.outbox if m.subject.startswith("Safeguarding")]
    assert [m.to for m in told] == [[CONTACT]]
    assert RISKY in told[0].body
    assert "Brother at risk tonight." in told[0].body
    assert reverse("safeguarding:case", kwargs={"pk": case.pk}) in told[0].body
    row = OutboxEmail.objects.get(kind="stories.safeguarding_case")
    assert row.priority == URGENT
    # Both waiting again (as after a broker outage): the sweep takes the urgent one first.
    OutboxEmail.objects.update(status="pending", next_attempt_at=timezone.now())
    due = outbox_due()
    # The contacts' alert and the author's help go ahead of the mail queued before them.
    assert row.pk in due[:2]
    assert due[-1] == older.pk
    opened = AuditEntry.objects.get(action="stories.safeguarding_case.opened")
    assert (opened.actor, opened.details["told"]) == (moderator, 1)


def test_with_no_contacts_above_the_platform_fallback_is_told(
    org: Organisation, other_org: Organisation, moderator: User, settings: Any
) -> None:
    contact(other_org, "other.lead@southgate.example")
    settings.SAFEGUARDING_FALLBACK_EMAIL = "duty@platform.example"
    story = held(org, moderator)
    mark_serious(story, moderator)
    case = SafeguardingCase.objects.get()
    assert case.told_fallback
    assert not case.organisations.exists()
    assert list(
        OutboxEmail.objects.filter(kind="stories.safeguarding_case").values_list("to", flat=True)
    ) == ["duty@platform.example"]
    # The platform admins' own address wins over the deployment's.
    SafeguardingSettings.objects.create(pk=1, fallback_email="admins@platform.example")
    second = held(org, moderator)
    mark_serious(second, moderator)
    assert OutboxEmail.objects.filter(to="admins@platform.example").exists()


def test_a_serious_case_is_decided_only_after_what_was_done_is_recorded(
    org: Organisation, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    lead = contact(org)
    story = held(org, moderator, body=RISKY, author_email="me@home.example")
    mark_serious(story, moderator)
    client = signed_in(moderator)
    for action, extra in (("publish", {}), ("reject", {"reason": "duplicate"}), ("ask_author", {})):
        response = decide(client, story, action, **extra)
        assert response.status_code == 200, action
        assert response.context["form"].errors["safeguarding_level"], action
    # A lower level is refused while the case is open.
    response = decide(client, story, "save", safeguarding_level="none")
    assert "open serious case" in str(response.context["form"].errors["safeguarding_level"])
    case = SafeguardingCase.objects.get()
    safeguarding.case_record(case_id=case.pk, user=lead, note="Called the GP; family visited.")
    edited = "After the discharge my brother was very low. The ward has since called him."
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, story, "publish", body=edited, safeguarding_level="serious")
    assert response.status_code == 302
    story.refresh_from_db()
    case.refresh_from_db()
    assert (story.status, story.body) == ("published", edited)
    assert (case.decision, case.decided_by) == ("published", moderator)
    assert any(
        "has been published" in m.subject for m in mail.outbox if m.to == ["me@home.example"]
    )
    assert AuditEntry.objects.filter(action="stories.safeguarding_case.decided").count() == 1


def test_rejecting_a_serious_case_closes_it(org: Organisation, moderator: User) -> None:
    lead = contact(org)
    story = held(org, moderator)
    mark_serious(story, moderator)
    case = SafeguardingCase.objects.get()
    safeguarding.case_record(case_id=case.pk, user=lead, note="Police informed.")
    moderation.story_reject(
        story_id=story.pk, moderator=moderator, edits=edits(story), reason="legal"
    )
    case.refresh_from_db()
    assert case.decision == "rejected"
    assert Story.objects.get(pk=story.pk).status == StoryStatus.REJECTED


# --- the case page -------------------------------------------------------------------------


def _open_case(org: Organisation, moderator: User) -> SafeguardingCase:
    story = held(org, moderator, title="A worrying story", body=RISKY)
    mark_serious(story, moderator)
    return SafeguardingCase.objects.get(story=story)


def test_the_case_page_is_for_moderators_and_that_cases_contacts_only(
    org: Organisation, other_org: Organisation, moderator: User, reader: User
) -> None:
    ours = contact(org)
    theirs = contact(other_org, "other.lead@southgate.example")
    case = _open_case(org, moderator)
    url = reverse("safeguarding:case", kwargs={"pk": case.pk})
    for user, status in ((moderator, 200), (ours, 200), (theirs, 403), (reader, 403)):
        response = signed_in(user).get(url)
        assert response.status_code == status, user
        if status == 200:
            assert "private" in response["Cache-Control"]
            assert "no-store" in response["Cache-Control"]
            assert "A worrying story" in response.content.decode()
    assert AuditEntry.objects.filter(action="stories.safeguarding_case.refused").count() == 2
    assert Client().get(url).status_code == 302


def test_a_contact_records_what_was_done_once_however_often_it_is_sent(
    org: Organisation, moderator: User
) -> None:
    lead = contact(org)
    case = _open_case(org, moderator)
    url = reverse("safeguarding:case", kwargs={"pk": case.pk})
    client = signed_in(lead)
    empty = client.post(url, {"note": "  ", "submission_key": str(uuid.uuid4())})
    assert empty.status_code == 200
    assert empty.context["form"].errors["note"]
    key = str(uuid.uuid4())
    for _ in range(2):
        response = client.post(
            url, {"note": "Spoke to the family; GP visiting.", "submission_key": key}
        )
        assert response.status_code == 302
    record = SafeguardingRecord.objects.get()
    assert (record.by, record.by_name) == (lead, "Sam Lead")
    entry = AuditEntry.objects.get(action="stories.safeguarding_case.recorded")
    assert entry.actor == lead
    assert "Spoke to the family" in client.get(url).content.decode()


# --- never public ------------------------------------------------------------------------


def test_a_serious_case_appears_nowhere_public(
    org: Organisation, moderator: User, settings: Any
) -> None:
    settings.API_RATE_ANONYMOUS = "1000000/min"
    StoryFactory(services=[service_of(org)], title="A published one")
    story = held(org, moderator, title="SERIOUSCASE hidden title", body=f"SERIOUSCASE {RISKY}")
    mark_serious(story, moderator)
    cache.clear()
    anonymous = Client()
    service = service_of(org)
    pages = [
        reverse("home"),
        reverse("stories:list"),
        reverse("stories:list") + "?q=SERIOUSCASE",
        reverse("organisations:detail", kwargs={"slug": org.slug}),
        reverse("organisations:detail", kwargs={"slug": service.slug}),
        reverse("feeds:organisation", kwargs={"slug": org.slug}),
        reverse("feeds:service", kwargs={"slug": service.slug}),
        reverse("feeds:widget", kwargs={"slug": org.slug}),
        reverse("api:stories"),
        reverse("api:stories") + "?q=SERIOUSCASE",
        reverse("api:organisation", kwargs={"key": org.slug}),
        reverse("exports:stories_csv"),
        reverse("insights:organisation", kwargs={"slug": org.slug}),
    ]
    for url in pages:
        response = anonymous.get(url)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        assert response.status_code == 200, url
        assert "hidden title" not in body, url
        assert "end his life" not in body, url
    assert anonymous.get(reverse("stories:detail", kwargs={"pk": story.pk})).status_code == 404
    assert anonymous.get(reverse("api:story", kwargs={"pk": story.pk})).status_code == 404
    listed = json.loads(anonymous.get(reverse("api:stories")).content)
    assert len(listed["results"]) == 1


# --- platform staff's pages ----------------------------------------------------------------


def test_platform_admins_see_open_cases_and_time_to_a_decision(
    org: Organisation, moderator: User, platform_admin: User
) -> None:
    case = _open_case(org, moderator)
    Story.objects.filter(pk=case.story_id).update(
        created_at=ago(hours=5), safeguarding_set_at=ago(hours=2)
    )
    page = signed_in(platform_admin).get(reverse("safeguarding:cases"))
    html = page.content.decode()
    assert "1 open serious case" in html
    assert "A worrying story" in html
    assert "Nothing recorded yet" in html
    assert page.context["times"].count == 1
    assert abs(page.context["times"].median - dt.timedelta(hours=3)) < dt.timedelta(seconds=1)
    assert "3\xa0hours" in html


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def test_the_cases_page_reads_a_flat_number_of_queries(
    org: Organisation, moderator: User, platform_admin: User
) -> None:
    client = signed_in(platform_admin)
    url = reverse("safeguarding:cases")
    budget = QueryBudget("safeguarding cases", limit=12)
    for _ in range(2):
        _open_case(org, moderator)
    budget.measure(2, lambda: client.get(url))
    for _ in range(8):
        _open_case(org, moderator)
    budget.measure(10, lambda: client.get(url))
    budget.assert_flat()


def test_platform_admins_set_the_help_text_fallback_and_words(platform_admin: User) -> None:
    client = signed_in(platform_admin)
    url = reverse("safeguarding:settings")
    bad = client.post(url, {"help_text": "", "fallback_email": "not an address", "risk_words": ""})
    assert bad.status_code == 200
    assert bad.context["form"].errors["fallback_email"]
    response = client.post(
        url,
        {
            "help_text": "Call 999.",
            "fallback_email": "Duty@Platform.example",
            "risk_words": "no food",
        },
    )
    assert response.status_code == 302
    row = SafeguardingSettings.objects.get()
    assert (row.help_text, row.fallback_email, row.risk_words) == (
        "Call 999.",
        "duty@platform.example",
        "no food",
    )


def test_super_users_name_contacts_within_their_scope_only(
    org: Organisation, other_org: Organisation, super_user: User
) -> None:
    client = signed_in(super_user)
    url = reverse("safeguarding:node", kwargs={"slug": org.slug})
    response = client.post(url, {"name": "Sam Lead", "email": "Safe.Lead@Northfield.example"})
    assert response.status_code == 302
    again = client.post(url, {"name": "Sam Lead", "email": CONTACT})
    assert again.status_code == 200
    assert again.context["form"].errors["email"]
    added = SafeguardingContact.objects.get()
    assert (added.organisation, added.email) == (org, CONTACT)
    assert AuditEntry.objects.filter(action="stories.safeguarding_contact.added").count() == 1
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    below = client.get(reverse("safeguarding:node", kwargs={"slug": site.slug}))
    assert "go to the contacts of Northfield" in below.content.decode()
    elsewhere = reverse("safeguarding:node", kwargs={"slug": other_org.slug})
    assert client.post(elsewhere, {"name": "X", "email": "x@example.org"}).status_code == 403
    help_url = reverse("safeguarding:node_help", kwargs={"slug": org.slug})
    assert client.post(help_url, {"text": "Our line: 0100 000"}).status_code == 302
    assert SafeguardingHelp.objects.get().text == "Our line: 0100 000"
    remove = reverse("safeguarding:contact_remove", kwargs={"pk": added.pk})
    other_super = with_second_factor(UserFactory())
    RoleFactory(user=other_super, role=RoleName.SUPER_USER, organisation=other_org)
    assert signed_in(other_super).post(remove).status_code == 403
    assert client.post(remove).status_code == 302
    assert not SafeguardingContact.objects.exists()


def test_a_case_that_no_one_could_be_told_of_says_so_to_the_moderator(
    org: Organisation, moderator: User, settings: Any
) -> None:
    settings.SAFEGUARDING_FALLBACK_EMAIL = ""
    story = held(org, moderator)
    mark_serious(story, moderator)
    assert not OutboxEmail.objects.filter(kind="stories.safeguarding_case").exists()
    page = signed_in(moderator).get(reverse("moderation:story", kwargs={"pk": story.pk}))
    assert "No one could be told" in page.content.decode()
    assert AuditEntry.objects.get(action="stories.safeguarding_case.opened").details["told"] == 0
