from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.test.utils import override_settings

from apps.core.models import OutboxEmail
from apps.demo.loader import DEMO_PASSWORD, DEMO_TEAM, DEMO_TOTP_SECRET, DEMO_USERS, demo_load
from apps.demo.ways_in import DEMO_CAMPAIGN_CODE, DEMO_KIOSK_TOKEN
from apps.stories.models import ThemeModelVersion


class Command(BaseCommand):
    help = "Load the fictional demo organisations and staff once, then print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is only for local machines (DEMO_DATA_ALLOWED is off).")
        before = OutboxEmail.objects.aggregate(last=Max("pk"))["last"] or 0
        # The demo's staff have fictional addresses: their emails are listed below, one line
        # each, instead of printed whole in the middle of the set-up.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            loaded = demo_load()
        if loaded:
            self.stdout.write(self.style.SUCCESS("Loaded the demo organisations and staff."))
            trained = ThemeModelVersion.objects.defer("payload").first()
            if trained is not None:
                self.stdout.write(
                    f"Trained suggested topics (model {trained.version}) on "
                    f"{trained.story_count:,} moderated stories in {trained.seconds:.1f} s."
                )
        else:
            self.stdout.write("Demo data is already loaded.")
        emails = list(
            OutboxEmail.objects.filter(pk__gt=before).order_by("pk").values_list("to", "subject")
        )
        if emails:
            self.stdout.write(
                f"\nThe demo's conversations sent {len(emails)} emails to demo staff "
                "(listed here, not delivered):"
            )
            for to, subject in emails:
                self.stdout.write(f"  to {to}: {subject}")
        self.stdout.write(f"\nDemo logins (password for each: {DEMO_PASSWORD})")
        for person in DEMO_USERS:
            self.stdout.write(f"  {person.email:<45} {person.description}")
        self.stdout.write(
            f"  The team “{DEMO_TEAM[0]}” (Amira Said) answers for {DEMO_TEAM[2]}; one story "
            "is referred to Daniel Reyes.\n"
            "\nStaff pages ask for a second factor: a 6-digit code from an authenticator app."
            f"\n  Demo accounts share the secret {DEMO_TOTP_SECRET}: type it into any "
            "authenticator app,\n  or print the current code with "
            "`.venv/bin/python manage.py demo_code`."
            "\n  Sam Carter has none yet: signing in as Sam shows how staff set one up."
        )
        site = settings.SITE_URL
        self.stdout.write(
            "\nWays in: the demo kiosk (a tablet at the main entrance) is at\n"
            f"  {site}/kiosk/{DEMO_KIOSK_TOKEN}/\n"
            f"  and the demo campaign link at {site}/t/{DEMO_CAMPAIGN_CODE}"
        )
