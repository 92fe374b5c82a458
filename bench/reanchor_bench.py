"""Accuracy and speed of re-anchoring claims across a revision of their article.

python bench/reanchor_bench.py [ARTICLES] [CLAIMS_PER_ARTICLE] [--db]   (default 40 and 30)

With --db (PostgreSQL from DATABASE_URL, in a throwaway database named after it with
`_reanchorbench` appended, dropped at the end) it also times the job itself,
`services.revisions.reanchor_claims`, on each article: its reads, the algorithm and its writes
(claims, sentence links, audit events) in its own transaction, and counts its queries.

Each article is the demo article with its paragraphs shuffled; claims are word-aligned pieces of
its sentences. One revision applies eight kinds of edit at once, each to its own sentence: a
typo in a claim, a paragraph inserted, another sentence deleted, a claim's sentence deleted, a
number changed in a claim, a claim paraphrased, a look-alike copy of a claimed phrase pasted
elsewhere and then the claim's own sentence deleted. The ground truth is where each claim's text
went (or that it went). A claim is right when its span is exactly the expected one, or when it
is orphaned and its text is gone; "moved wrongly" counts claims placed where they are not, the
one mistake that misleads a reader.
"""

import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotations.anchoring import quote_selector  # noqa: E402
from annotations.reanchoring import ORPHANED, StoredAnchor, reanchor  # noqa: E402
from annotations.segmentation import split_sentences  # noqa: E402

SAMPLE = (ROOT / "annotations" / "demo_data" / "spain-probe-article.txt").read_text()
WORD = re.compile(r"\S+")


def _article(rng: random.Random) -> str:
    lines = SAMPLE.splitlines()
    head, rest = lines[0], lines[1:]
    rng.shuffle(rest)
    return "\n".join([head, *rest])


def _claims(rng: random.Random, body: str, sentences, count: int) -> list[tuple[int, int]]:
    claims: list[tuple[int, int]] = []
    for sentence in rng.sample(sentences, min(count, len(sentences))):
        words = list(WORD.finditer(body, sentence.start, sentence.end))
        if len(words) < 4:
            continue
        size = rng.randint(3, min(12, len(words)))
        first = rng.randint(0, len(words) - size)
        claims.append((words[first].start(), words[first + size - 1].end()))
    return claims


def _edits(rng: random.Random, body: str, sentences, claims):
    """Non-overlapping (start, end, replacement) on `body` and the expected fate of each claim."""
    claimed = {i for i, s in enumerate(sentences) for c in claims if s.start <= c[0] < s.end}
    free = [i for i in range(len(sentences)) if i not in claimed]
    busy = sorted(claimed)
    rng.shuffle(busy)
    rng.shuffle(free)
    edits: list[tuple[int, int, str]] = []
    fate: dict[int, str] = {}  # claim index -> "deleted" or "kept"

    def claim_in(i):
        s = sentences[i]
        return next(k for k, c in enumerate(claims) if s.start <= c[0] < s.end)

    def take(pool):
        return pool.pop() if pool else None

    if (i := take(busy)) is not None:  # a typo in a claim word of four letters or more
        k = claim_in(i)
        for w in WORD.finditer(body, *claims[k]):
            if len(w.group()) >= 4 and w.group().isalpha():
                edits.append((w.start() + 1, w.start() + 2, ""))
                break
    if (i := take(free)) is not None:  # a paragraph inserted before a sentence
        at = sentences[i].start
        edits.append((at, at, "A paragraph the editors added later, with more context.\n"))
    if (i := take(free)) is not None:  # another sentence deleted
        edits.append((sentences[i].start, sentences[i].end, ""))
    if (i := take(busy)) is not None:  # the claim's sentence deleted
        fate[claim_in(i)] = "deleted"
        edits.append((sentences[i].start, sentences[i].end, ""))
    if (i := take(busy)) is not None:  # a number changed: the claim's last word becomes one
        k = claim_in(i)
        last = list(WORD.finditer(body, *claims[k]))[-1]
        edits.append((last.start(), last.end(), "1,200"))
    if (i := take(busy)) is not None:  # a paraphrase of the claim's middle words
        k = claim_in(i)
        words = list(WORD.finditer(body, *claims[k]))
        if len(words) >= 5:
            edits.append((words[1].start(), words[-2].end(), "reportedly and in other words"))
    if (i := take(busy)) is not None and free:  # a look-alike pasted, the original deleted
        k = claim_in(i)
        j = free.pop()
        copy = "Elsewhere it read: " + body[claims[k][0] : claims[k][1]] + ". "
        edits.append((sentences[j].start, sentences[j].start, copy))
        edits.append((sentences[i].start, sentences[i].end, ""))
        fate[k] = "deleted"
    edits.sort()
    new, shift_at = [], []
    previous = 0
    for s, e, text in edits:
        new.append(body[previous:s])
        new.append(text)
        shift_at.append((s, e, len(text) - (e - s)))
        previous = e
    new.append(body[previous:])
    return "".join(new), shift_at, fate


def _expected(span, shifts, deleted):
    if deleted:
        return None
    start, end = span
    shift_start = sum(d for s, e, d in shifts if e <= start and not (s == e == start))
    shift_start += sum(d for s, e, d in shifts if s == e == start)  # insertions at the start
    shift_end = sum(d for s, e, d in shifts if e <= end and not (s == e == end))
    return start + shift_start, end + shift_end


def _bench_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factcheck")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("--db needs PostgreSQL: set DATABASE_URL.")
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_reanchorbench"))


def _admin_execute(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def _job_timings(cases: list[tuple[str, str, list[tuple[int, int]]]]) -> None:
    """Time `reanchor_claims` on each (old body, new body, claims), with its writes."""
    url = _bench_url()
    name = urlsplit(url).path.lstrip("/")
    _admin_execute(url, f'DROP DATABASE IF EXISTS "{name}"')
    _admin_execute(url, f'CREATE DATABASE "{name}"')
    try:
        os.environ.update(
            DATABASE_URL=url, CELERY_BROKER_URL="memory://", DEBUG="true", AXES_ENABLED="false"
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from annotations.models import ArticleRevision, Claim
        from annotations.services import create_article
        from annotations.services.revisions import reanchor_claims, record_revision

        call_command("migrate", verbosity=0)
        author = get_user_model().objects.create_user("bench-author")
        timings, queries, sql = [], [], []
        for n, (body, new_body, claims) in enumerate(cases):
            article, _ = create_article(title=f"Article {n}", body=body)
            rows = []
            for s, e in claims:
                q = quote_selector(article.body, start=s, end=e)
                rows.append(
                    Claim(
                        article=article,
                        created_by=author,
                        start=s,
                        end=e,
                        quote_exact=q.exact,
                        quote_prefix=q.prefix,
                        quote_suffix=q.suffix,
                    )
                )
            Claim.objects.bulk_create(rows)
            revision, _ = record_revision(
                article=article, body=new_body, source=ArticleRevision.Source.API
            )
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                reanchor_claims(revision_id=revision.pk)
                timings.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured.captured_queries))
            sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        print(
            f"job (reanchor_claims, with its writes): ms per article median "
            f"{statistics.median(timings):.1f} (its SQL {statistics.median(sql):.1f}), "
            f"max {max(timings):.1f}; queries per article {min(queries)}-{max(queries)}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        _admin_execute(url, f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--db"]
    articles = int(args[0]) if args else 40
    per_article = int(args[1]) if len(args) > 1 else 30
    cases = []
    rng = random.Random(18)
    total = right = orphans = right_orphans = moved_wrongly = lost = 0
    timings = []
    for _ in range(articles):
        body = _article(rng)
        sentences = split_sentences(body, "en")
        claims = _claims(rng, body, sentences, per_article)
        new_body, shifts, fate = _edits(rng, body, sentences, claims)
        cases.append((body, new_body, claims))
        anchors = []
        for s, e in claims:
            q = quote_selector(body, start=s, end=e)
            anchors.append(StoredAnchor(s, e, q.exact, q.prefix, q.suffix))
        started = time.perf_counter()
        results = reanchor(body, new_body, anchors)
        timings.append((time.perf_counter() - started) * 1000)
        for k, (claim, result) in enumerate(zip(claims, results, strict=True)):
            expected = _expected(claim, shifts, fate.get(k) == "deleted")
            total += 1
            if expected is None:
                orphans += 1
                right_orphans += result.status == ORPHANED
                right += result.status == ORPHANED
                moved_wrongly += result.status != ORPHANED
            elif result.status != ORPHANED and (result.start, result.end) == expected:
                right += 1
            elif result.status != ORPHANED:
                moved_wrongly += 1
            else:
                lost += 1
    print(f"{articles} articles, {total} claims, {len(SAMPLE)} characters each")
    print(f"right: {right}/{total} ({100 * right / total:.1f}%)")
    print(f"true orphans orphaned: {right_orphans}/{orphans}")
    print(f"moved wrongly: {moved_wrongly}; orphaned though still there: {lost}")
    print(f"ms per article: median {statistics.median(timings):.2f}, max {max(timings):.2f}")
    if "--db" in sys.argv:
        _job_timings(cases)


if __name__ == "__main__":
    main()
