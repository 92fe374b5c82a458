"""How fast `ArticleChange` grows, and what its compaction costs (issue 15 follow-up).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck_bench \\
        .venv/bin/python bench/article_changes_bench.py [articles] [rows]

Prints, in one run (defaults: 200 articles, 100,000 rows; a few seconds):
- the rows an import adds per article: a JSONL file through `start_import` and `run_import`,
  then the follow-up tasks it queues (scores, vectors, search documents) run in this process, as
  a worker would run them;
- the rows one typical review adds: a claim, a source, a verdict, its approval (and follow-ups);
- the time to compact `rows` rows spread over those articles (a tenth on deleted articles);
- the reviewer's page read, p50 over 200 in-process requests with a token (cached: 2 queries),
  and its version query alone, before and after that compaction.
The database must be PostgreSQL; the benchmark deletes what it created.
"""

import json
import os
import statistics
import sys
import time
import uuid
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
# As in production (DEBUG off: no SQL kept per query), reached by Django's test client.
os.environ.update(
    DEBUG="False",
    SECRET_KEY="bench-" + "x" * 60,
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="False",
    AXES_ENABLED="False",
    LOG_LEVEL="WARNING",
    THROTTLE_USER="1000000/minute",
)
os.environ.setdefault("CLAIM_MATCHING_MODEL", "lexical")

import django  # noqa: E402

django.setup()
# The test client's request passes WhiteNoise, which warns that nothing was collected.
warnings.filterwarnings("ignore", message="No directory at")

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

import annotations.tasks  # noqa: E402, F401  (registers the tasks run inline)
from annotations import article_page  # noqa: E402
from annotations.article_changes import compact_article_changes  # noqa: E402
from annotations.importing.run import run_import  # noqa: E402
from annotations.models import Article, ArticleChange, ImportJob, Rating  # noqa: E402
from annotations.services import (  # noqa: E402
    add_source,
    approve_verdict,
    create_claim,
    start_import,
    submit_verdict,
)
from factcheck.celery import app as current_app  # noqa: E402

READS = 200


class InlineTasks:
    """Runs the tasks the code sends (by name, after its commits) here, in order, as a worker
    would: so the rows the follow-up work adds are counted, without a worker or broker."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list, dict]] = []
        self._send_task = current_app.send_task

    def __enter__(self) -> "InlineTasks":
        current_app.send_task = self.record  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc) -> None:
        current_app.send_task = self._send_task  # type: ignore[method-assign]

    def record(self, name: str, args=(), kwargs=None, **options) -> None:
        self.sent.append((name, list(args or ()), dict(kwargs or {})))

    def drain(self) -> None:
        while self.sent:
            name, args, kwargs = self.sent.pop(0)
            if name == "annotations.tasks.import_articles":
                continue  # run_import is called directly
            current_app.tasks[name](*args, **kwargs)


def rows() -> int:
    return ArticleChange.objects.count()


def import_articles(n: int, tasks: InlineTasks) -> tuple[ImportJob, int, int]:
    """The finished job, rows added by the import, rows added by its follow-ups."""
    run = uuid.uuid4().hex[:8]
    records = [
        {
            "title": f"Report {run}-{i}",
            "body": "\n".join(
                f"The minister said unemployment fell to {i}.{p} percent in 20{p} ({run}). "
                f"Critics denied that {p * 3},000 jobs were created."
                for p in range(10)
            ),
            "url": f"https://bench.example.org/{run}/{i}",
            "language": "en",
        }
        for i in range(n)
    ]
    upload = ContentFile("\n".join(json.dumps(r) for r in records).encode(), name="bench.jsonl")
    before = rows()
    job = start_import(created_by=None, upload=upload)
    job = run_import(job.pk)
    imported = rows() - before
    tasks.drain()
    return job, imported, rows() - imported - before


def review(article: Article, tasks: InlineTasks) -> int:
    """Rows one claim's review adds: claim, source, verdict, approval, and their follow-ups."""
    users = get_user_model().objects
    stamp = uuid.uuid4().hex[:8]
    reviewer = users.create(username=f"bench-reviewer-{stamp}")
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    editor = users.create(username=f"bench-editor-{stamp}")
    editor.groups.add(Group.objects.get(name="Editor"))
    sentence = article.sentences.order_by("position").first()
    before = rows()
    claim = create_claim(
        article=article, created_by=reviewer, start=sentence.start, end=sentence.end
    )
    add_source(claim=claim, created_by=reviewer, url="https://stats.example.org/jobs")
    verdict = submit_verdict(
        claim=claim,
        author=reviewer,
        rating=Rating.objects.filter(scale__is_default=True).first(),
        explanation="The statistics office's table shows a different figure.",
    )
    approve_verdict(verdict=verdict, editor=editor)
    tasks.drain()
    return rows() - before


def spread_rows(article_ids: list[int], total: int) -> None:
    """Add `total` rows: nine tenths over `article_ids`, a tenth over ids of no article."""
    gone = max(article_ids) + 1_000_000
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO annotations_articlechange (article_id)"
            " SELECT CASE WHEN g %% 10 = 0 THEN %s + (g / 10) %% 100"
            " ELSE (%s::bigint[])[1 + (g / 10) %% %s] END FROM generate_series(1, %s) AS g",
            [gone, article_ids, len(article_ids), total],
        )


OLD_VERSION_SQL = (
    "SELECT (SELECT COUNT(*) FROM annotations_articlechange WHERE article_id = %(id)s),"
    " (SELECT COUNT(*) FROM annotations_articlechange WHERE article_id IS NULL)"
)
NEW_VERSION_SQL = (
    "SELECT (SELECT COALESCE(SUM(changes), 0) FROM annotations_articlechange"
    " WHERE article_id = %(id)s),"
    " (SELECT COALESCE(SUM(changes), 0) FROM annotations_articlechange WHERE article_id IS NULL)"
)


def sql_p50(sql: str, article_id: int) -> float:
    """p50 ms of one version query in raw SQL (the counts of before the fold; the sums now)."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(READS):
            started = time.perf_counter()
            cursor.execute(sql, {"id": article_id})
            cursor.fetchone()
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def read_p50(token: str, article_id: int) -> tuple[float, float, int]:
    """p50 ms of a cached page read and of its version query alone; the read's queries."""
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    url = f"/api/v1/articles/{article_id}/"
    assert client.get(url).status_code == 200  # cached from here on
    reads, versions = [], []
    for _ in range(READS):
        started = time.perf_counter()
        client.get(url)
        reads.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    user = Token.objects.get(key=token).user
    for _ in range(READS):
        started = time.perf_counter()
        article_page.article_versions(user=user).get(pk=article_id)
        versions.append(time.perf_counter() - started)
    return statistics.median(reads) * 1000, statistics.median(versions) * 1000, len(queries)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    cache.clear()
    with InlineTasks() as tasks:
        job, imported, follow_ups = import_articles(n, tasks)
        articles = list(Article.objects.filter(import_job=job).order_by("pk"))
        reviewed = review(articles[0], tasks)
    print(f"article_changes_bench: {job.created} articles imported ({job.status})")
    print(
        f"  rows per imported article: {imported / job.created:.2f} by the import,"
        f" {follow_ups / job.created:.2f} by its follow-up tasks,"
        f" {(imported + follow_ups) / job.created:.2f} in all"
    )
    print(f"  rows per review (claim, source, verdict, approval): {reviewed}")

    compact_article_changes()  # start from a compacted table: the figures below are this run's
    reader = get_user_model().objects.create(username=f"bench-reader-{uuid.uuid4().hex[:8]}")
    reader.groups.add(Group.objects.get(name="Reviewer"))
    token = Token.objects.create(user=reader).key
    target = articles[0].pk
    spread_rows([a.pk for a in articles], total)
    per_article = ArticleChange.objects.filter(article_id=target).count()
    connection.cursor().execute("VACUUM ANALYZE annotations_articlechange")
    before = read_p50(token, target)
    raw_count, raw_sum = sql_p50(OLD_VERSION_SQL, target), sql_p50(NEW_VERSION_SQL, target)
    version = article_page.article_versions(user=reader).get(pk=target)
    started = time.perf_counter()
    done = compact_article_changes()
    seconds = time.perf_counter() - started
    after = read_p50(token, target)
    raw_sum_after = sql_p50(NEW_VERSION_SQL, target)
    assert article_page.article_versions(user=reader).get(pk=target) == version
    print(
        f"  compaction of {done.rows_deleted:,} rows ({total:,} added over {len(articles)}"
        f" articles and 100 deleted ones): {seconds:.2f} s, {done.batches} batch(es),"
        f" {done.articles_folded} articles folded, {done.articles_dropped} dropped,"
        f" {done.rows_added} rows left"
    )
    print(
        f"  cached read p50 of {READS}: {before[0]:.2f} ms before ({per_article} rows for the"
        f" article, {before[2]} queries), {after[0]:.2f} ms after ({after[2]} queries);"
        " version unchanged"
    )
    print(f"  version query p50: {before[1]:.3f} ms before, {after[1]:.3f} ms after")
    print(
        f"  raw version SQL p50: sums {raw_sum:.3f} ms before, {raw_sum_after:.3f} ms after;"
        f" counts before (the reader before folds existed) {raw_count:.3f} ms"
    )
    Article.objects.filter(import_job=job).delete()
    compact_article_changes()
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
