from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.stories.models import ModerationDecision, Story, StoryRevision, StoryStatus
from tests.factories import StoryFactory, UserFactory, author_link
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db
PHONE_STORY = "Dad was on Ward 7. Call me on 07700 900123 if you need to. Staff were kind."


def waiting(org: Organisation, **kwargs: Any) -> Story:
    service = Organisation.objects.get(path__startswith=org.path, depth=3)
    story = StoryFactory(
        services=[service],
        status=StoryStatus.AWAITING_MODERATION,
        published_at=None,
        criticality=None,
        **kwargs,
    )
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    return story


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decide(client: Client, story: Story, action: str, **fields: Any) -> Any:
    data = {
        "title": story.title,
        "body": story.body,
        "criticality": "1",
        "moderator_note": "",
        "reason": "",
        "rejection_note": "",
    }
    data.update(fields)
    return client.post(reverse(f"moderation:story_{action}", kwargs={"pk": story.pk}), data)


def test_the_queue_is_oldest_first_with_its_age(org: Organisation, moderator: User) -> None:
    newer = waiting(org, title="Newer")
    older = waiting(org, title="Older")
    Story.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    StoryFactory(title="Already public")
    response = signed_in(moderator).get(reverse("moderation:queue"))
    assert [s.title for s in response.context["page"]] == ["Older", newer.title]
    assert response.context["flagged"] == []  # stories nobody reported are not listed there
    assert "2\xa0days" in response.content.decode()


def test_marks_show_the_phone_number_and_listed_staff_names(
    org: Organisation, moderator: User
) -> None:
    Organisation.objects.filter(pk=org.pk).update(listed_staff_names="Bethany\nDr Okafor")
    story = waiting(org, body=PHONE_STORY + " Bethany held his hand.")
    body = signed_in(moderator).get(reverse("moderation:story", kwargs={"pk": story.pk}))
    text = body.content.decode()
    assert "Phone number: “07700 900123”" in text
    assert "Name of a member of staff: “Bethany”" in text
    assert '<mark class="pii pii-phone"' in text


def test_publishing_keeps_the_original_and_tells_the_author(
    org: Organisation, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    story = waiting(org, body=PHONE_STORY)
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))  # takes the story
    edited = PHONE_STORY.replace(" Call me on 07700 900123 if you need to.", "")
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, story, "publish", body=edited, criticality="0")
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.body, story.criticality) == ("published", edited, 0)
    assert story.published_at is not None
    revisions = list(story.revisions.values_list("number", "body", "made_by"))
    assert revisions == [(0, PHONE_STORY, None), (1, edited, moderator.pk)]
    assert ModerationDecision.objects.get().action == "published"
    assert AuditEntry.objects.filter(action="stories.story.published", actor=moderator).exists()
    assert len(mail.outbox) == 1
    assert "has been published" in mail.outbox[0].subject
    # The public page shows the edited text, never the original.
    public = Client().get(story.get_absolute_url()).content.decode()
    assert "07700 900123" not in public
    assert "Staff were kind." in public


def test_rejection_with_a_reason_reaches_the_author_and_is_never_public(
    org: Organisation, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    story = waiting(org)
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    missing = decide(client, story, "reject")
    assert "Choose why the story is not published." in missing.content.decode()
    other = decide(client, story, "reject", reason="other")
    assert "Explain the reason to the author." in other.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, story, "reject", reason="legal", rejection_note="")
    story.refresh_from_db()
    assert story.status == "rejected"
    message = mail.outbox[0]
    assert message.to == [story.author_email]
    assert "could not publish your story" in message.subject
    assert "live complaint, investigation or legal case" in message.body
    assert "criticality" not in message.body.lower()
    assert Client().get(f"/stories/{story.pk}/").status_code == 404
    assert story.title not in Client().get("/stories/").content.decode()


def test_publishing_needs_a_criticality(org: Organisation, moderator: User) -> None:
    story = waiting(org)
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    response = decide(client, story, "publish", criticality="")
    assert "Set the criticality before publishing." in response.content.decode()
    story.refresh_from_db()
    assert story.status == "awaiting_moderation"


def test_two_moderators_cannot_act_on_one_story_at_once(org: Organisation, moderator: User) -> None:
    from apps.responders.models import RoleName
    from tests.factories import RoleFactory, with_second_factor

    second = with_second_factor(UserFactory(display_name="Second Moderator"))
    RoleFactory(user=second, role=RoleName.MODERATOR, organisation=None)
    story = waiting(org)
    first_client, second_client = signed_in(moderator), signed_in(second)
    first_client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    page = second_client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    assert "is moderating this story until" in page.content.decode()
    decide(second_client, story, "publish")
    story.refresh_from_db()
    assert story.status == "awaiting_moderation"
    # The hold lapses after its time; then the second moderator may act.
    Story.objects.filter(pk=story.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    second_client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    decide(second_client, story, "publish")
    story.refresh_from_db()
    assert story.status == "published"


def test_asking_the_author_shows_the_difference_and_they_approve(
    org: Organisation, moderator: User
) -> None:
    story = waiting(org, body="The nurse called Bethany was rude to my mum.")
    token = author_link(story)
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    decide(client, story, "ask_author", body="A nurse was rude to my mum.", criticality="3")
    story.refresh_from_db()
    assert story.status == "awaiting_author"
    author = Client()
    page = author.get(reverse("stories:author", kwargs={"token": token})).content.decode()
    assert '<del> called Bethany<span class="visually-hidden"> (removed)</span></del>' in page
    assert '<ins>A<span class="visually-hidden"> (added)</span></ins>' in page
    author.post(reverse("stories:author_approve", kwargs={"token": token}))
    story.refresh_from_db()
    assert story.status == "published"
    assert story.body == "A nurse was rude to my mum."


def test_the_author_withdraws_and_erases_their_email(org: Organisation) -> None:
    story = StoryFactory(services=[Organisation.objects.get(path__startswith=org.path, depth=3)])
    token = author_link(story)
    author = Client()
    author.post(
        reverse("stories:author_email", kwargs={"token": token}), {"email": "new@home.example"}
    )
    story.refresh_from_db()
    assert story.author_email == "new@home.example"
    author.post(reverse("stories:author_erase", kwargs={"token": token}))
    author.post(reverse("stories:withdraw", kwargs={"token": token}))
    story.refresh_from_db()
    assert (story.author_email, story.status) == ("", "withdrawn")
    assert Client().get(story.get_absolute_url()).status_code == 404
    assert not AuditEntry.objects.filter(details__icontains="home.example").exists()


def test_withdrawing_asks_first_and_says_what_will_happen(org: Organisation) -> None:
    story = StoryFactory(
        services=[Organisation.objects.get(path__startswith=org.path, depth=3)],
        status="published",
        published_at=timezone.now(),
    )
    token = author_link(story)
    author = Client()
    page = author.get(reverse("stories:author", kwargs={"token": token})).content.decode()
    confirm = reverse("stories:withdraw", kwargs={"token": token})
    assert f'href="{confirm}"' in page
    assert 'value="withdraw"' not in page  # no one-click button on the story's page
    # The old one-click post does nothing now: the page itself takes no posts.
    posted = author.post(reverse("stories:author", kwargs={"token": token}), {"action": "withdraw"})
    assert posted.status_code == 405
    asked = author.get(confirm)
    story.refresh_from_db()
    assert story.status == "published"
    html = asked.content.decode()
    assert "Withdraw your story?" in html
    assert "You cannot undo this." in html
    assert "Staff can no longer respond to it" in html
    assert "No, keep my story" in html
    done = author.post(confirm, follow=True)
    story.refresh_from_db()
    assert story.status == "withdrawn"
    assert "Your story is withdrawn and no longer public." in done.content.decode()
    assert Client().get(story.get_absolute_url()).status_code == 404
    # Asked again: nothing to withdraw, and a second post changes nothing.
    assert "There is nothing to withdraw" in author.get(confirm).content.decode()
    again = author.post(confirm, follow=True)
    assert "nothing to withdraw" in again.content.decode()
    assert AuditEntry.objects.filter(action="stories.story.withdrawn").count() == 1


def test_a_wrong_link_cannot_withdraw(db: None) -> None:
    url = reverse("stories:withdraw", kwargs={"token": "made-up"})
    assert Client().get(url).status_code == 404
    assert Client().post(url).status_code == 404


def test_a_wrong_link_is_not_found(db: None) -> None:
    assert Client().get(reverse("stories:author", kwargs={"token": "made-up"})).status_code == 404


AUTHOR_ACTIONS = ("stories:author_approve", "stories:author_email", "stories:author_erase")


@pytest.mark.parametrize("name", AUTHOR_ACTIONS)
def test_the_author_pages_buttons_take_posts_only_with_a_valid_link(
    org: Organisation, name: str
) -> None:
    story = StoryFactory(services=[org])
    url = reverse(name, kwargs={"token": author_link(story)})
    assert Client().get(url).status_code == 405
    wrong = reverse(name, kwargs={"token": "made-up"})
    assert Client().post(wrong, {"email": "new@home.example"}).status_code == 404


def test_approving_publishes_the_edited_story_only(org: Organisation) -> None:
    story = StoryFactory(services=[org], status="awaiting_author", author_email="me@home.example")
    token = author_link(story)
    done = Client().post(reverse("stories:author_approve", kwargs={"token": token}), follow=True)
    assert done.redirect_chain == [(reverse("stories:author", kwargs={"token": token}), 302)]
    assert "Thank you: your story is published." in done.content.decode()
    story.refresh_from_db()
    assert (story.status, story.author_email) == ("published", "me@home.example")
    # Nothing left to approve: said so, and nothing changes.
    again = Client().post(reverse("stories:author_approve", kwargs={"token": token}), follow=True)
    assert "There are no edits waiting for your approval." in again.content.decode()


def test_changing_the_email_changes_it_only(org: Organisation) -> None:
    story = StoryFactory(services=[org], status="awaiting_author", author_email="me@home.example")
    token = author_link(story)
    url = reverse("stories:author_email", kwargs={"token": token})
    done = Client().post(url, {"email": "New@Home.example"}, follow=True)
    assert "Your email address is changed." in done.content.decode()
    story.refresh_from_db()
    assert (story.status, story.author_email) == ("awaiting_author", "new@home.example")
    # A wrong address comes back on the author's page with its error, and is not saved.
    wrong = Client().post(url, {"email": "not an address"})
    assert wrong.status_code == 200
    assert wrong.templates[0].name == "stories/author.html"
    assert wrong.context["email_form"].errors["email"]
    story.refresh_from_db()
    assert story.author_email == "new@home.example"


def test_erasing_the_email_erases_it_only(org: Organisation) -> None:
    story = StoryFactory(services=[org], status="awaiting_author", author_email="me@home.example")
    token = author_link(story)
    url = reverse("stories:author_erase", kwargs={"token": token})
    done = Client().post(url, {"email": "other@home.example"}, follow=True)
    assert "Your email address is erased." in done.content.decode()
    story.refresh_from_db()
    assert (story.status, story.author_email) == ("awaiting_author", "")


def test_staff_enter_a_story_told_by_phone(org: Organisation, responder: User) -> None:
    service = Organisation.objects.get(path__startswith=org.path, depth=3)
    today = timezone.localdate()
    client = signed_in(responder)
    response = client.post(
        reverse("moderation:enter"),
        {
            "channel": "phone",
            "services": [service.pk],
            "title": "",
            "body": "Told by telephone: the receptionist found us an appointment the same day.",
            "month": today.month,
            "year": today.year,
            "author_role": "patient",
            "pseudonym": "Relieved patient",
            "email": "",
            "consent_terms": "on",
            "consent_edits": "on",
            "submission_key": "6f1a0c5e-2b1d-4c3a-9d8e-7f6a5b4c3d2e",
        },
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert (story.channel, story.entered_by, story.status) == (
        "phone",
        responder,
        "awaiting_moderation",
    )


def test_the_queue_keeps_its_query_budget(org: Organisation, moderator: User) -> None:
    client = signed_in(moderator)
    budget = QueryBudget("moderation queue", limit=10)
    for _ in range(10):
        waiting(org)
    budget.measure(10, lambda: client.get(reverse("moderation:queue")))
    service = Organisation.objects.get(path__startswith=org.path, depth=3)
    stories = Story.objects.bulk_create(
        StoryFactory.build(status="awaiting_moderation", published_at=None) for _ in range(990)
    )
    Story.services.through.objects.bulk_create(
        Story.services.through(story=s, organisation=service) for s in stories
    )
    budget.measure(1000, lambda: client.get(reverse("moderation:queue")))
    budget.assert_flat()


def test_stories_readers_reported_are_listed_for_moderators(
    org: Organisation, moderator: User
) -> None:
    from apps.stories.models import Flag

    reported = StoryFactory(title="Reported one")
    StoryFactory(title="Not reported")
    Flag.objects.create(story=reported, reason="identifies_someone")
    Flag.objects.create(story=reported, reason="abusive")
    response = signed_in(moderator).get(reverse("moderation:queue"))
    assert [(s.title, s.open_flags) for s in response.context["flagged"]] == [("Reported one", 2)]


def test_the_queues_show_how_much_is_waiting(org: Organisation, moderator: User) -> None:
    from apps.responses.models import AuthorReply, AuthorReplyStatus, Response, ResponseStatus

    first, second = waiting(org), waiting(org)
    Story.objects.filter(pk=waiting(org).pk).update(status=StoryStatus.AWAITING_AUTHOR)
    StoryFactory(title="Already public")
    for story in (first, second):
        Response.objects.create(
            story=story,
            organisation=org,
            author=moderator,
            author_name="Sam",
            body="Thank you.",
            body_html="<p>Thank you.</p>",
            status=ResponseStatus.AWAITING_MODERATION,
        )
    AuthorReply.objects.create(
        story=first, body="Thanks.", status=AuthorReplyStatus.AWAITING_MODERATION
    )
    client = signed_in(moderator)
    for url in (reverse("moderation:queue"), reverse("conversation_moderation:queue")):
        text = " ".join(client.get(url).content.decode().split())
        counts = text.split('class="waiting-list">')[1].split("</ul>")[0]
        assert "<strong>3</strong> stories" in counts
        assert "<strong>2</strong> responses" in counts
        assert "<strong>1</strong> author reply" in counts


@pytest.mark.parametrize(
    ("action", "fields", "said"),
    [
        ("publish", {}, "Published: "),
        ("reject", {"reason": "legal"}, "Rejected: "),
        ("ask_author", {}, "Sent to the author to approve: "),
        ("save", {}, "Saved: "),
    ],
)
def test_after_a_decision_the_moderator_is_told_what_was_done(
    org: Organisation, moderator: User, action: str, fields: dict[str, str], said: str
) -> None:
    story = waiting(org, title="Kind night staff")
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    body = dict(fields)
    if action == "ask_author":
        body["body"] = story.body + " Edited."
    response = decide(client, story, action, **body)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"{said}Kind night staff." in page
