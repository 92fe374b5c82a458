"""run_import(job_id) and run_chunk(chunk_id): an import job's life, from its claim to its end.

The job is claimed by one runner (annotations.heartbeat), which keeps its heartbeat going and
resumes at the job's checkpoint; the input is read batch by batch (importing.read) and each batch
stored with the job's progress in one transaction (importing.store). An input of more than
IMPORT_CHUNK_SIZE records is instead cut into chunks that any worker runs (importing.chunks,
which describes the fan-out); each chunk runs the same pipeline. The job ends `succeeded`,
`partial` (some records failed), `failed` (nothing imported, the input unreadable, or a budget
spent: IMPORT_MAX_ERRORS errors, IMPORT_MAX_SECONDS of running) or `cancelled`; what was
imported before it ended is kept.
"""

import atexit
import contextlib
import itertools
import logging
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from annotations import heartbeat, search
from annotations.audit import record_event
from annotations.jobmessages import JobMessage, error_entry, message_of
from annotations.models import ImportChunk, ImportJob

from . import chunks, factchecks, read
from .records import InputError, Item
from .splitting import BatchSplitter
from .store import AnotherRunnerError, Step, save_batch

logger = logging.getLogger(__name__)

Status = ImportJob.Status


def run_import(job_id: int, *, task_id: str = "") -> ImportJob:
    """Run import job `job_id` to its end, from its checkpoint. Safe to call twice: a job that is
    finished, or held by a live runner, is left alone."""
    if ImportJob.objects.filter(pk=job_id, fanned_out=True).exists():
        # A retry, or a late delivery: the chunks own the job; run those nobody has taken.
        return _run_waiting_chunks(job_id)
    runner = heartbeat.claim(
        ImportJob, pk=job_id, **({"celery_task_id": task_id} if task_id else {})
    )
    job = ImportJob.objects.get(pk=job_id)
    if runner is None:
        logger.info("Import #%s is finished or held by another runner; nothing to do.", job_id)
        return job
    input_error: JobMessage | str | None = None
    stop: JobMessage | None = None
    fanned_out = False
    try:
        with heartbeat.keep_alive(ImportJob, pk=job.pk, runner=runner):
            if job.format == factchecks.FORMAT:  # other fact-checkers' reviews, not articles
                stop = factchecks.consume(job, runner=runner)
            else:
                with read.items(job) as items:
                    size = settings.IMPORT_CHUNK_SIZE
                    head = list(itertools.islice(items, size + 1))
                    everything = itertools.chain(head, items)
                    # Started in one piece (a checkpoint, no chunk) goes on in one piece.
                    if job.chunks_cut or (not job.checkpoint and len(head) > size):
                        chunks.cut(job, everything, runner=runner, close=_close_fanned_out)
                        fanned_out = True
                    else:
                        remaining = itertools.islice(everything, job.checkpoint, None)
                        stop = _consume(job, remaining, runner=runner, start=job.checkpoint)
    except InputError as exc:
        input_error = message_of(exc)
    except AnotherRunnerError:
        logger.warning("Import #%s is being run by another runner; this one stops.", job.pk)
        return job
    except (OperationalError, InterfaceError):
        heartbeat.release(ImportJob, pk=job.pk, runner=runner)
        raise  # transient: the task retries and resumes from the checkpoint
    except Exception as exc:
        logger.exception("Import #%s stopped", job.pk)
        input_error = JobMessage(
            gettext_noop("The import stopped on an unexpected error (%(error)s)."),
            error=type(exc).__name__,
        )
    if fanned_out:
        return _run_waiting_chunks(job.pk)
    return _finish(job, runner=runner, input_error=input_error, stop=stop)


def _run_waiting_chunks(job_id: int) -> ImportJob:
    """The coordinator, its chunks cut, runs those no worker has taken: alone, the whole import
    (no queue round trip, and a caller outside a worker gets a finished job); beside other
    workers, one more pair of hands. A chunk another worker claims first is skipped."""
    waiting = ImportChunk.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.RUNNING, runner=""), job_id=job_id
    )
    for pk in waiting.order_by("index").values_list("pk", flat=True):
        run_chunk(pk)
    return ImportJob.objects.get(pk=job_id)


def run_chunk(chunk_id: int) -> ImportChunk | None:
    """Run chunk `chunk_id` of a fanned-out import from its checkpoint, and end the job if it is
    the last to end. Safe to call twice: a chunk ended, or held by a live runner, is left alone."""
    runner = heartbeat.claim(ImportChunk, pk=chunk_id, attempts=F("attempts") + 1)
    if runner is None:
        logger.info("Import chunk #%s is ended or held by another runner.", chunk_id)
        return None
    chunk = ImportChunk.objects.select_related("job").get(pk=chunk_id)
    job = chunk.job
    failure: JobMessage | None = None
    try:
        with heartbeat.keep_alive(ImportChunk, pk=chunk.pk, runner=runner):
            if job.status != Status.CANCELLED and not job.stopped:
                items = chunks.decode(chunk.payload)[chunk.checkpoint :]
                _consume(job, iter(items), runner=runner, start=chunk.checkpoint, chunk=chunk.pk)
    except AnotherRunnerError:
        logger.warning("Import chunk #%s is being run by another runner; this one stops.", chunk_id)
        return chunk
    except (OperationalError, InterfaceError):
        heartbeat.release(ImportChunk, pk=chunk.pk, runner=runner)
        raise  # transient: the task retries and resumes from the chunk's checkpoint
    except Exception as exc:
        logger.exception("Import chunk #%s stopped", chunk_id)
        failure = JobMessage(
            gettext_noop("Records %(first)s-%(last)s stopped on an unexpected error (%(error)s)."),
            first=chunk.first + 1,
            last=chunk.first + chunk.size,
            error=type(exc).__name__,
        )
    return chunks.end(chunk, runner=runner, failure=failure, close=_close_fanned_out)


def _consume(
    job: ImportJob, items: Iterator[Item], *, runner: str, start: int, chunk: int | None = None
) -> JobMessage | None:
    """Store the items (the job's, or chunk `chunk`'s), the first of which is record `start`;
    why the job stopped early (a budget), if so."""
    batches = read.batches(items, settings.IMPORT_BATCH_SIZE)
    # A reader thread reads and fetches the batches and hands each to the splitter (a process of
    # its own); two writer threads, each with its own connection, store them in turn. Batch k+1's
    # inserts run while batch k commits: at the commit PostgreSQL checks every sentence's foreign
    # key, a third of an import's database time. Commits stay in order (see store.save_batch).
    # SQLite takes one writer at a time, and inside a transaction (a caller's, a test's) no other
    # connection sees the job: then this thread writes, one batch after the other.
    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
    with (
        _splitter(kept=chunk is not None) as splitter,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-reader") as reader,
        contextlib.ExitStack() as stack,
        quick_gil_handover(),
    ):
        writers = [
            stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="import-writer"))
            for _ in range(2 if parallel else 0)
        ]
        previous: Step | None = None
        try:
            upcoming = reader.submit(read.read_next, batches, splitter)
            for writer in itertools.cycle(writers or [None]):
                batch = upcoming.result()
                if batch is None:
                    break
                upcoming = reader.submit(read.read_next, batches, splitter)
                if batch.split is not None:
                    data = splitter.result(batch.split, batch.texts)
                    for row, sentence_data in zip(batch.rows, data, strict=True):
                        row.sentence_data = sentence_data
                step = Step(batch, start, previous)
                if writer is None:
                    step.done.set_result(save_batch(job, step, runner=runner, chunk_id=chunk))
                else:
                    step.done = writer.submit(save_batch, job, step, runner=runner, chunk_id=chunk)
                start += batch.size
                # At most two batches in flight: this one, and the one committing before it.
                if previous is not None and not previous.done.result():
                    return previous.stop or None
                previous = step
            if previous is not None and not previous.done.result():
                return previous.stop or None
            return None
        finally:
            for thread in [reader, *writers]:
                thread.submit(connections.close_all)  # each thread's own connection


_kept_splitter: BatchSplitter | None = None
_kept_lock = threading.Lock()


@atexit.register
def _end_kept_splitter() -> None:
    if _kept_splitter is not None:
        _kept_splitter.close()


@contextlib.contextmanager
def _splitter(*, kept: bool) -> Iterator[BatchSplitter]:
    """A sentence-splitting process for one import; for a chunk (`kept`), the worker process's
    own, kept for its next chunks and used from the first batch. Measured, starting a process
    per chunk of 1,000 records (and splitting its first batch beside the writer) cost a fifth
    of the chunk's time. A kept process still ends with its worker (see importing.splitting);
    one left with unanswered batches (a chunk that stopped early) is ended, not kept."""
    global _kept_splitter
    if not kept or not settings.IMPORT_SPLIT_IN_PROCESS or not _kept_lock.acquire(blocking=False):
        with BatchSplitter(use_process=settings.IMPORT_SPLIT_IN_PROCESS) as splitter:
            yield splitter
        return
    try:
        splitter = _kept_splitter or BatchSplitter(use_process=True, from_first_batch=True)
        _kept_splitter = None
        try:
            yield splitter
        except BaseException:
            splitter.close()
            raise
        if splitter.idle:
            _kept_splitter = splitter
        else:
            splitter.close()
    finally:
        _kept_lock.release()


_handover_lock = threading.Lock()
_handover_users = 0
_handover_before = 0.0


@contextlib.contextmanager
def quick_gil_handover(seconds: float = 0.001) -> Iterator[None]:
    """Shorten the interval after which a thread waiting for the GIL makes the holder let go.

    The writer waits on PostgreSQL dozens of times a batch (each statement, each COPY buffer),
    and each time wants the GIL back from the reader, by default up to 5 ms later: measured,
    that cancelled the overlap. At 1 ms the import took 15% less time.

    The interval is the whole process's: imports overlapping in one process (a threaded worker,
    tests) share it, and the last one out puts back the value from before the first came in.
    """
    global _handover_users, _handover_before
    with _handover_lock:
        if _handover_users == 0:
            _handover_before = sys.getswitchinterval()
            sys.setswitchinterval(seconds)
        _handover_users += 1
    try:
        yield
    finally:
        with _handover_lock:
            _handover_users -= 1
            if _handover_users == 0:
                sys.setswitchinterval(_handover_before)


def _finish(
    job: ImportJob,
    *,
    runner: str,
    input_error: JobMessage | str | None = None,
    stop: JobMessage | None = None,
) -> ImportJob:
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.runner != runner:
            job.refresh_from_db()
            return job  # the sweep gave the job to another runner, who will end it
        problems = [error_entry({}, input_error)] if input_error else []
        return _close(
            locked,
            errors=locked.errors,
            problems=problems,
            stop=error_entry({}, stop) if stop else {},
        )


def _close_fanned_out(job: ImportJob) -> ImportJob:
    """End a fanned-out job (locked) whose last chunk has ended."""
    errors, failures = chunks.errors_in_order(job)
    problems = [job.read_error, *failures] if job.read_error else failures
    return _close(job, errors=errors, problems=problems, stop=job.stopped)


def _close(
    job: ImportJob,
    *,
    errors: list[dict[str, Any]],
    problems: list[dict[str, Any]],
    stop: dict[str, Any],
) -> ImportJob:
    """End the (locked) job: its status from its counts, `problems` (the input or a chunk could
    not be read to its end) and `stop` (a budget spent); its errors as listed, then those. The
    problems and the stop are stored errors (jobmessages.error_entry) without a place."""
    errors = list(errors)
    hidden = job.failed - len(errors)
    where = {"file": job.original_name or "input"}
    errors += [{**where, **problem} for problem in problems]
    if hidden > 0:
        unlisted = JobMessage(gettext_noop("%(count)s more errors are not listed."), count=hidden)
        errors.append(error_entry({}, unlisted))
    if stop:
        errors.append(stop)
    imported = job.created + job.updated + job.duplicates
    if job.status == Status.CANCELLED:
        status = Status.CANCELLED
    elif stop:
        status = Status.FAILED
    elif imported == 0:
        # Nothing could be imported: say why, if no error said it already.
        status = Status.FAILED
        if not errors:
            none_found = (
                gettext_noop("No fact-checks found.")
                if job.format == factchecks.FORMAT
                else gettext_noop("No articles found.")
            )
            errors.append(error_entry(where, JobMessage(none_found)))
    elif job.failed or problems:
        status = Status.PARTIAL
    else:
        status = Status.SUCCEEDED
    job.status = status
    job.errors = errors
    job.finished_at = timezone.now()
    if status != Status.CANCELLED and not stop:
        job.total = job.checkpoint
    job.save(update_fields=["status", "errors", "finished_at", "total"])
    search.index_import_after_commit(job.pk)
    record_event(
        actor=job.created_by,
        action="import.finished",
        obj=job,
        changes={
            "status": status,
            "created": job.created,
            "updated": job.updated,
            "duplicates": job.duplicates,
            "failed": job.failed,
        },
    )
    return job
