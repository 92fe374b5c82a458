"""What reviewers are shown of claim memory: stored matches, filtered by what they may see.

Reads only (the models worker writes the matches); no model is loaded in the web process.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from annotations.access import claim_matches_visible_to
from annotations.models import Article, Claim, ClaimEmbedding, ClaimMatch

from .embedding import SUGGESTION_THRESHOLDS
from .matching import claim_text

PUBLIC_STATUSES = {Claim.Status.PUBLISHED}


def _matches(user) -> QuerySet[ClaimMatch]:
    """The matches `user` may see (the access policy), with what `present` reads."""
    return claim_matches_visible_to(user).select_related(
        "matched_claim__article", "matched_claim__published_verdict__rating", "matched_external"
    )


def present(match: ClaimMatch) -> dict[str, Any]:
    """One match as the API shows it: the earlier fact-check, its score and what differs."""
    threshold = SUGGESTION_THRESHOLDS.get(match.model_id, 1.0)
    same_claim = match.score >= threshold and not match.differences
    if match.matched_claim is not None:
        claim = match.matched_claim
        verdict = claim.published_verdict if claim.status in PUBLIC_STATUSES else None
        from annotations.exporting.records import claim_url

        return {
            "kind": "claim",
            "claim": claim.pk,
            "external": None,
            "score": match.score,
            "text": claim_text(claim),
            "rating": verdict.rating.label if verdict else None,
            "status": claim.status,
            "date": _iso(claim.published_at),
            "publisher": None,
            "url": claim_url(claim.pk)
            if verdict
            else f"/articles/{claim.article_id}/#claim-{claim.pk}",
            "differences": match.differences,
            "same_claim": same_claim,
        }
    check = match.matched_external
    if check is None:
        raise ValueError(f"Match {match.pk} has neither a claim nor an external fact-check.")
    return {
        "kind": "external",
        "claim": None,
        "external": check.pk,
        "score": match.score,
        "text": check.claim_text,
        "rating": check.rating_text or None,
        "status": "published",
        "date": _iso(check.reviewed_at),
        "publisher": check.publisher or None,
        "url": check.url,
        "differences": match.differences,
        "same_claim": same_claim,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def claim_matches(*, claim: Claim, user) -> dict[str, Any]:
    """The earlier fact-checks most similar to `claim`, best first, that `user` may see."""
    embedding = ClaimEmbedding.objects.filter(claim=claim).only("model_id").first()
    matches = list(_matches(user).filter(claim=claim).order_by("-score", "id"))
    return {
        **_model_status(embedding.model_id if embedding else None),
        "matches": [present(match) for match in matches],
    }


def article_matches(*, article: Article, user) -> dict[str, Any]:
    """For each sentence of `article` that repeats an earlier fact-check: its matches."""
    matches = list(
        _matches(user)
        .filter(sentence__article=article, sentence__revision__isnull=True)  # current text
        .select_related("sentence")
        .order_by("sentence__position", "-score", "id")
    )
    sentences: dict[int, dict[str, Any]] = {}
    for match in matches:
        sentence = match.sentence
        if sentence is None:  # filtered on the sentence's article above: never, but typed so
            continue
        entry = sentences.setdefault(
            sentence.pk, {"sentence": sentence.pk, "position": sentence.position, "matches": []}
        )
        entry["matches"].append(present(match))
    model_id = matches[0].model_id if matches else _article_model(article)
    return {**_model_status(model_id), "sentences": list(sentences.values())}


def _article_model(article: Article) -> str | None:
    """The model that embedded the article's current text; None while it has not run on it.

    Sentences of older revisions keep their embeddings (a filter through `sentence__` does not
    go through Sentence's current-text manager): they must not say the new text was matched.
    """
    from annotations.models import SentenceEmbedding

    row = (
        SentenceEmbedding.objects.filter(sentence__article=article, sentence__revision__isnull=True)
        .only("model_id")
        .first()
    )
    return row.model_id if row else None


def _model_status(model_id: str | None) -> dict[str, Any]:
    """Say which model matched, and whether matching was only lexical or has not run yet."""
    if model_id is None:
        return {"model": None, "semantic": None, "threshold": None, "state": "pending"}
    return {
        "model": model_id,
        "semantic": not model_id.startswith("lexical"),
        "threshold": SUGGESTION_THRESHOLDS.get(model_id),
        "state": "matched",
    }
