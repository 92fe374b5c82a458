"""The Django admin: every model, with list displays, filters and search that stay fast.

What each user sees is `annotations.access`'s (`FollowsAccessPolicy`); content is read-only here
and changes only through the audited moderation actions (`ReadOnlyContent`).
"""

import contextvars
from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models as db_models
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import models, moderation, roles, search, services
from .admin_moderation import (
    FollowsAccessPolicy,
    ModerationMixin,
    ReadOnlyContent,
    deactivate_action,
    dismiss_action,
    hide_action,
    hide_flagged_action,
    reactivate_action,
    retract_action,
    unhide_action,
)
from .jobmessages import displayed_errors


class SentenceInline(admin.TabularInline):
    model = models.Sentence
    fields = ("position", "paragraph", "start", "end", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # sentences come from splitting the body, never by hand


# Django 6 makes https the scheme a URL typed without one gets; we choose it now (and silence
# the deprecation warning that building the form raises, read-only as it is).
URL_FORM_FIELDS: dict[type[db_models.Field], dict[str, Any]] = {
    db_models.URLField: {"assume_scheme": "https"}
}


@admin.register(models.Article)
class ArticleAdmin(ModerationMixin, admin.ModelAdmin):
    formfield_overrides = URL_FORM_FIELDS
    list_display = ("title", "publisher", "language", "status", "published_at", "created_at")
    list_filter = ("status", "language", "publisher")
    search_fields = ("title", "url", "publisher")
    date_hierarchy = "created_at"
    # Read-only like all content (ModerationMixin): the body is what the sentences' and claims'
    # offsets point into, and a title changed here would miss its search document.
    inlines = [SentenceInline]
    show_full_result_count = False


@admin.register(models.Sentence)
class SentenceAdmin(ReadOnlyContent, admin.ModelAdmin):
    list_display = ("article", "position", "start", "end", "text")
    list_select_related = ("article",)
    search_fields = ("text",)
    raw_id_fields = ("article",)
    show_full_result_count = False


class RatingInline(admin.TabularInline):
    model = models.Rating
    extra = 0


@admin.register(models.RatingScale)
class RatingScaleAdmin(FollowsAccessPolicy, admin.ModelAdmin):
    list_display = ("name", "slug", "best_rating", "worst_rating", "is_default")
    inlines = [RatingInline]


class SourceInline(admin.TabularInline):
    # Hiding a source is the hide action's (reason, hidden_by, audit event), never a checkbox.
    model = models.Source
    fields = ("url", "title", "stance", "is_hidden")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class VerdictInline(admin.TabularInline):
    model = models.Verdict
    fields = ("rating", "status", "author", "reviewed_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(models.Claim)
class ClaimAdmin(ModerationMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "article",
        "claimant",
        "status",
        "anchor_status",
        "is_hidden",
        "updated_at",
    )
    list_filter = ("status", "anchor_status", "is_hidden")
    list_select_related = ("article",)
    search_fields = search.CLAIM_SEARCH_FIELDS
    exclude = ("sentences",)
    inlines = [SourceInline, VerdictInline]
    show_full_result_count = False
    actions = [hide_action, unhide_action, retract_action]

    def get_search_results(self, request, queryset, search_term):
        # The API's claim search, which the trigram indexes serve (annotations/search.py).
        return search.search_claims(queryset, search_term), False


@admin.register(models.Source)
class SourceAdmin(ModerationMixin, admin.ModelAdmin):
    formfield_overrides = URL_FORM_FIELDS
    list_display = ("__str__", "claim", "stance", "is_hidden", "created_at")
    list_filter = ("stance", "is_hidden")
    list_select_related = ("claim",)
    search_fields = ("url", "title", "quote")
    actions = [hide_action, unhide_action]
    show_full_result_count = False


@admin.register(models.Comment)
class CommentAdmin(ModerationMixin, admin.ModelAdmin):
    list_display = ("__str__", "claim", "author", "is_hidden", "created_at")
    list_filter = ("is_hidden",)
    list_select_related = ("claim", "author")
    search_fields = ("body",)
    actions = [hide_action, unhide_action]
    show_full_result_count = False


@admin.register(models.Verdict)
class VerdictAdmin(ModerationMixin, admin.ModelAdmin):
    list_display = ("__str__", "rating", "status", "author", "reviewed_by", "created_at")
    list_filter = ("status", "rating")
    list_select_related = ("rating", "author", "reviewed_by")
    search_fields = ("explanation",)
    actions = [retract_action]
    show_full_result_count = False


@admin.register(models.Correction)
class CorrectionAdmin(ModerationMixin, admin.ModelAdmin):
    list_display = ("claim", "kind", "created_by", "created_at")
    list_filter = ("kind",)
    list_select_related = ("claim", "created_by")


class JobAdmin(FollowsAccessPolicy, admin.ModelAdmin):
    """Jobs are started by the API and the commands and run by the worker: read-only here."""

    list_display: tuple[str, ...] = (
        "id",
        "format",
        "status",
        "progress",
        "created",
        "duplicates",
        "failed",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "format")
    list_select_related = ("created_by",)
    readonly_fields = ("progress", "error_report")
    exclude = ("errors",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, job: models.ImportJob | models.ExportJob) -> str:
        done = job.created + getattr(job, "updated", 0) + job.duplicates + job.failed
        if not job.total:
            return number_format(done)
        return _("%(done)s / %(total)s (%(percent)s%%)") % {
            "done": number_format(done),
            "total": number_format(job.total),
            "percent": min(100, 100 * done // job.total),
        }

    @admin.display(description=gettext_lazy("errors"))
    def error_report(self, job: models.ImportJob | models.ExportJob) -> str:
        if not job.errors:
            return _("none")
        return format_html(
            "<table><tr><th>{}</th><th>{}</th></tr>{}</table>",
            _("where"),
            _("message"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td></tr>",
                (_error_place(error) for error in displayed_errors(job.errors)),
            ),
        )


# Where a job's error happened, as its stored keys say.
_ERROR_PLACES = {
    "file": gettext_lazy("file %(where)s"),
    "line": gettext_lazy("line %(where)s"),
    "record": gettext_lazy("record %(where)s"),
    "claim": gettext_lazy("claim %(where)s"),
}


def _error_place(error: dict) -> tuple[str, str]:
    place = ", ".join(
        str(label) % {"where": error[key]} for key, label in _ERROR_PLACES.items() if key in error
    )
    return place or _("job"), error.get("message", "")


@admin.register(models.ImportJob)
class ImportJobAdmin(JobAdmin):
    list_display = (
        *JobAdmin.list_display[:2],
        "original_name",
        *JobAdmin.list_display[2:5],
        "updated",  # stored URLs that came with a new text (revisions)
        *JobAdmin.list_display[5:],
    )
    search_fields = ("original_name",)
    actions = ["cancel_selected"]

    def get_exclude(self, request, obj=None) -> tuple[str, ...]:
        # A fanned-out import's working state: why it stops, and why its input could not be
        # read, are in its error report once it ends.
        return (*JobAdmin.exclude, "stopped", "read_error")

    def has_cancel_permission(self, request) -> bool:
        return roles.has_role(request.user, roles.EDITOR, roles.MODERATOR)

    @admin.action(
        description=gettext_lazy("Cancel the selected imports (they stop before their next batch)"),
        permissions=["cancel"],
    )
    def cancel_selected(self, request, queryset) -> None:
        cancelled = 0
        for job in queryset.exclude(status__in=models.ImportJob.FINISHED):
            services.cancel_import(job=job, user=request.user)
            cancelled += 1
        self.message_user(
            request,
            ngettext("%(count)s import cancelled.", "%(count)s imports cancelled.", cancelled)
            % {"count": cancelled},
        )


admin.site.register(models.ExportJob, JobAdmin)


@admin.register(models.Flag)
class FlagAdmin(ModerationMixin, admin.ModelAdmin):
    """All flags; the grouped queue of open ones is at /admin/moderation/."""

    list_display = ("__str__", "reason", "status", "note", "created_by", "created_at")
    list_filter = ("status", "reason", "content_type")
    list_select_related = ("content_type", "created_by")
    ordering = ("created_at", "id")  # oldest first, as the queue
    actions = [dismiss_action, hide_flagged_action]
    show_full_result_count = False


@admin.register(models.AuditEvent)
class AuditEventAdmin(FollowsAccessPolicy, admin.ModelAdmin):
    """The audit trail, read-only. Filter by `?actor__id__exact=`, `?content_type__id__exact=` and
    `?object_id=` for one person's or one object's events."""

    list_display = ("created_at", "actor", "action", "content_type", "object_id", "object_repr")
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    search_fields = ("object_repr", "action", "actor__username")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


User = get_user_model()
admin.site.unregister(User)
_viewer: contextvars.ContextVar = contextvars.ContextVar("admin_viewer", default=None)


@admin.register(User)
class ModeratedUserAdmin(UserAdmin):
    """Django's user admin, plus what moderators need: deactivate, and the user's recent activity.

    Role (group) changes made here are audited with the admin user as the actor.
    """

    list_display = ("username", "email", "role_names", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    actions = [deactivate_action, reactivate_action]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "recent_activity")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, (_("Recent activity"), {"fields": ("recent_activity",)}))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def has_moderate_permission(self, request) -> bool:
        return moderation.is_moderator(request.user)

    @admin.display(description=gettext_lazy("Roles"))
    def role_names(self, user) -> str:
        return ", ".join(
            str(roles.DISPLAY_NAMES.get(group.name, group.name)) for group in user.groups.all()
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A readonly field's method gets no request; what it shows depends on who looks (so the
        # page is rendered while the viewer is set, not later by the response middleware).
        token = _viewer.set(request.user)
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
            return response.render() if hasattr(response, "render") else response
        finally:
            _viewer.reset(token)

    @admin.display(description=gettext_lazy("Recent activity (audit events by this user)"))
    def recent_activity(self, user):
        events = list(moderation.recent_activity(user, viewer=_viewer.get()))
        if not events:
            return _("No recorded activity.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {} #{} {}</li>",
                (
                    (
                        event.created_at.strftime("%Y-%m-%d %H:%M"),
                        event.action,
                        event.content_type.name if event.content_type else "",
                        event.object_id or "",
                        event.object_repr,
                    )
                    for event in events
                ),
            ),
        )

    def save_related(self, request, form, formsets, change) -> None:
        # Group changes fire the audit signal; name the admin user as who made them.
        with moderation.acting_as(request.user):
            super().save_related(request, form, formsets, change)
