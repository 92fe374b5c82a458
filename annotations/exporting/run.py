"""Export jobs: `start_export` queues one after the commit, `run_export` writes its file."""

import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from annotations.audit import record_event
from annotations.models import ExportJob
from annotations.selectors import published_claims

from .filters import VerifiedClaimFilter
from .formats import FORMATS, stream
from .records import iter_records

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 1000
# Chunks (one a record) are joined into one write: a write each cost 16 ms per 10,000 claims, 4 ms
# joined.
WRITE_BATCH = 500
Progress = Callable[[int, int], None]


def clean_filters(filters: dict[str, Any]) -> dict[str, str]:
    """The filters as given, checked; raises ValidationError naming the bad ones.

    The raw strings are kept (not the parsed values) so the job row stays JSON and the job
    applies exactly what the person asked for.
    """
    unknown = sorted(set(filters) - set(VerifiedClaimFilter.base_filters))
    if unknown:
        raise ValidationError({"filters": f"Unknown filter(s): {', '.join(unknown)}."})
    kept = {name: str(value) for name, value in filters.items() if value not in (None, "")}
    filterset = VerifiedClaimFilter(data=kept, queryset=published_claims())
    if not filterset.is_valid():
        raise ValidationError({name: list(messages) for name, messages in filterset.errors.items()})
    return kept


def filtered_claims(filters: dict[str, str]):
    """`published_claims()` narrowed by already-cleaned `filters`."""
    filterset = VerifiedClaimFilter(data=filters, queryset=published_claims())
    if not filterset.is_valid():
        raise ValidationError({name: list(m) for name, m in filterset.errors.items()})
    return filterset.qs


def count_matching(*, filters: dict[str, Any] | None = None) -> int:
    """How many published claims an export with these filters would write (a dry run).

    The export page shows it before a job starts, and says "nothing matches" instead of
    offering an empty file.
    """
    return filtered_claims(clean_filters(filters or {})).count()


def start_export(
    *, format: str, filters: dict[str, Any] | None = None, created_by, scheduled: bool = False
) -> ExportJob:
    """Create an export job and queue it on the worker once the row is committed."""
    from annotations import tasks  # tasks imports this module

    if format not in FORMATS:
        raise ValidationError({"format": f"Choose one of: {', '.join(FORMATS)}."})
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
        transaction.on_commit(
            lambda: tasks.export_claims.apply_async(args=[job.pk], task_id=task_id)
        )
    return job


def start_scheduled_export(format: str) -> ExportJob:
    """The periodic export (Celery beat, EXPORT_SCHEDULE_*): every published claim in `format`.

    Only the newest EXPORT_SCHEDULE_KEEP scheduled exports of each format are kept, files and
    rows: a nightly file of every claim would otherwise fill the disk.
    """
    job = start_export(format=format, created_by=None, scheduled=True)
    newest_first = ExportJob.objects.filter(scheduled=True, format=format).order_by(
        "-created_at", "-id"
    )
    for old in newest_first[settings.EXPORT_SCHEDULE_KEEP :]:
        if old.output_file:
            old.output_file.delete(save=False)
        old.delete()
    return job


def _counted(rows: Iterator[dict], *, job: ExportJob, progress: Progress | None):
    """Pass rows through, saving how many have been read on the job row once per chunk."""
    step = settings.EXPORT_CHUNK_SIZE
    for count, row in enumerate(rows, start=1):
        yield row
        if count % step == 0:
            ExportJob.objects.filter(pk=job.pk).update(created=count - job.failed)
            if progress:
                progress(count, job.total or 0)


def run_export(job: ExportJob, *, progress: Progress | None = None) -> ExportJob:
    """Write the job's file, streaming claims from the database; progress goes on the row.

    Safe to run again (a re-delivered or retried task): a job that ended well is left alone; an
    unfinished or failed one starts over and replaces its file.
    """
    if job.is_finished and job.status != ExportJob.Status.FAILED:
        return job
    job.status = ExportJob.Status.RUNNING
    job.started_at = timezone.now()
    job.created = job.failed = 0
    job.errors = []
    claims = filtered_claims(job.filters)
    job.total = claims.count()
    job.save(update_fields=["status", "started_at", "created", "failed", "errors", "total"])
    if progress:
        progress(0, job.total)
    extension = FORMATS[job.format].extension
    written = 0

    def record_error(row: dict, exc: Exception) -> None:
        logger.warning("Export %s: claim %s could not be written: %s", job.pk, row["id"], exc)
        job.failed += 1
        if len(job.errors) < MAX_ERRORS_KEPT:
            job.errors.append({"claim": row["id"], "message": f"{type(exc).__name__}: {exc}"})

    try:
        with tempfile.TemporaryFile(mode="w+b") as raw:
            rows = _counted(iter_records(claims), job=job, progress=progress)
            pending: list[bytes] = []
            for chunk in stream(job.format, rows, on_error=record_error):
                pending.append(chunk)
                if len(pending) >= WRITE_BATCH:
                    raw.write(b"".join(pending))
                    written += len(pending)
                    pending = []
            raw.write(b"".join(pending))
            written += len(pending)
            raw.seek(0)
            name = f"claims-{job.pk}-{timezone.now():%Y%m%dT%H%M%S}.{extension}"
            if job.output_file:
                job.output_file.delete(save=False)
            job.output_file.save(name, File(raw, name=name), save=False)
    except Exception as exc:
        job.status = ExportJob.Status.FAILED
        job.errors.append({"message": f"The export stopped: {exc}"})
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "finished_at"])
        raise
    # head and tail are chunks too; every other chunk is one claim written
    job.created = max(written - 2, 0)
    job.status = ExportJob.Status.PARTIAL if job.failed else ExportJob.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "created", "failed", "errors", "output_file", "finished_at"])
    if progress:
        progress(job.created + job.failed, job.total)
    return job
