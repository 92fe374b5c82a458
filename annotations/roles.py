"""The roles: Django groups created by migration 0002. One place names them."""

from typing import Any, TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef

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


def role_columns(user_id: str) -> dict[str, Exists]:
    """Columns saying which role the user whose id is the outer query's `user_id` holds, one
    EXISTS each: a query that loads a user with these needs no query of its own for the roles
    (`remember_roles`)."""
    return {
        f"has_role_{name.lower()}": Exists(
            User.groups.through.objects.filter(user_id=OuterRef(user_id), group__name=name)
        )
        for name in ALL
    }


def remember_roles(user: User, row: Any) -> None:
    """Keep on `user` the roles read by `role_columns` into `row`, for `roles_of`."""
    user._role_names = {name for name in ALL if getattr(row, f"has_role_{name.lower()}")}  # type: ignore[attr-defined]  # as in roles_of
