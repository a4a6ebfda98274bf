from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string


class AccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created from invitations, never by signing up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff land on their work (settings.STAFF_LANDING, from the app that knows roles,
        which sits above this one). allauth asks only when there is no safe `next`, so a
        `next` still wins; after a second factor it asks once that step is passed."""
        landing: str = import_string(settings.STAFF_LANDING)(request.user)
        return landing
