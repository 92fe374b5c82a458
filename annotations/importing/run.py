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
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from annotations.audit import record_event
from annotations.models import Article, ImportJob, Sentence, content_hash, normalise_body
from annotations.segmentation import split_sentences
from annotations.services import build_sentences

from . import formats, web
from .fetch import FetchError, fetch
from .formats import ArticleRecord, InputError, Item, Limits, RecordError

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
    for batch in _batches(remaining, settings.IMPORT_BATCH_SIZE):
        if not _save_batch(job, batch):
            return


def _save_batch(job: ImportJob, batch: list[Item]) -> bool:
    """Fetch, split and store one batch; False when the job was cancelled."""
    failures: list[dict] = []
    known_urls = _existing_urls([item.fetch_url for item in batch if item.fetch_url])
    duplicates = sum(1 for item in batch if item.fetch_url in known_urls)
    rows = []
    for item, outcome in zip(batch, _resolve(batch, skip=known_urls), strict=True):
        if isinstance(outcome, str):
            failures.append({**item.ref, "message": outcome})
        elif outcome is not None:
            body = normalise_body(outcome.body)
            if not body.strip():
                failures.append({**item.ref, "message": "The article has no text."})
            else:
                rows.append(_Row(item.ref, outcome, body, content_hash(body)))
    for attempt in range(3):
        try:
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.status == Status.CANCELLED:
                    return False
                if locked.checkpoint != job.checkpoint:
                    raise AnotherRunnerError
                created, repeated = _store(job, rows)
                job.checkpoint += len(batch)
                job.created += created
                job.duplicates += duplicates + repeated
                job.failed += len(failures)
                room = settings.IMPORT_MAX_ERRORS - len(job.errors)
                job.errors = job.errors + failures[: max(room, 0)]
                job.save(update_fields=["checkpoint", "created", "duplicates", "failed", "errors"])
            return True
        except IntegrityError:
            # Another job stored one of these articles between our check and our insert: the
            # batch rolled back whole; its next attempt counts that article as a duplicate.
            if attempt == 2:
                raise
    return True


def _existing_urls(urls: list[str]) -> set[str]:
    if not urls:
        return set()
    return set(Article.objects.filter(url__in=urls).values_list("url", flat=True))


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
    digests = {row.digest for row in rows}
    urls = {row.record.url for row in rows if row.record.url}
    seen = set(
        itertools.chain.from_iterable(
            Article.objects.filter(Q(content_hash__in=digests) | Q(url__in=urls)).values_list(
                "content_hash", "url"
            )
        )
    )
    articles = []
    for row in rows:
        if row.digest in seen or (row.record.url and row.record.url in seen):
            continue
        seen.update((row.digest, row.record.url))
        record = row.record
        articles.append(
            Article(
                title=record.title.strip()[:1000] or "(untitled)",
                body=row.body,
                content_hash=row.digest,
                url=record.url or None,
                publisher=record.publisher,
                authors=record.authors,
                published_at=record.published_at,
                language=record.language,
                metadata=record.metadata,
                import_job=job,
            )
        )
    Article.objects.bulk_create(articles)
    _insert_sentences(articles)
    return len(articles), len(rows) - len(articles)


def _insert_sentences(articles: list[Article]) -> None:
    if connection.vendor != "postgresql":
        sentences = itertools.chain.from_iterable(build_sentences(a) for a in articles)
        Sentence.objects.bulk_create(sentences, batch_size=500)
        return
    # COPY is several times faster than a multi-row INSERT for the many small sentence rows.
    fields = [Sentence._meta.get_field(name) for name in ("article", "position", "start", "end")]
    fields += [Sentence._meta.get_field("text"), Sentence._meta.get_field("paragraph")]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Sentence._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        # The rows build_sentences would build, as tuples: measured, creating ~27 Sentence
        # instances per article cost three times the splitting itself.
        for article in articles:
            for position, span in enumerate(split_sentences(article.body, article.language)):
                copy.write_row(
                    (article.pk, position, span.start, span.end, span.text, span.paragraph)
                )


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
