"""Role checks for the API. Roles are the groups in `annotations.roles`."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from annotations import roles


class IsReviewer(BasePermission):
    """Reviewers and editors: the people who check claims (editors may do all reviewers do)."""

    message = "Only reviewers and editors may do this."

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.REVIEWER, roles.EDITOR)


class IsEditor(BasePermission):
    message = "Only editors may do this."

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.EDITOR)


class IsModerator(BasePermission):
    """Moderators (superusers hold every role)."""

    message = "Only moderators may do this."

    def has_permission(self, request, view) -> bool:
        return roles.has_role(request.user, roles.MODERATOR)


class HasAnyRole(BasePermission):
    """Anyone in a role (reviewers, editors, moderators): signed-in outsiders read nothing."""

    message = "Your account has no role in the newsroom yet."

    def has_permission(self, request, view) -> bool:
        return bool(roles.roles_of(request.user))


class ReadAnyRoleWriteReviewer(BasePermission):
    """Reads for any role (moderators included); writes for reviewers and editors.

    Which object a checker may change (their own, one assigned to them) is a rule of the
    services, so the admin and the API share it.
    """

    message = "Only reviewers and editors may change claims, sources, comments and verdicts."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return bool(roles.roles_of(request.user))
        return roles.has_role(request.user, roles.REVIEWER, roles.EDITOR)


class SeesModerationQueue(BasePermission):
    """Moderators and staff see the open flags (staff read the queue; only moderators act)."""

    message = "Only moderators and staff may see the moderation queue."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return roles.has_role(user, roles.MODERATOR) or bool(
            user and user.is_authenticated and user.is_active and user.is_staff
        )
