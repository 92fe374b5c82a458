"""Input formats -> a stream of `Item`s: an article record, a URL still to fetch, or an error.

Every parser takes a seekable binary stream and yields items in input order, one per record, so
the runner can count them, resume after the N-th and report errors by line or record number.
A parser raises `InputError` only when nothing at all can be read (empty, binary, undecodable,
an archive over its limits); a bad record becomes an error item and the rest still imports.
Stored text is NFC plain text: HTML is reduced to its text (trafilatura for pages, nh3 for
fragments) and never kept.

This module holds the record types, format detection and the tabular and text formats (JSONL,
JSON, CSV, text); web pages, URL lists and feeds are in `web.py`, ZIP archives in
`archives.py`. `parse` dispatches to all of them.
"""

import codecs
import csv
import html
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import IO, Any

import charset_normalizer
import ijson
import nh3
from django.utils.dateparse import parse_date, parse_datetime

FORMATS = ("jsonl", "json", "csv", "text", "html", "urls", "feed", "zip")
SAMPLE_BYTES = 256 * 1024
MB = 1024 * 1024

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
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


class InputError(Exception):
    """The input as a whole cannot be read; the message says why, for a person."""


class RecordError(Exception):
    """One record cannot be imported; the message says why."""


@dataclass(slots=True)
class ArticleRecord:
    title: str
    body: str
    url: str | None = None
    publisher: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    language: str = "en"
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Item:
    """One record of the input. `ref` locates it: {"line": 3}, {"record": 7}, maybe {"file": ..}."""

    ref: dict[str, Any]
    record: ArticleRecord | None = None
    fetch_url: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)  # feed entry fields, if a page lacks them
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    max_record_bytes: int = 5 * MB
    zip_max_entries: int = 10_000
    zip_max_bytes: int = 2 * 1024 * MB


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


def sniff_encoding(sample: bytes) -> str:
    """The text encoding of a file from its first bytes; InputError if it is empty or binary."""
    if not sample.strip():
        raise InputError("The file is empty.")
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    if b"\x00" in sample:
        raise InputError("This is a binary file, not text (it contains NUL bytes).")
    try:
        # Incremental, so a character cut at the end of the sample does not count as an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        # Valid multi-byte UTF-8 beside a few bad bytes is a UTF-8 file with some broken lines
        # (reported one by one), not a legacy code page that would garble every accent.
        if any(ord(ch) > 127 and ch != "\ufffd" for ch in sample.decode("utf-8", "replace")):
            return "utf-8"
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    # Short Western text decodes equally well in several code pages; our newsrooms write English
    # and Spanish, whose legacy encoding is Windows-1252, so a tie goes to it.
    if best is not None:
        best = next(
            (m for m in matches if m.encoding == "cp1252" and m.chaos <= best.chaos + 0.01), best
        )
    if best is None:
        raise InputError("The text encoding could not be recognised; save the file as UTF-8.")
    decoded = str(best)
    controls = sum(1 for ch in decoded if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if controls > len(decoded) / 100:
        raise InputError("This is a binary file, not text.")
    return best.encoding


def _text_stream(stream: IO[bytes]) -> tuple[io.TextIOWrapper, str]:
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    encoding = sniff_encoding(sample)
    # "replace", then refuse lines holding U+FFFD: one bad line is an error, not the whole file.
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    return text, encoding


def _undecodable(encoding: str) -> str:
    return f"Contains bytes that are not valid {encoding} text (the file mixes encodings)."


def _lines(text: IO[str], limit: int) -> Iterator[tuple[int, str | None]]:
    """(1-based line number, line) pairs; None for a line longer than `limit`, never read whole."""
    number = 0
    while line := text.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            while (rest := text.readline(MB)) and not rest.endswith(("\n", "\r")):
                pass
            yield number, None
        else:
            yield number, line


def _too_large(limits: Limits) -> str:
    return f"The record is larger than the {limits.max_record_bytes / MB:g} MB limit."


# --- Records ------------------------------------------------------------------------------------


def record_from_mapping(data: Any, *, limits: Limits) -> ArticleRecord:
    """An ArticleRecord from a JSON object or CSV row; RecordError naming what is wrong."""
    if not isinstance(data, dict):
        raise RecordError(f"Expected an object with a body, got {type(data).__name__}.")
    _check_storable(data)

    def pick(key: str) -> Any:
        for name in _ALIASES[key]:
            value = data.get(name)
            if value not in (None, ""):
                return value
        return None

    body = pick("body")
    if not isinstance(body, str) or not body.strip():
        raise RecordError('Missing "body" (or "text"): an article needs its text.')
    if len(body) > limits.max_record_bytes:
        raise RecordError(_too_large(limits))
    if "\ufffd" in body:
        raise RecordError("The body holds undecodable characters (U+FFFD); fix its encoding.")
    if _HTML_TAG.search(body):
        body = html_fragment_to_text(body)
    title = str(pick("title") or "").strip() or first_line(body)
    url = _valid_url(pick("url"))
    return ArticleRecord(
        title=title[:1000],
        body=body,
        url=url,
        publisher=str(pick("publisher") or "")[:255],
        authors=_authors(pick("authors")),
        published_at=parse_published(pick("published_at")),
        language=_language(pick("language")),
        metadata={k: v for k, v in data.items() if k not in _KNOWN},
    )


def _check_storable(data: Any) -> None:
    """RecordError for text PostgreSQL cannot store: NUL, or a lone surrogate (JSON "\\ud800")."""
    if isinstance(data, dict):
        for key, value in data.items():
            _check_storable(key)
            _check_storable(value)
    elif isinstance(data, list):
        for value in data:
            _check_storable(value)
    elif isinstance(data, str):
        if "\x00" in data:
            raise RecordError("The record holds a NUL character (\\u0000), which text cannot hold.")
        try:
            data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RecordError(
                "The record holds an invalid character (a lone UTF-16 surrogate such as "
                "\\ud800); fix its encoding."
            ) from exc


def first_line(text: str) -> str:
    """The first non-empty line, stripped: a plain-text article's title."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def parse_published(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 or RFC 2822 text; RecordError if unreadable."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        parsed = parse_datetime(text)
        if parsed is None and (day := parse_date(text)) is not None:
            parsed = datetime(day.year, day.month, day.day)
        if parsed is None:
            parsed = parsedate_to_datetime(text)
    except (ValueError, TypeError):
        parsed = None
    if parsed is None:
        raise RecordError(f'published_at "{text[:40]}" is not a date (use ISO 8601).')
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _valid_url(value: Any) -> str | None:
    if value in (None, ""):
        return None
    url = str(value).strip()
    if not re.match(r"^https?://[^\s/]+", url, re.I) or len(url) > 2048:
        raise RecordError(f'url "{url[:80]}" is not an http(s) URL.')
    return url


def _authors(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(a).strip() for a in value if str(a).strip()]
    return [a.strip() for a in re.split(r"[;|]|,(?!\s*(?:Jr|Sr)\b)", str(value)) if a.strip()]


def _language(value: Any) -> str:
    text = str(value or "en").strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", text):
        raise RecordError(f'language "{text[:20]}" is not a language code such as "en" or "es".')
    return text[:16]


def html_fragment_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: scripts and styles dropped with their content, no tags."""
    spaced = _BLOCK_TAG.sub("\n", fragment)
    cleaned = nh3.clean(spaced, tags=set(), clean_content_tags={"script", "style", "template"})
    return html.unescape(cleaned)


# --- Line and tabular formats -------------------------------------------------------------------


def parse_jsonl(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """One JSON object per line; blank lines skipped; a bad line is an error, the rest imports."""
    text, encoding = _text_stream(stream)
    for number, line in _lines(text, limits.max_record_bytes):
        ref = {"line": number}
        if line is None:
            yield Item(ref, error=_too_large(limits))
            continue
        if not line.strip():
            continue
        if "\ufffd" in line:
            yield Item(ref, error=_undecodable(encoding))
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Item(ref, error=f"Malformed JSON: {exc.msg} at column {exc.colno}.")
            continue
        yield _item_from_mapping(ref, data, limits)


def parse_json(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """A JSON array of objects (streamed: never read whole), or a single object."""
    head = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    sniff_encoding(head)
    is_array = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")
    number = 0
    try:
        for data in ijson.items(stream, "item" if is_array else "", use_float=True):
            number += 1
            yield _item_from_mapping({"record": number}, data, limits)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0][:200]
        yield Item(
            {"record": number + 1},
            error=f"Malformed JSON ({reason}); the rest of the file could not be read.",
        )


def parse_csv(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """A header row naming our fields, then one article per row (delimiter sniffed, BOM ok).

    A CSV whose header has a url column but no body column is a list of URLs to fetch.
    """
    text, encoding = _text_stream(stream)
    sample = text.read(64 * 1024)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample.split("\n", 50)[0], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    problems: dict[int, str] = {}

    def decoded() -> Iterator[str]:
        for number, line in _lines(text, limits.max_record_bytes):
            if line is None:
                problems[number] = _too_large(limits)
                yield "\n"
            else:
                if "\ufffd" in line:
                    problems[number] = _undecodable(encoding)
                yield line

    csv.field_size_limit(max(limits.max_record_bytes * 2, 131072))
    reader = csv.reader(decoded(), dialect)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise InputError("The file is empty.")
    columns = [h.strip().lstrip("\ufeff").lower() for h in header]
    url_list = "url" in columns and not set(columns) & set(_ALIASES["body"])
    if not url_list and _URL_LINE.match(header[0]):
        yield from _url_items([(1, header[0]), *((reader.line_num, r[0]) for r in reader if r)])
        return
    previous = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Item({"line": previous + 1}, error=f"Malformed CSV: {exc}.")
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
        elif len(row) != len(columns):
            yield Item(ref, error=f"Expected {len(columns)} columns, found {len(row)}.")
        elif url_list:
            yield from _url_items([(start, row[columns.index("url")])])
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
        raise InputError(_too_large(limits))
    encoding = sniff_encoding(data)
    text = data.decode(encoding, errors="replace")
    if "\ufffd" in text:
        raise InputError(_undecodable(encoding))
    yield Item({"record": 1}, record=ArticleRecord(title=first_line(text)[:1000], body=text))


def _url_items(lines) -> Iterator[Item]:
    for number, line in lines:
        yield _url_item({"line": number}, line)


def _url_item(ref: dict, value: str) -> Item:
    try:
        url = _valid_url(value)
    except RecordError as exc:
        return Item(ref, error=str(exc))
    if url is None:
        return Item(ref, error="Empty URL.")
    return Item(ref, fetch_url=url)


def _item_from_mapping(ref: dict, data: Any, limits: Limits) -> Item:
    try:
        return Item(ref, record=record_from_mapping(data, limits=limits))
    except RecordError as exc:
        return Item(ref, error=str(exc))


def parse(stream: IO[bytes], *, fmt: str, limits: Limits) -> Iterator[Item]:
    """The items of `stream` read as `fmt` (one of FORMATS)."""
    # Web pages, feeds and archives build on this module's types, so they are imported on use:
    # importing them at the top would be an import cycle.
    from . import archives, web

    parsers = {
        "jsonl": parse_jsonl,
        "json": parse_json,
        "csv": parse_csv,
        "text": parse_text,
        "html": web.parse_html,
        "urls": web.parse_urls,
        "feed": web.parse_feed,
        "zip": archives.parse_zip,
    }
    return parsers[fmt](stream, limits=limits)
