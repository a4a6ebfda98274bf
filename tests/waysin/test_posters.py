"""Posters and cards (issue 19, part 2): the QR code, read back by a real decoder, opens
the tell form for its service, and a story sent there arrives with channel `qr`."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.organisations.models import Organisation, OrganisationKind
from apps.stories.models import Story, Tag
from apps.waysin import posters
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    return OrganisationFactory(parent=site, name="Ward 7", kind=OrganisationKind.SERVICE)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        # In strict mode (CAREVOICE_STRICT=1, tests/conftest.py) this skip fails the test.
        pytest.skip(f"{name} is not installed (apt-get install zbar-tools poppler-utils)")
    return found


def _decode_pdf(pdf: bytes, folder: Path) -> list[str]:
    """Every QR code zbarimg finds on the PDF's first page, drawn at 200 dpi."""
    pdftoppm, zbarimg = _tool("pdftoppm"), _tool("zbarimg")
    (folder / "art.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603
        [pdftoppm, "-r", "200", "-f", "1", "-l", "1", "-png", "art.pdf", "art"],
        cwd=folder,
        check=True,
    )
    image = next(folder.glob("art*.png"))
    done = subprocess.run(  # noqa: S603
        [zbarimg, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.split()


def _story_data(ward: Organisation) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "services": [ward.pk],
        "title": "",
        "body": "The nurse on Ward 7 explained every step of my treatment. Thank you.",
        "good": [Tag.objects.get(slug="staff-manner-and-attitude").pk],
        "month": today.month,
        "year": today.year,
        "author_role": "patient",
        "pseudonym": "Thankful patient",
        "email": "patient@home.example",
        "consent_terms": "on",
        "consent_edits": "on",
        "website": "",
        "submission_key": str(uuid.uuid4()),
    }


def _preselected(html: str) -> list[str]:
    """The values of the ticked service boxes on the tell form."""
    boxes = re.findall(r"<input[^>]*name=\"services\"[^>]*>", html)
    return [re.search(r'value="(\d+)"', box).group(1) for box in boxes if "checked" in box]  # type: ignore[union-attr]


def test_the_code_is_the_primary_key_in_base_36(ward: Organisation) -> None:
    code = posters.code_for(ward)
    assert int(code, 36) == ward.pk
    assert code == code.lower()
    assert posters.node_for_code(code) == ward
    assert posters.node_for_code(code.upper()) == ward  # typed in capitals
    assert posters.short_address(code).endswith(f"/q/{code}/")
    assert "://" not in posters.short_address(code)


def test_the_poster_pdf_code_decodes_to_the_tell_form_for_its_service(
    client: Client, ward: Organisation, tmp_path: Path, settings: Any
) -> None:
    settings.SITE_URL = "https://carevoice.example"
    response = client.get(reverse("posters:poster_pdf", kwargs={"slug": ward.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="poster-{ward.slug}.pdf"'

    [decoded] = _decode_pdf(response.content, tmp_path)
    code = posters.code_for(ward)
    assert decoded == f"https://carevoice.example/q/{code}/"

    path = urlsplit(decoded).path
    form = client.get(path)
    assert form.status_code == 200
    html = form.content.decode()
    assert _preselected(html) == [str(ward.pk)]
    assert f'action="{path}"' in html

    sent = client.post(path, _story_data(ward))
    assert sent.status_code == 302, sent.context["form"].errors
    story = Story.objects.get()
    assert story.channel == "qr"
    assert list(story.services.all()) == [ward]


def test_the_card_sheet_pdf_and_the_svg_files_carry_the_same_code(
    client: Client, ward: Organisation, tmp_path: Path, settings: Any
) -> None:
    settings.SITE_URL = "https://carevoice.example"
    address = f"https://carevoice.example/q/{posters.code_for(ward)}/"
    cards = client.get(reverse("posters:card_pdf", kwargs={"slug": ward.slug}))
    assert cards["Content-Disposition"] == f'attachment; filename="card-{ward.slug}.pdf"'
    assert _decode_pdf(cards.content, tmp_path / "") == [address] * 10

    # The SVG files, printed through WeasyPrint as an image on a page, decode too.
    from apps.core.pdf import html_to_pdf

    for name in ("posters:poster_svg", "posters:card_svg"):
        svg = client.get(reverse(name, kwargs={"slug": ward.slug}))
        assert svg["Content-Type"] == "image/svg+xml"
        assert svg.content.startswith(b"<?xml")
        folder = tmp_path / name.split(":")[1]
        folder.mkdir()
        markup = svg.content.decode().split("?>", 1)[1]
        page = html_to_pdf(f"<style>@page {{ size: A4 }}</style>{markup}", base_url="/")
        assert _decode_pdf(page, folder) == [address]


def test_the_public_page_shows_both_and_offers_four_files(
    client: Client, ward: Organisation
) -> None:
    response = client.get(reverse("posters:page", kwargs={"slug": ward.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")  # public, cacheable
    assert html.count('class="poster-art ') == 2  # the poster and the card, inline
    assert "Ward 7" in html
    assert "Northfield" in html  # the service's trust, on the artwork
    for name in ("poster_pdf", "poster_svg", "card_pdf", "card_svg"):
        assert f'href="{reverse(f"posters:{name}", kwargs={"slug": ward.slug})}"' in html


def test_the_organisation_page_links_its_poster_but_a_closed_one_does_not(
    client: Client, ward: Organisation
) -> None:
    poster = reverse("posters:page", kwargs={"slug": ward.slug})
    assert poster in client.get(ward.get_absolute_url()).content.decode()
    ward.is_active = False
    ward.save(update_fields=["is_active"])
    assert poster not in client.get(ward.get_absolute_url()).content.decode()
    assert client.get(poster).status_code == 404
    assert (
        client.get(reverse("posters:qr", kwargs={"code": posters.code_for(ward)})).status_code
        == 404
    )


def test_the_artwork_names_the_service_and_no_person(ward: Organisation, settings: Any) -> None:
    settings.SITE_URL = "https://carevoice.example"
    ward.listed_staff_names = "Dr Amira Patel"
    ward.save(update_fields=["listed_staff_names"])
    art = posters.artwork_for(posters.node_for_slug(ward.slug))  # type: ignore[arg-type]
    for kind in posters.KINDS:
        markup = posters.svg(art, kind)
        assert "Ward 7" in markup
        assert "Patel" not in markup
        assert f"carevoice.example/q/{art.code}/" in markup
    assert art.address == f"https://carevoice.example/q/{art.code}/"


def test_a_pdf_that_cannot_be_made_leaves_the_page_with_the_svg_files(
    client: Client,
    ward: Organisation,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    weasyprint = pytest.importorskip("weasyprint")

    class Broken:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(weasyprint, "HTML", Broken)
    response = client.get(reverse("posters:poster_pdf", kwargs={"slug": ward.slug}))
    html = response.content.decode()
    assert response.status_code == 503
    assert "The PDF could not be made" in html
    assert reverse("posters:poster_svg", kwargs={"slug": ward.slug}) in html
    assert f"The poster PDF of {ward.slug} could not be made" in caplog.text
