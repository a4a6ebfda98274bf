"""Two years of the demo trust's stories, so every insight chart shows something real.

Seeded random (the same demo on every machine), fictional text composed from a small
phrasebook in the voice of the hand-written demo stories, written with bulk inserts so
`make run` stays quick. What it makes, for Ashdown Vale:

- stories in every month of the last 24 (this month so far in proportion), about 36 a
  month across its services, with a run of eight quieter months a year and a half ago
  and one busy winter month (a rise in waiting and staffing stories at the Emergency
  Department and the Acute Medical Unit) so a statistical process control chart shows a
  run and a point outside its limits;
- tags: each story is mostly good or mostly could-be-improved, its topics drawn from
  groups that go together (waiting and being kept informed; discharge, medication and
  information), a feeling, and a criticality to match;
- responses from the demo staff (most within the trust's two working days, some late,
  the newest and a few older ones unanswered, a few generic), staff reads, and changes
  planned and made (some overdue) linked to the stories and responses that led to them.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from apps.accounts.models import User
from apps.changes.models import Change, ChangeStatus, ChangeStory
from apps.core.html import render
from apps.organisations.models import SERVICE_KINDS, Organisation
from apps.responses.models import Response, ResponseStatus, StaffRead
from apps.stories.models import (
    AuthorRole,
    Polarity,
    Story,
    StoryService,
    StoryStatus,
    StoryTag,
    Tag,
)

SEED = 2026
MONTHS = 25  # this month and the 24 before it
TRUST = "Ashdown Vale Hospitals NHS Foundation Trust"
# A usual month's stories, the eight quieter months (months ago) and the busy one.
USUAL = 36
QUIET = range(15, 23)
QUIET_SIZE = 24
BUSY = 11
BUSY_SIZE = 64
# Submission keys of the history's stories start here (the hand-written ones use 1…).
KEY_BASE = 10_000

# Services told about more often than others.
WEIGHTS = {
    "Emergency Department": 6,
    "Acute Medical Unit": 4,
    "Maternity Unit": 3,
    "Day Surgery Unit": 3,
    "Ward 7 (Respiratory)": 2,
    "Ward 9 (Care of Older People)": 2,
    "Children's Ward": 2,
    "Minor Injuries Unit": 2,
}


BUSY_SERVICES = ("Emergency Department", "Acute Medical Unit")


@dataclass(frozen=True)
class Topic:
    """Topics that go together, and a sentence each way for a story's middle."""

    tags: tuple[str, ...]
    good: tuple[str, ...]
    improve: tuple[str, ...]
    good_title: tuple[str, ...]
    improve_title: tuple[str, ...]
    change: str  # what a trust might change when this could be improved
    made: str  # and what it says once made


TOPICS = [
    Topic(
        ("timeliness-of-care", "being-kept-informed", "number-and-deployment-of-staff"),
        (
            "We were seen far sooner than we expected, even though it was busy.",
            "Someone came back every half hour to tell us where we were in the queue.",
        ),
        (
            "We waited nearly six hours and nobody told us why or how much longer it would be.",
            "There were clearly not enough staff on, and the nurses looked exhausted.",
        ),
        ("Seen sooner than we expected", "Kept up to date while we waited"),
        ("Hours of waiting and no news", "Not enough staff on the night we came"),
        "A member of staff updates everyone in the waiting area on waiting times every hour.",
        "Waiting times are now shown on a screen and announced every hour.",
    ),
    Topic(
        ("staff-manner-and-attitude", "listening-and-involving-patients", "privacy-and-dignity"),
        (
            "Every member of staff introduced themselves and listened to what I had to say.",
            "They drew the curtains and spoke quietly so I never felt on show.",
        ),
        (
            "One nurse talked over me as if I was not in the room.",
            "I was examined with the curtain half open and people walking past.",
        ),
        ("Treated with kindness from start to finish", "They listened to me"),
        ("Spoken over, not spoken to", "No privacy behind a half-open curtain"),
        "Privacy and dignity are part of every shift handover on the ward.",
        "Curtain clips are fitted in every bay and checked at each handover.",
    ),
    Topic(
        ("discharge", "medication", "information-and-guidance"),
        (
            "Before we went home the pharmacist went through every tablet with us.",
            "We left with a clear letter saying what to do and who to call.",
        ),
        (
            "We waited all day for tablets to take home and left after dark.",
            "Nobody explained the new medicines, and the letter arrived a week later.",
        ),
        ("Home with a clear plan", "Every tablet explained"),
        ("A whole day waiting to go home", "Sent home without an explanation"),
        "Medicines to take home are ordered the evening before a planned discharge.",
        "Take-home medicines are now ready by midday for planned discharges.",
    ),
    Topic(
        ("food-and-drink", "environment-and-facilities", "cleanliness-and-infection-control"),
        (
            "The ward was spotless and the food was hot and tasty.",
            "There was always fresh water and someone to help my mum with her meals.",
        ),
        (
            "Meals were left out of reach and taken away untouched.",
            "The toilets were not cleaned all night and the bins overflowed.",
        ),
        ("A clean ward and good food", "Help at every mealtime"),
        ("Meals left out of reach", "Not clean enough"),
        "Protected mealtimes, with a named helper for everyone who needs one.",
        "Every bay now has a named mealtime helper, on the board by the door.",
    ),
    Topic(
        ("appointment-arrangements", "contacting-services", "transport-and-parking"),
        (
            "The phone was answered straight away and the appointment suited us.",
            "The text reminder had a map and the parking was easy.",
        ),
        (
            "I rang eleven times before anyone answered the phone.",
            "We drove round the car park for forty minutes and missed the appointment.",
        ),
        ("Easy to book and easy to find", "Answered first time"),
        ("Nobody answers the phone", "Missed our slot looking for parking"),
        "A call-back service so nobody waits on hold for more than ten minutes.",
        "The booking line now offers a call back instead of a wait on hold.",
    ),
    Topic(
        ("interaction-with-family-and-carers", "information-during-care", "care-plans"),
        (
            "The team phoned me every evening to tell me how dad was doing.",
            "They asked what mattered to her and wrote it into her care plan.",
        ),
        (
            "We found out he had moved wards only when we turned up to visit.",
            "As his carer I was never asked what he needs at home.",
        ),
        ("They kept the family involved", "A plan that fitted her"),
        ("Families left out", "Nobody asked the carer"),
        "Carers are asked to a planning conversation within a day of admission.",
        "A carer's conversation is now on the admission checklist.",
    ),
]


@dataclass
class Plan:
    """One story of the history, what it is about, and the topics it was tagged with."""

    story: Story
    service: Organisation
    topic: Topic
    mood: Polarity
    at: dt.datetime  # when it was published
    chosen: list[str] = field(default_factory=list)


OPENINGS = {
    AuthorRole.PATIENT: (
        "I came to the {service} in {month}.",
        "I was a patient at the {service} in {month}.",
    ),
    AuthorRole.RELATIVE: (
        "I brought my mother to the {service} in {month}.",
        "My husband was looked after by the {service} in {month}.",
    ),
    AuthorRole.CARER: ("I care for my brother, who was seen at the {service} in {month}.",),
}
CLOSINGS = {
    Polarity.GOOD: (
        "Thank you to everyone who looked after us.",
        "Please pass on our thanks to the team.",
    ),
    Polarity.IMPROVE: (
        "I hope this helps the next family.",
        "I am writing so that it does not happen to someone else.",
    ),
}
FEELINGS = {
    Polarity.GOOD: ("felt-grateful", "felt-reassured", "felt-listened-to", "felt-cared-for"),
    Polarity.IMPROVE: ("felt-frustrated", "felt-anxious", "felt-ignored", "felt-let-down"),
}
PSEUDONYMS = (
    "Grateful daughter",
    "Worried son",
    "A patient",
    "Local resident",
    "First-time mum",
    "Carer",
    "Retired teacher",
    "Busy dad",
)
RESPONSES = {
    Polarity.GOOD: (
        "Thank you for taking the time to tell us about your visit to the {service}. "
        "I have shared your story with the team: it means a great deal to them."
    ),
    Polarity.IMPROVE: (
        "I am sorry that your time with the {service} was not what it should have been. "
        "I have shared your story with the team, and we are looking at what we can change. "
        "If you would like to talk it through, please contact our patient experience team."
    ),
}
GENERIC = (
    "Thank you for your feedback. We value all comments from our patients and their "
    "families, and we will share this with the team concerned."
)


def _volumes(rng: random.Random, today: dt.date) -> list[tuple[dt.date, int, int]]:
    """(first day, months ago, stories) of each month, oldest first; this month in
    proportion to the days gone."""
    first = today.replace(day=1)
    months = []
    for ago in range(MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - ago, 12)
        size = USUAL + rng.randint(-5, 5)
        if ago in QUIET:
            size = QUIET_SIZE + rng.randint(-3, 3)
        elif ago == BUSY:
            size = BUSY_SIZE
        if ago == 0:
            size = size * today.day // _month_days(first)
        months.append((dt.date(year, month + 1, 1), ago, size))
    return months


def load_history(now: dt.datetime | None = None) -> int:
    """Load the demo trust's two years of stories. Returns how many stories."""
    now = now or timezone.now()
    rng = random.Random(SEED)  # noqa: S311 - a seeded demo, the same everywhere; no secret
    trust = Organisation.objects.get(name=TRUST)
    services = list(
        Organisation.objects.filter(path__startswith=trust.path, kind__in=SERVICE_KINDS)
    )
    weights = [WEIGHTS.get(s.name, 1) for s in services]
    busy_services = [s for s in services if s.name in BUSY_SERVICES]
    tags = {t.slug: t for t in Tag.objects.all()}
    zone = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(zone).date()
    plans: list[Plan] = []
    for start, ago, size in _volumes(rng, today):
        last_day = today.day if ago == 0 else _month_days(start)
        for _ in range(size):
            at = dt.datetime.combine(
                start.replace(day=rng.randint(1, last_day)),
                dt.time(rng.randint(7, 22), rng.randint(0, 59)),
                tzinfo=zone,
            )
            if ago == BUSY and rng.random() < 0.6:
                service, topic, mood = rng.choice(busy_services), TOPICS[0], Polarity.IMPROVE
            else:
                service = rng.choices(services, weights)[0]
                topic = rng.choice(TOPICS)
                mood = Polarity.GOOD if rng.random() < 0.58 else Polarity.IMPROVE
            # Nothing from the future: today's stories at most two hours ago.
            at = min(at, now - dt.timedelta(hours=2, minutes=rng.randint(0, 600)))
            plans.append(
                Plan(_story(rng, service, topic, mood, at, len(plans)), service, topic, mood, at)
            )
    stories = [plan.story for plan in plans]
    Story.objects.bulk_create(stories)
    StoryService.objects.bulk_create(
        StoryService(story=plan.story, organisation=plan.service, position=0) for plan in plans
    )
    StoryTag.objects.bulk_create(_tags(rng, plans, tags))
    ids = [story.pk for story in stories]
    Story.objects.filter(pk__in=ids).update(
        created_at=F("published_at") - dt.timedelta(hours=20), updated_at=F("published_at")
    )
    _responses_reads_and_changes(rng, plans, trust, now)
    from .ways_in import load_ways_in

    load_ways_in({plan.story.pk: plan.mood for plan in plans})
    # Read by staff some hours after publication, not at the moment of loading.
    published = Story.objects.filter(pk=OuterRef("story_id")).values("published_at")[:1]
    StaffRead.objects.filter(story_id__in=ids).update(
        at=Subquery(published) + dt.timedelta(hours=5)
    )
    return len(stories)


def _month_days(start: dt.date) -> int:
    following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (following - start).days


def _story(
    rng: random.Random, service: Organisation, topic: Topic, mood: Polarity, at: dt.datetime, n: int
) -> Story:
    role = rng.choice([AuthorRole.PATIENT, AuthorRole.RELATIVE, AuthorRole.CARER])
    month = f"{at:%B}"
    sentences = list(topic.good if mood == Polarity.GOOD else topic.improve)
    rng.shuffle(sentences)
    body = " ".join(
        [
            rng.choice(OPENINGS[role]).format(service=service.name, month=month),
            *sentences[: rng.randint(1, 2)],
            rng.choice(CLOSINGS[mood]),
        ]
    )
    title = rng.choice(topic.good_title if mood == Polarity.GOOD else topic.improve_title)
    criticality = rng.choice([0, 0, 1]) if mood == Polarity.GOOD else rng.choice([2, 2, 3, 3, 4, 5])
    return Story(
        title=title,
        body=body,
        pseudonym=rng.choice(PSEUDONYMS),
        author_role=role,
        experienced_on=at.date().replace(day=1),
        status=StoryStatus.PUBLISHED,
        published_at=at,
        criticality=criticality,
        submission_key=uuid.UUID(int=KEY_BASE + n),
        read_count=rng.randint(3, 120),
    )


def _tags(rng: random.Random, plans: list[Plan], tags: dict[str, Tag]) -> list[StoryTag]:
    """One to three topics of the story's group, all one way; in a could-be-improved
    story often a good word for the staff; and a feeling to match."""
    rows = []
    for plan in plans:
        plan.chosen = rng.sample(plan.topic.tags, rng.randint(1, len(plan.topic.tags)))
        for slug in plan.chosen:
            rows.append(StoryTag(story=plan.story, tag=tags[slug], polarity=plan.mood))
        other = "staff-manner-and-attitude"
        if plan.mood == Polarity.IMPROVE and other not in plan.chosen and rng.random() < 0.3:
            rows.append(StoryTag(story=plan.story, tag=tags[other], polarity=Polarity.GOOD))
        feeling = tags[rng.choice(FEELINGS[plan.mood])]
        rows.append(StoryTag(story=plan.story, tag=feeling, polarity=feeling.polarity))
    return rows


# Who answers for which directorate; the trust's head of patient experience otherwise.
ANSWERED_BY = {
    "Emergency and Acute Medicine": "ed.manager@ashdown-vale.example",
    "Surgery": "surgery.lead@ashdown-vale.example",
}
HEAD = "patient.experience@ashdown-vale.example"
READERS = (HEAD, "governance@ashdown-vale.example", *ANSWERED_BY.values())


def _responses_reads_and_changes(
    rng: random.Random, plans: list[Plan], trust: Organisation, now: dt.datetime
) -> None:
    """Most stories read; most answered within two working days, some late, some not at
    all (all the newest); one could-be-improved story in seven leads to a change."""
    staff = {u.email: u for u in User.objects.filter(email__in=[HEAD, *READERS])}
    directorates = list(
        Organisation.objects.filter(path__startswith=trust.path, kind="directorate")
    )
    responses: list[Response] = []
    reads: list[StaffRead] = []
    changes: list[tuple[Change, Story, Response | None]] = []
    for plan in plans:
        story = plan.story
        age = now - plan.at
        if age > dt.timedelta(days=5) or rng.random() < 0.5:
            reads.append(StaffRead(story=story, user=staff[rng.choice(READERS)]))
        response = None
        if (age > dt.timedelta(days=3) and rng.random() < 0.9) or rng.random() < 0.3:
            late = rng.random() < 0.2
            after = (
                dt.timedelta(days=rng.uniform(3.5, 15))
                if late
                else dt.timedelta(hours=rng.uniform(2, 40))
            )
            if plan.at + after < now:
                response = _response(rng, plan, directorates, staff, trust)
                response.published_at = plan.at + after
                responses.append(response)
        if plan.mood == Polarity.IMPROVE and rng.random() < 0.14:
            change = _change(rng, plan, staff[HEAD], now)
            changes.append((change, story, response))
    Response.objects.bulk_create(responses)
    StaffRead.objects.bulk_create(reads)
    Change.objects.bulk_create([change for change, _, _ in changes])
    ChangeStory.objects.bulk_create(
        ChangeStory(change=change, story=story, response=response, linked_by=staff[HEAD])
        for change, story, response in changes
    )
    Response.objects.filter(pk__in=[r.pk for r in responses]).update(
        created_at=F("published_at"), updated_at=F("published_at")
    )


def _response(
    rng: random.Random,
    plan: Plan,
    directorates: list[Organisation],
    staff: dict[str, User],
    trust: Organisation,
) -> Response:
    directorate = next((d for d in directorates if plan.service.path.startswith(d.path)), trust)
    author = staff[ANSWERED_BY.get(directorate.name, HEAD)]
    generic = rng.random() < 0.08
    text = GENERIC if generic else RESPONSES[plan.mood].format(service=plan.service.name)
    return Response(
        story=plan.story,
        organisation=directorate if author.email != HEAD else trust,
        author=author,
        author_name=author.display_name,
        author_job_title=author.job_title,
        body=text,
        body_html=render(text),
        status=ResponseStatus.PUBLISHED,
        is_generic=generic,
        similar_count=1 if generic else 0,
    )


def _change(rng: random.Random, plan: Plan, who: User, now: dt.datetime) -> Change:
    """Recorded some days after the story, due weeks later; made by then four times in
    five once the date has passed, otherwise still planned (overdue, as staff see it)."""
    today = timezone.localdate(now)
    recorded = timezone.localdate(plan.at) + dt.timedelta(days=rng.randint(3, 20))
    due = recorded + dt.timedelta(weeks=rng.randint(4, 16))
    made = None
    if due < today and rng.random() < 0.8:
        made = due - dt.timedelta(days=rng.randint(0, 20))
    return Change(
        organisation=plan.service,
        status=ChangeStatus.MADE if made else ChangeStatus.PLANNED,
        summary=plan.topic.change,
        due_on=due,
        made_summary=plan.topic.made if made else "",
        made_on=made,
        status_on=made or min(recorded, today),
        recorded_by=who,
        recorded_by_name=who.display_name,
        recorded_by_job_title=who.job_title,
    )
