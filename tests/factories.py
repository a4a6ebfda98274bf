"""factory_boy factories. Tree nodes go through treebeard so paths are real."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import User
from apps.organisations.models import Organisation, OrganisationKind
from apps.responders.models import Role, RoleName, Team
from apps.responders.services import role_install
from apps.stories.models import AuthorAccess, Story, StoryService, StoryStatus
from apps.stories.taxonomy import AuthorRole
from apps.stories.tokens import new_token, token_hash

TEST_PASSWORD = "correct-horse-battery-staple"
# The authenticator-app secret every test account with a second factor shares.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def with_second_factor(user: User, secret: str = TEST_TOTP_SECRET) -> User:
    """Set up an authenticator app for the account, as the staff set-up page would."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return user


def totp_code(secret: str = TEST_TOTP_SECRET, offset: int = 0) -> str:
    """The code an authenticator app shows now (or `offset` 30-second steps away)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@staff.example")
    display_name = factory.Faker("name", locale="en_GB")
    job_title = "Staff nurse"

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """Build with `parent=` to add a child; without it, a new root."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.TRUST
    slug = factory.LazyAttribute(lambda o: slugify(o.name))

    @classmethod
    def _create(cls, model_class: type[Organisation], *args: Any, **kwargs: Any) -> Organisation:
        parent = kwargs.pop("parent", None)
        if parent is not None:
            parent.refresh_from_db()
            return model_class.objects.add_child(parent, kwargs)
        return model_class.objects.add_root(kwargs)


class RoleFactory(factory.django.DjangoModelFactory):
    """A role written as the operator's command writes it, permissions included."""

    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    role = RoleName.RESPONDER
    organisation = factory.SubFactory(OrganisationFactory)

    @classmethod
    def _create(cls, model_class: type[Role], *args: Any, **kwargs: Any) -> Role:
        return role_install(**kwargs)


def team_of(organisation: Organisation, *members: User, name: str = "Ward 7 nurses") -> Team:
    """A team under the node with these members (as a super-user would form it)."""
    from django.contrib.auth.models import Group

    team = Team.objects.create(
        name=name, organisation=organisation, group=Group.objects.create(name=f"team-{name}")
    )
    team.group.user_set.add(*members)
    return team


class StoryFactory(factory.django.DjangoModelFactory):
    """A story as a moderator left it. `services=[...]` names what it is about."""

    class Meta:
        model = Story
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Story {n}")
    body = "The nurses on the ward were kind and explained everything to my mother."
    pseudonym = "Grateful daughter"
    author_role = AuthorRole.RELATIVE
    experienced_on = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    author_email = factory.Sequence(lambda n: f"author{n}@home.example")
    status = StoryStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    criticality = 1

    @factory.post_generation
    def services(self, create: bool, extracted: list[Organisation] | None, **kwargs: Any) -> None:
        if create and extracted:
            StoryService.objects.bulk_create(
                StoryService(story=self, organisation=org, position=i)
                for i, org in enumerate(extracted)
            )


def author_link(story: Story) -> str:
    """Give the story a private link, as telling it would, and return its token."""
    token = new_token()
    AuthorAccess.objects.create(story=story, token_hash=token_hash(token))
    return token


def invite(
    organisation: Organisation, *, role: str = "responder", email: str = "new@staff.example"
):  # type: ignore[no-untyped-def]
    """An open invitation from a super-user of the organisation; returns its token."""
    from apps.responders.invitations import invitation_create

    inviter = with_second_factor(UserFactory())
    RoleFactory(user=inviter, role=RoleName.SUPER_USER, organisation=organisation)
    return invitation_create(
        inviter=inviter,
        email=email,
        first_name="Nia",
        last_name="Evans",
        job_title="Staff nurse",
        role=role,
        organisation=organisation,
    ).token


def api_key_for(organisation: Organisation, *, name: str = "Trust dashboard") -> tuple[Any, str]:
    """A working API key for the node, as a super-user's form would make it; returns the
    row and the key to send."""
    from apps.api import keys
    from apps.api.models import ApiKey

    nonce = keys.new_nonce()
    key = keys.key_from_nonce(nonce)
    row = ApiKey.objects.create(
        name=name,
        organisation=organisation,
        prefix=keys.public_prefix(key),
        key_hash=keys.digest(key),
        nonce_hash=keys.digest(nonce),
    )
    return row, key


def status_fields(status: str, organisation: Organisation) -> dict[str, Any]:
    """What a story of this status needs beyond the status (the table's constraints): a
    rejected one its reason, a held one the end of its hold, a restricted one who asked,
    why, and its publication date. `organisation` is the one that asked."""
    if status == StoryStatus.REJECTED:
        return {"rejection_reason": "other", "published_at": None}
    if status == StoryStatus.HELD:
        return {"held_until": timezone.now(), "published_at": None}
    if status == StoryStatus.RESTRICTED:
        return {
            "restricted_by": organisation,
            "restriction_reason": "it is the subject of a complaint",
            "published_at": timezone.now(),
        }
    return {}
