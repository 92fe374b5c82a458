"""CSV formula escaping and the streamed file formats."""

import csv
import io
import json

import pytest

from annotations.csvsafe import escape_cell
from annotations.exporting.formats import stream
from annotations.exporting.records import iter_records
from annotations.selectors import published_claims
from tests.factories import published_claim


def exported(fmt, rows, **options) -> str:
    """The whole export as text; `stream` yields UTF-8 chunks."""
    return b"".join(stream(fmt, rows, **options)).decode()


@pytest.mark.parametrize(
    ("cell", "escaped"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),
        ("＝1+1", "'＝1+1"),
        ("The minister said =1 is fine", "The minister said =1 is fine"),
        ("plain text", "plain text"),
        ("", ""),
        (-1, -1),
        (5, 5),
    ],
)
def test_cells_a_spreadsheet_would_run_are_escaped(cell, escaped):
    assert escape_cell(cell) == escaped


def test_csv_export_escapes_formulas_in_every_text_column(db):
    published_claim(
        claimant="=cmd|' /C calc'!A0",
        text="+SUM(1,2)",
        article__title="@title",
        article__publisher="-publisher",
    )

    text = exported("csv", iter_records(published_claims()))

    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["claimant"] == "'=cmd|' /C calc'!A0"
    assert row["claim_text"] == "'+SUM(1,2)"
    assert row["article_title"] == "'@title"
    assert row["article_publisher"] == "'-publisher"
    for value in row.values():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_csv_keeps_newlines_and_quotes_inside_cells(db):
    claim = published_claim(text='He said "no"\nand left, twice')

    text = exported("csv", iter_records(published_claims()))

    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["claim_text"] == 'He said "no"\nand left, twice'
    assert int(row["id"]) == claim.pk


def test_claimreview_file_is_one_json_array(db):
    claims = [published_claim() for _ in range(3)]

    document = json.loads(exported("claimreview", iter_records(published_claims())))

    assert [review["url"].rsplit("/", 2)[-2] for review in document] == [str(c.pk) for c in claims]


def test_webannotation_file_is_an_annotation_collection(db):
    claims = [published_claim() for _ in range(2)]

    document = json.loads(exported("webannotation", iter_records(published_claims())))

    assert document["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert document["type"] == "AnnotationCollection"
    items = document["first"]["items"]
    assert [item["type"] for item in items] == ["Annotation", "Annotation"]
    assert [item["target"]["source"] for item in items] == [c.article.url for c in claims]


def test_empty_exports_are_still_well_formed(db):
    for fmt in ("claimreview", "webannotation"):
        json.loads(exported(fmt, iter_records(published_claims())))
    assert exported("jsonl", iter_records(published_claims())) == ""


def test_batches_cover_every_claim_once_with_its_own_sources(db):
    claims = [published_claim() for _ in range(5)]

    records = list(iter_records(published_claims(), chunk_size=2))

    assert [r["id"] for r in records] == [c.pk for c in claims]
    for record, claim in zip(records, claims, strict=True):
        assert [s["url"] for s in record["sources"]] == [claim.sources.get().url]


def test_a_record_that_cannot_render_is_reported_and_skipped(db):
    good, bad = published_claim(), published_claim()
    rows = list(iter_records(published_claims()))
    rows[1]["modified_at"] = object()  # not serialisable
    errors = []

    text = exported("jsonl", rows, on_error=lambda row, exc: errors.append(row["id"]))

    assert [json.loads(line)["id"] for line in text.splitlines()] == [good.pk]
    assert errors == [bad.pk]
