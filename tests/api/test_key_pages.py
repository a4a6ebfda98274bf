"""The staff pages for API keys: who may make and revoke them, the key shown once, one key
for a form sent twice, and an audit row for each."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.api import keys
from apps.api.models import ApiKey
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from tests.factories import RoleFactory, UserFactory, api_key_for
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db

INDEX = "/staff/api-keys/"
KEY = re.compile(r"cvk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def site(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=2)


def _make(
    client: Client, org: Organisation, nonce: str | None = None, name: str = "Website"
) -> Any:
    return client.post(
        INDEX, {"name": name, "node": str(org.pk), "nonce": nonce or keys.new_nonce()}
    )


def _shown(response: Any) -> str:
    found = set(KEY.findall(response.content.decode()))
    assert len(found) == 1, found
    return found.pop()


def test_a_super_user_makes_a_key_and_sees_it_once(
    org: Organisation, other_org: Organisation, super_user: User
) -> None:
    client = signed_in(super_user)
    page = client.get(INDEX)
    assert page.status_code == 200
    form_nonce = re.search(r'name="nonce" value="([^"]+)"', page.content.decode())
    assert form_nonce
    made = _make(client, site(org), form_nonce.group(1), name="Patient experience dashboard")
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    key = _shown(made)
    row = ApiKey.objects.get()
    assert row.organisation == site(org)
    assert row.created_by == super_user
    assert row.key_hash == keys.digest(key)
    assert key not in str(list(ApiKey.objects.values()))
    entry = AuditEntry.objects.get(action="api.api_key.created")
    assert entry.actor == super_user
    assert entry.organisation_path == site(org).path
    assert key not in str(entry.details)
    # The list names the key by its prefix only.
    listing = client.get(INDEX).content.decode()
    assert "Patient experience dashboard" in listing
    assert row.prefix in listing
    assert key not in listing
    # And the key works.
    api = Client().get("/api/v1/stories", headers={"Authorization": f"Key {key}"})
    assert api.status_code == 200


def test_the_same_form_sent_twice_makes_one_key(org: Organisation, super_user: User) -> None:
    client = signed_in(super_user)
    nonce = keys.new_nonce()
    first = _shown(_make(client, org, nonce))
    second = _make(client, org, nonce)
    assert _shown(second) == first  # its maker sees the same key again, briefly
    assert ApiKey.objects.count() == 1
    assert AuditEntry.objects.filter(action="api.api_key.created").count() == 1
    later = timezone.now() + dt.timedelta(minutes=11)
    with mock.patch("django.utils.timezone.now", return_value=later):
        third = _make(client, org, nonce)
    assert third.status_code == 302
    assert not KEY.search(client.get(third["Location"]).content.decode())
    assert ApiKey.objects.count() == 1


def test_a_key_only_for_a_node_the_user_manages(
    org: Organisation, other_org: Organisation, super_user: User
) -> None:
    client = signed_in(super_user)
    refused = _make(client, other_org)
    assert refused.status_code == 200
    assert "Choose one of the organisations you manage." in refused.content.decode()
    assert not ApiKey.objects.exists()
    blank = client.post(INDEX, {"name": "  ", "node": str(org.pk), "nonce": keys.new_nonce()})
    assert "What the key is for: This field is required." in blank.content.decode()
    assert not ApiKey.objects.exists()


def test_each_super_user_sees_the_keys_of_their_subtree(
    org: Organisation, other_org: Organisation, super_user: User, platform_admin: User
) -> None:
    mine, _ = api_key_for(org, name="Northfield website")
    theirs, _ = api_key_for(other_org, name="Southgate dashboard")
    page = signed_in(super_user).get(INDEX).content.decode()
    assert mine.name in page
    assert theirs.name not in page
    everything = signed_in(platform_admin).get(INDEX).content.decode()
    assert mine.name in everything
    assert theirs.name in everything
    narrowed = signed_in(platform_admin).get(INDEX, {"organisation": "RSG"}).content.decode()
    assert theirs.name in narrowed
    assert mine.name not in narrowed
    # Narrowing to someone else's organisation is refused, and recorded.
    assert signed_in(super_user).get(INDEX, {"organisation": "RSG"}).status_code == 403
    assert AuditEntry.objects.filter(
        actor=super_user, action="api.api_key.page_refused", organisation_path=other_org.path
    ).exists()


def test_revoking_a_key_stops_it_at_once(org: Organisation, super_user: User) -> None:
    row, key = api_key_for(org)
    client = signed_in(super_user)
    assert (
        Client().get("/api/v1/changes", headers={"Authorization": f"Key {key}"}).status_code == 200
    )
    response = client.post(f"{INDEX}{row.pk}/revoke/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert row.revoked_by == super_user
    refused = Client().get("/api/v1/changes", headers={"Authorization": f"Key {key}"})
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_key"
    entry = AuditEntry.objects.get(action="api.api_key.revoked")
    assert entry.actor == super_user
    assert entry.organisation_path == org.path
    # Revoking again changes nothing and records nothing more.
    client.post(f"{INDEX}{row.pk}/revoke/")
    assert AuditEntry.objects.filter(action="api.api_key.revoked").count() == 1
    assert "Revoked" in client.get(INDEX).content.decode()


def test_only_managers_in_scope_revoke(
    org: Organisation, other_org: Organisation, other_org_responder: User
) -> None:
    row, _ = api_key_for(org)
    stranger = UserFactory()
    RoleFactory(user=stranger, role="super_user", organisation=other_org)
    from tests.factories import with_second_factor

    response = signed_in(with_second_factor(stranger)).post(f"{INDEX}{row.pk}/revoke/")
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.revoked_at is None
    assert AuditEntry.objects.filter(actor=stranger, action="api.api_key.revoke_refused").exists()


def test_key_pages_need_a_second_factor(org: Organisation) -> None:
    person = UserFactory()
    RoleFactory(user=person, role="super_user", organisation=org)
    response = signed_in(person).get(INDEX)
    assert response.status_code == 302
    assert "totp" in response["Location"]


def test_the_staff_area_links_to_the_keys(super_user: User, platform_admin: User) -> None:
    assert "/staff/api-keys/?organisation=" in signed_in(super_user).get("/staff/").content.decode()
    assert 'href="/staff/api-keys/"' in signed_in(platform_admin).get("/staff/").content.decode()


def test_key_list_query_budget(org: Organisation, super_user: User) -> None:
    client = signed_in(super_user)
    budget = QueryBudget("API keys page", limit=8)
    for size in (3, 30):
        while ApiKey.objects.count() < size:
            row, _ = api_key_for(site(org), name=f"Key {ApiKey.objects.count()}")
            ApiKey.objects.filter(pk=row.pk).update(created_by=super_user)
        budget.measure(size, lambda: client.get(INDEX))
    budget.assert_flat()
