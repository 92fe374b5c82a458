"""Celery tasks: each takes a job id and hands over to plain code that owns the logic."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from annotations import learning, refetch, scoring, search
from annotations.exporting.run import run_export, start_scheduled_export
from annotations.importing.run import run_import
from annotations.memory import matching
from annotations.models import Article, ExportJob
from annotations.services import revisions


# Late ack + reject-on-worker-lost: a worker killed mid-job leaves the message to be delivered
# again, and run_import resumes from the job's checkpoint. Only a dropped database connection is
# retried; run_import is idempotent, so a retry cannot duplicate articles.
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def import_articles(self, job_id: int) -> None:
    run_import(job_id, task_id=self.request.id or "")


# A dropped database connection is transient; run_export starts over and replaces the file, so a
# retry (or a re-delivery after a lost worker) cannot leave a half-written export behind.
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def export_claims(self, job_id: int) -> None:
    run_export(ExportJob.objects.get(pk=job_id))


# Run by Celery beat (settings.CELERY_BEAT_SCHEDULE); the export itself is an export_claims task.
@shared_task
def scheduled_export(format: str) -> int:
    return start_scheduled_export(format).pk


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


# On the `models` queue, apart from imports and exports. Scores are derived data: a re-delivery
# or retry scores only what is still unscored.
@shared_task(
    queue=scoring.SCORE_QUEUE,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def score_sentences(article_ids: list[int]) -> int:
    return scoring.score_articles(article_ids=article_ids)


# Run nightly by Celery beat (settings.CELERY_BEAT_SCHEDULE["train-checkworthiness"]), on the
# `models` queue: it needs the embedder. Too little data is an answer, not a failure: the
# message says how much is needed, and the heuristic stays.
@shared_task(queue=scoring.SCORE_QUEUE)
def train_checkworthiness() -> dict:
    try:
        model = learning.train_checkworthiness(embedder=matching.embedder())
    except learning.NotEnoughData as error:
        return {"trained": False, "message": str(error)}
    return {"trained": True, "model": model.pk, "active": model.is_active, "message": model.note}


# Claim memory, on the `models` queue (CELERY_TASK_ROUTES): the embedding model loads once per
# worker process. Each task is idempotent (vectors and matches are replaced), so a re-delivery
# only repeats the work.
model_task = shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)


@model_task
def embed_claims(claim_ids: list[int]) -> int:
    return matching.embed_and_match_claims(claim_ids)


@model_task
def embed_articles(article_ids: list[int]) -> int:
    return matching.embed_and_match_articles(article_ids)


@model_task
def embed_external(fact_check_ids: list[int]) -> int:
    return matching.embed_external(fact_check_ids)


# One job per new revision of an article (annotations.services.revisions). Idempotent: a claim
# already placed on the revision is skipped, so a retry or re-delivery changes nothing twice.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
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
