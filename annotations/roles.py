"""The roles: Django groups created by migration 0002. One place names them."""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
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
