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
from apps.core.outbox import MAX_ATTEMPTS, outbox_add, outbox_send
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
