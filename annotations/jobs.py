"""Queueing the background tasks, by name, once the current transaction commits.

Domain code (the import and export runners, search, the services, the sweep) queues its Celery
tasks here and never imports `annotations.tasks`, which imports the runners: no import circle.
A task is sent after the commit so the worker always finds the rows it is handed; which queue it
lands on is settings.CELERY_TASK_ROUTES' business.
"""

from celery import current_app
from django.db import transaction

IMPORT = "annotations.tasks.import_articles"
IMPORT_CHUNK = "annotations.tasks.import_chunk"
EXPORT = "annotations.tasks.export_claims"
INDEX_ARTICLES = "annotations.tasks.index_articles"
INDEX_IMPORT = "annotations.tasks.index_import"
SWEEP = "annotations.tasks.sweep_stale_jobs"
SCORE = "annotations.tasks.score_sentences"
EMBED_CLAIMS = "annotations.tasks.embed_claims"
EMBED_ARTICLES = "annotations.tasks.embed_articles"
EMBED_EXTERNAL = "annotations.tasks.embed_external"
REANCHOR = "annotations.tasks.reanchor_revision"
REFETCH = "annotations.tasks.refetch_article"


def send_after_commit(
    name: str,
    *,
    args: list | tuple = (),
    kwargs: dict | None = None,
    task_id: str | None = None,
    countdown: float | None = None,
    robust: bool = False,
) -> None:
    """Send task `name` when the current transaction commits (at once outside a transaction).

    `robust`: a broker that cannot be reached is logged, not raised, so the commit stands (for
    follow-up work that a later catch-up redoes, such as search documents).
    """
    transaction.on_commit(
        lambda: current_app.send_task(
            name, args=list(args), kwargs=kwargs or {}, task_id=task_id, countdown=countdown
        ),
        robust=robust,
    )
