"""Figures in plain words: whole percentages, durations, ordinals and kinds."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.organisations.models import OrganisationKind

# The plural of each kind for "34th of 226 NHS trusts"; labels are for headings.
KIND_PLURALS: dict[str, str] = {
    OrganisationKind.TRUST: "NHS trusts",
    OrganisationKind.BOARD: "health boards",
    OrganisationKind.SITE: "sites",
    OrganisationKind.DIRECTORATE: "directorates",
    OrganisationKind.SERVICE: "services",
    OrganisationKind.TEAM: "teams",
    OrganisationKind.GP_PRACTICE: "GP practices",
    OrganisationKind.CARE_HOME: "care homes",
}
KIND_SINGULARS: dict[str, str] = {
    OrganisationKind.TRUST: "NHS trust",
    OrganisationKind.BOARD: "health board",
    OrganisationKind.SITE: "site",
    OrganisationKind.DIRECTORATE: "directorate",
    OrganisationKind.SERVICE: "service",
    OrganisationKind.TEAM: "team",
    OrganisationKind.GP_PRACTICE: "GP practice",
    OrganisationKind.CARE_HOME: "care home",
}

HOUR = 3600
DAY = 24 * HOUR


def whole_percent(part: int, whole: int) -> int | None:
    """part / whole as a whole percentage, halves rounded up (12.5% is 13%); None for 0/0."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def percent_words(part: int, whole: int) -> str:
    """The share in words ("62%"): "under 1%" and "over 99%" rather than an inexact 0 or 100."""
    value = whole_percent(part, whole)
    if value is None:
        return ""
    if value == 0 and part > 0:
        return "under 1%"
    if value == 100 and part < whole:
        return "over 99%"
    return f"{value}%"


def _half_up(value: float) -> int:
    return int(value + 0.5)


def duration_words(seconds: float | None) -> str:
    """Hours under 48 hours, days from then on; minutes under an hour."""
    if seconds is None:
        return ""
    if seconds < HOUR:
        minutes = max(1, _half_up(seconds / 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if seconds < 48 * HOUR:
        hours = _half_up(seconds / HOUR)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = _half_up(seconds / DAY)
    return f"{days} days"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 112th."""
    if n % 100 in (11, 12, 13):
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def kind_words(kind: str, count: int) -> str:
    """A count of a kind in words: "226 NHS trusts", "1 GP practice"."""
    names = KIND_SINGULARS if count == 1 else KIND_PLURALS
    return f"{count:,} {names.get(kind, kind)}"


def share_words(part: int, whole: int) -> str:
    """A share as people say it, for headlines: "9 in 10", "4 of 6" (under ten, the counts
    themselves), "all 40", "nearly all", "fewer than 1 in 10"; "" for none or nothing."""
    if whole <= 0 or part <= 0:
        return ""
    if part == whole:
        return _("all %(whole)s") % {"whole": f"{whole:,}"}
    if whole < 10:
        return _("%(part)s of %(whole)s") % {"part": part, "whole": whole}
    tenths = (20 * part + whole) // (2 * whole)  # nearest tenth, halves up
    if tenths >= 10:
        return _("nearly all")
    if tenths == 0:
        return _("fewer than 1 in 10")
    return _("%(tenths)s in 10") % {"tenths": tenths}
