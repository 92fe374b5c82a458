"""Full-text search over articles: the search documents, built after commit, and the query;
and claim search, a substring match served by trigram indexes.

On PostgreSQL each article has a `tsvector` document in `ArticleSearch`, GIN-indexed. It is built
by a Celery task queued when the article's transaction commits, not in that transaction: for an
import, computing and indexing the documents was half of the database's work, and the articles
can be read (and assigned, and checked) before they can be found by search. Elsewhere (SQLite, the
laptop default) there are no documents and search is a substring match.
"""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.text import smart_split, unescape_string_literal

from . import jobs
from .models import Article, ArticleSearch

# No stemming: one configuration serves English and Spanish alike, and finds the words typed.
CONFIG = "simple"


def is_supported() -> bool:
    return connection.vendor == "postgresql"


def search_articles(articles: QuerySet, text: str) -> QuerySet:
    """`articles` narrowed to those matching `text` (web-search syntax: "phrase", -word, or)."""
    if not is_supported():
        return articles.filter(Q(title__icontains=text) | Q(body__icontains=text))
    query = SearchQuery(text, config=CONFIG, search_type="websearch")
    return articles.filter(search__document=query)


# The claim columns searched, by the admin and by the API's `search`. Each has a GIN trigram index
# on UPPER(column) (migration 0007, PostgreSQL): the expression Django's icontains compares, so
# `UPPER(col) LIKE UPPER('%word%')` is a bitmap index scan instead of a scan of every claim.
CLAIM_SEARCH_FIELDS = ("quote_exact", "text", "claimant")


def search_claims(claims: QuerySet, text: str) -> QuerySet:
    """`claims` narrowed to those where each word of `text`, or "quoted phrase", is in the quote,
    the checker's wording or the claimant, in any case (as the admin's search box matches)."""
    if "\x00" in text:  # no stored text holds NUL, and PostgreSQL refuses it in a query
        return claims.none()
    for term in smart_split(text):
        if len(term) > 1 and term[0] in "\"'" and term[-1] == term[0]:
            term = unescape_string_literal(term)
        if term:
            claims = claims.filter(
                Q.create([(f"{field}__icontains", term) for field in CLAIM_SEARCH_FIELDS], "OR")
            )
    return claims


def index_articles(articles: QuerySet, *, refresh: bool = False) -> int:
    """Build the search documents of `articles`; how many were written.

    Articles that have one keep it unless `refresh` (their title changed). Safe to run twice or
    concurrently: a document is written once, whoever gets there first.
    """
    if not is_supported():
        return 0
    table = connection.ops.quote_name(ArticleSearch._meta.db_table)
    article_table = connection.ops.quote_name(Article._meta.db_table)
    ids_sql, params = articles.order_by().values("pk").query.sql_with_params()
    # Table names from the models, the subquery from the ORM, every value a parameter: S608's
    # worry (text from outside in the SQL) does not apply.
    missing = (
        "" if refresh else f"AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.article_id = a.id)"  # noqa: S608
    )
    on_conflict = "DO UPDATE SET document = EXCLUDED.document" if refresh else "DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (article_id, document) "  # noqa: S608
            f"SELECT a.id, to_tsvector(%s::regconfig, a.title || ' ' || a.body) "
            f"FROM {article_table} a WHERE a.id IN ({ids_sql}) {missing} "
            f"ON CONFLICT (article_id) {on_conflict}",
            [CONFIG, *params],
        )
        return cursor.rowcount


def index_after_commit(article_ids: Iterable[int], *, refresh: bool = False) -> None:
    """Queue the indexing of these articles for when the current transaction commits.

    A broker that cannot be reached loses only this queueing, never the commit: the import's
    catch-up (`index_import`) or `manage.py index_articles` builds what is missing.
    """
    ids = list(article_ids)
    if not ids or not is_supported():
        return
    jobs.send_after_commit(
        jobs.INDEX_ARTICLES, args=[ids], kwargs={"refresh": refresh}, robust=True
    )


def index_import_after_commit(job_id: int) -> None:
    """Queue, for the commit, a catch-up over an import's articles still without a document."""
    if not is_supported():
        return
    jobs.send_after_commit(jobs.INDEX_IMPORT, args=[job_id], robust=True)
