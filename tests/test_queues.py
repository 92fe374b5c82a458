"""Fair queues: imports, exports and search indexing on queues of their own, so a short export
runs while a long import does. Real worker processes, started as `make run` starts them."""

import json
import os
import re
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from annotations.exporting.run import start_export
from annotations.jobs import EXPORT, IMPORT
from annotations.models import ExportJob, ImportJob
from annotations.services import cancel_import, start_import
from tests.factories import published_claim
from tests.importing.test_worker_processes import purge_job_queues, start_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_short_export_runs_while_a_long_import_does(tmp_path, settings, editor):
    from factcheck.celery import app

    # The tasks go where the settings send them (a test worker's own routes are gone).
    assert app.amqp.router.route({}, IMPORT)["queue"].name == "imports"
    assert app.amqp.router.route({}, EXPORT)["queue"].name == "exports"
    purge_job_queues()
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMPORT_BATCH_SIZE": "5",  # many small batches: a long import
    }
    claims = [published_claim() for _ in range(3)]
    log = tmp_path / "workers.log"
    fair = ("--concurrency=1", "-O", "fair")
    workers = [
        start_worker(
            env, log, pool="prefork", queues=["imports"], options=("-n", "imports@%h", *fair)
        ),
        start_worker(
            env,
            log,
            pool="prefork",
            queues=["exports", "search", "models", "celery"],
            options=("-n", "jobs@%h", *fair),
        ),
    ]
    try:
        # Both ready before the import starts (a loaded machine starts a worker in seconds).
        wait_until(
            lambda: len(re.findall(r"(?:imports|jobs)@\S+ ready", log.read_text())) == 2,
            timeout=120,
            what="both workers",
            log=log,
        )
        rows = "\n".join(
            json.dumps({"title": f"S{i}", "body": f"Report {i} says prices rose. Others deny it."})
            for i in range(50_000)  # far more than the test waits for: it cancels
        )
        upload = ContentFile(rows.encode(), name="long.jsonl")
        long_import = start_import(created_by=editor, upload=upload)
        wait_until(
            lambda: ImportJob.objects.get(pk=long_import.pk).created > 0,
            timeout=120,
            what="the import to start",
            log=log,
        )
        export = start_export(format="jsonl", created_by=editor)
        started = time.monotonic()
        wait_until(
            lambda: ExportJob.objects.get(pk=export.pk).is_finished,
            timeout=60,
            what="the export",
            log=log,
        )
        waited = time.monotonic() - started
        importing = ImportJob.objects.get(pk=long_import.pk)
        assert importing.status == ImportJob.Status.RUNNING, "the import ended first: too short"
        assert 0 < importing.created < 50_000
        exported = ExportJob.objects.get(pk=export.pk)
        assert (exported.status, exported.created) == (ExportJob.Status.SUCCEEDED, len(claims))
        assert waited < 30
        cancel_import(job=importing, user=editor)
        wait_until(
            lambda: ImportJob.objects.get(pk=long_import.pk).finished_at is not None,
            timeout=60,
            what="the cancelled import to stop",
            log=log,
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
