"""Fan-out (annotations.importing.chunks): a large import cut into chunks that any worker runs,
with the job's counts, checkpoint, cancel, budgets and exactly-once behaviour intact."""

import json
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, connections
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from annotations import heartbeat
from annotations.importing import chunks, read
from annotations.importing.records import ArticleRecord, Item
from annotations.importing.run import _close_fanned_out, run_chunk, run_import
from annotations.models import Article, ImportChunk, ImportJob, Sentence
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
    assert job.errors == [{"line": 98, "message": job.errors[0]["message"]}]
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
    assert job.stopped == job.errors[-1]["message"]
    assert [error["line"] for error in job.errors if "line" in error] == list(range(11, 19))
    assert job.errors[-2] == {"message": "2 more errors are not listed."}
    assert list(job.chunks.values_list("status", "checkpoint")) == [
        ("cancelled", 0),
        ("succeeded", 10),
    ]
    assert not Article.objects.exists()


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
