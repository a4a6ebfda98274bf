"""Stories as rows of a file: the exports of a search (CSV, XLSX) and the open data dump.

One list of columns (`STORY_COLUMNS`, `RESPONSE_COLUMNS`) says what each file holds and
what each column means (the open data README is written from it). Stories are read in
chunks of settings.EXPORT_CHUNK, each chunk with its services, tags, published responses
and changes prefetched (five queries a chunk, whatever the chunk holds), so memory stays
flat however many stories a file has.

Staff columns (criticality, read and responded by staff, the channel, the campaign, the
Friends and Family Test answers and who helped) are present only when the
caller passes the paths a person holds `view_staff_data` over (`staff_paths`), and
filled only for stories with a service inside those paths; other rows leave them empty.
Nothing else staff-only (the author's email, the moderator's note) is ever read.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from apps.accounts.http import AnyUser
from apps.accounts.mfa import has_second_factor
from apps.changes.models import Change, ChangeStatus
from apps.core.cells import Echo, csv_cell
from apps.responders.scope import VIEW_STAFF_DATA, scope_of
from apps.responses.models import Response, ResponseStatus, StaffRead
from apps.stories.models import Story, StoryService, StoryTag
from apps.stories.search import StoryFilters, search_all
from apps.stories.selectors import services_named, with_progress
from apps.stories.taxonomy import AuthorRole, Channel, FftAnswer, Polarity, Progress, TagGroup

# The longest text an XLSX cell holds (Excel's limit); longer text is cut there.
XLSX_CELL_MAX = 32_767
# Several names in one cell (services, tags) are joined by this; several free texts
# (change summaries) by a line break.
NAMES_JOIN = "; "
TEXTS_JOIN = "\n"


@dataclass(frozen=True)
class Column:
    """One column: its heading in CSV and XLSX, its key in JSON, what it means.

    Headings stay in English in every language, like the keys: they name the open data's
    columns, which programs read by name, and the open data page lists them as code
    beside their (translated) meaning."""

    header: str
    key: str
    meaning: str | Promise
    staff: bool = False


STORY_COLUMNS = [
    Column("id", "id", _("The story's number on the site (unique, never reused).")),
    Column("link", "link", _("The address of the story's public page.")),
    Column("title", "title", _("The story's title, as published.")),
    Column("story", "story", _("The story's text, as published (after any moderator's edits).")),
    Column("told by", "told_by", _("Who told it: the patient, a carer, a relative, and so on.")),
    Column("published", "published", _("The day it was published (YYYY-MM-DD, UK time).")),
    Column(
        "services",
        "services",
        _(
            "The services it is about, each with its site and trust, in the author's order, "
            "separated by “; ”."
        ),
    ),
    Column("good", "good", _("Aspects of care the story says were good, separated by “; ”.")),
    Column(
        "could be improved",
        "could_be_improved",
        _("Aspects of care the story says could be improved, separated by “; ”."),
    ),
    Column("feelings", "feelings", _("How the author felt, separated by “; ”.")),
    Column(
        "progress",
        "progress",
        _(
            "How far it has come: not yet read, read by staff, responded to, change planned, "
            "change made (the furthest step reached)."
        ),
    ),
    Column("responses", "responses", _("How many published responses it has.")),
    Column(
        "latest response on",
        "latest_response_on",
        _("The day the latest published response was published (YYYY-MM-DD)."),
    ),
    Column(
        "latest response",
        "latest_response",
        _(
            "The text of the latest published response (every response is in the open data's "
            "responses file)."
        ),
    ),
    Column(
        "changes planned",
        "changes_planned",
        _("What staff said will change because of it (changes still planned), one a line."),
    ),
    Column(
        "changes made", "changes_made", _("What changed because of it (changes made), one a line.")
    ),
    Column(
        "criticality",
        "criticality",
        _(
            "Staff only: how critical the story is, 0 (not critical) to 5 (severely critical), "
            "as the moderator judged it. Empty for stories outside your part of the organisation."
        ),
        staff=True,
    ),
    Column(
        "read by staff",
        "read_by_staff",
        _("Staff only: “yes” when a member of staff has marked it read."),
        staff=True,
    ),
    Column(
        "responded by staff",
        "responded_by_staff",
        _(
            "Staff only: “yes” when staff have written a response, published or waiting "
            "for moderation."
        ),
        staff=True,
    ),
    Column(
        "channel",
        "channel",
        _(
            "Staff only: how the story reached us (online form, a device or printed code at the "
            "service, a link the organisation sent, telephone, paper, told with help)."
        ),
        staff=True,
    ),
    Column(
        "campaign",
        "campaign",
        _("Staff only: the name of the campaign link it came through, where it came through one."),
        staff=True,
    ),
    Column(
        "friends and family test",
        "friends_and_family_test",
        _(
            "Staff only: the answer to “Overall, how was your experience of our service?” for "
            "each service of your part of the organisation it was asked of, as “service: "
            "answer”, in the services' order, separated by “; ”. Empty where it was not asked "
            "or not answered."
        ),
        staff=True,
    ),
    Column(
        "helped by",
        "helped_by",
        _(
            "Staff only: who helped the author tell it (a volunteer at a kiosk, a member of "
            "staff on the telephone), as they gave it."
        ),
        staff=True,
    ),
]
PUBLIC_COLUMNS = [column for column in STORY_COLUMNS if not column.staff]

RESPONSE_COLUMNS = [
    Column("id", "id", _("The response's number on the site.")),
    Column("story id", "story_id", _("The id of the story it answers (the stories file's id).")),
    Column("organisation", "organisation", _("The organisation it was written for.")),
    Column("responder", "responder", _("The name of the member of staff who wrote it.")),
    Column("job title", "job_title", _("Their job title when they wrote it.")),
    Column("published", "published", _("When it was published (ISO 8601, UTC).")),
    Column("response", "response", _("Its text, as published.")),
]

Row = list[object]


def staff_paths_of(user: AnyUser) -> list[str] | None:
    """The paths whose stories' staff columns this person may export: those they hold
    `view_staff_data` over, when they are signed in with a second factor and hold any;
    else None (a public export). Read once, in the request, so that streaming the file
    later asks the database nothing more about them."""
    if not user.is_authenticated or not has_second_factor(user):
        return None
    paths = list(scope_of(user).paths(VIEW_STAFF_DATA))
    return paths or None


def export_stories(filters: StoryFilters, *, staff: bool) -> QuerySet[Story]:
    """Every story the search with `filters` finds, in its order, ready for `story_rows`."""
    return for_export(search_all(filters), staff=staff)


def for_export(stories: QuerySet[Story], *, staff: bool) -> QuerySet[Story]:
    """The stories with what their rows need: progress (annotated), and prefetched per
    chunk their services (named with their place), tags, published responses (oldest
    first) and changes; with `staff`, whether staff read and responded (annotated)."""
    fields = ["pk", "title", "body", "author_role", "published_at", "criticality"]
    prefetches: list[Prefetch[Any]] = []
    stories = with_progress(stories)
    if staff:
        # The ways in (docs/exports.md): channel and who helped are the story's own
        # fields; the campaign's name one join away; the answers on its service links.
        fields += ["channel", "helped_by"]
        prefetches.append(
            Prefetch(
                "storyservice_set",
                queryset=StoryService.objects.exclude(fft="").only(
                    "story_id", "organisation_id", "fft"
                ),
                to_attr="fft_links",
            )
        )
        stories = stories.annotate(
            campaign_name=F("origin__campaign__name"),
            staff_read=Exists(StaffRead.objects.filter(story=OuterRef("pk"))),
            staff_responded=Exists(
                Response.objects.filter(story=OuterRef("pk")).exclude(
                    status=ResponseStatus.WITHDRAWN
                )
            ),
        )
    return stories.prefetch_related(
        services_named(),
        Prefetch(
            "story_tags",
            queryset=StoryTag.objects.select_related("tag").order_by("tag__group", "tag__position"),
        ),
        Prefetch(
            "responses",
            queryset=Response.objects.filter(status=ResponseStatus.PUBLISHED)
            .select_related("organisation")
            .defer("body_html")
            .order_by("published_at", "pk"),
            to_attr="public_responses",
        ),
        Prefetch(
            "changes",
            queryset=Change.objects.only("pk", "status", "summary", "made_summary").order_by(
                "created_at", "pk"
            ),
            to_attr="linked_changes",
        ),
        *prefetches,
    ).only(*fields)


def _day(when: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(when).date() if when else None


def _covered(story: Story, staff_paths: list[str]) -> bool:
    return any(
        service.path.startswith(path) for service in story.services.all() for path in staff_paths
    )


def _public_cells(story: Any) -> Row:
    tags = list(story.story_tags.all())
    responses: list[Response] = story.public_responses
    latest = responses[-1] if responses else None
    changes: list[Change] = story.linked_changes
    progress = getattr(story, "progress", "") or Progress.NOT_READ
    return [
        story.pk,
        settings.SITE_URL + story.get_absolute_url(),
        story.title,
        story.body,
        str(AuthorRole(story.author_role).label) if story.author_role else "",
        _day(story.published_at),
        NAMES_JOIN.join(service.display_name for service in story.services.all()),
        NAMES_JOIN.join(t.tag.label for t in tags if t.polarity == Polarity.GOOD),
        NAMES_JOIN.join(t.tag.label for t in tags if t.polarity == Polarity.IMPROVE),
        NAMES_JOIN.join(t.tag.label for t in tags if t.tag.group == TagGroup.FEELING),
        str(Progress(progress).label),
        len(responses),
        _day(latest.published_at) if latest else None,
        latest.body if latest else "",
        TEXTS_JOIN.join(c.summary for c in changes if c.status == ChangeStatus.PLANNED),
        TEXTS_JOIN.join(c.made_summary for c in changes if c.status == ChangeStatus.MADE),
    ]


def _fft_cell(story: Any, staff_paths: list[str]) -> str:
    """Each answered service inside the person's paths (another trust's answers are that
    trust's), in the author's order, as "service: answer"."""
    answers = {link.organisation_id: link.fft for link in story.fft_links}
    return NAMES_JOIN.join(
        f"{service.display_name}: {FftAnswer(answers[service.pk]).label}"
        for service in story.services.all()
        if service.pk in answers and any(service.path.startswith(p) for p in staff_paths)
    )


def _yes() -> str:
    # Translators: a cell of a spreadsheet export: staff have read (or answered) the story.
    return pgettext("export cell", "yes")


def _staff_cells(story: Any, staff_paths: list[str]) -> Row:
    if not _covered(story, staff_paths):
        return [None, "", "", "", "", "", ""]
    return [
        story.criticality,
        _yes() if story.staff_read else "",
        _yes() if story.staff_responded else "",
        str(Channel(story.channel).label) if story.channel else "",
        story.campaign_name or "",
        _fft_cell(story, staff_paths),
        story.helped_by,
    ]


def headers(*, staff: bool) -> list[str]:
    return [column.header for column in (STORY_COLUMNS if staff else PUBLIC_COLUMNS)]


def story_rows(
    stories: QuerySet[Story], staff_paths: list[str] | None
) -> Iterator[tuple[Any, Row]]:
    """Each story (from `for_export`, with `staff` when `staff_paths` is given) and its
    row of cells (ints, dates, text, None), read in chunks."""
    for story in stories.iterator(chunk_size=settings.EXPORT_CHUNK):
        row = _public_cells(story)
        if staff_paths is not None:
            row += _staff_cells(story, staff_paths)
        yield story, row


def csv_text(value: object) -> str:
    """A cell as CSV text: dates in ISO form, nothing for None, formula-safe."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_cell(value)


def csv_lines(header: list[str], rows: Iterable[Row]) -> Iterator[str]:
    """The lines of a CSV file: a byte-order mark (so spreadsheets read it as UTF-8) with
    the header, then one line per row."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_text(value) for value in row])


def write_xlsx(target: IO[bytes], header: list[str], rows: Iterable[Row]) -> int:
    """One worksheet of `rows` under a bold `header`, written in XlsxWriter's constant
    memory mode (each row goes to a temporary file as it is written; one row in memory)
    into `target`. Numbers stay numbers and dates dates; text is written as text, never a
    formula or a link, formula-safe as in CSV, cut at Excel's limit. Returns the rows."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    # Translators: the name of the worksheet in an Excel export (at most 31 characters).
    sheet = workbook.add_worksheet(pgettext("worksheet name", "Stories"))
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(count, col, value)
            elif isinstance(value, dt.date):
                sheet.write_datetime(count, col, value, day)
            else:
                sheet.write_string(count, col, csv_cell(value)[:XLSX_CELL_MAX])
    sheet.freeze_panes(1, 0)
    workbook.close()
    return count
