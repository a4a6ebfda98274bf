"""Input from outside: control characters are removed from every query and form value,
and a NUL byte anywhere in the address, query or form data is a 400, never a 500."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.organisations.models import Organisation, OrganisationKind
from apps.stories.models import Story
from tests.factories import OrganisationFactory
from tests.stories.test_tell import valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    cache.clear()  # the telling rate limit
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    return OrganisationFactory(
        parent=site, name="Ward 7", kind=OrganisationKind.SERVICE, ods_code="RNF07"
    )


def test_control_characters_are_removed_from_a_story_and_line_breaks_kept(
    client: Client, ward: Organisation
) -> None:
    body = "The night staff\x0b sat with\x1b[31m my dad.\r\nThank you,\tall\x7f of you\x85."
    response = client.post(
        reverse("stories:tell"),
        valid(ward, title="Kind\x0cnights", body=body, pseudonym="Dau\x1bghter"),
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.title == "Kindnights"
    assert story.body == "The night staff sat with[31m my dad.\r\nThank you,\tall of you."
    assert story.pseudonym == "Daughter"


@pytest.mark.parametrize(
    "url",
    [
        "/tell/?q=ward%00",
        "/tell/?service=RNF07%00",
        "/tell/?services=1%00",
        "/tell/?%00=1",
        "/stories/?q=%00",
        "/staff/api-keys/?organisation=%00",
        "/my-story/abc%00def/",
        "/organisations/north%00field/",
    ],
)
def test_a_nul_byte_in_the_address_or_query_is_a_400(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()


def test_a_nul_byte_in_an_api_address_is_a_400_in_the_api_format(client: Client) -> None:
    for url in ("/api/v1/organisations/rnf%00", "/api/v1/stories?q=a%00b"):
        response = client.get(url)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_request"


def test_a_nul_byte_in_form_data_is_a_400(
    client: Client, ward: Organisation, client_as: object
) -> None:
    response = client.post(reverse("stories:tell"), valid(ward, services=[f"{ward.pk}\x00"]))
    assert response.status_code == 400
    assert not Story.objects.exists()
    staff = client_as("responder")  # type: ignore[operator]
    response = staff.post(reverse("moderation:enter"), {"body": "A story\x00 on paper"})
    assert response.status_code == 400


def test_an_uploaded_file_is_left_to_its_view(client_as: object, org: Organisation) -> None:
    """Files are not form values: the invitation upload names the bad line itself."""
    staff = client_as("super_user")  # type: ignore[operator]
    upload = SimpleUploadedFile(
        "people.csv",
        b"first name,last name,email,job title,role,node\nNia,Ev\x00ans,nia@trust.example,"
        b"Nurse,responder,RNF\n",
        content_type="text/csv",
    )
    response = staff.post(
        reverse("staff:invitations_upload", kwargs={"slug": org.slug}), {"file": upload}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Line 2 holds a character that is not allowed (a NUL byte): save the file again "
        "as “CSV UTF-8”."
    ]
