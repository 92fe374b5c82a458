"""Export jobs: the API, the Celery worker, the files, and the export_claims command."""

import csv
import io
import json
import time

import pytest
from django.core.management import CommandError, call_command

from annotations.exporting.run import run_export
from annotations.models import AuditEvent, ExportJob
from tests.factories import published_claim

EXPORTS = "/api/v1/exports/"
# Worker tests commit for real; flush's post_migrate puts the roles and rating scale back.
on_worker = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def worker_test(fn):
    for mark in reversed(on_worker):
        fn = mark(fn)
    return fn


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def wait_for(job_id: int, timeout: float = 30) -> ExportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"export #{job_id} did not finish: {job.status}")


def download(client, job_id: int) -> str:
    response = client.get(f"{EXPORTS}{job_id}/download/")
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


def check_jsonl(text, claims):
    assert [json.loads(line)["id"] for line in text.splitlines()] == [c.pk for c in claims]


def check_csv(text, claims):
    assert [int(row["id"]) for row in csv.DictReader(io.StringIO(text))] == [c.pk for c in claims]


def check_claimreview(text, claims):
    reviews = json.loads(text)
    assert [r["@type"] for r in reviews] == ["ClaimReview"] * len(claims)
    assert [r["url"].split("/")[-2] for r in reviews] == [str(c.pk) for c in claims]


def check_webannotation(text, claims):
    items = json.loads(text)["first"]["items"]
    assert [i["target"]["selector"][0]["exact"] for i in items] == [c.quote_exact for c in claims]


CHECKS = {
    "jsonl": check_jsonl,
    "csv": check_csv,
    "claimreview": check_claimreview,
    "webannotation": check_webannotation,
}


@worker_test
@pytest.mark.parametrize("fmt", list(CHECKS))
def test_export_job_on_the_worker_ends_with_the_right_file(celery_worker, client_for, editor, fmt):
    claims = [published_claim() for _ in range(3)]
    client = client_for(editor)

    response = client.post(EXPORTS, {"format": fmt}, format="json")

    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    job = wait_for(response.json()["id"])
    assert job.status == ExportJob.Status.SUCCEEDED, job.errors
    assert (job.total, job.created, job.failed) == (3, 3, 0)
    shown = client.get(f"{EXPORTS}{job.pk}/").json()
    assert shown["progress"] == 1.0
    assert shown["download_url"].endswith(f"/exports/{job.pk}/download/")
    CHECKS[fmt](download(client, job.pk), claims)


@worker_test
def test_export_job_applies_its_filters(celery_worker, client_for, reviewer):
    spanish = published_claim(article__language="es")
    published_claim(article__language="en")

    response = client_for(reviewer).post(
        EXPORTS, {"format": "jsonl", "language": "es"}, format="json"
    )

    job = wait_for(response.json()["id"])
    assert job.filters == {"language": "es"}
    check_jsonl(download(client_for(reviewer), job.pk), [spanish])


def test_starting_an_export_is_audited(client_for, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(editor).post(EXPORTS, {"format": "csv"}, format="json")

    event = AuditEvent.objects.get(action="export.started")
    assert event.actor == editor
    assert event.object_id == response.json()["id"]
    assert event.changes["format"] == "csv"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"format": "xml"}, "format"),
        ({}, "format"),
        ({"format": "csv", "updated_since": "yesterday"}, "updated_since"),
        ({"format": "csv", "colour": "red"}, "colour"),
    ],
)
def test_bad_export_request_is_a_400_and_starts_nothing(client_for, editor, payload, field):
    response = client_for(editor).post(EXPORTS, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, (401, 403)), ("outsider", (403,)), ("reviewer", (202,)), ("moderator", (202,))],
)
def test_who_may_start_an_export(
    db, client_for, request, who, expected, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(who) if who else None

    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(user).post(EXPORTS, {"format": "csv"}, format="json")

    assert response.status_code in expected
    assert ExportJob.objects.exists() == (response.status_code == 202)


def test_reviewers_see_only_their_own_jobs_editors_see_all(
    client_for, reviewer, other_reviewer, editor
):
    job = ExportJob.objects.create(format="csv", created_by=other_reviewer)

    assert client_for(reviewer).get(f"{EXPORTS}{job.pk}/").status_code == 404
    assert client_for(reviewer).get(f"{EXPORTS}{job.pk}/download/").status_code == 404
    assert client_for(other_reviewer).get(f"{EXPORTS}{job.pk}/").status_code == 200
    assert client_for(editor).get(f"{EXPORTS}{job.pk}/").status_code == 200
    assert client_for(None).get(f"{EXPORTS}{job.pk}/").status_code in (401, 403)


def test_download_before_the_file_is_ready_is_a_409(client_for, reviewer):
    job = ExportJob.objects.create(format="csv", created_by=reviewer)

    response = client_for(reviewer).get(f"{EXPORTS}{job.pk}/download/")

    assert response.status_code == 409
    assert "queued" in response.json()["detail"]


def test_download_errors_are_json_whatever_the_client_accepts(client_for, reviewer):
    # Found by schemathesis: an error rendered by the download's pass-through renderer was a 500.
    job = ExportJob.objects.create(format="csv", created_by=reviewer)
    api = client_for(reviewer)
    for url, code in ((f"{EXPORTS}{job.pk}/download/", 409), (f"{EXPORTS}999999/download/", 404)):
        response = api.get(url, HTTP_ACCEPT="text/csv")
        assert response.status_code == code
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


def test_run_export_records_progress_and_is_safe_to_run_again(db, settings, reviewer):
    settings.EXPORT_CHUNK_SIZE = 2
    claims = [published_claim() for _ in range(5)]
    job = ExportJob.objects.create(format="jsonl", created_by=reviewer)
    seen = []

    run_export(job.pk, progress=lambda done, total: seen.append((done, total)))

    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    job.refresh_from_db()
    assert job.status == ExportJob.Status.SUCCEEDED
    first_file = job.output_file.name
    run_export(job.pk)  # a re-delivered task leaves a finished job alone
    job.refresh_from_db()
    assert job.output_file.name == first_file
    with job.output_file.open("rb") as f:
        check_jsonl(f.read().decode(), claims)


def test_command_runs_the_export_and_writes_the_file(db, tmp_path):
    claims = [published_claim() for _ in range(3)]
    out = tmp_path / "claims.csv"

    call_command("export_claims", "--format", "csv", "-o", str(out), stdout=io.StringIO())

    check_csv(out.read_text(), claims)
    assert ExportJob.objects.get().status == ExportJob.Status.SUCCEEDED
    assert AuditEvent.objects.filter(action="export.started").count() == 1


def test_command_rejects_a_bad_filter(db, tmp_path):
    with pytest.raises(CommandError, match="updated_since"):
        call_command(
            "export_claims",
            "--format",
            "jsonl",
            "-o",
            str(tmp_path / "x.jsonl"),
            "--updated-since",
            "soon",
        )
    assert not ExportJob.objects.exists()


@worker_test
def test_command_with_wait_hands_the_job_to_the_worker(celery_worker, tmp_path):
    claims = [published_claim() for _ in range(2)]
    out = tmp_path / "claims.jsonld"

    call_command(
        "export_claims",
        "--format",
        "claimreview",
        "-o",
        str(out),
        "--wait",
        "--poll",
        "0.1",
        stdout=io.StringIO(),
    )

    check_claimreview(out.read_text(), claims)
    assert ExportJob.objects.get().celery_task_id
