"""The periodic export: Celery beat's schedule from settings, and the task it runs on a worker,
which exports every published claim and keeps the newest files of each format."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.checks import run_checks

from annotations import tasks
from annotations.exporting.run import start_scheduled_export
from annotations.models import ExportJob
from tests.exporting.test_jobs import EXPORTS, download, wait_for, worker_test
from tests.factories import published_claim

ROOT = Path(__file__).resolve().parents[2]
SHOW_SCHEDULE = """
import django, json
django.setup()
from celery.schedules import crontab
from factcheck.celery import app
print(json.dumps({
    name: {"task": entry["task"], "args": entry["args"],
           "cron": [sorted(getattr(entry["schedule"], part)) for part in
                    ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")]}
    for name, entry in app.conf.beat_schedule.items()
    if name.startswith(("export-", "refetch-"))  # not the stale-job sweep, on seconds
}))
"""


def show_schedule(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SHOW_SCHEDULE],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "factcheck.settings",
            "REFETCH_ENABLED": "false",  # the re-fetch has its own entry (tests/revisions)
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def beat_schedule(**env: str) -> dict:
    result = show_schedule(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_beat_runs_one_export_a_format_on_the_cron_schedule():
    schedule = beat_schedule(
        EXPORT_SCHEDULE_FORMATS="jsonl,claimreview", EXPORT_SCHEDULE_CRON="30 2 * * 1"
    )
    assert set(schedule) == {"export-jsonl", "export-claimreview"}
    entry = schedule["export-claimreview"]
    assert (entry["task"], entry["args"]) == ("annotations.tasks.scheduled_export", ["claimreview"])
    assert entry["cron"] == [[30], [2], list(range(1, 32)), list(range(1, 13)), [1]]


def test_no_formats_no_schedule():
    assert beat_schedule(EXPORT_SCHEDULE_FORMATS="") == {}


@pytest.mark.parametrize("cron", ["0 3 * *", "61 3 * * *"])
def test_a_bad_cron_schedule_stops_the_start_with_a_clear_error(cron):
    result = show_schedule(EXPORT_SCHEDULE_FORMATS="jsonl", EXPORT_SCHEDULE_CRON=cron)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"EXPORT_SCHEDULE_CRON='{cron}' is not a five-field cron schedule" in result.stderr


def test_an_unknown_format_fails_the_system_check(settings):
    settings.EXPORT_SCHEDULE_FORMATS = ["jsonl", "xlsx"]
    errors = [e for e in run_checks() if e.id == "annotations.E001"]
    assert [e.msg for e in errors] == [
        "EXPORT_SCHEDULE_FORMATS names unknown export formats: xlsx."
    ]
    settings.EXPORT_SCHEDULE_FORMATS = ["jsonl", "claimreview"]
    assert not [e for e in run_checks() if e.id == "annotations.E001"]


def next_scheduled_job(*, after: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ExportJob.objects.filter(scheduled=True, pk__gt=after).first()
        if job:
            return job.pk
        time.sleep(0.1)
    raise AssertionError("the scheduled export task started no job")


@worker_test
def test_scheduled_export_writes_every_published_claim_and_keeps_the_newest(
    celery_worker, settings, client_for, editor, reviewer
):
    settings.EXPORT_SCHEDULE_KEEP = 2
    claims = [published_claim() for _ in range(3)]
    jobs = []
    for _ in range(3):
        tasks.scheduled_export.delay("jsonl")  # what beat sends
        jobs.append(wait_for(next_scheduled_job(after=jobs[-1].pk if jobs else 0)))
    assert [job.status for job in jobs] == ["succeeded"] * 3
    oldest, *kept = jobs
    assert list(ExportJob.objects.filter(scheduled=True).order_by("id")) == kept
    assert not Path(oldest.output_file.path).exists()  # the file went with its job
    editors = client_for(editor)
    listed = editors.get(EXPORTS, {"scheduled": "true"}).json()["results"]
    assert [job["id"] for job in listed] == [kept[1].pk, kept[0].pk]
    assert all(job["scheduled"] for job in listed)
    text = download(editors, kept[1].pk)
    assert [json.loads(line)["id"] for line in text.splitlines()] == [c.pk for c in claims]
    # Reviewers see only their own jobs; the periodic ones are no one's.
    assert client_for(reviewer).get(EXPORTS, {"scheduled": "true"}).json()["results"] == []


def test_beat_sweeps_for_stale_jobs_every_fifteen_seconds(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stale-jobs"]
    assert (entry["task"], entry["schedule"]) == ("annotations.tasks.sweep_stale_jobs", 15)
    assert entry["kwargs"] == {"lookahead": 15}


def test_retention_never_deletes_an_unfinished_export(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_SCHEDULE_KEEP = 2
    Status = ExportJob.Status
    statuses = [Status.SUCCEEDED, Status.RUNNING, Status.QUEUED, Status.FAILED, Status.SUCCEEDED]
    old = [ExportJob.objects.create(format="jsonl", scheduled=True, status=s) for s in statuses]
    new = start_scheduled_export("jsonl")  # its task is sent on commit: never, in this test
    # The newest two (the new job and the last old one) are kept, and so is whatever has not
    # finished; the finished ones beyond go.
    assert sorted(ExportJob.objects.values_list("pk", flat=True)) == sorted(
        [old[1].pk, old[2].pk, old[4].pk, new.pk]
    )
