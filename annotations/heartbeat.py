"""Who runs a job, and whether it is still alive: the runner's claim, its heartbeat, the sweep.

A task that runs an import or export first claims the job's row: it writes a fresh token in
`runner` and the time in `heartbeat_at`, in one conditional UPDATE that succeeds only when nobody
alive holds the job (it is queued, released, or its heartbeat is older than JOB_STALE_SECONDS).
So a job has at most one runner: a second delivery of the task (Redis hands an unacknowledged
message out again after its visibility timeout, an hour) finds the job finished or claimed and
does nothing. The runner renews the heartbeat at every checkpoint and, from a thread, every
JOB_HEARTBEAT_SECONDS, and checks its token when it commits a step.

A worker killed mid-job (SIGKILL, a lost machine) leaves the row `running` with a heartbeat that
stops moving. The sweep (Celery beat every JOB_SWEEP_SECONDS, and when a worker starts) gives up
that runner and queues the job again; the new runner resumes at the job's checkpoint.

The chunks of a fanned-out import (annotations.importing.chunks) are claimed and swept the same
way; the job itself is then theirs, and not swept, except that its queued chunks are queued again
when it has made no progress for JOB_STALE_SECONDS (their messages may be held by a dead worker).
"""

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import jobs
from .models import ExportJob, ImportChunk, ImportJob, Job

logger = logging.getLogger(__name__)

JobModel = type[ImportJob] | type[ExportJob] | type[ImportChunk]
TASKS: dict[JobModel, str] = {
    ImportJob: jobs.IMPORT,
    ExportJob: jobs.EXPORT,
    ImportChunk: jobs.IMPORT_CHUNK,
}
# Rows the sweep leaves to others: a fanned-out import is its chunks' (`_resend_waiting_chunks`).
NOT_SWEPT: dict[JobModel, Q] = {ImportJob: Q(fanned_out=True)}
RUNNING = Job.Status.RUNNING


def _stale_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)


def _silent() -> Q:
    """Running, with no sign of life for JOB_STALE_SECONDS: its runner, if any, is gone."""
    return Q(status=RUNNING) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=_stale_before()))


def _abandoned() -> Q:
    """Running, but nobody alive holds it: silent, released, or queued again by the sweep."""
    return _silent() | Q(status=RUNNING, runner="")


def claim(model: JobModel, *, pk: int, **fields) -> str | None:
    """Make the caller job `pk`'s one runner and mark it running; the runner's token, or None
    when the job is finished, cancelled or held by a live runner. `fields` are set as well."""
    token = uuid.uuid4().hex
    now = timezone.now()
    won = model.objects.filter(Q(status=Job.Status.QUEUED) | _abandoned(), pk=pk).update(
        status=RUNNING,
        runner=token,
        heartbeat_at=now,
        started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
        **fields,
    )
    return token if won else None


def renew(model: JobModel, *, pk: int, runner: str) -> bool:
    """Move the heartbeat of job `pk` on; False when `runner` no longer holds it."""
    return bool(
        model.objects.filter(pk=pk, runner=runner, status=RUNNING).update(
            heartbeat_at=timezone.now()
        )
    )


def release(model: JobModel, *, pk: int, runner: str) -> None:
    """Give the job up, unfinished (a transient error: the task's retry claims it at once)."""
    try:
        model.objects.filter(pk=pk, runner=runner).update(runner="")
    except DatabaseError:
        logger.warning("%s #%s could not be released; the sweep will.", model.__name__, pk)


@contextmanager
def keep_alive(model: JobModel, *, pk: int, runner: str) -> Iterator[None]:
    """Renew the job's heartbeat every JOB_HEARTBEAT_SECONDS while the block runs, from a
    thread: a long step (a slow fetch, a big commit) must not look like a dead worker."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    if not renew(model, pk=pk, runner=runner):
                        return  # finished, cancelled or taken over: the runner finds out itself
                except DatabaseError as exc:
                    logger.warning("Heartbeat of %s #%s failed: %s", model.__name__, pk, exc)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def sweep_stale_jobs(*, lookahead: float | None = None) -> list[tuple[str, int]]:
    """Queue again every running job whose runner is gone; the (model name, id) of each.

    The runner's token is cleared (so a runner that was only slow, should it come back, stops at
    its next step) and the heartbeat set to now (so the next sweep leaves the job to its new task
    for another JOB_STALE_SECONDS). With `lookahead`, one more sweep is queued for when the first
    job now running but silent goes stale within that many seconds: the beat's sweeps come every
    JOB_SWEEP_SECONDS, and a dead worker's job should not wait for the next one.
    """
    requeued: list[tuple[str, int]] = []
    soonest = None
    for model, task in TASKS.items():
        silent = model.objects.filter(_silent())
        if model in NOT_SWEPT:
            silent = silent.exclude(NOT_SWEPT[model])
        for pk in silent.values_list("pk", flat=True):
            with transaction.atomic():
                # Conditional again: another sweep, or a new runner, may have got there first.
                if silent.filter(pk=pk).update(runner="", heartbeat_at=timezone.now()):
                    jobs.send_after_commit(task, args=[pk])
                    requeued.append((model.__name__, pk))
                    logger.warning("%s #%s lost its worker; queued again.", model.__name__, pk)
        if lookahead:
            quiet = model.objects.filter(status=RUNNING, heartbeat_at__isnull=False).exclude(
                runner=""
            )
            first = quiet.order_by("heartbeat_at").values_list("heartbeat_at", flat=True).first()
            if first is not None and (soonest is None or first < soonest):
                soonest = first
    requeued += _resend_waiting_chunks()
    # Cancelled while running, and its runner died before it could end the job (a fanned-out
    # job is ended by its last chunk).
    ImportJob.objects.filter(
        status=Job.Status.CANCELLED,
        finished_at__isnull=True,
        heartbeat_at__lt=_stale_before(),
        fanned_out=False,
    ).update(finished_at=timezone.now())
    if soonest is not None and lookahead:  # soonest is only looked for with a lookahead
        due = soonest + timedelta(seconds=settings.JOB_STALE_SECONDS) - timezone.now()
        if due.total_seconds() <= lookahead:
            # A second after it goes stale, so that sweep finds it stale.
            jobs.send_after_commit(jobs.SWEEP, countdown=max(due.total_seconds(), 0) + 1)
    return requeued


def _resend_waiting_chunks() -> list[tuple[str, int]]:
    """Queue again the queued chunks of every fanned-out import that has made no progress for
    JOB_STALE_SECONDS and has no live chunk running: a worker that died may hold their messages
    unacknowledged for the broker's visibility timeout (an hour). A message delivered twice is
    harmless (the chunk's claim lets one run); a job only waiting its turn behind another's
    chunks gets its queued chunks sent once more per JOB_STALE_SECONDS."""
    live = ImportChunk.objects.filter(
        job=OuterRef("pk"), status=RUNNING, heartbeat_at__gte=_stale_before()
    ).exclude(runner="")  # one the sweep just queued again is not running yet
    stalled = ImportJob.objects.filter(
        fanned_out=True, finished_at__isnull=True, heartbeat_at__lt=_stale_before()
    ).exclude(Exists(live))
    resent: list[tuple[str, int]] = []
    for pk in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            if stalled.filter(pk=pk).update(heartbeat_at=timezone.now()):
                waiting = ImportChunk.objects.filter(job_id=pk, status=Job.Status.QUEUED)
                for chunk in waiting.values_list("pk", flat=True):
                    jobs.send_after_commit(jobs.IMPORT_CHUNK, args=[chunk])
                    resent.append(("ImportChunk", chunk))
                logger.warning("Import #%s made no progress; its queued chunks sent again.", pk)
    return resent
