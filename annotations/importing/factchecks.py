"""Other fact-checkers' ClaimReviews as an import job (format `claimreview`).

The same job machinery as articles (one runner, heartbeat, checkpoint, per-record errors,
budgets, cancel), a different input and store: the file (ClaimReview JSON-LD in HTML, a JSON or
JSON Lines file of ClaimReview objects, or a Fact Check Tools `claims:search` answer) or each
URL's page is read by `annotations.memory.external`, and each review is stored once as an
`ExternalFactCheck` for claim memory to match against.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from annotations.jobmessages import JobMessage
from annotations.memory import external
from annotations.models import ImportJob

from .fetch import FetchError, fetch
from .records import InputError
from .store import AnotherRunnerError, over_budget

FORMAT = "claimreview"
Entry = tuple[dict[str, Any], "external.ExternalRecord | external.ExternalError"]


def entries(job: ImportJob) -> Iterator[Entry]:
    """Every review of the job's input with where it came from, in a stable order (a resumed job
    skips what its checkpoint passed)."""
    if job.input_file:
        with job.input_file.open("rb") as file:
            data = file.read(settings.IMPORT_MAX_UPLOAD_BYTES + 1)
        if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise InputError(
                JobMessage(gettext_noop("The file is larger than IMPORT_MAX_UPLOAD_BYTES."))
            )
        for item in external.parse(data, name=job.original_name):
            where = item.where if isinstance(item, external.ExternalError) else None
            yield ({"record": where} if where else {}), item
        return
    for line, url in enumerate(job.urls, start=1):
        try:
            page = fetch(url)
        except FetchError as exc:
            yield {"line": line}, external.ExternalError(url, str(exc))
            continue
        for item in external.parse(page.content, name="page.html"):
            if isinstance(item, external.ExternalError):
                item = external.ExternalError(f"{url} ({item.where})", item.message)
            yield {"line": line}, item


def consume(job: ImportJob, *, runner: str) -> JobMessage | None:
    """Store the reviews from the checkpoint on, a batch per transaction with the job's
    progress; why the job stopped early (a budget), if it did."""
    pending = list(entries(job))
    ImportJob.objects.filter(pk=job.pk).update(total=len(pending))
    size = settings.IMPORT_BATCH_SIZE
    for start in range(job.checkpoint, len(pending), size):
        batch = pending[start : start + size]
        records = [item for _, item in batch if isinstance(item, external.ExternalRecord)]
        failures = [
            {
                **ref,
                "message": f"{item.where}: {item.message}" if "record" not in ref else item.message,
            }
            for ref, item in batch
            if isinstance(item, external.ExternalError)
        ]
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.runner != runner:
                raise AnotherRunnerError
            if locked.status == ImportJob.Status.CANCELLED:
                return None
            created, duplicates = external.store(records, job=locked)
            locked.checkpoint = start + len(batch)
            locked.created += created
            locked.duplicates += duplicates
            locked.failed += len(failures)
            room = settings.IMPORT_MAX_ERRORS - len(locked.errors)
            locked.errors = locked.errors + failures[: max(room, 0)]
            locked.heartbeat_at = timezone.now()
            locked.save(
                update_fields=[
                    "checkpoint",
                    "created",
                    "duplicates",
                    "failed",
                    "errors",
                    "heartbeat_at",
                ]
            )
            stop = over_budget(locked)
        if stop:
            return stop
    return None
