"""Names in the privacy marks on the moderation pages, and replacing a name with a role
in one action without losing the moderator's other edits."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responders.models import RoleName
from apps.responses.models import AuthorReply, AuthorReplyStatus
from apps.stories.models import Story
from tests.factories import RoleFactory, StoryFactory, UserFactory, with_second_factor
from tests.stories.test_moderation import signed_in, waiting

pytestmark = pytest.mark.django_db
BODY = "Dr Patel saw my father, Gareth Kowalski, on the ward. Dr Patel was kind to us."


def replace(
    client: Any, story: Story, index: int, role: str = "", other: str = "", **edits: Any
) -> Any:
    data = {
        "title": story.title,
        "body": story.body,
        "moderator_note": "",
        "reason": "",
        "rejection_note": "",
        "replace": str(index),
        f"name-{index}": edits.pop("name"),
        f"role-{index}": role,
        f"other-{index}": other,
    }
    data.update(edits)
    url = reverse("moderation:story_replace_name", kwargs={"pk": story.pk})
    return client.post(url, data)


def test_the_page_lists_each_name_with_why_and_a_way_to_replace_it(
    org: Organisation, moderator: User
) -> None:
    story = waiting(org, body=BODY, pseudonym="Grateful son")
    text = (
        signed_in(moderator)
        .get(reverse("moderation:story", kwargs={"pk": story.pk}))
        .content.decode()
    )
    assert "Person&#x27;s name: staff (after a title or role): “Dr Patel”" in text
    assert "why: after the title “Dr”" in text
    assert "Person&#x27;s name: relative or friend: “Gareth Kowalski”" in text
    assert "why: after “my father”" in text
    assert (
        'title="Possible person&#x27;s name: staff (after a title or role), after the title “Dr”"'
        in text
    )
    assert '<option value="the doctor">the doctor</option>' in text
    assert '<option value="my father">my father</option>' in text
    assert "Replace “Dr Patel”" in text
    assert "may be a real name" not in text  # the pseudonym is no name


def test_replacing_a_name_changes_every_mention_and_keeps_the_other_edits_unsaved(
    org: Organisation, moderator: User
) -> None:
    story = waiting(org, title="Seen by Dr Patel", body=BODY)
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    response = replace(
        client,
        story,
        1,
        role="the doctor",
        name="Dr Patel",
        moderator_note="Checked the ward",
        criticality="2",
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.data["title"] == "Seen by the doctor"
    assert form.data["body"] == (
        "The doctor saw my father, Gareth Kowalski, on the ward. The doctor was kind to us."
    )
    assert form.data["moderator_note"] == "Checked the ward"
    assert form.data["criticality"] == "2"
    text = response.content.decode()
    assert "Replaced “Dr Patel” with “the doctor” (3)" in text
    assert "Dr Patel" not in text.split('id="marks-heading"')[1]
    # Nothing is saved until the moderator saves or decides.
    story.refresh_from_db()
    assert story.body == BODY
    assert not AuditEntry.objects.filter(action="stories.story.edited").exists()

    again = replace(
        client, story, 1, role="my father", name="Gareth Kowalski", body=form.data["body"]
    )
    assert again.context["form"].data["body"] == (
        "The doctor saw my father on the ward. The doctor was kind to us."
    )


def test_a_role_written_by_hand_wins_over_the_one_chosen(
    org: Organisation, moderator: User
) -> None:
    story = waiting(org, body=BODY)
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    response = replace(
        client, story, 1, role="the doctor", other="  the  registrar ", name="Dr Patel"
    )
    assert response.context["form"].data["body"].startswith("The registrar saw my father")


def test_a_replacement_without_a_role_shows_its_error_and_changes_nothing(
    org: Organisation, moderator: User
) -> None:
    story = waiting(org, body=BODY)
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    response = replace(client, story, 1, role="", other=" ", name="Dr Patel")
    assert response.status_code == 200
    assert response.context["form"].data["body"] == BODY
    assert "Write the role to put in place of the name." in response.content.decode()


def test_only_the_moderator_holding_the_story_may_replace(
    org: Organisation, moderator: User
) -> None:
    story = waiting(org, body=BODY)
    signed_in(moderator).get(reverse("moderation:story", kwargs={"pk": story.pk}))
    other = with_second_factor(UserFactory(display_name="Other Mod"))
    RoleFactory(user=other, role=RoleName.MODERATOR, organisation=None)
    response = replace(signed_in(other), story, 1, role="the doctor", name="Dr Patel")
    assert response.status_code == 200
    assert response.context["form"].initial["body"] == BODY
    assert "is moderating this story" in response.content.decode()


def test_a_pseudonym_that_looks_like_a_name_is_pointed_out(
    org: Organisation, moderator: User
) -> None:
    story = waiting(org, body="Kind staff.", pseudonym="Mrs Okafor")
    text = (
        signed_in(moderator)
        .get(reverse("moderation:story", kwargs={"pk": story.pk}))
        .content.decode()
    )
    assert "The author’s pseudonym “Mrs Okafor” may be a real name (after the title “Mrs”)" in text


def test_author_replies_waiting_show_their_name_marks(org: Organisation, moderator: User) -> None:
    reply = AuthorReply.objects.create(
        story=StoryFactory(services=[org]),
        body="Thank you, and thanks to Nurse Sarah.",
        status=AuthorReplyStatus.AWAITING_MODERATION,
    )
    text = signed_in(moderator).get(reverse("conversation_moderation:queue")).content.decode()
    assert reply.body.split(",")[0] in text
    assert "why: after the title “Nurse”" in text
    assert '<mark class="pii pii-person_name"' in text
