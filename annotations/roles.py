"""The roles: Django groups created by migration 0002. One place names them."""

import json
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import OuterRef, Subquery

from .sqljson import JSONArrayAgg, json_over

# Whoever a request carries: the rules answer for a signed-out visitor too.
AnyUser: TypeAlias = User | AnonymousUser

REVIEWER = "Reviewer"
EDITOR = "Editor"
MODERATOR = "Moderator"
ALL = (REVIEWER, EDITOR, MODERATOR)


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


def role_names_column(user_id: str) -> Subquery:
    """The role names of the user whose id is the outer query's `user_id`, as JSON text (NULL:
    none): a query that loads a user with it needs no query of its own for the roles
    (`remember_roles`). One aggregate, not an EXISTS per role: it plans in half the time."""
    memberships = User.groups.through.objects.filter(user_id=OuterRef(user_id), group__name__in=ALL)
    return json_over(memberships, "user_id", JSONArrayAgg("group__name"))


def remember_roles(user: User, role_names: str | None) -> None:
    """Keep on `user` the roles `role_names_column` read, for `roles_of`."""
    user._role_names = set(json.loads(role_names or "[]"))  # type: ignore[attr-defined]  # as in roles_of
