"""Reads for the reviewer's page, `GET articles/{id}/`: plain rows, not model objects.

It is where a desk waits (issue 15): 300 sentences and 50 claims built as model instances and
serialized field by field cost 20x the SQL. Every read starts from `annotations.access`; the API
shapes the rows (`annotations.api.reader`).
"""

from datetime import UTC, datetime
from operator import itemgetter

import orjson
from django.db import connection
from django.db.models import (
    Aggregate,
    FloatField,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONArray, JSONObject

from . import access
from .models import Article, Claim, Verdict


class _JSONArrayAgg(Aggregate):
    """`[value, ...]` over the group, as JSON text (order not kept)."""

    function = "JSON_AGG"
    template = "CAST(%(function)s(%(expressions)s) AS TEXT)"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def _json_over(queryset: QuerySet, group: str, aggregate: Aggregate) -> Subquery:
    return Subquery(
        queryset.order_by().values(group).annotate(json=aggregate).values("json"),
        output_field=TextField(),
    )


class _ExactFloat(Func):
    """A float column inside JSON, exact: SQLite's JSON writes 15 digits, so there it goes as text
    with 17 (`%!`: SQLite's own printf stops at 16 without it; PostgreSQL writes the shortest
    exact form)."""

    template = "%(expressions)s"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        # '%%%%' is one '%' once both Django's template and its SQLite parameter pass are done.
        template = "IIF(%(expressions)s IS NULL, NULL, PRINTF('%%%%!.17g', %(expressions)s))"
        return self.as_sql(compiler, connection, template=template, **extra)


# Raw SQL for the two sums: compiled as Django subqueries they took more of a cached read's
# CPU (0.4 ms) than PostgreSQL took to run them. The outer query is always Article's own table.
_CHANGES_SQL = (
    'SELECT COALESCE(SUM("changes"), 0) FROM "annotations_articlechange"'
    ' WHERE "article_id" = "annotations_article"."id"'
)
_SHARED_CHANGES_SQL = (
    'SELECT COALESCE(SUM("changes"), 0) FROM "annotations_articlechange" WHERE "article_id" IS NULL'
)


def article_versions(*, user) -> QuerySet:
    """Visible articles as `(pk, changes, shared_changes)` rows: the version of each one's page.

    `changes` sums the article's `ArticleChange` rows and `shared_changes` those of every
    article (a user's name, a rating's label), so together they move with every committed change
    to what the page shows and never come back to an earlier pair: rows are only added, or
    folded into one carrying their sum (`article_changes.compact_article_changes`), and one
    query reads both sums in one snapshot. None on a database without the triggers (SQLite):
    nothing there may be cached.
    """
    articles = access.articles_visible_to(user).order_by()
    if connection.vendor != "postgresql":
        none = Value(None, output_field=IntegerField())
        return articles.annotate(changes=none, shared_changes=none).values_list(
            "pk", "changes", "shared_changes"
        )
    # Constant SQL, no input in it (S611 warns of RawSQL as such).
    changes = RawSQL(_CHANGES_SQL, (), output_field=IntegerField())  # noqa: S611
    shared_changes = RawSQL(_SHARED_CHANGES_SQL, (), output_field=IntegerField())  # noqa: S611
    return articles.annotate(changes=changes, shared_changes=shared_changes).values_list(
        "pk", "changes", "shared_changes"
    )


def article_for_reader(*, user) -> QuerySet[Article]:
    """Visible articles with their assignee and `sentence_rows`, for `article_sentences`.

    `sentence_rows` is JSON text, `[[id, position, start, end, text, paragraph,
    checkworthiness, claim_type], ...]` over the current text's sentences (in no order): one
    aggregate in the article's row rather than a query of its own.
    """
    sentences = access.sentences_visible_to(user).filter(article=OuterRef("pk"))
    row = JSONArray(*SENTENCE_FIELDS[:-2], _ExactFloat("checkworthiness"), "claim_type")
    return (
        access.articles_visible_to(user)
        .select_related("assignee")
        .annotate(sentence_rows=_json_over(sentences, "article", _JSONArrayAgg(row)))
    )


SENTENCE_FIELDS = (
    "id",
    "position",
    "start",
    "end",
    "text",
    "paragraph",
    "checkworthiness",
    "claim_type",
)


def article_sentences(*, article: Article) -> list[dict]:
    """The current text's sentences of an article from `article_for_reader`, in order, as dicts
    of `SENTENCE_FIELDS`."""
    rows = orjson.loads(getattr(article, "sentence_rows", None) or "[]")
    sentences = [dict(zip(SENTENCE_FIELDS, row, strict=True)) for row in rows]
    sentences.sort(key=itemgetter("position"))
    for sentence in sentences:
        score = sentence["checkworthiness"]
        # Text on SQLite (_ExactFloat); an integral float comes back from JSON as an int.
        sentence["checkworthiness"] = None if score is None else float(score)
    return sentences


CLAIM_FIELDS = (
    "id",
    "article_id",
    "start",
    "end",
    "status",
    "quote_exact",
    "quote_prefix",
    "quote_suffix",
    "claimant",
    "text",
    "created_by_id",
    "created_by__username",
    "created_by__first_name",
    "created_by__last_name",
    "assignee_id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "published_at",
    "is_hidden",
    "same_as_id",
    "same_as_external_id",
    "anchor_status",
    "anchor_revision__number",
    "anchor_previous",
    "text_changed_at",
    "created_at",
    "updated_at",
    "sentence_ids",
    "latest_verdict",
)
VERDICT_FIELDS = (
    "id",
    "status",
    "created_at",
    "rating__slug",
    "rating__label",
    "rating__value",
    "author_id",
    "author__username",
    "author__first_name",
    "author__last_name",
)
_PUBLISHED_VERDICT_FIELDS = tuple(f"published_verdict__{name}" for name in VERDICT_FIELDS)


def _aware(value: str) -> datetime:
    # A date inside JSON is text: PostgreSQL writes its offset, SQLite none (it stores UTC).
    when = datetime.fromisoformat(value)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def article_claim_rows(*, user, article: Article) -> list[dict]:
    """The claims of `article` that `user` may see, in reading order, as rows: one query.

    A row has `CLAIM_FIELDS`, with `sentence_ids` (JSON text: the current text's sentences it
    covers), and `latest_verdict` and `published_verdict` as dicts of `VERDICT_FIELDS` or None.
    """
    # Only the current text's sentences, as `claim.sentences.all()` (CurrentSentenceManager).
    links = Claim.sentences.through.objects.filter(
        claim_id=OuterRef("pk"), sentence__revision__isnull=True
    )
    # The verdicts of each visible claim row (access.verdicts_visible_to's rule); asking it again
    # inside the subquery re-joins the claim and doubles the query's planning time.
    latest = (
        Verdict.objects.filter(claim_id=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values(json=JSONObject(**{name: name for name in VERDICT_FIELDS}))[:1]
    )
    rows = list(
        access.claims_visible_to(user)
        .filter(article=article)
        .order_by("start", "id")  # Claim's ordering, without the join to the article it implies
        .annotate(
            sentence_ids=_json_over(links, "claim_id", _JSONArrayAgg("sentence_id")),
            latest_verdict=Subquery(latest, output_field=JSONField()),
        )
        .values(*CLAIM_FIELDS, *_PUBLISHED_VERDICT_FIELDS)
    )
    for row in rows:
        if row["latest_verdict"] is not None:
            row["latest_verdict"]["created_at"] = _aware(row["latest_verdict"]["created_at"])
        published = {name: row.pop(f"published_verdict__{name}") for name in VERDICT_FIELDS}
        row["published_verdict"] = published if published["id"] is not None else None
    return rows
