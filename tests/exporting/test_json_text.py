"""The JSON text the exports write: the records' items, as the standard library would write them.

The exports encode with orjson; these tests hold it to what `json.dumps(..., ensure_ascii=False,
cls=DjangoJSONEncoder)` wrote before, on the text that trips encoders up.
"""

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy

from annotations.exporting.formats import claimreview, stream, to_json, webannotation
from annotations.exporting.records import feed_item, iter_records
from annotations.models import Correction, Verdict
from annotations.selectors import published_claims
from tests.factories import ArticleFactory, published_claim

AWKWARD_TEXTS = [
    'He said "no" \\ twice',
    "</script><script>alert(1)</script>",
    "Ñandú, straße, 北京, Ελλάδα, עברית",
    "Emoji 😀 and a flag 🇪🇸 outside the BMP",
    "Line\nbreak, tab\tand carriage\rreturn",
    "Control \x01\x08\x1f and DEL \x7f and NEL \x85",  # PostgreSQL refuses NUL
    "Line separators \u2028 and \u2029 inside a string",
]


def stdlib_json(data) -> str:
    """What the exports wrote before orjson, without the spaces after separators."""
    return json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))


@pytest.fixture
def awkward_claims(db):
    """Published claims whose every text field is one of AWKWARD_TEXTS, with empty values too."""
    claims = []
    for text in AWKWARD_TEXTS:
        claim = published_claim(
            text=text,
            claimant=text,
            article=ArticleFactory(title=text, publisher=text, url=None, published_at=None),
        )
        Verdict.objects.filter(pk=claim.published_verdict_id).update(
            explanation=text, reviewed_by=None
        )
        source = claim.sources.get()
        source.title = source.quote = text
        source.save()
        Correction.objects.create(
            claim=claim, kind=Correction.Kind.UPDATE, note=text, created_by=claim.created_by
        )
        claims.append(claim)
    return claims


def test_jsonl_lines_are_the_feed_items_written_as_the_standard_library_writes_them(
    awkward_claims,
):
    records = list(iter_records(published_claims()))

    body = b"".join(stream("jsonl", records))

    lines = body.decode().split("\n")
    assert lines.pop() == ""  # the file ends with a newline
    assert lines == [stdlib_json(feed_item(record)) for record in records]
    assert [json.loads(line) for line in lines] == [
        json.loads(json.dumps(feed_item(record), ensure_ascii=False, cls=DjangoJSONEncoder))
        for record in records
    ]


def test_jsonl_items_keep_the_awkward_texts_and_the_empty_values(awkward_claims):
    lines = b"".join(stream("jsonl", iter_records(published_claims()))).split(b"\n")[:-1]

    items = [json.loads(line) for line in lines]
    assert [item["claim"]["text"] for item in items] == AWKWARD_TEXTS
    assert [item["corrections"][0]["note"] for item in items] == AWKWARD_TEXTS
    assert [item["sources"][0]["quote"] for item in items] == AWKWARD_TEXTS
    assert {item["editor"] for item in items} == {None}
    assert {item["article"]["url"] for item in items} == {None}
    assert {item["article"]["published_at"] for item in items} == {None}


def test_jsonl_is_utf8_with_only_control_characters_escaped(awkward_claims):
    body = b"".join(stream("jsonl", iter_records(published_claims())))

    assert "😀".encode() in body and "北京".encode() in body and "\u2028".encode() in body
    assert b"\\ud83d" not in body  # no surrogate-pair escapes: the emoji is written as UTF-8
    assert b"\\u0001\\b\\u001f and DEL \x7f" in body
    assert body.count(b"\n") == len(AWKWARD_TEXTS)  # newlines inside texts are escaped


@pytest.mark.parametrize(
    ("fmt", "shape"), [("claimreview", claimreview), ("webannotation", webannotation)]
)
def test_json_ld_documents_hold_the_same_objects_as_before(awkward_claims, fmt, shape):
    records = list(iter_records(published_claims()))

    document = json.loads(b"".join(stream(fmt, records)))

    items = document if fmt == "claimreview" else document["first"]["items"]
    expected = [json.loads(stdlib_json(shape(record))) for record in records]
    if fmt == "webannotation":
        for annotation in expected:
            del annotation["@context"]
    assert items == expected


@pytest.mark.parametrize(
    "value",
    [
        datetime(2025, 3, 4, 5, 6, 7, 891234, tzinfo=UTC),
        datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC),
        datetime(2025, 3, 4).date(),
        Decimal("4.50"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        gettext_lazy("Published"),
    ],
)
def test_values_beyond_json_are_encoded_as_djangos_encoder_does(value):
    data = {"value": value, "list": [value]}

    assert to_json(data).decode() == stdlib_json(data)


def test_a_value_no_encoder_knows_fails_its_record_only(awkward_claims):
    records = list(iter_records(published_claims()))
    records[0]["explanation"] = object()
    errors = []

    body = b"".join(stream("jsonl", records, on_error=lambda row, exc: errors.append(row["id"])))

    assert errors == [records[0]["id"]]
    assert len(body.split(b"\n")) - 1 == len(records) - 1


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "claimreview", "webannotation"])
def test_a_lone_surrogate_fails_its_record_only(awkward_claims, fmt):
    # UTF-8 cannot hold one; the import refuses them, but a row written before that must not
    # stop a whole export.
    records = list(iter_records(published_claims()))
    records[1]["text"] = records[1]["quote_exact"] = "half of a pair \ud83d"
    errors = []

    body = b"".join(stream(fmt, records, on_error=lambda row, exc: errors.append(row["id"])))

    assert errors == [records[1]["id"]]
    assert str(records[0]["id"]).encode() in body
    assert f"/{records[1]['id']}/".encode() not in body
