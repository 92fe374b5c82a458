"""python manage.py index_articles [--refresh]

Builds the full-text search documents of the articles that lack one (the worker builds them
after each import batch and article; this catches up after a lost task or a restore), or with
--refresh rebuilds every document. Runs here, in chunks of `--chunk` articles, one transaction
each, with a progress bar.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotations import search
from annotations.models import Article


class Command(BaseCommand):
    help = "Build missing full-text search documents of articles (or all, with --refresh)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh", action="store_true", help="Rebuild every document, not only missing ones."
        )
        parser.add_argument("--chunk", type=int, default=1000, help="Articles per transaction.")

    def handle(self, *args, refresh: bool, chunk: int, **options):
        if not search.is_supported():
            raise CommandError("Search documents are PostgreSQL's; this database searches text.")
        articles = Article.objects.order_by("pk")
        if not refresh:
            articles = articles.filter(search__isnull=True)
        ids = list(articles.values_list("pk", flat=True))
        written = 0
        with tqdm(total=len(ids), unit="article", disable=not ids) as bar:
            for start in range(0, len(ids), chunk):
                part = ids[start : start + chunk]
                written += search.index_articles(
                    Article.objects.filter(pk__in=part), refresh=refresh
                )
                bar.update(len(part))
        self.stdout.write(f"{written} search documents written.")
