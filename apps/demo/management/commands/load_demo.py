from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.demo.loader import DEMO_PASSWORD, DEMO_TEAM, DEMO_TOTP_SECRET, DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Load the fictional demo organisations and staff once, then print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is only for local machines (DEMO_DATA_ALLOWED is off).")
        if demo_load():
            self.stdout.write(self.style.SUCCESS("Loaded the demo organisations and staff."))
        else:
            self.stdout.write("Demo data is already loaded.")
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
