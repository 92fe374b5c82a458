"""Fan-out: a large import cut into chunks that any number of workers, on any machines, run.

The import's task (run.run_import) is the coordinator. An input of at most IMPORT_CHUNK_SIZE
records it stores itself, as before, with no chunk (a desk's upload of a few articles waits for
no queue). A larger one it reads once, parsing but fetching nothing, and cuts into chunks of
IMPORT_CHUNK_SIZE records: each an `ImportChunk` row holding its records, committed with the
job's `chunks_cut` and queued (`import_chunk`, on the imports queue) as it commits, so workers
start on the first chunk while the coordinator reads on. Then it marks the job `fanned_out`
(the chunks own it from there) and runs, in order, the chunks no worker has claimed yet: beside
other workers it is one more; alone, it runs the whole import without a queue round trip. It
stops cutting once the chunks cut hold IMPORT_MAX_ERRORS unparseable records: the job will stop
on its error budget before it needs another (a bad upload is not copied whole into chunks).

Where the records are: in the row, as zlib-compressed JSON (`payload`, ~3x smaller than the
JSON; emptied when the chunk ends). Workers on several machines share the database and the
broker, not a disk: a byte range of the uploaded file would need MEDIA on shared storage (and
ZIP entries, feeds and HTML have no record-sized byte ranges anyway). JSON, not pickle or
marshal: any worker, whatever its Python, reads it, and nothing in it can run code. URL lists
and feeds are cut as their URLs: the fetching, the slow part, happens in the chunks.

A chunk (run.run_chunk) is claimed like a job (annotations.heartbeat: runner token, heartbeat,
the sweep), and runs the same pipeline as a job in one piece (reader thread, splitting process,
two writer threads) from its own `checkpoint`. Each batch's transaction stores its articles and
moves the chunk (its checkpoint, counts, errors) and the job (records done in `checkpoint`, the
counts, the errors up to IMPORT_MAX_ERRORS, the heartbeat) together: a chunk re-run after a crash
resumes at its checkpoint and stores nothing twice. Two chunks storing the same article at once:
the unique indexes make the second wait for the first's commit and refuse it, and its batch is
stored again, the article counted as a duplicate (importing.store). A stored URL with a new
text becomes that article's revision in the batch's transaction, counted `updated` in the chunk
and the job, so a chunk run again records it once. The chunk's sentence
foreign keys are checked before it locks the job's row, so chunks on several workers hold that
lock only for the counters' update and the commit.

The end: the chunk's last transaction marks it ended and counts it in the job's
`chunks_ended`, under the job's row lock; whoever ends the last chunk of a fanned-out job (or the
coordinator, if every chunk ended before it finished cutting) ends the job in that transaction,
as a job in one piece ends: succeeded, partial, failed or cancelled, errors listed in record
order. Every message kept for the job's end (`stopped`, `read_error`, a chunk's failure) is stored
as the job's errors are (annotations.jobmessages), so readers see it in their language. A cancel
is seen by each chunk at its next batch (that batch rolls back) and by each queued chunk as it
starts (it ends with nothing done). A chunk that spends a budget
(IMPORT_MAX_ERRORS across the job, IMPORT_MAX_SECONDS since the job started) writes why in the
job's `stopped`; the others stop at their next batch, and the job ends failed with that message.

The sweep: a running chunk whose heartbeat is stale is queued again like a job; a fanned-out job
with queued chunks and no progress for JOB_STALE_SECONDS gets those chunks queued again (their
messages may sit unacknowledged in a dead worker's prefetch for the broker's visibility timeout,
an hour); a second delivery of a chunk finds it claimed or ended and does nothing.

Fact-check (ClaimReview) imports stay in one piece (importing.factchecks): a page yields any
number of reviews, and their input is rarely more than a few thousand.
"""

import itertools
import json
import logging
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from annotations import jobs
from annotations.jobmessages import JobMessage, error_entry, message_of
from annotations.models import ImportChunk, ImportJob

from .read import batches
from .records import ArticleRecord, InputError, Item
from .store import AnotherRunnerError

logger = logging.getLogger(__name__)

Close = Callable[[ImportJob], object]  # ends a job whose last chunk ended (run._close_fanned_out)


def encode(items: list[Item]) -> bytes:
    """A chunk's items as its payload: JSON (ASCII: a lone surrogate survives), compressed."""
    data = [
        [
            item.ref,
            None if item.record is None else _record_data(item.record),
            item.fetch_url,
            item.hints,
            item.error.stored() if isinstance(item.error, JobMessage) else item.error,
            item.skip_if_stored,
        ]
        for item in items
    ]
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 1)


def decode(payload: bytes | memoryview) -> list[Item]:
    """The items `encode` stored."""
    items = []
    for ref, record, fetch_url, hints, error, skip in json.loads(zlib.decompress(payload)):
        item = Item(ref, None if record is None else _record(record), fetch_url, hints)
        item.error = JobMessage.from_stored(error) if isinstance(error, dict) else error
        item.skip_if_stored = skip
        items.append(item)
    return items


def _record_data(record: ArticleRecord) -> list[Any]:
    published = record.published_at.isoformat() if record.published_at else None
    return [
        record.title,
        record.body,
        record.url,
        record.publisher,
        record.authors,
        published,
        record.language,
        record.metadata,
    ]


def _record(data: list[Any]) -> ArticleRecord:
    title, body, url, publisher, authors, published, language, metadata = data
    published_at = datetime.fromisoformat(published) if published else None
    return ArticleRecord(title, body, url, publisher, authors, published_at, language, metadata)


def cut(job: ImportJob, items: Iterator[Item], *, runner: str, close: Close) -> None:
    """Cut the job's items into chunks, each queued as it commits, then mark the job fanned out
    (and end it with `close` if every chunk has already ended). A coordinator run again after a
    crash goes on after the chunks already cut, and queues the still-queued ones again (their
    messages may have gone with it). Stops cutting when the job is cancelled or stopped; a read
    error keeps the chunks cut, and the job ends partial with it."""
    last = job.chunks.order_by("-index").first()
    done, index = (last.first + last.size, last.index + 1) if last else (0, 0)
    for pk in job.chunks.filter(status=ImportChunk.Status.QUEUED).values_list("pk", flat=True):
        jobs.send_after_commit(jobs.IMPORT_CHUNK, args=[pk])
    read_error: JobMessage | str | None = None
    errors = 0
    try:
        for records in batches(itertools.islice(items, done, None), settings.IMPORT_CHUNK_SIZE):
            # The chunks cut hold IMPORT_MAX_ERRORS records that are errors already (lines that
            # do not parse): the job will stop on its error budget before it needs another.
            if errors >= settings.IMPORT_MAX_ERRORS:
                break
            errors += sum(1 for item in records if item.error)
            payload = encode(records)
            with transaction.atomic():
                locked = _locked(job, runner=runner)
                if locked.status == ImportJob.Status.CANCELLED or locked.stopped:
                    break
                chunk = ImportChunk.objects.create(
                    job=locked, index=index, first=done, size=len(records), payload=payload
                )
                ImportJob.objects.filter(pk=job.pk).update(
                    chunks_cut=index + 1, heartbeat_at=timezone.now()
                )
                jobs.send_after_commit(jobs.IMPORT_CHUNK, args=[chunk.pk])
            done += len(records)
            index += 1
    except InputError as exc:
        read_error = message_of(exc)
    except (OperationalError, InterfaceError, AnotherRunnerError):
        raise
    except Exception as exc:
        logger.exception("Import #%s: reading the input stopped", job.pk)
        read_error = JobMessage(
            gettext_noop("The import stopped on an unexpected error (%(error)s)."),
            error=type(exc).__name__,
        )
    with transaction.atomic():
        locked = _locked(job, runner=runner)
        locked.fanned_out = True
        locked.read_error = error_entry({}, read_error) if read_error else {}
        locked.heartbeat_at = timezone.now()
        locked.save(update_fields=["fanned_out", "read_error", "heartbeat_at"])
        logger.info("Import #%s: %s records cut into %s chunks.", job.pk, done, index)
        if locked.chunks_ended == locked.chunks_cut:
            close(locked)


def _locked(job: ImportJob, *, runner: str) -> ImportJob:
    locked = ImportJob.objects.select_for_update(no_key=True).get(pk=job.pk)
    if locked.runner != runner:
        raise AnotherRunnerError  # the sweep gave the job to another coordinator
    return locked


def end(
    chunk: ImportChunk, *, runner: str, failure: JobMessage | None, close: Close
) -> ImportChunk:
    """Mark the chunk ended (all done, stopped early, or failed with `failure`) and count it in
    its job, in one transaction; if it was the job's last, end the job there with `close`."""
    with transaction.atomic():
        locked = ImportChunk.objects.select_for_update(no_key=True).get(pk=chunk.pk)
        if locked.runner != runner or locked.status != ImportChunk.Status.RUNNING:
            return locked  # the sweep gave it to another runner, who ends it
        # FOR NO KEY UPDATE, as the chunks' batches lock it (importing.store._advance_chunk).
        job = ImportJob.objects.select_for_update(no_key=True).get(pk=locked.job_id)
        if failure:
            locked.status = ImportChunk.Status.FAILED
            locked.errors = [*locked.errors, error_entry({"chunk": locked.index}, failure)]
        elif locked.checkpoint == locked.size:
            locked.status = ImportChunk.Status.SUCCEEDED
        else:
            locked.status = ImportChunk.Status.CANCELLED  # the job was cancelled or stopped
        locked.finished_at = timezone.now()
        locked.payload = b""
        locked.save(update_fields=["status", "errors", "finished_at", "payload"])
        job.chunks_ended += 1
        job.save(update_fields=["chunks_ended"])
        logger.info(
            "Import #%s chunk %s %s: %s of %s records done, %s created.",
            job.pk,
            locked.index,
            locked.status,
            locked.checkpoint,
            locked.size,
            locked.created,
        )
        if job.fanned_out and job.chunks_ended == job.chunks_cut and job.finished_at is None:
            close(job)
    return locked


def errors_in_order(job: ImportJob) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The job's record errors, chunk by chunk in record order, up to IMPORT_MAX_ERRORS; and the
    failures of the chunks that failed (stored errors without their place)."""
    listed: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for errors in job.chunks.order_by("index").values_list("errors", flat=True):
        for error in errors:
            if "chunk" in error:
                failures.append({k: v for k, v in error.items() if k != "chunk"})
            elif len(listed) < settings.IMPORT_MAX_ERRORS:
                listed.append(error)
    return listed, failures
