"""Vectors for claims, sentences and other fact-checkers' checks, and the matches between them.

Runs in Celery workers on the `models` queue (annotations.tasks.embed_*), never in the web
process: the API only reads the `ClaimMatch` rows written here. Suggestions only: nothing here
touches a verdict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction

from annotations import jobs
from annotations.models import (
    Claim,
    ClaimEmbedding,
    ClaimMatch,
    ExternalFactCheck,
    ExternalFactCheckEmbedding,
    Sentence,
    SentenceEmbedding,
)

from .differences import differences
from .embedding import SUGGESTION_THRESHOLDS, Embedder, from_bytes, get_embedder, to_bytes
from .index import CLAIM, EXTERNAL, Hit, index_for

CLAIM_MATCHES_KEPT = 10  # per claim, the best ones above the floor
SENTENCE_MATCHES_KEPT = 3  # per sentence, above the suggestion threshold
# A claim's list also shows near misses, down to this much below the suggestion threshold.
CLAIM_FLOOR_MARGIN = 0.05


def embedder() -> Embedder:
    """The worker's embedder, chosen by CLAIM_MATCHING_MODEL (`auto`, `e5`, `lexical`)."""
    return get_embedder(settings.CLAIM_MATCHING_MODEL)


def threshold(model_id: str) -> float:
    return SUGGESTION_THRESHOLDS[model_id]


def claim_text(claim: Claim) -> str:
    """What a claim is matched by: the checker's wording and the quoted span."""
    parts = [claim.text.strip(), claim.quote_exact.strip()]
    return " — ".join(part for part in parts if part) or claim.quote_exact


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


# Queued by name after the commit, robustly: a broker that cannot be reached loses only the
# matching (`manage.py match_claims` redoes it), never the commit.
def queue_claims(claim_ids: Sequence[int]) -> None:
    """After the commit, have a models worker embed and match these claims."""
    ids = list(claim_ids)
    jobs.send_after_commit(jobs.EMBED_CLAIMS, args=[ids], robust=True)


def queue_articles(article_ids: Sequence[int]) -> None:
    """After the commit, have a models worker embed and match these articles' sentences."""
    ids = list(article_ids)
    jobs.send_after_commit(jobs.EMBED_ARTICLES, args=[ids], robust=True)


def queue_external(fact_check_ids: Sequence[int]) -> None:
    ids = list(fact_check_ids)
    jobs.send_after_commit(jobs.EMBED_EXTERNAL, args=[ids], robust=True)


def embed_and_match_claims(claim_ids: Iterable[int], *, using: Embedder | None = None) -> int:
    """Embed these claims (those whose text changed since), then store their best matches among
    every other claim and external fact-check. Returns how many claims were matched."""
    model = using or embedder()
    claims = list(Claim.objects.filter(pk__in=list(claim_ids)).select_related("embedding"))
    if not claims:
        return 0
    texts = [claim_text(claim) for claim in claims]
    vectors = model.embed(texts)
    rows = [
        ClaimEmbedding(
            claim=claim, model_id=model.model_id, vector=to_bytes(vector), text_hash=_hash(text)
        )
        for claim, text, vector in zip(claims, texts, vectors, strict=True)
    ]
    ClaimEmbedding.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["claim"],
        update_fields=["model_id", "vector", "text_hash", "updated_at"],
    )
    index = index_for(model.model_id, model.dim)
    floor = threshold(model.model_id) - CLAIM_FLOOR_MARGIN
    found = index.search(vectors, k=CLAIM_MATCHES_KEPT + 1, floor=floor)
    matches = []
    for claim, text, hits in zip(claims, texts, found, strict=True):
        hits = [hit for hit in hits if (hit.kind, hit.id) != (CLAIM, claim.pk)]
        matches.extend(_match_rows(hits[:CLAIM_MATCHES_KEPT], text, model.model_id, claim=claim))
    with transaction.atomic():
        ClaimMatch.objects.filter(claim__in=claims).delete()
        ClaimMatch.objects.bulk_create(_existing_targets(matches))
    return len(claims)


def sentence_vectors(
    *, sentence_ids: Sequence[int], texts: Sequence[str], embedder: Embedder
) -> np.ndarray:
    """The sentences' vectors under `embedder`, each sentence embedded once whoever asks first
    (claim matching, check-worthiness scoring, training).

    A stored vector is reused when it is of this model (its id names the model's version) and
    of this text; the others are embedded now and, for a semantic model, stored for the next
    caller. Lexical vectors are not kept: they cost more to keep than to recompute.
    """
    matrix = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    stored: dict[int, tuple[bytes, str]] = {}
    if embedder.semantic:
        rows = SentenceEmbedding.objects.filter(
            sentence_id__in=list(sentence_ids), model_id=embedder.model_id
        ).values_list("sentence_id", "vector", "text_hash")
        stored = {pk: (bytes(vector), text_hash) for pk, vector, text_hash in rows}
    hashes = [_hash(text) for text in texts]
    missing = []
    for row, pk in enumerate(sentence_ids):
        vector, text_hash = stored.get(pk, (b"", ""))
        found = from_bytes(vector) if text_hash == hashes[row] else None
        if found is not None and found.shape == (embedder.dim,):
            matrix[row] = found
        else:
            missing.append(row)
    if missing:
        matrix[missing] = embedder.embed([texts[row] for row in missing])
    if missing and embedder.semantic:
        SentenceEmbedding.objects.bulk_create(
            [
                SentenceEmbedding(
                    sentence_id=sentence_ids[row],
                    model_id=embedder.model_id,
                    vector=to_bytes(matrix[row]),
                    text_hash=hashes[row],
                )
                for row in missing
            ],
            update_conflicts=True,
            unique_fields=["sentence"],
            update_fields=["model_id", "vector", "text_hash", "updated_at"],
        )
    return matrix


def embed_and_match_articles(article_ids: Iterable[int], *, using: Embedder | None = None) -> int:
    """Embed these articles' sentences and store, for each, the earlier fact-checks it repeats
    (above the suggestion threshold; claims marked on the same article are left out). Returns
    how many sentences were embedded."""
    model = using or embedder()
    sentences = list(
        Sentence.objects.filter(article_id__in=list(article_ids))
        .order_by("article_id", "position")
        .only("id", "article_id", "text")
    )
    if not sentences:
        return 0
    vectors = sentence_vectors(
        sentence_ids=[sentence.pk for sentence in sentences],
        texts=[sentence.text for sentence in sentences],
        embedder=model,
    )
    index = index_for(model.model_id, model.dim)
    found = index.search(vectors, k=SENTENCE_MATCHES_KEPT + 5, floor=threshold(model.model_id))
    claim_ids = {hit.id for hits in found for hit in hits if hit.kind == CLAIM}
    claim_articles = dict(Claim.objects.filter(pk__in=claim_ids).values_list("pk", "article_id"))
    matches = []
    for sentence, hits in zip(sentences, found, strict=True):
        elsewhere = [
            hit
            for hit in hits
            if hit.kind == EXTERNAL
            or claim_articles.get(hit.id, sentence.article_id) != sentence.article_id
        ]
        matches.extend(
            _match_rows(
                elsewhere[:SENTENCE_MATCHES_KEPT], sentence.text, model.model_id, sentence=sentence
            )
        )
    with transaction.atomic():
        ClaimMatch.objects.filter(sentence__in=sentences).delete()
        ClaimMatch.objects.bulk_create(_existing_targets(matches))
    return len(sentences)


def embed_external(fact_check_ids: Iterable[int], *, using: Embedder | None = None) -> int:
    """Embed imported fact-checks so that claims and sentences can match them."""
    model = using or embedder()
    checks = list(ExternalFactCheck.objects.filter(pk__in=list(fact_check_ids)))
    vectors = model.embed([check.claim_text for check in checks])
    ExternalFactCheckEmbedding.objects.bulk_create(
        [
            ExternalFactCheckEmbedding(
                fact_check=check,
                model_id=model.model_id,
                vector=to_bytes(vector),
                text_hash=_hash(check.claim_text),
            )
            for check, vector in zip(checks, vectors, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["fact_check"],
        update_fields=["model_id", "vector", "text_hash", "updated_at"],
    )
    return len(checks)


def _match_rows(hits: Sequence[Hit], text: str, model_id: str, **subject: Any) -> list[ClaimMatch]:
    texts = _target_texts(hits)
    rows = []
    for hit in hits:
        target = texts.get((hit.kind, hit.id))
        if target is None:  # deleted since the index read it
            continue
        field = "matched_claim_id" if hit.kind == CLAIM else "matched_external_id"
        rows.append(
            ClaimMatch(
                score=round(hit.score, 4),
                model_id=model_id,
                differences=differences(text, target),
                **{field: hit.id},
                **subject,
            )
        )
    return rows


def _target_texts(hits: Sequence[Hit]) -> dict[tuple[str, int], str]:
    claim_ids = [hit.id for hit in hits if hit.kind == CLAIM]
    external_ids = [hit.id for hit in hits if hit.kind == EXTERNAL]
    texts = {
        (CLAIM, claim.pk): claim_text(claim) for claim in Claim.objects.filter(pk__in=claim_ids)
    }
    texts.update(
        ((EXTERNAL, pk), text)
        for pk, text in ExternalFactCheck.objects.filter(pk__in=external_ids).values_list(
            "pk", "claim_text"
        )
    )
    return texts


def _existing_targets(matches: list[ClaimMatch]) -> list[ClaimMatch]:
    # The hits were read before this transaction: a target deleted meanwhile is dropped here.
    claims = set(
        Claim.objects.filter(
            pk__in={m.matched_claim_id for m in matches if m.matched_claim_id}
        ).values_list("pk", flat=True)
    )
    return [m for m in matches if m.matched_claim_id is None or m.matched_claim_id in claims]
