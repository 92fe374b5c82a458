"""Import jobs: starting one (its task is queued after the commit) and cancelling it."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import jobs
from ..audit import record_event
from ..models import ImportJob
from ..roles import AnyUser


def start_import(
    *,
    created_by: User | None,
    upload: "File[Any] | None" = None,
    name: str = "",
    urls: list[str] | None = None,
    feed: str | None = None,
    input_format: str = "",
) -> ImportJob:
    """Create an import job from a file, a list of URLs or a feed URL, and queue its task.

    The task is sent after the commit, so the worker always finds the row. `input_format` is
    one of `annotations.importing.formats.FORMATS`, or "" to detect it from the name and content.
    """
    from ..importing.formats import FORMATS

    sources = [s for s in (upload, urls, feed) if s]
    if len(sources) != 1:
        raise ValidationError(
            {"detail": _("Give exactly one of a file, a list of URLs or a feed.")}
        )
    if input_format and input_format not in FORMATS:
        raise ValidationError(
            {
                "format": _("Unknown format; use one of %(choices)s.")
                % {"choices": ", ".join(FORMATS)}
            }
        )
    if urls and len(urls) > settings.IMPORT_MAX_URLS:
        raise ValidationError(
            {"urls": _("At most %(count)s URLs per import.") % {"count": settings.IMPORT_MAX_URLS}}
        )
    url_list = list(urls or []) or ([feed] if feed else [])
    validate = URLValidator(schemes=["http", "https"])
    for position, url in enumerate(url_list, start=1):
        try:
            validate(url)
        except ValidationError:
            raise ValidationError(
                {"urls": _("URL %(position)s is not an http(s) URL.") % {"position": position}}
            ) from None
    job = ImportJob(
        created_by=created_by,
        # URLs are a list of pages, unless they are ClaimReview pages of other fact-checkers.
        format="feed"
        if feed
        else (
            "claimreview" if input_format == "claimreview" else ("urls" if urls else input_format)
        ),
        urls=url_list,
        original_name=(name or getattr(upload, "name", "") or "")[-255:],
        total=len(urls) if urls else None,
        celery_task_id=str(uuid.uuid4()),
    )
    with transaction.atomic():
        if upload is not None:
            job.input_file.save(
                job.original_name.rsplit("/", 1)[-1] or "upload", upload, save=False
            )
        job.save()
        record_event(
            actor=created_by,
            action="import.started",
            obj=job,
            changes={"format": job.format, "name": job.original_name, "urls": len(url_list)},
        )
        jobs.send_after_commit(jobs.IMPORT, args=[job.pk], task_id=job.celery_task_id)
    return job


def cancel_import(*, job: ImportJob, user: AnyUser) -> ImportJob:
    """Cancel a queued or running import; a running one stops before its next batch."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            raise ValidationError(
                {
                    "status": _("The import has already ended (%(status)s).")
                    % {"status": str(job.get_status_display()).lower()}
                }
            )
        before = job.status
        job.status = ImportJob.Status.CANCELLED
        if before == ImportJob.Status.QUEUED:
            job.finished_at = timezone.now()  # no worker will touch it again
        job.save(update_fields=["status", "finished_at"])
        record_event(
            actor=user, action="import.cancelled", obj=job, changes={"status": [before, job.status]}
        )
    return job
