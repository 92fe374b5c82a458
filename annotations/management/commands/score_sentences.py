"""python manage.py score_sentences [--refresh]

Scores the check-worthiness of every sentence that has no score yet (the worker scores each
article's sentences after it is stored; this catches up after a lost task, a restore or before
the worker consumed the `models` queue), or with --refresh rescores every sentence. Runs here,
not on the worker.
"""

from django.core.management.base import BaseCommand

from annotations import scoring


class Command(BaseCommand):
    help = "Score the check-worthiness of unscored sentences (or all, with --refresh)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh", action="store_true", help="Rescore every sentence, not only unscored."
        )

    def handle(self, *args, refresh: bool, **options):
        scored = scoring.score_unscored(refresh=refresh)
        self.stdout.write(f"{scored} sentences scored.")
