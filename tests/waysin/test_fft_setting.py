"""A trust's Friends and Family Test setting (docs/ways-in.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responders.models import RoleName
from tests.conftest import _member

pytestmark = pytest.mark.django_db


def _url(node: Organisation) -> str:
    return reverse("waysin_fft:setting", kwargs={"slug": node.slug})


@pytest.mark.parametrize(
    ("member", "status"),
    [
        ("anonymous", 302),
        ("other_org_responder", 403),
        ("reader", 403),
        ("responder", 403),
        ("moderator", 403),
        ("super_user", 302),
        ("platform_admin", 302),
    ],
)
def test_only_the_trusts_super_users_and_platform_admins_may_change_it(
    client_as: Any, org: Organisation, member: str, status: int
) -> None:
    response = client_as(member).post(_url(org), {"fft_asked": "after"})
    assert response.status_code == status
    org.refresh_from_db()
    assert org.fft_asked == ("after" if member in {"super_user", "platform_admin"} else "")


def test_a_super_user_of_another_trust_is_refused_and_the_refusal_recorded(
    client_as: Any, org: Organisation, other_org: Organisation
) -> None:
    stranger = _member(RoleName.SUPER_USER, other_org, "Sam Stranger")
    client = client_as("anonymous")
    client.force_login(stranger)
    assert client.post(_url(org), {"fft_asked": "before"}).status_code == 403
    org.refresh_from_db()
    assert org.fft_asked == ""
    assert AuditEntry.objects.filter(action="waysin.fft_setting.refused").count() == 1


def test_a_change_is_audited_with_the_old_and_new_values(client_as: Any, org: Organisation) -> None:
    client = client_as("super_user")
    client.post(_url(org), {"fft_asked": "before"})
    client.post(_url(org), {"fft_asked": "before"})  # the same again records nothing
    client.post(_url(org), {"fft_asked": ""})
    entries = AuditEntry.objects.filter(action="organisations.organisation.fft_changed")
    assert [(e.details["before"], e.details["after"]) for e in entries.order_by("pk")] == [
        ({"fft_asked": ""}, {"fft_asked": "before"}),
        ({"fft_asked": "before"}, {"fft_asked": ""}),
    ]
    org.refresh_from_db()
    assert org.fft_asked == ""


def test_the_page_shows_the_setting_and_is_private(client_as: Any, org: Organisation) -> None:
    Organisation.objects.filter(pk=org.pk).update(fft_asked="after")
    response = client_as("super_user").get(_url(org))
    assert response.status_code == 200
    assert 'value="after" id="id_fft_asked_2" checked' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_node_below_the_trust_has_no_setting_of_its_own(
    client_as: Any, org: Organisation
) -> None:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    assert client_as("platform_admin").get(_url(site)).status_code == 404


def test_the_manage_pages_link_to_it_for_a_trust(client_as: Any, org: Organisation) -> None:
    response = client_as("super_user").get(reverse("staff:members", kwargs={"slug": org.slug}))
    assert _url(org) in response.content.decode()
