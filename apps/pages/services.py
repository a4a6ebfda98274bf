"""Changes to the site's own pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import audit
from apps.core.html import render_page

from .models import Page, PageSlug
from .permissions import can_edit_pages

BODY_MAX = 20_000


@transaction.atomic
def page_update(*, actor: User, slug: str, body: str, version: int) -> Page:
    """Save a platform admin's text for a page, rendered and cleaned once; audited. Sending
    the same text again (a double submit) changes nothing; saving over a newer edit than
    the one the admin opened is refused."""
    if not can_edit_pages(actor):
        raise PermissionDenied
    if slug not in PageSlug.values:
        raise ValidationError(_("There is no such page."))
    body = body.strip().replace("\r\n", "\n")
    if not body:
        raise ValidationError({"body": _("Write the page's text.")})
    if len(body) > BODY_MAX:
        raise ValidationError(
            {"body": _("Keep the page under %(max)s characters.") % {"max": f"{BODY_MAX:,}"}}
        )
    # Two first saves at once: the second waits on the unique slug, then finds the row.
    created_page, _created = Page.objects.get_or_create(slug=slug, defaults={"version": 0})
    page = Page.objects.select_for_update().get(pk=created_page.pk)
    if page.body == body:
        return page
    if page.version != version:
        raise ValidationError(
            {
                "body": _(
                    "Someone else saved this page after you opened it. Copy your text, "
                    "reload the page to see theirs, and make your changes again."
                )
            }
        )
    page.body = body
    page.body_html = render_page(body)
    page.version += 1
    page.updated_by = actor
    page.save()
    audit(actor=actor, action="pages.page.updated", target=page, slug=slug, version=page.version)
    return page
