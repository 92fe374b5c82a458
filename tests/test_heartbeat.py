"""One runner per job, its heartbeat, and the sweep that queues again a job whose worker died."""

import json
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from annotations import heartbeat
from annotations.exporting.run import run_export
from annotations.importing.run import run_import
from annotations.models import Article, ExportJob, ImportJob
from tests.factories import published_claim

Status = ImportJob.Status


def records(n: int) -> bytes:
    return "\n".join(
        json.dumps({"title": f"T{i}", "body": f"Story {i} says the rate rose. It fell."})
        for i in range(n)
    ).encode()


def import_job(user, n: int = 5, **fields) -> ImportJob:
    """A job row as a worker would have left it (no task queued for it)."""
    job = ImportJob(created_by=user, original_name="day.jsonl", **fields)
    job.input_file.save("day.jsonl", ContentFile(records(n)), save=False)
    job.save()
    return job


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_delivery_while_a_live_runner_holds_the_job_does_nothing(db, reviewer):
    job = import_job(reviewer)
    alive = heartbeat.claim(ImportJob, pk=job.pk)
    assert alive
    again = run_import(job.pk)
    assert (again.status, again.runner, again.created) == (Status.RUNNING, alive, 0)
    assert not Article.objects.exists()


def test_a_finished_job_is_never_claimed_again(db, reviewer):
    job = run_import(import_job(reviewer).pk)
    assert job.status == Status.SUCCEEDED
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=ago(3600))
    assert heartbeat.claim(ImportJob, pk=job.pk) is None
    assert run_import(job.pk).finished_at == job.finished_at


def test_a_runner_silent_past_the_stale_time_loses_the_job(db, reviewer, settings):
    job = import_job(reviewer)
    old = heartbeat.claim(ImportJob, pk=job.pk)
    assert heartbeat.claim(ImportJob, pk=job.pk) is None  # alive: nobody else
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=ago(settings.JOB_STALE_SECONDS + 1))
    new = heartbeat.claim(ImportJob, pk=job.pk)
    assert new and new != old
    assert not heartbeat.renew(ImportJob, pk=job.pk, runner=old)  # the old runner finds out
    assert heartbeat.renew(ImportJob, pk=job.pk, runner=new)


@pytest.mark.django_db(transaction=True)  # the heartbeat thread has a connection of its own
def test_the_heartbeat_moves_while_the_runner_works(reviewer, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    job = import_job(reviewer)
    runner = heartbeat.claim(ImportJob, pk=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=ago(30))
    with heartbeat.keep_alive(ImportJob, pk=job.pk, runner=runner):
        time.sleep(0.5)
    job.refresh_from_db()
    assert timezone.now() - job.heartbeat_at < timedelta(seconds=5)


def test_sweep_leaves_live_and_finished_jobs_alone(db, reviewer):
    import_job(reviewer, status=Status.RUNNING, runner="a" * 32, heartbeat_at=ago(5))
    import_job(reviewer, status=Status.SUCCEEDED, runner="b" * 32, heartbeat_at=ago(600))
    import_job(reviewer)  # queued: its task is on its way
    assert heartbeat.sweep_stale_jobs() == []


def test_sweep_ends_a_cancelled_job_whose_runner_died(db, reviewer):
    job = import_job(reviewer, status=Status.CANCELLED, runner="a" * 32, heartbeat_at=ago(600))
    heartbeat.sweep_stale_jobs()
    job.refresh_from_db()
    assert job.finished_at is not None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_sweep_queues_a_dead_workers_job_which_resumes_at_its_checkpoint(
    celery_worker, reviewer, settings
):
    settings.IMPORT_BATCH_SIZE = 2
    # Killed after committing records 0-2 (here: never stored, so they show if re-imported).
    job = import_job(
        reviewer, n=7, status=Status.RUNNING, runner="d" * 32, heartbeat_at=ago(61), checkpoint=3
    )
    assert heartbeat.sweep_stale_jobs() == [("ImportJob", job.pk)]
    assert heartbeat.sweep_stale_jobs() == []  # queued once, not at every sweep
    job = wait_finished(ImportJob, job.pk)
    assert (job.status, job.created, job.checkpoint) == (Status.SUCCEEDED, 4, 7)
    assert sorted(Article.objects.values_list("title", flat=True)) == ["T3", "T4", "T5", "T6"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_job_going_stale_before_the_next_sweep_gets_a_sweep_of_its_own(
    celery_worker, reviewer, settings
):
    settings.JOB_STALE_SECONDS = 2
    job = import_job(reviewer, status=Status.RUNNING, runner="d" * 32, heartbeat_at=ago(0))
    assert heartbeat.sweep_stale_jobs(lookahead=15) == []  # not stale yet
    started = time.monotonic()
    job = wait_finished(ImportJob, job.pk, timeout=20)
    assert job.status == Status.SUCCEEDED and job.created == 5
    assert time.monotonic() - started < 10  # at its stale time, not at the next beat


def wait_finished(model, pk: int, *, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = model.objects.get(pk=pk)
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"{model.__name__} #{pk} still {job.status}")


# --- Exports: the same guard -------------------------------------------------------------------


def test_a_second_export_run_while_one_holds_the_job_writes_nothing(db, reviewer):
    published_claim()
    job = ExportJob.objects.create(format="jsonl", created_by=reviewer)
    alive = heartbeat.claim(ExportJob, pk=job.pk)
    again = run_export(job.pk)
    assert (again.status, again.runner, again.output_file.name) == ("running", alive, "")


def test_an_export_taken_over_midway_stops_and_leaves_no_file(db, reviewer, settings, tmp_path):
    settings.EXPORT_CHUNK_SIZE = 1
    for _ in range(4):
        published_claim()
    job = ExportJob.objects.create(format="jsonl", created_by=reviewer)

    def sweep_gives_it_away(done: int, total: int) -> None:
        if done == 1:  # as if the sweep had given the job to a new runner
            ExportJob.objects.filter(pk=job.pk).update(runner="n" * 32)

    run_export(job.pk, progress=sweep_gives_it_away)
    job.refresh_from_db()
    assert (job.status, job.runner, job.output_file.name) == ("running", "n" * 32, "")
    assert not list((tmp_path / "media").rglob("claims-*"))


def test_an_export_past_its_time_budget_fails_with_a_message(db, reviewer, settings):
    settings.EXPORT_CHUNK_SIZE = 1
    settings.EXPORT_MAX_SECONDS = 0
    for _ in range(3):
        published_claim()
    job = run_export(ExportJob.objects.create(format="csv", created_by=reviewer).pk)
    assert job.status == ExportJob.Status.FAILED
    assert "EXPORT_MAX_SECONDS=0 s" in job.errors[-1]["message"]
