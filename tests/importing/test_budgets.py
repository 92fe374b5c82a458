"""An import's budgets (IMPORT_MAX_ERRORS, IMPORT_MAX_SECONDS) and records the database refuses:
the job stops, or the record fails alone, and what was imported stays."""

import io
import json
import time
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from annotations.importing.run import run_import
from annotations.models import Article, ImportJob
from annotations.services import start_import

Status = ImportJob.Status


def jsonl(*records) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode()


# A data exception (SQLSTATE class 22) is Django's DataError, as jsonb's refusal of NaN was.
REFUSE_TITLE = """
CREATE OR REPLACE FUNCTION test_refuse_title() RETURNS trigger AS $$
BEGIN
  IF NEW.title = 'refused' THEN
    RAISE EXCEPTION 'this title is refused' USING ERRCODE = '22023';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER test_refused BEFORE INSERT ON annotations_article
FOR EACH ROW EXECUTE FUNCTION test_refuse_title();
"""


def good(n: int) -> dict:
    return {"title": f"T{n}", "body": f"Story {n} says the rate rose. It fell."}


def test_an_import_stops_as_failed_at_its_error_budget_keeping_what_it_imported(
    import_bytes, settings
):
    settings.IMPORT_MAX_ERRORS = 5
    settings.IMPORT_BATCH_SIZE = 2
    records = [good(0), good(1), good(2)] + ["{broken"] * 20 + [good(3)]
    job = import_bytes(jsonl(*records), "day.jsonl")
    assert job.status == Status.FAILED
    assert job.created == 3 and Article.objects.count() == 3
    assert 5 <= job.failed <= 6  # the batch that reached the budget is committed whole
    assert job.checkpoint < len(records)  # it did not read on to the end
    assert "IMPORT_MAX_ERRORS=5" in job.errors[-1]["message"]
    assert "3 articles imported before it are kept" in job.errors[-1]["message"]
    assert len([e for e in job.errors if "line" in e]) == job.failed


def test_an_import_past_its_time_budget_stops_after_the_batch_it_was_storing(
    import_bytes, settings
):
    settings.IMPORT_MAX_SECONDS = 0
    settings.IMPORT_BATCH_SIZE = 2
    job = import_bytes(jsonl(*[good(n) for n in range(6)]), "day.jsonl")
    assert (job.status, job.created, job.checkpoint) == (Status.FAILED, 2, 2)
    assert Article.objects.count() == 2
    assert "time budget (IMPORT_MAX_SECONDS=0 s) at record 2" in job.errors[-1]["message"]


@pytest.mark.django_db(transaction=True)
def test_a_record_the_database_refuses_is_that_records_error(settings, reviewer):
    # The parsers refuse what they know PostgreSQL would (NaN in jsonb, NUL, dates before year
    # 1); a trigger raising a data exception stands for whatever they do not know. The COPY of
    # the batch fails, and the batch is stored again one record at a time. Two writer threads,
    # as on a worker.
    settings.IMPORT_BATCH_SIZE = 3
    records = [good(0), {**good(1), "title": "refused"}, good(2), good(3), good(4)]
    data = jsonl(*[json.dumps(r) for r in records])
    job = start_import(created_by=reviewer, upload=ContentFile(data, name="day.jsonl"))
    with connection.cursor() as cursor:
        cursor.execute(REFUSE_TITLE)
    try:
        job = run_import(job.pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_refused ON annotations_article")
    assert (job.status, job.created, job.failed, job.checkpoint) == (Status.PARTIAL, 4, 1, 5)
    assert [e["line"] for e in job.errors] == [2]
    assert job.errors[0]["message"].startswith("The article could not be stored (DataError")
    assert sorted(Article.objects.values_list("title", flat=True)) == ["T0", "T2", "T3", "T4"]
    assert all(a.sentences.count() == 2 for a in Article.objects.all())


def test_a_small_zip_of_a_million_bad_lines_stops_at_the_default_error_budget(
    import_bytes, settings
):
    # The upload: a few kilobytes that inflate to a million one-character lines, each an
    # error. It used to record errors for an hour while every other job waited.
    # The ZIP's ratio budget (importing.archives) refuses this entry on its own; lifted here, so
    # that the error budget is what stops the job.
    settings.IMPORT_ZIP_MAX_RATIO = 1_000_000
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("lines.jsonl", "x\n" * 1_000_000)
    assert len(archive.getvalue()) < 10_000
    started = time.monotonic()
    job = import_bytes(archive.getvalue(), "bomb.zip")
    assert time.monotonic() - started < 30
    assert (job.status, job.created) == (Status.FAILED, 0)
    assert 1000 <= job.failed <= 1000 + 200  # the default budget, and the batch that reached it
    assert job.checkpoint < 2000
    assert "IMPORT_MAX_ERRORS=1000" in job.errors[-1]["message"]
