"""What every parser yields: `Item`s holding an `ArticleRecord`, a URL to fetch, or an error.

The record types, the limits parsers work within, and the field rules shared by the tabular
formats (`formats.py`) and the web formats (`web.py`): titles, dates, URLs, authors, language.
This module imports no other parser, so each of them can import it without a cycle.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_noop

from annotations.jobmessages import JobMessage, message_of

MB = 1024 * 1024
MAX_URL_LENGTH = 2048
# Deeper JSON is refused: the json module and psycopg's Jsonb recurse once a level, and a few
# thousand levels (a line of brackets) exhaust Python's stack. No newsroom export nests 64 deep.
MAX_JSON_DEPTH = 64


class InputError(Exception):
    """The input as a whole cannot be read; the message (a JobMessage, or text) says why, for a
    person."""


class RecordError(Exception):
    """One record cannot be imported; the message (a JobMessage, or text) says why."""


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
    error: JobMessage | str | None = None
    # A feed entry whose URL is stored is not fetched again (the re-fetch follows that article);
    # a URL given on its own is, so a changed page becomes a revision.
    skip_if_stored: bool = False


@dataclass(frozen=True, slots=True)
class Limits:
    """What one input may cost: a record's size, and a ZIP's entries, unpacked bytes and the
    ratio of an entry's unpacked to packed size (all measured while unpacking)."""

    max_record_bytes: int = 5 * MB
    zip_max_entries: int = 10_000
    zip_max_bytes: int = 2 * 1024 * MB
    zip_max_ratio: int = 100


def too_large(limits: Limits) -> JobMessage:
    """The error for a record over `limits.max_record_bytes`."""
    return JobMessage(
        gettext_noop("The record is larger than the %(size)s MB limit."),
        size=f"{limits.max_record_bytes / MB:g}",
    )


def unexpected(exc: BaseException) -> JobMessage:
    """The error for an item that failed in a way no rule foresaw: its kind, for a person to
    report, without internals (the log has the traceback)."""
    return JobMessage(
        gettext_noop("This item could not be read (%(error)s)."), error=type(exc).__name__
    )


def too_deep() -> JobMessage:
    """The error for a record nesting deeper than MAX_JSON_DEPTH."""
    return JobMessage(
        gettext_noop("The record nests deeper than %(depth)s levels."), depth=MAX_JSON_DEPTH
    )


def check_storable(data: Any) -> None:
    """RecordError for what PostgreSQL cannot store: NUL, a lone surrogate (JSON "\\ud800"),
    or nesting deeper than MAX_JSON_DEPTH. Walked with a stack of its own, not by recursion."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise RecordError(too_deep())
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
        elif isinstance(value, str):
            if "\x00" in value:
                raise RecordError(
                    JobMessage(
                        gettext_noop(
                            "The record holds a NUL character (\\u0000), which text cannot hold."
                        )
                    )
                )
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise RecordError(
                    JobMessage(
                        gettext_noop(
                            "The record holds an invalid character (a lone UTF-16 surrogate such "
                            "as \\ud800); fix its encoding."
                        )
                    )
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
    except (ValueError, TypeError, OverflowError):
        parsed = None
    if parsed is not None:
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        try:
            # In UTC, as stored: 0001-01-01T00:00+05:00 would be a year PostgreSQL keeps (1 BC)
            # and Python cannot read back, and the article could no longer be shown.
            parsed = parsed.astimezone(UTC)
        except OverflowError:
            parsed = None
    if parsed is None:
        raise RecordError(
            JobMessage(
                gettext_noop('published_at "%(value)s" is not a date (use ISO 8601).'),
                value=text[:40],
            )
        )
    return parsed


def valid_url(value: Any) -> str | None:
    """`value` as an http(s) URL that can be fetched, None if empty; RecordError otherwise.

    httpx parses it as the fetch will, so a host it refuses (`0177.0.0.1`, an IDNA name that is
    not valid) is this record's error, with its line, rather than the fetch's.
    """
    if value in (None, ""):
        return None
    url = str(value).strip()
    refused = RecordError(
        JobMessage(gettext_noop('url "%(url)s" is not an http(s) URL.'), url=url[:80])
    )
    if not re.match(r"^https?://[^\s/]+", url, re.I) or len(url) > MAX_URL_LENGTH:
        raise refused
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise RecordError(
            JobMessage(
                gettext_noop('url "%(url)s" is not a valid URL (%(error)s).'),
                url=url[:80],
                error=str(exc),
            )
        ) from exc
    if not parsed.host:
        raise refused
    return url


def parse_authors(value: Any) -> list[str]:
    """A list of author names from a list or from text separated by `;`, `|` or `,`."""
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(a).strip() for a in value if str(a).strip()]
    return [a.strip() for a in re.split(r"[;|]|,(?!\s*(?:Jr|Sr)\b)", str(value)) if a.strip()]


def parse_language(value: Any) -> str:
    """A BCP 47-like language code, lower case; RecordError for anything else."""
    text = str(value or "en").strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", text):
        raise RecordError(
            JobMessage(
                gettext_noop('language "%(value)s" is not a language code such as "en" or "es".'),
                value=text[:20],
            )
        )
    return text[:16]


def url_item(ref: dict[str, Any], value: str) -> Item:
    """An item fetching `value`, or the error saying why it cannot be fetched."""
    try:
        url = valid_url(value)
    except RecordError as exc:
        return Item(ref, error=message_of(exc))
    if url is None:
        return Item(ref, error=JobMessage(gettext_noop("Empty URL.")))
    return Item(ref, fetch_url=url)


def url_line_items(lines: Iterable[tuple[int, str]]) -> Iterator[Item]:
    """An item per (line number, URL)."""
    for number, line in lines:
        yield url_item({"line": number}, line)
