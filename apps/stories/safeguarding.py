"""Safeguarding, two levels (TAXONOMY.md "Safeguarding level", DESIGN.md "Duty of care").

A story whose words suggest someone may be at risk now carries a risk cue from the moment
it is told: it goes to the top of the queue, its author is sent where to get help at once,
and a moderator must set a level before deciding it. *signpost* sends the author the help
text; *serious* opens a case: the named safeguarding contacts of the nearest node up the
tree that has them (or the platform's fallback address) are emailed at once, ahead of
other mail, and the story waits, unpublished, until someone has recorded what was done.
Reads for the case pages are in `selectors_safeguarding`.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.http import AnyUser
from apps.accounts.models import User
from apps.core.audit import audit
from apps.core.outbox import URGENT, outbox_add
from apps.organisations.models import Organisation
from apps.responders.permissions import can_manage, can_moderate, is_platform_admin

from .languages import in_author_language
from .models import (
    SafeguardingCase,
    SafeguardingContact,
    SafeguardingHelp,
    SafeguardingRecord,
    SafeguardingSettings,
    Story,
    StoryStatus,
)
from .taxonomy import DEFAULT_HELP_TEXT, RISK_WORDS, SafeguardingLevel

Level = SafeguardingLevel


# --- settings and the risk cue ------------------------------------------------------
def platform_settings() -> SafeguardingSettings:
    """The platform's row, or an unsaved one with the shipped defaults."""
    return SafeguardingSettings.objects.filter(pk=1).first() or SafeguardingSettings(pk=1)


def risk_words() -> list[str]:
    """The shipped words and the platform admins' own, lower case."""
    extra = [line.strip().lower() for line in platform_settings().risk_words.splitlines()]
    return [*RISK_WORDS, *(word for word in extra if word)]


@lru_cache(maxsize=8)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Each word matched at the start of a word; spaces and hyphens inside a phrase match
    # either ("self harm", "self-harm").
    parts = [r"[\s\-]+".join(map(re.escape, re.split(r"[\s\-]+", word))) for word in words]
    return re.compile(r"\b(?:" + "|".join(parts) + r")\w*", re.IGNORECASE)


def risk_cues(text: str, words: tuple[str, ...] | None = None) -> list[str]:
    """The words in `text` that suggest someone may be at risk now, whole, as written;
    `words` is the list to look for (by default the shipped words and the admins')."""
    words = tuple(risk_words()) if words is None else words
    if not words:
        return []
    return sorted({match.group(0) for match in _pattern(words).finditer(text)}, key=str.lower)


def _nearest(story: Story, paths_with: set[str]) -> list[str]:
    """For each of the story's services, the path of the nearest node at or above it among
    `paths_with`; the services with none give nothing."""
    found = []
    for service in story.services.all():
        for path in reversed([*service.ancestor_paths(), service.path]):
            if path in paths_with:
                found.append(path)
                break
    return found


def _candidate_paths(story: Story) -> set[str]:
    paths: set[str] = set()
    for service in story.services.all():
        paths.update([*service.ancestor_paths(), service.path])
    return paths


def help_text_for(story: Story) -> str:
    """Where to get help now: the nearest node's own text above the story's first service,
    else the platform's, else the shipped UK text."""
    overrides = dict(
        SafeguardingHelp.objects.filter(organisation__path__in=_candidate_paths(story)).values_list(
            "organisation__path", "text"
        )
    )
    nearest = _nearest(story, set(overrides))
    if nearest:
        return overrides[nearest[0]]
    return platform_settings().help_text.strip() or str(DEFAULT_HELP_TEXT)


@in_author_language()
def send_help(story: Story) -> None:
    """Email the author where to get help now (once per story, however often it is asked)."""
    if not story.author_email:
        return
    context = {"story": story, "help": help_text_for(story), "site_name": settings.SITE_NAME}
    outbox_add(
        kind="stories.safeguarding_help",
        key=str(story.pk),
        to=story.author_email,
        subject=_("Where to get help now – %(site)s") % {"site": settings.SITE_NAME},
        text=render_to_string("stories/email/safeguarding_help.txt", context),
        priority=URGENT,
    )


def story_screen(story: Story, words: tuple[str, ...] | None = None) -> bool:
    """On submission: mark a story whose words suggest risk now, audit it, and send its
    author the help text at once. Returns whether it was marked."""
    cues = risk_cues(f"{story.title}\n{story.body}", words)
    if not cues:
        return False
    story.risk_cue = True
    story.save(update_fields=["risk_cue", "updated_at"])
    audit(actor=None, action="stories.story.risk_cue_found", target=story, words=len(cues))
    send_help(story)
    return True


# --- levels and cases -------------------------------------------------------------
def level_set(*, story: Story, moderator: User, level: str, note: str) -> None:
    """Set the story's level (the story is saved by the caller). Signpost emails the
    author the help text; serious opens a case and tells the contacts at once. A level
    below serious is refused while a case is open."""
    if level == story.safeguarding_level or not level:
        return
    if level not in Level.values:
        raise ValidationError({"safeguarding_level": _("Choose a safeguarding level.")})
    case = SafeguardingCase.objects.filter(story=story).first()
    if case is not None and case.is_open and level != Level.SERIOUS:
        raise ValidationError(
            {
                "safeguarding_level": _(
                    "This story is an open serious case: publish or reject it once what was "
                    "done is recorded."
                )
            }
        )
    story.safeguarding_level = level
    story.safeguarding_set_at = story.safeguarding_set_at or timezone.now()
    Story.objects.filter(pk=story.pk).update(
        safeguarding_level=level, safeguarding_set_at=story.safeguarding_set_at
    )
    audit(actor=moderator, action="stories.story.safeguarding_set", target=story, level=level)
    if level in (Level.SIGNPOST, Level.SERIOUS):
        # Someone may need help: the author hears where to get it (once per story).
        send_help(story)
    if level == Level.SERIOUS and case is None:
        _case_open(story, moderator, note)


def _case_open(story: Story, moderator: User, note: str) -> SafeguardingCase:
    case = SafeguardingCase.objects.create(story=story, opened_by=moderator, note=note.strip())
    contacts = list(
        SafeguardingContact.objects.filter(
            organisation__path__in=_candidate_paths(story)
        ).select_related("organisation")
    )
    found = _nearest(story, {c.organisation.path for c in contacts})
    told = [c for c in contacts if c.organisation.path in set(found)]
    case.organisations.set({c.organisation for c in told})
    # A service with no contacts anywhere above it: the platform's fallback is told.
    fallback = platform_settings().fallback_email or settings.SAFEGUARDING_FALLBACK_EMAIL
    needs_fallback = not told or len(found) < len(story.services.all())
    addresses = {c.email.lower(): c.name for c in told}
    if needs_fallback and fallback:
        addresses.setdefault(fallback.lower(), "")
        case.told_fallback = True
        case.save(update_fields=["told_fallback", "updated_at"])
    context = {
        "story": story,
        "case": case,
        "services": list(story.services.all()),
        "note": case.note,
        "link": settings.SITE_URL + reverse("safeguarding:case", kwargs={"pk": case.pk}),
        "site_name": settings.SITE_NAME,
    }
    text = render_to_string("stories/email/safeguarding_case.txt", context)
    for address in sorted(addresses):
        outbox_add(
            kind="stories.safeguarding_case",
            key=str(case.pk),
            to=address,
            subject=_("Safeguarding: someone may be at risk now – %(site)s")
            % {"site": settings.SITE_NAME},
            text=text,
            priority=URGENT,
        )
    audit(
        actor=moderator,
        action="stories.safeguarding_case.opened",
        target=case,
        story=story.pk,
        told=len(addresses),
        fallback=case.told_fallback,
    )
    return case


def decision_check(*, story: Story, level: str, publishing_or_rejecting: bool) -> None:
    """Refuse a decision the level does not allow yet: none for a story with a risk cue
    and no level; none but publish or reject for a serious case, and those only once
    what was done is recorded."""
    effective = level or story.safeguarding_level
    if story.risk_cue and not effective:
        raise ValidationError(
            {
                "safeguarding_level": _(
                    "This story has words that suggest risk now: choose a safeguarding level "
                    "before deciding."
                )
            }
        )
    if effective != Level.SERIOUS:
        return
    case = SafeguardingCase.objects.filter(story=story).first()
    if not publishing_or_rejecting:
        raise ValidationError(
            {"safeguarding_level": _("A serious case is published or rejected, not sent back.")}
        )
    if case is None or not case.records.exists():
        raise ValidationError(
            {
                "safeguarding_level": _(
                    "A serious case is decided only after what was done is recorded on its "
                    "page. Set the level first, so the contacts are told."
                )
            }
        )


def case_close(*, story: Story, moderator: User, decision: str) -> None:
    """Record the moderator's decision on the story's open case, if it has one."""
    case = SafeguardingCase.objects.select_for_update().filter(story=story, decision="").first()
    if case is None:
        return
    case.decision = decision
    case.decided_at = timezone.now()
    case.decided_by = moderator
    case.save(update_fields=["decision", "decided_at", "decided_by", "updated_at"])
    audit(
        actor=moderator, action="stories.safeguarding_case.decided", target=case, decision=decision
    )


# --- who sees a case, and what they record -------------------------------------------
def is_case_contact(user: AnyUser, case: SafeguardingCase) -> bool:
    """A signed-in user whose address is a contact of a node the case was sent to."""
    if not isinstance(user, User) or not user.is_active or not user.email:
        return False
    return SafeguardingContact.objects.filter(
        organisation__in=case.organisations.all(), email__iexact=user.email
    ).exists()


def can_see_case(user: AnyUser, case: SafeguardingCase) -> bool:
    return can_moderate(user) or is_case_contact(user, case)


@transaction.atomic
def case_record(
    *, case_id: int, user: User, note: str, submission_key: uuid.UUID | None = None
) -> SafeguardingRecord:
    """Record what was done (moderators and the case's contacts); a double submit makes
    one record."""
    case = SafeguardingCase.objects.select_for_update().get(pk=case_id)
    if not can_see_case(user, case):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    if submission_key is not None:
        existing = SafeguardingRecord.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            record = SafeguardingRecord.objects.create(
                case=case,
                by=user,
                by_name=user.display_name or user.email,
                note=note.strip(),
                submission_key=submission_key,
            )
    except IntegrityError:
        return SafeguardingRecord.objects.get(submission_key=submission_key)
    audit(actor=user, action="stories.safeguarding_case.recorded", target=case, record=record.pk)
    return record


# --- settings, contacts and help text ------------------------------------------------
@transaction.atomic
def settings_update(
    *, actor: User, help_text: str, fallback_email: str, risk_words: str
) -> SafeguardingSettings:
    """Platform admins set the help text, the fallback address and more risk words."""
    if not is_platform_admin(actor):
        raise PermissionDenied
    row = platform_settings()
    row.help_text = help_text.strip()
    row.fallback_email = fallback_email.strip().lower()
    row.risk_words = "\n".join(w.strip() for w in risk_words.splitlines() if w.strip())
    row.save()
    audit(actor=actor, action="stories.safeguarding_settings.updated", target=row)
    stories_rescreen()
    return row


def stories_rescreen() -> int:
    """After the risk words change: screen the stories still waiting for a moderator that
    carry no cue yet, as on submission (the cue, the audit, the author's help text, once).
    Returns how many were marked. The queue is short (moderated within a working day)."""
    words = tuple(risk_words())
    waiting = Story.objects.filter(
        status__in=(StoryStatus.AWAITING_MODERATION, StoryStatus.AWAITING_AUTHOR),
        risk_cue=False,
    )
    return sum(story_screen(story, words) for story in waiting.iterator(chunk_size=200))


@transaction.atomic
def contact_add(
    *, actor: User, organisation: Organisation, name: str, email: str
) -> SafeguardingContact:
    """A super-user (in scope) or platform admin names a safeguarding contact for a node."""
    if not can_manage(actor, organisation):
        raise PermissionDenied
    email = email.strip().lower()
    if SafeguardingContact.objects.filter(organisation=organisation, email=email).exists():
        raise ValidationError({"email": _("This address is already a contact here.")})
    contact = SafeguardingContact.objects.create(
        organisation=organisation, name=name.strip(), email=email
    )
    audit(
        actor=actor,
        action="stories.safeguarding_contact.added",
        target=contact,
        organisation_path=organisation.path,
    )
    return contact


@transaction.atomic
def contact_remove(*, actor: User, contact_id: int) -> Organisation:
    contact = SafeguardingContact.objects.select_related("organisation").get(pk=contact_id)
    if not can_manage(actor, contact.organisation):
        raise PermissionDenied
    audit(
        actor=actor,
        action="stories.safeguarding_contact.removed",
        target=contact,
        organisation_path=contact.organisation.path,
    )
    contact.delete()
    return contact.organisation


@transaction.atomic
def help_text_set(*, actor: User, organisation: Organisation, text: str) -> None:
    """A node's own help text (empty: use the text from above)."""
    if not can_manage(actor, organisation):
        raise PermissionDenied
    if text.strip():
        SafeguardingHelp.objects.update_or_create(
            organisation=organisation, defaults={"text": text.strip()}
        )
    else:
        SafeguardingHelp.objects.filter(organisation=organisation).delete()
    audit(
        actor=actor,
        action="stories.safeguarding_help.updated",
        target=organisation,
        organisation_path=organisation.path,
    )
