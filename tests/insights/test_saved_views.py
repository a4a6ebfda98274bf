"""Saved views: the save form on search and insight pages, the owner's list, renaming,
deleting and scheduling; someone else's view is not found."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.insights.models import ReportSchedule, SavedView
from apps.organisations.models import Organisation
from apps.responders.models import RoleName
from tests.factories import RoleFactory, StoryFactory, UserFactory, team_of, with_second_factor
from tests.querybudget import QueryBudget
from tests.test_fuzz import NASTY

pytestmark = pytest.mark.django_db

SAVE = reverse("insights:saved_view_save")
LIST = reverse("insights:saved_views")
FOOD = "food-and-drink"


def save(client: Client, name: str = "Ward food", **fields: str) -> Any:
    data = {"name": name, "kind": "search", "organisation": "", "query": ""} | fields
    return client.post(SAVE, data)


def insight_url(org: Organisation, *, staff: bool = False) -> str:
    name = "insights:staff" if staff else "insights:organisation"
    return reverse(name, kwargs={"slug": org.slug})


def test_signed_in_staff_see_the_save_form_and_visitors_do_not(
    client_as: Any, org: Organisation
) -> None:
    StoryFactory(services=[org])
    search = f"{reverse('stories:list')}?organisation={org.slug}&tag={FOOD}"
    for page in (search, insight_url(org), insight_url(org, staff=True)):
        html = client_as("reader").get(page).content.decode()
        assert "Save this view" in html, page
        assert f'action="{SAVE}"' in html
    assert "Save this view" not in client_as("anonymous").get(search).content.decode()
    assert "Save this view" not in client_as("anonymous").get(insight_url(org)).content.decode()
    # A page whose filters have errors offers nothing to save.
    bad = client_as("reader").get(f"{reverse('stories:list')}?tag=no-such-topic")
    assert "Save this view" not in bad.content.decode()


def test_the_page_form_carries_the_cleaned_query(client_as: Any, org: Organisation) -> None:
    html = (
        client_as("reader")
        .get(f"{reverse('stories:list')}?organisation=RNF&tag={FOOD}&page=3&responded=")
        .content.decode()
    )
    assert f'name="query" value="organisation={org.slug}&amp;tag={FOOD}"' in html


def test_saving_a_search_keeps_its_cleaned_query_and_lists_it(
    client_as: Any, org: Organisation, reader: User
) -> None:
    client = client_as("reader")
    query = f"q=&organisation=RNF&tag={FOOD}&responded=yes&page=3&date_from=2026-01-05"
    response = save(client, "  Ward   food ", query=query)
    assert response.status_code == 302
    assert response["Location"] == LIST
    view = SavedView.objects.get(owner=reader)
    assert view.name == "Ward food"
    assert view.kind == "search"
    assert view.query == f"organisation={org.slug}&tag={FOOD}&date_from=2026-01-05&responded=yes"
    page = client.get(LIST).content.decode()
    assert "Ward food" in page
    assert f"{reverse('stories:list')}?organisation={org.slug}&amp;tag={FOOD}" in page


def test_saving_an_insight_view_keeps_its_node(
    client_as: Any, org: Organisation, reader: User
) -> None:
    response = save(
        client_as("reader"),
        "Trust",
        kind="staff_insight",
        organisation=org.slug,
        query="tag=" + FOOD,
    )
    assert response.status_code == 302
    view = SavedView.objects.get(owner=reader)
    assert (view.kind, view.organisation, view.query) == ("staff_insight", org, f"tag={FOOD}")


def test_a_bad_query_or_name_comes_back_with_errors_beside_the_fields(
    client_as: Any, org: Organisation
) -> None:
    client = client_as("reader")
    response = save(client, query="tag=no-such-topic&date_from=2026-02-30")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "There is no topic “no-such-topic”" in html
    assert 'id="save-query-error"' in html
    response = save(client, name="   ")
    assert "Enter a name for the view." in response.content.decode()
    response = save(client, kind="insight", organisation="no-such-node")
    assert "organisation is not known" in response.content.decode()
    assert not SavedView.objects.exists()


def test_the_staff_insight_of_a_node_outside_scope_cannot_be_saved(
    client_as: Any, org: Organisation
) -> None:
    response = save(client_as("other_org_responder"), kind="staff_insight", organisation=org.slug)
    assert "may not see the staff insight" in response.content.decode()
    assert not SavedView.objects.exists()


def test_a_double_submit_saves_once_and_a_name_in_use_is_refused(
    client_as: Any, org: Organisation, reader: User
) -> None:
    client = client_as("reader")
    query = f"organisation={org.slug}"
    assert save(client, query=query).status_code == 302
    assert save(client, query=query).status_code == 302
    assert SavedView.objects.filter(owner=reader).count() == 1
    response = save(client, query=f"tag={FOOD}")
    assert response.status_code == 200
    assert "You already have a view called “Ward food”" in response.content.decode()
    assert SavedView.objects.filter(owner=reader).count() == 1
    # Another person may use the same name.
    assert save(client_as("responder"), query=query).status_code == 302
    assert SavedView.objects.count() == 2


def test_someone_elses_view_is_not_found(
    client_as: Any, org: Organisation, reader: User, responder: User
) -> None:
    view = SavedView.objects.create(owner=reader, name="Mine", kind="search", query="")
    other = client_as("responder")
    for name in ("saved_view_rename", "saved_view_delete", "saved_view_schedule"):
        url = reverse(f"insights:{name}", kwargs={"pk": view.pk})
        assert other.get(url).status_code == 404
        assert other.post(url, {"name": "Theirs", "frequency": "weekly"}).status_code == 404
    assert SavedView.objects.get(pk=view.pk).name == "Mine"
    assert "Mine" not in other.get(LIST).content.decode()


def test_rename_and_delete(client_as: Any, reader: User) -> None:
    client = client_as("reader")
    view = SavedView.objects.create(owner=reader, name="One", kind="search", query="")
    SavedView.objects.create(owner=reader, name="Two", kind="search", query="tag=" + FOOD)
    rename = reverse("insights:saved_view_rename", kwargs={"pk": view.pk})
    assert 'value="One"' in client.get(rename).content.decode()
    taken = client.post(rename, {"name": "Two"})
    assert "You already have a view called “Two”" in taken.content.decode()
    assert client.post(rename, {"name": "Uno"}).status_code == 302
    view.refresh_from_db()
    assert view.name == "Uno"
    delete = reverse("insights:saved_view_delete", kwargs={"pk": view.pk})
    assert "Delete “Uno”?" in client.get(delete).content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert client.post(delete).status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def _staff(org: Organisation, role: RoleName = RoleName.READER) -> User:
    user = with_second_factor(UserFactory())
    RoleFactory(user=user, role=role, organisation=org)
    return user


def test_scheduling_checks_its_choices(
    client_as: Any, org: Organisation, other_org: Organisation, reader: User
) -> None:
    client = client_as("reader")
    view = SavedView.objects.create(owner=reader, name="Trust", kind="insight", organisation=org)
    url = reverse("insights:saved_view_schedule", kwargs={"pk": view.pk})
    mine = team_of(org, reader, name="Ward 7 nurses")
    theirs = team_of(other_org, _staff(other_org), name="Southgate matrons")
    page = client.get(url).content.decode()
    assert "Ward 7 nurses" in page
    assert "Southgate matrons" not in page
    empty = client.post(url, {}).content.decode()
    assert "Choose how often to send the report." in empty
    assert "Choose the period each report covers." in empty
    wrong = client.post(url, {"frequency": "daily", "range": "last_month", "team": theirs.pk})
    assert "Choose one of your teams, or just you." in wrong.content.decode()
    assert "Choose one from the list." in wrong.content.decode()
    assert not ReportSchedule.objects.exists()
    ok = client.post(url, {"frequency": "monthly", "range": "last_month", "team": mine.pk})
    assert ok.status_code == 302
    schedule = ReportSchedule.objects.get(saved_view=view)
    assert (schedule.frequency, schedule.range, schedule.team) == ("monthly", "last_month", mine)
    local = timezone.localtime(schedule.next_run_at)
    assert (local.day, local.hour, local.minute) == (1, 7, 0)
    assert "Monthly, on the 1st" in client.get(LIST).content.decode()
    # Stopping it.
    assert client.post(url, {"action": "stop"}).status_code == 302
    assert not ReportSchedule.objects.exists()


def test_a_super_user_may_send_to_a_team_they_manage(
    client_as: Any, org: Organisation, super_user: User
) -> None:
    team = team_of(org, _staff(org), name="Outpatients")
    view = SavedView.objects.create(owner=super_user, name="T", kind="insight", organisation=org)
    url = reverse("insights:saved_view_schedule", kwargs={"pk": view.pk})
    response = client_as("super_user").post(
        url, {"frequency": "weekly", "range": "last_week", "team": team.pk}
    )
    assert response.status_code == 302
    assert ReportSchedule.objects.get().team == team


def test_a_search_of_every_organisation_cannot_be_scheduled(client_as: Any, reader: User) -> None:
    view = SavedView.objects.create(owner=reader, name="All", kind="search", query="tag=" + FOOD)
    url = reverse("insights:saved_view_schedule", kwargs={"pk": view.pk})
    response = client_as("reader").post(url, {"frequency": "weekly", "range": "last_week"})
    assert "A report is about one organisation" in response.content.decode()
    assert not ReportSchedule.objects.exists()


def test_the_list_queries_do_not_grow_with_the_views(
    client_as: Any, org: Organisation, reader: User
) -> None:
    client = client_as("reader")
    team = team_of(org, reader)
    now = dt.datetime(2026, 7, 1, 6, tzinfo=dt.UTC)

    def add(count: int) -> None:
        start = SavedView.objects.count()
        for i in range(start, start + count):
            view = SavedView.objects.create(
                owner=reader, name=f"View {i}", kind="insight", organisation=org, query=""
            )
            if i % 2:
                ReportSchedule.objects.create(
                    saved_view=view,
                    frequency="weekly",
                    range="last_week",
                    next_run_at=now,
                    team=team,
                )

    budget = QueryBudget("saved views list", limit=12)
    add(2)
    budget.measure(2, lambda: client.get(LIST))
    add(30)
    budget.measure(32, lambda: client.get(LIST))
    budget.assert_flat()


def test_odd_input_to_the_forms_never_makes_a_server_error(
    client_as: Any, org: Organisation, reader: User
) -> None:
    client = client_as("reader")
    view = SavedView.objects.create(owner=reader, name="V", kind="insight", organisation=org)
    urls = [
        SAVE,
        reverse("insights:saved_view_rename", kwargs={"pk": view.pk}),
        reverse("insights:saved_view_schedule", kwargs={"pk": view.pk}),
    ]
    fields = ("name", "kind", "organisation", "query", "frequency", "range", "team")
    for value in NASTY:
        for url in urls:
            data = dict.fromkeys(fields, value)
            assert client.post(url, data).status_code < 500, (url, value[:20])
            data["kind"] = "insight"
            data["organisation"] = org.slug
            data["query"] = f"date_from={value}&tag={value}&q={value}"
            assert client.post(url, data).status_code < 500, (url, value[:20])
    assert (
        client.get(reverse("insights:saved_view_rename", kwargs={"pk": 10**12})).status_code == 404
    )


def test_people_who_are_not_staff_may_not_save(org: Organisation) -> None:
    client = Client()
    client.force_login(with_second_factor(UserFactory()))
    assert client.get(LIST).status_code == 403
    assert save(client, query=f"organisation={org.slug}").status_code == 403
    page = client.get(f"{reverse('stories:list')}?organisation={org.slug}").content.decode()
    assert "Save this view" not in page
    assert not SavedView.objects.exists()
