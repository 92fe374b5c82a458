"""`manage.py import_articles`: creates jobs, --wait prints the job as JSON last, exit status."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Article, ImportJob

SAMPLE = Path(__file__).resolve().parents[2] / "annotations/demo_data/spain-probe-article.txt"


def test_without_wait_prints_the_job_id(db, capsys):
    call_command("import_articles", str(SAMPLE))
    job = ImportJob.objects.get()
    assert capsys.readouterr().out.strip() == str(job.pk)
    assert (job.status, job.original_name) == ("queued", "spain-probe-article.txt")


def test_missing_file_is_a_command_error(db):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_articles", "/nonexistent/file.jsonl")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_wait_prints_the_job_json_last(celery_worker, capsys):
    call_command("import_articles", str(SAMPLE), "--wait", "--timeout", "60")
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (last["status"], last["format"], last["created"], last["errors"]) == (
        "succeeded",
        "text",
        1,
        [],
    )
    assert set(last) >= {"id", "total", "duplicates", "failed", "created_at", "finished_at"}
    assert Article.objects.get().sentences.count() == 27


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_wait_exits_non_zero_when_the_job_failed(celery_worker, capsys, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_articles", str(empty), "--wait", "--timeout", "60")
    assert exit_info.value.code == 1
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["status"] == "failed"
    assert last["errors"] == [{"file": "empty.jsonl", "message": "The file is empty."}]
