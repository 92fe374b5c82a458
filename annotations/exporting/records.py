"""Published claims as plain records: the one shape every format and the public page build on.

Rows come from `.values()` rather than model instances: an export of 100,000 claims spends its
time building objects, and plain dicts keep it within reach of a raw COPY (see
`bench/export_bench.py`). Sources and corrections are fetched per batch, so a batch of any size
costs three queries. On PostgreSQL an export job has the database write its lines from the same
rows (`claim_rows`, in `pgformats`); these records serve the feed, the public pages and SQLite.
"""

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, overload

from django.conf import settings
from django.db import connection
from django.db.models import CharField, F, Func, QuerySet
from django.urls import reverse

from annotations.models import Correction
from annotations.selectors import public_sources

DATETIME_FIELDS = {
    "claim_created_at": "created_at",
    "claim_published_at": "published_at",
    "modified_at": "last_modified",
    "article_published_at": "article__published_at",
    "approved_at": "published_verdict__reviewed_at",
    "claim_text_changed_at": "text_changed_at",  # a revision changed the checked passage
}
ROW_FIELDS = {
    "claim_start": F("start"),
    "claim_end": F("end"),
    "article_title": F("article__title"),
    "article_url": F("article__url"),
    "article_publisher": F("article__publisher"),
    "language": F("article__language"),
    "explanation": F("published_verdict__explanation"),
    "rating_slug": F("published_verdict__rating__slug"),
    "rating_label": F("published_verdict__rating__label"),
    "rating_value": F("published_verdict__rating__value"),
    "scale_slug": F("published_verdict__rating__scale__slug"),
    "best_rating": F("published_verdict__rating__scale__best_rating"),
    "worst_rating": F("published_verdict__rating__scale__worst_rating"),
    "reviewer_username": F("published_verdict__author__username"),
    "reviewer_first_name": F("published_verdict__author__first_name"),
    "reviewer_last_name": F("published_verdict__author__last_name"),
    "editor_username": F("published_verdict__reviewed_by__username"),
    "editor_first_name": F("published_verdict__reviewed_by__first_name"),
    "editor_last_name": F("published_verdict__reviewed_by__last_name"),
    "same_as_status": F("same_as__status"),
    "same_as_hidden": F("same_as__is_hidden"),
    "same_as_external_url": F("same_as_external__url"),
}
PLAIN_FIELDS = (
    "id",
    "article_id",
    "quote_exact",
    "quote_prefix",
    "quote_suffix",
    "claimant",
    "text",
    "status",  # "published", or "retracted" on a retracted claim's public page
    "same_as_id",
    "anchor_status",  # "anchored", "changed" or "orphaned" (living articles)
)


def claim_rows(claims: QuerySet[Any]) -> QuerySet[Any]:
    """`claims` (from `published_claims()` or `public_claim_pages()`) as flat dicts by id."""
    dates = {name: _iso_text(field) for name, field in DATETIME_FIELDS.items()}
    return claims.values(*PLAIN_FIELDS, **ROW_FIELDS, **dates).order_by("id")


# The same text as Python's datetime.isoformat() for a UTC time with microseconds.
_PG_ISO_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'


def _iso_text(field: str) -> F | Func:
    # PostgreSQL writes the ISO 8601 text itself: parsing five timestamps a row into datetimes
    # (Django's time-zone-aware loader is pure Python) was a quarter of an export's time.
    if connection.vendor != "postgresql":
        return F(field)
    return Func(
        F(field),
        template=f"to_char(%(expressions)s AT TIME ZONE 'UTC', '{_PG_ISO_FORMAT}')",
        output_field=CharField(),
    )


def attach_related(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each row its visible `sources` and its `corrections`: two queries for the batch."""
    ids = [row["id"] for row in rows]
    sources: dict[int, list[dict[str, Any]]] = defaultdict(list)
    corrections: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        # A batch of consecutive ids is fetched by range: an IN list of thousands of parameters
        # costs psycopg more to build than the query costs PostgreSQL. Rows of claims outside
        # the batch are dropped below, never attached.
        dense = ids[-1] - ids[0] < 2 * len(ids) and ids == sorted(ids)
        in_batch = (
            {"claim_id__gte": ids[0], "claim_id__lte": ids[-1]} if dense else {"claim_id__in": ids}
        )
        for source in (
            public_sources()
            .filter(**in_batch)
            .order_by("claim_id", "created_at", "id")
            .values("claim_id", "url", "title", "publisher", "quote", "stance")
        ):
            source_row: dict[str, Any] = dict(source)
            sources[source_row.pop("claim_id")].append(source_row)
        for correction in (
            Correction.objects.filter(**in_batch)
            .order_by("claim_id", "created_at", "id")
            .values("claim_id", "kind", "note", created=_iso_text("created_at"))
        ):
            correction_row: dict[str, Any] = dict(correction)
            claim_id = correction_row.pop("claim_id")
            correction_row["created_at"] = correction_row.pop("created")
            corrections[claim_id].append(correction_row)
    for row in rows:
        row["sources"] = sources.get(row["id"], [])  # .get: a defaultdict would grow
        row["corrections"] = corrections.get(row["id"], [])
    return rows


def iter_records(
    claims: QuerySet[Any], *, chunk_size: int | None = None
) -> Iterator[dict[str, Any]]:
    """Stream the claims as records, `chunk_size` at a time, through a server-side cursor.

    Memory stays flat whatever the number of claims: one batch is held at a time.
    """
    chunk_size = chunk_size or settings.EXPORT_CHUNK_SIZE
    batch: list[dict[str, Any]] = []
    for row in claim_rows(claims).iterator(chunk_size=chunk_size):
        batch.append(row)
        if len(batch) >= chunk_size:
            yield from attach_related(batch)
            batch = []
    yield from attach_related(batch)


def claim_url(claim_id: int) -> str:
    """The absolute address of a claim's public page (ClaimReview `url`)."""
    return _claim_url_template(settings.PUBLIC_BASE_URL).format(claim_id)


def same_as_url(row: dict[str, Any]) -> str | None:
    """The public address of the earlier fact-check a claim repeats: our published claim's page
    or the other fact-checker's URL; None when there is none the public may see."""
    if row["same_as_id"] and row["same_as_status"] == "published" and not row["same_as_hidden"]:
        return claim_url(row["same_as_id"])
    return row["same_as_external_url"] or None


def ratings_url(scale_slug: str | None = None, rating_slug: str | None = None) -> str:
    """The public methodology page, or one rating's entry on it."""
    url = _ratings_url(settings.PUBLIC_BASE_URL)
    return f"{url}#{scale_slug}-{rating_slug}" if rating_slug else url


# reverse() costs a quarter of a millisecond: a third of an export's time when called per claim.
@functools.lru_cache(maxsize=4)
def _claim_url_template(base: str) -> str:
    marker = 999_999_999
    path = reverse("frontend:public-claim", args=[marker]).replace(str(marker), "{}")
    return base.rstrip("/") + path


@functools.lru_cache(maxsize=4)
def _ratings_url(base: str) -> str:
    return base.rstrip("/") + reverse("frontend:public-ratings")


_PERSON_FIELDS = {
    role: (f"{role}_username", f"{role}_first_name", f"{role}_last_name")
    for role in ("reviewer", "editor")
}


def person(row: dict[str, Any], role: str, *, mode: str | None = None) -> str | None:
    """How the public sees the reviewer or editor, as `settings.PUBLIC_SHOW_PEOPLE` decides.

    `mode` is that setting, for a caller that has read it already (once per record, not twice).
    """
    mode = mode or settings.PUBLIC_SHOW_PEOPLE
    username_field, first_name_field, last_name_field = _PERSON_FIELDS[role]
    username: str | None = row[username_field]
    if mode == "none" or username is None:
        return None
    if mode == "username":
        return username
    full = f"{row[first_name_field]} {row[last_name_field]}".strip()
    return full or username


@overload
def iso(value: datetime | str) -> str: ...
@overload
def iso(value: None) -> None: ...
def iso(value: datetime | str | None) -> str | None:
    """ISO 8601 text of a timestamp (PostgreSQL rows already carry it as text)."""
    return value.isoformat() if isinstance(value, datetime) else value


def feed_item(row: dict[str, Any]) -> dict[str, Any]:
    """One item of the public JSON feed and of JSON Lines exports."""
    show_people = settings.PUBLIC_SHOW_PEOPLE
    return {
        "id": row["id"],
        "url": claim_url(row["id"]),
        "claim": {
            "quote": row["quote_exact"],
            "text": row["text"] or row["quote_exact"],
            "claimant": row["claimant"],
            "language": row["language"],
            "start": row["claim_start"],
            "end": row["claim_end"],
        },
        "article": {
            "id": row["article_id"],
            "title": row["article_title"],
            "url": row["article_url"],
            "publisher": row["article_publisher"],
            "published_at": iso(row["article_published_at"]),
        },
        "rating": {
            "slug": row["rating_slug"],
            "label": row["rating_label"],
            "value": row["rating_value"],
            "best": row["best_rating"],
            "worst": row["worst_rating"],
            "scale": row["scale_slug"],
            "url": ratings_url(row["scale_slug"], row["rating_slug"]),
        },
        "explanation": row["explanation"],
        "same_as": same_as_url(row),
        "sources": row["sources"],
        "corrections": [
            {"kind": c["kind"], "note": c["note"], "created_at": iso(c["created_at"])}
            for c in row["corrections"]
        ],
        "reviewer": person(row, "reviewer", mode=show_people),
        "editor": person(row, "editor", mode=show_people),
        "created_at": iso(row["claim_created_at"]),
        "published_at": iso(row["approved_at"] or row["claim_published_at"]),
        "updated_at": iso(row["modified_at"]),
    }


def records_for(claims: QuerySet[Any]) -> list[dict[str, Any]]:
    """All records of a small queryset (a feed page, one claim) with their related rows."""
    return attach_related(list(claim_rows(claims)))


def feed_items(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [feed_item(row) for row in rows]
