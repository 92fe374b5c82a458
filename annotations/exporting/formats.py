"""The export formats. `stream` turns records into UTF-8 chunks as they arrive.

- `jsonl`: one feed item per line.
- `csv`: one row per claim; cells a spreadsheet would run as a formula are escaped.
- `claimreview`: a JSON array of schema.org ClaimReview objects (Google's Fact Check markup).
- `webannotation`: a W3C Web Annotation collection, one annotation per claim, anchored on the
  article by a TextQuoteSelector and a TextPositionSelector, the verdict in the body.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import QuerySet

from annotations.csvsafe import csv_line

from .records import claim_url, feed_item, iso, iter_records, ratings_url, same_as_url

SCHEMA_ORG = "https://schema.org"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

CSV_COLUMNS = [
    "id",
    "url",
    "claim_quote",
    "claim_text",
    "claimant",
    "language",
    "article_title",
    "article_url",
    "article_publisher",
    "article_published_at",
    "rating",
    "rating_label",
    "rating_value",
    "best_rating",
    "worst_rating",
    "explanation",
    "sources",
    "corrections",
    "reviewer",
    "editor",
    "created_at",
    "published_at",
    "updated_at",
    "same_as",
]

# Words that make a claimant an organisation rather than a person in ClaimReview's author.
_ORGANISATION_WORDS = re.compile(
    r"\b(ministry|ministerio|government|gobierno|officials|party|partido|council|consejo|"
    r"agency|agencia|department|departamento|commission|comisión|office|oficina|university|"
    r"universidad|association|asociación|company|empresa|inc|ltd|corp|s\.a|news|police|"
    r"policía|army|ejército|union|sindicato|institute|instituto|federation|federación)\b",
    re.IGNORECASE,
)


# For the strings, integers and None our records hold, orjson writes what `json.dumps(data,
# ensure_ascii=False, separators=(",", ":"))` writes (UTF-8, control characters as \u escapes,
# keys in insertion order; tests/exporting/test_json_text.py holds it to that), in about 15 ms
# per 10,000 feed items where the standard library's encoder took 130 ms, a quarter of a JSONL
# export. Datetimes and what else orjson does not know go through Django's encoder, as before.
# Unlike json.dumps, orjson refuses a lone surrogate, which UTF-8 cannot hold: that record fails.
_OTHER_TYPES = DjangoJSONEncoder().default


def to_json(data: Any) -> bytes:
    """`data` as compact UTF-8 JSON."""
    return orjson.dumps(data, default=_OTHER_TYPES, option=orjson.OPT_PASSTHROUGH_DATETIME)


def csv_row(row: dict[str, Any]) -> list[Any]:
    """The CSV cells of one record, in `CSV_COLUMNS` order (`csv_line` escapes them)."""
    item = feed_item(row)
    cells = [
        item["id"],
        item["url"],
        item["claim"]["quote"],
        item["claim"]["text"],
        item["claim"]["claimant"],
        item["claim"]["language"],
        item["article"]["title"],
        item["article"]["url"] or "",
        item["article"]["publisher"],
        item["article"]["published_at"] or "",
        item["rating"]["slug"],
        item["rating"]["label"],
        "" if item["rating"]["value"] is None else item["rating"]["value"],
        item["rating"]["best"],
        item["rating"]["worst"],
        item["explanation"],
        "\n".join(source["url"] for source in item["sources"]),
        "\n".join(f"{c['kind']}: {c['note']}" for c in item["corrections"]),
        item["reviewer"] or "",
        item["editor"] or "",
        item["created_at"],
        item["published_at"],
        item["updated_at"],
        item["same_as"] or "",
    ]
    return cells


def organisation() -> dict[str, str]:
    org = settings.FACTCHECK_ORGANIZATION
    return {"@type": "Organization", "name": org["name"], "url": org["url"]}


def claimant_type(name: str) -> str:
    """schema.org type of the claimant: the model records a name only, so guess from words."""
    return "Organization" if _ORGANISATION_WORDS.search(name) else "Person"


def claimreview(row: dict[str, Any]) -> dict[str, Any]:
    """One record as schema.org ClaimReview, with the fields Google's Fact Check markup reads."""
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": row["rating_label"]}
    if row["rating_value"] is not None:
        rating.update(
            ratingValue=row["rating_value"],
            bestRating=row["best_rating"],
            worstRating=row["worst_rating"],
        )
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": row["article_title"]}
    if row["article_url"]:
        appearance["url"] = row["article_url"]
    if row["article_publisher"]:
        appearance["publisher"] = {"@type": "Organization", "name": row["article_publisher"]}
    if row["article_published_at"]:
        appearance["datePublished"] = iso(row["article_published_at"])
    claim: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
    if row["claimant"]:
        claim["author"] = {"@type": claimant_type(row["claimant"]), "name": row["claimant"]}
    if row["article_published_at"]:
        claim["datePublished"] = iso(row["article_published_at"])
    if earlier := same_as_url(row):
        claim["sameAs"] = earlier  # the earlier fact-check of the same claim
    url = claim_url(row["id"])
    return {
        "@context": SCHEMA_ORG,
        "@type": "ClaimReview",
        "@id": f"{url}#claimreview",
        "url": url,
        "claimReviewed": row["text"] or row["quote_exact"],
        "datePublished": iso(row["approved_at"] or row["claim_published_at"]),
        "dateModified": iso(row["modified_at"]),
        "inLanguage": row["language"],
        "author": organisation(),
        "reviewRating": rating,
        "reviewBody": row["explanation"],
        "itemReviewed": claim,
    }


def webannotation(row: dict[str, Any]) -> dict[str, Any]:
    """One record as a W3C Web Annotation (`assessing`) on the article's text.

    Positions are Unicode code points, as the TextPositionSelector specifies and as our offsets
    are; the quote selector re-anchors the claim if the page's text shifts.
    """
    url = claim_url(row["id"])
    org = settings.FACTCHECK_ORGANIZATION
    body: list[dict[str, Any]] = [
        {
            "type": "TextualBody",
            "purpose": "assessing",
            "value": row["explanation"],
            "format": "text/plain",
            "language": row["language"],
        },
        {
            "type": "TextualBody",
            "purpose": "tagging",
            "value": row["rating_label"],
            "language": row["language"],
        },
        {
            "type": "SpecificResource",
            "purpose": "classifying",
            "source": ratings_url(row["scale_slug"], row["rating_slug"]),
        },
    ]
    if earlier := same_as_url(row):
        # "Same claim as": a link to the earlier fact-check.
        body.append({"type": "SpecificResource", "purpose": "linking", "source": earlier})
    return {
        "@context": ANNO_CONTEXT,
        "id": f"{url}#annotation",
        "type": "Annotation",
        "motivation": "assessing",
        "created": iso(row["claim_created_at"]),
        "modified": iso(row["modified_at"]),
        "creator": {"type": "Organization", "name": org["name"], "homepage": org["url"]},
        "canonical": url,
        "body": body,
        "target": {
            "source": row["article_url"] or f"urn:x-factcheck:article:{row['article_id']}",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": row["quote_exact"],
                    "prefix": row["quote_prefix"],
                    "suffix": row["quote_suffix"],
                },
                # An orphaned claim's offsets are on an older text of the article than the
                # page's: only its quote can point at what was checked.
                *(
                    []
                    if row.get("anchor_status") == "orphaned"
                    else [
                        {
                            "type": "TextPositionSelector",
                            "start": row["claim_start"],
                            "end": row["claim_end"],
                        }
                    ]
                ),
            ],
        },
    }


def _jsonl_line(row: dict[str, Any]) -> bytes:
    return to_json(feed_item(row)) + b"\n"


def _csv_text(cells: list[Any]) -> bytes:
    return csv_line(cells).encode()


def _csv_line(row: dict[str, Any]) -> bytes:
    return _csv_text(csv_row(row))


def _csv_head() -> bytes:
    return _csv_text(CSV_COLUMNS)


def _webannotation_head() -> bytes:
    # The collection's own fields come first so a reader sees them before the (long) list; the
    # annotations inside share the collection's @context.
    header = {
        "@context": ANNO_CONTEXT,
        "type": "AnnotationCollection",
        "label": f"Verified claims, {settings.FACTCHECK_ORGANIZATION['name']}",
    }
    return to_json(header)[:-1] + b',"first":{"type":"AnnotationPage","items":[\n'


def _webannotation_item(row: dict[str, Any]) -> bytes:
    annotation = webannotation(row)
    del annotation["@context"]  # the collection's applies
    return to_json(annotation)


def _claimreview_item(row: dict[str, Any]) -> bytes:
    return to_json(claimreview(row))


@dataclass(frozen=True)
class Format:
    render: Callable[[dict[str, Any]], bytes]  # one record
    head: Callable[[], bytes]
    separator: bytes
    tail: bytes
    content_type: str
    extension: str


FORMATS = {
    "jsonl": Format(_jsonl_line, bytes, b"", b"", "application/jsonl; charset=utf-8", "jsonl"),
    "csv": Format(_csv_line, _csv_head, b"", b"", "text/csv; charset=utf-8", "csv"),
    "claimreview": Format(
        _claimreview_item,
        lambda: b"[\n",
        b",\n",
        b"\n]\n",
        "application/ld+json; charset=utf-8",
        "jsonld",
    ),
    "webannotation": Format(
        _webannotation_item,
        _webannotation_head,
        b",\n",
        b"\n]}}\n",
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8',
        "jsonld",
    ),
}

OnError = Callable[[dict[str, Any], Exception], None]
OnProgress = Callable[[int], None]
# Chunks (one a record) are joined into one write: a write each cost 16 ms per 10,000 claims, 4 ms
# joined.
WRITE_BATCH = 500


def stream(
    format: str, rows: Iterable[dict[str, Any]], *, on_error: OnError | None = None
) -> Iterator[bytes]:
    """The UTF-8 text of an export in `format` (one of `FORMATS`), one record a chunk.

    The head and the tail are chunks of their own, so a caller can count records. With
    `on_error`, a record that cannot be rendered is reported to it and left out, so one bad
    record never costs the others; without, the error propagates.
    """
    spec = FORMATS[format]
    yield spec.head()
    render, separator = spec.render, spec.separator
    first = True
    for row in rows:
        try:
            text = render(row)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(row, exc)
            continue
        yield text if first else separator + text
        first = False
    yield spec.tail


def export_chunks(
    format: str,
    claims: QuerySet[Any],
    *,
    on_error: OnError | None = None,
    on_progress: OnProgress | None = None,
) -> Iterator[bytes]:
    """The whole file of an export of `claims` (from `published_claims()`) in `format`, in chunks.

    On PostgreSQL the database writes every line (`pgformats`: the same bytes, several times
    faster); elsewhere (SQLite) the records are rendered here and a record that cannot be is
    reported to `on_error` and left out. `on_progress` gets the number of claims read so far
    after every `EXPORT_CHUNK_SIZE` of them and once at the end.
    """
    if connection.vendor == "postgresql":
        from . import pgformats  # it builds on this module's shapes

        return pgformats.export_chunks(format, claims, on_progress=on_progress)
    return rendered_chunks(format, claims, on_error=on_error, on_progress=on_progress)


def rendered_chunks(
    format: str,
    claims: QuerySet[Any],
    *,
    on_error: OnError | None = None,
    on_progress: OnProgress | None = None,
) -> Iterator[bytes]:
    """`export_chunks` rendered in Python from `iter_records`, on any database."""
    step = settings.EXPORT_CHUNK_SIZE
    read = 0

    def counted(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal read
        for row in rows:
            yield row
            read += 1
            if on_progress and read % step == 0:
                on_progress(read)

    pending: list[bytes] = []
    for chunk in stream(format, counted(iter_records(claims)), on_error=on_error):
        pending.append(chunk)
        if len(pending) >= WRITE_BATCH:
            yield b"".join(pending)
            pending = []
    yield b"".join(pending)
    if on_progress and (read == 0 or read % step):
        on_progress(read)
