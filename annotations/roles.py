"""The roles: Django groups created by migration 0002. One place names them."""

REVIEWER = "Reviewer"
EDITOR = "Editor"
MODERATOR = "Moderator"
ALL = (REVIEWER, EDITOR, MODERATOR)


def roles_of(user) -> set[str]:
    """The role names a user holds (staff count as every role)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_superuser:
        return set(ALL)
    # Cached on the user object: permission checks ask several times per request.
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.filter(name__in=ALL).values_list("name", flat=True))
    return user._role_names


def has_role(user, *names: str) -> bool:
    return bool(roles_of(user) & set(names))
