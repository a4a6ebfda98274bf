"""Marks on likely personal data in a story, for the moderator to judge.

Nothing here decides: it points. A mark is a span of the text and what it may be.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .names import Who, find_names


class MarkKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NHS_NUMBER = "nhs_number"
    POSTCODE = "postcode"
    DATE = "date"
    STAFF_NAME = "staff_name"
    PERSON_NAME = "person_name"

    @property
    def label(self) -> str:
        return str(_LABELS[self])


_LABELS = {
    MarkKind.EMAIL: gettext_lazy("email address"),
    MarkKind.PHONE: gettext_lazy("phone number"),
    MarkKind.NHS_NUMBER: gettext_lazy("NHS number"),
    MarkKind.POSTCODE: gettext_lazy("postcode"),
    MarkKind.DATE: gettext_lazy("date (possibly a date of birth)"),
    MarkKind.STAFF_NAME: gettext_lazy("name of a member of staff"),
    MarkKind.PERSON_NAME: gettext_lazy("person's name"),
}


@dataclass(frozen=True, order=True)
class Mark:
    start: int
    end: int
    kind: MarkKind
    text: str
    # For names: who it may be (names.Who), why the mark was made, and the roles a
    # moderator may put in its place (the first is the one the words around suggest).
    who: str = field(default="", compare=False)
    why: str = field(default="", compare=False)
    roles: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_name(self) -> bool:
        return self.kind in (MarkKind.STAFF_NAME, MarkKind.PERSON_NAME)

    @property
    def description(self) -> str:
        """What it may be, and who, for the moderator: "person's name: relative or friend"."""
        if self.kind == MarkKind.PERSON_NAME and self.who:
            return f"{self.kind.label}: {Who(self.who).label}"
        return self.kind.label


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# UK numbers: 0 or +44 then 9–10 more digits, spaces, dots or hyphens between groups.
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d(?:[\s.-]?\)?[\s.-]?\d){8,9}(?!\d)")
_TEN_DIGITS = re.compile(r"(?<!\d)(\d{3})[\s-]?(\d{3})[\s-]?(\d{4})(?!\d)")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    r"\b(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 12/03/1954, 12.3.54
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"  # 3rd May 1950
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # May 3, 1950
    r")\b",
    re.IGNORECASE,
)


def nhs_number_is_valid(digits: str) -> bool:
    """The modulus-11 check digit of a 10-digit NHS number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def name_marks(text: str) -> list[Mark]:
    """Only the people's names in `text` (a pseudonym that may be a real name)."""
    return [mark for mark in find_personal_data(text) if mark.is_name]


def find_personal_data(text: str, *, staff_names: Iterable[str] = ()) -> list[Mark]:
    """Every likely piece of personal data, in order, without overlaps."""
    found: list[Mark] = []
    for match in _EMAIL.finditer(text):
        found.append(Mark(match.start(), match.end(), MarkKind.EMAIL, match.group()))
    for match in _TEN_DIGITS.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            found.append(Mark(match.start(), match.end(), MarkKind.NHS_NUMBER, match.group()))
    for match in _PHONE.finditer(text):
        found.append(Mark(match.start(), match.end(), MarkKind.PHONE, match.group()))
    for match in _POSTCODE.finditer(text):
        found.append(Mark(match.start(), match.end(), MarkKind.POSTCODE, match.group()))
    for match in _DATE.finditer(text):
        found.append(Mark(match.start(), match.end(), MarkKind.DATE, match.group()))
    listed = _listed_names(text, staff_names)
    found.extend(_with_listed(text, listed))
    return _without_overlaps(found)


def _listed_names(text: str, staff_names: Iterable[str]) -> list[Mark]:
    names = sorted({n.strip() for n in staff_names if len(n.strip()) >= 2}, key=len, reverse=True)
    if not names:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)
    why, roles = _("listed by the trust"), ("a member of staff", "the nurse", "the doctor")
    return [
        Mark(m.start(), m.end(), MarkKind.STAFF_NAME, m.group(), Who.STAFF, why, roles)
        for m in pattern.finditer(text)
    ]


def _with_listed(text: str, listed: list[Mark]) -> list[Mark]:
    """The names found by the rules, with the trust's listed names: a listed name inside
    a found one ("Nurse Bethany") makes it the listed kind, with both reasons."""
    marks = list(listed)
    for name in find_names(text):
        inside = [m for m in listed if name.start <= m.start and m.end <= name.end]
        overlapping = [m for m in listed if m.start < name.end and name.start < m.end]
        if overlapping and not inside:
            continue  # the listed name, longer, already says it
        for m in inside:
            marks.remove(m)
        kind = MarkKind.STAFF_NAME if inside else MarkKind.PERSON_NAME
        who = Who.STAFF if inside else name.who
        why = f"{inside[0].why}; {name.why}" if inside else name.why
        span = text[name.start : name.end]
        marks.append(Mark(name.start, name.end, kind, span, who, why, name.roles))
    return marks


def _without_overlaps(marks: list[Mark]) -> list[Mark]:
    # Earlier first; at the same start the longer span wins (an email holds a name).
    kept: list[Mark] = []
    for mark in sorted(marks, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and mark.start < kept[-1].end:
            continue
        kept.append(mark)
    return kept


def highlight(text: str, marks: list[Mark]) -> SafeString:
    """The text, escaped, with each mark wrapped in <mark> naming what it may be."""
    parts: list[str] = []
    position = 0
    for mark in marks:
        parts.append(escape(text[position : mark.start]))
        what = _("Possible %(kind)s") % {"kind": mark.description}
        if mark.why:
            what = _("%(what)s, %(why)s") % {"what": what, "why": mark.why}
        parts.append(
            f'<mark class="pii pii-{mark.kind.value}" title="{escape(what)}">'
            f"{escape(text[mark.start : mark.end])}"
            f'<span class="visually-hidden"> ({escape(what)})</span></mark>'
        )
        position = mark.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of user text is escaped above
