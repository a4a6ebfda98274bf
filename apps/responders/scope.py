"""The scope API: what one user holds, and who holds what.

A role at a node is stored as django-guardian permissions on that node, given to the user
or to a team's group; a node's permissions cover its whole subtree, so questions about
nodes compare materialised paths. Other apps give permissions on single objects the same
way (a story referred to a person or a team), through their own pair of guardian tables
(`Grants`).

`_granted` is the one place that reads "held directly or through a team" (with its SQL
twin `_held`, for the two reads of one person every staff page makes). Everything else
asks a `Scope` (what one user holds, read lazily and remembered on the Scope) or
`holders_over` (who holds a permission at some nodes). `scope_of(user)` gives the
request's Scope for a user, so a page asks the database once however many predicates it
calls; outside a request it is a fresh Scope each time, and code that asks about one user
many times builds `Scope(user)` once and keeps it.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any, NamedTuple

from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.accounts.http import AnyUser
from apps.accounts.models import User
from apps.core import pagecache
from apps.core.replicas import read_alias
from apps.core.request_memo import forget, memo
from apps.organisations.models import Organisation

from .models import OrganisationGroupPermission, OrganisationUserPermission, Role, RoleName

VIEW_STAFF_DATA = "view_staff_data"
RESPOND = "respond"
MANAGE_ROLES = "manage_roles"


class Node(NamedTuple):
    """A node of a scope, as a filter lists it."""

    pk: int
    name: str
    slug: str
    path: str
    depth: int


@dataclass(frozen=True)
class Grants:
    """A pair of django-guardian tables holding permissions on one model: per user and per
    group (a team's members hold what the team's group holds)."""

    user_model: type[UserObjectPermissionBase]
    group_model: type[GroupObjectPermissionBase]


NODES = Grants(OrganisationUserPermission, OrganisationGroupPermission)

# In `_granted`'s columns: the id of the user who holds the permission.
HOLDER = "holder"


def _granted(
    grants: Grants,
    codename: str | tuple[str, ...],
    *columns: str,
    holder: object = None,
    active: bool = False,
    where: Q | StartsWith | None = None,
) -> QuerySet[Any]:
    """The `columns` of every grant of `codename` (or of any of several), held directly or
    through a team, as one UNION statement (usable as a subquery). `holder` narrows to one
    user (or an OuterRef to one); `active` to active accounts; `where` is a condition on
    the granted object (`content_object__...`)."""

    def held(model: type[models.Model], person: str) -> QuerySet[Any]:
        if isinstance(codename, tuple):
            who = Q(permission__codename__in=codename)
        else:
            who = Q(permission__codename=codename)
        if holder is not None:
            who &= Q(**{person: holder})
        if active:
            who &= Q(**{f"{person}__is_active": True})
        rows = model._default_manager.filter(who)
        if where is not None:
            rows = rows.filter(where)
        return rows.values_list(*[person if c == HOLDER else c for c in columns])

    return held(grants.user_model, "user").union(held(grants.group_model, "group__user"))


# `_granted` for one person's grants of some permissions, written as SQL: building the
# UNION through the ORM cost twice as long as running it, on every staff page (the paths
# a person holds, the stories referred to them).
_HELD = """
SELECT permission.codename, {column} FROM {direct} held
JOIN auth_permission permission ON permission.id = held.permission_id {join}
WHERE held.user_id = %s AND permission.codename = ANY(%s)
UNION
SELECT permission.codename, {column} FROM {team} held
JOIN auth_permission permission ON permission.id = held.permission_id {join}
JOIN {membership} membership ON membership.group_id = held.group_id
WHERE membership.user_id = %s AND permission.codename = ANY(%s)
"""


def _held(
    grants: Grants, codenames: Iterable[str], member: User, *, paths: bool = False
) -> list[tuple[str, Any]]:
    """(codename, object id) for each grant of these permissions the member holds,
    directly or through a team; (codename, the node's path) with `paths`, for grants on
    nodes. One statement, each pair once."""
    column, join = "held.content_object_id", ""
    if paths:
        node = Organisation._meta.db_table
        column, join = "node.path", f"JOIN {node} node ON node.id = held.content_object_id"
    sql = _HELD.format(
        column=column,
        join=join,
        direct=grants.user_model._meta.db_table,
        team=grants.group_model._meta.db_table,
        membership=User.groups.through._meta.db_table,
    )
    wanted = list(codenames)
    with connections[read_alias()].cursor() as cursor:
        # Constant text but for the tables' names; every value is a parameter.
        cursor.execute(sql, [member.pk, wanted, member.pk, wanted])
        return cursor.fetchall()


def _covering(paths: Iterable[str]) -> list[str]:
    """The fewest paths that cover the same subtrees (a node under another adds nothing)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def under(paths: Iterable[str], field: str = "organisation__path") -> Q:
    """Rows whose `field` lies in one of these subtrees (none for no paths)."""
    conditions = [Q(**{f"{field}__startswith": path}) for path in paths]
    if not conditions:
        return Q(pk__in=[])
    return reduce(operator.or_, conditions)


def under_sql(paths: Iterable[str], column: str) -> tuple[str, list[str]]:
    """`under` for a statement written as SQL: `column` (a node's path, or a copy of one,
    held in the C collation) lies in one of these subtrees, as one range of its index for
    each ("FALSE" for no paths). Where LIKE would test each row of the range again, the
    bounds alone are exact: in the C collation the paths that start with P are those from P
    up to P with its last character one higher."""
    conditions, params = [], []
    for path in paths:
        conditions.append(f"({column} >= %s AND {column} < %s)")
        params += path_range(path)
    return (" OR ".join(conditions) or "FALSE"), params


def path_range(path: str) -> list[str]:
    """The bounds of the paths in the subtree at `path`, in the C collation: from the path
    itself up to (not including) the path with its last character one higher."""
    return [path, path[:-1] + chr(ord(path[-1]) + 1)]


class Scope:
    """What one user holds. Each answer is read from the database the first time it is
    asked (one query) and remembered on this object; nothing is kept on the user. Visitors
    and inactive accounts hold nothing and cost no query."""

    def __init__(self, user: AnyUser) -> None:
        self.user = user
        # The account asked about, while it may hold anything: None for a visitor or an
        # account that has been deactivated.
        self.member: User | None = user if isinstance(user, User) and user.is_active else None
        self._paths: dict[str, list[str]] = {}
        self._nodes: dict[str, list[Node]] = {}
        self._roles: frozenset[str] | None = None
        self._objects: dict[tuple[Grants, str], dict[Any, bool]] = {}
        self._all_objects: dict[tuple[Grants, str], frozenset[Any]] = {}

    # Nodes

    def paths(self, codename: str = VIEW_STAFF_DATA) -> list[str]:
        """Paths of the nodes whose subtrees the user holds this permission over, directly
        or through a team, with none under another (the covering set)."""
        if codename not in self._paths:
            self.read_paths(codename)
        return self._paths[codename]

    def read_paths(self, *codenames: str) -> None:
        """Read the paths of several permissions in one query, for a page that asks them
        all (the inbox asks three)."""
        held: dict[str, list[str]] = {codename: [] for codename in codenames}
        if self.member is not None:
            for codename, path in _held(NODES, codenames, self.member, paths=True):
                held[codename].append(path)
        for codename, paths in held.items():
            self._paths[codename] = _covering(paths)

    def nodes(self, codename: str = VIEW_STAFF_DATA) -> list[Node]:
        """Every node in the subtrees the user holds this permission over, in tree order,
        as plain rows (id, name, slug, path and depth): one query, remembered, and kept
        (pagecache.kept) until the tree changes. Rows, not model objects, because a
        trust's thousand nodes took 19 ms to build as models for one filter's choices."""
        if codename not in self._nodes:
            paths = self.paths(codename)

            def read() -> list[tuple[Any, ...]]:
                rows = Organisation.objects.filter(under(paths, "path")).order_by("path")
                return list(rows.values_list("pk", "name", "slug", "path", "depth"))

            # The tree is public, and every change to it (a node added, renamed or moved)
            # ends what the site's version covers: kept for whoever holds these paths.
            rows = pagecache.kept("scope-nodes:" + " ".join(paths), [], read) if paths else []
            self._nodes[codename] = [Node(*row) for row in rows]
        return self._nodes[codename]

    def covers(self, codename: str, organisation: Organisation) -> bool:
        """Holds the permission at the node or above it."""
        return any(organisation.path.startswith(path) for path in self.paths(codename))

    def covers_any(self, codename: str, organisations: Iterable[Organisation]) -> bool:
        paths = self.paths(codename)
        return any(node.path.startswith(path) for node in organisations for path in paths)

    def holds_inside(self, codename: str, path: str) -> bool:
        """Some path of the covering set lies in the subtree at `path` (a grant above it,
        which covers it too, does not count: this asks whether they work there)."""
        return any(held.startswith(path) for held in self.paths(codename))

    def under(self, codename: str, field: str = "organisation__path") -> Q:
        """Rows whose `field` (a node's path) lies under the paths held."""
        return under(self.paths(codename), field)

    def nodes_within(
        self, codename: str, organisations: Iterable[Organisation], also: Iterable[str] = ()
    ) -> list[Organisation]:
        """These nodes and the nodes above them that lie inside the paths held, with the
        nodes at the paths `also`, in tree order: where a responder may act on behalf of.
        One query (none when there are none)."""
        held = self.paths(codename)
        paths = set(also)
        for node in organisations:
            for path in [*node.ancestor_paths(), node.path]:
                if any(path.startswith(h) for h in held):
                    paths.add(path)
        if not paths:
            return []
        return list(Organisation.objects.filter(path__in=paths).order_by("path"))

    # Platform roles

    @property
    def platform_roles(self) -> frozenset[str]:
        """The platform-wide roles (moderator, platform admin) the user holds."""
        if self._roles is None:
            roles: Iterable[str] = []
            if self.member is not None:
                roles = Role.objects.filter(
                    user=self.member, organisation__isnull=True
                ).values_list("role", flat=True)
            self._roles = frozenset(roles)
        return self._roles

    def has_platform_role(self, *roles: RoleName) -> bool:
        return any(role in self.platform_roles for role in roles)

    # Permissions on single objects (given by other apps through their own `Grants`)

    def object_ids(self, grants: Grants, codename: str) -> QuerySet[Any]:
        """Ids of the objects the user holds `codename` on, directly or through a team: a
        subquery, not read here."""
        if self.member is None:
            return grants.user_model._default_manager.none()
        return _granted(grants, codename, "content_object_id", holder=self.member)

    def all_object_ids(self, grants: Grants, codename: str) -> frozenset[Any]:
        """Every object the user holds `codename` on: one query, remembered, after which
        `objects_among` and `holds_object` answer without one."""
        key = (grants, codename)
        if key not in self._all_objects:
            held = _held(grants, [codename], self.member) if self.member is not None else []
            self._all_objects[key] = frozenset(pk for _codename, pk in held)
        return self._all_objects[key]

    def objects_among(self, grants: Grants, codename: str, ids: Iterable[Any]) -> set[Any]:
        """Which of these objects the user holds `codename` on: one query, each answer
        remembered for `holds_object`."""
        if (grants, codename) in self._all_objects:
            return set(ids) & self._all_objects[grants, codename]
        known = self._objects.setdefault((grants, codename), {})
        wanted = [pk for pk in ids if pk not in known]
        if wanted and self.member is not None:
            found = set(
                _granted(
                    grants,
                    codename,
                    "content_object_id",
                    holder=self.member,
                    where=Q(content_object_id__in=wanted),
                ).values_list("content_object_id", flat=True)
            )
            known.update((pk, pk in found) for pk in wanted)
        return {pk for pk in ids if known.get(pk, False)}

    def holds_object(self, grants: Grants, codename: str, obj: models.Model) -> bool:
        """Whether the user holds `codename` on this one object (one query, remembered)."""
        return bool(self.objects_among(grants, codename, [obj.pk]))


SCOPE = "responders.scope"


def scope_of(user: AnyUser) -> Scope:
    """The request's Scope for this user (built on first use, dropped with the request);
    outside a request, a fresh one."""
    return memo((SCOPE, user.pk), lambda: Scope(user))


def forget_scopes() -> None:
    """Drop this request's Scopes: for a service that changes grants, so that asking again
    in the same request reads them afresh. Outside a request there is nothing to drop."""
    forget(SCOPE)


def holders_over(paths: list[str], codename: str) -> dict[int, list[str]]:
    """Who holds this permission at any of these exact nodes (pass a node's path with its
    ancestors' to ask "whose scope covers it"), directly or through a team, and at which
    paths: one query, for fan-out and reminders. Active accounts only."""
    if not paths:
        return {}
    rows = _granted(
        NODES,
        codename,
        HOLDER,
        "content_object__path",
        active=True,
        where=Q(content_object__path__in=paths),
    )
    held: dict[int, list[str]] = {}
    for user_id, path in rows:
        held.setdefault(user_id, []).append(path)
    return held


def holder_covers(codename: str, *, user: str, path: str) -> Exists:
    """Whether the user in the outer query's column `user` holds the permission at or
    above the node whose path is in its column `path`: to keep rows their owner may still
    see, in the same statement."""
    return Exists(
        _granted(
            NODES,
            codename,
            "content_object__path",
            holder=OuterRef(user),
            where=StartsWith(OuterRef(path), F("content_object__path")),
        )
    )
