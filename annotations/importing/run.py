"""run_import(job_id): stream an import job's records into articles, batch by batch.

Each batch is one transaction that saves its new articles with all their sentences AND moves
the job's counters and `checkpoint` forward. So a worker killed at any instant leaves either a
whole batch or none of it, and a re-delivered task resumes at the checkpoint: nothing is lost,
nothing is counted or stored twice. The job row is locked for the batch; a cancel waits for the
batch to commit and the next batch sees it. Duplicates (same URL or same content hash, in the
database or earlier in the same batch) are counted, never stored.
"""

import contextlib
import io
import itertools
import logging
import sys
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import Model
from django.utils import timezone
from psycopg import Copy
from psycopg.types.json import Jsonb

from annotations import scoring, search
from annotations.audit import record_event
from annotations.memory import matching
from annotations.models import Article, ImportJob, Sentence, content_hash, normalise_body
from annotations.segmentation import split_sentences

from . import formats, web
from .fetch import FetchError, fetch
from .records import ArticleRecord, InputError, Item, Limits, RecordError
from .splitting import SENTENCE_COPY_FIELDS, BatchSplitter

logger = logging.getLogger(__name__)

FETCH_THREADS = 8
Status = ImportJob.Status


class AnotherRunnerError(Exception):
    """The job's checkpoint moved under us: a second delivery of the task is running it."""


@dataclass(slots=True)
class _Row:
    ref: dict
    record: ArticleRecord
    body: str
    digest: str
    pk: int | None = None  # reserved before the split, on PostgreSQL
    sentence_data: bytes = b""  # its sentences as COPY rows (importing.splitting), once split


@dataclass(slots=True)
class _Batch:
    """One batch read, fetched and split: everything but the writing."""

    size: int  # items read: the checkpoint moves by this
    rows: list[_Row]
    failures: list[dict]
    known: int  # URLs already imported, not fetched again
    texts: list[tuple[int, str, str]]  # the rows' (pk, body, language), on PostgreSQL
    split: Future | None  # their sentence_data, on PostgreSQL


@dataclass(slots=True)
class _Step:
    """One batch handed to a writer: where the checkpoint must stand when it commits, and the
    step before it, whose transaction commits first."""

    batch: _Batch
    start: int
    previous: "_Step | None"
    inserted: threading.Event = field(default_factory=threading.Event)
    done: Future | None = None  # True once committed, False if the job was cancelled


def run_import(job_id: int, *, task_id: str = "") -> ImportJob:
    """Run import job `job_id` to its end, from its checkpoint. Safe to call twice."""
    job = ImportJob.objects.get(pk=job_id)
    if job.is_finished:
        return job
    ImportJob.objects.filter(pk=job.pk, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.RUNNING,
        started_at=job.started_at or timezone.now(),
        celery_task_id=task_id or job.celery_task_id,
    )
    job.refresh_from_db()
    if job.is_finished:  # cancelled while queued
        return _finish(job)
    input_error = None
    try:
        with _items(job) as items:
            _consume(job, items)
    except InputError as exc:
        input_error = str(exc)
    except AnotherRunnerError:
        logger.warning("Import #%s is being run by another delivery; this one stops.", job.pk)
        return job
    except (OperationalError, InterfaceError):
        raise  # transient: the task retries and resumes from the checkpoint
    except Exception as exc:
        logger.exception("Import #%s stopped", job.pk)
        input_error = f"The import stopped on an unexpected error ({type(exc).__name__})."
    return _finish(job, input_error=input_error)


# --- Input --------------------------------------------------------------------------------------


def limits_from_settings() -> Limits:
    """The parsing limits configured in settings (IMPORT_*)."""
    return Limits(
        max_record_bytes=settings.IMPORT_MAX_RECORD_BYTES,
        zip_max_entries=settings.IMPORT_ZIP_MAX_ENTRIES,
        zip_max_bytes=settings.IMPORT_ZIP_MAX_BYTES,
        zip_max_ratio=settings.IMPORT_ZIP_MAX_RATIO,
    )


@contextlib.contextmanager
def _items(job: ImportJob) -> Iterator[Iterator[Item]]:
    limits = limits_from_settings()
    if job.urls and not job.input_file and job.format == "feed":
        # The feed is fetched once and kept as the job's file, so a resumed job reads the same
        # entries in the same order as the first delivery.
        try:
            fetched = fetch(job.urls[0])
        except FetchError as exc:
            raise InputError(f"The feed {job.urls[0]} could not be fetched: {exc}") from exc
        job.input_file.save("feed.xml", ContentFile(fetched.content), save=False)
        job.save(update_fields=["input_file"])
    if not job.input_file:
        job.total = len(job.urls)
        ImportJob.objects.filter(pk=job.pk).update(total=job.total, format="urls")
        yield web.url_items(job.urls)
        return
    with job.input_file.open("rb") as file:
        stream = file.file if isinstance(file.file, io.IOBase) else file
        if not job.format:
            job.format = formats.detect_format(
                job.original_name or job.input_file.name, file.read(4096)
            )
            stream.seek(0)
            ImportJob.objects.filter(pk=job.pk).update(format=job.format)
        if job.total is None and job.format in ("jsonl", "urls"):
            job.total = sum(1 for line in stream if line.strip() and not line.startswith(b"#"))
            stream.seek(0)
            ImportJob.objects.filter(pk=job.pk).update(total=job.total)
        yield formats.parse(stream, fmt=job.format, limits=limits)


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# --- Batches ------------------------------------------------------------------------------------


def _consume(job: ImportJob, items: Iterator[Item]) -> None:
    remaining = itertools.islice(items, job.checkpoint, None)
    batches = _batches(remaining, settings.IMPORT_BATCH_SIZE)
    # A reader thread reads and fetches the batches and hands each to the splitter (a process of
    # its own); two writer threads, each with its own connection, store them in turn. Batch k+1's
    # inserts run while batch k commits: at the commit PostgreSQL checks every sentence's foreign
    # key, a third of an import's database time. Commits stay in order (see _save_batch).
    # SQLite takes one writer at a time, and inside a transaction (a caller's, a test's) no other
    # connection sees the job: then this thread writes, one batch after the other.
    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
    with (
        BatchSplitter(use_process=settings.IMPORT_SPLIT_IN_PROCESS) as splitter,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-reader") as reader,
        contextlib.ExitStack() as stack,
        _quick_gil_handover(),
    ):
        writers = [
            stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="import-writer"))
            for _ in range(2 if parallel else 0)
        ]
        previous: _Step | None = None
        start = job.checkpoint
        try:
            upcoming = reader.submit(_read_next, batches, splitter)
            for writer in itertools.cycle(writers or [None]):
                batch = upcoming.result()
                if batch is None:
                    break
                upcoming = reader.submit(_read_next, batches, splitter)
                if batch.split is not None:
                    data = splitter.result(batch.split, batch.texts)
                    for row, sentence_data in zip(batch.rows, data, strict=True):
                        row.sentence_data = sentence_data
                step = _Step(batch, start, previous)
                if writer is None:
                    step.done = Future()
                    step.done.set_result(_save_batch(job, step))
                else:
                    step.done = writer.submit(_save_batch, job, step)
                start += batch.size
                # At most two batches in flight: this one, and the one committing before it.
                if previous is not None and not previous.done.result():
                    return
                previous = step
            if previous is not None:
                previous.done.result()
        finally:
            for thread in [reader, *writers]:
                thread.submit(connections.close_all)  # each thread's own connection


@contextlib.contextmanager
def _quick_gil_handover(seconds: float = 0.001) -> Iterator[None]:
    """Shorten the interval after which a thread waiting for the GIL makes the holder let go.

    The writer waits on PostgreSQL dozens of times a batch (each statement, each COPY buffer),
    and each time wants the GIL back from the reader, by default up to 5 ms later: measured,
    that cancelled the overlap. At 1 ms the import took 15% less time.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _read_next(batches: Iterator[list[Item]], splitter: BatchSplitter) -> _Batch | None:
    items = next(batches, None)
    return None if items is None else _read(items, splitter)


def _read(items: list[Item], splitter: BatchSplitter) -> _Batch:
    """Resolve a batch's items into rows ready to store, and the errors of those that failed.
    On PostgreSQL the rows get their ids, and their sentences are being split into COPY data."""
    failures: list[dict] = []
    known_urls = _stored(urls=[item.fetch_url for item in items if item.fetch_url])
    rows = []
    for item, outcome in zip(items, _resolve(items, skip=known_urls), strict=True):
        if isinstance(outcome, str):
            failures.append({**item.ref, "message": outcome})
        elif outcome is not None:
            body = normalise_body(outcome.body)
            if not body.strip():
                failures.append({**item.ref, "message": "The article has no text."})
                continue
            rows.append(_Row(item.ref, outcome, body, content_hash(body)))
    known = sum(1 for item in items if item.fetch_url in known_urls)
    if connection.vendor != "postgresql":
        return _Batch(len(items), rows, failures, known, texts=[], split=None)
    for row, pk in zip(rows, _reserve_article_ids(len(rows)), strict=True):
        row.pk = pk
    texts = [(row.pk, row.body, row.record.language) for row in rows]
    return _Batch(len(items), rows, failures, known, texts, split=splitter.submit(texts))


def _reserve_article_ids(count: int) -> list[int]:
    """`count` ids from the articles' sequence (one a duplicate never uses is a harmless gap)."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Article._meta.db_table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _save_batch(job: ImportJob, step: _Step) -> bool:
    """Store one batch and move the job on, in one transaction; False when it was cancelled.

    The inserts wait until the previous step's are done (so that step, committing, can never wait
    on ours), and the job's row is locked and moved on only once the previous step committed: the
    checkpoint advances batch by batch, in order, with each batch's articles.
    """
    try:
        for attempt in range(3):
            try:
                with transaction.atomic():
                    _no_parallel_workers()
                    if step.previous is not None:
                        step.previous.inserted.wait()
                    created, repeated = _store(job, step.batch.rows)
                    step.inserted.set()
                    if step.previous is not None and not step.previous.done.result():
                        transaction.set_rollback(True)
                        return False
                    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                    if locked.status == Status.CANCELLED:
                        transaction.set_rollback(True)
                        return False
                    if locked.checkpoint != step.start:
                        raise AnotherRunnerError
                    _advance(locked, step.batch, created, repeated)
                return True
            except IntegrityError:
                # Another job, or the previous step, stored one of these articles between our
                # check and our insert: the batch rolled back whole; its next attempt counts it
                # as a duplicate. Not once the next step may be inserting: it could then wait on
                # our second try while we wait on its commit.
                if attempt == 2 or step.inserted.is_set():
                    raise
        return True
    finally:
        step.inserted.set()  # even on an error: the next step must not wait forever
        step.previous = None  # done with it: a chain of steps would keep every batch


def _advance(job: ImportJob, batch: _Batch, created: int, repeated: int) -> None:
    """Move the (locked) job past `batch`, counting what it stored and what failed."""
    job.checkpoint += batch.size
    job.created += created
    job.duplicates += batch.known + repeated
    job.failed += len(batch.failures)
    room = settings.IMPORT_MAX_ERRORS - len(job.errors)
    job.errors = job.errors + batch.failures[: max(room, 0)]
    job.save(update_fields=["checkpoint", "created", "duplicates", "failed", "errors"])


def _no_parallel_workers() -> None:
    """For this transaction: a batch's lookups are a few hundred index probes, which PostgreSQL
    rates costly enough to hand to parallel workers, and starting those took 20 ms a query."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def _stored(*, urls: Iterable[str], digests: Iterable[str] = ()) -> set[str]:
    """Which of these URLs and content hashes the stored articles have: one query.

    Two unordered lookups in a UNION, each on its unique index: the same test as one `OR` query
    that PostgreSQL, its statistics stale right after a bulk load, ran as a sequential scan.
    """
    urls, digests = list(urls), list(digests)
    articles = Article.objects.order_by()
    by_url = articles.filter(url__in=urls).values_list("url", flat=True)
    if not digests:
        return set(by_url) if urls else set()
    by_digest = articles.filter(content_hash__in=digests).values_list("content_hash", flat=True)
    return set(by_digest.union(by_url, all=True) if urls else by_digest)


def _resolve(batch: list[Item], *, skip: set[str]) -> list[ArticleRecord | str | None]:
    """Each item's record, or its error message, or None (an already-imported URL)."""
    to_fetch = [item for item in batch if item.fetch_url and item.fetch_url not in skip]
    pages: dict[int, ArticleRecord | str] = {}
    if to_fetch:
        with ThreadPoolExecutor(max_workers=min(FETCH_THREADS, len(to_fetch))) as pool:
            for item, page in zip(to_fetch, pool.map(_fetch_page, to_fetch), strict=True):
                pages[id(item)] = page
    outcomes: list[ArticleRecord | str | None] = []
    for item in batch:
        if item.error:
            outcomes.append(item.error)
        elif item.fetch_url:
            outcomes.append(pages.get(id(item)))
        else:
            outcomes.append(item.record)
    return outcomes


def _fetch_page(item: Item) -> ArticleRecord | str:
    try:
        page = fetch(item.fetch_url or "")
        record = web.extract_page(page.content, url=page.url)
    except (FetchError, RecordError) as exc:
        return f"{item.fetch_url}: {exc}"
    if record.published_at is None and item.hints.get("published"):
        with contextlib.suppress(RecordError):
            record.published_at = formats.parse_published(item.hints["published"])
    return record


def _store(job: ImportJob, rows: list[_Row]) -> tuple[int, int]:
    """Insert the new articles of `rows` and their sentences; (created, duplicates)."""
    if not rows:
        return 0, 0
    seen = _stored(
        urls={row.record.url for row in rows if row.record.url},
        digests={row.digest for row in rows},
    )
    new: list[_Row] = []
    for row in rows:
        if row.digest in seen or (row.record.url and row.record.url in seen):
            continue
        seen.update((row.digest, row.record.url))
        new.append(row)
    if connection.vendor == "postgresql":
        ids = _copy_articles(job, new)
    else:
        ids = _create_articles(job, new)
    search.index_after_commit(ids)
    matching.queue_articles(ids)
    scoring.queue_scoring(ids)
    return len(new), len(rows) - len(new)


def _article_fields(job: ImportJob, row: _Row) -> dict:
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


def _create_articles(job: ImportJob, rows: list[_Row]) -> list[int]:
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


def _copy_articles(job: ImportJob, rows: list[_Row]) -> list[int]:
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
    return [row.pk for row in rows]


@contextlib.contextmanager
def _copy(model: type[Model], fields: list[str]) -> Iterator[Copy]:
    """A COPY FROM STDIN into `model`'s table, of `fields` in this order.

    psycopg's own cursor runs it, so its errors are translated here into Django's (a unique
    violation into the IntegrityError that _save_batch retries on).
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        yield copy


# --- The end ------------------------------------------------------------------------------------


def _finish(job: ImportJob, *, input_error: str | None = None) -> ImportJob:
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        job.refresh_from_db()
        errors = list(locked.errors)
        if input_error:
            errors.append({"file": job.original_name or "input", "message": input_error})
        hidden = locked.failed - len(locked.errors)
        if hidden > 0:
            errors.append({"message": f"{hidden} more errors are not listed."})
        imported = locked.created + locked.duplicates
        if locked.status == Status.CANCELLED:
            status = Status.CANCELLED
        elif imported == 0:
            # Nothing could be imported: say why, if no error said it already.
            status = Status.FAILED
            if not errors:
                errors.append(
                    {"file": job.original_name or "input", "message": "No articles found."}
                )
        elif locked.failed or input_error:
            status = Status.PARTIAL
        else:
            status = Status.SUCCEEDED
        job.status = status
        job.errors = errors
        job.finished_at = timezone.now()
        if status != Status.CANCELLED:
            job.total = locked.checkpoint
        job.save(update_fields=["status", "errors", "finished_at", "total"])
        search.index_import_after_commit(job.pk)
        record_event(
            actor=job.created_by,
            action="import.finished",
            obj=job,
            changes={
                "status": status,
                "created": job.created,
                "duplicates": job.duplicates,
                "failed": job.failed,
            },
        )
    return job
