"""`GET articles/{id}/`, the reviewer's page, built from rows rather than model serializers, and
kept as JSON bytes until the article changes.

The shape is `ArticleDetailSerializer`'s (it documents the endpoint, and a test checks that both
give the same JSON); this builds it from `article_page.article_sentences` and
`article_page.article_claim_rows` without a model instance or serializer field per sentence and
claim, which made the page 20x its SQL (issue 15).

The built JSON is cached (Django's cache, `CACHE_URL`) under the article's page version
(`article_page.article_versions`: triggers note every change in SQL) and the reader's audience
(`access.content_audience`: who sees the same claims), so a read of an unchanged page is one
small query and the bytes. The key also names this code, so a deployment that changes the shape
never serves a page built by the one before.
"""

import hashlib
from pathlib import Path

import orjson
from django.core.cache import cache
from rest_framework import serializers

from annotations import access, article_page
from annotations.models import Article

PAGE_CACHE_SECONDS = 24 * 3600
_CODE = hashlib.sha256(
    Path(__file__).read_bytes() + Path(article_page.__file__).read_bytes()
).hexdigest()[:12]

# DRF's own field, so dates read exactly as everywhere else in the API.
_datetime = serializers.DateTimeField()


def _when(value):
    return None if value is None else _datetime.to_representation(value)


def _user(row: dict, prefix: str) -> dict | None:
    pk = row[f"{prefix}_id"]
    if pk is None:
        return None
    first, last = row[f"{prefix}__first_name"], row[f"{prefix}__last_name"]
    # Django's User.get_full_name().
    return {"id": pk, "username": row[f"{prefix}__username"], "name": f"{first} {last}".strip()}


def _verdict(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {
        "id": row["id"],
        "status": row["status"],
        "rating": {
            "slug": row["rating__slug"],
            "label": row["rating__label"],
            "value": row["rating__value"],
        },
        "author": _user(row, "author"),
        "created_at": _when(row["created_at"]),
    }


def _claim(row: dict) -> dict:
    return {
        "id": row["id"],
        "article": row["article_id"],
        "start": row["start"],
        "end": row["end"],
        "status": row["status"],
        "quote": {
            "type": "TextQuoteSelector",
            "exact": row["quote_exact"],
            "prefix": row["quote_prefix"],
            "suffix": row["quote_suffix"],
        },
        "sentences": sorted(orjson.loads(row["sentence_ids"] or "[]")),
        "claimant": row["claimant"],
        "text": row["text"],
        "created_by": _user(row, "created_by"),
        "assignee": _user(row, "assignee"),
        "latest_verdict": _verdict(row["latest_verdict"]),
        "published_verdict": _verdict(row["published_verdict"]),
        "published_at": _when(row["published_at"]),
        "is_hidden": row["is_hidden"],
        "same_as": row["same_as_id"],
        "same_as_external": row["same_as_external_id"],
        "anchor_status": row["anchor_status"],
        "anchor_revision": row["anchor_revision__number"],
        "anchor_previous": row["anchor_previous"],
        "text_changed_at": _when(row["text_changed_at"]),
        "created_at": _when(row["created_at"]),
        "updated_at": _when(row["updated_at"]),
    }


def article_detail(*, user, article: Article) -> dict:
    """The article from `article_page.article_for_reader`, with its sentences and the claims
    `user` may see, in `ArticleDetailSerializer`'s shape."""
    claims = article_page.article_claim_rows(user=user, article=article)
    assignee = article.assignee
    return {
        "id": article.pk,
        "title": article.title,
        "url": article.url,
        "publisher": article.publisher,
        "authors": article.authors,
        "published_at": _when(article.published_at),
        "language": article.language,
        "status": article.status,
        "assignee": None
        if assignee is None
        else {"id": assignee.pk, "username": assignee.username, "name": assignee.get_full_name()},
        "body": article.body,
        "sentences": article_page.article_sentences(article=article),
        "claims": [_claim(row) for row in claims],
        "created_at": _when(article.created_at),
        "updated_at": _when(article.updated_at),
    }


class Page:
    """The reviewer's page of one article as one user may read it: its ETag, and its JSON."""

    def __init__(self, *, user, pk) -> None:
        """Raises Article.DoesNotExist (and ValueError for a malformed pk) if `user` may not
        see it: the caller answers 404, as for any id."""
        _, changes, shared_changes = article_page.article_versions(user=user).get(pk=pk)
        self.user, self.pk = user, pk
        # One cache entry per article and audience, holding the version it was built from: an
        # article read after each of a thousand changes still takes one entry, not a thousand.
        self.key: str | None = None
        self.version = f"{changes}.{shared_changes}"
        self.etag: str | None = None
        if changes is not None:
            self.key = f"article-page:{_CODE}:{pk}:{access.content_audience(user)}"
            tag = f"{self.key}:{self.version}".encode()
            self.etag = '"' + hashlib.sha256(tag).hexdigest()[:32] + '"'

    def json(self) -> bytes:
        """The page as UTF-8 JSON: from the cache if this version was built, else built now."""
        if self.key is not None:
            cached = cache.get(self.key)
            if cached is not None and cached[0] == self.version:
                return cached[1]
        article = article_page.article_for_reader(user=self.user).get(pk=self.pk)
        body = orjson.dumps(article_detail(user=self.user, article=article))
        if self.key is not None:
            # A change committed while this was built makes it newer than its version, never
            # older: a reader still on the older version gets the newer page.
            cache.set(self.key, (self.version, body), PAGE_CACHE_SECONDS)
        return body
