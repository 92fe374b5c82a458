"""Export jobs: `start_export` queues one after the commit, `run_export` writes its file."""

import logging
import tempfile
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from annotations import heartbeat, jobs
from annotations.audit import record_event
from annotations.jobmessages import JobMessage, error_entry
from annotations.models import Claim, ExportJob
from annotations.selectors import published_claims

from .filters import VerifiedClaimFilter
from .formats import FORMATS, export_chunks

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 1000
Progress = Callable[[int, int], None]


def clean_filters(filters: dict[str, Any]) -> dict[str, str]:
    """The filters as given, checked; raises ValidationError naming the bad ones.

    The raw strings are kept (not the parsed values) so the job row stays JSON and the job
    applies exactly what the person asked for.
    """
    unknown = sorted(set(filters) - set(VerifiedClaimFilter.base_filters))
    if unknown:
        raise ValidationError(
            {"filters": _("Unknown filter(s): %(names)s.") % {"names": ", ".join(unknown)}}
        )
    kept = {name: str(value) for name, value in filters.items() if value not in (None, "")}
    filterset = VerifiedClaimFilter(data=kept, queryset=published_claims())
    if not filterset.is_valid():
        raise ValidationError({name: list(messages) for name, messages in filterset.errors.items()})
    return kept


def filtered_claims(filters: dict[str, str]) -> QuerySet[Claim]:
    """`published_claims()` narrowed by already-cleaned `filters`."""
    filterset = VerifiedClaimFilter(data=filters, queryset=published_claims())
    if not filterset.is_valid():
        raise ValidationError({name: list(m) for name, m in filterset.errors.items()})
    claims: QuerySet[Claim] = filterset.qs  # django-filter is untyped: its qs is Any
    return claims


def count_matching(*, filters: dict[str, Any] | None = None) -> int:
    """How many published claims an export with these filters would write (a dry run).

    The export page shows it before a job starts, and says "nothing matches" instead of
    offering an empty file.
    """
    return filtered_claims(clean_filters(filters or {})).count()


def start_export(
    *,
    format: str,
    filters: dict[str, Any] | None = None,
    created_by: User | None,
    scheduled: bool = False,
) -> ExportJob:
    """Create an export job and queue it on the worker once the row is committed."""
    if format not in FORMATS:
        raise ValidationError(
            {"format": _("Choose one of: %(choices)s.") % {"choices": ", ".join(FORMATS)}}
        )
    cleaned = clean_filters(filters or {})
    # The task id is chosen here so the row names its task before the task exists.
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        job = ExportJob.objects.create(
            format=format,
            filters=cleaned,
            created_by=created_by,
            celery_task_id=task_id,
            scheduled=scheduled,
        )
        record_event(
            actor=created_by,
            action="export.started",
            obj=job,
            changes={"format": format, "filters": cleaned},
        )
        jobs.send_after_commit(jobs.EXPORT, args=[job.pk], task_id=task_id)
    return job


def start_scheduled_export(format: str) -> ExportJob:
    """The periodic export (Celery beat, EXPORT_SCHEDULE_*): every published claim in `format`.

    Only the newest EXPORT_SCHEDULE_KEEP scheduled exports of each format are kept, files and
    rows: a nightly file of every claim would otherwise fill the disk. A job that has not
    finished is never deleted (its runner would write a file nobody could find).
    """
    job = start_export(format=format, created_by=None, scheduled=True)
    newest_first = ExportJob.objects.filter(scheduled=True, format=format).order_by(
        "-created_at", "-id"
    )
    for old in newest_first[settings.EXPORT_SCHEDULE_KEEP :]:
        if not old.is_finished:
            continue
        if old.output_file:
            old.output_file.delete(save=False)
        old.delete()
    return job


class TimeBudgetExceeded(Exception):
    """The export ran past EXPORT_MAX_SECONDS."""


class RunnerLost(Exception):
    """Another runner took the job over (annotations.heartbeat): this one must not write."""


def _checkpoint(*, job: ExportJob, runner: str, progress: Progress | None) -> Callable[[int], None]:
    """What runs after every chunk of claims: save how many were read on the job row (the
    runner's heartbeat too), and stop if the time budget ran out or another runner holds it."""
    started_at = job.started_at or timezone.now()  # set when the job starts running
    deadline = started_at + timedelta(seconds=settings.EXPORT_MAX_SECONDS)

    def checkpoint(count: int) -> None:
        job.created = count - job.failed
        held = ExportJob.objects.filter(pk=job.pk, runner=runner).update(
            created=job.created, heartbeat_at=timezone.now()
        )
        if not held:
            raise RunnerLost
        if timezone.now() > deadline:
            raise TimeBudgetExceeded
        if progress:
            progress(count, job.total or 0)

    return checkpoint


def run_export(job_id: int, *, progress: Progress | None = None) -> ExportJob:
    """Write export job `job_id`'s file, streaming claims from the database; progress goes on
    the row.

    Safe to run twice: only the job's one runner (annotations.heartbeat) writes, so a second
    delivery of the task finds the job finished or held and leaves it alone. A job resumed after
    its worker died starts over and replaces its file.
    """
    runner = heartbeat.claim(ExportJob, pk=job_id)
    job = ExportJob.objects.get(pk=job_id)
    if runner is None:
        logger.info("Export #%s is finished or held by another runner; nothing to do.", job_id)
        return job
    try:
        with heartbeat.keep_alive(ExportJob, pk=job.pk, runner=runner):
            return _write(job, runner=runner, progress=progress)
    except (OperationalError, InterfaceError):
        heartbeat.release(ExportJob, pk=job.pk, runner=runner)
        raise  # transient: the task retries, and its new delivery claims the job


def _write(job: ExportJob, *, runner: str, progress: Progress | None) -> ExportJob:
    job.created = job.failed = 0
    job.errors = []
    claims = filtered_claims(job.filters)
    job.total = claims.count()
    job.save(update_fields=["created", "failed", "errors", "total"])
    if progress:
        progress(0, job.total)
    extension = FORMATS[job.format].extension

    def record_error(row: dict[str, Any], exc: Exception) -> None:
        logger.warning("Export %s: claim %s could not be written: %s", job.pk, row["id"], exc)
        job.failed += 1
        if len(job.errors) < MAX_ERRORS_KEPT:
            job.errors.append({"claim": row["id"], "message": f"{type(exc).__name__}: {exc}"})

    previous_file = job.output_file.name
    try:
        with tempfile.TemporaryFile(mode="w+b") as raw:
            checkpoint = _checkpoint(job=job, runner=runner, progress=progress)
            chunks = export_chunks(
                job.format, claims, on_error=record_error, on_progress=checkpoint
            )
            for chunk in chunks:
                raw.write(chunk)
            raw.seek(0)
            name = f"claims-{job.pk}-{timezone.now():%Y%m%dT%H%M%S}.{extension}"
            job.output_file.save(name, File(raw, name=name), save=False)
    except RunnerLost:
        logger.warning("Export #%s was taken over by another runner; this one stops.", job.pk)
        return job
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        if isinstance(exc, TimeBudgetExceeded):
            message = JobMessage(
                gettext_noop(
                    "The export stopped: it ran longer than its time budget "
                    "(EXPORT_MAX_SECONDS=%(limit)s s)."
                ),
                limit=f"{settings.EXPORT_MAX_SECONDS:g}",
            )
        else:
            logger.exception("Export #%s stopped", job.pk)
            message = JobMessage(gettext_noop("The export stopped: %(error)s"), error=str(exc))
        job.errors.append(error_entry({}, message))
        _end(job, runner=runner, status=ExportJob.Status.FAILED, fields=["errors"])
        return job
    status = ExportJob.Status.PARTIAL if job.failed else ExportJob.Status.SUCCEEDED
    fields = ["created", "failed", "errors", "output_file"]
    if not _end(job, runner=runner, status=status, fields=fields):
        job.output_file.delete(save=False)  # the job is someone else's: their file stands
        return job
    if previous_file and previous_file != job.output_file.name:
        job.output_file.storage.delete(previous_file)  # a run before a crash left it
    return job  # the export seam reported the last progress, at its end


def _end(job: ExportJob, *, runner: str, status: str, fields: list[str]) -> bool:
    """Finish the job with `status` and `fields`, if `runner` still holds it."""
    job.status = status
    job.finished_at = timezone.now()
    values = {name: getattr(job, name) for name in [*fields, "status", "finished_at"]}
    return bool(ExportJob.objects.filter(pk=job.pk, runner=runner).update(**values))
