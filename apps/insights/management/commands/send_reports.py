from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.insights.models import ReportSchedule
from apps.insights.reports import reports_send


class Command(BaseCommand):
    help = (
        "Queue the scheduled reports of saved views that are due, as the hourly task "
        "insights.send_reports does. Safe to repeat: a report already queued for its "
        "period is not queued again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help=(
                "queue every active report now, for its period as of today, without moving "
                "its next run (a report already queued for that period is not sent again)"
            ),
        )

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        active = ReportSchedule.objects.filter(active=True).count()
        queued = reports_send(every=now)
        which = "every active report" if now else "the reports due"
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued {queued:,} emails for {which} ({active:,} active schedules)."
            )
        )
