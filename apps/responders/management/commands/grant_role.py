"""The operator's way in: give a role (the first platform admin, say) from the command line."""

from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from apps.accounts.models import User
from apps.organisations.models import Organisation
from apps.responders.models import PLATFORM_ROLES, RoleName
from apps.responders.services import role_install


class Command(BaseCommand):
    help = (
        "Give a role to an account, making the account if there is none. "
        "Platform roles (moderator, platform_admin) need no --at; the others need the node."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("role", choices=RoleName.values)
        parser.add_argument("--at", help="The node: its ODS code or its address (slug).")
        parser.add_argument("--name", default="", help="Display name for a new account.")

    def handle(self, *args: Any, **options: Any) -> None:
        email, role, at = options["email"].strip().lower(), options["role"], options["at"]
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an email address.") from None
        organisation = None
        if role in PLATFORM_ROLES:
            if at:
                raise CommandError(f"{role} is platform-wide: leave out --at.")
        else:
            if not at:
                raise CommandError(f"{role} is held at a node: give --at ODS-CODE or --at slug.")
            organisation = Organisation.objects.filter(Q(slug=at) | Q(ods_code=at.upper())).first()
            if organisation is None:
                raise CommandError(f"No organisation has the ODS code or address “{at}”.")
        with transaction.atomic():
            user = User.objects.filter(email=email).first()
            made = user is None
            if user is None:
                user = User.objects.create_user(email, None, display_name=options["name"] or email)
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            role_install(user=user, role=role, organisation=organisation)
        where = f" at {organisation}" if organisation else ""
        self.stdout.write(self.style.SUCCESS(f"{email} is {role}{where}."))
        if made:
            self.stdout.write(
                "The account is new and has no password: they choose one with “Forgotten your "
                "password?” on the sign-in page, then set up their second factor."
            )
