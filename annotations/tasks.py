"""Celery tasks: each takes a job id and hands over to plain code that owns the logic.

Domain code queues these by name through `annotations.jobs`, never by importing this module.
Their queues are settings.CELERY_TASK_ROUTES'.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from annotations import heartbeat, search
from annotations.exporting.run import run_export, start_scheduled_export
from annotations.importing.run import run_import
from annotations.models import Article

# Late ack + reject-on-worker-lost: a worker lost mid-job leaves the message to be delivered again,
# and a killed machine's job is queued again by the sweep once its heartbeat goes stale; either
# way run_import resumes from the job's checkpoint, and its claim lets only one delivery run it.
# Only a dropped database connection is retried; a retry cannot duplicate articles.
job_task = shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)


@job_task
def import_articles(self, job_id: int) -> None:
    run_import(job_id, task_id=self.request.id or "")


# run_export starts over and replaces the file, so a retry or a second run cannot leave a
# half-written export behind; its claim keeps a duplicate delivery from writing beside it.
@job_task
def export_claims(self, job_id: int) -> None:
    run_export(job_id)


# Run by Celery beat (settings.CELERY_BEAT_SCHEDULE); the export itself is an export_claims task.
@shared_task
def scheduled_export(format: str) -> int:
    return start_scheduled_export(format).pk


# Beat, every JOB_SWEEP_SECONDS, and each worker as it starts (factcheck.celery).
@shared_task(ignore_result=True)
def sweep_stale_jobs(lookahead: float | None = None) -> int:
    return len(heartbeat.sweep_stale_jobs(lookahead=lookahead))


# Search documents are built after the articles' commit (see annotations.search); both tasks are
# idempotent, so a re-delivery or retry only finds the documents already written.
indexing_task = shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)


@indexing_task
def index_articles(article_ids: list[int], refresh: bool = False) -> int:
    return search.index_articles(Article.objects.filter(pk__in=article_ids), refresh=refresh)


@indexing_task
def index_import(job_id: int) -> int:
    """Catch-up after an import: documents that a lost per-batch task did not build."""
    return search.index_articles(Article.objects.filter(import_job_id=job_id))
