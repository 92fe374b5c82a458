"""The Celery app. Tasks live in each app's tasks.py; configuration comes from Django settings."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def sweep_when_a_worker_starts(sender=None, **kwargs) -> None:
    """A worker that starts after a crash picks the crashed jobs up without waiting for beat;
    jobs not yet stale get a sweep queued for the moment they are (annotations.heartbeat)."""
    from django.conf import settings

    app.send_task(
        "annotations.tasks.sweep_stale_jobs", kwargs={"lookahead": settings.JOB_STALE_SECONDS}
    )
