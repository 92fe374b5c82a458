"""The Django admin: every model, with list displays, filters and search that stay fast."""

from django.contrib import admin

from . import models


class SentenceInline(admin.TabularInline):
    model = models.Sentence
    fields = ("position", "paragraph", "start", "end", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # sentences come from splitting the body, never by hand


@admin.register(models.Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "publisher", "language", "status", "published_at", "created_at")
    list_filter = ("status", "language", "publisher")
    search_fields = ("title", "url", "publisher")
    date_hierarchy = "created_at"
    readonly_fields = ("content_hash", "created_at", "updated_at", "import_job")
    raw_id_fields = ("assignee",)
    inlines = [SentenceInline]
    show_full_result_count = False


@admin.register(models.Sentence)
class SentenceAdmin(admin.ModelAdmin):
    list_display = ("article", "position", "start", "end", "text")
    list_select_related = ("article",)
    search_fields = ("text",)
    raw_id_fields = ("article",)
    show_full_result_count = False


class RatingInline(admin.TabularInline):
    model = models.Rating
    extra = 0


@admin.register(models.RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "best_rating", "worst_rating", "is_default")
    inlines = [RatingInline]


class SourceInline(admin.TabularInline):
    model = models.Source
    fields = ("url", "title", "stance", "is_hidden")
    extra = 0
    show_change_link = True


class VerdictInline(admin.TabularInline):
    model = models.Verdict
    fields = ("rating", "status", "author", "reviewed_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(models.Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("__str__", "article", "claimant", "status", "is_hidden", "updated_at")
    list_filter = ("status", "is_hidden")
    list_select_related = ("article",)
    search_fields = ("quote_exact", "text", "claimant")
    raw_id_fields = ("article", "created_by", "assignee", "published_verdict", "hidden_by")
    filter_horizontal = ()
    exclude = ("sentences",)
    inlines = [SourceInline, VerdictInline]
    show_full_result_count = False


@admin.register(models.Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "claim", "stance", "is_hidden", "created_at")
    list_filter = ("stance", "is_hidden")
    list_select_related = ("claim",)
    search_fields = ("url", "title", "quote")
    raw_id_fields = ("claim", "created_by", "hidden_by")


@admin.register(models.Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "claim", "author", "is_hidden", "created_at")
    list_filter = ("is_hidden",)
    list_select_related = ("claim", "author")
    search_fields = ("body",)
    raw_id_fields = ("claim", "author", "hidden_by")


@admin.register(models.Verdict)
class VerdictAdmin(admin.ModelAdmin):
    list_display = ("__str__", "rating", "status", "author", "reviewed_by", "created_at")
    list_filter = ("status", "rating")
    list_select_related = ("rating", "author", "reviewed_by")
    search_fields = ("explanation",)
    raw_id_fields = ("claim", "author", "reviewed_by")


@admin.register(models.Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ("claim", "kind", "created_by", "created_at")
    list_filter = ("kind",)
    list_select_related = ("claim", "created_by")
    raw_id_fields = ("claim", "verdict", "created_by")


class JobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "format",
        "status",
        "total",
        "created",
        "duplicates",
        "failed",
        "created_at",
    )
    list_filter = ("status", "format")
    readonly_fields = ("errors", "celery_task_id", "started_at", "finished_at", "created_at")
    list_select_related = ("created_by",)


admin.site.register(models.ImportJob, JobAdmin)
admin.site.register(models.ExportJob, JobAdmin)


@admin.register(models.Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("__str__", "reason", "status", "created_by", "created_at")
    list_filter = ("status", "reason")
    list_select_related = ("content_type", "created_by")


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "content_type", "object_id", "object_repr")
    list_filter = ("action", "content_type")
    list_select_related = ("actor", "content_type")
    search_fields = ("object_repr", "action")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
