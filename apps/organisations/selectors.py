"""Reads of the organisations tree. Each returns a fixed number of queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import ngettext_lazy

from .models import SERVICE_KINDS, Organisation, OrganisationKind, welsh_page

# The outward code and, optionally, the start of the inward code: "LS1", "LS1 4", "SW1A 1AA".
_POSTCODE_PREFIX = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?(?:[0-9][A-Z]{0,2})?$")
_ODS_CODE = re.compile(r"^[A-Z0-9]{3,12}$")


def normalise_query(raw: str) -> str:
    return " ".join(raw.split())[:100]


def organisation_search(
    *, query: str = "", kind: str = "", include_closed: bool = False
) -> QuerySet[Organisation]:
    """The directory: every word in the name (the English or the Welsh one), or the ODS
    code, or a postcode prefix; in the order of the names the page shows."""
    qs = Organisation.objects.all()
    if not include_closed:
        qs = qs.filter(is_active=True)
    if kind in OrganisationKind.values:
        qs = qs.filter(kind=kind)
    query = normalise_query(query)
    if query:
        english, welsh = Q(), Q()
        for word in query.split(" "):
            english &= Q(name__icontains=word)
            welsh &= Q(name_cy__icontains=word)
        # Each name is searched whole, so "Bwrdd Glenmarrow" finds the Welsh name and not
        # an organisation with one word in each.
        match = english | welsh
        compact = query.replace(" ", "").upper()
        if _ODS_CODE.match(compact):
            match |= Q(ods_code=compact)
        if _POSTCODE_PREFIX.match(compact):
            match |= Q(postcode_key__startswith=compact)
        qs = qs.filter(match)
    if welsh_page():
        return qs.order_by(Coalesce(NullIf("name_cy", Value("")), "name"), "pk")
    return qs.order_by("name", "pk")


_STEP = Organisation.steplen

# The trust (the root above the row) and the nearest site above it, on the unique path
# index, as constant statements: four `Subquery` annotations built and compiled afresh for
# every list took 2.5 ms of the 7.9 that naming a page's services cost (1,000,000
# stories, the staff inbox). The row is the query's own (its table's name, not an alias).
_ROOT = (
    "(SELECT root.{column} FROM organisations_organisation root"
    ' WHERE root.path = LEFT("organisations_organisation".path, %s)'
    ' AND root.depth < "organisations_organisation".depth)'
)
_SITE = (
    "(SELECT site.{column} FROM organisations_organisation site WHERE site.path IN"
    ' (LEFT("organisations_organisation".path, %s), LEFT("organisations_organisation".path, %s))'
    ' AND site.depth < "organisations_organisation".depth AND site.kind = %s'
    " ORDER BY site.depth DESC LIMIT 1)"
)


# What `with_place` adds to each row: its trust's and its site's names, in English and in
# Welsh, each a constant statement with its parameters.
_SITE_PARAMS = (2 * _STEP, 3 * _STEP, OrganisationKind.SITE.value)
_PLACES = (
    ("place_root", _ROOT.format(column="name"), (_STEP,)),
    ("place_site", _SITE.format(column="name"), _SITE_PARAMS),
    ("place_root_cy", _ROOT.format(column="name_cy"), (_STEP,)),
    ("place_site_cy", _SITE.format(column="name_cy"), _SITE_PARAMS),
)
PLACE_COLUMNS = tuple(name for name, _sql, _params in _PLACES)


def place_sql() -> tuple[str, list[Any]]:
    """`with_place`'s columns (`PLACE_COLUMNS`, in that order) as SQL, for a statement that
    reads "organisations_organisation" under its own name, with their parameters."""
    return (
        ", ".join(sql for _name, sql, _params in _PLACES),
        [param for _name, _sql, params in _PLACES for param in params],
    )


def with_place(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Each row with what `Organisation.display_name` needs: the names of its trust (the
    root above it) and of the nearest site above it, in English and in Welsh, as
    subqueries on the unique path index inside the same query (no query per row)."""
    # Constant statements; the lengths and the kind are parameters.
    return organisations.annotate(
        **{
            name: RawSQL(sql, params, CharField())  # noqa: S611
            for name, sql, params in _PLACES
        }
    )


def _pair_with(
    organisations: list[Organisation], path_of: Callable[[Organisation], str]
) -> list[tuple[Organisation, Organisation | None]]:
    """Pair each row with the node at path_of(row) (its root, its parent…) in one query."""
    paths = {path_of(org) for org in organisations if org.depth > 1}
    found = (
        {node.path: node for node in Organisation.objects.filter(path__in=paths)} if paths else {}
    )
    return [(org, found.get(path_of(org)) if org.depth > 1 else None) for org in organisations]


def with_roots(
    organisations: list[Organisation],
) -> list[tuple[Organisation, Organisation | None]]:
    """Each row with its top-level organisation, for "part of …" labels."""
    return _pair_with(organisations, lambda org: org.path[: Organisation.steplen])


def with_parents(
    organisations: list[Organisation],
) -> list[tuple[Organisation, Organisation | None]]:
    """Each row with its parent, to say where a service sits."""
    return _pair_with(organisations, lambda org: org.path[: -Organisation.steplen])


@dataclass(frozen=True)
class DirectoryCounts:
    """What the directory lists with no search, in groups people recognise."""

    listed: int
    groups: list[tuple[str, int]]  # (words for the group, how many), groups with none left out


# Each kind counted once, from the largest bodies to the places people meet.
_COUNT_GROUPS: list[tuple[Any, tuple[str, ...]]] = [
    (
        ngettext_lazy("%(n)s NHS trust or health board", "%(n)s NHS trusts and health boards", "n"),
        (OrganisationKind.TRUST, OrganisationKind.BOARD),
    ),
    (
        ngettext_lazy(
            "%(n)s hospital, site or directorate", "%(n)s hospitals, sites and directorates", "n"
        ),
        (OrganisationKind.SITE, OrganisationKind.DIRECTORATE),
    ),
    (
        ngettext_lazy("%(n)s service or team", "%(n)s services and teams", "n"),
        (OrganisationKind.SERVICE, OrganisationKind.TEAM),
    ),
    (
        ngettext_lazy("%(n)s GP practice", "%(n)s GP practices", "n"),
        (OrganisationKind.GP_PRACTICE,),
    ),
    (ngettext_lazy("%(n)s care home", "%(n)s care homes", "n"), (OrganisationKind.CARE_HOME,)),
]


def organisation_directory_counts() -> DirectoryCounts:
    """How many places the directory lists when nobody has searched, by kind: one query
    over the directory's own queryset, so the figures cannot disagree with it."""
    rows = organisation_search().order_by().values("kind").annotate(n=Count("pk"))
    by_kind = {row["kind"]: row["n"] for row in rows}
    groups = []
    for words, kinds in _COUNT_GROUPS:
        n = sum(by_kind.get(kind, 0) for kind in kinds)
        if n:
            groups.append((str(words % {"n": n}), n))
    return DirectoryCounts(listed=sum(by_kind.values()), groups=groups)


@dataclass(frozen=True)
class OrganisationPage:
    organisation: Organisation
    ancestors: list[Organisation]
    children: list[Organisation]
    services: QuerySet[Organisation]


def organisation_page(*, slug: str) -> OrganisationPage:
    """One organisation with its place in the tree; services are a lazy, pageable queryset."""
    organisation = with_place(Organisation.objects.all()).get(slug=slug)
    ancestor_paths = organisation.ancestor_paths()
    ancestors = (
        list(Organisation.objects.filter(path__in=ancestor_paths).order_by("depth"))
        if ancestor_paths
        else []
    )
    children = (
        list(
            Organisation.objects.filter(
                path__startswith=organisation.path, depth=organisation.depth + 1
            ).order_by("-is_active", "name")
        )
        if organisation.numchild
        else []
    )
    services = Organisation.objects.filter(
        path__startswith=organisation.path,
        depth__gt=organisation.depth,
        kind__in=SERVICE_KINDS,
    ).order_by("-is_active", "name", "pk")
    return OrganisationPage(
        organisation=organisation, ancestors=ancestors, children=children, services=services
    )
