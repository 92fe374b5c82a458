"""Check-worthiness learned from the desk: logistic regression trained on its own claims.

Runs in a models worker (the nightly `train_checkworthiness` task, or `manage.py
train_checkworthiness`), never in the web process: it needs the sentence vectors' embedder.

The data: every sentence of the current text of the articles marked `reviewed` (checked). A
sentence a claim covers is a positive; the others are unlabelled, not negatives: a desk marks
the claims it had time for, so an unmarked sentence may still be check-worthy
(positive-unlabelled learning).

Why unlabelled-as-negative with a class-prior correction (Elkan & Noto 2008) and not a spy
technique: if the desk's marks are a random sample of the check-worthy sentences, a classifier
g(x) of "was marked" equals c * P(check-worthy | x), with c the share of check-worthy sentences
that get marked. Ranking by g is then ranking by P(check-worthy | x) — and ranking is what the
desk uses (n, the daily page, precision@5) — so only the score's scale needs c, estimated as the
mean of g over the held-out positives. A spy step would pick "reliable negatives" with a
threshold we have no data to tune, on a few hundred articles.

A trained model replaces the heuristic only when it beats it on a time-based hold-out (the
newest checked articles), measured as precision@5 per article; otherwise it is stored inactive,
with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from .memory.embedding import Embedder
from .memory.matching import sentence_vectors
from .models import Article, CheckworthinessModel, Claim, Sentence
from .triage import score_features
from .triage_model import (
    FEATURES,
    design_matrix,
    fit_logistic,
    heuristic_matrix,
    precision_at_k,
    predict,
    sigmoid,
)

# The newest share of checked articles held out to judge a model (at least MIN_HOLDOUT of them).
HOLDOUT_SHARE = 0.2
MIN_HOLDOUT = 5
MIN_POSITIVES = 20


class NotEnoughData(Exception):
    """Too few checked articles or marked claims to train on; the message says how many."""


@dataclass
class ArticleRows:
    article_id: int
    texts: list[str]
    sentence_ids: list[int]
    labels: np.ndarray  # 1: a claim covers the sentence


def min_checked_articles() -> int:
    """How many checked (`reviewed`) articles training needs (CHECKWORTHINESS_MIN_ARTICLES)."""
    return settings.CHECKWORTHINESS_MIN_ARTICLES


# --- Training on the desk's history -----------------------------------------------------------


def checked_articles() -> list[ArticleRows]:
    """The checked articles, oldest first, with their current sentences and labels."""
    articles = list(
        Article.objects.filter(status=Article.Status.REVIEWED)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )
    covered = Claim.objects.filter(is_hidden=False, sentences=OuterRef("pk"))
    rows = (
        Sentence.objects.filter(article_id__in=articles)
        .annotate(marked=Exists(covered))
        .order_by("article_id", "position")
        .values_list("article_id", "pk", "text", "marked")
    )
    by_article: dict[int, ArticleRows] = {
        pk: ArticleRows(pk, [], [], np.zeros(0)) for pk in articles
    }
    labels: dict[int, list[int]] = {pk: [] for pk in articles}
    for article_id, pk, text, marked in rows.iterator(chunk_size=5000):
        entry = by_article[article_id]
        entry.texts.append(text)
        entry.sentence_ids.append(pk)
        labels[article_id].append(int(marked))
    for pk, entry in by_article.items():
        entry.labels = np.array(labels[pk], dtype=np.float32)
    return [by_article[pk] for pk in articles if by_article[pk].texts]


def train_checkworthiness(*, embedder: Embedder) -> CheckworthinessModel:
    """Train a model on the checked articles, judge it on the newest ones, store it.

    It becomes the active model only if its hold-out precision@5 beats the heuristic's (the
    figures and the reason are stored either way). Raises NotEnoughData below
    `min_checked_articles()` checked articles or MIN_POSITIVES marked sentences.
    """
    articles = checked_articles()
    needed = min_checked_articles()
    if len(articles) < needed:
        raise NotEnoughData(
            f"Not enough checked articles to learn from: {len(articles)} marked reviewed, "
            f"{needed} needed (CHECKWORTHINESS_MIN_ARTICLES). The heuristic stays."
        )
    positives = int(sum(a.labels.sum() for a in articles))
    if positives < MIN_POSITIVES:
        raise NotEnoughData(
            f"Not enough claims to learn from: {positives} sentences of checked articles are "
            f"covered by a claim, {MIN_POSITIVES} needed. The heuristic stays."
        )
    holdout_n = max(MIN_HOLDOUT, math.ceil(len(articles) * HOLDOUT_SHARE))
    train, holdout = articles[:-holdout_n], articles[-holdout_n:]
    languages = dict(
        Article.objects.filter(pk__in=[a.article_id for a in articles]).values_list(
            "pk", "language"
        )
    )

    def matrix(group: list[ArticleRows]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        texts = [t for a in group for t in a.texts]
        langs = [languages[a.article_id] for a in group for _ in a.texts]
        ids = [pk for a in group for pk in a.sentence_ids]
        heuristic = heuristic_matrix(texts, langs)
        vectors = sentence_vectors(sentence_ids=ids, texts=texts, embedder=embedder)
        labels = np.concatenate([a.labels for a in group])
        return design_matrix(vectors, heuristic), heuristic, labels

    x_train, _h, y_train = matrix(train)
    if y_train.sum() == 0:
        raise NotEnoughData(
            "None of the older checked articles has a claim: nothing to learn from yet."
        )
    bias, w = fit_logistic(x_train, y_train)
    x_hold, h_hold, y_hold = matrix(holdout)
    raw = sigmoid(x_hold @ w + bias)
    held_positive = raw[y_hold == 1]
    # c = P(marked | check-worthy), estimated on held-out positives (Elkan & Noto's e1).
    label_frequency = float(held_positive.mean()) if len(held_positive) else 1.0
    weights = {
        "bias": float(bias),
        "features": [float(v) for v in w[: len(FEATURES)]],
        "feature_names": list(FEATURES),
        "vector": [float(v) for v in w[len(FEATURES) :]],
        "label_frequency": max(label_frequency, 1e-3),
    }
    heuristic_scores = np.array(
        [score_features(dict(zip(FEATURES, row, strict=True))) for row in h_hold]
    )
    learned_groups, heuristic_groups, start = [], [], 0
    for article in holdout:
        end = start + len(article.texts)
        learned_groups.append((raw[start:end], y_hold[start:end]))
        heuristic_groups.append((heuristic_scores[start:end], y_hold[start:end]))
        start = end
    learned_p5 = precision_at_k(learned_groups)
    heuristic_p5 = precision_at_k(heuristic_groups)
    wins = learned_p5 > heuristic_p5
    note = (
        f"Active: precision@5 {learned_p5:.3f} beats the heuristic's {heuristic_p5:.3f} "
        f"on the {len(holdout)} newest checked articles."
        if wins
        else f"Not used: precision@5 {learned_p5:.3f} does not beat the heuristic's "
        f"{heuristic_p5:.3f} on the {len(holdout)} newest checked articles; the heuristic stays."
    )
    with transaction.atomic():
        if wins:
            CheckworthinessModel.objects.filter(is_active=True).update(is_active=False)
        return CheckworthinessModel.objects.create(
            vector_model_id=embedder.model_id,
            weights=weights,
            training_articles=len(train),
            training_sentences=len(y_train),
            training_positives=int(y_train.sum()),
            holdout_articles=len(holdout),
            holdout_precision_at_5=learned_p5,
            heuristic_precision_at_5=heuristic_p5,
            is_active=wins,
            note=note,
        )


def active_model() -> CheckworthinessModel | None:
    """The model scoring uses, if one beat the heuristic."""
    return CheckworthinessModel.objects.filter(is_active=True).first()


def learned_scores(
    *,
    model: CheckworthinessModel,
    sentence_ids: Sequence[int],
    texts: Sequence[str],
    languages: Sequence[str],
    embedder: Embedder,
) -> np.ndarray:
    """Check-worthiness of these sentences under a stored model (in a models worker)."""
    heuristic = heuristic_matrix(texts, languages)
    vectors = sentence_vectors(sentence_ids=sentence_ids, texts=texts, embedder=embedder)
    return predict(model.weights, design_matrix(vectors, heuristic))
