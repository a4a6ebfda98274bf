"""Every URL has an access rule, proven for every member of the cast.

Add a row to ACCESS for each new URL name. `test_every_url_has_an_access_rule`
fails on any URL the resolver knows that this table does not cover.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from apps.alerts.models import Subscription
from apps.changes.models import Change, ChangeStory
from apps.core.models import OutboxEmail
from apps.organisations.models import Organisation
from apps.responders.models import Invitation, Role
from apps.responses.models import AuthorReply, Response
from apps.waysin.posters import code_for

from .conftest import CAST
from .factories import (
    RoleFactory,
    StoryFactory,
    UserFactory,
    api_key_for,
    author_link,
    invite,
    team_of,
    with_second_factor,
)

LOGIN = "login"  # a redirect to the sign-in page
SIGNED_IN = tuple(member for member in CAST if member != "anonymous")


@dataclass(frozen=True)
class Rule:
    """What each cast member gets: a status code, or LOGIN."""

    expected: dict[str, int | str]
    kwargs: Callable[[Any], dict[str, str]] = field(default=lambda world: {})
    method: str = "get"


def everyone(status: int) -> dict[str, int | str]:
    return dict.fromkeys(CAST, status)


def signed_in_only(status: int = 200) -> dict[str, int | str]:
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, status)}


def signed_out_only(anonymous: int = 200, signed_in: int = 302) -> dict[str, int | str]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, signed_in)}


def staff_in_scope(status: int = 200) -> dict[str, int | str]:
    """Roles at `org` (where the world's story is); nobody else, platform roles included."""
    return {
        "anonymous": LOGIN,
        **dict.fromkeys(SIGNED_IN, 403),
        **dict.fromkeys(("reader", "responder", "super_user"), status),
    }


def managers_only(status: int = 200) -> dict[str, int | str]:
    """The super-user of `org` and platform admins."""
    return {
        "anonymous": LOGIN,
        **dict.fromkeys(SIGNED_IN, 403),
        "super_user": status,
        "platform_admin": status,
    }


def platform_staff_only() -> dict[str, int | str]:
    return {
        "anonymous": LOGIN,
        **dict.fromkeys(SIGNED_IN, 403),
        "moderator": 200,
        "platform_admin": 200,
    }


def platform_admins_only(status: int = 200) -> dict[str, int | str]:
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 403), "platform_admin": status}


ACCESS: dict[str, Rule] = {
    # Public pages: the same for everyone.
    "home": Rule(everyone(200)),
    "healthz": Rule(everyone(200)),
    "favicon": Rule(everyone(302)),
    "readyz": Rule(everyone(200)),
    # The language switch: a POST that remembers the choice and goes to the page in it.
    "set_language": Rule(everyone(302), method="post"),
    "organisations:directory": Rule(everyone(200)),
    "organisations:detail": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    # Stories: telling and reading are public; the private link is the key to one story.
    "stories:tell": Rule(everyone(200)),
    "stories:told": Rule(everyone(200)),
    "stories:resend_link": Rule(everyone(200)),
    "stories:author": Rule(everyone(200), kwargs=lambda w: {"token": w["token"]}),
    # The private page's buttons: the world's story has no edits to approve (back to the
    # page with a message); an empty email comes back with its error.
    "stories:author_approve": Rule(
        everyone(302), kwargs=lambda w: {"token": w["token"]}, method="post"
    ),
    "stories:author_email": Rule(
        everyone(200), kwargs=lambda w: {"token": w["token"]}, method="post"
    ),
    "stories:author_erase": Rule(
        everyone(302), kwargs=lambda w: {"token": w["token"]}, method="post"
    ),
    "stories:withdraw": Rule(everyone(200), kwargs=lambda w: {"token": w["token"]}),
    # The author's download (page and JSON file): the private link is the key.
    "stories:author_download": Rule(everyone(200), kwargs=lambda w: {"token": w["token"]}),
    "stories:author_download_json": Rule(everyone(200), kwargs=lambda w: {"token": w["token"]}),
    "stories:list": Rule(everyone(200)),
    "stories:detail": Rule(everyone(200), kwargs=lambda w: {"pk": w["story"].pk}),
    "stories:me_too": Rule(everyone(302), kwargs=lambda w: {"pk": w["story"].pk}, method="post"),
    # The read beacon: a 1×1 image for anyone; staff and robots are simply not counted.
    "stories:read": Rule(everyone(200), kwargs=lambda w: {"pk": w["story"].pk}),
    "stories:report": Rule(everyone(200), kwargs=lambda w: {"pk": w["story"].pk}),
    # The easy-read way to tell a story: its first page is public; its thank-you holds the
    # private link, once (docs/easy-read.md).
    "stories:tell_easy": Rule(everyone(200)),
    "stories:tell_easy_done": Rule(everyone(200)),
    # Feeds and the embeddable widget: public data, the same for everyone.
    "feeds:organisation": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    "feeds:service": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    "feeds:widget": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    # Posters and cards (issue 19, part 2): public, so anyone may print them; the QR
    # code's address serves the tell form for its service to everyone.
    "posters:qr": Rule(everyone(200), kwargs=lambda w: {"code": code_for(w["org"])}),
    "posters:page": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    "posters:poster_pdf": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    "posters:poster_svg": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    "posters:card_pdf": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    "posters:card_svg": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    "feeds:tag": Rule(everyone(200), kwargs=lambda w: {"slug": "discharge"}),
    # Moderation: moderators and platform admins only; any staff member may type in a
    # story told on paper or by phone.
    "moderation:queue": Rule(platform_staff_only()),
    "moderation:story": Rule(platform_staff_only(), kwargs=lambda w: {"pk": w["story"].pk}),
    # Each decision has its own URL; an empty post comes back as the page with its errors.
    "moderation:story_publish": Rule(
        platform_staff_only(), kwargs=lambda w: {"pk": w["story"].pk}, method="post"
    ),
    "moderation:story_ask_author": Rule(
        platform_staff_only(), kwargs=lambda w: {"pk": w["story"].pk}, method="post"
    ),
    "moderation:story_reject": Rule(
        platform_staff_only(), kwargs=lambda w: {"pk": w["story"].pk}, method="post"
    ),
    "moderation:story_save": Rule(
        platform_staff_only(), kwargs=lambda w: {"pk": w["story"].pk}, method="post"
    ),
    # Replacing a marked name with a role: an empty post comes back as the page, unchanged.
    "moderation:story_replace_name": Rule(
        platform_staff_only(), kwargs=lambda w: {"pk": w["story"].pk}, method="post"
    ),
    # Editing a published story after a report: an empty post comes back with its errors.
    "moderation:story_edit_published": Rule(
        platform_staff_only(), kwargs=lambda w: {"pk": w["story"].pk}, method="post"
    ),
    "moderation:enter": Rule(signed_in_only()),
    # The platform admin page (moderation within its target, retention): admins only.
    "moderation:admin": Rule(
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 403), "platform_admin": 200}
    ),
    # A trust's right of reply: platform admins only. The chooser without a trust chosen
    # answers with its field error (400); the world's organisation is a trust.
    "moderation:right_of_reply_choose": Rule(platform_admins_only(400)),
    "moderation:right_of_reply": Rule(
        platform_admins_only(), kwargs=lambda w: {"slug": w["org"].slug}
    ),
    # Restricting a published story, and lifting a restriction: platform admins only (not
    # moderators). The world's story is published, so lifting comes back with its error.
    "moderation:story_restrict": Rule(
        platform_admins_only(), kwargs=lambda w: {"pk": w["story"].pk}
    ),
    "moderation:story_lift_restriction": Rule(
        platform_admins_only(), kwargs=lambda w: {"pk": w["story"].pk}, method="post"
    ),
    # Invitations: the token is the key; a valid one opens the page for anyone holding it.
    "staff:accept": Rule(everyone(200), kwargs=lambda w: {"token": w["invitation_token"]}),
    # The staff inbox: every member of staff (the cast all have a second factor); a
    # story's staff page only for roles over its services (or a referral).
    "inbox:index": Rule(signed_in_only()),
    "inbox:story": Rule(staff_in_scope(), kwargs=lambda w: {"pk": w["story"].pk}),
    "inbox:mark_read": Rule(
        staff_in_scope(302), kwargs=lambda w: {"pk": w["story"].pk}, method="post"
    ),
    "inbox:refer": Rule(
        {**staff_in_scope(403), "super_user": 200},  # an empty form comes back with errors
        kwargs=lambda w: {"pk": w["story"].pk},
        method="post",
    ),
    "inbox:revoke_referral": Rule(
        {**staff_in_scope(403), "super_user": 302},
        kwargs=lambda w: {"pk": w["referral"].pk},
        method="post",
    ),
    # Responding: roles that may respond over the story's services (a reader may not).
    # An empty post comes back as the form with its errors.
    "inbox:preview_response": Rule(
        {**staff_in_scope(403), "responder": 200, "super_user": 200},
        kwargs=lambda w: {"pk": w["story"].pk},
        method="post",
    ),
    "inbox:post_response": Rule(
        {**staff_in_scope(403), "responder": 200, "super_user": 200},
        kwargs=lambda w: {"pk": w["story"].pk},
        method="post",
    ),
    # Someone else's response (written by `team_member`, not in the cast): after the
    # writer, only moderators may change it; a withdrawal without a reason comes back.
    "inbox:edit_response": Rule(platform_staff_only(), kwargs=lambda w: {"pk": w["response"].pk}),
    "inbox:withdraw_response": Rule(
        platform_staff_only(), kwargs=lambda w: {"pk": w["response"].pk}, method="post"
    ),
    # The conversation in public: votes are anyone's; the private link is the key to reply.
    "conversation:helpful": Rule(
        everyone(302), kwargs=lambda w: {"pk": w["response"].pk}, method="post"
    ),
    "conversation:author_reply": Rule(
        everyone(200), kwargs=lambda w: {"token": w["token"]}, method="post"
    ),
    # Reporting a published response or author reply: anyone, as a story's report.
    "conversation:report_response": Rule(everyone(200), kwargs=lambda w: {"pk": w["response"].pk}),
    "conversation:report_reply": Rule(
        everyone(200), kwargs=lambda w: {"pk": published(w["reply"]).pk}
    ),
    # The reports queue and its decisions: moderators only. An empty hide has no reason
    # and a dismissal with no open reports comes back as the page with the error.
    "reports:queue": Rule(platform_staff_only()),
    "reports:hide": Rule(
        platform_staff_only(),
        kwargs=lambda w: {"kind": "story", "pk": w["story"].pk},
        method="post",
    ),
    "reports:dismiss": Rule(
        platform_staff_only(),
        kwargs=lambda w: {"kind": "response", "pk": w["response"].pk},
        method="post",
    ),
    # Moderating responses and author replies (an empty decision redirects with a message).
    "conversation_moderation:queue": Rule(platform_staff_only()),
    "conversation_moderation:decide_response": Rule(
        {**platform_staff_only(), "moderator": 302, "platform_admin": 302},
        kwargs=lambda w: {"pk": w["response"].pk},
        method="post",
    ),
    "conversation_moderation:decide_reply": Rule(
        {**platform_staff_only(), "moderator": 302, "platform_admin": 302},
        kwargs=lambda w: {"pk": w["reply"].pk},
        method="post",
    ),
    # Changes: the register and a change's page are public; staff of the organisation
    # (and platform admins) see its staff page and export the register; responders and
    # super-users in scope record and update (a reader may not; nor may platform roles).
    "changes:register": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    "changes:public": Rule(everyone(200), kwargs=lambda w: {"pk": w["change"].pk}),
    "changes:export": Rule(
        {**staff_in_scope(), "platform_admin": 200}, kwargs=lambda w: {"slug": w["org"].slug}
    ),
    "changes:detail": Rule(
        {**staff_in_scope(), "platform_admin": 200}, kwargs=lambda w: {"pk": w["change"].pk}
    ),
    "changes:record": Rule(
        {**staff_in_scope(403), "responder": 200, "super_user": 200},
        kwargs=lambda w: {"pk": w["story"].pk},
    ),
    # An empty post: back to the story with a message.
    "changes:link": Rule(
        {**staff_in_scope(403), "responder": 302, "super_user": 302},
        kwargs=lambda w: {"pk": w["story"].pk},
        method="post",
    ),
    # An empty post to one of a change's updates comes back as its page with the errors.
    "changes:edit": Rule(
        {**staff_in_scope(403), "responder": 200, "super_user": 200},
        kwargs=lambda w: {"pk": w["change"].pk},
        method="post",
    ),
    "changes:mark_made": Rule(
        {**staff_in_scope(403), "responder": 200, "super_user": 200},
        kwargs=lambda w: {"pk": w["change"].pk},
        method="post",
    ),
    "changes:stop": Rule(
        {**staff_in_scope(403), "responder": 200, "super_user": 200},
        kwargs=lambda w: {"pk": w["change"].pk},
        method="post",
    ),
    "changes:unlink": Rule(
        {**staff_in_scope(403), "responder": 302, "super_user": 302},
        kwargs=lambda w: {"pk": w["change"].pk, "story_pk": w["story"].pk},
        method="post",
    ),
    # Alerts: each member of staff's own; someone else's subscription cannot be removed.
    "alerts:index": Rule(signed_in_only()),
    "alerts:remove": Rule(
        signed_in_only(403), kwargs=lambda w: {"pk": w["subscription"].pk}, method="post"
    ),
    # The email outbox (who was sent what, and why it failed): platform admins only.
    "alerts:outbox": Rule({**platform_staff_only(), "moderator": 403}),
    # The site's own pages: everyone reads them; platform admins edit them.
    "pages:page": Rule(everyone(200), kwargs=lambda w: {"slug": "privacy"}),
    "pages:staff_list": Rule({**platform_staff_only(), "moderator": 403}),
    "pages:staff_edit": Rule(
        {**platform_staff_only(), "moderator": 403}, kwargs=lambda w: {"slug": "terms"}
    ),
    "alerts:outbox_retry": Rule(
        {**platform_staff_only(), "moderator": 403, "platform_admin": 302},
        kwargs=lambda w: {"pk": w["failed_email"].pk},
        method="post",
    ),
    # Managing a subtree: its super-users and platform admins.
    "staff:members": Rule(managers_only(), kwargs=lambda w: {"slug": w["org"].slug}),
    "staff:invitations": Rule(managers_only(), kwargs=lambda w: {"slug": w["org"].slug}),
    "staff:invitations_upload": Rule(managers_only(), kwargs=lambda w: {"slug": w["org"].slug}),
    "staff:teams": Rule(managers_only(), kwargs=lambda w: {"slug": w["org"].slug}),
    "staff:audit": Rule(managers_only(), kwargs=lambda w: {"slug": w["org"].slug}),
    # An organisation's description and Welsh name (docs/languages.md).
    "staff:about": Rule(managers_only(), kwargs=lambda w: {"slug": w["org"].slug}),
    "staff:team": Rule(managers_only(), kwargs=lambda w: {"pk": w["team"].pk}),
    "staff:team_remove": Rule(
        managers_only(302),
        kwargs=lambda w: {"pk": w["team"].pk, "user_pk": w["team_member"].pk},
        method="post",
    ),
    "staff:revoke_role": Rule(
        managers_only(302), kwargs=lambda w: {"pk": w["role"].pk}, method="post"
    ),
    # Someone who left (a reader at `org`, in a team there): their super-user or an admin.
    "staff:deactivate": Rule(
        managers_only(302), kwargs=lambda w: {"pk": w["team_member"].pk}, method="post"
    ),
    "staff:reactivate": Rule(
        managers_only(302), kwargs=lambda w: {"pk": w["team_member"].pk}, method="post"
    ),
    "staff:invitation_resend": Rule(
        managers_only(302), kwargs=lambda w: {"pk": w["invitation"].pk}, method="post"
    ),
    "staff:invitation_revoke": Rule(
        managers_only(302), kwargs=lambda w: {"pk": w["invitation"].pk}, method="post"
    ),
    # API keys: super-users for their subtree, platform admins for any.
    "api_keys:index": Rule(managers_only()),
    "api_keys:revoke": Rule(
        managers_only(302), kwargs=lambda w: {"pk": api_key_for(w["org"])[0].pk}, method="post"
    ),
    # The JSON API: the same for everyone (it reads no session; keys are its own header).
    "api:root": Rule(everyone(200)),
    "api:openapi": Rule(everyone(200)),
    "api:stories": Rule(everyone(200)),
    "api:story": Rule(everyone(200), kwargs=lambda w: {"pk": w["story"].pk}),
    "api:story_responses": Rule(everyone(200), kwargs=lambda w: {"pk": w["story"].pk}),
    "api:organisations": Rule(everyone(200)),
    "api:organisation": Rule(everyone(200), kwargs=lambda w: {"key": w["org"].slug}),
    "api:changes": Rule(everyone(200)),
    "api:not_found": Rule(everyone(404), kwargs=lambda w: {"rest": "no-such-thing"}),
    # Exports of a search and the open data: public; staff columns come only inside a
    # staff member's scope (tests/exports). No dump is made here, so its files are 404.
    "exports:stories_csv": Rule(everyone(200)),
    "exports:stories_xlsx": Rule(everyone(200)),
    "exports:open_data": Rule(everyone(200)),
    "exports:open_data_file": Rule(everyone(404), kwargs=lambda w: {"name": "stories.csv"}),
    # Staff sign-in (django-allauth). Sign-up is closed: staff join by invitation.
    "account_login": Rule(signed_out_only()),
    "account_signup": Rule(signed_out_only()),
    "account_logout": Rule({"anonymous": 302, **dict.fromkeys(SIGNED_IN, 200)}),
    "account_inactive": Rule(everyone(200)),
    "account_reset_password": Rule(everyone(200)),
    "account_reset_password_done": Rule(everyone(200)),
    "account_reset_password_from_key": Rule(
        everyone(200), kwargs=lambda w: {"uidb36": "zz", "key": "not-a-real-key"}
    ),
    "account_reset_password_from_key_done": Rule(everyone(200)),
    "account_email_verification_sent": Rule(everyone(200)),
    "account_confirm_email": Rule(everyone(200), kwargs=lambda w: {"key": "not-a-real-key"}),
    "account_confirm_login_code": Rule(everyone(302)),
    "account_email": Rule(signed_in_only()),
    "account_change_password": Rule(signed_in_only()),
    "account_set_password": Rule(signed_in_only(302)),
    "account_reauthenticate": Rule(signed_in_only()),
    # The second factor (allauth MFA). Setting it up or changing it asks for the password
    # again first (a redirect), unless the person signed in in the last few minutes.
    "mfa_index": Rule(signed_in_only()),
    "mfa_activate_totp": Rule(signed_in_only(302)),
    "mfa_deactivate_totp": Rule(signed_in_only(302)),
    "mfa_generate_recovery_codes": Rule(signed_in_only(302)),
    "mfa_view_recovery_codes": Rule(signed_in_only(302)),
    "mfa_download_recovery_codes": Rule(signed_in_only(302)),
    "mfa_reauthenticate": Rule(signed_in_only()),
    # The code step of signing in, with no sign-in under way: back to the start.
    "mfa_authenticate": Rule(everyone(302)),
    # Insight: public for everyone; the staff view (criticality) for roles over the node,
    # moderators and platform admins; refused to staff of other organisations.
    "insights:organisation": Rule(everyone(200), kwargs=lambda w: {"slug": w["org"].slug}),
    "insights:staff": Rule(
        {**staff_in_scope(), "moderator": 200, "platform_admin": 200},
        kwargs=lambda w: {"slug": w["org"].slug},
    ),
    # Saved views and their reports: each member of staff's own. The world's view belongs
    # to `team_member` (not in the cast), so it is not found for anyone else, whatever
    # their role; an empty save comes back with its errors.
    "insights:saved_views": Rule(signed_in_only()),
    "insights:saved_view_save": Rule(signed_in_only(), method="post"),
    "insights:saved_view_rename": Rule(
        signed_in_only(404), kwargs=lambda w: {"pk": _saved_view(w).pk}
    ),
    "insights:saved_view_delete": Rule(
        signed_in_only(404), kwargs=lambda w: {"pk": _saved_view(w).pk}, method="post"
    ),
    "insights:saved_view_schedule": Rule(
        signed_in_only(404), kwargs=lambda w: {"pk": _saved_view(w).pk}
    ),
    # The board report (page and PDF): the staff insight's rule; its targets: the trust's
    # super-users and platform admins.
    "insights:board_report": Rule(
        {**staff_in_scope(), "moderator": 200, "platform_admin": 200},
        kwargs=lambda w: {"slug": w["org"].slug},
    ),
    "insights:board_report_pdf": Rule(
        {**staff_in_scope(), "moderator": 200, "platform_admin": 200},
        kwargs=lambda w: {"slug": w["org"].slug},
    ),
    "insights:board_targets": Rule(managers_only(), kwargs=lambda w: {"slug": w["org"].slug}),
    # A trust's Friends and Family Test setting: its super-users and platform admins.
    "waysin_fft:setting": Rule(managers_only(), kwargs=lambda w: {"slug": w["org"].slug}),
    # Safeguarding: a serious case's page for moderators and the contacts told (the world's
    # case went to `org`, whose contact is the super-user's address; the trust's other
    # staff are not contacts); open cases for platform staff; the platform's settings for
    # platform admins; a node's contacts and help text for its super-users.
    "safeguarding:cases": Rule(platform_staff_only()),
    "safeguarding:case": Rule(
        {**platform_staff_only(), "super_user": 200},
        kwargs=lambda w: {"pk": _safeguarding(w)[0].pk},
    ),
    "safeguarding:settings": Rule({**platform_staff_only(), "moderator": 403}),
    "safeguarding:node": Rule(managers_only(), kwargs=lambda w: {"slug": w["org"].slug}),
    "safeguarding:node_help": Rule(
        managers_only(302), kwargs=lambda w: {"slug": w["org"].slug}, method="post"
    ),
    "safeguarding:contact_remove": Rule(
        managers_only(302), kwargs=lambda w: {"pk": _safeguarding(w)[1].pk}, method="post"
    ),
    # Ways in: the kiosks and campaign links of a part of the tree are its super-users' and
    # platform admins' to set up. A kiosk's device link and a campaign link are the tell
    # flow for anyone holding them (private: the device link is a secret).
    "waysin:index": Rule(managers_only()),
    "waysin:kiosk_revoke": Rule(
        managers_only(302), kwargs=lambda w: {"pk": _kiosk(w)[0].pk}, method="post"
    ),
    "waysin:campaign_end": Rule(
        managers_only(302), kwargs=lambda w: {"pk": _campaign(w).pk}, method="post"
    ),
    "waysin:kiosk": Rule(everyone(200), kwargs=lambda w: {"token": _kiosk(w)[1]}),
    "waysin:kiosk_exit": Rule(everyone(200), kwargs=lambda w: {"token": _kiosk(w)[1]}),
    "waysin:campaign": Rule(everyone(200), kwargs=lambda w: {"code": _campaign(w).code}),
    # The easy-read pages of a kiosk, a campaign link and a poster's code (docs/easy-read.md).
    "waysin:kiosk_easy": Rule(everyone(200), kwargs=lambda w: {"token": _kiosk(w)[1]}),
    "waysin:campaign_easy": Rule(everyone(200), kwargs=lambda w: {"code": _campaign(w).code}),
    "posters:qr_easy": Rule(everyone(200), kwargs=lambda w: {"code": code_for(w["org"])}),
}


def _kiosk(world: dict[str, Any]) -> tuple[Any, str]:
    """A working kiosk at `org`, with its device token."""
    from apps.waysin.models import Kiosk
    from apps.waysin.selectors import token_digest

    token = f"kiosk-token-for-the-access-test-{Kiosk.objects.count()}"
    return Kiosk.objects.create(
        node=world["org"], name="Day room", token_hash=token_digest(token)
    ), token


def _campaign(world: dict[str, Any]) -> Any:
    from apps.waysin.models import Campaign

    return Campaign.objects.create(
        node=world["org"], name="Clinic texts", code=f"acc{Campaign.objects.count()}xyz"
    )


def _safeguarding(world: dict[str, Any]) -> tuple[Any, Any]:
    """A serious case about the world's story, told to `org`, whose contact is the cast's
    super-user (by address)."""
    from apps.stories.models import SafeguardingCase, SafeguardingContact

    contact = SafeguardingContact.objects.create(
        organisation=world["org"], name="Sasha Super", email="super_user.sasha@staff.example"
    )
    case = SafeguardingCase.objects.create(story=world["story"])
    case.organisations.add(world["org"])
    return case, contact


def published(reply: AuthorReply) -> AuthorReply:
    """The world's author reply, published (only a published one can be reported)."""
    AuthorReply.objects.filter(pk=reply.pk).update(status="published", published_at=timezone.now())
    return reply


def _saved_view(world: dict[str, Any]) -> Any:
    from apps.insights.models import SavedView

    return SavedView.objects.create(
        owner=world["team_member"], name="Ward 7", kind="insight", organisation=world["org"]
    )


# Cache-Control: every response to a signed-in person, and every page reached by a
# private link, is `private, no-store`; public pages for anonymous readers are not.
# SHARED answers are the same for everyone (no session read), so they keep their caching.
SHARED = ("feeds:", "api:", "healthz", "readyz")
PRIVATE_LINK = (
    # The read beacon: every load must reach the site to be counted, so no cache keeps it.
    "stories:read",
    "stories:author",
    "stories:author_approve",
    "stories:author_email",
    "stories:author_erase",
    "stories:author_download",
    "stories:author_download_json",
    "stories:told",
    "stories:withdraw",
    "staff:accept",
    "conversation:author_reply",
    "waysin:kiosk",
    "waysin:kiosk_exit",
    "waysin:campaign",
    "stories:tell_easy_done",
    "waysin:kiosk_easy",
    "waysin:campaign_easy",
)


def _private_expected(name: str, member: str) -> bool | None:
    """True: must be private; False: must not be; None: either (redirects, errors)."""
    if name.startswith(SHARED):
        return None
    return member != "anonymous" or name in PRIVATE_LINK or name.startswith(("account_", "mfa_"))


def _assert_cache_control(name: str, member: str, response: Any) -> None:
    expected = _private_expected(name, member)
    header = response.get("Cache-Control", "")
    private = "private" in header and "no-store" in header
    if expected:
        assert private, f"{member} at {name}: Cache-Control {header!r}, not private, no-store"
    elif expected is False and response.status_code == 200:
        assert not private, f"{member} at {name}: a public page sent {header!r}"


def _walk(patterns: list[Any], namespace: str | None = None) -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                yield f"<unnamed {pattern.pattern}>"
            else:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_an_access_rule() -> None:
    names = set(_walk(get_resolver().url_patterns))
    uncovered = sorted(names - ACCESS.keys())
    stale = sorted(ACCESS.keys() - names)
    assert not uncovered, f"URLs with no access test (add them to ACCESS): {uncovered}"
    assert not stale, f"ACCESS rows for URLs that no longer exist: {stale}"


def _referral(org: Organisation, story: Any, member: Any) -> Any:
    from apps.responses.services import referral_create

    referrer = with_second_factor(UserFactory())
    RoleFactory(user=referrer, role="super_user", organisation=org)
    return referral_create(referrer=referrer, story=story, user=member)


def _response(org: Organisation, story: Any, writer: Any) -> Any:
    return Response.objects.create(
        story=story,
        organisation=org,
        author=writer,
        author_name=writer.display_name,
        body="We are sorry to read this.",
        body_html="<p>We are sorry to read this.</p>",
        published_at=timezone.now(),
    )


def _change(org: Organisation, story: Any) -> Change:
    today = timezone.localdate()
    change = Change.objects.create(
        organisation=org, summary="Visiting hours widen.", due_on=today, status_on=today
    )
    ChangeStory.objects.create(change=change, story=story)
    return change


def make_world(org: Organisation, other_org: Organisation) -> dict[str, Any]:
    """What the rows' addresses name: a story at `org` with its link, response, reply,
    change, referral, team, invitation and subscription (also read by the pa11y run)."""
    story = StoryFactory(services=[org])
    holder = UserFactory()
    RoleFactory(user=holder, role="reader", organisation=org)
    team = team_of(org, holder)
    return {
        "org": org,
        "other_org": other_org,
        "story": story,
        "token": author_link(story),
        "invitation_token": invite(org),
        "invitation": Invitation.objects.get(),
        "role": Role.objects.get(user=holder),
        "team": team,
        "team_member": holder,
        "referral": _referral(org, story, holder),
        "response": _response(org, story, holder),
        "reply": AuthorReply.objects.create(story=story, body="Thank you for answering."),
        "subscription": Subscription.objects.create(user=holder, organisation=org),
        "change": _change(org, story),
        "failed_email": OutboxEmail.objects.create(
            key="test:1",
            kind="test",
            to="someone@example.org",
            subject="A test",
            body_text="x",
            status=OutboxEmail.Status.FAILED,
            attempts=8,
            next_attempt_at=timezone.now(),
        ),
    }


@pytest.mark.parametrize("member", CAST)
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_access(
    name: str, member: str, client_as: Any, org: Organisation, other_org: Organisation
) -> None:
    rule = ACCESS[name]
    world = make_world(org, other_org)
    url = reverse(name, kwargs=rule.kwargs(world))
    response = getattr(client_as(member), rule.method)(url)
    if response.streaming:
        # Read to the end, as a browser would: a download's errors happen while it streams,
        # and reading it closes the response (and any file it sends).
        b"".join(response.streaming_content)
    expected = rule.expected[member]
    if expected == LOGIN:
        assert response.status_code == 302, f"{member} at {url}: {response.status_code}"
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
    else:
        assert response.status_code == expected, (
            f"{member} at {url}: expected {expected}, got {response.status_code}"
        )
    _assert_cache_control(name, member, response)
