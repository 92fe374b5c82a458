"""Web formats: a saved HTML page, a list of URLs to fetch, an RSS or Atom feed of links.

Pages are reduced to their main text by trafilatura; a feed is checked for XML entity
declarations and external references (billion laughs, XXE) before feedparser reads it.
"""

import contextlib
import re
from collections.abc import Iterator
from typing import IO

import defusedxml.ElementTree
import feedparser
import trafilatura
from defusedxml import DefusedXmlException

from .formats import (
    ArticleRecord,
    InputError,
    Item,
    Limits,
    RecordError,
    _authors,
    _language,
    _lines,
    _text_stream,
    _too_large,
    _url_item,
    _url_items,
    first_line,
    parse_published,
)


def parse_urls(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """A list of URLs, one a line (blank lines and # comments skipped): each page is fetched."""
    text, _ = _text_stream(stream)
    lines = ((n, line) for n, line in _lines(text, 4096) if line is None or line.strip())
    yield from _url_items((n, line or "") for n, line in lines if not (line or "").startswith("#"))


def url_items(urls: list[str]) -> Iterator[Item]:
    """Items for URLs given directly (the API's {"urls": [...]}), numbered as records."""
    for number, url in enumerate(urls, start=1):
        yield _url_item({"record": number}, url)


def parse_html(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """One web page (a saved .html file): its main text and metadata."""
    data = stream.read(limits.max_record_bytes + 1)
    if len(data) > limits.max_record_bytes:
        raise InputError(_too_large(limits))
    if not data.strip():
        raise InputError("The file is empty.")
    try:
        yield Item({"record": 1}, record=extract_page(data))
    except RecordError as exc:
        yield Item({"record": 1}, error=str(exc))


def extract_page(data: bytes, *, url: str | None = None) -> ArticleRecord:
    """The article in a web page, as plain text, with trafilatura: no navigation, banners,
    share buttons, scripts or footers. The headline is kept as the body's first line."""
    doc = trafilatura.bare_extraction(
        data, url=url, with_metadata=True, include_comments=False, include_images=False
    )
    if doc is None or not (doc.text or "").strip():
        raise RecordError("No article text found in this page.")
    title = (doc.title or "").strip()
    body = doc.text
    if title and first_line(body) != title:
        body = f"{title}\n{body}"
    published_at = None
    # A page date trafilatura misread is not worth losing the article over.
    with contextlib.suppress(RecordError):
        published_at = parse_published(doc.date)
    page_url = doc.url if doc.url and re.match(r"^https?://", doc.url) else url
    return ArticleRecord(
        title=(title or first_line(body))[:1000],
        body=body,
        url=page_url,
        publisher=(doc.sitename or "")[:255],
        authors=_authors(doc.author),
        published_at=published_at,
        language=_language(doc.language) if doc.language else "en",
        metadata={"fetched_url": url} if url and page_url != url else {},
    )


def check_xml_safe(data: bytes) -> None:
    """Refuse XML with entity declarations or external references (billion laughs, XXE)."""
    if re.search(rb"<!ENTITY", data, re.I):
        raise InputError(
            "The feed declares XML entities (a possible entity-expansion attack); refused."
        )
    try:
        defusedxml.ElementTree.fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(f"The feed uses forbidden XML constructs ({exc}); refused.") from exc
    except defusedxml.ElementTree.ParseError:
        pass  # malformed but harmless: feedparser's lenient parser may still read it


def parse_feed(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """An RSS or Atom feed: each entry's link is fetched and extracted as a web page."""
    data = stream.read(limits.max_record_bytes + 1)
    if len(data) > limits.max_record_bytes:
        raise InputError(_too_large(limits))
    if not data.strip():
        raise InputError("The file is empty.")
    check_xml_safe(data)
    feed = feedparser.parse(data)
    if not feed.entries:
        reason = f" ({feed.bozo_exception})" if feed.bozo else ""
        raise InputError(f"Not an RSS or Atom feed with entries{reason}.")
    for number, entry in enumerate(feed.entries, start=1):
        item = _url_item({"record": number}, entry.get("link") or "")
        if item.error:
            item.error = f"Feed entry without a usable link: {item.error}"
        item.hints = {
            "title": entry.get("title", ""),
            "published": entry.get("published", "") or entry.get("updated", ""),
            "author": entry.get("author", ""),
        }
        yield item
