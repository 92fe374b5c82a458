"""Input formats -> a stream of `Item`s: an article record, a URL still to fetch, or an error.

Every parser takes a seekable binary stream and yields items in input order, one per record, so
the runner can count them, resume after the N-th and report errors by line or record number.
A parser raises `InputError` only when nothing at all can be read (empty, binary, undecodable,
not an archive, an archive of too many entries); anything that goes wrong with one record,
whatever the exception, becomes that record's error item and the rest still imports (fuzzed
per parser in tests/importing/test_fuzz.py). Stored text is NFC plain text: HTML is reduced
to its text (trafilatura for pages, nh3 for fragments) and never kept.

This module holds format detection, the tabular and text formats (JSONL, JSON, CSV, text) and
`parse`, which dispatches to every parser; the record types are in `records.py`, web pages, URL
lists and feeds in `web.py`, ZIP archives in `archives.py`.
"""

import csv
import functools
import html
import json
import logging
import math
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

import ijson
import nh3
from django.utils.translation import gettext_noop

from annotations.jobmessages import JobMessage, message_of

from . import archives, web
from .decoding import SAMPLE_BYTES, lines, sniff_encoding, text_stream, undecodable
from .records import (
    MAX_JSON_DEPTH,
    ArticleRecord,
    InputError,
    Item,
    Limits,
    RecordError,
    check_storable,
    first_line,
    parse_authors,
    parse_language,
    parse_published,
    too_deep,
    too_large,
    unexpected,
    url_line_items,
    valid_url,
)

logger = logging.getLogger(__name__)

# "claimreview" is other fact-checkers' reviews, read by importing.factchecks, not by `parse`.
FORMATS = ("jsonl", "json", "csv", "text", "html", "urls", "feed", "zip", "claimreview")
_URL_LINE = re.compile(r"^\s*https?://\S+\s*$")
_HTML_TAG = re.compile(r"<(?:/?(?:p|div|br|span|a|b|i|em|strong|h[1-6]|li|ul|script|img)\b)", re.I)
_BLOCK_TAG = re.compile(
    r"<(?:br|/?(?:p|div|li|h[1-6]|tr|blockquote|section|article))\b[^>]*>", re.I
)
# Field names a newsroom export uses for ours; the first present wins.
_ALIASES = {
    "title": ("title", "headline"),
    "body": ("body", "text", "content"),
    "url": ("url", "link"),
    "publisher": ("publisher", "source", "site_name", "sitename"),
    "authors": ("authors", "author"),
    "published_at": ("published_at", "date", "published", "pubdate"),
    "language": ("language", "lang"),
}
_KNOWN = {name for names in _ALIASES.values() for name in names}


# --- Detection ----------------------------------------------------------------------------------


def detect_format(name: str, head: bytes) -> str:
    """The format of a file from its name, then its first bytes."""
    lower = name.lower()
    if head.startswith(b"PK\x03\x04") or lower.endswith(".zip"):
        return "zip"
    ext = lower.rsplit(".", 1)[-1] if "." in lower else ""
    if ext in ("jsonl", "ndjson"):
        return "jsonl"
    if ext in ("rss", "atom", "xml"):
        return "feed"
    if ext in ("html", "htm", "xhtml"):
        return "html"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048].lower()
    if ext == "json" or text[:1] in (b"[", b"{"):
        if text.startswith(b"["):
            return "json"
        first_line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        try:
            json.loads(first_line)
        except ValueError:
            return "json"  # one pretty-printed object
        return "jsonl"
    if ext in ("csv", "tsv"):
        return "csv"
    if text.startswith((b"<?xml", b"<rss", b"<feed")) or b"<rss" in text[:512]:
        return "feed"
    if text.startswith((b"<!doctype html", b"<html")):
        return "html"
    lines = [line for line in head[:65536].splitlines()[:-1] or head.splitlines() if line.strip()]
    if lines and all(_URL_LINE.match(line.decode("utf-8", "replace")) for line in lines[:200]):
        return "urls"
    return "text"


# --- Records ------------------------------------------------------------------------------------


def record_from_mapping(data: Any, *, limits: Limits) -> ArticleRecord:
    """An ArticleRecord from a JSON object or CSV row; RecordError naming what is wrong."""
    if not isinstance(data, dict):
        raise RecordError(
            JobMessage(
                gettext_noop("Expected an object with a body, got %(kind)s."),
                kind=type(data).__name__,
            )
        )
    check_storable(data)

    def pick(key: str) -> Any:
        for name in _ALIASES[key]:
            value = data.get(name)
            if value not in (None, ""):
                return value
        return None

    body = pick("body")
    if not isinstance(body, str) or not body.strip():
        raise RecordError(
            JobMessage(gettext_noop('Missing "body" (or "text"): an article needs its text.'))
        )
    if len(body) > limits.max_record_bytes:
        raise RecordError(too_large(limits))
    if "\ufffd" in body:
        raise RecordError(
            JobMessage(
                gettext_noop("The body holds undecodable characters (U+FFFD); fix its encoding.")
            )
        )
    if _HTML_TAG.search(body):
        body = html_fragment_to_text(body)
    title = str(pick("title") or "").strip() or first_line(body)
    url = valid_url(pick("url"))
    return ArticleRecord(
        title=title[:1000],
        body=body,
        url=url,
        publisher=str(pick("publisher") or "")[:255],
        authors=parse_authors(pick("authors")),
        published_at=parse_published(pick("published_at")),
        language=parse_language(pick("language")),
        metadata={k: v for k, v in data.items() if k not in _KNOWN},
    )


def html_fragment_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: scripts and styles dropped with their content, no tags."""
    spaced = _BLOCK_TAG.sub("\n", fragment)
    cleaned = nh3.clean(spaced, tags=set(), clean_content_tags={"script", "style", "template"})
    return html.unescape(cleaned)


# --- Line and tabular formats -------------------------------------------------------------------


def parse_jsonl(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """One JSON object per line; blank lines skipped; a bad line is an error, the rest imports."""
    text, encoding = text_stream(stream)
    for number, line in lines(text, limits.max_record_bytes):
        ref = {"line": number}
        if line is None:
            yield Item(ref, error=too_large(limits))
            continue
        if not line.strip():
            continue
        if "\ufffd" in line:
            yield Item(ref, error=undecodable(encoding))
            continue
        try:
            data = json.loads(line, parse_float=_finite_float, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            yield Item(
                ref,
                error=JobMessage(
                    gettext_noop("Malformed JSON: %(error)s at column %(column)s."),
                    error=exc.msg,
                    column=exc.colno,
                ),
            )
            continue
        except RecursionError:
            yield Item(ref, error=too_deep())
            continue
        except ValueError as exc:  # a number JSON allows but PostgreSQL or Python does not
            yield Item(
                ref, error=JobMessage(gettext_noop("Malformed JSON: %(error)s."), error=str(exc))
            )
            continue
        yield _item_from_mapping(ref, data, limits)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def _no_constant(name: str) -> float:
    # Python's json reads NaN and Infinity; JSON has no such values and PostgreSQL's jsonb
    # refuses them, which would fail the record's whole batch when stored.
    raise ValueError(f"{name} is not a JSON value")


def parse_json(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """A JSON array of objects (streamed: never read whole), or a single object."""
    head = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    sniff_encoding(head)
    is_array = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")
    number = 0
    try:
        for data in json_values(stream, is_array=is_array, limits=limits):
            number += 1
            if data is TOO_DEEP:
                yield Item({"record": number}, error=too_deep())
            elif data is TOO_LARGE:
                yield Item({"record": number}, error=too_large(limits))
            else:
                yield _item_from_mapping({"record": number}, data, limits)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0][:200]
        yield Item(
            {"record": number + 1},
            error=JobMessage(
                gettext_noop("Malformed JSON (%(error)s); the rest of the file could not be read."),
                error=reason,
            ),
        )


TOO_DEEP = object()
TOO_LARGE = object()


def json_values(stream: IO[bytes], *, is_array: bool, limits: Limits) -> Iterator[Any]:
    """The elements of a top-level array (or the one top-level value), built from ijson's
    events. An element nesting deeper than MAX_JSON_DEPTH, or whose text passes the record
    limit, is not built: it is given as TOO_DEEP or TOO_LARGE.

    Not `ijson.items`: it keeps the path of every open level ("item.item.item..."), so a
    100 KB line of brackets took more memory than the machine has.
    """
    top = 1 if is_array else 0
    depth = 0
    builder: ijson.common.ObjectBuilder | None = None
    skipping: object | None = None
    size = 0
    for event, value in ijson.basic_parse(stream, use_float=True):
        if is_array and depth == 0 and event == "start_array":
            depth = 1  # the top-level array itself
            continue
        if is_array and depth == 1 and event == "end_array":
            depth = 0
            continue
        if builder is None:
            builder, skipping, size = ijson.common.ObjectBuilder(), None, 0
        if event in ("start_map", "start_array"):
            depth += 1
            if depth - top > MAX_JSON_DEPTH:
                skipping = skipping or TOO_DEEP
        elif event in ("end_map", "end_array"):
            depth -= 1
        elif isinstance(value, str):
            size += len(value)
            if size > limits.max_record_bytes:
                skipping = skipping or TOO_LARGE
        if skipping is None:
            builder.event(event, value)
        if depth == top:
            yield builder.value if skipping is None else skipping
            builder = None


def parse_csv(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """A header row naming our fields, then one article per row (delimiter sniffed, BOM ok).

    A CSV whose header has a url column but no body column is a list of URLs to fetch.
    """
    text, encoding = text_stream(stream)
    sample = text.read(64 * 1024)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample.split("\n", 50)[0], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    problems: dict[int, JobMessage] = {}

    def decoded() -> Iterator[str]:
        for number, line in lines(text, limits.max_record_bytes):
            if line is None:
                problems[number] = too_large(limits)
                yield "\n"
            else:
                if "\ufffd" in line:
                    problems[number] = undecodable(encoding)
                yield line

    csv.field_size_limit(max(limits.max_record_bytes * 2, 131072))
    reader = csv.reader(decoded(), dialect)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(
            JobMessage(
                gettext_noop("The header row cannot be read as CSV (%(error)s)."), error=str(exc)
            )
        ) from exc
    if not header or not any(h.strip() for h in header):
        raise InputError(JobMessage(gettext_noop("The file is empty.")))
    columns = [h.strip().lstrip("\ufeff").lower() for h in header]
    url_list = "url" in columns and not set(columns) & set(_ALIASES["body"])
    # No header: a list of URLs, one a row. Its rows go through the loop below too, so a row
    # the csv module refuses is that row's error (it escaped the parser and failed the job).
    bare_urls = not url_list and bool(_URL_LINE.match(header[0]))
    if bare_urls:
        yield from url_line_items([(1, header[0])])
    previous = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Item(
                {"line": previous + 1},
                error=JobMessage(gettext_noop("Malformed CSV: %(error)s."), error=str(exc)),
            )
            previous = reader.line_num
            continue
        start, previous = previous + 1, reader.line_num
        for number in sorted(n for n in problems if n < start):
            yield Item({"line": number}, error=problems.pop(number))
        issue = next((problems.pop(n) for n in range(start, previous + 1) if n in problems), None)
        ref = {"line": start}
        if issue:
            yield Item(ref, error=issue)
        elif not any(cell.strip() for cell in row):
            continue
        elif bare_urls:
            yield from url_line_items([(start, row[0])])
        elif len(row) != len(columns):
            yield Item(
                ref,
                error=JobMessage(
                    gettext_noop("Expected %(expected)s columns, found %(found)s."),
                    expected=len(columns),
                    found=len(row),
                ),
            )
        elif url_list:
            yield from url_line_items([(start, row[columns.index("url")])])
        else:
            yield _item_from_mapping(ref, dict(zip(columns, row, strict=True)), limits)
    for number in sorted(problems):
        yield Item({"line": number}, error=problems[number])


def parse_text(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """One article: the first non-empty line is the title, and the whole text is the body.

    The headline stays in the body because it is the article's first sentence and often a claim.
    """
    data = stream.read(limits.max_record_bytes + 1)
    if len(data) > limits.max_record_bytes:
        raise InputError(too_large(limits))
    encoding = sniff_encoding(data)
    text = data.decode(encoding, errors="replace")
    if "\ufffd" in text:
        raise InputError(undecodable(encoding))
    try:
        check_storable(text)
    except RecordError as exc:
        yield Item({"record": 1}, error=message_of(exc))
        return
    yield Item({"record": 1}, record=ArticleRecord(title=first_line(text)[:1000], body=text))


def _item_from_mapping(ref: dict[str, Any], data: Any, limits: Limits) -> Item:
    try:
        return Item(ref, record=record_from_mapping(data, limits=limits))
    except RecordError as exc:
        return Item(ref, error=message_of(exc))
    except Exception as exc:  # one record's surprise must not end the import: its error
        logger.warning("Unexpected error reading record %s", ref, exc_info=True)
        return Item(ref, error=unexpected(exc))


def parse(stream: IO[bytes], *, fmt: str, limits: Limits) -> Iterator[Item]:
    """The items of `stream` read as `fmt` (one of FORMATS)."""
    parsers: dict[str, Callable[..., Iterator[Item]]] = {
        "jsonl": parse_jsonl,
        "json": parse_json,
        "csv": parse_csv,
        "text": parse_text,
        "html": web.parse_html,
        "urls": web.parse_urls,
        "feed": web.parse_feed,
        "zip": functools.partial(archives.parse_zip, parse_entry=parse_archived),
    }
    return parsers[fmt](stream, limits=limits)


def parse_archived(name: str, entry: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """The items of an archive's entry, by the format its name and first bytes show."""
    head = entry.read(SAMPLE_BYTES)
    entry.seek(0)
    fmt = detect_format(name, head)
    if fmt == "zip":
        raise InputError(JobMessage(gettext_noop("Archives inside archives are not imported.")))
    return parse(entry, fmt=fmt, limits=limits)
