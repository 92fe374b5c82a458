"""The write side of an import: one batch's articles and sentences and the job's progress, in
one transaction.

Each batch's transaction saves its new articles with all their sentences AND moves the job's
counters, `checkpoint` and heartbeat forward. So a worker killed at any instant leaves either a
whole batch or none of it, and the job's next runner resumes at the checkpoint: nothing is lost,
nothing is counted or stored twice. The job row is locked for the batch; a cancel waits for the
batch to commit and the next batch sees it. Duplicates (same URL or same content hash, in the
database or earlier in the same batch) are counted, never stored. A record whose URL is stored
with another text is that article's new revision (`services.revisions.record_revision`, as the
re-fetch records one), counted as `updated`, unless the article had that text before. A record
the database refuses (a value it cannot hold) is that record's error; the rest of its batch is
stored.
"""

import contextlib
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext_noop
from psycopg import Copy
from psycopg.errors import DeadlockDetected
from psycopg.types.json import Jsonb

from annotations import scoring, search
from annotations.jobmessages import JobMessage, error_entry
from annotations.memory import matching
from annotations.models import Article, ArticleRevision, ImportChunk, ImportJob, Sentence
from annotations.segmentation import split_sentences
from annotations.services.revisions import record_revision

from .read import Batch, Row, stored
from .splitting import SENTENCE_COPY_FIELDS

logger = logging.getLogger(__name__)


class AnotherRunnerError(Exception):
    """The job is no longer this runner's: the sweep gave it to another (annotations.heartbeat),
    or its checkpoint moved under us."""


@dataclass(slots=True)
class Stored:
    """What storing rows did: articles created, stored URLs given a new text (updated), rows
    already there (duplicates), and the errors of the rows that could not be stored."""

    created: int = 0
    updated: int = 0
    duplicates: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: "Stored") -> None:
        self.created += other.created
        self.updated += other.updated
        self.duplicates += other.duplicates
        self.refused += other.refused


@dataclass(slots=True)
class Step:
    """One batch handed to a writer: where the checkpoint must stand when it commits, and the
    step before it, whose transaction commits first."""

    batch: Batch
    start: int
    previous: "Step | None"
    inserted: threading.Event = field(default_factory=threading.Event)
    # True once committed, False if the job stops here (the runner sets the step's own future).
    done: Future[bool] = field(default_factory=Future)
    stop: JobMessage | None = None  # why the job stops after this step (a budget), if it does


def save_batch(job: ImportJob, step: Step, *, runner: str, chunk_id: int | None = None) -> bool:
    """Store one batch and move the job on, in one transaction; False when the job stops: it was
    cancelled, or this batch spent its budget (`step.stop` says which).

    The inserts wait until the previous step's are done (so that step, committing, can never wait
    on ours), and the job's row is locked and moved on only once the previous step committed: the
    checkpoint advances batch by batch, in order, with each batch's articles. With `chunk_id`,
    the batch is the chunk's (importing.chunks): the chunk's row holds the runner and the
    checkpoint, and the job's counters move with it.
    """
    one_by_one = False
    conflicts = 0
    try:
        while True:
            try:
                with transaction.atomic():
                    _no_parallel_workers()
                    if step.previous is not None:
                        step.previous.inserted.wait()
                    if one_by_one:
                        outcome = _store_each(job, step.batch.rows)
                    else:
                        outcome = _store(job, step.batch.rows)
                    step.inserted.set()
                    if chunk_id is not None:
                        # After `inserted`: the next batch inserts while these keys are checked,
                        # as it does while a batch in one piece commits (and checks them there).
                        _check_foreign_keys_now()
                    if step.previous is not None and not step.previous.done.result():
                        transaction.set_rollback(True)
                        return False
                    if chunk_id is not None:
                        if not _advance_chunk(job, chunk_id, step, outcome, runner):
                            transaction.set_rollback(True)
                            return False
                        return not step.stop
                    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                    if locked.status == ImportJob.Status.CANCELLED:
                        transaction.set_rollback(True)
                        return False
                    if locked.runner != runner or locked.checkpoint != step.start:
                        raise AnotherRunnerError
                    _advance(locked, step.batch, outcome)
                    step.stop = over_budget(locked)
                return not step.stop
            except OperationalError as exc:
                # Two chunks storing some of the same articles in opposite orders: PostgreSQL
                # ends one transaction; its batch goes again, as after a concurrent insert.
                if not isinstance(exc.__cause__, DeadlockDetected):
                    raise
                conflicts += 1
                logger.info("Import #%s: a batch met a deadlock; again.", job.pk)
                if conflicts == 3 or step.inserted.is_set():
                    raise
            except IntegrityError:
                # Another job, or the previous step, stored one of these articles between our
                # check and our insert: the batch rolled back whole; its next attempt counts it
                # as a duplicate. Not once the next step may be inserting: it could then wait on
                # our second try while we wait on its commit.
                conflicts += 1
                logger.info("Import #%s: a batch met a concurrent insert; again.", job.pk)
                if conflicts == 3 or step.inserted.is_set():
                    raise
            except (InterfaceError, AnotherRunnerError):
                raise
            except Exception:
                # One record the database (or its adapter) refuses: store them one by one, so
                # that record becomes its own error and the others go in.
                if one_by_one or step.inserted.is_set():
                    raise
                one_by_one = True
    finally:
        step.inserted.set()  # even on an error: the next step must not wait forever
        step.previous = None  # done with it: a chain of steps would keep every batch


def _advance(
    job: ImportJob | ImportChunk, batch: Batch, outcome: Stored, *, beat: bool = True
) -> None:
    """Move the (locked) job or chunk past `batch`, counting what it stored and what failed."""
    failures = batch.failures + outcome.refused
    job.checkpoint += batch.size
    job.created += outcome.created
    job.updated += outcome.updated
    job.duplicates += batch.known + outcome.duplicates
    job.failed += len(failures)
    room = settings.IMPORT_MAX_ERRORS - len(job.errors)
    job.errors = job.errors + failures[: max(room, 0)]
    fields = ["checkpoint", "created", "updated", "duplicates", "failed", "errors"]
    if beat:
        job.heartbeat_at = timezone.now()
        fields.append("heartbeat_at")
    job.save(update_fields=fields)


def _advance_chunk(job: ImportJob, chunk_id: int, step: Step, outcome: Stored, runner: str) -> bool:
    """Move the chunk and its job past the step's batch, both rows locked (the chunk's first, as
    everywhere); False when the job was cancelled or stopped meanwhile (roll the batch back)."""
    chunk = ImportChunk.objects.select_for_update(no_key=True).get(pk=chunk_id)
    if chunk.runner != runner or chunk.checkpoint != step.start:
        raise AnotherRunnerError
    # FOR NO KEY UPDATE: each chunk's articles, checked against the job by their foreign key,
    # hold a KEY SHARE lock on its row, which FOR UPDATE would wait for: two chunks deadlocked.
    locked = ImportJob.objects.select_for_update(no_key=True).get(pk=job.pk)
    if locked.status == ImportJob.Status.CANCELLED or locked.stopped:
        return False
    _advance(chunk, step.batch, outcome)
    # The job's heartbeat is its coordinator's until every chunk is cut: a dead coordinator must
    # look dead to the sweep even while its chunks commit.
    _advance(locked, step.batch, outcome, beat=locked.fanned_out)
    step.stop = over_budget(locked)
    if step.stop:
        # For the other chunks (they stop at their next batch) and the job's end.
        locked.stopped = error_entry({}, step.stop)
        locked.save(update_fields=["stopped"])
    return True


def over_budget(job: ImportJob) -> JobMessage | None:
    """Why the job must stop now, or None: too many errors, or too long."""
    factchecks = job.format == "claimreview"
    if job.failed >= settings.IMPORT_MAX_ERRORS:
        return JobMessage(
            gettext_noop(
                "The import stopped after %(errors)s errors (IMPORT_MAX_ERRORS=%(limit)s): is it "
                "the right file and format? The %(created)s fact-checks imported before it are "
                "kept."
            )
            if factchecks
            else gettext_noop(
                "The import stopped after %(errors)s errors (IMPORT_MAX_ERRORS=%(limit)s): is it "
                "the right file and format? The %(created)s articles imported before it are kept."
            ),
            errors=job.failed,
            limit=str(settings.IMPORT_MAX_ERRORS),
            created=job.created,
        )
    started_at = job.started_at or timezone.now()  # set when the job starts running
    if timezone.now() - started_at > timedelta(seconds=settings.IMPORT_MAX_SECONDS):
        return JobMessage(
            gettext_noop(
                "The import stopped after its time budget (IMPORT_MAX_SECONDS=%(limit)s s) at "
                "record %(record)s; the %(created)s fact-checks imported before it are kept."
            )
            if factchecks
            else gettext_noop(
                "The import stopped after its time budget (IMPORT_MAX_SECONDS=%(limit)s s) at "
                "record %(record)s; the %(created)s articles imported before it are kept."
            ),
            limit=f"{settings.IMPORT_MAX_SECONDS:g}",
            record=job.checkpoint,
            created=job.created,
        )
    return None


def _check_foreign_keys_now() -> None:
    """Check the batch's deferred constraints (each sentence's article) now rather than at the
    commit, where the job's row would be locked meanwhile: chunks on other workers wait for
    that lock, and checking the foreign keys is a third of a batch's database time."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _no_parallel_workers() -> None:
    """For this transaction: a batch's lookups are a few hundred index probes, which PostgreSQL
    rates costly enough to hand to parallel workers, and starting those took 20 ms a query."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def _store(job: ImportJob, rows: list[Row]) -> Stored:
    """Insert the new articles of `rows` and their sentences; a stored URL with a new text
    becomes that article's revision (the rare path, one query more when there is one)."""
    if not rows:
        return Stored()
    urls = {row.record.url for row in rows if row.record.url}
    seen = stored(urls=urls, digests={row.digest for row in rows})
    stored_urls = seen & urls  # a URL never equals a content hash
    new: list[Row] = []
    revised: list[Row] = []
    for row in rows:
        url = row.record.url
        if row.digest in seen or (url and url in seen and url not in stored_urls):
            continue
        seen.add(row.digest)
        if url:
            (revised if url in stored_urls else new).append(row)
            stored_urls.discard(url)  # a URL's next record in the input is a duplicate
            seen.add(url)
        else:
            new.append(row)
    if connection.vendor == "postgresql":
        ids = _copy_articles(job, new)
    else:
        ids = _create_articles(job, new)
    search.index_after_commit(ids)
    matching.queue_articles(ids)  # claim memory and check-worthiness, on the models queue
    scoring.queue_scoring(ids)
    outcome = _revise(job, revised) if revised else Stored()
    outcome.created = len(new)
    outcome.duplicates += len(rows) - len(new) - len(revised)
    return outcome


def _revise(job: ImportJob, rows: list[Row]) -> Stored:
    """Record each row's text as a new revision of the stored article with its URL; a text the
    article had before (an older file imported again) is a duplicate, never a way back, and so
    is a URL this job stored itself (a URL repeated in one input: the first record wins,
    whichever batch the next falls in)."""
    articles = dict(
        Article.objects.filter(url__in=[row.record.url for row in rows])
        .exclude(import_job=job)
        .values_list("url", "pk")
    )
    had = set(
        ArticleRevision.objects.filter(
            article_id__in=articles.values(), content_hash__in=[row.digest for row in rows]
        ).values_list("article_id", "content_hash")
    )
    outcome = Stored()
    for row in rows:
        article_id = articles.get(row.record.url)
        if article_id is None or (article_id, row.digest) in had:
            outcome.duplicates += 1  # this job's own, gone meanwhile, or a text it had
            continue
        try:
            with transaction.atomic():
                _, changed = record_revision(
                    article=Article(pk=article_id),
                    body=row.body,
                    source=ArticleRevision.Source.IMPORT,
                    import_job=job,
                )
        except ValidationError as exc:  # the text was stored as another article meanwhile
            outcome.refused.append({**row.ref, "message": " ".join(exc.messages)})
            continue
        if changed:
            outcome.updated += 1
        else:
            outcome.duplicates += 1
    return outcome


def _store_each(job: ImportJob, rows: list[Row]) -> Stored:
    """`_store` one row at a time, each in a savepoint, the rows the database refuses becoming
    their errors."""
    outcome = Stored()
    for row in rows:
        try:
            with transaction.atomic():
                outcome.add(_store(job, [row]))
        except IntegrityError:
            outcome.duplicates += 1  # stored meanwhile by another job: a duplicate
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            logger.warning("Import #%s: %s refused: %r", job.pk, row.ref, exc)
            message = JobMessage(
                gettext_noop("The article could not be stored (%(error)s)."),
                error=f"{type(exc).__name__}: {reason}",
            )
            outcome.refused.append(error_entry(row.ref, message))
    return outcome


def _article_fields(job: ImportJob, row: Row) -> dict[str, Any]:
    record = row.record
    return {
        "title": record.title.strip()[:1000] or "(untitled)",
        "body": row.body,
        "content_hash": row.digest,
        "url": record.url or None,
        "publisher": record.publisher,
        "authors": record.authors,
        "published_at": record.published_at,
        "language": record.language,
        "metadata": record.metadata,
        "import_job_id": job.pk,
    }


def _create_articles(job: ImportJob, rows: list[Row]) -> list[int]:
    """The articles and their sentences by bulk_create: SQLite, the no-server default."""
    articles = Article.objects.bulk_create(Article(**_article_fields(job, row)) for row in rows)
    Sentence.objects.bulk_create(
        (
            Sentence(article=article, position=position, **asdict(span))
            for article, row in zip(articles, rows, strict=True)
            for position, span in enumerate(split_sentences(row.body, row.record.language))
        ),
        batch_size=500,
    )
    return [article.pk for article in articles]


def _copy_articles(job: ImportJob, rows: list[Row]) -> list[int]:
    """`_create_articles` by COPY, for PostgreSQL: several times faster on both sides.

    An import is mostly these two inserts; measured, building model instances (and having
    Django prepare their values) cost more than splitting the articles into sentences.
    """
    if not rows:
        return []
    now = timezone.now()
    # Every column without a default in the database must be here: a new Article field that
    # misses it fails the import tests with a NOT NULL error.
    values = [
        {
            **_article_fields(job, row),
            "id": row.pk,
            "created_at": now,
            "updated_at": now,
            "status": Article.Status.NEW,
        }
        for row in rows
    ]
    for fields in values:
        fields["authors"] = Jsonb(fields["authors"])
        fields["metadata"] = Jsonb(fields["metadata"])
    columns = list(values[0])
    with _copy(Article, columns) as copy:
        for fields in values:
            copy.write_row([fields[name] for name in columns])
    with _copy(Sentence, SENTENCE_COPY_FIELDS) as copy:
        copy.write(b"".join(row.sentence_data for row in rows))
    return [row.pk for row in rows if row.pk is not None]  # every row has its reserved id


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} has no column to COPY into.")
    return field.column


@contextlib.contextmanager
def _copy(model: type[Model], fields: list[str]) -> Iterator[Copy]:
    """A COPY FROM STDIN into `model`'s table, of `fields` in this order.

    psycopg's own cursor runs it, so its errors are translated here into Django's (a unique
    violation into the IntegrityError that save_batch retries on).
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        yield copy
