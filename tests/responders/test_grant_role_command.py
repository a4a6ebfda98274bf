from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responders.models import Role
from apps.responders.permissions import is_platform_admin
from apps.responders.scope import Scope

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("grant_role", *args, stdout=out)
    return out.getvalue()


def test_the_first_platform_admin_is_made_from_the_command_line() -> None:
    out = run("Ops@Trust.example", "platform_admin", "--name", "Ops Team")
    user = User.objects.get(email="ops@trust.example")
    assert is_platform_admin(user)
    assert not user.has_usable_password()
    assert "Forgotten your password?" in out
    assert AuditEntry.objects.get(action="responders.role.granted").actor is None


def test_a_node_role_writes_its_permissions(org: Organisation) -> None:
    run("nurse@trust.example", "responder", "--at", "rnf")
    user = User.objects.get(email="nurse@trust.example")
    assert Scope(user).paths("respond") == [org.path]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-email", "reader", "--at", "RNF"], "is not an email address"),
        (["a@trust.example", "reader"], "give --at"),
        (["a@trust.example", "moderator", "--at", "RNF"], "leave out --at"),
        (["a@trust.example", "reader", "--at", "NOPE"], "No organisation has"),
    ],
)
def test_bad_arguments_are_named_and_change_nothing(
    org: Organisation, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Role.objects.exists()
    assert not User.objects.exists()
