"""The right of reply: which stories a publish decision holds, for how long, and who is
told at once.

A story the moderator rates 5 (severely critical), or any story about a service of a
trust that holds every story, waits after the publish decision (its own or the author's
approval of edits) for the trust's right-of-reply period, counted in working days as the
response target is (apps.core.workingdays). Its trust's responders and super-users are
emailed at once and may respond while it waits; `moderation.story_release_held` publishes
it, with any response beside it, when the period ends.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import audit
from apps.core.jobs import enqueue_after_commit
from apps.core.outbox import Email, outbox_add_many
from apps.core.signals import figures_changed
from apps.core.workingdays import add_working_days
from apps.organisations.models import Organisation
from apps.responders.scope import RESPOND, holders_over
from apps.responders.selectors import with_ancestors

from .models import Story, StoryStatus
from .selectors import story_service_paths
from .taxonomy import Criticality

# The criticality that is always held, whatever the trust asks.
HELD_CRITICALITY = Criticality.SEVERELY


def hold_until(story: Story, now: dt.datetime) -> dt.datetime | None:
    """When the hold of a story published `now` ends, or None if it is not held. With
    services in several trusts, the longest period of those whose stories are held (each
    trust gets its full right of reply). One query."""
    paths = story_service_paths(story.pk)
    roots = {path[: Organisation.steplen] for path in paths}
    trusts = list(
        Organisation.objects.filter(path__in=roots).only(
            "path", "right_of_reply_working_days", "hold_every_story"
        )
    )
    severe = story.criticality is not None and story.criticality >= HELD_CRITICALITY
    days = [t.right_of_reply_working_days for t in trusts if severe or t.hold_every_story]
    if not days:
        return None
    return add_working_days(now, max(days))


def publish_or_hold(story: Story, now: dt.datetime) -> bool:
    """Set the (unsaved) story published now, or held until its right of reply ends.
    True when held. The caller saves it and then calls `after_publish_or_hold`."""
    until = hold_until(story, now)
    if until is None:
        story.status = StoryStatus.PUBLISHED
        story.published_at = now
        story.held_until = None
        return False
    story.status = StoryStatus.HELD
    story.held_until = until
    story.published_at = None
    return True


def after_publish_or_hold(story: Story) -> None:
    """The side effects of `publish_or_hold`, once the story is saved: a published story
    changes the figures and its subscribers are alerted (by the alerts app, by name, after
    commit); a held one alerts its responders and super-users now."""
    if story.status == StoryStatus.HELD:
        alert_holders(story)
        return
    figures_changed(Story, story_service_paths(story.pk))
    # The alerts app (above this one) tells the subscribers; by name, after commit.
    enqueue_after_commit("alerts.fan_out_story", story.pk)


def alert_holders(story: Story) -> int:
    """Email everyone who may respond for one of the story's services (responders and
    super-users over it, directly or through a team) that it is held and until when.
    Outbox rows keyed per story and person: a repeat sends nothing twice. Public text
    only: never the criticality or the moderator's note."""
    paths = with_ancestors(story_service_paths(story.pk))
    holders = holders_over(paths, RESPOND)
    people = User.objects.filter(pk__in=list(holders), is_active=True).only("pk", "email")
    services = ", ".join(s.name for s in story.services.all())
    context = {
        "story": story,
        "about": services,
        "excerpt": story.body[:600] + ("…" if len(story.body) > 600 else ""),
        "link": settings.SITE_URL + reverse("inbox:story", kwargs={"pk": story.pk}),
        "site_name": settings.SITE_NAME,
    }
    text = render_to_string("stories/email/held.txt", context)
    subject = _("A story is held for your reply: %(title)s – %(site)s") % {
        "title": story.display_title,
        "site": settings.SITE_NAME,
    }
    emails = [
        Email(kind="stories.held", key=str(story.pk), to=person.email, subject=subject, text=text)
        for person in people
        if person.email
    ]
    outbox_add_many(emails)
    return len(emails)


def right_of_reply_set(
    *, admin: User, trust: Organisation, working_days: int, hold_every_story: bool
) -> bool:
    """A platform admin sets a trust's right of reply: how many working days a held story
    waits, and whether every story about its services is held (an independent provider
    may ask). Audited with the values before and after. True when anything changed; the
    same values again (a double submit) change and audit nothing. Stories already held
    keep the end they were given."""
    if trust.depth != 1:
        raise ValueError("The right of reply is a trust's setting: give a root node.")
    before = {
        "working_days": trust.right_of_reply_working_days,
        "hold_every_story": trust.hold_every_story,
    }
    after = {"working_days": working_days, "hold_every_story": hold_every_story}
    if before == after:
        return False
    Organisation.objects.filter(pk=trust.pk).update(
        right_of_reply_working_days=working_days, hold_every_story=hold_every_story
    )
    trust.right_of_reply_working_days, trust.hold_every_story = working_days, hold_every_story
    audit(
        actor=admin,
        action="organisations.trust.right_of_reply_set",
        target=trust,
        before=before,
        after=after,
    )
    return True


def trusts_with_own_right_of_reply() -> list[Organisation]:
    """Trusts whose right of reply is not the default: every story held, or another
    period. One query."""
    default = Organisation._meta.get_field("right_of_reply_working_days").default
    return list(
        Organisation.objects.filter(depth=1)
        .exclude(hold_every_story=False, right_of_reply_working_days=default)
        .only("name", "slug", "right_of_reply_working_days", "hold_every_story")
        .order_by("name")
    )
