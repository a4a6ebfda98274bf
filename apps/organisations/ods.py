"""Reading the NHS Organisation Data Service (ODS) CSV extracts.

The extracts have no header row and 27 columns. Three are read here:
`etr.csv` (NHS trusts), `ets.csv` (trust sites) and `epraccur.csv` (GP practices).
Columns used (1-based): 1 code, 2 name, 5–9 address lines, 10 postcode,
11 open date, 12 close date (YYYYMMDD), 13 status (GP practices: A active,
C closed, D dormant, P proposed), 15 parent code (sites: their trust),
26 prescribing setting (GP practices: 4 is a GP practice).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

COLUMNS = 27
_CODE = re.compile(r"^[A-Z0-9]{3,12}$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$")


class Layout(StrEnum):
    TRUSTS = "trusts"
    SITES = "sites"
    GP_PRACTICES = "gp-practices"


FILE_NAMES = {"etr": Layout.TRUSTS, "ets": Layout.SITES, "epraccur": Layout.GP_PRACTICES}


@dataclass(frozen=True)
class OdsRecord:
    line: int
    code: str
    name: str
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str
    closed_on: dt.date | None
    is_active: bool
    parent_code: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Parsed:
    records: list[OdsRecord]
    skipped: int
    errors: list[RowError]


def layout_for_filename(name: str) -> Layout | None:
    stem = name.rsplit("/", 1)[-1].split(".", 1)[0].lower()
    return FILE_NAMES.get(stem)


def _date(raw: str, column: str) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return dt.datetime.strptime(raw, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        raise ValueError(f"{column} {raw!r} is not a date written YYYYMMDD") from None


def _tidy_name(raw: str) -> str:
    # The extracts are upper case; "ROYAL INFIRMARY" reads better as "Royal Infirmary",
    # but keep short all-capital words (NHS, GP, UK) as they are.
    words = []
    for word in raw.split():
        words.append(word if word in _KEEP_UPPER else word.capitalize())
    return " ".join(words)


_KEEP_UPPER = {"NHS", "GP", "UK", "ICB", "CCG", "PCN", "A&E", "HMP"}


def _postcode(raw: str) -> str:
    compact = raw.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _parse_row(row: list[str], layout: Layout) -> OdsRecord | None:
    if len(row) != COLUMNS:
        raise ValueError(f"expected {COLUMNS} columns, found {len(row)}")
    cells = [cell.strip() for cell in row]
    code = cells[0].upper()
    if not _CODE.match(code):
        raise ValueError(f"organisation code {cells[0]!r} is not an ODS code")
    if not cells[1]:
        raise ValueError("the name is empty")
    if len(cells[1]) > 200:
        raise ValueError("the name is longer than 200 characters")
    if any(len(cell) > 200 for cell in cells[4:9]):
        raise ValueError("an address line is longer than 200 characters")
    postcode = _postcode(cells[9]) if cells[9] else ""
    if postcode and not _POSTCODE.match(postcode):
        raise ValueError(f"postcode {cells[9]!r} is not a UK postcode")
    _date(cells[10], "open date")
    closed_on = _date(cells[11], "close date")
    is_active = closed_on is None
    parent_code = cells[14].upper()
    if layout is Layout.GP_PRACTICES:
        status = cells[12].upper()
        if status not in {"A", "C", "D", "P"}:
            raise ValueError(f"status {cells[12]!r} is not one of A, C, D or P")
        if cells[25] and cells[25] != "4":
            return None  # another prescribing setting: out of hours, prison, walk-in…
        is_active = status == "A" and closed_on is None
        parent_code = ""  # the commissioner is not part of the care tree
    if layout is Layout.SITES and not _CODE.match(parent_code):
        raise ValueError(f"parent trust code {cells[14]!r} is missing or not an ODS code")
    if layout is Layout.TRUSTS:
        parent_code = ""
    address = [cell for cell in cells[4:9] if cell]
    town = address.pop() if len(address) > 1 else ""
    return OdsRecord(
        line=0,
        code=code,
        name=_tidy_name(cells[1]),
        address_line_1=_tidy_name(address[0]) if address else "",
        address_line_2=_tidy_name(", ".join(address[1:])) if len(address) > 1 else "",
        town=_tidy_name(town),
        postcode=postcode,
        closed_on=closed_on,
        is_active=is_active,
        parent_code=parent_code,
    )


def parse(text: str, layout: Layout, *, progress: Callable[[int], None] | None = None) -> Parsed:
    """Check every row; collect the records, the rows skipped on purpose and every error."""
    parsed = Parsed(records=[], skipped=0, errors=[])
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text))
    for row in reader:
        line = reader.line_num
        if progress and line % 1000 == 0:
            progress(line)
        if not row or all(not cell.strip() for cell in row):
            continue
        try:
            record = _parse_row(row, layout)
        except ValueError as exc:
            parsed.errors.append(RowError(line, str(exc)))
            continue
        if record is None:
            parsed.skipped += 1
        elif record.code in seen:
            parsed.errors.append(
                RowError(line, f"code {record.code} already appears on line {seen[record.code]}")
            )
        else:
            seen[record.code] = line
            parsed.records.append(replace(record, line=line))
    return parsed
