"""Web formats: a saved HTML page, a list of URLs to fetch, an RSS or Atom feed of links.

Pages are reduced to their main text by trafilatura; a feed is checked for XML entity
declarations and external references (billion laughs, XXE) before feedparser reads it.
"""

import codecs
import contextlib
import logging
import re
from collections.abc import Iterator
from typing import IO, Any

import defusedxml.ElementTree
import feedparser
import trafilatura
from defusedxml import DefusedXmlException
from django.utils.translation import gettext_noop

from annotations.jobmessages import JobMessage, message_of

from .decoding import lines, text_stream
from .records import (
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
    too_large,
    unexpected,
    url_item,
    url_line_items,
    valid_url,
)

logger = logging.getLogger(__name__)


def parse_urls(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """A list of URLs, one a line (blank lines and # comments skipped): each page is fetched."""
    text, _ = text_stream(stream)
    numbered = ((n, line) for n, line in lines(text, 4096) if line is None or line.strip())
    yield from url_line_items(
        (n, line or "") for n, line in numbered if not (line or "").startswith("#")
    )


def url_items(urls: list[str]) -> Iterator[Item]:
    """Items for URLs given directly (the API's {"urls": [...]}), numbered as records."""
    for number, url in enumerate(urls, start=1):
        yield url_item({"record": number}, url)


def parse_html(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """One web page (a saved .html file): its main text and metadata."""
    data = stream.read(limits.max_record_bytes + 1)
    if len(data) > limits.max_record_bytes:
        raise InputError(too_large(limits))
    if not data.strip():
        raise InputError(JobMessage(gettext_noop("The file is empty.")))
    try:
        yield Item({"record": 1}, record=extract_page(data))
    except RecordError as exc:
        yield Item({"record": 1}, error=message_of(exc))


def extract_page(data: bytes, *, url: str | None = None) -> ArticleRecord:
    """The article in a web page, as plain text, with trafilatura: no navigation, banners,
    share buttons, scripts or footers. The headline is kept as the body's first line.

    Raises RecordError only: whatever a page does to the extractor is that page's error.
    """
    try:
        record = _extract_page(data, url=url)
        check_storable([record.title, record.body, record.publisher, *record.authors])
        return record
    except RecordError:
        raise
    except Exception as exc:
        logger.warning("Unexpected error extracting %s", url or "a page", exc_info=True)
        raise RecordError(
            JobMessage(
                gettext_noop("The page could not be read (%(error)s)."), error=type(exc).__name__
            )
        ) from exc


def _extract_page(data: bytes, *, url: str | None) -> ArticleRecord:
    doc = trafilatura.bare_extraction(
        data, url=url, with_metadata=True, include_comments=False, include_images=False
    )
    if isinstance(doc, dict):  # only with as_dict=True, which is not asked for
        raise TypeError("trafilatura returned a dict, not a Document.")
    if doc is None or not (doc.text or "").strip():
        raise RecordError(JobMessage(gettext_noop("No article text found in this page.")))
    title = (doc.title or "").strip()
    body = doc.text or ""
    if title and first_line(body) != title:
        body = f"{title}\n{body}"
    published_at = None
    # A page date trafilatura misread is not worth losing the article over.
    with contextlib.suppress(RecordError):
        published_at = parse_published(doc.date)
    # The page's own (canonical) URL if it is one we could store, else the one fetched.
    page_url = _storable_url(doc.url) or _storable_url(url)
    return ArticleRecord(
        title=(title or first_line(body))[:1000],
        body=body,
        url=page_url,
        publisher=(doc.sitename or "")[:255],
        authors=parse_authors(doc.author),
        published_at=published_at,
        language=parse_language(doc.language) if doc.language else "en",
        metadata={"fetched_url": url} if url and page_url != url else {},
    )


def _storable_url(value: str | None) -> str | None:
    try:
        return valid_url(value)
    except RecordError:
        return None


def check_xml_safe(data: bytes) -> bytes:
    """Refuse XML with entity declarations or external references (billion laughs, XXE).

    Returns the feed as feedparser should read it: `data` itself, or, when expat cannot read
    the feed's encoding (UTF-16 without a BOM, or a multi-byte encoding it lacks such as
    Shift_JIS or a declared "utf-16-be"), the feed decoded by Python, checked and re-encoded
    as UTF-8, so that feedparser reads exactly what was checked.
    """
    base = _xml_base_encoding(data)
    if base == "utf-8":
        try:
            _refuse_unsafe_xml(data)
            return data
        except (ValueError, LookupError):
            pass  # expat does not know the declared encoding: decode it here
    text = _decode_xml(data, base)
    utf8 = _XML_DECLARATION.sub("", text, count=1).encode("utf-8")
    _refuse_unsafe_xml(utf8)
    return utf8


_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_XML_ENCODING = re.compile(r"""^\ufeff?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']{1,64})["']""")
# The byte patterns of "<?" that tell UTF-16 and UTF-32 apart without a BOM (XML 1.0, App. F).
_XML_FIRST_BYTES = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


def _xml_base_encoding(data: bytes) -> str:
    """The encoding family the first bytes show: UTF-16 or UTF-32 (and their byte order), or
    "utf-8" for everything ASCII-compatible, whose declaration then names the encoding."""
    start = data.lstrip(b" \t\r\n") if not data.startswith((b"\x00", b"\xfe", b"\xff")) else data
    return next((enc for first, enc in _XML_FIRST_BYTES if start.startswith(first)), "utf-8")


def _decode_xml(data: bytes, base: str) -> str:
    """The feed as text: in the encoding its declaration names, within the family its first
    bytes show (a BOM or "<" in UTF-16 decides the byte order, whatever is declared)."""
    bom = codecs.BOM_UTF8 if base == "utf-8" else b""
    head = data[:1024].decode(base, errors="replace")
    declared = _XML_ENCODING.match(head)
    encoding = base
    if declared and base == "utf-8":
        try:
            encoding = codecs.lookup(declared.group(1)).name
        except LookupError as exc:
            raise InputError(
                JobMessage(
                    gettext_noop(
                        'The feed declares a text encoding that is not known ("%(encoding)s").'
                    ),
                    encoding=declared.group(1),
                )
            ) from exc
        if encoding.startswith(("utf-16", "utf-32")):
            encoding = "utf-8"  # declared UTF-16, but its bytes are not: they decide
    text = data.removeprefix(bom).decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")


def _refuse_unsafe_xml(data: bytes) -> None:
    if re.search(rb"<!ENTITY", data, re.I):
        raise InputError(
            JobMessage(
                gettext_noop(
                    "The feed declares XML entities (a possible entity-expansion attack); refused."
                )
            )
        )
    try:
        defusedxml.ElementTree.fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(
            JobMessage(
                gettext_noop("The feed uses forbidden XML constructs (%(error)s); refused."),
                error=str(exc),
            )
        ) from exc
    except defusedxml.ElementTree.ParseError:
        pass  # malformed but harmless: feedparser's lenient parser may still read it


def parse_feed(stream: IO[bytes], *, limits: Limits) -> Iterator[Item]:
    """An RSS or Atom feed: each entry's link is fetched and extracted as a web page."""
    data = stream.read(limits.max_record_bytes + 1)
    if len(data) > limits.max_record_bytes:
        raise InputError(too_large(limits))
    if not data.strip():
        raise InputError(JobMessage(gettext_noop("The file is empty.")))
    checked = check_xml_safe(data)
    try:
        feed = feedparser.parse(checked)
    except Exception as exc:  # the feed is the whole input: its failure is the file's error
        logger.warning("feedparser failed", exc_info=True)
        raise InputError(
            JobMessage(
                gettext_noop("The feed could not be read (%(error)s)."), error=type(exc).__name__
            )
        ) from exc
    if not feed.entries:
        if feed.bozo:
            raise InputError(
                JobMessage(
                    gettext_noop("Not an RSS or Atom feed with entries (%(error)s)."),
                    error=str(feed.bozo_exception),
                )
            )
        raise InputError(JobMessage(gettext_noop("Not an RSS or Atom feed with entries.")))
    for number, entry in enumerate(feed.entries, start=1):
        try:
            yield _entry_item({"record": number}, entry)
        except Exception as exc:  # one entry's surprise is that entry's error
            logger.warning("Unexpected error reading feed entry %s", number, exc_info=True)
            yield Item({"record": number}, error=unexpected(exc))


def _entry_item(ref: dict[str, Any], entry: dict[str, Any]) -> Item:
    item = url_item(ref, entry.get("link") or "")
    if item.error:
        item.error = JobMessage(
            gettext_noop("Feed entry without a usable link: %(error)s"), error=item.error
        )
    item.skip_if_stored = True
    item.hints = {
        "title": entry.get("title", ""),
        "published": entry.get("published", "") or entry.get("updated", ""),
        "author": entry.get("author", ""),
    }
    return item
