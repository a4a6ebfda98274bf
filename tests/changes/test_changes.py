"""Changes planned and made: recording, updating, linking stories, telling authors, the
story's progress, the public register and its staff export, and overdue reminders."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.alerts.services import overdue_changes_remind
from apps.changes.models import Change, ChangeStatus, ChangeStory
from apps.changes.progress import PROGRESS
from apps.changes.services import (
    change_edit,
    change_link,
    change_mark_made,
    change_plan,
    change_stop,
    change_unlink,
    record_nodes,
)
from apps.core.models import AuditEntry, OutboxEmail
from apps.organisations.models import Organisation
from apps.responses.models import Response, ResponseStatus, StaffRead
from apps.stories.models import Story, StoryStatus
from apps.stories.search import StoryFilters, story_search
from apps.stories.selectors import story_list_public
from apps.stories.taxonomy import Progress
from tests.factories import OrganisationFactory, RoleFactory, StoryFactory, with_second_factor
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db


def node(parent: Organisation, name: str, kind: str = "service") -> Organisation:
    return OrganisationFactory(parent=parent, name=name, kind=kind)


def respond(story: Story, organisation: Organisation, writer: User, **extra: Any) -> Response:
    return Response.objects.create(
        story=story,
        organisation=organisation,
        author=writer,
        author_name=writer.display_name,
        body="We hear you.",
        body_html="<p>We hear you.</p>",
        status=extra.pop("status", ResponseStatus.PUBLISHED),
        published_at=extra.pop("published_at", timezone.now()),
        **extra,
    )


def plan(actor: User, story: Story, organisation: Organisation, **extra: Any) -> Change:
    return change_plan(
        actor=actor,
        story=story,
        organisation=organisation,
        summary=extra.pop("summary", "Drinks are offered every hour while people wait."),
        due_on=extra.pop("due_on", timezone.localdate() + dt.timedelta(days=30)),
        **extra,
    )


def author_emails(story: Story) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind="changes.change_to_author", to=story.author_email))


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    return node(node(org, "General Hospital", "site"), "Ward 7")


@pytest.fixture
def story(ward: Organisation) -> Story:
    return StoryFactory(services=[ward], title="Thirsty on Ward 7")


# --- recording -----------------------------------------------------------------------


def test_plan_records_links_audits_and_tells_the_author(
    story: Story, ward: Organisation, responder: User
) -> None:
    response = respond(story, ward, responder)
    change = plan(responder, story, ward, response_id=response.pk)

    assert change.status == ChangeStatus.PLANNED
    assert change.status_on == timezone.localdate()
    assert change.recorded_by_name == responder.display_name
    link = ChangeStory.objects.get(change=change)
    assert (link.story_id, link.response_id, link.linked_by_id) == (
        story.pk,
        response.pk,
        responder.pk,
    )
    assert AuditEntry.objects.filter(
        action="changes.change.planned", object_id=str(change.pk), organisation_path=ward.path
    ).exists()
    [email] = author_emails(story)
    assert "plans a change" in email.subject
    assert change.summary in email.body_text
    assert story.get_absolute_url() in email.body_text
    # The register is named as its page and every link to it are.
    register = reverse("changes:register", kwargs={"slug": ward.slug})
    assert f"Changes at {ward.name}, every change it has planned and made:\n" in email.body_text
    assert register in email.body_text
    # Public words only: never the staff-only criticality or the author's address.
    assert "riticality" not in email.body_text


def test_plan_refuses_readers_other_trusts_and_platform_roles_and_audits(
    story: Story,
    ward: Organisation,
    reader: User,
    other_org_responder: User,
    moderator: User,
) -> None:
    for person in (reader, other_org_responder, moderator):
        with pytest.raises(PermissionDenied):
            plan(person, story, ward)
    assert not Change.objects.exists()
    assert AuditEntry.objects.filter(action="changes.change.refused").count() == 3


def test_a_referral_gives_a_story_to_answer_not_a_change_to_commit(
    story: Story, ward: Organisation, org: Organisation
) -> None:
    from apps.responses.services import referral_create

    outsider = with_second_factor(RoleFactory(role="reader", organisation=org).user)
    referrer = with_second_factor(RoleFactory(role="super_user", organisation=org).user)
    referral_create(referrer=referrer, story=story, user=outsider)
    with pytest.raises(PermissionDenied):
        plan(outsider, story, ward)


def test_plan_refuses_a_node_outside_the_responders_scope(
    story: Story, ward: Organisation, org: Organisation
) -> None:
    ward_responder = with_second_factor(RoleFactory(role="responder", organisation=ward).user)
    assert [n.pk for n in record_nodes(ward_responder, story)] == [ward.pk]
    with pytest.raises(PermissionDenied):
        plan(ward_responder, story, org)  # the whole trust: above their role


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"summary": "   "}, "summary"),
        ({"summary": "x" * 2001}, "summary"),
        ({"due_on": dt.date(2020, 1, 1)}, "due_on"),
        ({"due_on": dt.date(2099, 1, 1)}, "due_on"),
    ],
)
def test_plan_says_what_is_wrong_and_saves_nothing(
    story: Story, ward: Organisation, responder: User, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        plan(responder, story, ward, **changes)
    assert field in caught.value.error_dict
    assert not Change.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_plan_names_only_a_published_response_of_the_story(
    story: Story, ward: Organisation, responder: User
) -> None:
    other = respond(StoryFactory(services=[ward]), ward, responder)
    pending = respond(story, ward, responder, status=ResponseStatus.AWAITING_MODERATION)
    for response in (other, pending):
        with pytest.raises(ValidationError) as caught:
            plan(responder, story, ward, response_id=response.pk)
        assert "response" in caught.value.error_dict
    assert not Change.objects.exists()


def test_a_double_submit_makes_one_change(
    story: Story, ward: Organisation, responder: User
) -> None:
    key = uuid.uuid4()
    first = plan(responder, story, ward, submission_key=key)
    second = plan(responder, story, ward, submission_key=key)
    assert first.pk == second.pk
    assert Change.objects.count() == 1
    assert len(author_emails(story)) == 1


def test_the_record_form_shows_errors_beside_fields_and_keeps_the_text(
    story: Story, ward: Organisation, responder: User
) -> None:
    client = Client()
    client.force_login(responder)
    url = reverse("changes:record", kwargs={"pk": story.pk})
    page = client.post(
        url,
        {
            "summary": "Water jugs on every table.",
            "organisation": str(ward.pk),
            "due_on": "2001-01-01",
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Choose today or a later date." in html
    assert "Water jugs on every table." in html
    assert not Change.objects.exists()


# --- updating ------------------------------------------------------------------------


def test_mark_made_tells_every_linked_author_once(
    story: Story, ward: Organisation, responder: User
) -> None:
    second = StoryFactory(services=[ward])
    withdrawn = StoryFactory(services=[ward])
    change = plan(responder, story, ward)
    change_link(actor=responder, change=change, story=second)
    change_link(actor=responder, change=change, story=withdrawn)
    Story.objects.filter(pk=withdrawn.pk).update(status=StoryStatus.WITHDRAWN)

    made = change_mark_made(
        actor=responder,
        change=change,
        made_summary="A drinks round every hour.",
        made_on=timezone.localdate(),
    )
    assert made.status == ChangeStatus.MADE
    assert made.status_on == timezone.localdate()
    for each in (story, second):
        subjects = sorted(e.subject for e in author_emails(each))
        assert len(subjects) == 2  # planned (on linking), then made
        assert any("made a change" in s for s in subjects)
    # The withdrawn story's author heard of the plan while it was public, not since.
    assert [e.subject for e in author_emails(withdrawn) if "made" in e.subject] == []
    with pytest.raises(ValidationError):
        change_mark_made(
            actor=responder, change=change, made_summary="Again", made_on=timezone.localdate()
        )


def test_mark_made_needs_words_and_a_past_date(
    story: Story, ward: Organisation, responder: User
) -> None:
    change = plan(responder, story, ward)
    with pytest.raises(ValidationError) as caught:
        change_mark_made(actor=responder, change=change, made_summary=" ", made_on=None)  # type: ignore[arg-type]
    assert "made_summary" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        change_mark_made(
            actor=responder,
            change=change,
            made_summary="Done.",
            made_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "made_on" in caught.value.error_dict
    change.refresh_from_db()
    assert change.status == ChangeStatus.PLANNED


def test_stop_says_why_in_public_and_tells_the_author(
    story: Story, ward: Organisation, responder: User
) -> None:
    change = plan(responder, story, ward)
    with pytest.raises(ValidationError):
        change_stop(actor=responder, change=change, reason="")
    change_stop(actor=responder, change=change, reason="The ward is closing in spring.")
    change.refresh_from_db()
    assert change.status == ChangeStatus.NOT_GOING_AHEAD
    assert any("not going ahead" in e.subject for e in author_emails(story))
    page = Client().get(reverse("changes:public", kwargs={"pk": change.pk}))
    assert "The ward is closing in spring." in page.content.decode()


CHANGE_ACTIONS = ("changes:edit", "changes:mark_made", "changes:stop")


@pytest.mark.parametrize("name", CHANGE_ACTIONS)
def test_each_update_of_a_change_takes_posts_only(
    story: Story, ward: Organisation, responder: User, name: str
) -> None:
    change = plan(responder, story, ward)
    client = Client()
    client.force_login(responder)
    assert client.get(reverse(name, kwargs={"pk": change.pk})).status_code == 405


def _staff_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_editing_a_change_edits_it_only(story: Story, ward: Organisation, responder: User) -> None:
    change = plan(responder, story, ward)
    due = timezone.localdate() + dt.timedelta(days=60)
    url = reverse("changes:edit", kwargs={"pk": change.pk})
    done = _staff_client(responder).post(
        url, {"edit-summary": "Jugs of water on every table.", "edit-due_on": due.isoformat()}
    )
    assert done.status_code == 302
    assert done["Location"] == change.get_absolute_url()
    change.refresh_from_db()
    assert (change.summary, change.due_on, change.status) == (
        "Jugs of water on every table.",
        due,
        ChangeStatus.PLANNED,
    )
    # Fields of the other forms are not read here.
    _staff_client(responder).post(url, {"made-made_summary": "x", "edit-summary": ""})
    change.refresh_from_db()
    assert change.status == ChangeStatus.PLANNED


def test_marking_a_change_made_marks_it_made_only(
    story: Story, ward: Organisation, responder: User
) -> None:
    change = plan(responder, story, ward)
    url = reverse("changes:mark_made", kwargs={"pk": change.pk})
    client = _staff_client(responder)
    empty = client.post(url, {"edit-summary": "Something else."})
    assert empty.status_code == 200
    assert empty.context["made_form"].errors
    change.refresh_from_db()
    assert change.status == ChangeStatus.PLANNED
    done = client.post(
        url,
        {
            "made-made_summary": "A drinks round every hour.",
            "made-made_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert "The change is marked made." in done.content.decode()
    change.refresh_from_db()
    assert (change.status, change.made_summary) == (ChangeStatus.MADE, "A drinks round every hour.")
    assert change.summary == "Drinks are offered every hour while people wait."


def test_stopping_a_change_stops_it_only(story: Story, ward: Organisation, responder: User) -> None:
    change = plan(responder, story, ward)
    url = reverse("changes:stop", kwargs={"pk": change.pk})
    client = _staff_client(responder)
    empty = client.post(url)
    assert empty.status_code == 200
    assert empty.context["stop_form"].errors
    assert not empty.context["made_form"].errors
    done = client.post(url, {"stop-reason": "The ward is closing."}, follow=True)
    assert "The change is marked not going ahead." in done.content.decode()
    change.refresh_from_db()
    assert (change.status, change.reason) == (ChangeStatus.NOT_GOING_AHEAD, "The ward is closing.")


def test_moving_the_date_allows_one_more_reminder(
    story: Story, ward: Organisation, responder: User
) -> None:
    change = plan(responder, story, ward)
    Change.objects.filter(pk=change.pk).update(reminded_at=timezone.now())
    change.refresh_from_db()
    change_edit(
        actor=responder,
        change=change,
        summary=change.summary,
        due_on=change.due_on + dt.timedelta(days=7),
    )
    change.refresh_from_db()
    assert change.reminded_at is None
    assert AuditEntry.objects.filter(action="changes.change.edited").exists()


def test_updates_are_refused_to_readers_and_other_trusts(
    story: Story, ward: Organisation, responder: User, reader: User, other_org_responder: User
) -> None:
    change = plan(responder, story, ward)
    for person in (reader, other_org_responder):
        with pytest.raises(PermissionDenied):
            change_mark_made(
                actor=person, change=change, made_summary="x", made_on=timezone.localdate()
            )
        with pytest.raises(PermissionDenied):
            change_unlink(actor=person, change=change, story_id=story.pk)
    change.refresh_from_db()
    assert change.status == ChangeStatus.PLANNED
    assert ChangeStory.objects.filter(change=change).exists()


def test_link_refuses_a_story_twice_and_a_story_out_of_scope(
    story: Story, ward: Organisation, responder: User, other_org: Organisation
) -> None:
    change = plan(responder, story, ward)
    with pytest.raises(ValidationError):
        change_link(actor=responder, change=change, story=story)
    elsewhere = StoryFactory(services=[other_org])
    with pytest.raises(PermissionDenied):
        change_link(actor=responder, change=change, story=elsewhere)
    assert ChangeStory.objects.filter(change=change).count() == 1


# --- progress ------------------------------------------------------------------------


def progress_of(story: Story) -> str:
    return story_list_public().get(pk=story.pk).progress  # type: ignore[attr-defined]


def test_progress_is_the_furthest_step_reached(
    story: Story, ward: Organisation, responder: User
) -> None:
    assert progress_of(story) == Progress.NOT_READ
    StaffRead.objects.create(story=story, user=responder)
    assert progress_of(story) == Progress.READ
    pending = respond(story, ward, responder, status=ResponseStatus.AWAITING_MODERATION)
    assert progress_of(story) == Progress.READ  # a held response is not public yet
    Response.objects.filter(pk=pending.pk).update(status=ResponseStatus.PUBLISHED)
    assert progress_of(story) == Progress.RESPONDED
    change = plan(responder, story, ward)
    assert progress_of(story) == Progress.CHANGE_PLANNED
    change_mark_made(
        actor=responder, change=change, made_summary="Done.", made_on=timezone.localdate()
    )
    assert progress_of(story) == Progress.CHANGE_MADE


def test_a_change_not_going_ahead_advances_nothing(
    story: Story, ward: Organisation, responder: User
) -> None:
    respond(story, ward, responder)
    change = plan(responder, story, ward)
    change_stop(actor=responder, change=change, reason="No budget this year.")
    assert progress_of(story) == Progress.RESPONDED
    # A change planned without any response is still a change planned.
    lone = StoryFactory(services=[ward])
    plan(responder, lone, ward)
    assert progress_of(lone) == Progress.CHANGE_PLANNED


def test_progress_filters_the_public_lists(
    story: Story, ward: Organisation, org: Organisation, responder: User
) -> None:
    quiet = StoryFactory(services=[ward], title="Nobody has read me")
    respond(story, ward, responder)
    plan(responder, story, ward)
    listed = Client().get(reverse("stories:list"), {"progress": "change_planned"})
    html = listed.content.decode()
    assert story.display_title in html
    assert quiet.display_title not in html
    organisation_page = Client().get(org.get_absolute_url(), {"progress": "not_read"})
    html = organisation_page.content.decode()
    assert quiet.display_title in html
    assert story.display_title not in html
    # An unknown step lists everything rather than failing.
    assert Client().get(reverse("stories:list"), {"progress": "nonsense"}).status_code == 200


def _one_at_each_step(ward: Organisation, responder: User) -> dict[str, Story]:
    at = {step: StoryFactory(services=[ward], title=f"At {step}") for step in Progress.values}
    for step in (Progress.READ, Progress.RESPONDED, Progress.CHANGE_PLANNED):
        StaffRead.objects.create(story=at[step], user=responder)
    for step in (Progress.RESPONDED, Progress.CHANGE_PLANNED, Progress.CHANGE_MADE):
        respond(at[step], ward, responder)
    plan(responder, at[Progress.CHANGE_PLANNED], ward)
    made = plan(responder, at[Progress.CHANGE_MADE], ward)
    change_mark_made(
        actor=responder, change=made, made_summary="Done.", made_on=timezone.localdate()
    )
    # A change not going ahead, beside a made one, leaves the story at "change made".
    stopped = plan(responder, at[Progress.CHANGE_MADE], ward, summary="Something else.")
    change_stop(actor=responder, change=stopped, reason="No budget.")
    return at


def test_each_steps_condition_finds_the_stories_at_that_step_and_no_other(
    ward: Organisation, responder: User
) -> None:
    """The conditions progress registers for search agree with the progress it shows."""
    at = _one_at_each_step(ward, responder)
    ours = [story.pk for story in at.values()]
    shown = dict(story_list_public().filter(pk__in=ours).values_list("pk", "progress"))
    assert shown == {story.pk: step for step, story in at.items()}
    conditions = PROGRESS.conditions()
    assert set(conditions) == set(Progress.values)
    for step, story in at.items():
        matched = Story.objects.filter(conditions[step], pk__in=ours)
        assert list(matched.values_list("pk", flat=True)) == [story.pk], step
        found = story_search(StoryFilters(progress=step)).filter(pk__in=ours)
        assert [s.pk for s in found] == [story.pk], step
        assert list(story_list_public(step).values_list("pk", flat=True)) == [story.pk], step


def test_the_story_page_shows_progress_and_the_change_beside_its_response(
    story: Story, ward: Organisation, responder: User
) -> None:
    response = respond(story, ward, responder)
    change = plan(responder, story, ward, response_id=response.pk, summary="Jugs on tables.")
    html = Client().get(story.get_absolute_url()).content.decode()
    assert 'aria-current="step">Change planned' in html
    turn = html.split(f'id="response-{response.pk}"')[1].split("</li>")[0]
    assert "Change planned" in turn
    assert change.get_public_url() in turn
    assert "What is changing" in html


# --- the register --------------------------------------------------------------------


def _register(client: Client, org: Organisation, **query: str) -> str:
    url = reverse("changes:register", kwargs={"slug": org.slug})
    page = client.get(url, query)
    assert page.status_code == 200
    return page.content.decode()


def test_register_filters_by_status_service_and_date(
    org: Organisation, ward: Organisation, story: Story, responder: User
) -> None:
    clinic = node(org, "Eye Clinic")
    planned = plan(responder, story, ward, summary="Planned for the ward")
    made = plan(responder, StoryFactory(services=[clinic]), clinic, summary="Made at the clinic")
    change_mark_made(
        actor=responder,
        change=made,
        made_summary="Clinic letters in large print.",
        made_on=timezone.localdate() - dt.timedelta(days=10),
    )
    client = Client()
    html = _register(client, org)
    assert planned.summary in html
    assert made.summary in html
    html = _register(client, org, status="made")
    assert made.summary in html
    assert planned.summary not in html
    html = _register(client, org, service=ward.slug)
    assert planned.summary in html
    assert made.summary not in html
    day = timezone.localdate() - dt.timedelta(days=5)
    html = _register(client, org, date_from=day.isoformat())
    assert planned.summary in html
    assert made.summary not in html
    html = _register(client, org, date_to=day.isoformat())
    assert made.summary in html
    assert planned.summary not in html
    boxes = {
        "date_from_day": str(day.day),
        "date_from_month": str(day.month),
        "date_from_year": str(day.year),
    }
    html = _register(client, org, **boxes)
    assert planned.summary in html
    assert made.summary not in html
    assert "<legend>Updated from</legend>" in html
    html = _register(client, org, **{**boxes, "date_from_day": "32"})
    assert "Updated from must be a real date" in html
    # The ward's own page lists only its changes.
    html = _register(client, ward)
    assert planned.summary in html
    assert made.summary not in html


def test_register_links_only_published_stories(
    org: Organisation, ward: Organisation, story: Story, responder: User
) -> None:
    hidden = StoryFactory(services=[ward], title="Taken down by its author")
    change = plan(responder, story, ward)
    change_link(actor=responder, change=change, story=hidden)
    Story.objects.filter(pk=hidden.pk).update(status=StoryStatus.WITHDRAWN)
    html = _register(Client(), org)
    assert story.display_title in html
    assert hidden.display_title not in html


def test_overdue_is_marked_and_filterable_for_staff_only(
    org: Organisation, ward: Organisation, story: Story, responder: User, reader: User
) -> None:
    change = plan(responder, story, ward)
    Change.objects.filter(pk=change.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    public = _register(Client(), org)
    assert "Overdue" not in public
    assert "Download these as CSV" not in public
    assert change.summary in _register(Client(), org, status="overdue")  # ignored: all
    staff = Client()
    staff.force_login(reader)
    html = _register(staff, org, status="overdue")
    assert "badge-warn" in html
    assert change.summary in html
    assert "Download these as CSV" in html


def test_export_is_the_filtered_register_as_safe_csv(
    org: Organisation, ward: Organisation, story: Story, responder: User, reader: User
) -> None:
    plan(responder, story, ward, summary="=HYPERLINK('http://evil.example')")
    other = plan(responder, StoryFactory(services=[ward]), ward, summary="Second change")
    change_stop(actor=responder, change=other, reason="Merged with the first.")
    client = Client()
    client.force_login(reader)
    url = reverse("changes:export", kwargs={"slug": org.slug})
    response = client.get(url, {"status": "planned"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0][:3] == ["id", "status", "overdue"]
    assert len(rows) == 2  # the header and the planned change, not the stopped one
    assert rows[1][3] == "'=HYPERLINK('http://evil.example')"
    assert story.get_absolute_url() in rows[1][-1]
    # No staff-only data: no criticality, no author email.
    text = "\n".join(",".join(r) for r in rows)
    assert story.author_email not in text


def test_register_keeps_its_query_budget(
    org: Organisation, ward: Organisation, responder: User, reader: User
) -> None:
    public, staff = (
        QueryBudget("register (public)", limit=8),
        QueryBudget("register (staff)", limit=14),
    )
    staff_client = Client()
    staff_client.force_login(reader)
    url = reverse("changes:register", kwargs={"slug": org.slug})
    made = 0
    for size in (2, 20):
        while made < size:
            story = StoryFactory(services=[ward])
            change = plan(responder, story, ward)
            change_link(actor=responder, change=change, story=StoryFactory(services=[ward]))
            made += 1
        public.measure(size, lambda: Client().get(url))
        staff.measure(size, lambda: staff_client.get(url))
    public.assert_flat()
    staff.assert_flat()


# --- reminders -----------------------------------------------------------------------


def test_overdue_changes_are_reminded_once_to_responders_over_them(
    org: Organisation,
    ward: Organisation,
    story: Story,
    responder: User,
    reader: User,
    super_user: User,
    other_org_responder: User,
) -> None:
    change = plan(responder, story, ward)
    made = plan(responder, StoryFactory(services=[ward]), ward)
    change_mark_made(actor=responder, change=made, made_summary="x", made_on=timezone.localdate())
    later = change.due_on + dt.timedelta(days=1)

    assert overdue_changes_remind(today=change.due_on) == 0  # due today is not overdue
    assert overdue_changes_remind(today=later) == 1
    reminded = set(
        OutboxEmail.objects.filter(kind="alerts.change_overdue").values_list("to", flat=True)
    )
    assert reminded == {responder.email, super_user.email}  # not readers, not other trusts
    assert overdue_changes_remind(today=later) == 0  # once

    change.refresh_from_db()
    change_edit(
        actor=responder,
        change=change,
        summary=change.summary,
        due_on=later,
    )
    assert overdue_changes_remind(today=later + dt.timedelta(days=1)) == 1
    assert OutboxEmail.objects.filter(kind="alerts.change_overdue").count() == 4


def test_the_organisation_page_shows_its_latest_changes_and_the_register(
    org: Organisation, ward: Organisation, story: Story, responder: User
) -> None:
    html = Client().get(org.get_absolute_url()).content.decode()
    assert "No change has been recorded" in html
    change = plan(responder, story, ward, summary="Quiet hours on the ward at night.")
    html = Client().get(org.get_absolute_url()).content.decode()
    assert "1 change planned after stories told here." in html
    assert "0 changes" not in html
    assert change.get_public_url() in html
    assert reverse("changes:register", kwargs={"slug": org.slug}) in html


def test_with_several_parts_to_choose_the_form_chooses_none(
    story: Story, ward: Organisation, responder: User
) -> None:
    client = Client()
    client.force_login(responder)
    url = reverse("changes:record", kwargs={"pk": story.pk})
    form = client.get(url).context["form"]
    assert form["organisation"].value() in (None, "")
    page = client.post(
        url,
        {
            "summary": "Water jugs on every table.",
            "due_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert "Choose which service or part the change is for." in page.content.decode()
    assert not Change.objects.exists()


def test_a_withdrawn_story_shows_no_title_on_a_change(
    story: Story, ward: Organisation, responder: User, org: Organisation
) -> None:
    """Its author took the words back: staff see "Withdrawn story", the public nothing."""
    change = plan(responder, story, ward)
    Story.objects.filter(pk=story.pk).update(status=StoryStatus.WITHDRAWN)
    staff = Client()
    staff.force_login(responder)
    pages = {
        "staff": staff.get(reverse("changes:detail", kwargs={"pk": change.pk})),
        "public": Client().get(change.get_public_url()),
        "register": Client().get(reverse("changes:register", kwargs={"slug": org.slug})),
        "export": staff.get(reverse("changes:export", kwargs={"slug": org.slug})),
    }
    for where, page in pages.items():
        assert page.status_code == 200, where
        content = b"".join(page) if page.streaming else page.content  # type: ignore[attr-defined]
        assert "Thirsty on Ward 7" not in content.decode(), where
        assert story.pseudonym not in content.decode(), where
    assert "Withdrawn story" in pages["staff"].content.decode()


def test_the_organisation_page_counts_follow_a_change_planned_then_made(
    story: Story, ward: Organisation, org: Organisation, responder: User, settings: Any
) -> None:
    """The counts are kept between views (pagecache.kept), and end when a change beneath
    the trust is planned or made; signed in or not, cached page or not."""
    settings.PAGE_CACHE_SECONDS = 0
    reader = Client()
    assert "No change has been recorded" in reader.get(org.get_absolute_url()).content.decode()
    change = plan(responder, story, ward)
    page = reader.get(org.get_absolute_url()).content.decode()
    assert "1 change planned after stories told here." in page
    change_mark_made(
        actor=responder, change=change, made_summary="Done.", made_on=timezone.localdate()
    )
    page = reader.get(org.get_absolute_url()).content.decode()
    assert "1 change made after stories told here." in page
