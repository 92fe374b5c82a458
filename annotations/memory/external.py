"""Other fact-checkers' published checks in, as `ExternalFactCheck` rows to match against.

Three shapes are read: schema.org ClaimReview as JSON-LD inside HTML pages, a JSON or JSON
Lines file of ClaimReview objects (a list, one object, or an `@graph`), and the JSON that Google
Fact Check Tools' `claims:search` answers (`{"claims": [{"text", "claimant", "claimReview":
[...]}]}`). Each review that cannot be read is that review's error; the others go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import make_aware

from annotations.models import ExternalFactCheck, ImportJob

from . import matching

MAX_DEPTH = 64  # JSON-LD nests a few levels; deeper is hostile input


@dataclass(frozen=True)
class ExternalRecord:
    claim_text: str
    url: str
    claimant: str = ""
    rating_text: str = ""
    publisher: str = ""
    reviewed_at: datetime | None = None
    language: str = ""


@dataclass(frozen=True)
class ExternalError:
    where: str  # "review 3", "line 7", "script 2"
    message: str


def parse(data: bytes, *, name: str = "") -> Iterator[ExternalRecord | ExternalError]:
    """Every fact-check in `data` (HTML, JSON or JSON Lines), or the error of each that fails."""
    text = data.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if not stripped:
        yield ExternalError("file", "empty")
        return
    if stripped.startswith("<") or name.lower().endswith((".html", ".htm")):
        yield from _from_html(text)
    elif stripped.startswith(("[", "{")) and not name.lower().endswith(".jsonl"):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as error:
            yield from _from_json_lines(text, whole_error=str(error))
            return
        yield from _from_document(document, where="review")
    else:
        yield from _from_json_lines(text)


def from_json_lines(lines: Iterable[bytes]) -> Iterator[ExternalRecord | ExternalError]:
    """The reviews of a JSON Lines file read line by line (never whole), as `parse` reads it."""
    for number, raw in enumerate(lines, 1):
        line = raw.decode("utf-8-sig" if number == 1 else "utf-8", errors="replace")
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except (ValueError, RecursionError) as error:
            yield ExternalError(f"line {number}", f"not valid JSON ({error})")
            continue
        yield from _from_document(document, where=f"line {number}, review")


def from_array_elements(elements: Iterable[Any]) -> Iterator[ExternalRecord | ExternalError]:
    """The reviews of a JSON array given element by element (streamed), numbered across the
    array as `parse` numbers those of the array read whole. An element the reader refused
    comes as its ExternalError, and is passed on."""
    number = 0
    for element in elements:
        if isinstance(element, ExternalError):
            yield element
            continue
        for review in _claim_reviews(element, depth=1):
            number += 1
            try:
                yield _from_claim_review(review)
            except (KeyError, TypeError, ValueError) as error:
                yield ExternalError(f"review {number}", str(error))
    if number == 0:
        yield ExternalError("review", "no ClaimReview in it")


def _from_html(text: str) -> Iterator[ExternalRecord | ExternalError]:
    from lxml import html as lxml_html  # trafilatura's dependency, already installed

    try:
        tree = lxml_html.fromstring(text)
    except (ValueError, lxml_html.etree.ParserError) as error:
        yield ExternalError("page", f"not readable HTML ({error})")
        return
    scripts = tree.xpath('//script[@type="application/ld+json"]/text()')
    if not scripts:
        yield ExternalError("page", 'no JSON-LD (<script type="application/ld+json">) in it')
    for number, script in enumerate(scripts, 1):
        try:
            document = json.loads(script)
        except (ValueError, RecursionError) as error:
            yield ExternalError(f"script {number}", f"not valid JSON ({error})")
            continue
        yield from _from_document(document, where=f"script {number}, review")


def _from_json_lines(text: str, whole_error: str = "") -> Iterator[ExternalRecord | ExternalError]:
    lines = text.splitlines()
    if whole_error and len([line for line in lines if line.strip()]) <= 1:
        yield ExternalError("file", f"not valid JSON ({whole_error})")
        return
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except (ValueError, RecursionError) as error:
            yield ExternalError(f"line {number}", f"not valid JSON ({error})")
            continue
        yield from _from_document(document, where=f"line {number}, review")


def _from_document(document: Any, *, where: str) -> Iterator[ExternalRecord | ExternalError]:
    if isinstance(document, dict) and isinstance(document.get("claims"), list):
        yield from _from_fact_check_tools(document["claims"], where=where)
        return
    reviews = list(_claim_reviews(document, depth=0))
    if not reviews:
        yield ExternalError(where.rsplit(",", 1)[0], "no ClaimReview in it")
    for number, review in enumerate(reviews, 1):
        try:
            yield _from_claim_review(review)
        except (KeyError, TypeError, ValueError) as error:
            yield ExternalError(f"{where} {number}", str(error))


def _claim_reviews(node: Any, *, depth: int) -> Iterable[dict]:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            yield from _claim_reviews(item, depth=depth + 1)
    elif isinstance(node, dict):
        types = node.get("@type")
        types = types if isinstance(types, list) else [types]
        if "ClaimReview" in types:
            yield node
        else:
            for key in ("@graph", "mainEntity", "hasPart", "review"):
                if key in node:
                    yield from _claim_reviews(node[key], depth=depth + 1)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def _when(value: Any) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text[:10])
        if day is None:
            raise ValueError(f"unreadable date {text[:40]!r}")
        moment = datetime(day.year, day.month, day.day)
    return moment if moment.tzinfo else make_aware(moment)


def _url(value: Any) -> str:
    url = _text(value)
    if not url.startswith(("http://", "https://")) or len(url) > 2048:
        raise ValueError(f"the review has no http(s) url ({url[:60]!r})")
    return url


def _from_claim_review(review: dict) -> ExternalRecord:
    claim_text = _text(review.get("claimReviewed"))
    if not claim_text:
        raise ValueError("the review has no claimReviewed")
    item = review.get("itemReviewed")
    item = item if isinstance(item, dict) else {}
    rating = review.get("reviewRating")
    rating = rating if isinstance(rating, dict) else {}
    return ExternalRecord(
        claim_text=claim_text[:5000],
        url=_url(review.get("url")),
        claimant=_text(item.get("author"))[:255],
        rating_text=_text(rating.get("alternateName") or rating.get("name"))[:255],
        publisher=_text(review.get("author") or review.get("publisher"))[:255],
        reviewed_at=_when(review.get("datePublished")),
        language=_text(review.get("inLanguage"))[:16],
    )


def _from_fact_check_tools(claims: list, *, where: str) -> Iterator[ExternalRecord | ExternalError]:
    number = 0
    for claim in claims:
        reviews = claim.get("claimReview") if isinstance(claim, dict) else None
        for review in reviews if isinstance(reviews, list) else [None]:
            number += 1
            try:
                if not isinstance(review, dict) or not _text(claim.get("text")):
                    raise ValueError("a claim needs text and a claimReview")
                yield ExternalRecord(
                    claim_text=_text(claim["text"])[:5000],
                    url=_url(review.get("url")),
                    claimant=_text(claim.get("claimant"))[:255],
                    rating_text=_text(review.get("textualRating"))[:255],
                    publisher=_text(review.get("publisher"))[:255],
                    reviewed_at=_when(review.get("reviewDate")),
                    language=_text(review.get("languageCode"))[:16],
                )
            except (KeyError, TypeError, ValueError) as error:
                yield ExternalError(f"{where} {number}", str(error))


def store(records: Iterable[ExternalRecord], *, job: ImportJob | None = None) -> tuple[int, int]:
    """Insert new fact-checks (a review already held is skipped) and queue their embedding.
    Returns (created, duplicates)."""
    rows = [ExternalFactCheck(import_job=job, **record.__dict__) for record in records]
    with transaction.atomic():
        before = ExternalFactCheck.objects.count()
        ExternalFactCheck.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        created = ExternalFactCheck.objects.count() - before
        keys = [(row.url, row.claim_text) for row in rows]
        ids = [
            pk
            for pk, url, text in ExternalFactCheck.objects.filter(
                url__in=[url for url, _ in keys]
            ).values_list("pk", "url", "claim_text")
            if (url, text) in set(keys)
        ]
        matching.queue_external(ids)
    return created, len(rows) - created
