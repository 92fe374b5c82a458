"""Claims/s and peak memory of each export format, against a raw COPY of the same rows.

python bench/export_bench.py [N]   (default 2000)

Builds N published claims (one source each, ten per article) in a throwaway PostgreSQL database
named after DATABASE_URL's with `_exportbench` appended, then for each format runs `run_export`
-- the code the Celery worker runs -- in a fresh process and reports claims/s, the job's own
started_at to finished_at and its ratio to the floor, peak RSS, the growth of RSS during the
export, and the queries it made (each COPY counted). The floor is `COPY (SELECT ...) TO STDOUT`
of the same data (sources and corrections aggregated as JSON, the last-modified time as the
export computes it), read by psycopg in a process of its own. The database is dropped at the end.
"""

import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMATS = ["jsonl", "csv", "claimreview", "webannotation"]

COPY_SQL = """
COPY (
  SELECT c.id, c.quote_exact, c.quote_prefix, c.quote_suffix, c.claimant, c.text, c.start,
         c."end", c.created_at, c.published_at,
         GREATEST(c.updated_at, a.updated_at, v.updated_at,
                  (SELECT max(so.updated_at) FROM annotations_source so WHERE so.claim_id = c.id),
                  (SELECT max(co.created_at) FROM annotations_correction co
                    WHERE co.claim_id = c.id)),
         a.id, a.title, a.url, a.publisher, a.published_at, a.language,
         v.explanation, v.reviewed_at, r.slug, r.label, r.value, s.slug, s.best_rating,
         s.worst_rating, au.username, au.first_name, au.last_name, ed.username, ed.first_name,
         ed.last_name,
         (SELECT json_agg(json_build_object('url', so.url, 'title', so.title,
                 'publisher', so.publisher, 'quote', so.quote, 'stance', so.stance))
            FROM annotations_source so WHERE so.claim_id = c.id AND NOT so.is_hidden),
         (SELECT json_agg(json_build_object('kind', co.kind, 'note', co.note,
                 'created_at', co.created_at))
            FROM annotations_correction co WHERE co.claim_id = c.id)
  FROM annotations_claim c
  JOIN annotations_article a ON a.id = c.article_id
  JOIN annotations_verdict v ON v.id = c.published_verdict_id
  JOIN annotations_rating r ON r.id = v.rating_id
  JOIN annotations_ratingscale s ON s.id = r.scale_id
  JOIN auth_user au ON au.id = v.author_id
  LEFT JOIN auth_user ed ON ed.id = v.reviewed_by_id
  WHERE c.status = 'published' AND NOT c.is_hidden AND v.status = 'approved'
  ORDER BY c.id
) TO STDOUT
"""


def bench_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factcheck")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("The export benchmark needs PostgreSQL: set DATABASE_URL.")
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_exportbench"))


def admin_execute(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def setup_django(url: str, media_root: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = media_root
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    os.environ.setdefault("DEBUG", "True")
    import django

    django.setup()


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1e6


def peak_mb() -> float:
    # VmHWM, not ru_maxrss: a spawned child inherits its parent's ru_maxrss across exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1e3
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def populate(n: int) -> None:
    """N published claims with one source each, ten claims per article, in bulk."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from annotations.models import Article, Claim, Rating, Source, Verdict, content_hash

    user_model = get_user_model()
    reviewer = user_model.objects.create(username="bench-reviewer", first_name="Rita")
    editor = user_model.objects.create(username="bench-editor", first_name="Eli")
    ratings = list(Rating.objects.filter(scale__is_default=True))
    now = timezone.now()
    quote = "Officials said the plan would cut emissions by 40 percent by 2030."
    batch = 5000
    with transaction.atomic():
        articles = [
            Article(
                title=f"Article {i}",
                url=f"https://news.example.org/{i}",
                publisher="Example News",
                published_at=now,
                body=f"{quote}\nArticle number {i} ends here.",
                content_hash=content_hash(f"{quote}\nArticle number {i} ends here."),
            )
            for i in range(max(1, n // 10))
        ]
        Article.objects.bulk_create(articles, batch_size=batch)
        claims = Claim.objects.bulk_create(
            (
                Claim(
                    article=articles[i % len(articles)],
                    start=0,
                    end=len(quote),
                    quote_exact=quote,
                    quote_suffix="\nArticle number",
                    claimant="Officials" if i % 2 else "=Minister Ruiz",
                    text=f"Claim {i}: the plan cuts emissions by 40 percent.",
                    status=Claim.Status.PUBLISHED,
                    published_at=now,
                    created_by=reviewer,
                )
                for i in range(n)
            ),
            batch_size=batch,
        )
        Verdict.objects.bulk_create(
            (
                Verdict(
                    claim=claim,
                    rating=ratings[i % len(ratings)],
                    explanation="The official projections show a 12 percent cut, not 40.",
                    author=reviewer,
                    status=Verdict.Status.APPROVED,
                    reviewed_by=editor,
                    reviewed_at=now,
                )
                for i, claim in enumerate(claims)
            ),
            batch_size=batch,
        )
        Source.objects.bulk_create(
            (
                Source(
                    claim=claim,
                    url=f"https://evidence.example.org/report/{claim.pk}",
                    title="Official emissions report",
                    quote="Emissions are projected to fall by 12 percent by 2030.",
                    stance=Source.Stance.REFUTES,
                    created_by=reviewer,
                )
                for claim in claims
            ),
            batch_size=batch,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE annotations_claim c SET published_verdict_id = v.id "
                "FROM annotations_verdict v WHERE v.claim_id = c.id"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run_format(url: str, media_root: str, fmt: str, queue) -> None:
    setup_django(url, media_root)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from annotations.exporting.run import run_export
    from annotations.models import ExportJob

    # A running worker has its URL resolver built after its first task; the first reverse()
    # builds it (70 ms), which a benchmark in a fresh process would otherwise count.
    reverse("frontend:public-ratings")
    job = ExportJob.objects.create(format=fmt)
    connection.ensure_connection()
    before = rss_mb()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        run_export(job)
    seconds = time.perf_counter() - started
    size = job.output_file.size
    # The job's own figure, as its row records it (what the targets are measured by).
    job_seconds = (job.finished_at - job.started_at).total_seconds()
    queue.put(
        (
            fmt,
            job.status,
            job.created,
            seconds,
            job_seconds,
            peak_mb(),
            peak_mb() - before,
            len(queries),
            size,
        )
    )


def run_copy(url: str, media_root: str, queue) -> None:
    import psycopg

    before = rss_mb()
    started = time.perf_counter()
    rows = size = 0
    with (
        psycopg.connect(url) as conn,
        conn.cursor() as cursor,
        cursor.copy(COPY_SQL) as copy,
        open(os.devnull, "wb") as sink,
    ):
        for data in copy:
            sink.write(data)
            size += len(data)
            rows += bytes(data).count(b"\n")
    seconds = time.perf_counter() - started
    queue.put(("COPY floor", "ok", rows, seconds, seconds, peak_mb(), peak_mb() - before, 1, size))


def in_child(target, *args):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get(timeout=3600)
    process.join()
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    url = bench_url()
    name = urlsplit(url).path.lstrip("/")
    media_root = tempfile.mkdtemp(prefix="export-bench-")
    admin_execute(url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_execute(url, f'CREATE DATABASE "{name}"')
    try:
        setup_django(url, media_root)
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        populate(n)
        print(f"{n} published claims created in {time.perf_counter() - started:.1f} s")
        connections.close_all()

        results = [in_child(run_copy, url, media_root)]
        results += [in_child(run_format, url, media_root, fmt) for fmt in FORMATS]
        floor = results[0][3]
        print(
            f"{'format':<14}{'claims':>9}{'seconds':>9}{'claims/s':>11}{'x COPY':>8}"
            f"{'job s':>8}{'job x COPY':>12}"
            f"{'peak RSS MB':>13}{'RSS growth MB':>15}{'queries':>9}{'MB out':>8}"
        )
        for fmt, status, count, seconds, job_seconds, peak, growth, queries, size in results:
            assert status in ("ok", "succeeded"), (fmt, status)
            print(
                f"{fmt:<14}{count:>9}{seconds:>9.2f}{count / seconds:>11.0f}"
                f"{seconds / floor:>8.2f}{job_seconds:>8.2f}{job_seconds / floor:>12.2f}"
                f"{peak:>13.1f}{growth:>15.1f}{queries:>9}{size / 1e6:>8.1f}"
            )
        print(
            "seconds: run_export in the worker's process; job s: the job's started_at to "
            "finished_at; queries: Django's count, each COPY included"
        )
    finally:
        from django.db import connections

        connections.close_all()
        admin_execute(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
