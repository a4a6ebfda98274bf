"""The Celery application. With no CELERY_BROKER_URL, tasks run eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("carevoice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The sweep sends what is still unsent: after a broker outage, a lost task or a retry.
app.conf.beat_schedule = {
    "sweep-outbox": {"task": "core.sweep_outbox", "schedule": 60.0},
}
