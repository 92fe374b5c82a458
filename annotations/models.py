"""The fact-checking domain: articles split into sentences, claims marked on them, sources,
verdicts on a rating scale, the jobs that move articles in and claims out, and moderation.

Offsets are Unicode code points into `Article.body` (Python string indices), as in the W3C
TextPositionSelector; `Claim` also keeps a TextQuoteSelector so it can re-anchor when a body
changes.
"""

import hashlib
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("updated at"))

    class Meta:
        abstract = True


class Hideable(models.Model):
    """Moderators hide content: it leaves the public export and reviewers' views."""

    is_hidden = models.BooleanField(default=False, db_index=True, verbose_name=_("is hidden"))
    hidden_reason = models.TextField(blank=True, verbose_name=_("hidden reason"))
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_at = models.DateTimeField(null=True, blank=True, verbose_name=_("hidden at"))

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A version counter bumped by every save of a stored row: the source of its ETag.

    `updated_at` is no version: two writes in one clock tick share it, and a restored backup or a
    skewed clock can bring an old value back. The counter is bumped in SQL (`version + 1`), so
    two saves never both write the same number, and it is read back after the save.
    """

    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("version"))

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self._state.adding or kwargs.get("force_insert"):
            super().save(*args, **kwargs)
            return
        bumps = self._bumped_fields()
        for name, increment in bumps.items():
            setattr(self, name, increment)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *bumps}
        super().save(*args, **kwargs)
        self.refresh_from_db(fields=list(bumps))

    def _bumped_fields(self) -> dict[str, Combinable]:
        """The counters this save moves, as SQL increments."""
        return {"version": F("version") + 1}


# --- Jobs ---------------------------------------------------------------------------------------


class Job(models.Model):
    """A Celery-run job. The row, not the result backend, holds progress and per-record errors."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job status", "Queued")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        SUCCEEDED = "succeeded", pgettext_lazy("job status", "Succeeded")
        PARTIAL = "partial", pgettext_lazy("job status", "Partial")
        FAILED = "failed", pgettext_lazy("job status", "Failed")
        CANCELLED = "cancelled", pgettext_lazy("job status", "Cancelled")

    FINISHED = (Status.SUCCEEDED, Status.PARTIAL, Status.FAILED, Status.CANCELLED)

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, verbose_name=_("status")
    )
    format = models.CharField(max_length=32, blank=True, verbose_name=_("format"))
    total = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Records, when known."), verbose_name=_("total")
    )
    created = models.PositiveIntegerField(default=0, verbose_name=_("created"))
    duplicates = models.PositiveIntegerField(default=0, verbose_name=_("duplicates"))
    failed = models.PositiveIntegerField(default=0, verbose_name=_("failed"))
    # [{"line": 3, "message": "..."}] or [{"record": 7, "message": "..."}], 1-based.
    errors = models.JSONField(default=list, blank=True, verbose_name=_("errors"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    celery_task_id = models.CharField(max_length=64, blank=True, verbose_name=_("celery task id"))
    # The one runner (annotations.heartbeat): a token claimed by the task that runs the job, and
    # its last sign of life. A running job whose heartbeat is older than JOB_STALE_SECONDS lost
    # its worker, and the sweep queues it again.
    runner = models.CharField(max_length=32, blank=True, verbose_name=_("runner"))
    heartbeat_at = models.DateTimeField(null=True, blank=True, verbose_name=_("heartbeat at"))
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class ImportJob(Job):
    input_file = models.FileField(
        upload_to="imports/%Y/%m/%d/", blank=True, max_length=500, verbose_name=_("input file")
    )
    original_name = models.CharField(max_length=255, blank=True, verbose_name=_("original name"))
    urls = models.JSONField(
        default=list, blank=True, help_text=_("URLs or feed URLs to fetch."), verbose_name=_("URLs")
    )
    options = models.JSONField(default=dict, blank=True, verbose_name=_("options"))
    # Records done. Run in one piece: records before this 0-based index are committed, and a
    # re-delivered task resumes from here. Fanned out into chunks: the chunks' records done.
    checkpoint = models.PositiveIntegerField(default=0, verbose_name=_("checkpoint"))
    updated = models.PositiveIntegerField(
        default=0,
        verbose_name=_("updated"),
        help_text=_("Stored URLs that came with a new text: recorded as revisions."),
    )
    # Fan-out (annotations.importing.chunks): chunks cut so far, chunks ended, whether every chunk
    # is cut (from then on the chunks own the job, and whoever ends the last one ends the job),
    # why the job stops early (a budget a chunk spent; the other chunks stop too), and why the
    # input could not be read past the chunks cut (those still run; the job ends partial). The
    # two reasons are stored as job errors are (jobmessages.error_entry: the English message, its
    # msgid and params), and become the job's last errors when it ends; {} when there is none.
    chunks_cut = models.PositiveIntegerField(default=0, verbose_name=_("chunks cut"))
    chunks_ended = models.PositiveIntegerField(default=0, verbose_name=_("chunks ended"))
    fanned_out = models.BooleanField(default=False, verbose_name=_("fanned out"))
    stopped = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("stopped"),
        help_text=_("Why the import stops early: a budget one of its chunks spent."),
    )
    read_error = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("read error"),
        help_text=_("Why the input stopped being read."),
    )

    class Meta(Job.Meta):
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.status})"


class ImportChunk(models.Model):
    """IMPORT_CHUNK_SIZE consecutive records of an import, run by any worker on any machine
    (annotations.importing.chunks): the unit of retry. Its records are in the row (`payload`:
    zlib-compressed JSON), so workers share the database, not the disk. The same runner, heartbeat
    and sweep as a job (annotations.heartbeat)."""

    Status = Job.Status

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("import job")
    )
    index = models.PositiveIntegerField(
        verbose_name=_("index"), help_text=_("0 for the first chunk, then 1, 2, ...")
    )
    first = models.PositiveIntegerField(
        verbose_name=_("first record"), help_text=_("The 0-based number of its first record.")
    )
    size = models.PositiveIntegerField(verbose_name=_("size"), help_text=_("Records in the chunk."))
    payload = models.BinaryField(
        verbose_name=_("payload"), help_text=_("Its records; emptied once the chunk has ended.")
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, verbose_name=_("status")
    )
    attempts = models.PositiveIntegerField(
        default=0, verbose_name=_("attempts"), help_text=_("Times a runner claimed it.")
    )
    runner = models.CharField(max_length=32, blank=True, verbose_name=_("runner"))
    heartbeat_at = models.DateTimeField(null=True, blank=True, verbose_name=_("heartbeat at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    # Records of this chunk done: whole batches, committed with their articles.
    checkpoint = models.PositiveIntegerField(default=0, verbose_name=_("checkpoint"))
    created = models.PositiveIntegerField(default=0, verbose_name=_("created"))
    updated = models.PositiveIntegerField(default=0, verbose_name=_("updated"))
    duplicates = models.PositiveIntegerField(default=0, verbose_name=_("duplicates"))
    failed = models.PositiveIntegerField(default=0, verbose_name=_("failed"))
    # The chunk's record errors as the job's (jobmessages.error_entry), and, if it failed, its
    # failure: an entry with "chunk" (its index).
    errors = models.JSONField(default=list, blank=True, verbose_name=_("errors"))

    class Meta:
        verbose_name = _("import chunk")
        verbose_name_plural = _("import chunks")
        ordering = ["job_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="import_chunk_job_index_unique")
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"Import #{self.job_id} chunk {self.index} ({self.status})"


class ExportJob(Job):
    filters = models.JSONField(default=dict, blank=True, verbose_name=_("filters"))
    scheduled = models.BooleanField(
        default=False,
        help_text=_("Started by the periodic export (EXPORT_SCHEDULE_FORMATS)."),
        verbose_name=_("scheduled"),
    )
    output_file = models.FileField(
        upload_to="exports/%Y/%m/%d/", blank=True, max_length=500, verbose_name=_("output file")
    )

    class Meta(Job.Meta):
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Export #{self.pk} ({self.format}, {self.status})"


# --- Articles and sentences ---------------------------------------------------------------------


class Article(TimeStamped):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("article status", "New")
        IN_REVIEW = "in_review", pgettext_lazy("article status", "In review")
        REVIEWED = "reviewed", pgettext_lazy("article status", "Reviewed")
        ARCHIVED = "archived", pgettext_lazy("article status", "Archived")

    title = models.CharField(max_length=1000, verbose_name=_("title"))
    # NULL, not "", for "no URL": the unique constraint must let many URL-less articles in.
    url = models.URLField(max_length=2048, null=True, blank=True, verbose_name=_("URL"))  # noqa: DJ001
    publisher = models.CharField(max_length=255, blank=True, verbose_name=_("publisher"))
    authors = models.JSONField(default=list, blank=True, verbose_name=_("authors"))
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("published at")
    )
    language = models.CharField(max_length=16, default="en", verbose_name=_("language"))
    body = models.TextField(
        help_text=_("Plain text exactly as split into sentences."), verbose_name=_("body")
    )
    content_hash = models.CharField(max_length=64, editable=False, verbose_name=_("content hash"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.NEW, verbose_name=_("status")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_articles",
        db_index=False,
        verbose_name=_("assignee"),  # the (assignee, status) index serves it
    )
    import_job = models.ForeignKey(
        ImportJob,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("import job"),
    )
    metadata = models.JSONField(
        default=dict, blank=True, help_text=_("Fields the import kept."), verbose_name=_("metadata")
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
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


class ArticleChange(models.Model):
    """A note that SQL statements changed what the reviewer's page of an article shows.

    Written by PostgreSQL triggers (migration 0017), not by Python: every INSERT, UPDATE and
    DELETE of the article, its sentences, its claims, their sentence links and verdicts, and its
    revisions adds a row here (`changes` 1), whoever runs it (a service, a bulk update, the
    importer's COPY, a shell). A user's name and a rating's label are shown on many articles, so
    changing them adds a row with no article. The sum of an article's `changes` is its page's
    version (`annotations.article_page.article_versions`). Rows are added, and folded by
    `annotations.article_changes.compact_article_changes` into one row carrying their sum in the
    transaction that deletes them, so the sum moves with every committed change and never
    returns to an earlier value. Adding a row takes no lock a concurrent writer could wait on, as
    bumping a counter would.
    """

    # No foreign key: a statement deleting an article's claims is noted before the article goes.
    article_id = models.BigIntegerField(null=True, blank=True)
    # A database default: the triggers insert only the article.
    changes = models.IntegerField(
        db_default=1, help_text="statements noted: 1, or the sum of the rows folded into this one"
    )

    class Meta:
        indexes = [models.Index(fields=["article_id"], name="article_change_article_idx")]

    def __str__(self) -> str:
        return f"{self.changes} change(s) of article #{self.article_id}"


class ClaimType(models.TextChoices):
    """What kind of claim a sentence makes (annotations.triage.CLAIM_TYPES)."""

    QUANTITY = "quantity", _("quantity")
    COMPARISON_OR_CHANGE = "comparison_or_change", _("comparison or change")
    ATTRIBUTION = "attribution", _("attribution of a fact")
    PREDICTION = "prediction", _("prediction")
    PERSONAL_EXPERIENCE = "personal_experience", _("personal experience")
    OTHER = "other", _("other")


class ArticleRevision(models.Model):
    """One text of an article. Articles get revisions when their text first changes: revision 1
    is then the text they had, and the article's `body` is always the newest revision's."""

    class Source(models.TextChoices):
        # the text as first imported or created
        ORIGINAL = "original", pgettext_lazy("revision source", "Original")
        REFETCH = "refetch", pgettext_lazy("revision source", "Refetch")
        UPLOAD = "upload", pgettext_lazy("revision source", "Upload")
        API = "api", pgettext_lazy("revision source", "Api")
        # an import brought a stored URL with a new text
        IMPORT = "import", pgettext_lazy("revision source", "Import")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text=_("1 for the first text, then 2, 3, ..."))
    body = models.TextField()
    content_hash = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=Source.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of article #{self.article_id}"


class CurrentSentenceManager(models.Manager):
    """The sentences of each article's current text. Older revisions' sentences are kept (with
    `revision` set) but every existing read path (`article.sentences`, prefetches, claims'
    sentences) means the current text, so the default manager leaves them out."""

    def get_queryset(self):
        return super().get_queryset().filter(revision__isnull=True)


class Sentence(models.Model):
    # No index of its own: the (article, revision, position) unique index, led by the article,
    # serves every lookup by article, the foreign key's checks on deleting an article included.
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="sentences",
        db_index=False,
        verbose_name=_("article"),
    )
    # NULL: a sentence of the current text. Set when the article gets a newer revision.
    revision = models.ForeignKey(
        ArticleRevision,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sentences",
        db_index=False,
        verbose_name=_("revision"),  # the (revision, position) unique index serves it
    )
    position = models.PositiveIntegerField(
        help_text=_("0-based order in the article."), verbose_name=_("position")
    )
    start = models.PositiveIntegerField(verbose_name=_("start"))
    end = models.PositiveIntegerField(verbose_name=_("end"))
    text = models.TextField(verbose_name=_("text"))
    paragraph = models.PositiveIntegerField(
        default=0, help_text=_("0-based paragraph (line)."), verbose_name=_("paragraph")
    )
    # Filled after import by the `score_sentences` task (annotations.scoring); null until then.
    checkworthiness = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("0..1: how much the sentence calls for a fact check."),
        verbose_name=_("checkworthiness"),
    )
    # db_default too: the importer COPYs sentences naming only the columns it fills.
    claim_type = models.CharField(
        max_length=24,
        choices=ClaimType.choices,
        blank=True,
        default="",
        db_default="",
        verbose_name=_("claim type"),
    )

    objects = CurrentSentenceManager()
    # DJ012 takes a second manager for a field; it is the manager of every revision's sentences.
    all_revisions = models.Manager()  # noqa: DJ012

    class Meta:
        verbose_name = _("sentence")
        verbose_name_plural = _("sentences")
        ordering = ["article", "position"]
        indexes = [
            # The top sentences across articles (GET /api/v1/sentences/); unscored ones never
            # rank, so they stay out of the index.
            # Current text only, as every read of sentences is (CurrentSentenceManager).
            models.Index(
                F("checkworthiness").desc(),
                F("id").desc(),
                name="sentence_checkworthiness_idx",
                condition=Q(checkworthiness__isnull=False, revision__isnull=True),
            ),
        ]
        base_manager_name = "all_revisions"
        constraints = [
            # One position per article's current text (revision NULL, counted as 0) and per
            # revision. Not partial: an index with a condition cannot serve the foreign key's
            # check `article_id = $1` when an article is deleted, which then read the whole
            # table once per article (60 ms each at 800,000 sentences); a separate index on the
            # article would cost every import a third more COPY time.
            models.UniqueConstraint(
                F("article"),
                Coalesce(F("revision"), 0),
                F("position"),
                name="sentence_position_unique",
            ),
            models.UniqueConstraint(
                fields=["revision", "position"],
                condition=Q(revision__isnull=False),
                name="sentence_revision_position_unique",
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="sentence_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class ArticleFetchState(models.Model):
    """The periodic re-fetch of an article's URL: validators for a conditional GET and back-off."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="fetch_state"
    )
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(db_index=True, default=timezone.now)
    # Checks in a row that found nothing new (or failed): each doubles the wait, up to a cap.
    unchanged_runs = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"re-fetch of article #{self.article_id}"


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
    slug = models.SlugField(unique=True, verbose_name=_("slug"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    best_rating = models.IntegerField(
        help_text=_("ClaimReview bestRating."), verbose_name=_("best rating")
    )
    worst_rating = models.IntegerField(
        help_text=_("ClaimReview worstRating."), verbose_name=_("worst rating")
    )
    is_default = models.BooleanField(default=False, verbose_name=_("is default"))

    class Meta:
        verbose_name = _("rating scale")
        verbose_name_plural = _("rating scales")
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
    scale = models.ForeignKey(
        RatingScale, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("scale")
    )
    slug = models.SlugField(verbose_name=_("slug"))
    label = models.CharField(max_length=100, verbose_name=_("label"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    position = models.PositiveSmallIntegerField(
        help_text=_("Order on the scale, 0 first."), verbose_name=_("position")
    )
    # ClaimReview ratingValue; None for ratings outside the numeric range (misleading, ...).
    value = models.IntegerField(null=True, blank=True, verbose_name=_("value"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "slug"], name="rating_slug_unique"),
            models.UniqueConstraint(fields=["scale", "position"], name="rating_position_unique"),
        ]

    def __str__(self) -> str:
        return self.label


# --- Claims, evidence, verdicts -----------------------------------------------------------------


class AnchorStatus(models.TextChoices):
    # the checked text, where the claim says
    ANCHORED = "anchored", pgettext_lazy("anchor status", "Anchored")
    # similar text at the new place: re-review
    CHANGED = "changed", pgettext_lazy("anchor status", "Changed")
    # gone from the newest text; kept with its old text and span
    ORPHANED = "orphaned", pgettext_lazy("anchor status", "Orphaned")


class Claim(TimeStamped, Hideable, Versioned):
    AnchorStatus = AnchorStatus

    class Status(models.TextChoices):
        # marked, being researched
        DRAFT = "draft", pgettext_lazy("claim status", "Draft")
        # a verdict awaits an editor
        SUBMITTED = "submitted", pgettext_lazy("claim status", "Submitted")
        # an approved verdict; in the public export
        PUBLISHED = "published", pgettext_lazy("claim status", "Published")
        # the last verdict was sent back
        REJECTED = "rejected", pgettext_lazy("claim status", "Rejected")
        # withdrawn after publication, with a correction
        RETRACTED = "retracted", pgettext_lazy("claim status", "Retracted")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="claims", verbose_name=_("article")
    )
    start = models.PositiveIntegerField(verbose_name=_("start"))
    end = models.PositiveIntegerField(verbose_name=_("end"))
    sentences = models.ManyToManyField(
        Sentence, related_name="claims", blank=True, verbose_name=_("sentences")
    )
    # W3C TextQuoteSelector: re-anchors the claim when the article text changes.
    quote_exact = models.TextField(verbose_name=_("quote exact"))
    quote_prefix = models.CharField(max_length=64, blank=True, verbose_name=_("quote prefix"))
    quote_suffix = models.CharField(max_length=64, blank=True, verbose_name=_("quote suffix"))
    claimant = models.CharField(
        max_length=255, blank=True, help_text=_("Who made the claim."), verbose_name=_("claimant")
    )
    text = models.TextField(
        blank=True, help_text=_("The claim as a checker would phrase it."), verbose_name=_("text")
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="claims_created",
        verbose_name=_("created by"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims_assigned",
        verbose_name=_("assignee"),
    )
    # The approved verdict the public sees; set on approval, kept through later drafts.
    published_verdict = models.ForeignKey(
        "Verdict",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("published verdict"),
    )
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    # What an editor reviews besides the verdict: the span, the wording and the sources. Bumped
    # when one of REVIEWED_FIELDS changes and by every change to one of its sources, so an
    # approval made on an older reading is refused (the verdict's ETag carries it).
    review_version = models.PositiveIntegerField(
        default=1, editable=False, verbose_name=_("review version")
    )

    REVIEWED_FIELDS = ("start", "end", "quote_exact", "claimant", "text")
    # "Same claim as": a reviewer's link to an earlier fact-check, ours or another checker's.
    same_as = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        verbose_name=_("same as"),
    )
    same_as_external = models.ForeignKey(
        "ExternalFactCheck",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        verbose_name=_("same as external"),
    )
    # Living articles (annotations.revisions): where the claim stands on the article's newest
    # text. `start`/`end` index the current body, except for an orphaned claim, whose span stays
    # on `anchor_revision`'s text with its quote. `anchor_previous` is the span before the last
    # move ({"revision", "start", "end", "text"}) for the desk's before/after view.
    anchor_status = models.CharField(
        max_length=16,
        choices=AnchorStatus.choices,
        default=AnchorStatus.ANCHORED,
        verbose_name=_("anchor status"),
    )
    anchor_revision = models.ForeignKey(
        ArticleRevision,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("anchor revision"),
    )
    anchor_previous = models.JSONField(default=dict, blank=True, verbose_name=_("anchor previous"))
    # When a revision last changed or removed the claim's text; never cleared, so a published
    # check says "the article changed after this check" even once the new anchor is accepted.
    text_changed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("text changed at"))

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["article", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="claim_start_before_end"),
        ]
        # Search (annotations.search.CLAIM_SEARCH_FIELDS) has GIN trigram indexes on
        # UPPER(column), PostgreSQL only, so they live in migration 0007, not here.
        indexes = [
            models.Index(fields=["article", "start"]),
            models.Index(fields=["status", "is_hidden", "updated_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["created_by", "status"]),
            # Small: only the claims a revision moved, for the desk's "changed" lists.
            models.Index(
                fields=["anchor_status"],
                condition=~Q(anchor_status="anchored"),
                name="claim_anchor_attention_idx",
            ),
        ]

    def __str__(self) -> str:
        return (self.text or self.quote_exact)[:80]

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self._reviewed_as_loaded = self._reviewed_values()

    @classmethod
    def from_db(cls, db, field_names, values):
        claim = super().from_db(db, field_names, values)
        claim._reviewed_as_loaded = claim._reviewed_values()
        return claim

    def _reviewed_values(self) -> tuple | None:
        loaded = self.__dict__
        if any(name not in loaded for name in self.REVIEWED_FIELDS):
            return None  # deferred: unknown, so any save counts as a change
        return tuple(loaded[name] for name in self.REVIEWED_FIELDS)

    def _bumped_fields(self) -> dict[str, Combinable]:
        bumps = super()._bumped_fields()
        before = getattr(self, "_reviewed_as_loaded", None)
        if before is None or before != self._reviewed_values():
            bumps["review_version"] = F("review_version") + 1
        return bumps


class Source(TimeStamped, Hideable, Versioned):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", pgettext_lazy("source stance", "Supports")
        REFUTES = "refutes", pgettext_lazy("source stance", "Refutes")
        CONTEXT = "context", pgettext_lazy("source stance", "Context")

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="sources", verbose_name=_("claim")
    )
    url = models.URLField(max_length=2048, verbose_name=_("URL"))
    title = models.CharField(max_length=500, blank=True, verbose_name=_("title"))
    publisher = models.CharField(max_length=255, blank=True, verbose_name=_("publisher"))
    quote = models.TextField(blank=True, verbose_name=_("quote"))
    stance = models.CharField(
        max_length=16, choices=Stance.choices, default=Stance.CONTEXT, verbose_name=_("stance")
    )
    accessed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accessed at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sources_created",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["claim", "created_at", "id"]

    def __str__(self) -> str:
        return self.title or self.url

    # Every change to a source (added, edited, hidden, shown, removed) is a change to what an
    # editor reviews on its claim: it moves the claim's review version, from any caller.
    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        Claim.objects.filter(pk=self.claim_id).update(review_version=F("review_version") + 1)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        claim_id = self.claim_id
        result = super().delete(*args, **kwargs)
        Claim.objects.filter(pk=claim_id).update(review_version=F("review_version") + 1)
        return result


class Comment(TimeStamped, Hideable):
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="comments", verbose_name=_("claim")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("author"),
    )
    body = models.TextField(verbose_name=_("body"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["claim", "created_at", "id"]

    def __str__(self) -> str:
        return self.body[:80]


class Verdict(TimeStamped, Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("verdict status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("verdict status", "Submitted")
        APPROVED = "approved", pgettext_lazy("verdict status", "Approved")
        REJECTED = "rejected", pgettext_lazy("verdict status", "Rejected")
        RETRACTED = "retracted", pgettext_lazy("verdict status", "Retracted")

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="verdicts", verbose_name=_("claim")
    )
    # A correction of a published claim proposes its new wording, span and sources here; they
    # apply when an editor approves the verdict (annotations.services.corrections).
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("changes"))
    rating = models.ForeignKey(
        Rating, on_delete=models.PROTECT, related_name="verdicts", verbose_name=_("rating")
    )
    explanation = models.TextField(verbose_name=_("explanation"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="verdicts",
        verbose_name=_("author"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.SUBMITTED, verbose_name=_("status")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verdicts_reviewed",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    review_note = models.TextField(
        blank=True, help_text=_("Why an editor rejected it."), verbose_name=_("review note")
    )

    class Meta:
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")
        ordering = ["claim", "created_at", "id"]
        constraints = [
            # The two-person rule, in the database too: nobody approves their own verdict.
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(reviewed_by=F("author")),
                name="verdict_not_self_approved",
            ),
            # ... nor rejects it. (That the approver wrote none of the claim is checked by a
            # trigger: it spans tables; see migration 0007.)
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reviewed_by=F("author")),
                name="verdict_not_self_rejected",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.rating} on claim #{self.claim_id}"


class ClaimContributor(models.Model):
    """Someone who wrote or changed a claim's span, wording or sources.

    The two-person rule reads it: nobody approves a verdict on a claim they helped write
    (a PostgreSQL trigger refuses it too). Rows are only added, once per person and claim.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="contributors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "user"], name="claim_contributor_once")
        ]

    def __str__(self) -> str:
        return f"user #{self.user_id} on claim #{self.claim_id}"


class Correction(models.Model):
    """A public correction note: fact-checkers' codes require corrections to be visible."""

    class Kind(models.TextChoices):
        RETRACTION = "retraction", pgettext_lazy("correction kind", "Retraction")
        UPDATE = "update", pgettext_lazy("correction kind", "Update")

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("claim")
    )
    verdict = models.ForeignKey(
        Verdict,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
        verbose_name=_("verdict"),
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    note = models.TextField(verbose_name=_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["claim", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on claim #{self.claim_id}"


# --- Moderation and audit -----------------------------------------------------------------------


class Flag(models.Model):
    class Reason(models.TextChoices):
        WRONG = "wrong", pgettext_lazy("flag reason", "Wrong")
        DUPLICATE = "duplicate", pgettext_lazy("flag reason", "Duplicate")
        ABUSIVE = "abusive", pgettext_lazy("flag reason", "Abusive")
        SPAM = "spam", pgettext_lazy("flag reason", "Spam")
        PRIVACY = "privacy", pgettext_lazy("flag reason", "Privacy")
        OTHER = "other", pgettext_lazy("flag reason", "Other")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("flag status", "Open")
        # acted on (hidden, retracted)
        RESOLVED = "resolved", pgettext_lazy("flag status", "Resolved")
        DISMISSED = "dismissed", pgettext_lazy("flag status", "Dismissed")

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(max_length=16, choices=Reason.choices, verbose_name=_("reason"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="flags",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    resolution_note = models.TextField(blank=True, verbose_name=_("resolution note"))

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(
        max_length=64, db_index=True, verbose_name=_("action")
    )  # e.g. "verdict.approved"
    content_type = models.ForeignKey(
        ContentType, null=True, on_delete=models.PROTECT, verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(null=True, verbose_name=_("object id"))
    object_repr = models.CharField(max_length=200, blank=True, verbose_name=_("object repr"))
    # {"field": [before, after]} for updates; the new values for creations.
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("changes"))
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
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


# --- Claim memory -------------------------------------------------------------------------------


class ExternalFactCheck(TimeStamped):
    """Another fact-checker's published check (a ClaimReview), imported to match claims against."""

    claim_text = models.TextField()
    claimant = models.CharField(max_length=255, blank=True)
    rating_text = models.CharField(max_length=255, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=2048)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    import_job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="fact_checks"
    )

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            # One row per review of one claim: a ClaimReview page may review several claims.
            models.UniqueConstraint(fields=["url", "claim_text"], name="external_check_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.claim_text[:60]}"


class Embedding(models.Model):
    """A text's vector under one model (float16 bytes); pgvector is not available here."""

    model_id = models.CharField(max_length=64)
    vector = models.BinaryField()
    text_hash = models.CharField(max_length=64, help_text=_("sha256 of the text embedded."))
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.model_id} vector"


class ClaimEmbedding(Embedding):
    claim = models.OneToOneField(
        Claim, primary_key=True, on_delete=models.CASCADE, related_name="embedding"
    )


class SentenceEmbedding(Embedding):
    sentence = models.OneToOneField(
        Sentence, primary_key=True, on_delete=models.CASCADE, related_name="embedding"
    )


class ExternalFactCheckEmbedding(Embedding):
    fact_check = models.OneToOneField(
        ExternalFactCheck, primary_key=True, on_delete=models.CASCADE, related_name="embedding"
    )


class ClaimMatch(models.Model):
    """An earlier fact-check similar to a claim or a sentence, found by the models worker.

    Suggestions only: a match never copies a verdict; a reviewer may link the claim (`same_as`).
    """

    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    sentence = models.ForeignKey(
        Sentence, null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    matched_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    matched_external = models.ForeignKey(
        ExternalFactCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()
    model_id = models.CharField(max_length=64)
    differences = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(claim__isnull=False, sentence__isnull=True)
                | Q(claim__isnull=True, sentence__isnull=False),
                name="match_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(matched_claim__isnull=False, matched_external__isnull=True)
                | Q(matched_claim__isnull=True, matched_external__isnull=False),
                name="match_one_target",
            ),
        ]
        indexes = [
            # The sentence's lookups use its foreign key's own index (a second one on the
            # same column only slowed every insert).
            models.Index(fields=["claim", "-score"], name="match_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"match {self.score:.3f}"


# --- Idempotent writes --------------------------------------------------------------------------


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key` header, replayed to repeats.

    Kept in the database, not in a worker's memory, so a retry that lands on another gunicorn
    worker still finds it; `annotations.api.idempotency` writes and reads it. Rows older than
    `IDEMPOTENCY_TTL` count as absent and are purged as the same user sends new keys.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of the method, path and body: the same key with another request is refused.
    request_hash = models.CharField(max_length=64)
    # Null while the first request is still running (its transaction holds the row locked).
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="idempotency_user_age_idx")]

    def __str__(self) -> str:
        return f"idempotency key {self.key!r}"


class CheckworthinessModel(models.Model):
    """A check-worthiness classifier learned from the desk's own history (annotations.learning).

    Logistic regression on a sentence's vector (from `vector_model_id`) plus the heuristic's
    features. At most one is active: scoring uses it, else the heuristic. A model becomes active
    only when it beat the heuristic on the newest checked articles (held out); `note` says why
    it is or is not active.
    """

    trained_at = models.DateTimeField(default=timezone.now, db_index=True)
    vector_model_id = models.CharField(max_length=64, help_text=_("Embedder of the vectors used."))
    weights = models.JSONField(help_text=_("bias, heuristic feature weights, vector weights."))
    training_articles = models.PositiveIntegerField()
    training_sentences = models.PositiveIntegerField()
    training_positives = models.PositiveIntegerField()
    holdout_articles = models.PositiveIntegerField()
    holdout_precision_at_5 = models.FloatField()
    heuristic_precision_at_5 = models.FloatField()
    is_active = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="checkworthiness_one_active_model",
            )
        ]

    def __str__(self) -> str:
        return f"check-worthiness model {self.trained_at:%Y-%m-%d %H:%M}"
