"""Check-worthiness on the labelled set: the heuristic and a learned baseline, held out.

python bench/checkworthiness_eval.py [--split test|dev|all]   (default: test, the held-out part)

The set (`bench/data/checkworthiness.jsonl`): one article a line, its sentences in order, each
labelled NFS (non-factual), UFS (unimportant factual) or CFS (check-worthy factual) and with a
claim type. Articles are split by `split`: the heuristic's weights were tuned on `dev` only, and
the learned baseline is trained on `dev` and scored on `test`.

Prints, per method and language: precision@5 per article (mean of the share of CFS among each
article's five best-scored sentences), precision / recall / F1 of the CFS class (a sentence is
called check-worthy at a score >= 0.5), claim-type accuracy on the CFS sentences, and the
heuristic's cost per sentence.
"""

import argparse
import json
import math
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotations.triage import CHECKWORTHY_THRESHOLD, score_sentence  # noqa: E402

DATA = ROOT / "bench" / "data" / "checkworthiness.jsonl"
TOP_K = 5


def load(split: str) -> list[dict]:
    articles = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    return [a for a in articles if split == "all" or a["split"] == split]


def precision_at_k(articles: list[dict], scores: list[list[float]], k: int = TOP_K) -> float:
    per_article = []
    for article, article_scores in zip(articles, scores, strict=True):
        # Ties keep article order, as a reader would meet them.
        ranked = sorted(range(len(article_scores)), key=lambda i: -article_scores[i])[:k]
        per_article.append(sum(article["sentences"][i]["label"] == "CFS" for i in ranked) / k)
    return sum(per_article) / len(per_article)


def f1(articles: list[dict], scores: list[list[float]]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for article, article_scores in zip(articles, scores, strict=True):
        for sentence, score in zip(article["sentences"], article_scores, strict=True):
            predicted = score >= CHECKWORTHY_THRESHOLD
            actual = sentence["label"] == "CFS"
            tp += predicted and actual
            fp += predicted and not actual
            fn += actual and not predicted
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if tp else 0.0)


def heuristic_scores(articles: list[dict]) -> list[list[float]]:
    return [[score_sentence(s["text"], a["language"])[0] for s in a["sentences"]] for a in articles]


def claim_type_accuracy(articles: list[dict]) -> float:
    pairs = [
        (score_sentence(s["text"], a["language"])[1], s["claim_type"])
        for a in articles
        for s in a["sentences"]
        if s["label"] == "CFS"
    ]
    return sum(got == want for got, want in pairs) / len(pairs)


# The learned baseline: logistic regression (L2, batch gradient descent, pure Python: the set is
# small and no numeric library is a dependency) on the heuristic's features plus bag of words.


def vectorise(text: str, language: str) -> dict[str, float]:
    _score, _type, features = score_sentence(text, language)
    vector = {f"h:{name}": value for name, value in features.items()}
    for word in set(re.findall(r"[^\W_]+", text.lower())):
        vector[f"w:{word}"] = 1.0
    vector["bias"] = 1.0
    return vector


def train(examples: list[tuple[dict[str, float], int]], *, epochs=300, rate=0.5, l2=0.01):
    weights: dict[str, float] = {}
    n = len(examples)
    for _ in range(epochs):
        gradient: Counter = Counter()
        for vector, label in examples:
            z = sum(weights.get(k, 0.0) * v for k, v in vector.items())
            error = 1 / (1 + math.exp(-max(-30, min(30, z)))) - label
            for k, v in vector.items():
                gradient[k] += error * v
        for k, g in gradient.items():
            w = weights.get(k, 0.0)
            weights[k] = w - rate * (g / n + (l2 * w if k != "bias" else 0.0))
    return weights


def learned_scores(train_articles: list[dict], test_articles: list[dict]) -> list[list[float]]:
    examples = [
        (vectorise(s["text"], a["language"]), int(s["label"] == "CFS"))
        for a in train_articles
        for s in a["sentences"]
    ]
    weights = train(examples)

    def predict(text: str, language: str) -> float:
        z = sum(weights.get(k, 0.0) * v for k, v in vectorise(text, language).items())
        return 1 / (1 + math.exp(-max(-30, min(30, z))))

    return [[predict(s["text"], a["language"]) for s in a["sentences"]] for a in test_articles]


def cost_per_sentence(articles: list[dict], rounds: int = 20) -> tuple[float, float]:
    """(microseconds per sentence, sentences per second) of score_sentence."""
    sentences = [(s["text"], a["language"]) for a in articles for s in a["sentences"]]
    started = time.perf_counter()
    for _ in range(rounds):
        for text, language in sentences:
            score_sentence(text, language)
    elapsed = time.perf_counter() - started
    per_sentence = elapsed / (rounds * len(sentences))
    return per_sentence * 1e6, 1 / per_sentence


def report(label: str, articles: list[dict], scores: list[list[float]]) -> None:
    for language in ("en", "es", None):
        chosen = [
            (a, s)
            for a, s in zip(articles, scores, strict=True)
            if language in (None, a["language"])
        ]
        subset, subset_scores = [a for a, _ in chosen], [s for _, s in chosen]
        precision, recall, f = f1(subset, subset_scores)
        print(
            f"{label:<24} {language or 'all':<4} articles {len(subset):>2}  "
            f"P@5 {precision_at_k(subset, subset_scores):.3f}  "
            f"CFS P {precision:.3f} R {recall:.3f} F1 {f:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["test", "dev", "all"], default="test")
    args = parser.parse_args()
    articles = load(args.split)
    labels = Counter(s["label"] for a in articles for s in a["sentences"])
    total = sum(labels.values())
    print(
        f"split {args.split}: {len(articles)} articles, {total} sentences "
        f"(CFS {labels['CFS']}, UFS {labels['UFS']}, NFS {labels['NFS']}; "
        f"CFS base rate {labels['CFS'] / total:.3f})"
    )
    rng = random.Random(17)
    random_scores = [[rng.random() for _ in a["sentences"]] for a in articles]
    print(f"{'random order':<24} all  P@5 {precision_at_k(articles, random_scores):.3f}")
    report("heuristic", articles, heuristic_scores(articles))
    print(f"heuristic claim type accuracy on CFS sentences: {claim_type_accuracy(articles):.3f}")
    if args.split == "test":
        report("logreg (trained on dev)", articles, learned_scores(load("dev"), articles))
    micros, rate = cost_per_sentence(load("all"))
    print(f"heuristic cost: {micros:.0f} µs per sentence, {rate:,.0f} sentences/s (one core)")


if __name__ == "__main__":
    main()
