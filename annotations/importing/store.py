"""The write side of an import: one batch's articles and sentences and the job's progress, in
one transaction.

Each batch's transaction saves its new articles with all their sentences AND moves the job's
counters, `checkpoint` and heartbeat forward. So a worker killed at any instant leaves either a
whole batch or none of it, and the job's next runner resumes at the checkpoint: nothing is lost,
nothing is counted or stored twice. The job row is locked for the batch; a cancel waits for the
batch to commit and the next batch sees it. Duplicates (same URL or same content hash, in the
database or earlier in the same batch) are counted, never stored. A record the database refuses
(a value it cannot hold) is that record's error; the rest of its batch is stored.
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
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Field, Model
from django.utils import timezone
from psycopg import Copy
from psycopg.errors import DeadlockDetected
from psycopg.types.json import Jsonb

from annotations import scoring, search
from annotations.memory import matching
from annotations.models import Article, ImportChunk, ImportJob, Sentence
from annotations.segmentation import split_sentences

from .read import Batch, Row, stored
from .splitting import SENTENCE_COPY_FIELDS

logger = logging.getLogger(__name__)


class AnotherRunnerError(Exception):
    """The job is no longer this runner's: the sweep gave it to another (annotations.heartbeat),
    or its checkpoint moved under us."""


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
    stop: str = ""  # why the job stops after this step (a budget), if it does


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
                        created, repeated, refused = _store_each(job, step.batch.rows)
                    else:
                        (created, repeated), refused = _store(job, step.batch.rows), []
                    if chunk_id is not None:
                        _check_foreign_keys_now()
                    step.inserted.set()
                    if step.previous is not None and not step.previous.done.result():
                        transaction.set_rollback(True)
                        return False
                    if chunk_id is not None:
                        if not _advance_chunk(
                            job, chunk_id, step, created, repeated, refused, runner
                        ):
                            transaction.set_rollback(True)
                            return False
                        return not step.stop
                    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                    if locked.status == ImportJob.Status.CANCELLED:
                        transaction.set_rollback(True)
                        return False
                    if locked.runner != runner or locked.checkpoint != step.start:
                        raise AnotherRunnerError
                    _advance(locked, step.batch, created, repeated, refused)
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
    job: ImportJob | ImportChunk,
    batch: Batch,
    created: int,
    repeated: int,
    refused: list[dict[str, Any]],
    *,
    beat: bool = True,
) -> None:
    """Move the (locked) job or chunk past `batch`, counting what it stored and what failed."""
    failures = batch.failures + refused
    job.checkpoint += batch.size
    job.created += created
    job.duplicates += batch.known + repeated
    job.failed += len(failures)
    room = settings.IMPORT_MAX_ERRORS - len(job.errors)
    job.errors = job.errors + failures[: max(room, 0)]
    fields = ["checkpoint", "created", "duplicates", "failed", "errors"]
    if beat:
        job.heartbeat_at = timezone.now()
        fields.append("heartbeat_at")
    job.save(update_fields=fields)


def _advance_chunk(
    job: ImportJob,
    chunk_id: int,
    step: Step,
    created: int,
    repeated: int,
    refused: list[dict[str, Any]],
    runner: str,
) -> bool:
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
    _advance(chunk, step.batch, created, repeated, refused)
    # The job's heartbeat is its coordinator's until every chunk is cut: a dead coordinator must
    # look dead to the sweep even while its chunks commit.
    _advance(locked, step.batch, created, repeated, refused, beat=locked.fanned_out)
    step.stop = over_budget(locked)
    if step.stop:
        locked.stopped = step.stop
        locked.save(update_fields=["stopped"])
    return True


def over_budget(job: ImportJob) -> str:
    """Why the job must stop now, or "": too many errors, or too long."""
    what = "fact-checks" if job.format == "claimreview" else "articles"
    kept = f"the {job.created} {what} imported before it are kept"
    if job.failed >= settings.IMPORT_MAX_ERRORS:
        return (
            f"The import stopped after {job.failed} errors (IMPORT_MAX_ERRORS="
            f"{settings.IMPORT_MAX_ERRORS}): is it the right file and format? {kept.capitalize()}."
        )
    started_at = job.started_at or timezone.now()  # set when the job starts running
    if timezone.now() - started_at > timedelta(seconds=settings.IMPORT_MAX_SECONDS):
        return (
            f"The import stopped after its time budget (IMPORT_MAX_SECONDS="
            f"{settings.IMPORT_MAX_SECONDS:g} s) at record {job.checkpoint}; {kept}."
        )
    return ""


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


def _store(job: ImportJob, rows: list[Row]) -> tuple[int, int]:
    """Insert the new articles of `rows` and their sentences; (created, duplicates)."""
    if not rows:
        return 0, 0
    seen = stored(
        urls={row.record.url for row in rows if row.record.url},
        digests={row.digest for row in rows},
    )
    new: list[Row] = []
    for row in rows:
        if row.digest in seen or (row.record.url and row.record.url in seen):
            continue
        seen.add(row.digest)
        if row.record.url:
            seen.add(row.record.url)
        new.append(row)
    if connection.vendor == "postgresql":
        ids = _copy_articles(job, new)
    else:
        ids = _create_articles(job, new)
    search.index_after_commit(ids)
    matching.queue_articles(ids)  # claim memory and check-worthiness, on the models queue
    scoring.queue_scoring(ids)
    return len(new), len(rows) - len(new)


def _store_each(job: ImportJob, rows: list[Row]) -> tuple[int, int, list[dict[str, Any]]]:
    """`_store` one row at a time, each in a savepoint: (created, duplicates, the errors of the
    rows the database refused)."""
    created = repeated = 0
    refused: list[dict[str, Any]] = []
    for row in rows:
        try:
            with transaction.atomic():
                one_created, one_repeated = _store(job, [row])
        except IntegrityError:
            repeated += 1  # stored meanwhile by another job: a duplicate
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            logger.warning("Import #%s: %s refused: %r", job.pk, row.ref, exc)
            message = f"The article could not be stored ({type(exc).__name__}: {reason})."
            refused.append({**row.ref, "message": message})
        else:
            created += one_created
            repeated += one_repeated
    return created, repeated, refused


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
