"""Run by test_many_hosts in a process of its own, against that test's private database
(DATABASE_URL): `migrate` makes the schema as a deployment does; `seed N M` adds a trust
whose service has N subscribers who want each story at once, a moderator signed in, and
M stories waiting for moderation, and prints what the test needs as one line of JSON."""

from __future__ import annotations

import json
import sys

import django


def seed(subscribers: int, stories: int) -> dict[str, object]:
    from django.conf import settings
    from django.test import Client

    from apps.accounts.models import User
    from apps.alerts.models import Frequency, Subscription
    from apps.organisations.models import Organisation, OrganisationKind
    from apps.responders.models import RoleName
    from apps.responders.services import role_install
    from apps.stories.models import StoryRevision, StoryStatus
    from tests.factories import (
        OrganisationFactory,
        RoleFactory,
        StoryFactory,
        UserFactory,
        with_second_factor,
    )

    trust = OrganisationFactory(name="Northfield", ods_code="RNF", kind=OrganisationKind.TRUST)
    site = OrganisationFactory(parent=trust, name="Northfield Hospital", kind=OrganisationKind.SITE)
    service = OrganisationFactory(
        parent=site, name="Northfield Outpatients", kind=OrganisationKind.SERVICE
    )
    trust = Organisation.objects.get(pk=trust.pk)
    moderator = UserFactory(email="moderator@staff.example", display_name="Mo Moderator")
    RoleFactory(user=moderator, role=RoleName.MODERATOR, organisation=None)
    with_second_factor(moderator)
    # Many people: made without a password (hashing one takes a tenth of a second).
    people = User.objects.bulk_create(
        User(email=f"reader{n:03}@staff.example", display_name=f"Reader {n}")
        for n in range(subscribers)
    )
    for person in people:
        role_install(role=RoleName.READER, organisation=trust, user=person)
    Subscription.objects.bulk_create(
        Subscription(user=person, organisation=trust, frequency=Frequency.IMMEDIATE)
        for person in people
    )
    waiting = []
    for _ in range(stories):
        story = StoryFactory(
            services=[service],
            status=StoryStatus.AWAITING_MODERATION,
            published_at=None,
            criticality=None,
        )
        StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
        waiting.append({"pk": story.pk, "title": story.title, "body": story.body})
    browser = Client()
    browser.force_login(moderator)
    return {
        "session": browser.cookies[settings.SESSION_COOKIE_NAME].value,
        "stories": waiting,
    }


def main(argv: list[str]) -> int:
    django.setup()
    if argv[0] == "migrate":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        print(json.dumps(seed(int(argv[1]), int(argv[2]))))  # noqa: T201 (the answer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
