"""Exports of a search: /stories/export.csv and .xlsx take the parameters of /stories/ and
hold exactly the stories that search finds."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from apps.changes.models import Change, ChangeStatus, ChangeStory
from apps.organisations.models import Organisation
from apps.responses.models import Response, ResponseStatus, StaffRead
from apps.stories.models import Story, StoryStatus, StoryTag, Tag
from apps.stories.search import StorySearchForm, search_ids
from tests.factories import RoleFactory, StoryFactory, UserFactory, with_second_factor
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db

CSV_URL = "/stories/export.csv"
XLSX_URL = "/stories/export.xlsx"
STAFF_HEADERS = [
    "criticality",
    "read by staff",
    "responded by staff",
    "channel",
    "campaign",
    "friends and family test",
    "helped by",
]


def body(response: Any) -> bytes:
    """The whole file. Reading it to the end closes the response (the test client's
    wrapper does, as a server would), and the XLSX's temporary file with it."""
    return b"".join(response.streaming_content)


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")  # a byte-order mark, so spreadsheets read UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_rows(response: Any) -> list[dict[str, str]]:
    """The first sheet's rows as dicts of text (numbers as written), without a library."""
    assert response.status_code == 200
    data = body(response)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314 - our own file
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in root]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    table: list[list[str]] = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells: dict[int, str] = {}
        for cell in row:
            column = re.sub(r"[0-9]", "", cell.get("r", ""))
            index = 0
            for letter in column:
                index = index * 26 + ord(letter) - 64
            kind = cell.get("t")
            if kind == "s":
                value = shared[int(cell.findtext("m:v", "", ns))]
            elif kind == "inlineStr":
                value = "".join(t.text or "" for t in cell.iter(f"{{{ns['m']}}}t"))
            else:
                value = cell.findtext("m:v", "", ns)
            cells[index - 1] = value
        table.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
    header, *lines = table
    return [dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)) for row in lines]


@pytest.fixture
def world(org: Organisation, other_org: Organisation) -> dict[str, Any]:
    """Stories of both trusts, tagged, answered and changed; and some not published."""
    service = Organisation.objects.get(path__startswith=org.path, depth=3)
    elsewhere = Organisation.objects.get(path__startswith=other_org.path, depth=3)
    now = timezone.now()
    told = StoryFactory(
        services=[service],
        title='=HYPERLINK("http://evil.example")',
        body="The nurse on the night shift was kind and patient with my father.",
        criticality=4,
        moderator_note="Private note for staff",
        published_at=now - timezone.timedelta(days=3),
    )
    StoryTag.objects.create(story=told, tag=Tag.objects.get(slug="food-and-drink"), polarity="good")
    improve = Tag.objects.filter(group="aspect").exclude(slug="food-and-drink").first()
    assert improve is not None
    StoryTag.objects.create(story=told, tag=improve, polarity="improve")
    StoryTag.objects.create(
        story=told, tag=Tag.objects.get(slug="felt-reassured"), polarity="positive"
    )
    for days, body in ((2, "We are sorry."), (1, "-1 for us: we will fix the rota.")):
        Response.objects.create(
            story=told,
            organisation=org,
            author_name="Sam Patel",
            body=body,
            body_html=f"<p>{body}</p>",
            published_at=now - timezone.timedelta(days=days),
        )
    Response.objects.create(
        story=told,
        organisation=org,
        author_name="Sam Patel",
        body="Held back",
        body_html="<p>Held back</p>",
        status=ResponseStatus.AWAITING_MODERATION,
    )
    today = timezone.localdate()
    planned = Change.objects.create(
        organisation=service, summary="A second night nurse.", due_on=today, status_on=today
    )
    made = Change.objects.create(
        organisation=service,
        summary="Quiet hours",
        status=ChangeStatus.MADE,
        made_summary="Lights dimmed at 10pm.",
        made_on=today,
        due_on=today,
        status_on=today,
    )
    for change in (planned, made):
        ChangeStory.objects.create(change=change, story=told)
    other = StoryFactory(
        services=[elsewhere],
        body="Parking was hard to find but the nurse was kind.",
        criticality=2,
        published_at=now - timezone.timedelta(days=2),
    )
    plain = StoryFactory(services=[service], body="A clean ward and a kind doctor.", criticality=0)
    StoryFactory(services=[service], status=StoryStatus.AWAITING_MODERATION, published_at=None)
    StoryFactory(services=[service], status=StoryStatus.WITHDRAWN)
    return {"told": told, "other": other, "plain": plain, "service": service, "org": org}


def staff_member(org: Organisation, *, second_factor: bool = True) -> Client:
    user = UserFactory()
    if second_factor:
        with_second_factor(user)
    RoleFactory(user=user, role="reader", organisation=org)
    client = Client()
    client.force_login(user)
    return client


SEARCHES = [
    {},
    {"q": "nurse"},
    {"q": "nurse kind", "order": "relevance"},
    {"q": "nurse", "order": "newest"},
    {"organisation": "ORG"},
    {"tag": "food-and-drink"},
    {"responded": "no"},
    {"progress": "change_planned"},
    {"author_role": "relative"},
]


@pytest.mark.parametrize("params", SEARCHES)
@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_an_export_holds_exactly_the_stories_the_search_shows(
    world: dict[str, Any], params: dict[str, str], url: str
) -> None:
    params = {k: (world["org"].slug if v == "ORG" else v) for k, v in params.items()}
    form = StorySearchForm(params)
    assert form.is_valid(), form.errors
    shown = search_ids(form.filters())
    reader = csv_rows if url == CSV_URL else xlsx_rows
    rows = reader(Client().get(url, params))
    assert [int(row["id"]) for row in rows] == shown


def test_the_columns_say_what_the_story_page_says(world: dict[str, Any]) -> None:
    rows = {int(r["id"]): r for r in csv_rows(Client().get(CSV_URL))}
    told = world["told"]
    row = rows[told.pk]
    assert list(row)[:6] == ["id", "link", "title", "story", "told by", "published"]
    assert row["link"].endswith(f"/stories/{told.pk}/")
    assert row["title"] == '\'=HYPERLINK("http://evil.example")'  # formula-safe
    assert row["published"] == timezone.localtime(told.published_at).date().isoformat()
    assert world["service"].name in row["services"]
    assert row["good"] == "food and drink" or "food" in row["good"].lower()
    assert row["could be improved"]
    assert row["feelings"]
    assert row["progress"] == "change made"
    assert row["responses"] == "2"  # published only
    assert row["latest response"] == "'-1 for us: we will fix the rota."
    assert row["changes planned"] == "A second night nurse."
    assert row["changes made"] == "Lights dimmed at 10pm."
    assert rows[world["plain"].pk]["responses"] == "0"
    assert rows[world["plain"].pk]["progress"] == "not yet read"
    assert not set(STAFF_HEADERS) & set(row)


def test_nothing_staff_only_reaches_a_public_export(world: dict[str, Any]) -> None:
    for url in (CSV_URL, XLSX_URL):
        data = body(Client().get(url))
        for secret in (b"Private note", b"@home.example", b"Held back"):
            assert secret not in data
    rows = csv_rows(Client().get(CSV_URL))
    assert "criticality" not in rows[0]


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_staff_columns_only_for_stories_in_scope(world: dict[str, Any], url: str) -> None:
    StaffRead.objects.create(story=world["told"], user=UserFactory())
    client = staff_member(world["org"])
    response = client.get(url)
    assert response["Cache-Control"] == "private, no-store"
    rows = {int(r["id"]): r for r in (csv_rows if url == CSV_URL else xlsx_rows)(response)}
    told, other, plain = rows[world["told"].pk], rows[world["other"].pk], rows[world["plain"].pk]
    assert (told["criticality"], told["read by staff"], told["responded by staff"]) == (
        "4",
        "yes",
        "yes",
    )
    assert (plain["criticality"], plain["read by staff"], plain["responded by staff"]) == (
        "0",
        "",
        "",
    )
    # Another trust's story: in the file (the search finds it) but no staff cells.
    assert (other["criticality"], other["read by staff"], other["responded by staff"]) == (
        "",
        "",
        "",
    )
    data = body(client.get(url))
    assert b"Private note" not in data
    assert b"@home.example" not in data


def test_no_staff_columns_without_a_second_factor_or_a_role(world: dict[str, Any]) -> None:
    without = staff_member(world["org"], second_factor=False)
    assert "criticality" not in csv_rows(without.get(CSV_URL))[0]
    nobody = Client()
    nobody.force_login(with_second_factor(UserFactory()))
    assert "criticality" not in csv_rows(nobody.get(CSV_URL))[0]


def test_a_public_export_may_be_cached_like_the_search(world: dict[str, Any]) -> None:
    response = Client().get(CSV_URL)
    assert "no-store" not in response.get("Cache-Control", "")
    assert response["Content-Disposition"].startswith('attachment; filename="stories-')


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_an_export_over_the_limit_is_refused_naming_it(
    world: dict[str, Any], url: str, settings: Any
) -> None:
    settings.EXPORT_MAX_STORIES = 2
    response = Client().get(url, {"q": "kind"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "More than 2 stories match" in text
    assert "Narrow the search" in text
    assert 'href="/stories/?q=kind"' in text
    # Exactly at the limit is fine.
    settings.EXPORT_MAX_STORIES = 3
    response = Client().get(url)
    assert response.status_code == 200
    body(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"organisation": "no-such-trust"}, "No organisation is known by"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "must be the same as or after"),
        ({"progress": "nowhere"}, "Choose a step from the list."),
    ],
)
def test_bad_filters_give_the_search_page_with_its_errors(
    world: dict[str, Any], params: dict[str, str], message: str
) -> None:
    response = Client().get(CSV_URL, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert message in text
    assert "Correct the search above" in text


def test_the_search_page_links_to_both_exports_with_its_parameters(
    world: dict[str, Any],
) -> None:
    text = Client().get("/stories/", {"q": "nurse", "page": "1"}).content.decode()
    assert 'href="/stories/export.csv?q=nurse"' in text
    assert 'href="/stories/export.xlsx?q=nurse"' in text
    # No link when the search has errors.
    bad = Client().get("/stories/", {"progress": "nowhere"}).content.decode()
    assert "/stories/export.csv" not in bad


def _many(services: list[Organisation], n: int) -> None:
    stories = Story.objects.bulk_create(
        StoryFactory.build(title=f"Bulk {i}", body=f"The nurse number {i} was kind.")
        for i in range(n)
    )
    Story.services.through.objects.bulk_create(
        Story.services.through(story=s, organisation=services[i % len(services)])
        for i, s in enumerate(stories)
    )
    tag = Tag.objects.get(slug="food-and-drink")
    StoryTag.objects.bulk_create(StoryTag(story=s, tag=tag, polarity="good") for s in stories)
    Response.objects.bulk_create(
        Response(
            story=s,
            organisation=services[0],
            author_name="Sam",
            body="Thank you.",
            body_html="<p>Thank you.</p>",
            published_at=timezone.now(),
        )
        for s in stories[::2]
    )


def test_exports_keep_their_query_budgets(world: dict[str, Any], settings: Any) -> None:
    """The same number of queries at 10 and 400 stories (one batch each here: a batch
    costs the stories, their services, tags, responses and changes)."""
    settings.EXPORT_CHUNK = 1000
    staff = staff_member(world["org"])
    cases = {
        # the count, then the stories and their four prefetches
        "public CSV": (Client, CSV_URL, 6),
        "public XLSX": (Client, XLSX_URL, 6),
        # + the session, the user, the second factor and the scope, and the Friends and
        # Family Test answers' prefetch
        "staff CSV": (lambda: staff, CSV_URL, 11),
        # + the words' check, the trust, its subtree; the count in a transaction of its
        # own with serial plans (three statements more)
        "CSV of a trust and a word": (Client, f"{CSV_URL}?q=nurse&organisation=ORG", 12),
    }
    budgets = {name: QueryBudget(name, limit=limit) for name, (_, _, limit) in cases.items()}

    def fetch(make: Any, url: str) -> None:
        response = make().get(url.replace("ORG", world["org"].slug))
        assert response.status_code == 200
        body(response)

    for size, more in ((10, 7), (400, 390)):
        _many([world["service"]], more)
        for name, (make, url, _) in cases.items():
            budgets[name].measure(size, lambda make=make, url=url: fetch(make, url))
        # And at each size, the same stories as the search.
        for params in ({}, {"q": "nurse", "organisation": world["org"].slug}):
            form = StorySearchForm(params)
            assert form.is_valid()
            rows = csv_rows(Client().get(CSV_URL, params))
            assert [int(r["id"]) for r in rows] == search_ids(form.filters())
    for budget in budgets.values():
        budget.assert_flat()


def test_exports_read_in_batches(world: dict[str, Any], settings: Any) -> None:
    """Batches of EXPORT_CHUNK stories, each with its own prefetches: rows stay right
    across the batches' edges."""
    settings.EXPORT_CHUNK = 3
    _many([world["service"]], 10)
    rows = csv_rows(Client().get(CSV_URL))
    form = StorySearchForm({})
    assert form.is_valid()
    assert [int(r["id"]) for r in rows] == search_ids(form.filters())
    responses = Response.objects.filter(status=ResponseStatus.PUBLISHED)
    for row in rows:
        assert int(row["responses"]) == responses.filter(story_id=int(row["id"])).count()
        assert row["services"]


@pytest.mark.parametrize("order", ["newest", "relevance"])
def test_an_export_goes_on_where_the_search_pages_stop(
    world: dict[str, Any], settings: Any, order: str
) -> None:
    """The search lists its first STORY_SEARCH_LIMIT; the export has every match, the
    first ones the same stories in the same order."""
    _many([world["service"]], 12)
    settings.STORY_SEARCH_LIMIT = 5
    params = {"q": "kind", "order": order}
    form = StorySearchForm(params)
    assert form.is_valid()
    ids = [int(r["id"]) for r in csv_rows(Client().get(CSV_URL, params))]
    every = Story.objects.filter(status=StoryStatus.PUBLISHED, body__icontains="kind")
    assert sorted(ids) == sorted(every.values_list("pk", flat=True))
    assert len(ids) > 5
    if order == "newest":
        assert ids[:5] == search_ids(form.filters())[:5]
