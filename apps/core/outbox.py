"""The email outbox: write an email with the change that causes it; send it after commit.

Sending claims the row with a conditional UPDATE, so two workers (or a task and the
sweep) never send one email twice at the same moment; a claim lapses after
settings.OUTBOX_CLAIM_SECONDS, so an email whose worker died is sent again by the sweep.

Delivery is at least once. One window remains in which a worker that dies makes a
second copy: after the mail server has the whole message and before the row is marked
sent (the server's reply to the message's last line, and one UPDATE). No protocol closes
it (the server cannot take back what it accepted); the window is kept that short (the
row is marked before the connection is closed), and both copies carry the same
Message-ID, by which mail servers and mail programs recognise the second.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import unicodedata
from dataclasses import dataclass
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.html import escape

from .jobs import delay_or_log
from .models import OutboxEmail

MAX_ATTEMPTS = 8
URGENT = 10  # `priority` of mail that must go ahead of the rest (safeguarding alerts)
SUBJECT_MAX = 255  # OutboxEmail.subject
# Characters that end a header line or hide text: control (Cc), format (Cf: zero-width,
# bidirectional overrides), line and paragraph separators (Zl, Zp).
_UNSAFE_IN_HEADER = {"Cc", "Cf", "Zl", "Zp"}


def header_safe(value: str, limit: int = SUBJECT_MAX) -> str:
    """`value` as one line fit for an email header: control and invisible characters and
    runs of white space become one space, cut to `limit` characters.

    Subjects carry people's words (a pseudonym, a story's title); one line break in them
    makes Django refuse the whole email (BadHeaderError), so every header is cleaned here,
    where every email passes, rather than trusted to each caller's validation."""
    spaced = "".join(
        " " if unicodedata.category(char) in _UNSAFE_IN_HEADER else char for char in value
    )
    line = " ".join(spaced.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def backoff(attempt: int) -> dt.timedelta:
    """1, 2, 4 … minutes after each attempt, at most 2 hours."""
    return dt.timedelta(minutes=min(2 ** max(attempt - 1, 0), 120))


def as_html(subject: str, text: str) -> str:
    """The HTML part of an email: the plain text, escaped, with paragraphs and links."""
    # escape() escapes even text marked safe (templates rendered for the plain part
    # are), so a response's or reply's markup arrives as text.
    return render_to_string(
        "email/base.html",
        {"subject": subject, "text": escape(text), "site_name": settings.SITE_NAME},
    )


@dataclass(frozen=True)
class Email:
    kind: str
    key: str
    to: str
    subject: str
    text: str
    priority: int = 0
    # The language it is written in, for its HTML part; "" for the page's or task's own.
    language: str = ""

    def row(self, now: dt.datetime, html: str) -> OutboxEmail:
        """The outbox row, with `html` as its HTML part (rendered by the caller, once)."""
        return OutboxEmail(
            key=f"{self.kind}:{self.key}:{self.to.lower()}",
            kind=self.kind,
            to=header_safe(self.to),
            subject=header_safe(self.subject),
            body_text=self.text,
            body_html=html,
            next_attempt_at=now,
            priority=self.priority,
        )


def outbox_add(
    *, kind: str, key: str, to: str, subject: str, text: str, html: str = "", priority: int = 0
) -> OutboxEmail:
    """Queue one email in the current transaction; the same key again changes nothing.
    A higher `priority` is sent ahead of other mail waiting (URGENT: safeguarding)."""
    row = Email(kind=kind, key=key, to=to, subject=subject, text=text, priority=priority).row(
        timezone.now(), html=html or as_html(header_safe(subject), text)
    )
    email, created = OutboxEmail.objects.get_or_create(
        key=row.key,
        defaults={
            "kind": row.kind,
            "to": row.to,
            "subject": row.subject,
            "body_text": row.body_text,
            "body_html": row.body_html,
            "next_attempt_at": row.next_attempt_at,
            "priority": row.priority,
        },
    )
    if created:
        from .tasks import send_email  # the task module imports this one

        transaction.on_commit(lambda: delay_or_log(send_email, email.pk))
    return email


SEND_BATCH = 200


def outbox_add_many(emails: list[Email]) -> int:
    """Queue many emails in one statement (keys already present are left alone); they
    are sent after commit in batches. Returns how many rows were new."""
    if not emails:
        return 0
    now = timezone.now()
    # A fan-out sends one text to many people: render its HTML part once.
    rendered: dict[tuple[str, str, str], str] = {}
    rows = []
    for email in emails:
        parts = (email.subject, email.text, email.language)
        if parts not in rendered:
            with translation.override(email.language or translation.get_language()):
                rendered[parts] = as_html(header_safe(email.subject), email.text)
        rows.append(email.row(now, html=rendered[parts]))
    keys = [row.key for row in rows]
    existing = set(OutboxEmail.objects.filter(key__in=keys).values_list("key", flat=True))
    OutboxEmail.objects.bulk_create(
        [row for row in rows if row.key not in existing], ignore_conflicts=True, batch_size=5000
    )
    new = [k for k in keys if k not in existing]
    if new:
        from .tasks import send_batch

        for start in range(0, len(new), SEND_BATCH):
            transaction.on_commit(
                partial(delay_or_log, send_batch, new[start : start + SEND_BATCH])
            )
    return len(new)


def message_id(key: str) -> str:
    """The Message-ID of the email with this outbox key: the same for every attempt, so
    a copy sent twice (see the module's note) is recognisable as one email. Keyed with
    the secret, so it reveals nothing of the key (which holds the recipient's address)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = salted_hmac("core.outbox.message-id", key, algorithm="sha256").hexdigest()
    return f"<{digest[:40]}@{domain}>"


def outbox_send(pk: int) -> bool:
    """Send one due email if nobody else is; True when this call sent it."""
    now = timezone.now()
    # The claim is committed before anything is sent: another worker or the sweep sees it
    # and leaves the row alone until it lapses, which must outlast any one send (the mail
    # server's time-outs, EMAIL_TIMEOUT, are far shorter).
    claimed = OutboxEmail.objects.filter(
        pk=pk, status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now
    ).update(
        attempts=F("attempts") + 1,
        next_attempt_at=now + dt.timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS),
    )
    if not claimed:
        return False
    email = OutboxEmail.objects.get(pk=pk)
    # A failure is written only while this claim is the latest: a send that failed after
    # its claim lapsed must not undo what a later attempt recorded (a success always is).
    ours = OutboxEmail.objects.filter(
        pk=pk, status=OutboxEmail.Status.PENDING, attempts=email.attempts
    )
    connection = get_connection()
    # Rows queued before headers were cleaned on the way in are cleaned on the way out.
    message = EmailMultiAlternatives(
        subject=header_safe(email.subject),
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[header_safe(email.to)],
        headers={"Message-ID": message_id(email.key)},
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        # Opened here, so the row is marked sent as soon as the server has accepted the
        # message, before the goodbye to the server (a round trip out of the window).
        connection.open()
        message.send()
    except Exception as exc:  # any failure at the mail edge is recorded, then retried
        _close(connection)
        failed = email.attempts >= MAX_ATTEMPTS
        ours.update(
            status=OutboxEmail.Status.FAILED if failed else OutboxEmail.Status.PENDING,
            next_attempt_at=timezone.now() + backoff(email.attempts),
            # The class and message of the error only: never the body.
            last_error=f"{type(exc).__name__}: {exc}"[:500],
        )
        return False
    OutboxEmail.objects.filter(pk=pk).update(
        status=OutboxEmail.Status.SENT,
        sent_at=timezone.now(),
        body_text="",
        body_html="",
        last_error="",
    )
    _close(connection)
    return True


def _close(connection: Any) -> None:
    # The email's fate is already written: a server that hangs up badly changes nothing.
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.close()


def outbox_due(limit: int = 500) -> list[int]:
    """Ids of the emails waiting whose time has come: urgent ones first, then oldest."""
    return list(
        OutboxEmail.objects.filter(
            status=OutboxEmail.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("-priority", "next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_ids(keys: list[str]) -> list[int]:
    return list(OutboxEmail.objects.filter(key__in=keys).values_list("pk", flat=True))


def outbox_requeue(pk: int) -> bool:
    """Give an email that failed for good a fresh round of attempts, sent after commit."""
    from .tasks import send_email

    updated = OutboxEmail.objects.filter(pk=pk, status=OutboxEmail.Status.FAILED).update(
        status=OutboxEmail.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if updated:
        transaction.on_commit(lambda: delay_or_log(send_email, pk))
    return bool(updated)


def outbox_prune(*, before: dt.datetime) -> int:
    """Delete mail queued before `before`, sent or not: its address and subject are
    people's data, no one needs them once the retention period has passed (the privacy
    notice's promise for erased emails), and mail still unsent after it (its retries
    end within a day) will not be sent. Returns rows."""
    deleted, _ = OutboxEmail.objects.filter(created_at__lt=before).delete()
    return deleted


def outbox_forget(*, address: str = "", phrases: tuple[str, ...] = ()) -> int:
    """Delete mail sent (or given up on) to `address`, and such mail whose subject holds
    one of `phrases` (a purged story's title), whatever its age: what a purge removes
    from a story must not live on in its emails. Waiting mail is left to be sent (it may
    be about another story of the same address). Returns rows."""
    condition = Q(to__iexact=address) if address else Q(pk__in=[])
    for phrase in phrases:
        if phrase.strip():
            condition |= Q(subject__icontains=phrase.strip())
    done = (OutboxEmail.Status.SENT, OutboxEmail.Status.FAILED)
    deleted, _ = OutboxEmail.objects.filter(condition, status__in=done).delete()
    return deleted
