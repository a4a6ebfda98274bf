"""Accounts made on the site (staff join by invitation; sign-up is closed)."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest

from .models import User


@transaction.atomic
def account_create_verified(
    *, email: str, password: str, display_name: str, job_title: str
) -> User:
    """A new account whose email address is already proven (an invitation reached it),
    so allauth does not ask to verify it."""
    user = User.objects.create_user(email, password, display_name=display_name, job_title=job_title)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def account_sign_in_new(request: HttpRequest, user: User) -> None:
    """Sign in someone who has just chosen their password, as a fresh authentication: so
    setting up the second factor next need not ask for the password again."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record_authentication(request, user, method="password", email=user.email, reauthenticated=True)
