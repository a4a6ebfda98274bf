"""The staff inbox: standing roles, teams and referrals; filters; flat queries."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.middleware import SESSION_KEY as IDLE_STAMP
from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.insights.home import home_summary
from apps.organisations.models import Organisation
from apps.responders.models import RoleName
from apps.responders.services import role_grant
from apps.responders.teams import team_remove_member
from apps.responses.models import Referral, Response, StaffRead
from apps.responses.services import referral_create
from apps.stories.models import Story, StoryService
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    team_of,
    with_second_factor,
)
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db


def node(org: Organisation, depth: int) -> Organisation:
    return Organisation.objects.filter(path__startswith=org.path, depth=depth).first()  # type: ignore[return-value]


def staff(role: str, at: Organisation, **kwargs: Any) -> User:
    person = with_second_factor(UserFactory(**kwargs))
    RoleFactory(user=person, role=role, organisation=at)
    return person


def titles(client: Client, query: str = "") -> list[str]:
    page = client.get(reverse("inbox:index") + query)
    assert page.status_code == 200
    listed = [story.title for story in page.context["page"].object_list]
    # The count is its own query (from the scope's ids): it must agree with the list.
    assert page.context["page"].paginator.count == len(listed), query
    return listed


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    """A second service in the trust, on another site, outside the responder's part."""
    site = OrganisationFactory(parent=org, name="Northfield Community", kind="site")
    return OrganisationFactory(parent=site, name="Ward 7", kind="service")


def test_the_inbox_holds_the_stories_of_my_subtree_only(
    org: Organisation, other_org: Organisation, ward: Organisation
) -> None:
    outpatients = node(org, 3)
    responder = staff("responder", node(org, 2))  # the hospital site, not the whole trust
    StoryFactory(title="Mine", services=[outpatients])
    StoryFactory(title="Elsewhere in the trust", services=[ward])
    StoryFactory(title="Another trust", services=[node(other_org, 3)])
    StoryFactory(title="Not yet published", services=[outpatients], status="awaiting_moderation")
    assert titles(signed_in(responder)) == ["Mine"]


def test_the_inbox_pages_count_each_story_once_whatever_page_is_asked(
    org: Organisation, ward: Organisation, settings: Any
) -> None:
    """The count comes with the page asked for; a story naming two services in scope is
    one story; a page past the end, nonsense or a number too big for the database gives
    a page of the list, as the paginator reads it."""
    settings.STORIES_PAGE_SIZE = 2
    outpatients = node(org, 3)
    for n in range(4):
        StoryFactory(title=f"Story {n}", services=[outpatients, ward])
    StoryFactory(title="Story 4", services=[ward])
    client = signed_in(staff("responder", org))

    def page(query: str) -> tuple[int, int, list[str]]:
        response = client.get(reverse("inbox:index") + query)
        assert response.status_code == 200, query
        shown = response.context["page"]
        titles = [story.title for story in shown.object_list]
        return shown.paginator.count, shown.number, titles

    seen = []
    for number in (1, 2, 3):
        count, shown, titles = page(f"?sort=newest&page={number}")
        assert (count, shown) == (5, number)
        seen += titles
    assert sorted(seen) == [f"Story {n}" for n in range(5)]  # each once, none lost
    assert page("?sort=newest&page=3")[2] == ["Story 0"]  # the last page holds one
    assert page("?sort=newest&page=9")[:2] == (5, 3)  # past the end: the last page
    assert page("?sort=newest&page=abc")[:2] == (5, 1)
    # Django's paginator gives the last page for a number out of range.
    for number in ("0", "-1", "99999999999999999999999"):
        assert page(f"?sort=newest&page={number}")[:2] == (5, 3), number
    assert page("?unanswered=on&criticality=5") == (0, 1, [])


def test_the_service_filter_follows_the_tree(org: Organisation) -> None:
    """The nodes listed in the filter are kept between views, until the tree changes."""
    client = signed_in(staff("super_user", org))
    assert "Day surgery unit" not in client.get(reverse("inbox:index")).content.decode()
    unit = OrganisationFactory(parent=node(org, 2), name="Day surgery unit", kind="service")
    assert "Day surgery unit" in client.get(reverse("inbox:index")).content.decode()
    unit.name = "Day case unit"
    unit.save()
    assert "Day case unit" in client.get(reverse("inbox:index")).content.decode()


def test_the_kept_service_options_mark_only_the_one_chosen(org: Organisation) -> None:
    """The options are written once and kept for the scope; each view marks its own."""
    client = signed_in(staff("super_user", org))
    ward = node(org, 3)

    def selected(query: str = "") -> list[str]:
        page = client.get(reverse("inbox:index") + query).content.decode()
        select = page[page.rindex("<select", 0, page.index('name="service"')) :]
        select = select[: select.index("</select>")]
        return re.findall(r'<option value="([^"]*)" selected>', select)

    assert selected() == [""]  # none chosen: "All", as Django's own select marks it
    assert selected(f"?service={ward.slug}") == [ward.slug]
    assert selected() == [""]  # the kept options were not marked for the next view
    assert selected("?service=no-such-service") == []
    english = client.get(reverse("inbox:index")).content.decode()
    welsh = client.get("/cy" + reverse("inbox:index")).content.decode()
    assert '<option value="" selected>Pob un</option>' in welsh
    assert '<option value="" selected>All</option>' in english


def test_a_team_role_reaches_its_members_until_they_leave(
    org: Organisation, super_user: User, ward: Organisation
) -> None:
    StoryFactory(title="On the ward", services=[ward])
    nurse = staff("reader", node(org, 3))
    team = team_of(org, nurse, name="Ward 7 nurses")
    role_grant(granter=super_user, team=team, role=RoleName.RESPONDER, organisation=ward)
    assert titles(signed_in(nurse)) == ["On the ward"]
    team_remove_member(actor=super_user, team=team, user=nurse)
    assert titles(signed_in(nurse)) == []


def test_a_referred_story_appears_then_goes_when_revoked(
    org: Organisation, super_user: User, ward: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    story = StoryFactory(title="On the ward", services=[ward])
    responder = staff("responder", node(org, 2), email="rory@staff.example")
    client = signed_in(responder)
    assert titles(client) == []
    assert client.get(reverse("inbox:story", kwargs={"pk": story.pk})).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(super_user).post(
            reverse("inbox:refer", kwargs={"pk": story.pk}),
            {"email": "Rory@staff.example", "note": "Could Ward 7's sister answer this?"},
        )
    assert response.status_code == 302
    assert titles(client) == ["On the ward"]
    assert titles(client, "?referred=on") == ["On the ward"]
    page = client.get(reverse("inbox:story", kwargs={"pk": story.pk}))
    assert page.context["may_respond"] is True
    (email,) = mail.outbox
    assert email.to == ["rory@staff.example"]
    assert f"/staff/stories/{story.pk}/" in email.body
    assert "Could Ward 7's sister answer this?" in email.body
    assert AuditEntry.objects.filter(action="responses.referral.created").count() == 1
    referral = Referral.objects.get()
    signed_in(super_user).post(reverse("inbox:revoke_referral", kwargs={"pk": referral.pk}))
    assert titles(client) == []
    assert client.get(reverse("inbox:story", kwargs={"pk": story.pk})).status_code == 403
    assert AuditEntry.objects.filter(action="responses.referral.revoked").count() == 1


def test_a_referral_to_a_team_reaches_every_member(
    org: Organisation, super_user: User, ward: Organisation
) -> None:
    story = StoryFactory(title="On the ward", services=[ward])
    first, second = staff("reader", node(org, 3)), staff("reader", node(org, 3))
    team = team_of(org, first, second)
    referral_create(referrer=super_user, story=story, team=team)
    assert titles(signed_in(first)) == titles(signed_in(second)) == ["On the ward"]


def test_referring_a_story_of_another_organisation_is_refused_and_audited(
    org: Organisation, other_org: Organisation, super_user: User, responder: User
) -> None:
    theirs = StoryFactory(services=[node(other_org, 3)])
    response = signed_in(super_user).post(
        reverse("inbox:refer", kwargs={"pk": theirs.pk}), {"email": responder.email}
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()
    refused = AuditEntry.objects.get(actor=super_user, action__endswith="refused")
    assert (refused.object_type, refused.object_id) == ("stories.story", str(theirs.pk))
    assert refused.organisation_path.startswith(other_org.path)


def test_referring_to_someone_outside_my_part_is_explained(
    org: Organisation, super_user: User, other_org_responder: User
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    response = signed_in(super_user).post(
        reverse("inbox:refer", kwargs={"pk": story.pk}), {"email": other_org_responder.email}
    )
    assert response.status_code == 200
    assert "hold a role in the part of the organisation you manage" in response.content.decode()
    both = signed_in(super_user).post(
        reverse("inbox:refer", kwargs={"pk": story.pk}), {"email": "", "team": ""}
    )
    assert "Choose a member of staff or a team" in both.content.decode()
    assert not Referral.objects.exists()


def test_a_responder_changing_the_id_in_the_url_gets_403_and_is_audited(
    org: Organisation, other_org: Organisation, other_org_responder: User
) -> None:
    story = StoryFactory(services=[node(org, 3)])
    client = signed_in(other_org_responder)
    assert client.get(reverse("inbox:story", kwargs={"pk": story.pk})).status_code == 403
    assert client.post(reverse("inbox:mark_read", kwargs={"pk": story.pk})).status_code == 403
    refused = AuditEntry.objects.filter(
        actor=other_org_responder, action="responses.staff_story.refused"
    )
    assert refused.count() == 2
    assert {entry.object_id for entry in refused} == {str(story.pk)}
    assert not StaffRead.objects.exists()


def test_filters_and_marking_read(org: Organisation, responder: User, ward: Organisation) -> None:
    outpatients = node(org, 3)
    calm = StoryFactory(title="Calm", services=[outpatients], criticality=0)
    StoryFactory(title="Serious", services=[ward], criticality=4)
    Response.objects.create(
        story=calm,
        organisation=outpatients,
        author=responder,
        body="Thank you",
        body_html="x",
        published_at=timezone.now(),
    )
    client = signed_in(responder)
    assert titles(client) == ["Serious", "Calm"]
    assert titles(client, "?unanswered=on") == ["Serious"]
    assert titles(client, "?criticality=4") == ["Serious"]
    assert titles(client, f"?service={ward.slug}") == ["Serious"]
    assert titles(client, "?referred=on") == []
    assert titles(client, "?service=no-such-place&criticality=banana") == ["Serious", "Calm"]
    hx = client.post(
        reverse("inbox:mark_read", kwargs={"pk": calm.pk}), headers={"HX-Request": "true"}
    )
    assert "You have marked this story read." in hx.content.decode()
    assert "<html" not in hx.content.decode()
    client.post(reverse("inbox:mark_read", kwargs={"pk": calm.pk}))  # twice: still one row
    assert StaffRead.objects.filter(story=calm).count() == 1
    assert titles(client, "?unread=on") == ["Serious"]
    # htmx asks for the results alone.
    fragment = client.get(reverse("inbox:index") + "?unread=on", headers={"HX-Request": "true"})
    assert 'id="inbox-results"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_a_reader_sees_but_may_not_respond(org: Organisation, reader: User) -> None:
    story = StoryFactory(services=[node(org, 3)], criticality=3)
    page = signed_in(reader).get(reverse("inbox:story", kwargs={"pk": story.pk}))
    assert page.context["may_respond"] is False
    assert "Criticality: 3" in page.content.decode()
    assert page.context["may_refer"] is False


def _stories(service: Organisation, count: int) -> None:
    made = Story.objects.bulk_create(StoryFactory.build() for _ in range(count))
    StoryService.objects.bulk_create(StoryService(story=s, organisation=service) for s in made)


@pytest.mark.parametrize("sort", ["", "&sort=newest"], ids=["needs-doing", "newest"])
def test_the_inbox_keeps_its_query_budget_with_grants_and_stories(
    org: Organisation, sort: str
) -> None:
    """The same number of queries with 1 grant and 50, with 100 stories and 10,000, in
    either order."""
    outpatients = node(org, 3)
    person = staff("responder", org)
    client = signed_in(person)
    url = reverse("inbox:index") + "?unanswered=on" + sort
    _stories(outpatients, 100)
    # The page's stories are read after their ids and order (as on organisation pages),
    # the scope's three permissions in one query, and the count with the page.
    budget = QueryBudget("staff inbox", limit=13)

    def get() -> Any:
        return client.get(url)

    def stamp() -> None:
        # The session's activity stamp is written at most once a minute: stamp it now, so
        # a slow request (sorting 10,000 stories on a busy machine) cannot cross it.
        session = client.session
        session[IDLE_STAMP] = time.time()
        session.save()

    budget.measure(100, get, before=stamp)
    # 49 more grants, at nodes of their own, and a referral and a team.
    for i in range(49):
        place = OrganisationFactory(name=f"Elsewhere {i}")
        RoleFactory(user=person, role="reader", organisation=place)
    budget.measure(101, get, before=stamp)
    _stories(outpatients, 9_900)
    budget.measure(10_000, get, before=stamp)
    budget.assert_flat()
    assert client.get(url).context["page"].paginator.count == 10_000


# --- the order: what needs doing first --------------------------------------------------
def _answer(story: Story, by: Organisation) -> None:
    Response.objects.create(
        story=story,
        organisation=by,
        body="Thank you",
        body_html="<p>Thank you</p>",
        published_at=timezone.now(),
    )


def test_the_inbox_puts_what_needs_doing_first_and_newest_first_on_request(
    org: Organisation, responder: User
) -> None:
    """Overdue first (waiting longest first), then the rest waiting, then the answered,
    newest first; ?sort=newest gives the plain newest-first order. The target is the
    trust's (2 working days by default), so 10 days is overdue whatever the weekday."""
    outpatients = node(org, 3)
    now = timezone.now()
    ago = lambda days: now - dt.timedelta(days=days)  # noqa: E731
    StoryFactory(title="Overdue 10 days", services=[outpatients], published_at=ago(10))
    StoryFactory(title="Overdue 20 days", services=[outpatients], published_at=ago(20))
    StoryFactory(title="Waiting an hour", services=[outpatients], published_at=ago(1 / 24))
    old_answered = StoryFactory(title="Answered, old", services=[outpatients], published_at=ago(30))
    new_answered = StoryFactory(title="Answered, new", services=[outpatients], published_at=ago(2))
    _answer(old_answered, outpatients)
    _answer(new_answered, outpatients)
    client = signed_in(responder)
    assert titles(client) == [
        "Overdue 20 days",
        "Overdue 10 days",
        "Waiting an hour",
        "Answered, new",
        "Answered, old",
    ]
    page = client.get(reverse("inbox:index"))
    marks = {s.title: (s.overdue, s.answered) for s in page.context["page"].object_list}
    assert marks["Overdue 10 days"] == (True, False)
    assert marks["Waiting an hour"] == (False, False)
    assert marks["Answered, old"] == (False, True)  # answered is never overdue
    html = page.content.decode()
    assert html.count("Overdue: past the response target") == 2
    assert html.count("Needs a response") == 3
    assert html.count("Responded") == 2
    assert "overdue first, then those waiting longest for a response" in html
    assert titles(client, "?sort=newest") == [
        "Waiting an hour",
        "Answered, new",
        "Overdue 10 days",
        "Overdue 20 days",
        "Answered, old",
    ]
    assert "newest first" in client.get(reverse("inbox:index") + "?sort=newest").content.decode()
    # An unknown order falls back to what needs doing, and keeps the other filters.
    assert titles(client, "?sort=sideways&unanswered=on") == [
        "Overdue 20 days",
        "Overdue 10 days",
        "Waiting an hour",
    ]


def overdue(story: Story, now: dt.datetime) -> bool:
    """The inbox's overdue test of the story at `now`, read from its copies of its links."""
    from apps.responses.models import InboxLink
    from apps.responses.selectors import link_overdue

    found = set(
        InboxLink.objects.filter(story=story)
        .annotate(overdue=link_overdue(now))
        .values_list("overdue", flat=True)
    )
    assert len(found) == 1, found  # every link of a story says the same
    return found.pop()


def test_overdue_follows_the_trusts_target_in_working_days(org: Organisation) -> None:
    """The database's overdue test agrees with the reminders' working-day count for every
    weekday of publication, at targets of 0 to 6 working days, across a clock change."""
    from apps.alerts.services import add_working_days

    outpatients = node(org, 3)
    # Friday 23 October 2026, 16:30 in London; British Summer Time ends on the 25th.
    start = dt.datetime(2026, 10, 23, 15, 30, tzinfo=dt.UTC)
    stories = [
        StoryFactory(services=[outpatients], published_at=start + dt.timedelta(days=d))
        for d in range(7)
    ]
    for target in range(7):
        Organisation.objects.filter(pk=org.pk).update(response_target_working_days=target)
        for story in stories:
            due = add_working_days(story.published_at, target)  # type: ignore[arg-type]
            for now, expected in ((due - dt.timedelta(minutes=1), False), (due, True)):
                assert overdue(story, now) is expected, (target, story.published_at, now)
            # Each day before and after, far enough to leave the band where the database
            # works the exact deadline out (n - 1 to 2n + 4 days after publication).
            for days in range(-1, 2 * target + 7):
                now = story.published_at + dt.timedelta(days=days, hours=1)  # type: ignore[operator]
                assert overdue(story, now) is (now >= due), (target, story.published_at, now)


def test_a_story_naming_two_trusts_is_overdue_by_the_shorter_target(
    org: Organisation, other_org: Organisation
) -> None:
    Organisation.objects.filter(pk=org.pk).update(response_target_working_days=20)
    Organisation.objects.filter(pk=other_org.pk).update(response_target_working_days=1)
    monday = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)
    story = StoryFactory(services=[node(org, 3), node(other_org, 3)], published_at=monday)
    on_wednesday = monday + dt.timedelta(days=2)
    assert overdue(story, on_wednesday)
    StoryService.objects.filter(story=story, organisation=node(other_org, 3)).delete()
    assert not overdue(story, on_wednesday)


def test_one_subtree_or_several_each_story_is_listed_and_counted_once(
    org: Organisation, ward: Organisation
) -> None:
    """A scope of one subtree reads a row a story from the copies of its links; a scope
    of several groups them by story: the same stories, in the same order, counted once."""
    outpatients = node(org, 3)
    sites = [Organisation.objects.get_parent(outpatients), Organisation.objects.get_parent(ward)]
    assert sites[0] != sites[1]
    now = timezone.now()
    for n in range(6):
        both = [outpatients, ward] if n % 2 else [ward, outpatients]
        StoryFactory(title=f"Story {n}", services=both, published_at=now - dt.timedelta(days=3 * n))
    StoryFactory(title="Ward only", services=[ward], published_at=now - dt.timedelta(days=1))
    trust_wide = staff("responder", org)
    two_sites = staff("responder", sites[0])
    RoleFactory(user=two_sites, role="responder", organisation=sites[1])
    for query in ("", "?sort=newest", "?unanswered=on", f"?service={ward.slug}"):
        listed = titles(signed_in(trust_wide), query)
        assert titles(signed_in(two_sites), query) == listed, query
        assert len(listed) == len(set(listed)), query
    assert len(titles(signed_in(trust_wide))) == 7
    one, several = home_summary(trust_wide), home_summary(two_sites)
    assert one is not None
    assert several is not None
    assert (one.unanswered, one.overdue) == (several.unanswered, several.overdue)
    assert one.unanswered == 7
