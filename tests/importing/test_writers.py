"""The two writers of an import outside any transaction (as on a worker): batch k+1 inserts while
batch k commits, and the job still moves batch by batch with each article stored once."""

import json

import pytest
from django.core.files.base import ContentFile
from django.db.models import Count

from annotations.importing.run import run_import
from annotations.models import Article, ImportJob, Sentence
from annotations.services import start_import

pytestmark = pytest.mark.django_db(transaction=True)


def body_of(n: int) -> str:
    return f"Officials said plan {n} would cut emissions. Critics disagreed.\nA second line {n}."


def run(content: list[dict], user) -> ImportJob:
    data = "\n".join(json.dumps(record) for record in content).encode()
    job = start_import(created_by=user, upload=ContentFile(data, name="batch.jsonl"))
    return run_import(job.pk)


def test_many_batches_store_every_article_once_with_its_sentences(settings, reviewer):
    settings.IMPORT_BATCH_SIZE = 3
    job = run([{"title": f"T{n}", "body": body_of(n)} for n in range(40)], reviewer)
    assert (job.status, job.checkpoint, job.created, job.duplicates) == ("succeeded", 40, 40, 0)
    assert Sentence.objects.count() == 3 * 40
    assert not Article.objects.annotate(s=Count("sentences")).exclude(s=3).exists()


def test_an_article_repeated_in_the_next_batch_is_a_duplicate(settings, reviewer):
    # The repeat's batch inserts while the first copy's batch commits: PostgreSQL makes it wait
    # for that commit, the unique index refuses it, and its batch retries and counts it.
    settings.IMPORT_BATCH_SIZE = 2
    settings.IMPORT_SPLIT_IN_PROCESS = False  # no process start-up between the batches
    records = [{"title": f"T{n}", "body": body_of(n)} for n in range(8)]
    # Thousands of sentences make the third batch's commit (its foreign-key checks) slow.
    records[4]["body"] = " ".join(f"Claim number {n} was checked." for n in range(4000))
    records[5]["url"] = records[7]["url"] = "https://a.example/5"
    records[6] = {"title": "Same text", "body": records[4]["body"]}
    job = run(records, reviewer)
    assert (job.status, job.checkpoint, job.created, job.duplicates) == ("succeeded", 8, 6, 2)
    assert Article.objects.count() == 6
    assert Article.objects.filter(body=records[4]["body"]).count() == 1
    assert Article.objects.filter(url="https://a.example/5").count() == 1
