"""The fact-checking domain: articles split into sentences, claims marked on them, sources,
verdicts on a rating scale, the jobs that move articles in and claims out, and moderation.

Offsets are Unicode code points into `Article.body` (Python string indices), as in the W3C
TextPositionSelector; `Claim` also keeps a TextQuoteSelector so it can re-anchor when a body
changes.
"""

import hashlib
import unicodedata

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q

from .segmentation import without_lone_surrogates


def normalise_body(text: str) -> str:
    """The canonical form of an article body: NFC Unicode, Unix line ends, no trailing space.

    Lone surrogates (a JSON "\ud800") become U+FFFD: UTF-8, and so PostgreSQL, cannot hold them.
    """
    text = without_lone_surrogates(text)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def content_hash(body: str) -> str:
    """sha256 of an already normalised body: two imports of the same text share it."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Hideable(models.Model):
    """Moderators hide content: it leaves the public export and reviewers' views."""

    is_hidden = models.BooleanField(default=False, db_index=True)
    hidden_reason = models.TextField(blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


# --- Jobs ---------------------------------------------------------------------------------------


class Job(models.Model):
    """A Celery-run job. The row, not the result backend, holds progress and per-record errors."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        PARTIAL = "partial"
        FAILED = "failed"
        CANCELLED = "cancelled"

    FINISHED = (Status.SUCCEEDED, Status.PARTIAL, Status.FAILED, Status.CANCELLED)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    format = models.CharField(max_length=32, blank=True)
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Records, when known.")
    created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # [{"line": 3, "message": "..."}] or [{"record": 7, "message": "..."}], 1-based.
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    celery_task_id = models.CharField(max_length=64, blank=True)
    # The one runner (annotations.heartbeat): a token claimed by the task that runs the job, and
    # its last sign of life. A running job whose heartbeat is older than JOB_STALE_SECONDS lost
    # its worker, and the sweep queues it again.
    runner = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class ImportJob(Job):
    input_file = models.FileField(upload_to="imports/%Y/%m/%d/", blank=True, max_length=500)
    original_name = models.CharField(max_length=255, blank=True)
    urls = models.JSONField(default=list, blank=True, help_text="URLs or feed URLs to fetch.")
    options = models.JSONField(default=dict, blank=True)
    # Records before this 0-based index are committed; a re-delivered task resumes from here.
    checkpoint = models.PositiveIntegerField(default=0)

    class Meta(Job.Meta):
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.status})"


class ExportJob(Job):
    filters = models.JSONField(default=dict, blank=True)
    scheduled = models.BooleanField(
        default=False, help_text="Started by the periodic export (EXPORT_SCHEDULE_FORMATS)."
    )
    output_file = models.FileField(upload_to="exports/%Y/%m/%d/", blank=True, max_length=500)

    class Meta(Job.Meta):
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Export #{self.pk} ({self.format}, {self.status})"


# --- Articles and sentences ---------------------------------------------------------------------


class Article(TimeStamped):
    class Status(models.TextChoices):
        NEW = "new"
        IN_REVIEW = "in_review"
        REVIEWED = "reviewed"
        ARCHIVED = "archived"

    title = models.CharField(max_length=1000)
    # NULL, not "", for "no URL": the unique constraint must let many URL-less articles in.
    url = models.URLField(max_length=2048, null=True, blank=True)  # noqa: DJ001
    publisher = models.CharField(max_length=255, blank=True)
    authors = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=16, default="en")
    body = models.TextField(help_text="Plain text exactly as split into sentences.")
    content_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_articles",
        db_index=False,  # the (assignee, status) index serves it
    )
    import_job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    metadata = models.JSONField(default=dict, blank=True, help_text="Fields the import kept.")

    class Meta:
        ordering = ["-created_at", "-id"]
        # Constraints and Meta indexes rather than unique=/db_index=: on PostgreSQL those also
        # add a varchar_pattern_ops copy of each index, for LIKE queries we never run, and every
        # index is paid for on each of the thousands of rows an import inserts.
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=Q(url__isnull=False), name="article_url_unique"
            ),
            models.UniqueConstraint(fields=["content_hash"], name="article_content_hash_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["publisher"], name="article_publisher_idx"),
            models.Index(fields=["language"], name="article_language_idx"),
        ]

    def __str__(self) -> str:
        return self.title[:80]

    def save(self, *args, **kwargs) -> None:
        self.content_hash = content_hash(normalise_body(self.body))
        super().save(*args, **kwargs)


class Sentence(models.Model):
    # No index of its own: the (article, position) unique index serves every lookup by article.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="sentences", db_index=False
    )
    position = models.PositiveIntegerField(help_text="0-based order in the article.")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    paragraph = models.PositiveIntegerField(default=0, help_text="0-based paragraph (line).")

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"], name="sentence_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="sentence_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class ArticleSearch(models.Model):
    """An article's full-text search document (PostgreSQL `tsvector`, GIN-indexed).

    Kept apart from `Article` and filled after the article is committed (`annotations.search`):
    computing and indexing it is half the database's work of an import, and reviewers can read
    a new article before it is findable by search, a few seconds later.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="search"
    )
    document = SearchVectorField()

    def __str__(self) -> str:
        return f"search document of article {self.article_id}"


# --- Rating scales ------------------------------------------------------------------------------


class RatingScale(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    best_rating = models.IntegerField(help_text="ClaimReview bestRating.")
    worst_rating = models.IntegerField(help_text="ClaimReview worstRating.")
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(best_rating__gt=F("worst_rating")), name="scale_best_above_worst"
            ),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_scale"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    scale = models.ForeignKey(RatingScale, on_delete=models.CASCADE, related_name="ratings")
    slug = models.SlugField()
    label = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(help_text="Order on the scale, 0 first.")
    # ClaimReview ratingValue; None for ratings outside the numeric range (misleading, ...).
    value = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "slug"], name="rating_slug_unique"),
            models.UniqueConstraint(fields=["scale", "position"], name="rating_position_unique"),
        ]

    def __str__(self) -> str:
        return self.label


# --- Claims, evidence, verdicts -----------------------------------------------------------------


class Claim(TimeStamped, Hideable):
    class Status(models.TextChoices):
        DRAFT = "draft"  # marked, being researched
        SUBMITTED = "submitted"  # a verdict awaits an editor
        PUBLISHED = "published"  # an approved verdict; in the public export
        REJECTED = "rejected"  # the last verdict was sent back
        RETRACTED = "retracted"  # withdrawn after publication, with a correction

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    sentences = models.ManyToManyField(Sentence, related_name="claims", blank=True)
    # W3C TextQuoteSelector: re-anchors the claim when the article text changes.
    quote_exact = models.TextField()
    quote_prefix = models.CharField(max_length=64, blank=True)
    quote_suffix = models.CharField(max_length=64, blank=True)
    claimant = models.CharField(max_length=255, blank=True, help_text="Who made the claim.")
    text = models.TextField(blank=True, help_text="The claim as a checker would phrase it.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims_created"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims_assigned",
    )
    # The approved verdict the public sees; set on approval, kept through later drafts.
    published_verdict = models.ForeignKey(
        "Verdict", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["article", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="claim_start_before_end"),
        ]
        indexes = [
            models.Index(fields=["article", "start"]),
            models.Index(fields=["status", "is_hidden", "updated_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["created_by", "status"]),
        ]

    def __str__(self) -> str:
        return (self.text or self.quote_exact)[:80]


class Source(TimeStamped, Hideable):
    class Stance(models.TextChoices):
        SUPPORTS = "supports"
        REFUTES = "refutes"
        CONTEXT = "context"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(max_length=2048)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    quote = models.TextField(blank=True)
    stance = models.CharField(max_length=16, choices=Stance.choices, default=Stance.CONTEXT)
    accessed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sources_created"
    )

    class Meta:
        ordering = ["claim", "created_at", "id"]

    def __str__(self) -> str:
        return self.title or self.url


class Comment(TimeStamped, Hideable):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField()

    class Meta:
        ordering = ["claim", "created_at", "id"]

    def __str__(self) -> str:
        return self.body[:80]


class Verdict(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft"
        SUBMITTED = "submitted"
        APPROVED = "approved"
        REJECTED = "rejected"
        RETRACTED = "retracted"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="verdicts")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="verdicts")
    explanation = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verdicts_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text="Why an editor rejected it.")

    class Meta:
        ordering = ["claim", "created_at", "id"]
        constraints = [
            # The two-person rule, in the database too: nobody approves their own verdict.
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(reviewed_by=F("author")),
                name="verdict_not_self_approved",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.rating} on claim #{self.claim_id}"


class Correction(models.Model):
    """A public correction note: fact-checkers' codes require corrections to be visible."""

    class Kind(models.TextChoices):
        RETRACTION = "retraction"
        UPDATE = "update"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="corrections")
    verdict = models.ForeignKey(
        Verdict, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    note = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on claim #{self.claim_id}"


# --- Moderation and audit -----------------------------------------------------------------------


class Flag(models.Model):
    class Reason(models.TextChoices):
        WRONG = "wrong"
        DUPLICATE = "duplicate"
        ABUSIVE = "abusive"
        SPAM = "spam"
        PRIVACY = "privacy"
        OTHER = "other"

    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"  # acted on (hidden, retracted)
        DISMISSED = "dismissed"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "created_by"], name="flag_once_per_user"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} flag on {self.content_type.model} #{self.object_id}"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One append-only entry of the audit trail: who did what to which object, and what changed.

    Written by `annotations.audit.record_event`; never updated or deleted.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)  # e.g. "verdict.approved"
    content_type = models.ForeignKey(ContentType, null=True, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(null=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # {"field": [before, after]} for updates; the new values for creations.
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action} #{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")
