"""Role checks for the API. Roles are the groups in `annotations.roles`."""

from rest_framework.permissions import BasePermission

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
