"""Stories in any language (docs/languages.md): the language a story is written in, asked
when it is told and corrected by moderators; its text marked with it on every page; its
words searched by it; and every email to its author written in the site language the
author used, links included."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from apps.accounts.models import User
from apps.changes.services import change_plan
from apps.core.models import AuditEntry, OutboxEmail
from apps.organisations.models import Organisation, OrganisationKind
from apps.responses.models import AuthorReply
from apps.responses.services import author_reply_publish, response_create
from apps.stories.models import Story, StoryRevision, StoryStatus, Tag
from apps.stories.reports import story_hide
from apps.stories.safeguarding import send_help
from apps.stories.search import StoryFilters, story_search
from apps.stories.taxonomy import StoryLanguage, language_choices
from apps.waysin import services as waysin
from tests.factories import OrganisationFactory, StoryFactory, author_link

pytestmark = pytest.mark.django_db
SITE = settings.SITE_URL
TELL = reverse("stories:tell")  # its English address: a Welsh request leaves Welsh active


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    # Responses from this trust are public at once (none held for new responders).
    Organisation.objects.filter(pk=org.pk).update(responses_held_for_new_responders=0)
    return OrganisationFactory(parent=site, name="Ward 7", kind=OrganisationKind.SERVICE)


def told(ward: Organisation, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "services": [ward.pk],
        "title": "",
        "body": "Roedd y nyrsys ar Ward 7 yn garedig iawn wrth Dad drwy'r nos. Diolch.",
        "month": today.month,
        "year": today.year,
        "author_role": "relative",
        "pseudonym": "Merch ddiolchgar",
        "email": "merch@cartref.example",
        "consent_terms": "on",
        "consent_edits": "on",
        "website": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_welsh(english: str, **values: Any) -> str:
    """What gettext makes of an English message under Welsh: the Welsh once the catalogue
    has it, the English until then."""
    with translation.override("cy"):
        return gettext(english) % values if values else gettext(english)


def links_in(text: str) -> list[str]:
    return re.findall(rf"{re.escape(SITE)}(/\S*)", text)


def welsh_story(ward: Organisation, **extra: Any) -> Story:
    return StoryFactory(
        services=[ward],
        language="cy",
        author_language="cy",
        author_email="awdur@e.example",
        **extra,
    )


# --- telling ----------------------------------------------------------------------------


def test_the_tell_form_asks_the_language_after_the_story_chosen_as_the_page(
    ward: Organisation,
) -> None:
    english = Client().get(TELL).content.decode()
    assert "Which language is your story written in?" in english
    assert english.index('id="id_body"') < english.index('id="id_language"')
    assert '<option value="en" selected>English</option>' in english
    assert '<option value="pl">Polish (Polski)</option>' in english
    welsh = Client().get("/cy" + TELL).content.decode()
    assert re.search(r'<option value="cy" selected>[^<]+</option>', welsh)
    assert '<option value="en" selected>' not in welsh


def test_the_choices_lead_with_the_page_language_and_end_with_another() -> None:
    codes = [code for code, _label in language_choices()]
    assert codes[:2] == ["en", "cy"]
    assert codes[-1] == "und"
    assert set(codes) == set(StoryLanguage.values)
    with translation.override("cy"):
        assert [code for code, _label in language_choices()][:2] == ["cy", "en"]
        # Welsh is named once on the Welsh pages: in itself.
        assert dict(language_choices())["cy"] == "Cymraeg"


def test_a_story_told_on_the_welsh_pages_is_in_welsh_and_so_are_its_emails(
    ward: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/cy" + TELL, told(ward, language="cy"))
    assert response.status_code == 302
    story = Story.objects.get()
    assert (story.language, story.author_language) == ("cy", "cy")
    [email] = mail.outbox
    [link] = links_in(email.body)
    assert link.startswith("/cy/my-story/")
    assert email.subject.startswith(
        in_welsh("Your story on %(site)s: your private link", site=settings.SITE_NAME)
    )
    html = email.alternatives[0][0]
    assert '<html lang="cy">' in html
    assert f'href="{SITE}/cy/my-story/' in html


def test_the_author_says_which_language_the_story_is_in(ward: Organisation) -> None:
    Client().post(TELL, told(ward, language="pl"))
    story = Story.objects.get()
    assert (story.language, story.author_language) == ("pl", "en-gb")


def test_a_form_sent_without_the_question_is_in_the_page_language(ward: Organisation) -> None:
    Client().post("/cy" + TELL, told(ward))
    Client().post(TELL, told(ward))
    assert sorted(Story.objects.values_list("language", "author_language")) == [
        ("cy", "cy"),
        ("en", "en-gb"),
    ]


def test_a_language_not_on_the_list_is_refused_beside_the_question(ward: Organisation) -> None:
    response = Client().post(TELL, told(ward, language="xx"))
    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    assert 'id="id_language_error"' in response.content.decode()
    assert not Story.objects.exists()


def test_the_welsh_kiosk_makes_welsh_stories(super_user: User, ward: Organisation) -> None:
    made = waysin.kiosk_create(
        actor=super_user, node=ward, name="Day room tablet", exit_pin="", nonce=uuid.uuid4()
    )
    address = reverse("waysin:kiosk", kwargs={"token": made.token})
    page = Client().get("/cy" + address).content.decode()
    assert f'action="/cy{address}"' in page  # it sends to the Welsh address, so…
    data = {
        "service": str(ward.pk),
        "author_role": "patient",
        "body": "Esboniodd y nyrsys bob cam ac roedd fy mhoen dan reolaeth.",
        "feelings": [Tag.objects.get(slug="felt-grateful").pk],
        "consent": "on",
        "submission_key": str(uuid.uuid4()),
    }
    assert Client().post("/cy" + address, data).status_code == 200
    assert Client().post(address, {**data, "submission_key": str(uuid.uuid4())}).status_code == 200
    assert sorted(Story.objects.values_list("language", "author_language")) == [
        ("cy", "cy"),
        ("en", "en-gb"),
    ]


def test_staff_enter_the_language_and_a_welsh_story_is_written_to_in_welsh(
    org: Organisation, ward: Organisation, responder: User
) -> None:
    form = signed_in(responder).get(reverse("moderation:enter")).content.decode()
    assert 'name="language"' in form
    data = told(ward, channel="paper", helped_by="", language="cy", email="")
    response = signed_in(responder).post(reverse("moderation:enter"), data)
    assert response.status_code == 302
    story = Story.objects.get()
    assert (story.language, story.author_language) == ("cy", "cy")


# --- moderators -------------------------------------------------------------------------


def waiting(ward: Organisation, **extra: Any) -> Story:
    story = StoryFactory(
        services=[ward],
        status=StoryStatus.AWAITING_MODERATION,
        published_at=None,
        criticality=None,
        **extra,
    )
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    return story


def test_the_queue_and_the_story_show_its_language(ward: Organisation, moderator: User) -> None:
    story = waiting(ward, title="Bore da", language="cy")
    queue = signed_in(moderator).get(reverse("moderation:queue")).content.decode()
    assert 'lang="cy">Bore da</a> <span class="badge badge-language">Welsh (Cymraeg)</span>' in (
        queue
    )
    page = signed_in(moderator).get(reverse("moderation:story", kwargs={"pk": story.pk}))
    html = page.content.decode()
    assert "Written in Welsh (Cymraeg)" in html
    assert '<option value="cy" selected>' in html
    assert re.search(r'<div class="marked-text"[^>]* lang="cy">', html)
    body_box = re.search(r'<textarea[^>]*name="body"[^>]*>', html)
    assert body_box
    assert 'lang="cy"' in body_box.group()


def test_a_moderator_corrects_the_language_and_it_is_audited_and_searched_by_it(
    ward: Organisation, moderator: User
) -> None:
    story = waiting(
        ward,
        title="Diolch",
        body="Gwaith caled oedd hi i'r nyrsys bob nos, ond roedden nhw'n garedig.",
    )
    response = signed_in(moderator).post(
        reverse("moderation:story_publish", kwargs={"pk": story.pk}),
        {"title": story.title, "body": story.body, "criticality": "0", "language": "cy"},
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.language) == (StoryStatus.PUBLISHED, "cy")
    entry = AuditEntry.objects.get(action="stories.story.language_corrected")
    assert (entry.actor, entry.object_id) == (moderator, str(story.pk))
    assert (entry.details["before"], entry.details["after"]) == ("en", "cy")
    # Its words are now kept as written: "caled" is no longer cut to an English stem.
    assert titles(q="caled") == ["Diolch"]
    assert titles(q="cales") == []


def test_a_form_without_the_language_keeps_the_story_s(ward: Organisation, moderator: User) -> None:
    story = waiting(ward, language="pl")
    signed_in(moderator).post(
        reverse("moderation:story_save", kwargs={"pk": story.pk}),
        {"title": story.title, "body": story.body, "criticality": "0"},
    )
    story.refresh_from_db()
    assert story.language == "pl"
    assert not AuditEntry.objects.filter(action="stories.story.language_corrected").exists()


# --- pages ------------------------------------------------------------------------------


def test_every_page_marks_the_story_s_words_with_its_language(
    ward: Organisation, responder: User, moderator: User
) -> None:
    story = welsh_story(ward, title="Nos dda", body="Roedd y nyrsys yn garedig iawn bob nos.")
    token = author_link(story)
    reply = "Diolch yn fawr i bawb ar y ward am eu gofal."
    response_create(author=responder, story=story, organisation=ward, body="Thank you for this.")
    Client().post(
        reverse("conversation:author_reply", kwargs={"token": token}),
        {"body": reply, "response": "", "submission_key": str(uuid.uuid4())},
    )
    author_reply_publish(moderator=moderator, reply=AuthorReply.objects.get())
    detail = Client().get(story.get_absolute_url()).content.decode()
    assert '<h1 id="story-title" lang="cy">Nos dda</h1>' in detail
    assert '<div class="story-body" lang="cy"><p>Roedd y nyrsys' in detail
    assert f'<div class="turn-body" lang="cy"><p>{reply}</p></div>' in detail
    for address in (reverse("stories:list"), ward.get_absolute_url(), "/cy/"):
        assert 'lang="cy">Nos dda</a>' in Client().get(address).content.decode(), address
    search = Client().get(reverse("stories:list"), {"q": "nyrsys"}).content.decode()
    assert '<p class="excerpt" lang="cy">' in search
    author = Client().get(reverse("stories:author", kwargs={"token": token})).content.decode()
    assert '<h2 lang="cy">Nos dda</h2>' in author
    inbox = signed_in(responder)
    assert 'lang="cy">Nos dda</a>' in inbox.get(reverse("inbox:index")).content.decode()
    staff_page = inbox.get(reverse("inbox:story", kwargs={"pk": story.pk})).content.decode()
    assert '<h1 lang="cy">Nos dda</h1>' in staff_page
    assert '<div class="story-body" lang="cy">' in staff_page


def test_a_title_the_site_made_up_is_in_the_page_s_language(ward: Organisation) -> None:
    story = welsh_story(ward, title="")
    detail = Client().get(story.get_absolute_url()).content.decode()
    assert '<h1 id="story-title" >' in detail
    assert '<div class="story-body" lang="cy">' in detail


def test_another_language_is_unknown_and_right_to_left_scripts_say_so(
    ward: Organisation,
) -> None:
    other = StoryFactory(services=[ward], language="und")
    arabic = StoryFactory(services=[ward], language="ar")
    panjabi = StoryFactory(services=[ward], language="pa")
    assert '<div class="story-body" lang="" dir="auto">' in page_of(other)
    assert '<div class="story-body" lang="ar" dir="rtl">' in page_of(arabic)
    assert '<div class="story-body" lang="pa" dir="auto">' in page_of(panjabi)


def page_of(story: Story) -> str:
    return Client().get(story.get_absolute_url()).content.decode()


def test_feeds_mark_the_story_s_words(ward: Organisation) -> None:
    welsh_story(ward, title="Nos dda", body="Roedd y nyrsys yn garedig iawn bob nos.")
    feed = Client().get(reverse("feeds:organisation", kwargs={"slug": ward.slug})).content
    text = feed.decode()
    assert '<summary type="text" xml:lang="cy">Roedd y nyrsys' in text
    assert '&lt;div lang="cy"&gt;&lt;p&gt;Roedd y nyrsys' in text


def test_the_api_gives_each_story_s_language(ward: Organisation) -> None:
    story = welsh_story(ward)
    assert Client().get(f"/api/v1/stories/{story.pk}").json()["language"] == "cy"
    [listed] = Client().get("/api/v1/stories").json()["results"]
    assert listed["language"] == "cy"
    # The author's site language is private: nowhere in the API.
    assert "author_language" not in listed


# --- search -----------------------------------------------------------------------------


def titles(**filters: Any) -> list[str]:
    return [s.title for s in story_search(StoryFilters(**filters))]


def test_a_welsh_story_is_found_by_its_welsh_words(ward: Organisation) -> None:
    welsh_story(ward, title="Gofal", body="Roedd y nyrsys yn garedig iawn wrth fy nhad.")
    StoryFactory(services=[ward], title="Care", body="The nurses were very kind to my father.")
    assert titles(q="nyrsys") == ["Gofal"]
    assert titles(q="garedig") == ["Gofal"]
    (found,) = story_search(StoryFilters(q="nyrsys"))
    assert "<mark>nyrsys</mark>" in found.headline


def test_an_english_story_is_still_found_by_the_stem_of_its_words(ward: Organisation) -> None:
    welsh_story(ward, title="Gofal", body="Roedd y nyrsys yn garedig iawn wrth fy nhad.")
    StoryFactory(services=[ward], title="Care", body="The nurses were very kind to my father.")
    assert titles(q="nursing") == ["Care"]
    assert titles(q="nurse") == ["Care"]
    (found,) = story_search(StoryFilters(q="nursing"))
    assert "<mark>nurses</mark>" in found.headline


def test_welsh_words_are_not_cut_to_english_stems(ward: Organisation) -> None:
    # English stemming would make "nyrsys" 'nyrsi' and "caled" (hard) 'cale', and so find
    # this story by words it does not hold.
    story = welsh_story(ward, title="Gwaith", body="Mae'n waith caled i'r nyrsys bob dydd.")
    assert titles(q="caled") == ["Gwaith"]
    assert titles(q="cales") == []
    assert titles(q="nyrsi") == []
    words = Story.objects.values_list("search_vector", flat=True).get(pk=story.pk)
    assert "'caled'" in words
    assert "'nyrsys'" in words
    assert "'cale'" not in words


def test_a_search_finds_both_languages_at_once(ward: Organisation) -> None:
    welsh_story(ward, title="Ward Cymraeg", body="Roedd y ward yn lân ac yn dawel.")
    StoryFactory(services=[ward], title="English ward", body="The ward was clean and quiet.")
    assert sorted(titles(q="ward")) == ["English ward", "Ward Cymraeg"]
    assert titles(q="ward -quiet") == ["Ward Cymraeg"]


# --- emails to authors ------------------------------------------------------------------


def author_emails(story: Story) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(to=story.author_email).order_by("pk"))


def assert_welsh(email: OutboxEmail) -> None:
    links = links_in(email.body_text)
    assert links
    assert all(link.startswith("/cy/") for link in links), links
    assert '<html lang="cy">' in email.body_html


def assert_english(email: OutboxEmail) -> None:
    links = links_in(email.body_text)
    assert links
    assert not any(link.startswith("/cy/") for link in links), links
    assert '<html lang="en-gb">' in email.body_html


def test_a_decision_is_written_in_the_author_s_language_whatever_the_moderator_s(
    ward: Organisation, moderator: User
) -> None:
    welsh = waiting(ward, title="Cymraeg", author_language="cy", language="cy")
    english = waiting(ward, title="English")
    moderating = signed_in(moderator)
    for story, page in ((welsh, ""), (english, "/cy")):
        publish = reverse("moderation:story_publish", kwargs={"pk": story.pk})
        data = {"title": story.title, "body": story.body, "criticality": "0"}
        assert moderating.post(page + publish, data).status_code == 302
    [to_welsh] = author_emails(welsh)
    assert_welsh(to_welsh)
    assert to_welsh.subject.startswith(
        in_welsh("Your story has been published – %(site)s", site=settings.SITE_NAME)
    )
    [to_english] = author_emails(english)
    assert_english(to_english)
    assert to_english.subject.startswith("Your story has been published")


def test_a_response_and_a_change_are_written_in_the_author_s_language(
    ward: Organisation, responder: User
) -> None:
    welsh = welsh_story(ward, title="Cymraeg")
    english = StoryFactory(services=[ward], title="English")
    with translation.override("cy"):  # the responder works on the Welsh pages
        for story in (welsh, english):
            response = response_create(
                author=responder, story=story, organisation=ward, body="Thank you for telling us."
            )
            change_plan(
                actor=responder,
                story=story,
                organisation=ward,
                summary="Drinks are offered every hour.",
                due_on=timezone.localdate(),
                response_id=response.pk,
            )
    to_welsh = author_emails(welsh)
    assert [e.kind for e in to_welsh] == [
        "responses.response_to_author",
        "changes.change_to_author",
    ]
    for email in to_welsh:
        assert_welsh(email)
    assert to_welsh[0].subject.startswith(
        in_welsh("%(name)s responded to your story", name=ward.name)
    )
    assert to_welsh[1].subject.startswith(
        in_welsh("%(name)s plans a change after your story", name=ward.name)
    )
    for email in author_emails(english):
        assert_english(email)


def test_help_and_a_report_s_outcome_are_written_in_the_author_s_language(
    ward: Organisation, moderator: User, responder: User
) -> None:
    story = welsh_story(ward, title="Cymraeg")
    send_help(story)
    story_hide(story_id=story.pk, moderator=moderator, reason="spam")
    [help_now, hidden] = author_emails(story)
    assert help_now.subject == in_welsh("Where to get help now – %(site)s", site=settings.SITE_NAME)
    assert '<html lang="cy">' in help_now.body_html
    assert_welsh(hidden)
    assert hidden.subject.startswith(
        in_welsh(
            "Hidden after a report: %(title)s – %(site)s", title="Cymraeg", site=settings.SITE_NAME
        )
    )
    assert in_welsh("it is spam or advertising") in hidden.body_text
    # The responders over its services are written to as before (the staff's own site).
    staff = OutboxEmail.objects.filter(kind="stories.report_hidden.staff")
    assert staff.filter(to=responder.email).exists()
    assert all('<html lang="en-gb">' in email.body_html for email in staff)
