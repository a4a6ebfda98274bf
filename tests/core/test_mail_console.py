"""make run prints each email as a person reads it, not as MIME."""

from __future__ import annotations

import io

from django.core.mail import EmailMultiAlternatives

from apps.core.mail_console import ReadableConsoleBackend


def test_emails_print_readably_in_the_terminal() -> None:
    out = io.StringIO()
    message = EmailMultiAlternatives(
        subject="Relieved son replied on “Seen quickly on a busy night”",
        body="Hello Daniel,\n\nThank you for replying.\n",
        to=["ed.manager@ashdown-vale.example"],
    )
    message.attach_alternative("<p>Hello Daniel,</p>", "text/html")
    assert ReadableConsoleBackend(stream=out).send_messages([message]) == 1
    printed = out.getvalue()
    assert "Email to: ed.manager@ashdown-vale.example" in printed
    assert "Subject: Relieved son replied on “Seen quickly on a busy night”" in printed
    assert "Thank you for replying." in printed
    for mime in ("Content-Type", "=?utf-8?", "boundary=", "<p>"):
        assert mime not in printed
