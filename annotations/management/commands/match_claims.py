"""Queue claim matching for every claim, article and external fact-check without a vector
(or all of them with --refresh), for the models worker: after installing the model, or after
the broker was down when they were saved."""

from django.core.management.base import BaseCommand

from annotations.memory import matching
from annotations.models import Article, Claim, ExternalFactCheck

BATCH = 200


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true", help="Re-embed everything.")

    def handle(self, *args, refresh: bool = False, **options):
        claims = Claim.objects.all()
        articles = Article.objects.all()
        checks = ExternalFactCheck.objects.all()
        if not refresh:
            claims = claims.filter(embedding__isnull=True)
            articles = articles.exclude(sentences__embedding__isnull=False)
            checks = checks.filter(embedding__isnull=True)
        counts = []
        for queryset, queue in (
            (checks, matching.queue_external),
            (claims, matching.queue_claims),
            (articles, matching.queue_articles),
        ):
            ids = list(queryset.order_by("pk").values_list("pk", flat=True).distinct())
            for start in range(0, len(ids), BATCH):
                queue(ids[start : start + BATCH])
            counts.append(len(ids))
        self.stdout.write(
            f"Queued {counts[0]} external fact-checks, {counts[1]} claims, {counts[2]} articles."
        )
