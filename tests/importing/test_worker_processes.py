"""Real `celery -A factcheck worker` processes: a SIGKILLed worker's job (fanned out into chunks)
is finished by the next one with every article exactly once, and the no-server default (SQLite +
SQLite broker) works."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Count

from annotations.jobs import IMPORT
from annotations.models import Article, ArticleSearch, AuditEvent, ImportJob, Sentence
from annotations.services import start_import

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "annotations/demo_data/spain-probe-article.txt"
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


WORKER = [sys.executable, "-m", "celery", "-A", "factcheck", "worker"]
WORKER += ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]


def start_worker(
    env: dict[str, str],
    log: Path,
    *,
    pool: str = "solo",
    queues: list[str] = django_settings.JOB_QUEUES,  # every queue, by default
    options: tuple[str, ...] = (),
) -> subprocess.Popen:
    command = [*WORKER, f"--pool={pool}", "--queues", ",".join(queues), *options]
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until(condition, *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def purge_job_queues() -> None:
    """Drop what earlier tests left on the queues these workers consume (app.control.purge()
    would purge the queue an in-thread test worker last selected instead)."""
    from factcheck.celery import app

    with app.connection_for_write() as broker:
        for queue in django_settings.JOB_QUEUES:
            broker.default_channel.queue_purge(queue)


def test_job_survives_a_sigkilled_worker(tmp_path, settings, reviewer):
    """Default settings: no shortened visibility timeout. The killed worker's message stays
    unacknowledged in Redis for an hour; the heartbeat and the sweep bring the job back."""
    from factcheck.celery import app

    purge_job_queues()
    settings.MEDIA_ROOT = tmp_path / "media"
    n = 4000
    rows = "\n".join(
        json.dumps({"title": f"Story {i}", "body": f"Report {i} says prices rose. Others deny it."})
        for i in range(n)
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMPORT_BATCH_SIZE": "25",
    }
    for name in ("CELERY_VISIBILITY_TIMEOUT", "JOB_STALE_SECONDS", "JOB_HEARTBEAT_SECONDS"):
        env.pop(name, None)
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.JOB_STALE_SECONDS == 60
    log = tmp_path / "worker.log"
    job = start_import(created_by=reviewer, upload=ContentFile(rows.encode(), name="big.jsonl"))
    first_task_id = job.celery_task_id
    first = start_worker(env, log)
    try:
        wait_until(
            lambda: ImportJob.objects.get(pk=job.pk).created >= 500,
            timeout=120,
            what="the first batches",
            log=log,
        )
        # Read what the test needs before the kill: after it the child may be a zombie.
        splitting = psutil.Process(first.pid).children()  # the import's splitting process
        commands = [process.cmdline()[-1] for process in splitting]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert commands == ["annotations.importing.splitting"]
    _, left = psutil.wait_procs(splitting, timeout=10)
    assert left == [], "the splitting process outlived its killed worker"
    killed = ImportJob.objects.get(pk=job.pk)
    assert killed.status == ImportJob.Status.RUNNING
    assert 0 < killed.created < n
    # What the kill left: whole batches only, every article with its sentences.
    assert Article.objects.count() == killed.created == killed.checkpoint
    assert not Article.objects.annotate(s=Count("sentences")).filter(s=0).exists()

    # As `make run` and production run it: a prefork pool, whose (daemonic) child starts the
    # import's splitting process all the same. It starts at once; the job is not stale yet.
    second = start_worker(env, log, pool="prefork")
    arrived = time.monotonic()
    try:
        wait_until(
            lambda: ImportJob.objects.get(pk=job.pk).created > killed.created,
            timeout=90,
            what="the job to resume",
            log=log,
        )
        resumed_after = time.monotonic() - arrived
        wait_until(
            lambda: ImportJob.objects.get(pk=job.pk).is_finished,
            timeout=180,
            what="the resumed job",
            log=log,
        )
        # Stop it idle: a prefork worker stopped amid the follow-up indexing tasks it had
        # reserved took half a minute to hand them back.
        wait_until(
            lambda: ArticleSearch.objects.count() == n,
            timeout=60,
            what="the search documents",
            log=log,
        )
        job.refresh_from_db()
        finished = (job.finished_at, job.created, job.duplicates, job.failed, job.errors)
        events = AuditEvent.objects.filter(action="import.finished", object_id=job.pk).count()
        # Redis would hand the killed worker's message out again after its visibility timeout
        # (an hour): the same task, the same id. It must find the job finished and do nothing.
        app.send_task(IMPORT, args=[job.pk], task_id=first_task_id)
        wait_until(
            lambda: log.read_text().count(f"[{first_task_id}] succeeded") >= 1,
            timeout=60,
            what="the late duplicate delivery",
            log=log,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    print(f"resumed {resumed_after:.1f} s after the new worker started")
    assert resumed_after <= 60 + 10  # the stale time, and a loaded machine's slack
    job.refresh_from_db()
    assert (job.status, job.created, job.duplicates, job.failed) == ("succeeded", n, 0, 0)
    # Fanned out (IMPORT_CHUNK_SIZE 1,000): the chunk the kill interrupted ran twice, no other.
    assert (job.fanned_out, job.chunks_cut, job.chunks_ended) == (True, 4, 4)
    assert sorted(job.chunks.values_list("attempts", flat=True)) == [1, 1, 1, 2]
    assert (job.finished_at, job.created, job.duplicates, job.failed, job.errors) == finished
    assert AuditEvent.objects.filter(action="import.finished", object_id=job.pk).count() == events
    assert "lost its worker; queued again" in log.read_text()
    assert "splitting in the worker" not in log.read_text()  # the splitting process never failed
    titles = Article.objects.values("title").annotate(c=Count("id"))
    assert titles.count() == n and not titles.filter(c__gt=1).exists()
    assert Sentence.objects.count() == 2 * n
    assert not Article.objects.annotate(s=Count("sentences")).filter(s=0).exists()


def test_no_server_default_sqlite_broker_and_database(tmp_path):
    """What `make run` relies on: a prefork worker on kombu's SQLite broker imports a job."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "IMPORT_BATCH_SIZE": "2",
    }
    sample = SAMPLE.read_text(encoding="utf-8")
    upload = tmp_path / "five.jsonl"
    upload.write_text(
        "\n".join(json.dumps({"title": f"Take {n}", "body": f"{sample}\n{n}."}) for n in range(5))
    )
    manage = [sys.executable, "manage.py"]
    migrate = subprocess.run(
        [*manage, "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, timeout=180
    )
    assert migrate.returncode == 0, migrate.stderr.decode()
    log = tmp_path / "worker.log"
    worker = start_worker(env, log, pool="prefork")
    try:
        result = subprocess.run(
            [*manage, "import_articles", str(upload), "--wait", "--timeout", "120"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert result.returncode == 0, result.stderr + log.read_text()[-3000:]
    job = json.loads(result.stdout.strip().splitlines()[-1])
    assert (job["status"], job["format"], job["created"]) == ("succeeded", "jsonl", 5)
