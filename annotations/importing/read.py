"""The read side of an import: the job's input as items, batch by batch, resolved into rows.

A batch's items are parsed (importing.formats), their URLs fetched (importing.fetch and .web),
and the resulting records normalised into rows ready to store, with the errors of the items that
failed; on PostgreSQL the rows get their article ids and their sentences go to the splitter.
"""

import contextlib
import io
import itertools
import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any, TypeVar, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.utils.translation import gettext_noop

from annotations.jobmessages import JobMessage, error_entry, message_of
from annotations.models import Article, ImportJob, content_hash, normalise_body

from . import formats, web
from .fetch import FetchError, fetch
from .records import ArticleRecord, InputError, Item, Limits, RecordError, parse_published
from .splitting import BatchSplitter

FETCH_THREADS = 8
T = TypeVar("T")

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Row:
    ref: dict[str, Any]
    record: ArticleRecord
    body: str
    digest: str
    pk: int | None = None  # reserved before the split, on PostgreSQL
    sentence_data: bytes = b""  # its sentences as COPY rows (importing.splitting), once split


@dataclass(slots=True)
class Batch:
    """One batch read, fetched and split: everything but the writing."""

    size: int  # items read: the checkpoint moves by this
    rows: list[Row]
    failures: list[dict[str, Any]]
    known: int  # feed entries already imported, not fetched again
    texts: list[tuple[int, str, str]]  # the rows' (pk, body, language), on PostgreSQL
    split: Future[list[bytes]] | None  # their sentence_data, on PostgreSQL


def limits_from_settings() -> Limits:
    """The parsing limits configured in settings (IMPORT_*)."""
    return Limits(
        max_record_bytes=settings.IMPORT_MAX_RECORD_BYTES,
        zip_max_entries=settings.IMPORT_ZIP_MAX_ENTRIES,
        zip_max_bytes=settings.IMPORT_ZIP_MAX_BYTES,
        zip_max_ratio=settings.IMPORT_ZIP_MAX_RATIO,
    )


@contextlib.contextmanager
def items(job: ImportJob) -> Iterator[Iterator[Item]]:
    """The job's input, item by item, from the first; InputError when it cannot be read."""
    limits = limits_from_settings()
    if job.urls and not job.input_file and job.format == "feed":
        # The feed is fetched once and kept as the job's file, so a resumed job reads the same
        # entries in the same order as the first delivery.
        try:
            fetched = fetch(job.urls[0])
        except FetchError as exc:
            raise InputError(
                JobMessage(
                    gettext_noop("The feed %(url)s could not be fetched: %(error)s"),
                    url=job.urls[0],
                    error=message_of(exc),
                )
            ) from exc
        job.input_file.save("feed.xml", ContentFile(fetched.content), save=False)
        job.save(update_fields=["input_file"])
    if not job.input_file:
        job.total = len(job.urls)
        ImportJob.objects.filter(pk=job.pk).update(total=job.total, format="urls")
        yield web.url_items(job.urls)
        return
    with job.input_file.open("rb") as file:
        # Either way an open binary file; the stubs type neither as IO[bytes].
        stream = cast(IO[bytes], file.file if isinstance(file.file, io.IOBase) else file)
        if not job.format:
            job.format = formats.detect_format(
                job.original_name or job.input_file.name or "", file.read(4096)
            )
            stream.seek(0)
            ImportJob.objects.filter(pk=job.pk).update(format=job.format)
        if job.total is None and job.format in ("jsonl", "urls"):
            job.total = sum(1 for line in stream if line.strip() and not line.startswith(b"#"))
            stream.seek(0)
            ImportJob.objects.filter(pk=job.pk).update(total=job.total)
        yield formats.parse(stream, fmt=job.format, limits=limits)


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (an import's items, or a fact-check import's reviews)."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def read_next(batches: Iterator[list[Item]], splitter: BatchSplitter) -> Batch | None:
    """The next batch read and handed to the splitter, or None at the end of the input."""
    items = next(batches, None)
    return None if items is None else read(items, splitter)


def read(items: list[Item], splitter: BatchSplitter) -> Batch:
    """Resolve a batch's items into rows ready to store, and the errors of those that failed.
    On PostgreSQL the rows get their ids, and their sentences are being split into COPY data."""
    failures: list[dict[str, Any]] = []
    known_urls = stored(
        urls=[item.fetch_url for item in items if item.fetch_url and item.skip_if_stored]
    )
    rows = []
    for item, outcome in zip(items, _resolve(items, skip=known_urls), strict=True):
        if isinstance(outcome, JobMessage | str):
            failures.append(error_entry(item.ref, outcome))
        elif outcome is not None:
            body = normalise_body(outcome.body)
            if not body.strip():
                failures.append(
                    error_entry(item.ref, JobMessage(gettext_noop("The article has no text.")))
                )
                continue
            rows.append(Row(item.ref, outcome, body, content_hash(body)))
    known = sum(1 for item in items if item.fetch_url in known_urls)
    if connection.vendor != "postgresql":
        return Batch(len(items), rows, failures, known, texts=[], split=None)
    texts: list[tuple[int, str, str]] = []
    for row, pk in zip(rows, _reserve_article_ids(len(rows)), strict=True):
        row.pk = pk
        texts.append((pk, row.body, row.record.language))
    return Batch(len(items), rows, failures, known, texts, split=splitter.submit(texts))


def stored(*, urls: Iterable[str], digests: Iterable[str] = ()) -> set[str]:
    """Which of these URLs and content hashes the stored articles have: one query.

    Two unordered lookups in a UNION, each on its unique index: the same test as one `OR` query
    that PostgreSQL, its statistics stale right after a bulk load, ran as a sequential scan.
    """
    urls, digests = list(urls), list(digests)
    articles = Article.objects.order_by()
    by_url = articles.filter(url__in=urls).values_list("url", flat=True)
    if not digests:
        return {url for url in by_url if url} if urls else set()
    by_digest = articles.filter(content_hash__in=digests).values_list("content_hash", flat=True)
    return {value for value in (by_digest.union(by_url, all=True) if urls else by_digest) if value}


def _reserve_article_ids(count: int) -> list[int]:
    """`count` ids from the articles' sequence (one a duplicate never uses is a harmless gap)."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Article._meta.db_table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _resolve(batch: list[Item], *, skip: set[str]) -> list[ArticleRecord | JobMessage | str | None]:
    """Each item's record, or its error message, or None (a feed entry already imported)."""
    to_fetch = [item for item in batch if item.fetch_url and item.fetch_url not in skip]
    pages: dict[int, ArticleRecord | JobMessage] = {}
    if to_fetch:
        with ThreadPoolExecutor(max_workers=min(FETCH_THREADS, len(to_fetch))) as pool:
            for item, page in zip(to_fetch, pool.map(_fetch_page, to_fetch), strict=True):
                pages[id(item)] = page
    outcomes: list[ArticleRecord | JobMessage | str | None] = []
    for item in batch:
        if item.error:
            outcomes.append(item.error)
        elif item.fetch_url:
            outcomes.append(pages.get(id(item)))
        else:
            outcomes.append(item.record)
    return outcomes


def _fetch_page(item: Item) -> ArticleRecord | JobMessage:
    """The page at the item's URL as a record, or the item's error: whatever goes wrong with one
    URL (a host httpx cannot parse, a page the extractor chokes on) is that URL's error, never
    the job's."""
    try:
        page = fetch(item.fetch_url or "")
        record = web.extract_page(page.content, url=page.url)
    except (FetchError, RecordError) as exc:
        return JobMessage(
            gettext_noop("%(url)s: %(error)s"), url=item.fetch_url, error=message_of(exc)
        )
    except Exception as exc:
        logger.warning("Fetching %s failed unexpectedly", item.fetch_url, exc_info=True)
        return JobMessage(
            gettext_noop("%(url)s: could not be fetched (%(error)s)"),
            url=item.fetch_url,
            error=f"{type(exc).__name__}: {exc}",
        )
    if record.published_at is None and item.hints.get("published"):
        with contextlib.suppress(RecordError):
            record.published_at = parse_published(item.hints["published"])
    return record
