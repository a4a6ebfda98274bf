"""An email backend for a developer's terminal: each email as a person would read it."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


def readable(message: EmailMessage) -> str:
    """Who it is to, its subject as written (not MIME-encoded) and its plain text."""
    rule = "-" * 72
    return (
        f"{rule}\nEmail to: {', '.join(message.to)}\nSubject: {message.subject}\n\n"
        f"{message.body.rstrip()}\n{rule}\n"
    )


class ReadableConsoleBackend(BaseEmailBackend):
    """Prints the plain-text part of every email; the HTML part is the same text, marked up."""

    def __init__(self, *args: Any, stream: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        with self._lock:
            for message in email_messages:
                self.stream.write(readable(message))
            self.stream.flush()
        return len(email_messages)
