from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

LABELS = "_carevoice_labels"


def choice_labels(field: models.Field[Any, Any]) -> dict[Any, Any]:
    """A field's choices as value → label, worked out once per field. The labels stay lazy,
    so each is translated when shown, in the language of the page."""
    labels: dict[Any, Any] | None = field.__dict__.get(LABELS)
    if labels is None:
        labels = {}
        for value, label in field.flatchoices:
            try:
                labels[value] = label
            except TypeError:  # an unhashable value: left to Django's own way
                return {}
        field.__dict__[LABELS] = labels
    return labels


class TimeStampedModel(models.Model):
    """Every row knows when it was made and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:  # noqa: N802
        """`get_<field>_display()` as Django's, with the choices read once per field: Django
        builds them into a dict on every call, translating each lazy label to hash it (a
        quarter of an organisation page's time in Python went there)."""
        labels = choice_labels(field)
        if not labels:
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        value = getattr(self, field.attname)
        try:
            label = labels.get(value, value)
        except TypeError:
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        return force_str(label, strings_only=True)


class AuditEntry(models.Model):
    """Who did what to which object, and when. Written by services; never edited."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(
        max_length=100,
        help_text="<app>.<model>.<past verb>",  # i18n: not text (the form of a code)
    )
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    organisation_path = models.CharField(
        max_length=255,
        blank=True,
        db_collation="C",
        help_text=_("Path of the organisation node it concerns, so a subtree's log is one query."),
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class OutboxEmail(models.Model):
    """One email to send, written in the transaction of the change that caused it.

    A task sends it after commit; a periodic sweep sends whatever is still due, so a
    broker outage delays mail and loses none. `key` (kind, object, recipient) is unique,
    so writing the same email twice makes one row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed for good")

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=60)
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    # Bodies may carry private links: they are emptied once the email is sent.
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Higher goes first: a safeguarding alert is sent ahead of the queue of other mail.
    priority = models.SmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"
