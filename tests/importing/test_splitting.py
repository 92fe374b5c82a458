"""The importer's sentence splitter: in place for the first batch, a process of its own from the
second, the same COPY data either way, and splitting in place again when that process dies."""

from pathlib import Path

import psutil
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.importing.splitting import SENTENCE_COPY_FIELDS, BatchSplitter, sentence_copy_data
from annotations.models import Sentence
from annotations.segmentation import split_sentences

SAMPLE = Path(__file__).resolve().parents[2] / "annotations/demo_data/spain-probe-article.txt"
TEXTS = [(1, SAMPLE.read_text(encoding="utf-8"), "en"), (2, "Uno. El Dr. Pérez dijo dos.", "es")]
EXPECTED = sentence_copy_data(TEXTS)


def children() -> set[int]:
    return {child.pid for child in psutil.Process().children(recursive=True)}


@pytest.fixture
def splitter():
    splitter = BatchSplitter(use_process=True)
    yield splitter
    splitter.close()


def test_splits_the_first_batch_in_place_and_the_next_in_a_process(splitter):
    before = children()
    first = splitter.submit(TEXTS)
    assert first.done()
    assert children() == before  # a one-batch import starts no process
    assert splitter.result(splitter.submit(TEXTS), TEXTS) == EXPECTED
    started = children() - before
    assert len(started) == 1
    assert splitter.result(splitter.submit(TEXTS), TEXTS) == EXPECTED
    assert children() - before == started  # one process for the whole import
    processes = [psutil.Process(pid) for pid in started]
    splitter.close()
    _, alive = psutil.wait_procs(processes, timeout=10)
    assert alive == []


def test_a_killed_splitting_process_is_replaced_by_splitting_in_place(splitter):
    before = children()
    splitter.submit(TEXTS)
    splitter.result(splitter.submit(TEXTS), TEXTS)
    (pid,) = children() - before
    process = psutil.Process(pid)
    process.kill()
    process.wait(timeout=10)
    assert splitter.result(splitter.submit(TEXTS), TEXTS) == EXPECTED
    later = splitter.submit(TEXTS)
    assert later.done()  # in place from now on
    assert later.result() == EXPECTED


def test_without_a_process_every_batch_splits_in_place():
    splitter = BatchSplitter(use_process=False)
    before = children()
    for _ in range(3):
        future = splitter.submit(TEXTS)
        assert future.done()
        assert future.result() == EXPECTED
    assert children() == before


# Any text PostgreSQL can hold (no NUL, no lone surrogate), with COPY's special characters often.
_bodies = st.lists(
    st.one_of(
        st.sampled_from(["\\", "\t", "\r", "\n", "\\N", "\\.", ". ", "Dr. ", "\u2028"]),
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    ),
    max_size=120,
).map("".join)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bodies)
def test_copy_data_reads_back_as_the_sentences(body):
    columns = ", ".join(
        connection.ops.quote_name(Sentence._meta.get_field(name).column)
        for name in SENTENCE_COPY_FIELDS
    )
    (data,) = sentence_copy_data([(7, body, "en")])
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint per example
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS copied (LIKE annotations_sentence INCLUDING ALL)"
        )
        cursor.execute("TRUNCATE copied")
        with cursor.cursor.copy(f"COPY copied ({columns}) FROM STDIN") as copy:
            copy.write(data)
        cursor.execute('SELECT article_id, position, start, "end", text, paragraph FROM copied')
        rows = sorted(cursor.fetchall(), key=lambda row: row[1])
    spans = split_sentences(body, "en")
    assert rows == [(7, n, s.start, s.end, s.text, s.paragraph) for n, s in enumerate(spans)]
