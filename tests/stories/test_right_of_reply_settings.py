"""Platform admins set a trust's right of reply: its period and whether every story is
held. Audited; a double submit changes nothing twice; odd values are field errors."""

from __future__ import annotations

from django.urls import reverse

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.stories import holds
from tests.factories import OrganisationFactory

from .test_moderation import signed_in


def url(trust: Organisation) -> str:
    return reverse("moderation:right_of_reply", kwargs={"slug": trust.slug})


def test_an_admin_sets_a_trusts_right_of_reply_and_it_is_audited_once(
    org: Organisation, platform_admin: User
) -> None:
    client = signed_in(platform_admin)
    page = client.get(url(org))
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert 'value="5"' in page.content.decode()  # the default period
    data = {"working_days": "8", "hold_every_story": "on"}
    first = client.post(url(org), data)
    second = client.post(url(org), data)  # a double submit
    assert first.status_code == second.status_code == 302
    org.refresh_from_db()
    assert (org.right_of_reply_working_days, org.hold_every_story) == (8, True)
    entries = AuditEntry.objects.filter(action="organisations.trust.right_of_reply_set")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == platform_admin
    assert entry.details["before"] == {"working_days": 5, "hold_every_story": False}
    assert entry.details["after"] == {"working_days": 8, "hold_every_story": True}
    # The platform admin page lists the trust with its own right of reply.
    admin = client.get(reverse("moderation:admin")).content.decode()
    assert f'href="{url(org)}"' in admin
    assert "8 working days, every story held" in admin


def test_odd_periods_are_field_errors_and_change_nothing(
    org: Organisation, platform_admin: User
) -> None:
    client = signed_in(platform_admin)
    for value, words in [
        ("0", "Give at least 1 working day."),
        ("21", "Give at most 20 working days."),
        ("", "Give the period in working days, from 1 to 20."),
        ("five", "Give the period as a whole number of working days, from 1 to 20."),
        ("9" * 40, "Give at most 20 working days."),
    ]:
        page = client.post(url(org), {"working_days": value})
        assert page.status_code == 200, value
        assert words in page.content.decode(), value
    org.refresh_from_db()
    assert (org.right_of_reply_working_days, org.hold_every_story) == (5, False)
    assert not AuditEntry.objects.filter(action="organisations.trust.right_of_reply_set").exists()


def test_only_a_trust_has_a_right_of_reply_page(org: Organisation, platform_admin: User) -> None:
    ward = OrganisationFactory(parent=org, name="Ward 3")
    client = signed_in(platform_admin)
    assert client.get(url(ward)).status_code == 404
    assert (
        client.get(reverse("moderation:right_of_reply", kwargs={"slug": "nowhere"})).status_code
        == 404
    )


def test_the_chooser_opens_the_chosen_trust_or_says_what_is_wrong(
    org: Organisation, other_org: Organisation, platform_admin: User
) -> None:
    client = signed_in(platform_admin)
    choose = reverse("moderation:right_of_reply_choose")
    assert client.get(choose, {"trust": other_org.slug}).url == url(other_org)
    wrong = client.get(choose, {"trust": "no-such-trust"})
    assert wrong.status_code == 400
    assert "Choose one of the trusts listed." in wrong.content.decode()
    # The admin page's chooser lists trusts only.
    OrganisationFactory(parent=org, name="Ward 3")
    admin = client.get(reverse("moderation:admin")).content.decode()
    assert f'<option value="{org.slug}"' in admin
    assert "Ward 3</option>" not in admin


def test_moderators_and_trust_staff_may_not_set_it(
    org: Organisation, moderator: User, super_user: User
) -> None:
    for person in (moderator, super_user):
        client = signed_in(person)
        assert client.get(url(org)).status_code == 403
        assert client.post(url(org), {"working_days": "9"}).status_code == 403
    org.refresh_from_db()
    assert org.right_of_reply_working_days == 5


def test_the_service_refuses_a_node_that_is_not_a_trust(
    org: Organisation, platform_admin: User
) -> None:
    ward = OrganisationFactory(parent=org, name="Ward 3")
    try:
        holds.right_of_reply_set(
            admin=platform_admin, trust=ward, working_days=3, hold_every_story=False
        )
    except ValueError:
        pass
    else:
        raise AssertionError("a ward was given a right of reply")
