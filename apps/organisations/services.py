"""Changes to the organisations tree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Left
from django.utils.text import slugify

from apps.core import pagecache

from .models import Organisation, OrganisationKind
from .ods import Layout, OdsRecord, RowError

_STEP = Organisation.steplen
_LAYOUT_KIND = {
    Layout.TRUSTS: OrganisationKind.TRUST,
    Layout.SITES: OrganisationKind.SITE,
    Layout.GP_PRACTICES: OrganisationKind.GP_PRACTICE,
}
_IMPORTED_FIELDS = (
    "name",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "is_active",
    "closed_on",
)


class ImportRejected(Exception):
    """The file cannot be applied; nothing was changed."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} row(s) cannot be imported")
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    closed: int = 0
    reopened: int = 0
    unchanged: int = 0
    moved: int = 0
    created_codes: list[str] = field(default_factory=list)


def unique_slugs(names: Sequence[str]) -> list[str]:
    """Slugs for new organisations, unique among themselves and the table (one query)."""
    bases = [slugify(name)[:200] or "organisation" for name in names]
    taken = set(Organisation.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    # A base that is taken may have numbered siblings too; fetch those in one go.
    if taken:
        for slug in Organisation.objects.filter(
            slug__regex=r"^(" + "|".join(sorted(taken)) + r")-[0-9]+$"
        ).values_list("slug", flat=True):
            taken.add(slug)
    result = []
    for base in bases:
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        result.append(slug)
    return result


def organisation_bulk_add(
    children_by_parent: dict[Organisation | None, list[Organisation]],
    *,
    batch_size: int = 2000,
) -> None:
    """Add many new nodes under existing parents (None: as roots) in a few queries.

    treebeard's add_child costs two queries a node; this computes the paths itself
    from each parent's last child, then inserts in batches. Callers own the transaction.
    """
    parents = [p for p in children_by_parent if p is not None]
    last_steps: dict[str, int] = {}
    by_depth: dict[int, list[str]] = defaultdict(list)
    for node in parents:
        by_depth[node.depth].append(node.path)
    for depth, paths in by_depth.items():
        rows = (
            Organisation.objects.filter(depth=depth + 1)
            .annotate(parent_path=Left("path", depth * _STEP))
            .filter(parent_path__in=paths)
            .values("parent_path")
            .annotate(last=Max("path"))
            .order_by()
        )
        for row in rows:
            last_steps[row["parent_path"]] = Organisation._str2int(row["last"][-_STEP:])
    if None in children_by_parent:
        newest_root = Organisation.objects.filter(depth=1).order_by("-path").first()
        last_steps[""] = Organisation._str2int(newest_root.path) if newest_root else 0

    new_nodes: list[Organisation] = []
    for parent, children in children_by_parent.items():
        base = parent.path if parent else ""
        depth = parent.depth + 1 if parent else 1
        step = last_steps.get(base, 0)
        for child in children:
            step += 1
            child.path = Organisation._get_path(base, depth, step)
            child.depth = depth
            child.numchild = 0
            new_nodes.append(child)
    # Parents first: sorting by path keeps batches in tree order.
    new_nodes.sort(key=lambda node: node.path)
    Organisation.objects.bulk_create(new_nodes, batch_size=batch_size)
    for parent in parents:
        added = len(children_by_parent[parent])
        Organisation.objects.filter(pk=parent.pk).update(numchild=F("numchild") + added)
        parent.numchild += added
    pagecache.touch(pagecache.SITE)  # bulk writes send no signals; new names show everywhere


@transaction.atomic
def organisation_import_ods(
    *,
    records: Sequence[OdsRecord],
    layout: Layout,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Create or update organisations from ODS records, all or nothing.

    Matching is by ODS code, so a second run of the same file changes nothing.
    Sites need their trust in the tree already (import trusts first).
    """
    parents = _parents(records) if layout is Layout.SITES else {}
    plan = _plan_existing(records, parents, progress)
    _plan_new(plan, layout, parents)
    _carry_out(plan)
    if progress:
        progress(len(records), len(records))
    return plan.result


@dataclass
class _Plan:
    """What an import will write, worked out before any write."""

    result: ImportResult = field(default_factory=ImportResult)
    to_create: dict[Organisation | None, list[Organisation]] = field(
        default_factory=lambda: defaultdict(list)
    )
    to_update: list[Organisation] = field(default_factory=list)
    to_move: list[tuple[Organisation, Organisation]] = field(default_factory=list)
    new_records: list[OdsRecord] = field(default_factory=list)


def _parents(records: Sequence[OdsRecord]) -> dict[str, Organisation]:
    """The trusts the sites belong to, by ODS code; ImportRejected if any is missing."""
    parent_codes = {record.parent_code for record in records}
    parents = {
        str(org.ods_code): org for org in Organisation.objects.filter(ods_code__in=parent_codes)
    }
    missing = [
        RowError(
            record.line,
            f"parent trust {record.parent_code} is not in the tree; "
            "import the trusts file (etr.csv) first",
        )
        for record in records
        if record.parent_code not in parents
    ]
    if missing:
        raise ImportRejected(missing)
    return parents


def _plan_existing(
    records: Sequence[OdsRecord],
    parents: dict[str, Organisation],
    progress: Callable[[int, int], None] | None,
) -> _Plan:
    """Update the organisations already in the tree (in memory), and set aside the rest."""
    plan = _Plan()
    codes = [record.code for record in records]
    existing = {org.ods_code: org for org in Organisation.objects.filter(ods_code__in=codes)}
    for index, record in enumerate(records, start=1):
        if progress and index % 1000 == 0:
            progress(index, len(records))
        org = existing.get(record.code)
        if org is None:
            plan.new_records.append(record)
            continue
        changed = _apply(org, record)
        if changed:
            plan.to_update.append(org)
            _count_change(plan.result, org, changed)
        parent = parents.get(record.parent_code)
        if parent is not None and not org.path.startswith(parent.path):
            plan.to_move.append((org, parent))
        elif not changed:
            plan.result.unchanged += 1
    return plan


def _count_change(result: ImportResult, org: Organisation, changed: list[str]) -> None:
    if "is_active" not in changed:
        result.updated += 1
    elif org.is_active:
        result.reopened += 1
    else:
        result.closed += 1


def _plan_new(plan: _Plan, layout: Layout, parents: dict[str, Organisation]) -> None:
    """New organisations, with unique slugs, under their parents (roots for trusts)."""
    slugs = unique_slugs([record.name for record in plan.new_records])
    kind = _LAYOUT_KIND[layout]
    for record, slug in zip(plan.new_records, slugs, strict=True):
        org = Organisation(ods_code=record.code, kind=kind, slug=slug)
        _apply(org, record)
        plan.to_create[parents.get(record.parent_code)].append(org)
        plan.result.created_codes.append(record.code)
    plan.result.created = len(plan.new_records)


def _carry_out(plan: _Plan) -> None:
    if plan.to_create:
        organisation_bulk_add(plan.to_create)
    if plan.to_update:
        Organisation.objects.bulk_update(
            plan.to_update, [*_IMPORTED_FIELDS, "updated_at"], batch_size=2000
        )
    for org, parent in plan.to_move:
        org.refresh_from_db()
        Organisation.objects.move(org, parent, pos="last-child")
        plan.result.moved += 1
    if plan.to_update or plan.to_move:
        pagecache.touch(pagecache.SITE)  # bulk writes send no signals


def _apply(org: Organisation, record: OdsRecord) -> list[str]:
    """Copy the record onto the organisation; return the names of fields that changed."""
    from django.utils import timezone

    changed = []
    for name in _IMPORTED_FIELDS:
        value = getattr(record, name)
        if getattr(org, name) != value:
            setattr(org, name, value)
            changed.append(name)
    if changed and org.pk:
        org.updated_at = timezone.now()
    return changed
