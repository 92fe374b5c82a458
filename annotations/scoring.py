"""Check-worthiness in the database: scoring stored sentences, and queueing that after a commit.

The score itself is `annotations.triage` (pure Python). Sentences are scored by the worker, in a
`score_sentences` task on the `models` queue, queued when the transaction that stored their
articles commits: an import or a new article never waits for it, and until it runs a sentence's
`checkworthiness` is null (the ranked list leaves it out). `manage.py score_sentences` scores
whatever a lost task left unscored.
"""

from collections.abc import Iterable

from django.db import connection, transaction

from . import jobs
from .models import Sentence
from .triage import score_sentence

CHUNK = 2000


def score_articles(*, article_ids: Iterable[int], refresh: bool = False) -> int:
    """Score the sentences of these articles (only unscored ones unless `refresh`); how many.

    Idempotent, and safe to run twice at once: both write the same values.
    """
    sentences = Sentence.objects.filter(article_id__in=list(article_ids))
    return _score(sentences, refresh=refresh)


def score_unscored(*, refresh: bool = False) -> int:
    """Score every sentence still without a score (every sentence, with `refresh`); how many."""
    return _score(Sentence.objects.all(), refresh=refresh)


def _score(sentences, *, refresh: bool) -> int:
    if not refresh:
        sentences = sentences.filter(checkworthiness__isnull=True)
    rows = sentences.order_by("pk").values_list("pk", "text", "article__language")
    scored = 0
    chunk: list[tuple[int, float, str]] = []
    for pk, text, language in rows.iterator(chunk_size=CHUNK):
        score, claim_type, _features = score_sentence(text, language)
        chunk.append((pk, score, claim_type))
        if len(chunk) == CHUNK:
            scored += _write(chunk)
            chunk = []
    if chunk:
        scored += _write(chunk)
    return scored


def _write(rows: list[tuple[int, float, str]]) -> int:
    """Store (id, score, type) rows: one UPDATE per chunk on PostgreSQL."""
    if connection.vendor != "postgresql":
        objects = [Sentence(pk=pk, checkworthiness=s, claim_type=t) for pk, s, t in rows]
        Sentence.objects.bulk_update(objects, ["checkworthiness", "claim_type"])
        return len(rows)
    table = connection.ops.quote_name(Sentence._meta.db_table)
    ids, scores, types = zip(*rows, strict=True)
    with transaction.atomic(), connection.cursor() as cursor:
        # The table name comes from the model; every value is a parameter.
        cursor.execute(
            f"UPDATE {table} AS s SET checkworthiness = v.score, claim_type = v.type "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::float8[], %s::text[]) AS v(id, score, type) "
            "WHERE s.id = v.id",
            [list(ids), list(scores), list(types)],
        )
        return cursor.rowcount


def queue_scoring(article_ids: Iterable[int]) -> None:
    """Queue the scoring of these articles' sentences for when the current transaction commits.

    Call it where articles are stored (the importer after each batch, `create_article`). A
    broker that cannot be reached loses only this queueing, never the commit:
    `manage.py score_sentences` scores what is left.
    """
    ids = list(article_ids)
    if not ids:
        return
    jobs.send_after_commit(jobs.SCORE, args=[ids], robust=True)
