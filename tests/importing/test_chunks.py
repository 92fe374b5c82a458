"""Fan-out (annotations.importing.chunks): a large import cut into chunks that any worker runs,
with the job's counts, checkpoint, cancel, budgets and exactly-once behaviour intact."""

import json
import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, connections
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from annotations import heartbeat
from annotations.importing import chunks, read
from annotations.importing.decoding import undecodable
from annotations.importing.records import ArticleRecord, InputError, Item
from annotations.importing.run import _close_fanned_out, run_chunk, run_import
from annotations.jobmessages import JobMessage
from annotations.models import (
    Article,
    ArticleRevision,
    AuditEvent,
    ImportChunk,
    ImportJob,
    Sentence,
)
from annotations.services import cancel_import, start_import
from tests.importing.test_worker_processes import purge_job_queues, start_worker, wait_until

Status = ImportJob.Status


def story(n: int) -> dict:
    return {"title": f"Story {n}", "body": f"Report {n} says prices rose. Others deny it."}


def jsonl(records: list[dict]) -> bytes:
    return "\n".join(json.dumps(record) for record in records).encode()


def cut_only(user, records: list[dict] | bytes) -> ImportJob:
    """A job cut into chunks by its coordinator, none of them run yet (as when every worker is
    busy): the test runs them."""
    data = records if isinstance(records, bytes) else jsonl(records)
    job = start_import(created_by=user, upload=ContentFile(data, name="day.jsonl"))
    runner = heartbeat.claim(ImportJob, pk=job.pk)
    assert runner
    with read.items(job) as items:
        chunks.cut(job, items, runner=runner, close=_close_fanned_out)
    job.refresh_from_db()
    assert job.fanned_out
    return job


def assert_each_article_once(n: int) -> None:
    titles = Article.objects.values("title").annotate(c=Count("id"))
    assert titles.count() == n and not titles.filter(c__gt=1).exists()
    assert Sentence.objects.count() == 2 * n
    assert not Article.objects.annotate(s=Count("sentences")).exclude(s=2).exists()


def test_a_chunks_records_survive_the_payload_round_trip():
    published = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    record = ArticleRecord(
        "T\ud800", "Body.", "https://a.example/1", "Wire", ["Ana"], published, "es", {"k": [1.5]}
    )
    items = [
        Item({"line": 1}, record=record),
        Item({"record": 2, "file": "a.zip"}, fetch_url="https://b.example/", hints={"title": "B"}),
        Item({"line": 3}, error="Not JSON."),
        # A message to translate when shown, a nested one among its params.
        Item(
            {"record": 4},
            fetch_url="https://c.example/",
            error=JobMessage(
                "%(url)s: %(error)s",
                url="https://c.example/",
                error=JobMessage("HTTP %(status)s.", status=404),
            ),
        ),
        Item({"record": 5}, fetch_url="https://d.example/", skip_if_stored=True),  # a feed's
    ]
    assert chunks.decode(chunks.encode(items)) == items


def test_an_input_of_one_chunk_runs_in_one_piece(import_bytes, settings):
    settings.IMPORT_CHUNK_SIZE = 5
    job = import_bytes(jsonl([story(n) for n in range(5)]), "day.jsonl")
    assert (job.status, job.created, job.chunks_cut, job.fanned_out) == (
        Status.SUCCEEDED,
        5,
        0,
        False,
    )
    assert not ImportChunk.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_alone_runs_every_chunk_with_exact_counts(settings, reviewer):
    settings.IMPORT_CHUNK_SIZE = 20
    settings.IMPORT_BATCH_SIZE = 7
    records = [story(n) for n in range(95)] + [story(3), story(60)]  # two duplicates
    data = jsonl(records) + b"\n{broken"
    job = start_import(created_by=reviewer, upload=ContentFile(data, name="day.jsonl"))
    job = run_import(job.pk)
    assert (job.status, job.created, job.duplicates, job.failed) == (Status.PARTIAL, 95, 2, 1)
    assert (job.checkpoint, job.total, job.chunks_cut, job.chunks_ended) == (98, 98, 5, 5)
    assert [(error["line"], error["msgid"]) for error in job.errors] == [
        (98, "Malformed JSON: %(error)s at column %(column)s.")
    ]
    assert list(job.chunks.values_list("first", "size", "status")) == [
        (0, 20, "succeeded"),
        (20, 20, "succeeded"),
        (40, 20, "succeeded"),
        (60, 20, "succeeded"),
        (80, 18, "succeeded"),
    ]
    sums = job.chunks.aggregate(Sum("created"), Sum("duplicates"), Sum("failed"))
    assert sums == {"created__sum": 95, "duplicates__sum": 2, "failed__sum": 1}
    assert not job.chunks.exclude(payload=b"").exists()  # emptied once ended
    assert_each_article_once(95)


def test_a_chunks_queries_grow_with_its_batches_not_its_records(db, reviewer, settings):
    settings.IMPORT_CHUNK_SIZE = 100
    settings.IMPORT_BATCH_SIZE = 100
    job = cut_only(reviewer, [story(n) for n in range(220)])  # chunks of 100, 100 and 20
    big, last, small = job.chunks.order_by("index")
    counted = []
    for chunk in (small, big):  # one batch each; `last` ends the job, with queries of its own
        with CaptureQueriesContext(connection) as queries:
            run_chunk(chunk.pk)
        counted.append(len(queries))
        # Articles by one COPY a batch (not captured here), never a statement an article.
        assert not [q for q in queries.captured_queries if "INSERT INTO" in q["sql"]]
    assert counted[0] == counted[1] <= 25, counted
    run_chunk(last.pk)
    job.refresh_from_db()
    assert (job.status, job.created, job.checkpoint) == (Status.SUCCEEDED, 220, 220)


CRASH_ON_TITLE = """
CREATE OR REPLACE FUNCTION test_crash_on_title() RETURNS trigger AS $$
BEGIN
  IF NEW.title = 'Story 15' THEN
    RAISE EXCEPTION 'the connection went away' USING ERRCODE = '40001';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER test_crash BEFORE INSERT ON annotations_article
FOR EACH ROW EXECUTE FUNCTION test_crash_on_title();
"""


@pytest.mark.django_db(transaction=True)
def test_a_chunk_whose_transaction_aborts_is_run_again_from_its_checkpoint(settings, reviewer):
    # Record 15 (chunk 1's second batch) makes its transaction fail as a dropped connection
    # does: the task's retry (here: run_import again) resumes the chunk where it stood.
    settings.IMPORT_CHUNK_SIZE = 10
    settings.IMPORT_BATCH_SIZE = 4
    job = start_import(
        created_by=reviewer, upload=ContentFile(jsonl([story(n) for n in range(30)]), name="a")
    )
    with connection.cursor() as cursor:
        cursor.execute(CRASH_ON_TITLE)
    try:
        with pytest.raises(OperationalError):
            run_import(job.pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_crash ON annotations_article")
    crashed = ImportChunk.objects.get(job=job, index=1)
    assert (crashed.status, crashed.runner, crashed.checkpoint) == ("running", "", 4)
    job.refresh_from_db()
    assert (job.status, job.created, job.checkpoint) == (Status.RUNNING, 14, 14)
    assert Article.objects.count() == 14
    job = run_import(job.pk)  # the retry
    assert (job.status, job.created, job.duplicates, job.checkpoint) == (
        Status.SUCCEEDED,
        30,
        0,
        30,
    )
    assert list(job.chunks.values_list("attempts", flat=True)) == [1, 2, 1]
    assert_each_article_once(30)


@pytest.mark.django_db(transaction=True)
def test_chunks_storing_the_same_articles_at_once_store_each_once(settings, reviewer):
    # Two chunks, the second the first's articles in reverse order, run at the same moment by two
    # threads (two connections): each article is stored by one and counted a duplicate by the
    # other, whatever the unique indexes made them wait on or refuse.
    settings.IMPORT_CHUNK_SIZE = 40
    settings.IMPORT_BATCH_SIZE = 8
    settings.IMPORT_SPLIT_IN_PROCESS = False
    originals = [story(n) for n in range(40)]
    job = cut_only(reviewer, originals + originals[::-1])
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(chunk_id: int) -> None:
        try:
            start.wait()
            run_chunk(chunk_id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=[pk]) for pk in job.chunks.values_list("pk", flat=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    job.refresh_from_db()
    assert (job.status, job.created, job.duplicates, job.failed) == (Status.SUCCEEDED, 40, 40, 0)
    assert job.checkpoint == 80
    assert_each_article_once(40)


@pytest.mark.django_db(transaction=True)
def test_a_cancel_stops_the_chunks_not_yet_run_and_keeps_what_was_stored(settings, reviewer):
    settings.IMPORT_CHUNK_SIZE = 10
    job = cut_only(reviewer, [story(n) for n in range(30)])
    first, *rest = job.chunks.order_by("index")
    run_chunk(first.pk)
    cancel_import(job=ImportJob.objects.get(pk=job.pk), user=reviewer)
    for chunk in rest:
        run_chunk(chunk.pk)
    job.refresh_from_db()
    assert (job.status, job.created, job.checkpoint) == (Status.CANCELLED, 10, 10)
    assert job.finished_at is not None
    assert list(job.chunks.values_list("status", "checkpoint")) == [
        ("succeeded", 10),
        ("cancelled", 0),
        ("cancelled", 0),
    ]
    assert Article.objects.count() == 10
    assert run_chunk(first.pk) is None  # an ended chunk delivered again does nothing


@pytest.mark.django_db(transaction=True)
def test_the_error_budget_counts_across_chunks_and_stops_them_all(settings, reviewer):
    settings.IMPORT_CHUNK_SIZE = 10
    settings.IMPORT_BATCH_SIZE = 5
    settings.IMPORT_MAX_ERRORS = 8
    good = [json.dumps(story(n)) for n in range(30)]
    lines = good[:10] + ["{broken"] * 10 + good[20:]
    job = cut_only(reviewer, "\n".join(lines).encode())
    # The second chunk holds 10 lines that are errors already: cutting stops there.
    assert job.chunks_cut == 2
    fine, bad = job.chunks.order_by("index")
    run_chunk(bad.pk)  # spends the budget
    run_chunk(fine.pk)  # starts after: stops before its first batch
    job.refresh_from_db()
    assert (job.status, job.created, job.failed, job.checkpoint) == (Status.FAILED, 0, 10, 10)
    assert "IMPORT_MAX_ERRORS=8" in job.errors[-1]["message"]
    assert job.stopped == job.errors[-1]  # stored as the job's errors are: msgid and params
    assert job.stopped["params"] == {"errors": 10, "limit": "8", "created": 0}
    assert [error["line"] for error in job.errors if "line" in error] == list(range(11, 19))
    assert job.errors[-2] == {
        "message": "2 more errors are not listed.",
        "msgid": "%(count)s more errors are not listed.",
        "params": {"count": 2},
    }
    assert list(job.chunks.values_list("status", "checkpoint")) == [
        ("cancelled", 0),
        ("succeeded", 10),
    ]
    assert not Article.objects.exists()


CRASH_ON_REVISION = """
CREATE OR REPLACE FUNCTION test_crash_on_revision() RETURNS trigger AS $$
BEGIN
  IF NEW.body LIKE 'Revised 15.%' THEN
    RAISE EXCEPTION 'the connection went away' USING ERRCODE = '40001';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER test_crash BEFORE INSERT ON annotations_articlerevision
FOR EACH ROW EXECUTE FUNCTION test_crash_on_revision();
"""


@pytest.mark.django_db(transaction=True)
def test_stored_urls_with_new_texts_become_revisions_once_across_an_aborted_chunk(
    settings, reviewer
):
    # 30 stored URLs imported again with new texts, fanned out; the revision of record 15 (chunk
    # 1's second batch) aborts its transaction as a dropped connection does. The retry resumes
    # the chunk at its checkpoint: each article gets exactly one new revision, counted once.
    def urls(body: str) -> list[dict]:
        return [
            {"title": f"Story {n}", "url": f"https://news.example/{n}", "body": body % n}
            for n in range(30)
        ]

    settings.IMPORT_CHUNK_SIZE = 100
    first = start_import(
        created_by=reviewer, upload=ContentFile(jsonl(urls("Report %s. Prices rose.")), name="a")
    )
    assert run_import(first.pk).created == 30  # one piece
    settings.IMPORT_CHUNK_SIZE = 10
    settings.IMPORT_BATCH_SIZE = 4
    job = start_import(
        created_by=reviewer, upload=ContentFile(jsonl(urls("Revised %s. Prices fell.")), name="b")
    )
    with connection.cursor() as cursor:
        cursor.execute(CRASH_ON_REVISION)
    try:
        with pytest.raises(OperationalError):
            run_import(job.pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_crash ON annotations_articlerevision")
    crashed = ImportChunk.objects.get(job=job, index=1)
    assert (crashed.status, crashed.checkpoint, crashed.updated) == ("running", 4, 4)
    job.refresh_from_db()
    assert (job.status, job.updated, job.checkpoint) == (Status.RUNNING, 14, 14)
    job = run_import(job.pk)  # the retry
    assert (job.status, job.created, job.updated, job.duplicates, job.checkpoint) == (
        Status.SUCCEEDED,
        0,
        30,
        0,
        30,
    )
    assert list(job.chunks.values_list("updated", flat=True)) == [10, 10, 10]
    assert list(job.chunks.values_list("attempts", flat=True)) == [1, 2, 1]
    assert Article.objects.count() == 30
    revised = ArticleRevision.objects.filter(source=ArticleRevision.Source.IMPORT)
    assert revised.count() == 30
    assert not revised.values("article").annotate(c=Count("id")).filter(c__gt=1).exists()
    assert not Article.objects.exclude(body__startswith="Revised ").exists()
    assert AuditEvent.objects.filter(action="article.revised").count() == 30
    finished = AuditEvent.objects.get(action="import.finished", object_id=job.pk)
    assert (finished.changes["updated"], finished.changes["created"]) == (30, 0)


def spanish_errors(client_for, user, job: ImportJob) -> list[dict]:
    # The request activates Spanish in this thread; the override puts the language back after.
    with translation.override(None):
        response = client_for(user).get(f"/api/v1/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    return response.json()["errors"]


@pytest.mark.django_db(transaction=True)
def test_a_fanned_out_jobs_stop_and_unlisted_count_read_in_spanish(settings, reviewer, client_for):
    settings.IMPORT_CHUNK_SIZE = 10
    settings.IMPORT_BATCH_SIZE = 5
    settings.IMPORT_MAX_ERRORS = 8
    lines = [json.dumps(story(n)) for n in range(10)] + ["{broken"] * 10
    job = cut_only(reviewer, "\n".join(lines).encode())
    for chunk in job.chunks.order_by("-index"):
        run_chunk(chunk.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED
    spanish = spanish_errors(client_for, reviewer, job)
    assert spanish[-2] == {"message": "Errores sin listar: 2 más."}
    assert spanish[-1]["message"].startswith("La importación se detuvo tras 10 errores")
    assert "IMPORT_MAX_ERRORS=8" in spanish[-1]["message"]
    assert spanish[0]["message"].startswith("JSON mal formado: ")


@pytest.mark.django_db(transaction=True)
def test_a_failed_chunk_and_a_read_error_are_the_jobs_errors_in_the_readers_language(
    settings, reviewer, client_for
):
    settings.IMPORT_CHUNK_SIZE = 10

    def cut_short() -> Iterator[Item]:
        # 30 records, then bytes the file's encoding cannot decode: reading stops there.
        for n in range(30):
            yield Item({"line": n + 1}, record=ArticleRecord(**story(n)))
        raise InputError(undecodable("utf-8"))

    job = start_import(created_by=reviewer, upload=ContentFile(b"{}", name="day.jsonl"))
    runner = heartbeat.claim(ImportJob, pk=job.pk)
    assert runner
    chunks.cut(job, cut_short(), runner=runner, close=_close_fanned_out)
    job.refresh_from_db()
    assert job.read_error["msgid"] == undecodable("utf-8").msgid
    damaged = job.chunks.get(index=1)
    damaged.payload = b"not zlib"  # a chunk whose records cannot be read: it fails, alone
    damaged.save(update_fields=["payload"])
    for chunk in job.chunks.order_by("index"):
        run_chunk(chunk.pk)
    job.refresh_from_db()
    assert (job.status, job.created, job.checkpoint) == (Status.PARTIAL, 20, 20)
    assert job.chunks.get(index=1).status == "failed"
    english = [error["message"] for error in job.errors]
    assert english == [
        "Contains bytes that are not valid utf-8 text (the file mixes encodings).",
        "Records 11-20 stopped on an unexpected error (error).",
    ]
    assert {error["file"] for error in job.errors} == {"day.jsonl"}
    spanish = spanish_errors(client_for, reviewer, job)
    assert [error["file"] for error in spanish] == ["day.jsonl", "day.jsonl"]
    assert "utf-8" in spanish[0]["message"] and spanish[0]["message"] != english[0]
    assert spanish[1]["message"] == (
        "Los registros 11-20 se detuvieron por un error inesperado (error)."
    )


def test_the_sweep_queues_a_silent_chunk_again_and_leaves_its_job_to_it(db, reviewer, settings):
    settings.IMPORT_CHUNK_SIZE = 10
    job = cut_only(reviewer, [story(n) for n in range(20)])
    stale = heartbeat._stale_before().replace(microsecond=0)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=stale)
    silent, waiting = job.chunks.order_by("index")
    ImportChunk.objects.filter(pk=silent.pk).update(
        status="running", runner="d" * 32, heartbeat_at=stale
    )
    requeued = heartbeat.sweep_stale_jobs()
    # The silent chunk, and (the job making no progress) its queued one; not the job itself.
    assert requeued == [("ImportChunk", silent.pk), ("ImportChunk", waiting.pk)]
    assert heartbeat.sweep_stale_jobs() == []  # once per stale time, not at every sweep
    silent.refresh_from_db()
    assert (silent.status, silent.runner) == ("running", "")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_the_chunks_and_store_each_article_once(
    tmp_path, settings, reviewer
):
    purge_job_queues()
    settings.MEDIA_ROOT = tmp_path / "media"
    n = 600
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMPORT_CHUNK_SIZE": "50",
        "IMPORT_BATCH_SIZE": "10",
    }
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    workers = [
        start_worker(env, log, options=("-n", f"w{number}@%h")) for number, log in enumerate(logs)
    ]
    try:
        for log in logs:
            wait_until(
                lambda log=log: " ready" in log.read_text(), timeout=120, what="a worker", log=log
            )
        job = start_import(
            created_by=reviewer, upload=ContentFile(jsonl([story(i) for i in range(n)]), name="b")
        )
        wait_until(
            lambda: ImportJob.objects.get(pk=job.pk).is_finished,
            timeout=180,
            what="the job",
            log=logs[0],
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    job.refresh_from_db()
    assert (job.status, job.created, job.duplicates, job.failed) == (Status.SUCCEEDED, n, 0, 0)
    assert (job.checkpoint, job.total, job.chunks_cut, job.chunks_ended) == (n, n, 12, 12)
    assert set(job.chunks.values_list("status", flat=True)) == {"succeeded"}
    assert_each_article_once(n)
    ran = [re.findall(r"chunk (\d+) succeeded", Path(log).read_text()) for log in logs]
    assert all(ran), f"a worker ran no chunk: {ran}"
    assert sorted(int(index) for indexes in ran for index in indexes) == list(range(12))
