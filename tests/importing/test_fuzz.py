"""Every parser fuzzed: arbitrary bytes in, records or per-item errors out.

A parser may refuse the input as a whole with InputError (the job then reports the file's
error); any other exception out of a parser would fail the whole job, which is what these
tests rule out. Each parser gets raw bytes and, to get past its first checks, bytes shaped like
its format with arbitrary text in the fields.
"""

import io
import json
import os
import zipfile
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotations.importing import formats
from annotations.importing.records import InputError, Item, Limits

# Small limits so that the over-the-limit paths are reached too.
LIMITS = Limits(max_record_bytes=2048, zip_max_entries=8, zip_max_bytes=64 * 1024, zip_max_ratio=20)
# FUZZ_EXAMPLES=2000 for a longer hunt; the suite's default keeps the file under a minute.
fuzz = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

text = st.text(st.characters(codec="utf-8"), max_size=200) | st.text(max_size=50)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["title", "body", "url", "date", "x", "lang"]), children)
    ),
    max_leaves=12,
)
field_values = st.one_of(text, st.sampled_from(["", "http://0177.0.0.1:8299/f", "2024-13-45"]))


def parse_all(data: bytes, fmt: str) -> list[Item]:
    """The parser's items, asserting each is exactly one of a record, a URL or an error."""
    try:
        items = list(formats.parse(io.BytesIO(data), fmt=fmt, limits=LIMITS))
    except InputError as exc:
        assert str(exc)
        return []
    for item in items:
        outcomes = [item.record is not None, item.fetch_url is not None, item.error is not None]
        assert outcomes.count(True) == 1, item
        assert item.ref
        if item.error is not None:
            assert str(item.error).strip()
        if item.record is not None:
            assert_storable(item.record)
    return items


def assert_storable(record) -> None:
    """PostgreSQL refuses NUL and lone surrogates in text: a record holding one would fail
    its batch when stored, so it must have been this record's error instead."""
    texts = [record.title, record.body, record.url or "", record.publisher, *record.authors]
    # allow_nan=False: PostgreSQL's jsonb refuses NaN and Infinity as well.
    texts.append(json.dumps(record.metadata, ensure_ascii=False, allow_nan=False))
    for value in texts:
        assert "\x00" not in value
        value.encode("utf-8")  # a lone surrogate raises
    # The columns' sizes: COPY would refuse a longer value, failing the batch.
    assert len(record.title) <= 1000
    assert len(record.url or "") <= 2048
    assert len(record.publisher) <= 255
    assert len(record.language) <= 16
    if record.published_at is not None:  # in UTC, so within the years Python reads back
        assert record.published_at.utcoffset() == timedelta(0)


@fuzz
@given(st.binary(max_size=4096))
@example(b'{"body": "x"}\n' + b"[" * 100_000 + b"\n")
@example(b"\xfe\xff\x00{")
@example(b'{"body": "a b", "n": ' + b"1" * 5000 + b"}")
@example(b'{"body": "a b", "n": NaN, "m": 1e999}')
def test_jsonl_fuzz(data):
    parse_all(data, "jsonl")


@fuzz
@given(st.lists(json_values | text.map(str), max_size=6))
def test_jsonl_fuzz_shaped(rows):
    data = "\n".join(row if isinstance(row, str) else json.dumps(row) for row in rows)
    parse_all(data.encode("utf-8", "surrogatepass"), "jsonl")


@fuzz
@given(st.binary(max_size=4096))
@example(b"[" * 100_000)
@example(b"[" + b'{"body": "x", "m": ' + b"[" * 5000 + b"]" * 5000 + b"}]")
def test_json_fuzz(data):
    parse_all(data, "json")


@fuzz
@given(st.lists(json_values, max_size=6))
def test_json_fuzz_shaped(rows):
    parse_all(json.dumps(rows).encode(), "json")


@fuzz
@given(st.binary(max_size=4096))
@example(b'title,body\n"a,"b\n\x00')
@example(b'https://a.example/x\n"' + b"z\n" * 70_000)  # past the csv module's field limit
def test_csv_fuzz(data):
    parse_all(data, "csv")


@fuzz
@given(
    st.lists(st.sampled_from(["title", "body", "url", "date", "x", ""]), min_size=1, max_size=4),
    st.lists(st.lists(field_values, max_size=5), max_size=6),
    st.sampled_from([",", ";", "\t", "|"]),
)
def test_csv_fuzz_shaped(header, rows, delimiter):
    lines = [delimiter.join(header), *(delimiter.join(row) for row in rows)]
    parse_all("\n".join(lines).encode("utf-8", "surrogatepass"), "csv")


@fuzz
@given(st.binary(max_size=4096))
@example("Headline\nA NUL \x00 in UTF-16, past the binary check.".encode("utf-16"))
def test_text_fuzz(data):
    parse_all(data, "text")


@fuzz
@given(st.binary(max_size=4096))
def test_html_fuzz(data):
    parse_all(data, "html")


@fuzz
@given(st.lists(text, max_size=5), text)
def test_html_fuzz_shaped(paragraphs, title):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = f"<html><head><title>{title}</title><meta name='date' content='{title}'></head>"
    parse_all(
        f"{page}<body><article>{body}</article></body></html>".encode(errors="replace"), "html"
    )


@fuzz
@given(st.binary(max_size=4096))
@example(b"http://0177.0.0.1:8299/f\nhttp://\xe2\x91\xa0\xe2\x91\xa1\xe2\x91\xa6.0.0.1/f\n")
def test_urls_fuzz(data):
    parse_all(data, "urls")


@fuzz
@given(st.lists(st.one_of(text, text.map(lambda t: f"http://{t}"), field_values), max_size=8))
def test_urls_fuzz_shaped(lines):
    items = parse_all("\n".join(lines).encode("utf-8", "surrogatepass"), "urls")
    assert all(item.record is None for item in items)


@fuzz
@given(st.binary(max_size=4096))
def test_feed_fuzz(data):
    parse_all(data, "feed")


@fuzz
@given(
    st.lists(st.tuples(text, text, text), max_size=4),
    st.sampled_from(["utf-8", "utf-16-be", "utf-16-le", "utf-16", "shift_jis", "latin-1"]),
    st.sampled_from(["", "utf-8", "utf-16-be", "UTF-16", "shift_jis", "no-such-encoding"]),
)
def test_feed_fuzz_shaped(entries, encoding, declared):
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate></item>"
        for title, link, date in entries
    )
    declaration = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    feed = f'{declaration}<rss version="2.0"><channel><title>F</title>{items}</channel></rss>'
    parse_all(feed.encode(encoding, errors="replace"), "feed")


@fuzz
@given(st.binary(max_size=4096))
@example(b"PK\x03\x04" + b"\x00" * 40)
def test_zip_fuzz(data):
    parse_all(data, "zip")


entry_names = st.sampled_from(["a.jsonl", "b.csv", "c.txt", "d.html", "e.xml", "f.zip", "g.json"])


@fuzz
@given(
    st.lists(st.tuples(entry_names | text, st.binary(max_size=2048)), min_size=1, max_size=4),
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2]),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
)
def test_zip_fuzz_shaped(entries, method, flips):
    """Real archives of arbitrary entries, some of their bytes then changed: damaged headers,
    damaged compressed data, wrong checksums."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for number, (name, content) in enumerate(entries):
            archive.writestr(f"{number}-{name}".replace("\x00", ""), content)
    data = bytearray(buffer.getvalue())
    for position, value in flips:
        data[position % len(data)] = value
    parse_all(bytes(data), "zip")
