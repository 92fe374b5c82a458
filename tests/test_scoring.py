"""Sentence check-worthiness stored in the database, computed by the worker after the commit."""

import time

import pytest
from django.core.management import call_command

from annotations import scoring
from annotations.models import ClaimType, Sentence
from annotations.services import create_article
from annotations.triage import CLAIM_TYPES, score_sentence
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
