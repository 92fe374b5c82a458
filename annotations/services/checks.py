"""Role checks shared by the services: a refusal is a PermissionDenied a person can act on."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .. import roles
from ..roles import AnyUser


def require_role(user: AnyUser, *names: str, message: str) -> None:
    """Refuse with `message` unless `user` holds one of the roles `names`."""
    if not roles.has_role(user, *names):
        raise PermissionDenied(message)


def require_checker(user: AnyUser) -> None:
    """Refuse unless `user` is a reviewer or an editor (the people who check claims)."""
    require_role(
        user, roles.REVIEWER, roles.EDITOR, message=_("Only reviewers and editors may do this.")
    )
