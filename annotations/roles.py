"""The roles: Django groups created by migration 0002. One place names them."""

import json
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import TextField
from django.db.models.expressions import RawSQL
from django.utils.translation import pgettext_lazy

# Whoever a request carries: the rules answer for a signed-out visitor too.
AnyUser: TypeAlias = User | AnonymousUser

REVIEWER = "Reviewer"
EDITOR = "Editor"
MODERATOR = "Moderator"
ALL = (REVIEWER, EDITOR, MODERATOR)
# The group names are data (and the API's role names); people read these.
DISPLAY_NAMES = {
    REVIEWER: pgettext_lazy("role", "Reviewer"),
    EDITOR: pgettext_lazy("role", "Editor"),
    MODERATOR: pgettext_lazy("role", "Moderator"),
}


def roles_of(user: AnyUser) -> set[str]:
    """The role names a user holds (staff count as every role)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_superuser:
        return set(ALL)
    # Cached on the user object: permission checks ask several times per request.
    names: set[str] | None = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.filter(name__in=ALL).values_list("name", flat=True))
        user._role_names = names  # type: ignore[attr-defined]  # a cache the model does not declare
    return names


def has_role(user: AnyUser, *names: str) -> bool:
    return bool(roles_of(user) & set(names))


# The names of the roles of the user whose id the outer query's column holds, as JSON text.
# Raw SQL: compiled as a Django subquery it took more of a request's CPU (0.6 ms) than all of
# its run in PostgreSQL.
_ROLE_NAMES_SQL = (
    "SELECT {names} FROM auth_user_groups AS ug JOIN auth_group AS g ON g.id = ug.group_id"
    " WHERE ug.user_id = {user_id} AND g.name IN (%s, %s, %s)"
)
_NAMES = {"sqlite": "JSON_GROUP_ARRAY(g.name)"}
_NAMES_ELSEWHERE = "CAST(JSON_AGG(g.name) AS TEXT)"  # PostgreSQL's


def role_names_column(user_id: str) -> RawSQL:
    """The role names of the user whose id is in the outer query's `user_id` column (quoted,
    with its table), as JSON text: a query that loads a user with it needs no query of its own
    for the roles (`remember_roles`)."""
    names = _NAMES.get(connection.vendor, _NAMES_ELSEWHERE)
    sql = _ROLE_NAMES_SQL.format(names=names, user_id=user_id)
    # Only constants in the SQL; the role names are parameters (S611 warns of RawSQL as such).
    return RawSQL(sql, ALL, output_field=TextField())  # noqa: S611


def remember_roles(user: User, role_names: str | None) -> None:
    """Keep on `user` the roles `role_names_column` read, for `roles_of` (None: no role)."""
    user._role_names = set(json.loads(role_names or "[]"))  # type: ignore[attr-defined]  # as in roles_of
