"""Role checks for the API. Roles are the groups in `annotations.roles`."""

from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission

from annotations import access, roles


class IsReviewer(BasePermission):
    """Reviewers and editors: the people who check claims (editors may do all reviewers do)."""

    message = gettext_lazy("Only reviewers and editors may do this.")

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.REVIEWER, roles.EDITOR)


class IsEditor(BasePermission):
    message = gettext_lazy("Only editors may do this.")

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.EDITOR)


class IsModerator(BasePermission):
    """Moderators (superusers hold every role)."""

    message = gettext_lazy("Only moderators may do this.")

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.MODERATOR)


class HasAnyRole(BasePermission):
    """Anyone in a role (reviewers, editors, moderators): signed-in outsiders read nothing."""

    message = access.NO_ROLE_MESSAGE

    def has_permission(self, request, view) -> bool:
        return access.has_a_role(request.user)


class ReadAnyRoleWriteReviewer(BasePermission):
    """Reads for any role (moderators included); writes for reviewers and editors.

    Which object a checker may change (their own, one assigned to them) is a rule of the
    services, so the admin and the API share it.
    """

    message = gettext_lazy(
        "Only reviewers and editors may change claims, sources, comments and verdicts."
    )

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            if not access.has_a_role(request.user):
                self.message = access.NO_ROLE_MESSAGE
                return False
            return True
        return roles.has_role(request.user, roles.REVIEWER, roles.EDITOR)
