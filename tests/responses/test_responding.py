"""Staff responding in public: preview, post, the new-responder hold, generic replies,
the nodes a responder answers for, and editing or withdrawing within 30 minutes."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.html import render
from apps.core.models import AuditEntry, OutboxEmail
from apps.organisations.models import Organisation
from apps.responses.models import Response, ResponseStatus
from apps.responses.selectors import story_queryset
from apps.responses.services import (
    referral_create,
    respond_node_default,
    respond_nodes,
    response_create,
    response_edit,
    similar_count,
)
from apps.stories.models import Story
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    team_of,
    with_second_factor,
)

pytestmark = pytest.mark.django_db

GENERIC = (
    "Thank you for your feedback, we value all comments from our patients "
    "and will share this with the team."
)
NEARLY_GENERIC = (
    "Thank you for your feedback, we value all the comments from our patients "
    "and we will share this with the team."
)
PERSONAL = (
    "I am so sorry your mother waited four hours for pain relief on the night of the 3rd. "
    "I have asked the ward sister to look at the night rota, and I will write here again "
    "when we have changed it."
)


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    """A service on another site of the trust."""
    site = OrganisationFactory(parent=org, name="Northfield Community", kind="site")
    return OrganisationFactory(parent=site, name="Ward 7", kind="service")


def node(org: Organisation, depth: int) -> Organisation:
    return Organisation.objects.filter(path__startswith=org.path, depth=depth).first()  # type: ignore[return-value]


def staff(role: str, at: Organisation, **kwargs: Any) -> User:
    person = with_second_factor(UserFactory(**kwargs))
    RoleFactory(user=person, role=role, organisation=at)
    return person


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hold_none(org: Organisation) -> None:
    """The trust publishes new responders' responses at once."""
    Organisation.objects.filter(pk=org.pk).update(responses_held_for_new_responders=0)


def respond(
    client: Client,
    story: Story,
    body: str,
    *,
    action: str = "post",
    on_behalf_of: Organisation | None = None,
    key: uuid.UUID | None = None,
    **extra: Any,
) -> Any:
    on_behalf_of = on_behalf_of or story.services.get()
    name = {"post": "inbox:post_response", "preview": "inbox:preview_response"}[action]
    return client.post(
        reverse(name, kwargs={"pk": story.pk}),
        {
            "organisation": on_behalf_of.pk,
            "body": body,
            "submission_key": str(key or uuid.uuid4()),
        },
        **extra,
    )


def published(story: Story, organisation: Organisation, body: str) -> Response:
    """An earlier response, already public."""
    return Response.objects.create(
        story=story,
        organisation=organisation,
        body=body,
        body_html=render(body),
        published_at=timezone.now(),
    )


def public_page(story: Story) -> str:
    page = Client().get(story.get_absolute_url())
    assert page.status_code == 200
    return page.content.decode()


def written_ago(response: Response, minutes: int) -> None:
    Response.objects.filter(pk=response.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


# --- posting and the new-responder hold ----------------------------------------------
def test_response_from_a_new_responder_waits_until_three_are_published(
    org: Organisation, responder: User, moderator: User
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    client = signed_in(responder)
    for day in ("Monday", "Tuesday", "Wednesday"):
        page = respond(client, story, f"We talked about your visit at {day}'s team meeting.")
        assert page.status_code == 302
    held = list(Response.objects.filter(author=responder).order_by("pk"))
    assert [r.status for r in held] == [ResponseStatus.AWAITING_MODERATION] * 3
    assert all(r.published_at is None for r in held)
    assert "Monday" not in public_page(story)
    assert AuditEntry.objects.filter(action="responses.response.held").count() == 3

    moderating = signed_in(moderator)
    for response in held:
        decided = moderating.post(
            reverse("conversation_moderation:decide_response", kwargs={"pk": response.pk}),
            {"decision": "approve", "note": ""},
        )
        assert decided.status_code == 302
    assert "Monday" in public_page(story)

    page = respond(client, story, "Thursday: the new rota starts next week.", follow=True)
    assert "Your response is published." in page.content.decode()
    fourth = Response.objects.latest("pk")
    assert fourth.status == ResponseStatus.PUBLISHED
    assert fourth.published_at is not None
    assert "the new rota starts next week" in public_page(story)


def test_response_held_is_explained_to_its_writer(org: Organisation, responder: User) -> None:
    story = StoryFactory(services=[node(org, 3)])
    page = respond(signed_in(responder), story, PERSONAL, follow=True)
    assert "a moderator will check your response before it is published" in (page.content.decode())


def test_response_publishes_at_once_when_the_trust_holds_none(
    org: Organisation, responder: User
) -> None:
    hold_none(org)
    story = StoryFactory(services=[node(org, 3)])
    assert respond(signed_in(responder), story, PERSONAL).status_code == 302
    response = Response.objects.get()
    assert response.status == ResponseStatus.PUBLISHED
    assert (response.author_name, response.author_job_title) == (
        responder.display_name,
        responder.job_title,
    )
    assert "I have asked the ward sister" in public_page(story)
    assert AuditEntry.objects.filter(action="responses.response.published").count() == 1


def test_response_with_htmx_redirects_the_whole_page(org: Organisation, responder: User) -> None:
    hold_none(org)
    story = StoryFactory(services=[node(org, 3)])
    page = respond(signed_in(responder), story, PERSONAL, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert page["HX-Redirect"] == reverse("inbox:story", kwargs={"pk": story.pk})
    assert Response.objects.count() == 1


def test_response_moderation_is_for_moderators_only(
    org: Organisation, responder: User, super_user: User
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    respond(signed_in(responder), story, PERSONAL)
    held = Response.objects.get()
    url = reverse("conversation_moderation:decide_response", kwargs={"pk": held.pk})
    for person in (responder, super_user):
        assert signed_in(person).post(url, {"decision": "approve"}).status_code == 403
    assert Client().post(url, {"decision": "approve"}).status_code == 302  # to sign in
    held.refresh_from_db()
    assert held.status == ResponseStatus.AWAITING_MODERATION


def test_response_declined_by_a_moderator_needs_a_reason(
    org: Organisation, responder: User, moderator: User
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    respond(signed_in(responder), story, PERSONAL)
    held = Response.objects.get()
    url = reverse("conversation_moderation:decide_response", kwargs={"pk": held.pk})
    client = signed_in(moderator)
    page = client.post(url, {"decision": "reject", "note": ""}, follow=True)
    assert "Say why the response is not published." in page.content.decode()
    held.refresh_from_db()
    assert held.status == ResponseStatus.AWAITING_MODERATION
    client.post(url, {"decision": "reject", "note": "Please do not name other patients."})
    held.refresh_from_db()
    assert held.status == ResponseStatus.WITHDRAWN
    assert held.withdrawn_reason == "Please do not name other patients."
    assert held.moderated_by == moderator


# --- preview and rendering -------------------------------------------------------------
def test_response_preview_shows_the_rendered_text_and_writes_nothing(
    org: Organisation, responder: User
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    before = AuditEntry.objects.count()
    page = respond(signed_in(responder), story, "Thank you for **telling us**.", action="preview")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Preview: nothing is posted yet" in html
    assert "<p>Thank you for <strong>telling us</strong>.</p>" in html
    assert not Response.objects.exists()
    assert not OutboxEmail.objects.exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("name", ["inbox:preview_response", "inbox:post_response"])
def test_respond_takes_posts_only(org: Organisation, responder: User, name: str) -> None:
    story = StoryFactory(services=[node(org, 3)])
    assert signed_in(responder).get(reverse(name, kwargs={"pk": story.pk})).status_code == 405


def test_respond_buttons_each_post_to_their_own_address(org: Organisation, responder: User) -> None:
    """Preview and Post share one form; each button names its address (formaction), which
    browsers and htmx both follow, so neither needs a field saying which was pressed."""
    story = StoryFactory(services=[node(org, 3)])
    html = signed_in(responder).get(reverse("inbox:story", kwargs={"pk": story.pk})).content
    preview = reverse("inbox:preview_response", kwargs={"pk": story.pk})
    post = reverse("inbox:post_response", kwargs={"pk": story.pk})
    page = html.decode()
    assert f'formaction="{preview}" class="button-secondary">Preview</button>' in page
    assert f'formaction="{post}">Post response</button>' in page
    assert f'hx-post="{preview}"' in page
    assert 'name="action"' not in page


def test_response_post_publishes_without_a_preview_first(
    org: Organisation, responder: User
) -> None:
    hold_none(org)
    story = StoryFactory(services=[node(org, 3)])
    page = respond(signed_in(responder), story, PERSONAL)
    assert page.status_code == 302
    assert page.url == reverse("inbox:story", kwargs={"pk": story.pk})
    assert Response.objects.get().body == PERSONAL


def test_response_preview_with_htmx_is_the_form_partial(org: Organisation, responder: User) -> None:
    story = StoryFactory(services=[node(org, 3)])
    page = respond(
        signed_in(responder),
        story,
        "Thank you for **telling us**.",
        action="preview",
        headers={"HX-Request": "true"},
    )
    html = page.content.decode()
    assert '<section id="respond"' in html
    assert "<strong>telling us</strong>" in html
    assert "<html" not in html
    assert not Response.objects.exists()


def test_response_preview_with_htmx_keeps_the_edit_time_hint(
    org: Organisation, responder: User
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    full = signed_in(responder).get(reverse("inbox:story", kwargs={"pk": story.pk}))
    assert "You can edit or withdraw it for 30 minutes." in full.content.decode()
    page = respond(
        signed_in(responder), story, "Thank you.", action="preview", headers={"HX-Request": "true"}
    )
    assert "You can edit or withdraw it for 30 minutes." in page.content.decode()


def test_response_keeps_paragraphs_lists_and_links_but_not_scripts(
    org: Organisation, responder: User
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    body = (
        "First, thank you.\n\n"
        "What we are doing:\n\n"
        "- a new rota\n"
        "- a [visiting guide](https://example.org/visiting)\n\n"
        "<script>alert('x')</script>\n\n"
        '[click me](javascript:alert(1)) and <a href="javascript:alert(2)">me</a>'
    )
    preview = respond(signed_in(responder), story, body, action="preview").context["preview"]
    assert "<p>First, thank you.</p>" in preview.html
    assert "<ul>\n<li>a new rota</li>" in preview.html
    assert '<a href="https://example.org/visiting" rel="nofollow noopener noreferrer ugc">' in (
        preview.html
    )
    assert "<script" not in preview.html
    assert not re.search(r"<a [^>]*javascript", preview.html)
    assert "&lt;script&gt;" in preview.html  # shown as text, never run
    # Posted, the stored HTML is the same clean rendering.
    hold_none(org)
    respond(signed_in(responder), story, body)
    assert Response.objects.get().body_html == preview.html


def test_response_too_long_or_empty_is_a_form_error(org: Organisation, responder: User) -> None:
    story = StoryFactory(services=[node(org, 3)])
    client = signed_in(responder)
    for body in ("   ", "x" * 5001):
        page = respond(client, story, body)
        assert page.status_code == 200
        assert page.context["response_form"].errors["body"]
    assert not Response.objects.exists()


# --- generic replies ------------------------------------------------------------------
def test_response_preview_warns_when_nearly_the_same_as_earlier_ones(
    org: Organisation, responder: User
) -> None:
    hold_none(org)
    earlier = StoryFactory(services=[node(org, 3)])
    published(earlier, node(org, 3), GENERIC)
    published(earlier, org, GENERIC)  # another node of the same trust
    story = StoryFactory(services=[node(org, 3)])
    client = signed_in(responder)
    page = respond(client, story, NEARLY_GENERIC, action="preview")
    assert "nearly the same as 2 earlier responses" in page.content.decode()
    respond(client, story, NEARLY_GENERIC)
    response = Response.objects.get(story=story)
    assert (response.is_generic, response.similar_count) == (True, 2)
    staff_page = client.get(reverse("inbox:story", kwargs={"pk": story.pk}))
    assert "Reads like 2 earlier responses" in staff_page.content.decode()


def test_response_personal_reply_is_not_generic(org: Organisation, responder: User) -> None:
    hold_none(org)
    earlier = StoryFactory(services=[node(org, 3)])
    published(earlier, node(org, 3), GENERIC)
    published(earlier, node(org, 3), GENERIC)
    story = StoryFactory(services=[node(org, 3)])
    client = signed_in(responder)
    page = respond(client, story, PERSONAL, action="preview")
    assert "nearly the same as" not in page.content.decode()
    respond(client, story, PERSONAL)
    response = Response.objects.get(story=story)
    assert (response.is_generic, response.similar_count) == (False, 0)


def test_response_similar_count_ignores_other_trusts(
    org: Organisation, other_org: Organisation, responder: User
) -> None:
    theirs = StoryFactory(services=[node(other_org, 3)])
    published(theirs, node(other_org, 3), GENERIC)
    published(theirs, other_org, GENERIC)
    story = StoryFactory(services=[node(org, 3)])
    page = respond(signed_in(responder), story, NEARLY_GENERIC, action="preview")
    assert "nearly the same as" not in page.content.decode()
    assert similar_count(organisation=node(org, 3), body=NEARLY_GENERIC) == 0
    assert similar_count(organisation=node(other_org, 2), body=NEARLY_GENERIC) == 2


def test_response_similar_count_ignores_responses_not_published(
    org: Organisation, responder: User
) -> None:
    earlier = StoryFactory(services=[node(org, 3)])
    published(earlier, org, GENERIC)
    waiting = published(earlier, org, GENERIC)
    Response.objects.filter(pk=waiting.pk).update(
        status=ResponseStatus.AWAITING_MODERATION, published_at=None
    )
    assert similar_count(organisation=org, body=NEARLY_GENERIC) == 1


# --- double submit ---------------------------------------------------------------------
def test_response_double_submit_makes_one_response(org: Organisation, responder: User) -> None:
    hold_none(org)
    story = StoryFactory(services=[node(org, 3)])
    client = signed_in(responder)
    key = uuid.uuid4()
    first = respond(client, story, PERSONAL, key=key)
    second = respond(client, story, PERSONAL, key=key)
    assert first.status_code == second.status_code == 302
    assert Response.objects.count() == 1
    assert AuditEntry.objects.filter(action="responses.response.published").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_response_double_submit_at_the_same_moment_makes_one_response(
    org: Organisation, responder: User
) -> None:
    hold_none(org)
    story = StoryFactory(services=[node(org, 3)])
    key = uuid.uuid4()
    first_written = threading.Event()
    outcome: dict[str, Any] = {}

    def submit(name: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                outcome[name] = response_create(
                    author=responder,
                    story=story,
                    organisation=node(org, 3),
                    body=PERSONAL,
                    submission_key=key,
                )
                if hold:  # the first request is still finishing when the second arrives
                    first_written.set()
                    time.sleep(1)
        except Exception as exc:  # the outcome is what the test checks
            outcome[name] = exc
        finally:
            connection.close()

    first = threading.Thread(target=submit, args=("first", True))
    first.start()
    assert first_written.wait(10)
    second = threading.Thread(target=submit, args=("second", False))
    second.start()
    first.join()
    second.join()
    assert isinstance(outcome["second"], Response), outcome["second"]
    assert outcome["first"].pk == outcome["second"].pk
    assert Response.objects.count() == 1


# --- who may respond -------------------------------------------------------------------
@pytest.mark.parametrize("member", ["other_org_responder", "reader"])
@pytest.mark.parametrize("htmx", [False, True])
def test_respond_is_refused_to_staff_without_rights(
    org: Organisation, member: str, htmx: bool, request: pytest.FixtureRequest
) -> None:
    person: User = request.getfixturevalue(member)
    story = StoryFactory(services=[node(org, 3)])
    headers = {"HX-Request": "true"} if htmx else {}
    for action in ("preview", "post"):
        page = respond(signed_in(person), story, PERSONAL, action=action, headers=headers)
        assert page.status_code == 403
    assert not Response.objects.exists()
    refused = AuditEntry.objects.filter(actor=person, action="responses.response.refused")
    assert refused.count() == 2
    assert {(e.object_type, e.object_id) for e in refused} == {("stories.story", str(story.pk))}


def test_respond_sends_anonymous_visitors_to_sign_in(org: Organisation) -> None:
    story = StoryFactory(services=[node(org, 3)])
    page = respond(Client(), story, PERSONAL)
    assert page.status_code == 302
    assert page.url.startswith(reverse("account_login"))
    assert not Response.objects.exists()


def test_respond_nodes_offer_the_service_and_the_nodes_above_it(
    org: Organisation, responder: User
) -> None:
    service = node(org, 3)
    story = StoryFactory(services=[service])
    assert respond_nodes(responder, story) == [org, node(org, 2), service]
    page = signed_in(responder).get(reverse("inbox:story", kwargs={"pk": story.pk}))
    html = page.content.decode()
    assert '<select name="organisation"' in html
    for choice in (org, node(org, 2), service):
        assert f'<option value="{choice.pk}"' in html


def test_respond_on_behalf_of_starts_on_the_service_the_story_names(
    org: Organisation, responder: User
) -> None:
    """A trust-wide responder is offered the trust, the site and the service: the form
    starts on the service, not on the first node of the list."""
    service = node(org, 3)
    story = StoryFactory(services=[service])
    page = signed_in(responder).get(reverse("inbox:story", kwargs={"pk": story.pk}))
    html = page.content.decode()
    assert f'<option value="{service.pk}" selected>' in html
    assert html.count(" selected>") == 1
    assert page.context["response_form"]["organisation"].value() == service.pk


def as_staff_see(story: Story) -> Story:
    """The story as the staff page loads it: services in the order the author named them."""
    return story_queryset().get(pk=story.pk)


def test_respond_on_behalf_of_defaults_to_the_most_specific_node_named(
    org: Organisation, super_user: User, ward: Organisation
) -> None:
    hospital, outpatients = node(org, 2), node(org, 3)
    # Two services in scope: the deeper node wins; at equal depth, the one named first.
    deep = OrganisationFactory(parent=outpatients, name="Fracture clinic", kind="team")
    story = as_staff_see(StoryFactory(services=[ward, deep]))
    assert respond_node_default(story, respond_nodes(super_user, story)) == deep
    story = as_staff_see(StoryFactory(services=[ward, outpatients]))
    assert respond_node_default(story, respond_nodes(super_user, story)) == ward
    # A responder for the hospital site only, of a story about a service under it.
    at_site = staff("responder", hospital)
    story = as_staff_see(StoryFactory(services=[ward, outpatients]))
    assert respond_nodes(at_site, story) == [hospital, outpatients]
    assert respond_node_default(story, respond_nodes(at_site, story)) == outpatients
    assert respond_node_default(story, []) is None


def test_respond_on_behalf_of_a_referred_team_prefers_the_service_named(
    org: Organisation, super_user: User, ward: Organisation
) -> None:
    member = staff("reader", node(org, 2))
    team = team_of(node(org, 2), member, name="Patient experience")
    story = as_staff_see(StoryFactory(services=[ward]))
    referral_create(referrer=super_user, story=story, team=team)
    assert respond_node_default(story, respond_nodes(member, story)) == ward


def test_respond_nodes_stop_at_the_responders_own_part(org: Organisation) -> None:
    service = node(org, 3)
    at_site = staff("responder", node(org, 2))
    assert respond_nodes(at_site, StoryFactory(services=[service])) == [node(org, 2), service]


def test_respond_nodes_with_one_choice_is_a_hidden_field(org: Organisation) -> None:
    service = node(org, 3)
    at_service = staff("responder", service)
    story = StoryFactory(services=[service])
    assert respond_nodes(at_service, story) == [service]
    html = signed_in(at_service).get(reverse("inbox:story", kwargs={"pk": story.pk})).content
    assert b'<select name="organisation"' not in html
    assert f'type="hidden" name="organisation" value="{service.pk}"'.encode() in html


def test_respond_nodes_for_a_referral_are_the_storys_services_and_the_team(
    org: Organisation, super_user: User, ward: Organisation
) -> None:
    story = StoryFactory(services=[ward])
    person = staff("reader", node(org, 2))  # may read at the hospital, may not respond
    assert respond_nodes(person, story) == []
    referral_create(referrer=super_user, story=story, user=person)
    assert respond_nodes(person, story) == [ward]

    member = staff("reader", node(org, 2))
    team = team_of(node(org, 2), member, name="Patient experience")
    referral_create(referrer=super_user, story=story, team=team)
    assert respond_nodes(member, story) == [node(org, 2), ward]


def test_respond_on_behalf_of_a_node_outside_my_choices_is_a_form_error(
    org: Organisation, other_org: Organisation
) -> None:
    at_site = staff("responder", node(org, 2))
    story = StoryFactory(services=[node(org, 3)])
    client = signed_in(at_site)
    for outside in (org, node(other_org, 3)):
        page = respond(client, story, PERSONAL, on_behalf_of=outside)
        assert page.status_code == 200
        assert page.context["response_form"].errors["organisation"]
    assert not Response.objects.exists()


# --- editing and withdrawing ----------------------------------------------------------
@pytest.fixture
def posted(org: Organisation, responder: User) -> Response:
    """A public response the responder wrote just now."""
    hold_none(org)
    story = StoryFactory(services=[node(org, 3)])
    respond(signed_in(responder), story, "We are sorry for the wait.")
    return Response.objects.get()


def edit_url(response: Response) -> str:
    return reverse("inbox:edit_response", kwargs={"pk": response.pk})


def withdraw_url(response: Response) -> str:
    return reverse("inbox:withdraw_response", kwargs={"pk": response.pk})


def staff_page(client: Client, response: Response) -> str:
    page = client.get(reverse("inbox:story", kwargs={"pk": response.story_id}))
    assert page.status_code == 200
    return page.content.decode()


def test_response_edit_by_its_writer_within_30_minutes(posted: Response, responder: User) -> None:
    written_ago(posted, 29)
    client = signed_in(responder)
    assert edit_url(posted) in staff_page(client, posted)
    assert client.get(edit_url(posted)).status_code == 200
    page = client.post(edit_url(posted), {"body": "We are **very** sorry for the wait."})
    assert page.status_code == 302
    posted.refresh_from_db()
    assert posted.body == "We are **very** sorry for the wait."
    assert posted.body_html == "<p>We are <strong>very</strong> sorry for the wait.</p>\n"
    assert posted.edited_at is not None
    assert AuditEntry.objects.filter(action="responses.response.edited").count() == 1


def test_response_edit_by_its_writer_after_30_minutes_is_refused(
    posted: Response, responder: User
) -> None:
    written_ago(posted, 31)
    client = signed_in(responder)
    assert edit_url(posted) not in staff_page(client, posted)
    assert client.get(edit_url(posted)).status_code == 403
    assert client.post(edit_url(posted), {"body": "Changed"}).status_code == 403
    assert client.post(withdraw_url(posted), {"reason": ""}).status_code == 403
    posted.refresh_from_db()
    assert (posted.body, posted.status) == ("We are sorry for the wait.", ResponseStatus.PUBLISHED)


def test_response_edit_refused_after_30_minutes_is_audited(
    posted: Response, responder: User
) -> None:
    written_ago(posted, 31)
    client = signed_in(responder)
    client.post(edit_url(posted), {"body": "Changed"})
    client.post(withdraw_url(posted), {"reason": ""})
    actions = set(AuditEntry.objects.filter(actor=responder).values_list("action", flat=True))
    assert {"responses.response.edit_refused", "responses.response.withdraw_refused"} <= actions


def test_response_withdraw_by_its_writer_within_30_minutes(
    posted: Response, responder: User
) -> None:
    page = signed_in(responder).post(withdraw_url(posted), {"reason": ""})
    assert page.status_code == 302
    posted.refresh_from_db()
    assert posted.status == ResponseStatus.WITHDRAWN
    assert posted.moderated_by is None
    assert "We are sorry for the wait." not in public_page(posted.story)
    # Withdrawn is final, for its writer too.
    assert signed_in(responder).get(edit_url(posted)).status_code == 403


def test_response_edit_by_a_moderator_at_any_time(posted: Response, moderator: User) -> None:
    written_ago(posted, 60 * 24 * 7)
    client = signed_in(moderator)
    assert client.get(edit_url(posted)).status_code == 200
    assert client.post(edit_url(posted), {"body": "Edited by a moderator."}).status_code == 302
    posted.refresh_from_db()
    assert posted.body == "Edited by a moderator."


def test_response_withdraw_by_a_moderator_needs_a_reason(posted: Response, moderator: User) -> None:
    written_ago(posted, 60 * 24 * 7)
    client = signed_in(moderator)
    page = client.post(withdraw_url(posted), {"reason": "  "})
    assert page.status_code == 200
    assert "Say why the response is withdrawn." in page.content.decode()
    posted.refresh_from_db()
    assert posted.status == ResponseStatus.PUBLISHED

    page = client.post(withdraw_url(posted), {"reason": "It names a member of staff."})
    assert page.status_code == 302
    posted.refresh_from_db()
    assert posted.status == ResponseStatus.WITHDRAWN
    assert posted.withdrawn_reason == "It names a member of staff."
    assert posted.moderated_by == moderator
    assert "We are sorry for the wait." not in public_page(posted.story)


def test_response_edit_by_another_responder_is_refused(org: Organisation, posted: Response) -> None:
    colleague = staff("responder", org)
    client = signed_in(colleague)
    assert client.get(edit_url(posted)).status_code == 403
    assert client.post(edit_url(posted), {"body": "Mine now"}).status_code == 403
    assert client.post(withdraw_url(posted), {"reason": "no"}).status_code == 403
    posted.refresh_from_db()
    assert (posted.body, posted.status) == ("We are sorry for the wait.", ResponseStatus.PUBLISHED)


def test_response_edit_sends_anonymous_visitors_to_sign_in(posted: Response) -> None:
    for page in (Client().get(edit_url(posted)), Client().post(withdraw_url(posted))):
        assert page.status_code == 302
        assert page.url.startswith(reverse("account_login"))


def test_response_edit_works_out_the_generic_mark_again(
    org: Organisation, posted: Response, responder: User
) -> None:
    earlier = StoryFactory(services=[node(org, 3)])
    published(earlier, org, GENERIC)
    edited = response_edit(actor=responder, response=posted, body=NEARLY_GENERIC)
    assert (edited.is_generic, edited.similar_count) == (True, 1)
    edited = response_edit(actor=responder, response=posted, body=PERSONAL)
    assert (edited.is_generic, edited.similar_count) == (False, 0)
