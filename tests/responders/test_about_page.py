"""The staff page where super-users set their organisation's description and its Welsh
name and description (docs/languages.md, "Welsh names of organisations")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responders.about import about_fingerprint, about_of
from tests.factories import RoleFactory, UserFactory, with_second_factor

pytestmark = pytest.mark.django_db

WELSH = {
    "description": "The hospitals and services of Northfield.",
    "name_cy": "Ymddiriedolaeth GIG Northfield",
    "description_cy": "Ysbytai a gwasanaethau Northfield.",
}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(org: Organisation) -> str:
    return reverse("staff:about", kwargs={"slug": org.slug})


def part(org: Organisation) -> Organisation:
    """The site beneath the trust."""
    return Organisation.objects.get(path__startswith=org.path, depth=2)


def opened(org: Organisation) -> str:
    org.refresh_from_db()
    return about_fingerprint(about_of(org))


def save(client: Client, org: Organisation, **values: str) -> Any:
    data = {**about_of(org), "opened": opened(org), **values}
    return client.post(url(org), data)


def test_the_page_offers_the_three_fields_with_the_welsh_ones_marked_welsh(
    org: Organisation, super_user: User
) -> None:
    response = signed_in(super_user).get(url(org))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<textarea name="description"' in html
    assert 'name="name_cy"' in html
    assert 'name="description_cy"' in html
    name_cy = html.split('name="name_cy"', 1)[1].split(">", 1)[0]
    assert 'lang="cy"' in name_cy
    description_cy = html.split('name="description_cy"', 1)[1].split(">", 1)[0]
    assert 'lang="cy"' in description_cy
    description = html.split('name="description"', 1)[1].split(">", 1)[0]
    assert "lang=" not in description
    assert f'value="{opened(org)}"' in html
    # Reached from the tabs of the staff pages of the node.
    members = signed_in(super_user).get(reverse("staff:members", kwargs={"slug": org.slug}))
    assert f'href="{url(org)}"' in members.content.decode()


def test_a_super_user_saves_and_the_change_is_audited(org: Organisation, super_user: User) -> None:
    client = signed_in(super_user)
    response = save(client, org, **WELSH)
    assert response.status_code == 302
    assert response["Location"] == url(org)
    org.refresh_from_db()
    assert about_of(org) == WELSH
    entry = AuditEntry.objects.get(action="organisations.organisation.about_changed")
    assert entry.actor == super_user
    assert entry.organisation_path == org.path
    assert entry.object_id == str(org.pk)
    assert entry.details["before"] == {"description": "", "name_cy": "", "description_cy": ""}
    assert entry.details["after"] == WELSH
    page = client.get(url(org)).content.decode()
    assert "The description and Welsh name are saved." in page
    assert "Ymddiriedolaeth GIG Northfield" in page


def test_the_text_is_tidied_and_emptied_fields_are_saved_empty(
    org: Organisation, super_user: User
) -> None:
    client = signed_in(super_user)
    save(client, org, **WELSH)
    save(
        client,
        org,
        description="  First line.\r\n\r\nSecond line.  ",
        name_cy="  Ymddiriedolaeth   GIG\tNorthfield ",
        description_cy="",
    )
    org.refresh_from_db()
    assert org.description == "First line.\n\nSecond line."
    assert org.name_cy == "Ymddiriedolaeth GIG Northfield"
    assert org.description_cy == ""
    entry = (
        AuditEntry.objects.filter(action="organisations.organisation.about_changed")
        .order_by("pk")
        .last()
    )
    assert entry is not None
    assert set(entry.details["after"]) == {"description", "description_cy"}


def test_a_double_submit_saves_once(org: Organisation, super_user: User) -> None:
    client = signed_in(super_user)
    data = {**WELSH, "opened": opened(org)}
    first = client.post(url(org), data)
    second = client.post(url(org), data)
    assert first.status_code == second.status_code == 302
    org.refresh_from_db()
    assert about_of(org) == WELSH
    assert AuditEntry.objects.filter(action="organisations.organisation.about_changed").count() == 1


def test_saving_over_someone_elses_newer_change_is_refused_and_theirs_shown(
    org: Organisation, super_user: User, platform_admin: User
) -> None:
    mine = signed_in(super_user)
    stale = opened(org)
    save(signed_in(platform_admin), org, name_cy="Enw y gweinyddwr")
    response = mine.post(url(org), {**WELSH, "opened": stale})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved" in html
    assert "Enw y gweinyddwr" in html  # what is saved now
    assert "Ymddiriedolaeth GIG Northfield" in html  # what they typed, kept in the form
    org.refresh_from_db()
    assert org.name_cy == "Enw y gweinyddwr"
    # Having seen theirs, saving again keeps the super-user's text.
    again = mine.post(url(org), {**WELSH, "opened": response.context["opened"]})
    assert again.status_code == 302
    org.refresh_from_db()
    assert about_of(org) == WELSH


def test_too_long_text_is_explained_beside_its_field(org: Organisation, super_user: User) -> None:
    response = save(
        signed_in(super_user), org, description="x" * 1001, name_cy="y" * 201, description_cy="ok"
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"description", "name_cy"}
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_description"' in html
    org.refresh_from_db()
    assert about_of(org) == {"description": "", "name_cy": "", "description_cy": ""}
    assert not AuditEntry.objects.filter(action="organisations.organisation.about_changed")


def test_a_super_user_above_sets_the_welsh_name_of_a_part_beneath(
    org: Organisation, super_user: User
) -> None:
    site = part(org)
    assert save(signed_in(super_user), site, name_cy="Ysbyty Northfield").status_code == 302
    site.refresh_from_db()
    assert site.name_cy == "Ysbyty Northfield"


def test_a_super_user_of_a_part_cannot_set_the_trusts(org: Organisation) -> None:
    person = with_second_factor(UserFactory())
    RoleFactory(user=person, role="super_user", organisation=part(org))
    response = save(signed_in(person), org, name_cy="Nid fi")
    assert response.status_code == 403
    assert signed_in(person).get(url(part(org))).status_code == 200


@pytest.mark.parametrize("member", ["reader", "responder", "other_org_responder", "moderator"])
def test_others_are_refused_and_the_refusal_recorded(
    member: str, org: Organisation, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(member)
    client = signed_in(user)
    assert client.get(url(org)).status_code == 403
    assert save(client, org, name_cy="Nid fi").status_code == 403
    org.refresh_from_db()
    assert org.name_cy == ""
    refused = AuditEntry.objects.filter(
        action="responders.staff_page.refused", actor=user, organisation_path=org.path
    )
    assert refused.count() == 2


def test_another_trusts_super_user_is_refused(org: Organisation, other_org: Organisation) -> None:
    person = with_second_factor(UserFactory())
    RoleFactory(user=person, role="super_user", organisation=other_org)
    assert save(signed_in(person), org, name_cy="Nid fi").status_code == 403


def test_the_second_factor_comes_first(org: Organisation) -> None:
    person = UserFactory()
    RoleFactory(user=person, role="super_user", organisation=org)
    response = signed_in(person).get(url(org))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_anonymous_visitors_are_asked_to_sign_in(org: Organisation) -> None:
    response = Client().post(url(org), {**WELSH, "opened": opened(org)})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    org.refresh_from_db()
    assert org.name_cy == ""


def test_an_unknown_organisation_is_404(super_user: User) -> None:
    assert signed_in(super_user).get("/staff/organisations/no-such-place/about/").status_code == 404


def test_the_saved_welsh_shows_on_the_public_welsh_page(
    org: Organisation, super_user: User
) -> None:
    save(signed_in(super_user), org, **WELSH)
    welsh = Client().get(f"/cy/organisations/{org.slug}/").content.decode()
    assert "<h1>Ymddiriedolaeth GIG Northfield</h1>" in welsh
    assert "Ysbytai a gwasanaethau Northfield." in welsh
    english = Client().get(f"/organisations/{org.slug}/").content.decode()
    assert "<h1>Northfield</h1>" in english
    assert "The hospitals and services of Northfield." in english
