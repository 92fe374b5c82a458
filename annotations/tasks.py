"""Celery tasks: each takes a job id and hands over to plain code that owns the logic."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from annotations.importing.run import run_import


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
