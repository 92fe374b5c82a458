"""Celery tasks: each takes a job id and hands over to plain code that owns the logic.

Domain code queues these by name through `annotations.jobs`, never by importing this module.
Their queues are settings.CELERY_TASK_ROUTES'.
"""

from dataclasses import asdict

from celery import shared_task
from django.db import InterfaceError, OperationalError

from annotations import article_changes, heartbeat, learning, refetch, scoring, search
from annotations.exporting.run import run_export, start_scheduled_export
from annotations.importing.run import run_chunk, run_import
from annotations.memory import matching
from annotations.models import Article
from annotations.services import revisions

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


# One chunk of a fanned-out import: claimed like a job, resumed at its own checkpoint.
@job_task
def import_chunk(self, chunk_id: int) -> None:
    run_chunk(chunk_id)


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


# Beat, nightly (settings.CELERY_BEAT_SCHEDULE["compact-article-changes"]), on the housekeeping
# queue. A second run at once stops at its first batch; a re-delivery folds what is left.
@shared_task(ignore_result=True)
def compact_article_changes() -> dict[str, int | bool]:
    return asdict(article_changes.compact_article_changes())


# Derived work that a re-delivery or retry can only repeat, never double: search documents,
# scores, vectors and matches are replaced, a claim already placed on a revision is skipped.
# Only a dropped database connection is retried.
idempotent_task = shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)


# Search documents are built after the articles' commit (see annotations.search).
@idempotent_task
def index_articles(article_ids: list[int], refresh: bool = False) -> int:
    return search.index_articles(Article.objects.filter(pk__in=article_ids), refresh=refresh)


@idempotent_task
def index_import(job_id: int) -> int:
    """Catch-up after an import: documents that a lost per-batch task did not build."""
    return search.index_articles(Article.objects.filter(import_job_id=job_id))


# The `models` queue: check-worthiness scores (annotations.scoring) and claim memory's vectors and
# matches (annotations.memory; the embedding model loads once per worker process).
@idempotent_task
def score_sentences(article_ids: list[int]) -> int:
    return scoring.score_articles(article_ids=article_ids)


# Run nightly by Celery beat (settings.CELERY_BEAT_SCHEDULE["train-checkworthiness"]), on the
# `models` queue (CELERY_TASK_ROUTES): it needs the embedder. Too little data is an answer, not a
# failure: the message says how much is needed, and the heuristic stays.
@shared_task
def train_checkworthiness() -> dict:
    try:
        model = learning.train_checkworthiness(embedder=matching.embedder())
    except learning.NotEnoughData as error:
        return {"trained": False, "message": str(error)}
    return {"trained": True, "model": model.pk, "active": model.is_active, "message": model.note}


@idempotent_task
def embed_claims(claim_ids: list[int]) -> int:
    return matching.embed_and_match_claims(claim_ids)


@idempotent_task
def embed_articles(article_ids: list[int]) -> int:
    return matching.embed_and_match_articles(article_ids)


@idempotent_task
def embed_external(fact_check_ids: list[int]) -> int:
    return matching.embed_external(fact_check_ids)


# One job per new revision of an article (annotations.services.revisions).
@idempotent_task
def reanchor_revision(revision_id: int) -> dict[str, int]:
    return revisions.reanchor_claims(revision_id=revision_id)


# Run by Celery beat (settings.CELERY_BEAT_SCHEDULE["refetch-articles"]).
@shared_task
def refetch_due_articles() -> int:
    return refetch.queue_due_refetches()


# Fetch failures are recorded on the article's fetch state and retried by the back-off, not here.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def refetch_article(article_id: int) -> str:
    return refetch.refetch_article(article_id=article_id)
