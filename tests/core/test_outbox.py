"""The email outbox: one row per email, written with the change; sent once; retried."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from apps.core.models import OutboxEmail
from apps.core.outbox import (
    MAX_ATTEMPTS,
    Email,
    header_safe,
    outbox_add,
    outbox_add_many,
    outbox_send,
)
from apps.core.tasks import sweep_outbox

pytestmark = pytest.mark.django_db


class RefusingBackend(EmailBackend):
    """The SMTP edge, down."""

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("mail server refused the connection")


def queue(to: str = "nurse@staff.example", key: str = "1") -> OutboxEmail:
    return outbox_add(
        kind="test.hello", key=key, to=to, subject="Hello", text="Plain", html="<p>Rich</p>"
    )


def test_an_email_is_sent_after_commit_with_text_and_html(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
        assert not mail.outbox  # nothing leaves before the change commits
    (message,) = mail.outbox
    assert message.to == ["nurse@staff.example"]
    assert message.body == "Plain"
    assert message.alternatives[0][0] == "<p>Rich</p>"
    email.refresh_from_db()
    assert email.status == "sent"
    assert (email.body_text, email.body_html) == ("", "")  # private links are not kept


def test_a_rolled_back_change_leaves_no_email(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue()
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert not OutboxEmail.objects.exists()
    assert not mail.outbox


def test_the_same_email_twice_is_one_row(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first, second = queue(), queue(to="Nurse@staff.example")
    assert first.pk == second.pk
    assert len(mail.outbox) == 1


def test_sending_twice_sends_once() -> None:
    email = queue()
    assert outbox_send(email.pk) is True
    assert outbox_send(email.pk) is False
    assert len(mail.outbox) == 1


def test_a_failure_is_recorded_and_retried_with_back_off() -> None:
    email = queue()
    with override_settings(EMAIL_BACKEND="tests.core.test_outbox.RefusingBackend"):
        assert outbox_send(email.pk) is False
    email.refresh_from_db()
    assert email.status == "pending"
    assert email.last_error == "ConnectionRefusedError: mail server refused the connection"
    assert email.next_attempt_at > timezone.now()
    assert sweep_outbox() == 0  # not due yet
    OutboxEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert sweep_outbox() == 1
    assert len(mail.outbox) == 1


def test_a_permanent_failure_stops_retrying() -> None:
    email = queue()
    with override_settings(EMAIL_BACKEND="tests.core.test_outbox.RefusingBackend"):
        for _ in range(MAX_ATTEMPTS):
            OutboxEmail.objects.update(next_attempt_at=timezone.now())
            outbox_send(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", MAX_ATTEMPTS)
    OutboxEmail.objects.update(next_attempt_at=timezone.now())
    assert sweep_outbox() == 0


def test_a_lost_task_is_sent_by_the_sweep() -> None:
    # Written without a commit callback (as if the broker was down when it fired).
    OutboxEmail.objects.create(
        key="test.lost:1:a@b.example",
        kind="test.lost",
        to="a@b.example",
        subject="Lost",
        body_text="Found",
        next_attempt_at=timezone.now(),
    )
    assert sweep_outbox() == 1
    assert sweep_outbox() == 0
    assert [m.subject for m in mail.outbox] == ["Lost"]


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("Sam\nreplied", "Sam replied"),
        ("Sam\r\nBcc: x@evil.example", "Sam Bcc: x@evil.example"),
        ("Sam\u2028Jones\x0b\x1b!", "Sam Jones !"),
        ("Zero\u200bwidth \u202egnp.exe", "Zero width gnp.exe"),
        ("  spaced   out  ", "spaced out"),
    ],
)
def test_header_values_are_one_clean_line(raw: str, safe: str) -> None:
    assert header_safe(raw) == safe


def test_a_long_subject_is_cut_to_fit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outbox_add(kind="test.long", key="1", to="nurse@staff.example", subject="a" * 400, text="x")
    (message,) = mail.outbox
    assert len(message.subject) == 255
    assert message.subject.endswith("…")


def test_every_way_into_the_outbox_cleans_the_subject(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outbox_add(kind="test.one", key="1", to="a@staff.example", subject="One\ntwo", text="x")
        outbox_add_many(
            [
                Email(
                    kind="test.many", key="1", to="b@staff.example", subject="Three\rfour", text="y"
                )
            ]
        )
    assert sorted(message.subject for message in mail.outbox) == ["One two", "Three four"]
    assert set(OutboxEmail.objects.values_list("subject", flat=True)) == {"One two", "Three four"}


def test_a_row_queued_with_a_line_break_in_its_subject_is_still_sent() -> None:
    # A row written before subjects were cleaned on the way in.
    email = queue()
    OutboxEmail.objects.filter(pk=email.pk).update(subject="Hello\nBcc: x@evil.example")
    assert outbox_send(email.pk)
    (message,) = mail.outbox
    assert message.subject == "Hello Bcc: x@evil.example"
    assert message.message()["Bcc"] is None
