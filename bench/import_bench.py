"""Import N realistic ~2 KB articles through a real job on real workers, and print the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck_bench \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/import_bench.py 10000 \
    --workers 1,2

For each worker count in `--workers` (default 1), that many worker processes (solo pool, every
queue: they import, index and score) run one job of N fresh articles; an import of more than
IMPORT_CHUNK_SIZE records fans out into chunks they share (annotations.importing.chunks). Prints
articles/s and sentences/s of the job, how long from the job's start until every article it
created could be found by the article search (search documents are built by follow-up tasks on
the same workers), the workers' peak memory (RSS sampled with psutil, splitting processes
included, and its growth over the idle workers), and the floor: `split_sentences` alone on the
same bodies plus a raw PostgreSQL COPY of the same sentence rows into a table like the sentences'
own (logged, same indexes; no foreign key, which the real table checks for every row). The
database must be migrated; the benchmark deletes what it imported.
"""

import argparse
import contextlib
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import django
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("DEBUG", "True")  # a development run: no SECRET_KEY needed
django.setup()

from django.conf import settings  # noqa: E402
from django.core.files import File  # noqa: E402
from django.db import connection  # noqa: E402

from annotations.models import (  # noqa: E402
    Article,
    ArticleSearch,
    ImportJob,
    Sentence,
    SentenceEmbedding,
    normalise_body,
)
from annotations.segmentation import split_sentences  # noqa: E402
from annotations.services import start_import  # noqa: E402

SUBJECTS = ["The minister", "Dr. Alvarez", "The U.S. agency", "A spokesperson", "Critics"]
VERBS = ["said", "claimed", "told reporters", "wrote in a statement", "denied"]
FACTS = [
    "that unemployment fell to {n}.{m} percent in {y}",
    "the programme cost approx. {n} million euros",
    "emissions rose {n} percent between {y} and {z}",
    '"we have never cut the health budget", adding that {n},000 nurses were hired',
    "the bill passed by {n} votes to {m} on Tuesday",
]


def article(rng: random.Random, run: str, i: int) -> dict:
    paragraphs = []
    while sum(len(p) for p in paragraphs) < 1900:
        sentences = []
        for _ in range(rng.randint(1, 3)):
            fact = rng.choice(FACTS).format(
                n=rng.randint(2, 99), m=rng.randint(0, 9), y=rng.randint(1990, 2020), z=2024
            )
            sentences.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {fact}.")
        paragraphs.append(" ".join(sentences))
    title = f"Report {run}-{i}: {paragraphs[0][:60]}"
    return {
        "title": title,
        "body": title + "\n" + "\n".join(paragraphs),
        "url": f"https://bench.example.org/{run}/{i}",
        "publisher": "Bench Wire",
        "published_at": "2024-05-01T10:00:00Z",
        "language": "en",
    }


WORKER = [sys.executable, "-m", "celery", "-A", "factcheck", "worker", "--pool=solo"]
EVERY_QUEUE = "--queues=imports,exports,search,models,celery"  # one worker, every queue
# --models-apart: as `make run` and Compose run them, model work (claim memory's embeddings,
# check-worthiness) on a worker of its own beside the one that imports and indexes.
NOT_MODELS = "--queues=imports,exports,search,celery"
MODELS_WORKER = [*WORKER, "--queues=models", "-n", "models@%h"]


def worker_env() -> dict[str, str]:
    # The worker runs as in production: with DEBUG on, Django keeps every query's SQL (the
    # article bodies included) and the worker's memory grows with N for that reason alone.
    return {
        **os.environ,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "False",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    }


def rss(process: psutil.Process) -> int:
    """Resident memory of the worker and its children (the import's splitting process)."""
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # it just ended
            total += child.memory_info().rss
    return total


def ready(count: int, *, timeout: float = 120) -> None:
    """Wait until `count` workers answer a ping: a worker still starting would make the
    figures of more workers look worse than they are."""
    from factcheck.celery import app

    deadline = time.monotonic() + timeout
    while len(app.control.ping(timeout=1.0)) < count:
        if time.monotonic() > deadline:
            sys.exit(f"{count} workers did not start within {timeout:g} s")


def run_job(
    path: Path, *, workers: int = 1, models_apart: bool = False, without_models: bool = False
) -> tuple[ImportJob, int, int, float]:
    """The finished job, the workers' idle RSS and peak RSS (bytes) during the job, and the
    seconds from the job's start until every article it created had its search document."""
    quiet = ["--loglevel=WARNING", "--without-gossip", "--without-mingle"]
    queues = NOT_MODELS if models_apart or without_models else EVERY_QUEUE
    started = [
        subprocess.Popen(
            [*WORKER, queues, "-n", f"bench{number}@%h", *quiet], cwd=ROOT, env=worker_env()
        )
        for number in range(workers)
    ]
    models = (
        subprocess.Popen([*MODELS_WORKER, *quiet], cwd=ROOT, env=worker_env())
        if models_apart
        else None
    )
    processes = [psutil.Process(worker.pid) for worker in started]
    try:
        ready(workers + (1 if models else 0))
        time.sleep(2)  # settled: the idle figure is the baseline
        idle = sum(rss(process) for process in processes)
        with path.open("rb") as handle:
            job = start_import(created_by=None, upload=File(handle, name=path.name))
        peak = idle
        while not job.is_finished:
            peak = max(peak, sum(rss(process) for process in processes))
            time.sleep(0.05)
            job.refresh_from_db()
        # The same workers build the search documents (annotations.search).
        documents = ArticleSearch.objects.filter(article__import_job=job)
        while documents.count() < job.created:
            time.sleep(0.05)
        searchable = time.time() - job.started_at.timestamp()
        if models_apart:
            embedded = SentenceEmbedding.objects.filter(sentence__article__import_job=job).count()
            scored = Sentence.objects.filter(
                article__import_job=job, checkworthiness__isnull=False
            ).count()
            print(f"  models worker by then: {embedded} sentences embedded, {scored} scored")
        return job, idle, peak, searchable
    finally:
        if without_models:
            from factcheck.celery import app

            with app.connection_for_write() as broker:
                broker.default_channel.queue_purge("models")
        for running in filter(None, [*started, models]):
            running.terminate()
        for running in filter(None, [*started, models]):
            try:
                running.wait(timeout=30)
            except subprocess.TimeoutExpired:  # the models worker busy embedding a backlog
                running.kill()
                running.wait()


def floor(bodies: list[str]) -> tuple[float, float, int]:
    """Seconds of split_sentences alone, seconds of a raw COPY of the same rows, row count."""
    started = time.perf_counter()
    rows = []
    for number, body in enumerate(bodies):
        for position, span in enumerate(split_sentences(body, "en")):
            rows.append((number, position, span.start, span.end, span.text, span.paragraph))
    split_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_sentence (LIKE annotations_sentence INCLUDING ALL)")
        started = time.perf_counter()
        with cursor.cursor.copy(
            'COPY bench_sentence (id, article_id, position, start, "end", text, paragraph) '
            "FROM STDIN"
        ) as copy:
            for number, row in enumerate(rows, start=1):
                copy.write_row((number, *row))
        copy_seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_sentence")
    return split_seconds, copy_seconds, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=2000)
    parser.add_argument(
        "--workers",
        default="1",
        help="worker process counts to compare, comma-separated (e.g. 1,2)",
    )
    parser.add_argument(
        "--models-apart",
        action="store_true",
        help="run model work on a worker of its own, as make run and Compose do",
    )
    parser.add_argument(
        "--without-models",
        action="store_true",
        help="run no model work (its tasks are purged at the end): the import and indexing alone",
    )
    args = parser.parse_args()
    counts = [int(count) for count in args.workers.split(",")]
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a migrated PostgreSQL database.")
    rng = random.Random(42)
    load = os.getloadavg()
    print(
        f"import_bench N={args.n}  (batch {settings.IMPORT_BATCH_SIZE}, chunks of "
        f"{settings.IMPORT_CHUNK_SIZE}; {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} / {load[1]:.1f} at the start)"
    )
    bodies: list[str] = []
    done: list[ImportJob] = []
    # One media directory for every run: the file storage keeps the first MEDIA_ROOT it saw.
    media = tempfile.TemporaryDirectory()
    settings.MEDIA_ROOT = media.name
    for workers in counts:
        run = uuid.uuid4().hex[:8]  # fresh articles: none is a duplicate of the last run's
        records = [article(rng, run, i) for i in range(args.n)]
        bodies = bodies or [normalise_body(r["body"]) for r in records]
        with tempfile.TemporaryDirectory(dir=media.name) as tmp:
            path = Path(tmp) / f"bench-{args.n}.jsonl"
            path.write_text("\n".join(json.dumps(r) for r in records))
            size_mb = path.stat().st_size / 1e6
            job, idle, peak, searchable = run_job(
                path,
                workers=workers,
                models_apart=args.models_apart,
                without_models=args.without_models,
            )
            seconds = (job.finished_at - job.started_at).total_seconds()
            sentences = Sentence.objects.filter(article__import_job=job).count()
            done.append(job)
        print(
            f"  {workers} worker{'s' if workers > 1 else ' '}: {job.status}, created "
            f"{job.created}, duplicates {job.duplicates}, failed {job.failed}, "
            f"{sentences} sentences, {job.chunks_cut} chunks ({size_mb:.1f} MB JSONL)"
        )
        print(
            f"    job time          {seconds:8.2f} s   {job.created / seconds:8.0f} articles/s "
            f"{sentences / seconds:9.0f} sentences/s"
        )
        print(f"    all searchable    {searchable:8.2f} s after the job started", flush=True)
        print(
            f"    workers' RSS: idle {idle / 1e6:.0f} MB, peak {peak / 1e6:.0f} MB "
            f"(+{(peak - idle) / 1e6:.0f} MB during the job)"
        )
    media.cleanup()
    split_seconds, copy_seconds, rows = floor(bodies)
    print(f"  floor: split        {split_seconds:8.2f} s   ({rows} sentence rows)")
    print(f"  floor: raw COPY     {copy_seconds:8.2f} s")
    print(f"  floor total         {split_seconds + copy_seconds:8.2f} s   (one process)")
    load = os.getloadavg()
    print(f"  load average at the end {load[0]:.1f} / {load[1]:.1f}", flush=True)
    # Last, once the figures are out: Django collects the articles' sentences to delete them
    # (53 s for 29,000 articles and their 786,000 sentences, measured).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE annotations_article, annotations_sentence")
    Article.objects.filter(import_job__in=done).delete()


if __name__ == "__main__":
    main()
