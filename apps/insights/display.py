"""Figures in plain words: whole percentages, durations, ordinals and kinds."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy, pgettext, pgettext_lazy

from apps.organisations.models import OrganisationKind

# The plural of each kind, as the sentences about ranks and peers use it ("compared with
# other NHS trusts"); labels are for headings.
KIND_PLURALS: dict[str, Promise] = {
    OrganisationKind.TRUST: pgettext_lazy("kinds of organisation, in a sentence", "NHS trusts"),
    OrganisationKind.BOARD: pgettext_lazy("kinds of organisation, in a sentence", "health boards"),
    OrganisationKind.SITE: pgettext_lazy("kinds of organisation, in a sentence", "sites"),
    OrganisationKind.DIRECTORATE: pgettext_lazy(
        "kinds of organisation, in a sentence", "directorates"
    ),
    OrganisationKind.SERVICE: pgettext_lazy("kinds of organisation, in a sentence", "services"),
    OrganisationKind.TEAM: pgettext_lazy("kinds of organisation, in a sentence", "teams"),
    OrganisationKind.GP_PRACTICE: pgettext_lazy(
        "kinds of organisation, in a sentence", "GP practices"
    ),
    OrganisationKind.CARE_HOME: pgettext_lazy("kinds of organisation, in a sentence", "care homes"),
}
# A count of each kind ("226 NHS trusts", "1 GP practice"): `number` is the count as
# written, `count` chooses the plural form.
KIND_COUNTS: dict[str, Promise] = {
    OrganisationKind.TRUST: ngettext_lazy("%(number)s NHS trust", "%(number)s NHS trusts", "count"),
    OrganisationKind.BOARD: ngettext_lazy(
        "%(number)s health board", "%(number)s health boards", "count"
    ),
    OrganisationKind.SITE: ngettext_lazy("%(number)s site", "%(number)s sites", "count"),
    OrganisationKind.DIRECTORATE: ngettext_lazy(
        "%(number)s directorate", "%(number)s directorates", "count"
    ),
    OrganisationKind.SERVICE: ngettext_lazy("%(number)s service", "%(number)s services", "count"),
    OrganisationKind.TEAM: ngettext_lazy("%(number)s team", "%(number)s teams", "count"),
    OrganisationKind.GP_PRACTICE: ngettext_lazy(
        "%(number)s GP practice", "%(number)s GP practices", "count"
    ),
    OrganisationKind.CARE_HOME: ngettext_lazy(
        "%(number)s care home", "%(number)s care homes", "count"
    ),
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
        return _("under 1%")
    if value == 100 and part < whole:
        return _("over 99%")
    return f"{value}%"


def _half_up(value: float) -> int:
    return int(value + 0.5)


def duration_words(seconds: float | None) -> str:
    """Hours under 48 hours, days from then on; minutes under an hour."""
    if seconds is None:
        return ""
    if seconds < HOUR:
        minutes = max(1, _half_up(seconds / 60))
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    if seconds < 48 * HOUR:
        hours = _half_up(seconds / HOUR)
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    days = _half_up(seconds / DAY)
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 112th. Each ending is translated on its
    own: a language that writes places otherwise (Welsh: "safle 21") says so there."""
    values = {"n": n}
    if n % 100 in (11, 12, 13):
        return pgettext("ordinal number: 4th, 11th, 12th, 13th, 20th", "%(n)sth") % values
    if n % 10 == 1:
        return pgettext("ordinal number: 1st, 21st, 101st", "%(n)sst") % values
    if n % 10 == 2:
        return pgettext("ordinal number: 2nd, 22nd, 102nd", "%(n)snd") % values
    if n % 10 == 3:
        return pgettext("ordinal number: 3rd, 23rd, 103rd", "%(n)srd") % values
    return pgettext("ordinal number: 4th, 11th, 12th, 13th, 20th", "%(n)sth") % values


def kind_words(kind: str, count: int) -> str:
    """A count of a kind in words: "226 NHS trusts", "1 GP practice"."""
    counted = KIND_COUNTS.get(kind)
    if counted is None:
        return f"{count:,} {kind}"
    return counted % {"count": count, "number": f"{count:,}"}


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
