"""Writes with rules. Views, admin actions, commands and tasks call these; none repeats them."""

import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from .audit import record_event
from .models import Article, ImportJob, Sentence, content_hash, normalise_body
from .segmentation import split_sentences


def build_sentences(article: Article) -> list[Sentence]:
    """Unsaved Sentence rows for `article.body`, with offsets into it, ready for bulk_create."""
    return [
        Sentence(
            article=article,
            position=position,
            start=span.start,
            end=span.end,
            text=span.text,
            paragraph=span.paragraph,
        )
        for position, span in enumerate(split_sentences(article.body, article.language))
    ]


def create_article(
    *,
    title: str,
    body: str,
    url: str | None = None,
    publisher: str = "",
    authors: list[str] | None = None,
    published_at: datetime | None = None,
    language: str = "en",
    metadata: dict | None = None,
    import_job: ImportJob | None = None,
) -> tuple[Article, bool]:
    """Store an article split into sentences; (existing article, False) if its URL or text is known.

    The body is normalised (NFC, Unix line ends) before it is hashed and split, so offsets
    always point into exactly the stored text.
    """
    body = normalise_body(body)
    digest = content_hash(body)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing is None and url:
        existing = Article.objects.filter(url=url).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        article = Article.objects.create(
            title=title.strip()[:1000],
            body=body,
            url=url or None,
            publisher=publisher,
            authors=authors or [],
            published_at=published_at,
            language=language,
            metadata=metadata or {},
            import_job=import_job,
        )
        Sentence.objects.bulk_create(build_sentences(article))
    return article, True


# --- Import jobs --------------------------------------------------------------------------------


def start_import(
    *,
    created_by,
    upload=None,
    name: str = "",
    urls: list[str] | None = None,
    feed: str | None = None,
    input_format: str = "",
) -> ImportJob:
    """Create an import job from a file, a list of URLs or a feed URL, and queue its task.

    The task is sent after the commit, so the worker always finds the row. `input_format` is
    one of `annotations.importing.formats.FORMATS`, or "" to detect it from the name and content.
    """
    from . import tasks
    from .importing.formats import FORMATS

    sources = [s for s in (upload, urls, feed) if s]
    if len(sources) != 1:
        raise ValidationError({"detail": "Give exactly one of a file, a list of URLs or a feed."})
    if input_format and input_format not in FORMATS:
        raise ValidationError({"format": f"Unknown format; use one of {', '.join(FORMATS)}."})
    if urls and len(urls) > settings.IMPORT_MAX_URLS:
        raise ValidationError({"urls": f"At most {settings.IMPORT_MAX_URLS} URLs per import."})
    url_list = list(urls or []) or ([feed] if feed else [])
    validate = URLValidator(schemes=["http", "https"])
    for position, url in enumerate(url_list, start=1):
        try:
            validate(url)
        except ValidationError:
            raise ValidationError({"urls": f"URL {position} is not an http(s) URL."}) from None
    job = ImportJob(
        created_by=created_by,
        format="feed" if feed else ("urls" if urls else input_format),
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
        transaction.on_commit(
            lambda: tasks.import_articles.apply_async((job.pk,), task_id=job.celery_task_id)
        )
    return job


def cancel_import(*, job: ImportJob, user) -> ImportJob:
    """Cancel a queued or running import; a running one stops before its next batch."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            raise ValidationError({"status": f"The import has already ended ({job.status})."})
        before = job.status
        job.status = ImportJob.Status.CANCELLED
        if before == ImportJob.Status.QUEUED:
            job.finished_at = timezone.now()  # no worker will touch it again
        job.save(update_fields=["status", "finished_at"])
        record_event(
            actor=user, action="import.cancelled", obj=job, changes={"status": [before, job.status]}
        )
    return job
