"""Claim matching quality on the labelled pairs in bench/data/claim_pairs.json, per model.

    .venv/bin/python bench/matching_eval.py            # every model that loads here
    .venv/bin/python bench/matching_eval.py lexical    # one model

Prints, for the multilingual model and the lexical fallback:
- recall@1 and recall@5: each same-claim variant (paraphrase, translation, number written
  differently) searched among all the earlier claims; a hit is its own earlier claim;
- the suggestion threshold: a sentence or claim scoring at least this against an earlier claim
  is shown as "checked before" (with its differences). Calibrated on the even-numbered groups
  (the lowest threshold with precision >= 0.9 for "about the same claim": same claim, changed
  number or negation, against same topic or unrelated), reported on the odd ones;
- same-claim precision and recall on the odd groups: above the threshold and no differing
  numbers or negation (the differences rule), against every other relation;
- embedding throughput (texts/s) on this machine.
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

from annotations.memory.differences import differences
from annotations.memory.embedding import E5Embedder, LexicalEmbedder, ModelUnavailable

DATA = Path(__file__).parent / "data" / "claim_pairs.json"
TARGET_PRECISION = 0.9
UNRELATED = {"same_topic", "unrelated"}


def load() -> tuple[list[dict], set[str]]:
    data = json.loads(DATA.read_text())
    return data["groups"], set(data["match_relations"])


def calibrate(scores: np.ndarray, labels: np.ndarray) -> float:
    """The lowest threshold whose precision on these pairs reaches the target (else max F1)."""
    best_f1, best_f1_threshold = -1.0, 1.0
    for threshold in sorted(set(np.round(scores, 4))):
        predicted = scores >= threshold
        tp = int((predicted & labels).sum())
        if not predicted.any():
            continue
        precision, recall = tp / predicted.sum(), tp / max(labels.sum(), 1)
        if precision >= TARGET_PRECISION:
            return float(threshold)
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        if f1 > best_f1:
            best_f1, best_f1_threshold = f1, float(threshold)
    return best_f1_threshold


def precision_recall(predicted: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    tp = int((predicted & labels).sum())
    return tp / max(int(predicted.sum()), 1), tp / max(int(labels.sum()), 1)


def evaluate(embedder) -> dict:
    groups, match_relations = load()
    claims = [group["claim"] for group in groups]
    variants = [(g, v) for g, group in enumerate(groups) for v in group["variants"]]
    texts = claims + [variant["text"] for _, variant in variants]
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    throughput = len(texts) / (time.perf_counter() - started)
    claim_vectors, variant_vectors = vectors[: len(claims)], vectors[len(claims) :]

    similarities = variant_vectors @ claim_vectors.T
    same = np.array([variant["relation"] in match_relations for _, variant in variants])
    own = np.array([g for g, _ in variants])
    ranks = np.argsort(-similarities, axis=1)
    hits1 = ranks[:, 0] == own
    hits5 = (ranks[:, :5] == own[:, None]).any(axis=1)

    pair_scores = similarities[np.arange(len(variants)), own]
    differs = np.array([bool(differences(groups[g]["claim"], v["text"])) for g, v in variants])
    related = np.array([v["relation"] not in UNRELATED for _, v in variants])
    calibration = own % 2 == 0
    threshold = calibrate(pair_scores[calibration], related[calibration])
    held_out = ~calibration
    suggested = pair_scores[held_out] >= threshold
    plain = precision_recall(suggested, related[held_out])
    ruled = precision_recall(suggested & ~differs[held_out], same[held_out])
    by_relation = {}
    for relation in sorted({v["relation"] for _, v in variants}):
        chosen = np.array([v["relation"] == relation for _, v in variants])
        by_relation[relation] = float(np.mean(pair_scores[chosen]))
    return {
        "model": embedder.model_id,
        "pairs": len(variants),
        "recall@1": float(hits1[same].mean()),
        "recall@5": float(hits5[same].mean()),
        "translation recall@1": float(
            hits1[np.array([v["relation"] == "translation" for _, v in variants])].mean()
        ),
        "suggestion threshold": threshold,
        "held-out suggestion precision": plain[0],
        "held-out suggestion recall": plain[1],
        "held-out same-claim precision": ruled[0],
        "held-out same-claim recall": ruled[1],
        "mean cosine by relation": by_relation,
        "texts/s": throughput,
    }


def main() -> None:
    wanted = sys.argv[1:] or ["e5", "lexical"]
    for name in wanted:
        try:
            embedder = E5Embedder() if name == "e5" else LexicalEmbedder()
        except ModelUnavailable as error:
            print(f"{name}: not available here ({error})")
            continue
        result = evaluate(embedder)
        print(f"\n== {result.pop('model')} ({result.pop('pairs')} labelled pairs)")
        relations = result.pop("mean cosine by relation")
        for key, value in result.items():
            print(f"  {key:40} {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
        print(
            "  mean cosine by relation: " + ", ".join(f"{k} {v:.3f}" for k, v in relations.items())
        )


if __name__ == "__main__":
    main()
