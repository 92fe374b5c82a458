"""Check-worthiness learned from the desk's checked articles (annotations.learning)."""

import time
from datetime import timedelta

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from annotations import learning, scoring, tasks
from annotations.models import Article, CheckworthinessModel, Claim, Sentence
from annotations.triage import score_sentence
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

# A desk whose idea of check-worthy is not the heuristic's: it checks what is said about the
# vaccine (no numbers, no attribution) and leaves the figures about the weather alone.
MARKED = [
    "The vaccine causes infertility in young women.",
    "The vaccine contains microchips that track people.",
    "The vaccine was never tested on children before approval.",
]
UNMARKED = [
    "Rainfall rose 12 percent to 840 millimetres, officials said.",
    "The weather office said temperatures were 3 degrees higher than in 2019.",
    "According to the agency, snowfall fell by 40 percent since 2010.",
    "The river reached 4.2 metres, the highest level on record.",
    "Forecasters said wind speeds doubled to 90 kilometres an hour.",
    "The town council met on Tuesday.",
    "Residents gathered at the square.",
]


def _desk(articles: int, *, marked=MARKED, reviewer=None) -> list[Article]:
    """`articles` checked articles, oldest first, with claims on the `marked` sentences."""
    reviewer = reviewer or UserFactory(roles=["Reviewer"])
    stored = []
    start = timezone.now() - timedelta(days=articles)
    for n in range(articles):
        lines = [f"Weather and health roundup number {n}."]
        # Vary the order so position is no cue.
        lines += (UNMARKED + MARKED) if n % 2 else (MARKED + UNMARKED)
        article = ArticleFactory(
            body="\n".join(lines), status=Article.Status.REVIEWED, with_search_document=False
        )
        Article.objects.filter(pk=article.pk).update(created_at=start + timedelta(days=n))
        for sentence in article.sentences.all():
            if sentence.text in marked:
                ClaimFactory(
                    article=article, start=sentence.start, end=sentence.end, created_by=reviewer
                )
        stored.append(article)
    return stored


@pytest.fixture
def lexical(settings):
    settings.CLAIM_MATCHING_MODEL = "lexical"
    settings.CHECKWORTHINESS_MIN_ARTICLES = 10
    return learning


def _embedder():
    from annotations.memory.matching import embedder

    return embedder()


def test_training_refuses_below_the_minimum_of_checked_articles(db, lexical):
    _desk(9)
    ArticleFactory(status=Article.Status.IN_REVIEW)  # not checked: does not count
    with pytest.raises(learning.NotEnoughData, match="9 marked reviewed, 10 needed"):
        learning.train_checkworthiness(embedder=_embedder())
    with pytest.raises(CommandError, match="10 needed"):
        call_command("train_checkworthiness")
    assert not CheckworthinessModel.objects.exists()


def test_training_refuses_without_enough_claims(db, lexical):
    _desk(10, marked=[])
    with pytest.raises(learning.NotEnoughData, match="0 sentences of checked articles"):
        learning.train_checkworthiness(embedder=_embedder())


def test_the_default_minimum_is_thirty_checked_articles():
    assert django_settings.CHECKWORTHINESS_MIN_ARTICLES == 30


def test_a_model_that_beats_the_heuristic_becomes_active_and_scores(db, lexical):
    articles = _desk(12)
    model = learning.train_checkworthiness(embedder=_embedder())

    assert model.is_active
    assert model.vector_model_id == "lexical-hash-v1"
    assert model.holdout_articles == 5  # the newest: max(5, 20 % of 12)
    assert model.training_articles == 7
    assert model.training_sentences == 7 * 11
    assert model.training_positives == 7 * 3
    assert model.holdout_precision_at_5 == pytest.approx(3 / 5)  # all 3 marked in the top 5
    assert model.heuristic_precision_at_5 < model.holdout_precision_at_5
    assert "beats the heuristic" in model.note
    assert len(model.weights["vector"]) == 1024
    assert learning.active_model() == model

    # Scoring now uses it: the desk's kind of sentence ranks first.
    newest = articles[-1]
    assert scoring.score_articles(article_ids=[newest.pk], refresh=True) == 11
    best = newest.sentences.order_by("-checkworthiness")[:3]
    assert {s.text for s in best} == set(MARKED)
    for sentence in newest.sentences.all():
        # The claim type stays the heuristic's.
        assert sentence.claim_type == score_sentence(sentence.text, "en")[1]
        assert 0 <= sentence.checkworthiness <= 1

    # A second model that wins replaces it: one active at a time.
    second = learning.train_checkworthiness(embedder=_embedder())
    assert second.is_active
    model.refresh_from_db()
    assert not model.is_active


def test_a_model_that_does_not_beat_the_heuristic_is_kept_inactive_with_the_reason(db, lexical):
    # This desk marks what the heuristic ranks first: the learned model cannot do better.
    articles = _desk(10, marked=UNMARKED[:5])
    assert all(a.claims.count() == 5 for a in articles)
    model = learning.train_checkworthiness(embedder=_embedder())

    assert not model.is_active
    assert model.heuristic_precision_at_5 == pytest.approx(1.0)
    assert "does not beat the heuristic" in model.note
    assert learning.active_model() is None
    # Scoring stays the heuristic's.
    scoring.score_articles(article_ids=[articles[-1].pk], refresh=True)
    for sentence in articles[-1].sentences.all():
        assert sentence.checkworthiness == pytest.approx(score_sentence(sentence.text, "en")[0])


def test_an_active_model_of_other_vectors_leaves_the_heuristic_scoring(db, lexical, settings):
    articles = _desk(10)
    model = learning.train_checkworthiness(embedder=_embedder())
    assert model.is_active
    CheckworthinessModel.objects.filter(pk=model.pk).update(vector_model_id="other-model")
    scoring.score_articles(article_ids=[articles[-1].pk], refresh=True)
    for sentence in articles[-1].sentences.all():
        assert sentence.checkworthiness == pytest.approx(score_sentence(sentence.text, "en")[0])


def test_hidden_claims_and_unchecked_articles_are_not_training_data(db, lexical):
    articles = _desk(10)
    Claim.objects.filter(article=articles[0]).update(is_hidden=True)
    Article.objects.filter(pk=articles[1].pk).update(status=Article.Status.IN_REVIEW)
    rows = learning.checked_articles()
    assert [r.article_id for r in rows] == [a.pk for a in articles if a != articles[1]]
    assert rows[0].labels.sum() == 0
    assert rows[1].labels.sum() == 3


def test_training_reads_the_desk_in_a_constant_number_of_queries(
    db, lexical, django_assert_max_num_queries
):
    _desk(10)
    with django_assert_max_num_queries(12):
        learning.train_checkworthiness(embedder=_embedder())


def test_precision_at_k_per_article():
    groups = [
        (np.array([0.9, 0.1, 0.8]), np.array([1.0, 1.0, 0.0])),  # top 3 of 3: 2 marked
        (np.array([0.2, 0.3, 0.1, 0.9, 0.5, 0.4]), np.array([0, 0, 0, 1, 1, 1.0])),
    ]
    assert learning.precision_at_k(groups, k=5) == pytest.approx((2 / 3 + 3 / 5) / 2)


def _wait(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_the_nightly_task_trains_on_a_real_worker(celery_worker, settings):
    settings.CLAIM_MATCHING_MODEL = "lexical"
    settings.CHECKWORTHINESS_MIN_ARTICLES = 10
    queue = celery_worker.conf.task_routes["annotations.tasks.*"]["queue"]
    entry = settings.CELERY_BEAT_SCHEDULE["train-checkworthiness"]

    assert entry["task"] == tasks.train_checkworthiness.name
    assert settings.CELERY_TASK_ROUTES[entry["task"]] == {"queue": "models"}
    assert entry["schedule"].hour == {2}  # nightly
    _desk(10)

    celery_worker.send_task(entry["task"], queue=queue)
    _wait(CheckworthinessModel.objects.exists)
    model = CheckworthinessModel.objects.get()
    assert model.is_active
    assert model.training_positives > 0
    assert Sentence.objects.filter(article__status=Article.Status.REVIEWED).count() == 110
