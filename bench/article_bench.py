"""The reviewer's page, `GET /api/v1/articles/<id>/`, against its SQL floor (issue 15, item 1).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck_bench \\
        .venv/bin/python bench/article_bench.py [sentences] [claims] [requests]

Seeds an article of 272 sentences (scored) and 50 claims (half with a verdict, some published)
and prints, in one run:
- the floor: the same rows fetched with raw psycopg (article, sentences, claims with their users,
  sentence ids and verdicts) and encoded with `json.dumps`, median of 200;
- the queries one request makes with a token (cold: the page not cached yet; warm);
- one client against gunicorn -w 2 on loopback: p50/p95 and p50 / floor;
- 8 clients at once: p95 and requests/s;
- the CPU time the server spent per request in that run (gunicorn's processes and the
  PostgreSQL backends of this database): unlike the wall times, it hardly moves with the load of
  a shared machine, and 2 cores / it bounds the requests/s an idle machine can serve.
PostgreSQL only (the floor is psycopg). `CACHE_URL` is passed on (default: each gunicorn worker
caches in its own memory).
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIENTS = 8
FLOOR_ROUNDS = 200


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(n_sentences: int, n_claims: int) -> tuple[str, int]:
    """(reviewer token, article id)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from annotations import scoring
    from annotations.models import Claim, Rating, Verdict
    from annotations.services import create_article, create_claim

    users = get_user_model().objects
    reviewer, _ = users.get_or_create(username="bench-reviewer", first_name="Rae", last_name="V")
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    editor, _ = users.get_or_create(username="bench-editor")
    editor.groups.add(Group.objects.get(name="Editor"))
    token, _ = Token.objects.get_or_create(user=reviewer)
    stamp = time.time_ns()
    body = "\n".join(
        f"Claim {i} of run {stamp}: unemployment fell by {i} percent in the third quarter, "
        "the ministry said on Tuesday."
        if i % 3
        else f"Paragraph {i} of {stamp} sets the scene."
        for i in range(n_sentences)
    )
    article, _ = create_article(title=f"Article bench {stamp}", body=body, publisher="Bench")
    scoring.score_articles(article_ids=[article.pk])
    sentences = list(article.sentences.order_by("position"))
    rating = Rating.objects.filter(scale__is_default=True).first()
    step = max(1, len(sentences) // n_claims)
    for i in range(n_claims):
        s = sentences[(i * step) % len(sentences)]
        claim = create_claim(article=article, created_by=reviewer, start=s.start, end=s.end)
        if i % 2:
            status = Verdict.Status.APPROVED if i % 4 == 1 else Verdict.Status.SUBMITTED
            verdict = Verdict.objects.create(
                claim=claim, rating=rating, author=reviewer, status=status, explanation="x" * 40
            )
            if status == Verdict.Status.APPROVED:
                Claim.objects.filter(pk=claim.pk).update(
                    status=Claim.Status.PUBLISHED,
                    published_verdict=verdict,
                    published_at=timezone.now(),
                )
    return token.key, article.pk


FLOOR_SQL = [
    """SELECT a.id, a.title, a.url, a.publisher, a.authors, a.published_at, a.language, a.status,
              a.body, a.created_at, a.updated_at, u.id, u.username, u.first_name, u.last_name
         FROM annotations_article a LEFT JOIN auth_user u ON u.id = a.assignee_id
        WHERE a.id = %(id)s""",
    """SELECT id, position, start, "end", text, paragraph, checkworthiness, claim_type
         FROM annotations_sentence WHERE article_id = %(id)s AND revision_id IS NULL
        ORDER BY position""",
    """SELECT c.id, c.article_id, c.start, c."end", c.status, c.quote_exact, c.quote_prefix,
              c.quote_suffix, c.claimant, c.text, cu.id, cu.username, cu.first_name,
              cu.last_name, au.id, au.username, au.first_name, au.last_name, c.published_at,
              c.is_hidden, c.same_as_id, c.same_as_external_id, c.anchor_status,
              c.anchor_previous, c.text_changed_at, c.created_at, c.updated_at,
              (SELECT array_agg(cs.sentence_id) FROM annotations_claim_sentences cs
                WHERE cs.claim_id = c.id),
              lv.id, lv.status, lv.created_at, lr.slug, lr.label, lr.value, lu.id, lu.username,
              pv.id, pv.status, pv.created_at, pr.slug, pr.label, pr.value, pu.id, pu.username
         FROM annotations_claim c
         JOIN auth_user cu ON cu.id = c.created_by_id
         LEFT JOIN auth_user au ON au.id = c.assignee_id
         LEFT JOIN LATERAL (SELECT * FROM annotations_verdict v WHERE v.claim_id = c.id
                             ORDER BY v.created_at DESC, v.id DESC LIMIT 1) lv ON true
         LEFT JOIN annotations_rating lr ON lr.id = lv.rating_id
         LEFT JOIN auth_user lu ON lu.id = lv.author_id
         LEFT JOIN annotations_verdict pv ON pv.id = c.published_verdict_id
         LEFT JOIN annotations_rating pr ON pr.id = pv.rating_id
         LEFT JOIN auth_user pu ON pu.id = pv.author_id
        WHERE c.article_id = %(id)s AND NOT c.is_hidden
        ORDER BY c.start, c.id""",
]


def floor_ms(url: str, article_id: int) -> float:
    """Median ms to fetch the page's rows with raw psycopg and encode them with json.dumps."""
    times = []
    with psycopg.connect(url) as conn:
        for _ in range(FLOOR_ROUNDS):
            t0 = time.perf_counter()
            rows = [conn.execute(sql, {"id": article_id}).fetchall() for sql in FLOOR_SQL]
            json.dumps(rows, default=str)
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def query_counts(token: str, article_id: int) -> tuple[int, int]:
    """Queries of one request with a token: (page not cached, cached)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/articles/{article_id}/").status_code == 200
        counts.append(len(queries))
    return counts[0], counts[1]


def server_cpu_seconds(server: subprocess.Popen, url: str) -> float:
    """CPU seconds used so far by gunicorn's processes and this database's other backends."""
    with psycopg.connect(url) as conn:
        backends = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    master = psutil.Process(server.pid)
    processes = [master, *master.children(recursive=True)]
    processes += [psutil.Process(pid) for (pid,) in backends if psutil.pid_exists(pid)]
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def timed_gets(base: str, token: str, path: str, n: int) -> list[float]:
    times = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}) as client:
        for _ in range(n):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
    return [t * 1000 for t in times]


def main() -> None:
    n_sentences = int(sys.argv[1]) if len(sys.argv) > 1 else 272
    n_claims = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (the floor is psycopg).")
    ensure_database(url)
    env = {
        "DATABASE_URL": url,
        "DEBUG": "False",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "False",
        "AXES_ENABLED": "False",
        "LOG_LEVEL": "WARNING",
        "THROTTLE_USER": "1000000/minute",
        "THROTTLE_ANON": "1000000/minute",
    }
    setup_django(env)
    token, article_id = seed(n_sentences, n_claims)
    cold, warm = query_counts(token, article_id)
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "factcheck.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    path = f"/api/v1/articles/{article_id}/"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        timed_gets(base, token, path, 40)  # both workers warm, their caches filled
        floor = floor_ms(url, article_id)
        one = timed_gets(base, token, path, requests)
        cpu_before = server_cpu_seconds(server, url)
        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            runs = list(
                pool.map(lambda _: timed_gets(base, token, path, requests // 4), range(CLIENTS))
            )
        elapsed = time.perf_counter() - started
        cpu = server_cpu_seconds(server, url) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=10)
    many = [t for run in runs for t in run]
    p50 = statistics.median(one)
    print(f"GET articles/<id>/: {n_sentences} sentences, {n_claims} claims, gunicorn -w 2")
    print(f"floor (raw psycopg + json.dumps, median of {FLOOR_ROUNDS}): {floor:.2f} ms")
    print(f"queries per request (token): {cold} with the page not cached, {warm} cached")
    print(
        f"1 client, {requests} requests: p50 {p50:.1f} ms, p95 {percentile(one, 0.95):.1f} ms,"
        f" p50 / floor {p50 / floor:.1f}x"
    )
    print(
        f"{CLIENTS} clients x {requests // 4} requests: p50 {statistics.median(many):.1f} ms,"
        f" p95 {percentile(many, 0.95):.1f} ms, {len(many) / elapsed:.0f} requests/s"
    )
    per_request = cpu / len(many) * 1000
    print(
        f"server CPU per request in the {CLIENTS}-client run (gunicorn + PostgreSQL):"
        f" {per_request:.1f} ms, so at most {2000 / per_request:.0f} requests/s on 2 idle cores"
    )
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
