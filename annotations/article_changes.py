"""Compaction of `ArticleChange`, the notes behind the reviewer's page's version (issue 15).

The triggers add a row per writing statement and article, forever: an import adds 2 per
article, the review of a claim 9 (bench/article_changes_bench.py). `compact_article_changes`
deletes the rows of articles that no longer exist, and folds each article's rows (and the
shared ones, of no article) into one row whose `changes` is their sum, in the transaction that
deletes them. The version of a page is that sum (`article_page.article_versions`), so a
compaction leaves every version exactly as it was: cached pages and ETags stay good, and a
committed change still yields a version never seen before for its article, because the sum
only grows.

Why a fold and not an epoch (a counter in every cache key, bumped by each compaction): an epoch
lets the counts fall, and pays for it by throwing away every cached page and ETag of every
article at every compaction (every batch, if batched), whereas a fold changes no version at all.
Both need one query per read; the fold needs no extra table.

Races (all but the last tested on two connections in `tests/api/test_article_changes.py`):
- A reader reads the version in one statement, so one snapshot: either every row of a batch
  before the fold, or the folded row after it; the sum is the same.
- A reader that read the version before a batch commits and stores its page after: the version
  did not move and a fold changes nothing a page shows, so its page is right for it.
- A writer committing while a batch runs: the batch's DELETE takes only rows committed when its
  statement started; a row committed later, or not yet, is not deleted, and counts on top of the
  folded sum once committed. Nothing waits: writers only insert rows, and the batch deletes
  rows nobody else updates or deletes, so neither takes a lock the other wants.
- Two compactions at once (beat and an operator): a batch first takes a transaction-level
  advisory lock, and a compaction that finds it held stops at once (`busy`) rather than folding
  the same rows (two DELETEs of one row would make the second wait, and count it once).
- An article deleted while a batch runs: its rows are folded, as for any article still seen,
  and dropped by the next compaction. Rows are dropped only for an article no longer in the
  batch's snapshot, whose page nobody can read (the version query goes through the article).
  An article's rows cannot be committed before the article: the rows' statements reference it.

Batches of `batch_size` articles, each its own short transaction, so no compaction holds a
snapshot (and vacuum's horizon) for long. PostgreSQL only: elsewhere there are no triggers and
no rows.
"""

from dataclasses import dataclass

from django.db import connection, transaction

# Any fixed number, the same for every process: pg_try_advisory_xact_lock's key.
_LOCK_KEY = 150_001

# One batch: the next `%(size)s` articles after `%(after)s` that have rows; of those, the ones
# with more than one row or gone have their rows deleted and, if still there, one row with the
# sum put back. The batch is fixed first (MATERIALIZED), and its id range bounds the scans of
# the article and change tables: a batch reads its own index range, not a whole table.
_FOLD_ARTICLES_SQL = """
WITH batch AS MATERIALIZED (
    SELECT article_id, COUNT(*) AS n FROM annotations_articlechange
    WHERE article_id > %(after)s
    GROUP BY article_id
    ORDER BY article_id
    LIMIT %(size)s
), target AS MATERIALIZED (
    SELECT b.article_id, a.id IS NOT NULL AS alive
    FROM batch AS b LEFT JOIN annotations_article AS a
        ON a.id = b.article_id AND a.id > %(after)s AND a.id <= (SELECT MAX(article_id) FROM batch)
    WHERE b.n > 1 OR a.id IS NULL
), gone AS (
    DELETE FROM annotations_articlechange AS c USING target AS t
    WHERE c.article_id = t.article_id
        AND c.article_id > %(after)s AND c.article_id <= (SELECT MAX(article_id) FROM target)
    RETURNING c.article_id, c.changes, t.alive
), kept AS (
    INSERT INTO annotations_articlechange (article_id, changes)
    SELECT article_id, SUM(changes) FROM gone WHERE alive GROUP BY article_id
    RETURNING article_id
)
SELECT (SELECT MAX(article_id) FROM batch), (SELECT COUNT(*) FROM target),
       (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FROM kept)
"""

_FOLD_SHARED_SQL = """
WITH gone AS (
    DELETE FROM annotations_articlechange
    WHERE article_id IS NULL
        AND (SELECT COUNT(*) FROM annotations_articlechange WHERE article_id IS NULL) > 1
    RETURNING changes
), kept AS (
    INSERT INTO annotations_articlechange (article_id, changes)
    SELECT NULL, SUM(changes) FROM gone HAVING COUNT(*) > 0
    RETURNING id
)
SELECT (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FROM kept)
"""


@dataclass
class Compaction:
    """What one `compact_article_changes` did."""

    rows_deleted: int = 0
    rows_added: int = 0
    articles_folded: int = 0
    articles_dropped: int = 0
    batches: int = 0
    busy: bool = False  # another compaction held the lock; this one stopped there


def _locked(cursor) -> bool:
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
    return cursor.fetchone()[0]


def compact_article_changes(*, batch_size: int = 1000) -> Compaction:
    """Drop the `ArticleChange` rows of deleted articles and fold every other article's rows
    into one, `batch_size` articles per transaction, without changing any page's version."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    done = Compaction()
    if connection.vendor != "postgresql":
        return done
    with connection.cursor() as cursor:
        with transaction.atomic():
            if not _locked(cursor):
                done.busy = True
                return done
            cursor.execute(_FOLD_SHARED_SQL)
            deleted, added = cursor.fetchone()
            done.rows_deleted += deleted
            done.rows_added += added
        after = 0
        while True:
            with transaction.atomic():
                if not _locked(cursor):
                    done.busy = True
                    return done
                cursor.execute(_FOLD_ARTICLES_SQL, {"after": after, "size": batch_size})
                last, articles, deleted, added = cursor.fetchone()
            if last is None:
                return done
            done.batches += 1
            done.rows_deleted += deleted
            done.rows_added += added
            done.articles_folded += added
            done.articles_dropped += articles - added
            after = last
