"""The Celery application. With no CELERY_BROKER_URL, tasks run eagerly."""

import os

from celery import Celery
from celery.schedules import crontab

from config.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("carevoice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The sweep sends what is still unsent: after a broker outage, a lost task or a retry.
# Every minute unless OUTBOX_SWEEP_SECONDS says otherwise (tests of lost workers shorten it).
# The alerts sweep fans out stories whose task was lost and reminds about unanswered ones.
app.conf.beat_schedule = {
    "sweep-outbox": {
        "task": "core.sweep_outbox",
        "schedule": float(env_int("OUTBOX_SWEEP_SECONDS", 60)),
    },
    "sweep-alerts": {"task": "alerts.sweep", "schedule": 300.0},
    "daily-digest": {"task": "alerts.daily_digest", "schedule": crontab(hour=7, minute=0)},
    "weekly-digest": {
        "task": "alerts.weekly_digest",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
    # Every node's public figures, so they roll over to the new date (and ranks compare
    # like with like) before anyone looks.
    "refresh-figures": {"task": "insights.refresh_figures", "schedule": crontab(hour=2, minute=30)},
    # The open data (/open-data/): every published story and response, written afresh
    # after the figures, while the site is quiet.
    "open-data-dump": {"task": "insights.open_data_dump", "schedule": crontab(hour=3, minute=45)},
    # Scheduled reports of saved views: each hour sends those due (Mondays and the 1st at
    # settings.REPORT_SEND_HOUR); a missed hour is caught up by the next.
    "send-reports": {"task": "insights.send_reports", "schedule": crontab(minute=5)},
    # Held stories go public when their right of reply ends; each is published once.
    "release-held": {"task": "stories.release_held", "schedule": 300.0},
    # Read rows of past days can never match again (the visitor key holds the day).
    "prune-readers": {"task": "stories.prune_readers", "schedule": crontab(hour=3, minute=15)},
    # Reads queued in the shared cache, added to the counts (apps/stories/reads.py).
    "flush-reads": {"task": "stories.flush_reads", "schedule": 60.0},
    # Retention: words of stories withdrawn or rejected PURGE_AFTER_DAYS ago, erased
    # emails and old sent mail, deleted for good (apps/stories/retention.py).
    "purge-stories": {"task": "stories.purge", "schedule": crontab(hour=4, minute=15)},
    # Suggested topics: a new model when THEMES_RETRAIN_AFTER stories were moderated
    # since the last (apps/stories/suggestions.py); quiet hours, it takes minutes.
    "themes-retrain": {"task": "stories.themes_retrain", "schedule": crontab(hour=1, minute=30)},
}
