"""python manage.py compact_article_changes [--batch-size N]

Folds the `ArticleChange` rows behind the reviewer's page's version now (Celery beat does it
nightly): the rows of deleted articles go, every other article keeps one row with their sum, so
no page's version moves and no cached page goes stale (annotations.article_changes). Safe while
the tool runs: it blocks no writer, and a second compaction at the same moment stops at once.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from annotations.article_changes import compact_article_changes


class Command(BaseCommand):
    help = "Fold the article-page change notes: drop deleted articles', one row per article."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Articles per transaction (default 1000)."
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if connection.vendor != "postgresql":
            raise CommandError(
                "Change notes are kept by PostgreSQL triggers; this database has none."
            )
        done = compact_article_changes(batch_size=batch_size)
        if done.busy:
            raise CommandError(
                "Another compaction is running; this one stopped after "
                f"{done.rows_deleted} rows. Run it again once that one is done."
            )
        self.stdout.write(
            f"{done.rows_deleted} rows folded into {done.rows_added} "
            f"({done.articles_folded} articles folded, {done.articles_dropped} deleted articles' "
            f"rows dropped, {done.batches} batches)."
        )
