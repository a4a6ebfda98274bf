"""The site's own pages: shipped defaults, the footer that links them, and the admins'
edits."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.core.models import AuditEntry
from apps.pages.models import Page
from apps.stories.taxonomy import RejectionReason

FOOTER_LINKS = {
    "Terms of use": "/about/terms/",
    "Privacy notice": "/about/privacy/",
    "How we moderate stories": "/about/moderation/",
    "Accessibility statement": "/about/accessibility/",
    "Contact us": "/about/contact/",
}


class _Links(HTMLParser):
    """The links inside one element (by tag name), as {visible text: href}."""

    def __init__(self, inside: str) -> None:
        super().__init__()
        self.inside, self.depth = inside, 0
        self.links: dict[str, str] = {}
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.inside:
            self.depth += 1
        if self.depth and tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links[" ".join("".join(self._text).split())] = self._href
            self._href = None
        if tag == self.inside:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)


def links_in(html: str, inside: str) -> dict[str, str]:
    parser = _Links(inside)
    parser.feed(html)
    return parser.links


PAGES_TO_WALK = [
    ("anonymous", "home", {}),
    ("anonymous", "stories:tell", {}),
    ("anonymous", "stories:list", {}),
    ("anonymous", "organisations:directory", {}),
    ("anonymous", "pages:page", {"slug": "contact"}),
    ("anonymous", "account_login", {}),
    ("responder", "inbox:index", {}),
    ("moderator", "moderation:queue", {}),
    ("platform_admin", "pages:staff_list", {}),
    ("platform_admin", "pages:staff_edit", {"slug": "privacy"}),
]


@pytest.mark.parametrize(("member", "name", "kwargs"), PAGES_TO_WALK)
def test_footer_links_the_pages_from_every_page(
    client_as: Any, member: str, name: str, kwargs: dict[str, str]
) -> None:
    response = client_as(member).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    footer = links_in(response.content.decode(), "footer")
    for text, href in FOOTER_LINKS.items():
        assert footer.get(text) == href, f"{name}: no footer link “{text}”"


def test_footer_is_on_the_not_found_page(client: Client, db: None) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert links_in(response.content.decode(), "footer").get("Terms of use") == "/about/terms/"


@pytest.mark.parametrize("href", sorted(FOOTER_LINKS.values()))
def test_each_page_has_a_shipped_default(client: Client, db: None, href: str) -> None:
    response = client.get(href)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>" in html  # sections, not one block of text
    assert "lorem" not in html.lower()


def test_privacy_notice_covers_what_people_need_to_know(client: Client, db: None) -> None:
    html = client.get("/about/privacy/").content.decode()
    for heading in (
        "What we keep",
        "Who sees what",
        "How long we keep it",
        "Our lawful basis",
        "Your rights",
        "Contact",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert "CareVoice" in html


def test_moderation_policy_names_the_reasons_moderators_use(client: Client, db: None) -> None:
    html = client.get("/about/moderation/").content.decode()
    assert "Abusive, threatening or discriminatory" in html
    assert "the experience ended more than 3 years ago".capitalize() in html
    assert str(RejectionReason.LEGAL.label)[1:] in html
    assert "It names or identifies a person" in html  # a reason for reporting


def test_pages_use_the_sites_name_and_contact_address(
    client: Client, db: None, settings: Any
) -> None:
    settings.SITE_NAME = "Northfield Voices"
    settings.CONTACT_EMAIL = "hello@voices.example"
    html = client.get("/about/contact/").content.decode()
    assert "Northfield Voices" in html
    assert '<a href="mailto:hello@voices.example"' in html
    assert "CareVoice" not in html


def test_contact_page_without_an_address_points_to_the_site(
    client: Client, db: None, settings: Any
) -> None:
    settings.CONTACT_EMAIL = ""
    html = client.get("/about/contact/").content.decode()
    assert "mailto:" not in html
    assert reverse("stories:resend_link") in html


def test_unknown_page_is_not_found(client: Client, client_as: Any, db: None) -> None:
    assert client.get("/about/nothing-here/").status_code == 404
    assert client_as("platform_admin").get("/staff/pages/nothing-here/edit/").status_code == 404
    assert client_as("platform_admin").post("/staff/pages/nothing-here/edit/").status_code == 404


def test_tell_form_links_to_the_terms(client: Client, db: None) -> None:
    html = client.get(reverse("stories:tell")).content.decode()
    main = links_in(html, "main")
    assert main["the terms of use"] == "/about/terms/"
    assert main["privacy notice"] == "/about/privacy/"


def _edit(client: Client, slug: str, body: str, version: int) -> Any:
    return client.post(
        reverse("pages:staff_edit", kwargs={"slug": slug}), {"body": body, "version": version}
    )


def test_admin_edit_replaces_the_default_and_is_audited(
    client_as: Any, platform_admin: Any
) -> None:
    admin = client_as("platform_admin")
    form = admin.get(reverse("pages:staff_edit", kwargs={"slug": "terms"}))
    assert "What CareVoice is for" in form.content.decode()  # starts from the default text

    response = _edit(admin, "terms", "## Our terms\n\nBe **kind**. <script>alert(1)</script>", 0)
    assert response.status_code == 302

    page = Page.objects.get(slug="terms")
    assert page.version == 1
    assert page.updated_by == platform_admin
    public = Client().get("/about/terms/").content.decode()
    assert "<h2>Our terms</h2>" in public
    assert "<strong>kind</strong>" in public
    assert "<script>alert(1)" not in public
    assert "What CareVoice is for" not in public
    entry = AuditEntry.objects.get(action="pages.page.updated")
    assert entry.actor == platform_admin
    assert entry.object_id == str(page.pk)
    listing = admin.get(reverse("pages:staff_list")).content.decode()
    assert "Your own, last saved" in listing
    assert "Pat Admin" in listing


def test_double_submit_makes_one_edit(client_as: Any) -> None:
    admin = client_as("platform_admin")
    first = _edit(admin, "privacy", "We keep little.", 0)
    again = _edit(admin, "privacy", "We keep little.", 0)
    assert first.status_code == again.status_code == 302
    assert Page.objects.get(slug="privacy").version == 1
    assert AuditEntry.objects.filter(action="pages.page.updated").count() == 1


def test_saving_over_a_newer_edit_is_refused_beside_the_field(client_as: Any) -> None:
    admin = client_as("platform_admin")
    _edit(admin, "contact", "Write to us.", 0)
    stale = _edit(admin, "contact", "Telephone us.", 0)
    assert stale.status_code == 200
    html = stale.content.decode()
    assert "Someone else saved this page after you opened it" in html
    assert 'id="body-error"' in html
    assert "Telephone us." in html  # what they typed is kept
    assert Page.objects.get(slug="contact").body == "Write to us."


@pytest.mark.parametrize(
    ("body", "version", "message"),
    [
        ("   ", "0", "Write the page&#x27;s text."),
        ("x" * 20_001, "0", "Ensure this value has at most 20000 characters"),
        ("Fine text", "not a number", "There is a problem"),
    ],
)
def test_bad_input_shows_errors_not_a_500(
    client_as: Any, body: str, version: str, message: str
) -> None:
    response = client_as("platform_admin").post(
        reverse("pages:staff_edit", kwargs={"slug": "terms"}), {"body": body, "version": version}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Page.objects.exists()


@pytest.mark.parametrize("member", ["anonymous", "moderator", "super_user", "responder"])
def test_only_platform_admins_may_edit(client_as: Any, member: str) -> None:
    response = _edit(client_as(member), "terms", "Taken over.", 0)
    assert response.status_code in (302, 403)
    assert not Page.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_saves_at_once_make_one_edit(platform_admin: Any) -> None:
    """Both requests find no row; the second waits on the unique slug, then sees the first's
    save and changes nothing."""
    import threading

    from django.db import connection

    from apps.pages.services import page_update

    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def save() -> None:
        try:
            start.wait()
            page_update(actor=platform_admin, slug="terms", body="Be kind.", version=0)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Page.objects.get(slug="terms").version == 1
    assert AuditEntry.objects.filter(action="pages.page.updated").count() == 1
