"""The two writers of an import outside any transaction (as on a worker): batch k+1 inserts while
batch k commits, and the job still moves batch by batch with each article stored once."""

import json
import logging
import sys
import threading
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.db.models import Count

from annotations.importing.run import quick_gil_handover, run_import
from annotations.models import Article, ImportJob, Sentence
from annotations.services import start_import


def body_of(n: int) -> str:
    return f"Officials said plan {n} would cut emissions. Critics disagreed.\nA second line {n}."


def run(content: list[dict], user) -> ImportJob:
    data = "\n".join(json.dumps(record) for record in content).encode()
    job = start_import(created_by=user, upload=ContentFile(data, name="batch.jsonl"))
    return run_import(job.pk)


@pytest.mark.django_db(transaction=True)
def test_many_batches_store_every_article_once_with_its_sentences(settings, reviewer):
    settings.IMPORT_BATCH_SIZE = 3
    job = run([{"title": f"T{n}", "body": body_of(n)} for n in range(40)], reviewer)
    assert (job.status, job.checkpoint, job.created, job.duplicates) == ("succeeded", 40, 40, 0)
    assert Sentence.objects.count() == 3 * 40
    assert not Article.objects.annotate(s=Count("sentences")).exclude(s=3).exists()


@pytest.mark.django_db(transaction=True)
def test_an_article_repeated_in_the_next_batch_is_a_duplicate(settings, reviewer, caplog):
    """The race, staged for certain: batch 0 has inserted A and B and waits to commit (the test
    holds a share lock on the job's row, which batch 0 must lock to move the checkpoint); batch 1
    inserts A's text and B's URL again, and PostgreSQL makes it wait for batch 0's commit. Then
    the unique indexes refuse batch 1, which rolls back and is counted as duplicates."""
    settings.IMPORT_BATCH_SIZE = 2
    settings.IMPORT_SPLIT_IN_PROCESS = False
    settings.JOB_HEARTBEAT_SECONDS = 3600  # no heartbeat UPDATE among the waits counted below
    caplog.set_level(logging.INFO, logger="annotations.importing.store")
    a = {"title": "A", "body": body_of(1)}
    b = {"title": "B", "body": body_of(2), "url": "https://a.example/5"}
    records = [a, b, {"title": "A again", "body": a["body"]}, {**b, "body": body_of(3)}]
    data = "\n".join(json.dumps(record) for record in records).encode()
    job = start_import(created_by=reviewer, upload=ContentFile(data, name="batch.jsonl"))
    finished = {}

    def run_elsewhere() -> None:
        try:
            finished["job"] = run_import(job.pk)
        finally:
            connections.close_all()  # this thread's connection

    worker = threading.Thread(target=run_elsewhere)
    with transaction.atomic(), connection.cursor() as cursor:
        table = ImportJob._meta.db_table
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [job.pk])  # noqa: S608
        worker.start()
        deadline = time.monotonic() + 60
        while not waiting_on_another_import_transaction(cursor):
            assert time.monotonic() < deadline, "batch 1 never waited on batch 0's articles"
            time.sleep(0.05)
    worker.join(timeout=60)
    job = finished["job"]
    assert (job.status, job.checkpoint, job.created, job.duplicates) == ("succeeded", 4, 2, 2)
    assert Article.objects.count() == 2
    assert Article.objects.filter(body=a["body"]).count() == 1
    assert Article.objects.filter(url=b["url"]).count() == 1
    assert "a batch met a concurrent insert; again" in caplog.text


def waiting_on_another_import_transaction(cursor) -> bool:
    """Whether a backend waits on a lock that someone other than this test holds."""
    cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the first answer stands all along
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND NOT pg_backend_pid() = ANY(pg_blocking_pids(pid))"
    )
    return cursor.fetchone()[0] > 0


def test_overlapping_imports_put_the_switch_interval_back_as_it_was():
    # The interval is the process's: the first import out must not restore it under the second,
    # nor the second restore the first's shortened value.
    before = sys.getswitchinterval()
    first, second = quick_gil_handover(), quick_gil_handover()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert sys.getswitchinterval() == pytest.approx(0.001)
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
