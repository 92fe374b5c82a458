"""Other fact-checkers' ClaimReviews as an import job (format `claimreview`).

The same job machinery as articles (one runner, heartbeat, checkpoint, per-record errors,
budgets, cancel), a different input and store: the file (ClaimReview JSON-LD in HTML, a JSON or
JSON Lines file of ClaimReview objects, or a Fact Check Tools `claims:search` answer) or each
URL's page is read by `annotations.memory.external`, and each review is stored once as an
`ExternalFactCheck` for claim memory to match against.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Generator, Iterator
from typing import IO, Any

import ijson
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from annotations.jobmessages import JobMessage
from annotations.memory import external
from annotations.models import ImportJob

from . import formats, read
from .fetch import FetchError, fetch
from .records import InputError, too_deep, too_large
from .store import AnotherRunnerError, over_budget

FORMAT = "claimreview"
Entry = tuple[dict[str, Any], "external.ExternalRecord | external.ExternalError"]
Entries = Generator[Entry, None, None]
Parsed = Iterator["external.ExternalRecord | external.ExternalError"]


def entries(job: ImportJob) -> Entries:
    """Every review of the job's input with where it came from, in a stable order (a resumed job
    skips what its checkpoint passed), read as they are consumed: a file is streamed where its
    shape allows (`parse_file`), and each URL is fetched when its turn comes."""
    if job.input_file:
        with job.input_file.open("rb") as file:
            for item in parse_file(file, name=job.original_name):
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


def parse_file(stream: IO[bytes], *, name: str = "") -> Parsed:
    """The reviews of an uploaded file, as `external.parse` reads them, without holding the file:
    JSON Lines line by line, a JSON array element by element. An HTML page, or a single JSON
    object (one review, an `@graph`, a Fact Check Tools answer), is one document, read whole up
    to IMPORT_MAX_UPLOAD_BYTES."""
    head = stream.read(4096)
    stream.seek(0)
    start = head.decode("utf-8-sig", errors="replace").lstrip()
    lower = name.lower()
    if start and not start.startswith("<") and not lower.endswith((".html", ".htm")):
        if start.startswith("[") and not lower.endswith(".jsonl"):
            yield from _array(stream)
            return
        if lower.endswith(".jsonl") or not start.startswith("{") or _json_lines(stream):
            yield from external.from_json_lines(stream)
            return
    data = stream.read(settings.IMPORT_MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise InputError(
            JobMessage(gettext_noop("The file is larger than IMPORT_MAX_UPLOAD_BYTES."))
        )
    yield from external.parse(data, name=name)


def _json_lines(stream: IO[bytes]) -> bool:
    """Whether a file that starts with `{` is JSON Lines: its first line is a whole JSON value
    and another line follows (a pretty-printed object's first line is not)."""
    try:
        first = stream.readline()
        try:
            json.loads(first.decode("utf-8-sig", errors="replace"))
        except (ValueError, RecursionError):
            return False
        return any(line.strip() for line in itertools.islice(stream, 100))
    finally:
        stream.seek(0)


def _array(stream: IO[bytes]) -> Parsed:
    limits = read.limits_from_settings()
    refused = {formats.TOO_DEEP: too_deep(), formats.TOO_LARGE: too_large(limits)}
    elements = (
        external.ExternalError(f"element {number}", str(refused[value]))
        if value is formats.TOO_DEEP or value is formats.TOO_LARGE
        else value
        for number, value in enumerate(formats.json_values(stream, is_array=True, limits=limits), 1)
    )
    try:
        yield from external.from_array_elements(elements)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0][:200]
        yield external.ExternalError(
            "file", f"malformed JSON ({reason}); the rest of the file could not be read"
        )


def consume(job: ImportJob, *, runner: str) -> JobMessage | None:
    """Store the reviews from the checkpoint on, a batch per transaction with the job's
    progress, as they are read (the input is never held whole); why the job stopped early (a
    budget), if it did."""
    # Closed on every way out (a cancel, a budget), so the input file is closed with it.
    with contextlib.closing(entries(job)) as every:
        return _consume(job, itertools.islice(every, job.checkpoint, None), runner=runner)


def _consume(job: ImportJob, remaining: Iterator[Entry], *, runner: str) -> JobMessage | None:
    start = job.checkpoint
    for batch in read.batches(remaining, settings.IMPORT_BATCH_SIZE):
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
            start += len(batch)
            locked.checkpoint = start
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
