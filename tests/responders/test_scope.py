"""The scope API: what one user holds (direct grants and their teams'), asked once per
request, and who holds what (holders_over)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.alerts.models import Subscription
from apps.core.request_memo import RequestMemoMiddleware, request_memo
from apps.insights.permissions import can_see_parts, is_own_part
from apps.organisations.models import Organisation
from apps.responders.models import RoleName
from apps.responders.scope import (
    MANAGE_ROLES,
    RESPOND,
    VIEW_STAFF_DATA,
    Scope,
    holder_covers,
    holders_over,
    scope_of,
)
from apps.responders.selectors import with_ancestors
from apps.responders.services import object_permission_give, role_install, role_revoke
from apps.responses.permissions import REFERRALS, RESPOND_TO_STORY, is_referred
from apps.stories.models import Story
from tests.factories import StoryFactory, UserFactory, team_of, with_second_factor

pytestmark = pytest.mark.django_db


def site_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=2)


def service_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=3)


def test_scope_joins_direct_grants_and_the_teams_grants(
    org: Organisation, other_org: Organisation
) -> None:
    user = UserFactory()
    site = site_of(org)
    role_install(user=user, role=RoleName.RESPONDER, organisation=site)
    team = team_of(other_org, user)
    role_install(team=team, role=RoleName.READER, organisation=other_org)

    scope = Scope(user)
    assert scope.paths(VIEW_STAFF_DATA) == sorted([site.path, other_org.path])
    assert scope.paths(RESPOND) == [site.path]
    assert scope.paths(MANAGE_ROLES) == []
    assert scope.covers(VIEW_STAFF_DATA, service_of(other_org))
    assert not scope.covers(RESPOND, other_org)
    assert scope.covers_any(RESPOND, [other_org, service_of(org)])


def test_scope_keeps_the_covering_paths_and_filters_under_them(org: Organisation) -> None:
    user = UserFactory()
    site = site_of(org)
    role_install(user=user, role=RoleName.READER, organisation=site)
    team = team_of(org, user)
    role_install(team=team, role=RoleName.READER, organisation=org)

    scope = Scope(user)
    # The site lies under the trust: the trust alone covers both.
    assert scope.paths() == [org.path]
    under = Organisation.objects.filter(scope.under(VIEW_STAFF_DATA, "path"))
    assert set(under) == set(Organisation.objects.filter(path__startswith=org.path))
    assert not Organisation.objects.filter(Scope(UserFactory()).under(VIEW_STAFF_DATA, "path"))
    assert scope.holds_inside(VIEW_STAFF_DATA, org.path)
    assert not scope.holds_inside(VIEW_STAFF_DATA, site.path)  # the grant is above it


def test_nodes_within_are_the_nodes_and_their_ancestors_inside_the_scope(
    org: Organisation, other_org: Organisation
) -> None:
    user = UserFactory()
    site = site_of(org)
    role_install(user=user, role=RoleName.RESPONDER, organisation=site)
    nodes = Scope(user).nodes_within(RESPOND, [service_of(org), service_of(other_org)])
    assert nodes == [site, service_of(org)]
    assert Scope(user).nodes_within(RESPOND, [service_of(other_org)], also=[other_org.path]) == [
        other_org
    ]


def test_object_grants_reach_the_user_directly_and_through_a_team(org: Organisation) -> None:
    user, teammate, outsider = UserFactory(), UserFactory(), UserFactory()
    to_user, to_team, elsewhere = (StoryFactory(services=[org]) for _ in range(3))
    object_permission_give(codename=f"stories.{RESPOND_TO_STORY}", obj=to_user, user=user)
    team = team_of(org, user, teammate)
    object_permission_give(codename=f"stories.{RESPOND_TO_STORY}", obj=to_team, team=team)

    scope = Scope(user)
    ids = Story.objects.filter(pk__in=scope.object_ids(REFERRALS, RESPOND_TO_STORY))
    assert set(ids) == {to_user, to_team}
    assert scope.objects_among(REFERRALS, RESPOND_TO_STORY, [to_team.pk, elsewhere.pk]) == {
        to_team.pk
    }
    assert Scope(teammate).holds_object(REFERRALS, RESPOND_TO_STORY, to_team)
    assert not Scope(teammate).holds_object(REFERRALS, RESPOND_TO_STORY, to_user)
    assert not Scope(outsider).object_ids(REFERRALS, RESPOND_TO_STORY).exists()
    # Read at once, as the inbox reads them (`_held`, written as SQL): the same answers.
    assert Scope(user).all_object_ids(REFERRALS, RESPOND_TO_STORY) == {to_user.pk, to_team.pk}
    assert Scope(teammate).all_object_ids(REFERRALS, RESPOND_TO_STORY) == {to_team.pk}
    assert Scope(outsider).all_object_ids(REFERRALS, RESPOND_TO_STORY) == frozenset()
    assert is_referred(user, to_user)
    assert not is_referred(outsider, to_team)


def test_object_answers_are_remembered_on_the_scope(
    org: Organisation, django_assert_num_queries: Any
) -> None:
    user = UserFactory()
    story, other = StoryFactory(services=[org]), StoryFactory(services=[org])
    object_permission_give(codename=f"stories.{RESPOND_TO_STORY}", obj=story, user=user)
    scope = Scope(user)
    with django_assert_num_queries(1):
        assert scope.objects_among(REFERRALS, RESPOND_TO_STORY, [story.pk, other.pk]) == {story.pk}
        assert scope.holds_object(REFERRALS, RESPOND_TO_STORY, story)
        assert not scope.holds_object(REFERRALS, RESPOND_TO_STORY, other)


def test_visitors_and_deactivated_accounts_hold_nothing_without_a_query(
    org: Organisation, django_assert_num_queries: Any
) -> None:
    gone = UserFactory(is_active=False)
    role_install(user=gone, role=RoleName.SUPER_USER, organisation=org)
    story = StoryFactory(services=[org])
    for user in (AnonymousUser(), gone):
        scope = Scope(user)
        with django_assert_num_queries(0):
            assert scope.paths() == []
            assert scope.platform_roles == frozenset()
            assert not scope.holds_object(REFERRALS, RESPOND_TO_STORY, story)


def _view(asks: list[Any], user: User, org: Organisation) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        with CaptureQueriesContext(connection) as queries:
            asks.append((is_own_part(user, org), can_see_parts(user, org)))
            asks.append(scope_of(user) is scope_of(user))
        asks.append(len(queries.captured_queries))
        return HttpResponse()

    return view


def test_one_scope_per_request_so_two_predicates_cost_one_query(
    org: Organisation, reader: User
) -> None:
    asks: list[Any] = []
    RequestMemoMiddleware(_view(asks, reader, org))(RequestFactory().get("/"))
    assert asks == [(True, True), True, 1]
    # The next request reads afresh.
    RequestMemoMiddleware(_view(asks, reader, org))(RequestFactory().get("/"))
    assert asks[-1] == 1


def test_outside_a_request_every_question_reads_afresh(
    org: Organisation, platform_admin: User, django_assert_num_queries: Any
) -> None:
    user = with_second_factor(UserFactory())
    with django_assert_num_queries(2):
        assert not is_own_part(user, org)
        assert not is_own_part(user, org)
    assert scope_of(user) is not scope_of(user)
    # A grant made since is seen at once: nothing stale is kept anywhere.
    grant = role_install(user=user, role=RoleName.READER, organisation=org)
    assert is_own_part(user, org)
    role_revoke(revoker=platform_admin, grant=grant)
    assert not is_own_part(user, org)


def test_a_grant_inside_a_request_drops_the_requests_scopes(org: Organisation) -> None:
    user = UserFactory()
    with request_memo():
        assert scope_of(user).paths() == []
        team = team_of(org, user)
        role_install(team=team, role=RoleName.READER, organisation=org)
        # Written through the grant service, which forgets this request's scopes.
        assert scope_of(user).paths() == [org.path]


def test_holders_over_finds_direct_and_team_holders_at_exact_nodes(
    org: Organisation, other_org: Organisation
) -> None:
    direct, member, gone, elsewhere = (UserFactory() for _ in range(4))
    gone.is_active = False
    gone.save()
    site = site_of(org)
    role_install(user=direct, role=RoleName.RESPONDER, organisation=site)
    role_install(user=gone, role=RoleName.RESPONDER, organisation=site)
    role_install(user=elsewhere, role=RoleName.RESPONDER, organisation=other_org)
    team = team_of(org, member, direct)
    role_install(team=team, role=RoleName.SUPER_USER, organisation=org)

    service = service_of(org)
    held = holders_over(with_ancestors([service.path]), RESPOND)
    assert {pk: sorted(paths) for pk, paths in held.items()} == {
        direct.pk: sorted([org.path, site.path]),
        member.pk: [org.path],
    }
    assert set(holders_over([site.path], MANAGE_ROLES)) == set()
    assert set(holders_over([org.path], MANAGE_ROLES)) == {direct.pk, member.pk}
    assert holders_over([], RESPOND) == {}


def test_holder_covers_keeps_rows_their_owner_still_sees(org: Organisation) -> None:
    member, former = UserFactory(), UserFactory()
    team = team_of(org, member)
    role_install(team=team, role=RoleName.READER, organisation=org)
    service = service_of(org)
    kept = Subscription.objects.create(user=member, organisation=service)
    Subscription.objects.create(user=former, organisation=service)
    still = Subscription.objects.filter(
        holder_covers(VIEW_STAFF_DATA, user="user_id", path="organisation__path")
    )
    assert list(still) == [kept]
