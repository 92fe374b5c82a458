"""python manage.py train_checkworthiness

Trains the check-worthiness classifier on the desk's checked articles now (the worker does it
nightly) and prints its hold-out precision@5 next to the heuristic's and whether it is now the
one scoring sentences. Below the minimum data it trains nothing, says what is missing and exits
with status 1. Runs here, not on the worker (it loads the embedder in this process).
"""

from django.core.management.base import BaseCommand, CommandError

from annotations import learning
from annotations.memory.matching import embedder


class Command(BaseCommand):
    help = "Train the check-worthiness model on the desk's checked articles."

    def handle(self, *args, **options):
        try:
            model = learning.train_checkworthiness(embedder=embedder())
        except learning.NotEnoughData as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Model #{model.pk} ({model.vector_model_id} vectors): trained on "
            f"{model.training_articles} articles ({model.training_sentences} sentences, "
            f"{model.training_positives} marked), held out {model.holdout_articles}."
        )
        self.stdout.write(model.note)
