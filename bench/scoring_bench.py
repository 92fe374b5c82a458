"""Store N articles of the labelled set's text, then time what the score_sentences task does.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck_bench \
      .venv/bin/python bench/scoring_bench.py 2000

Prints sentences/s of `annotations.scoring.score_articles` (read, score, one UPDATE per 2,000
sentences) in batches the size of an import batch, and of the heuristic alone on the same
sentences: the difference is the database's share. The database must be migrated; the
benchmark deletes what it stored.
"""

import json
import os
import sys
import time
import uuid
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
django.setup()

from django.conf import settings  # noqa: E402

from annotations.models import Article, Sentence  # noqa: E402
from annotations.scoring import score_articles  # noqa: E402
from annotations.services.articles import build_sentences  # noqa: E402
from annotations.triage import score_sentence  # noqa: E402

DATA = ROOT / "bench" / "data" / "checkworthiness.jsonl"


def main(count: int) -> None:
    samples = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    run = uuid.uuid4().hex[:8]
    articles = []
    for n in range(count):
        sample = samples[n % len(samples)]
        body = "\n".join(s["text"] for s in sample["sentences"]) + f"\nBench {run} {n}."
        articles.append(
            Article(title=sample["title"], body=body, language=sample["language"], url=None)
        )
    for article in articles:
        article.content_hash = uuid.uuid4().hex + uuid.uuid4().hex
    Article.objects.bulk_create(articles, batch_size=500)
    ids = [a.pk for a in articles]
    try:
        rows = [s for a in articles for s in build_sentences(a)]
        Sentence.objects.bulk_create(rows, batch_size=5000)
        batch = settings.IMPORT_BATCH_SIZE
        started = time.perf_counter()
        scored = sum(
            score_articles(article_ids=ids[i : i + batch]) for i in range(0, len(ids), batch)
        )
        elapsed = time.perf_counter() - started
        languages = {a.pk: a.language for a in articles}
        texts = [(s.text, languages[s.article_id]) for s in rows]
        started = time.perf_counter()
        for text, language in texts:
            score_sentence(text, language)
        alone = time.perf_counter() - started
        print(
            f"{count} articles, {scored} sentences scored in {elapsed:.2f} s: "
            f"{scored / elapsed:,.0f} sentences/s stored ({batch} articles a task); "
            f"the heuristic alone {len(texts) / alone:,.0f} sentences/s"
        )
    finally:
        Article.objects.filter(pk__in=ids).delete()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
