"""Drive the review API with concurrent clients against gunicorn on loopback; print latencies.

    .venv/bin/python bench/api_bench.py [clients] [requests_per_client]

Uses DATABASE_URL (PostgreSQL recommended) or, without it, a throwaway SQLite file. Seeds its own
users (bench-*) and articles (one of 300 sentences and 50 claims), starts gunicorn on a free
127.0.0.1 port, then each client runs a reviewer's loop: list, search, open the long article,
list claims, mark a claim, edit it with If-Match, cite a source. Prints p50/p95 per endpoint.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed() -> tuple[str, int, int, int]:
    """(reviewer token, long article id, its last sentence id, number of articles)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from annotations.models import Article, Claim
    from annotations.services import create_article, create_claim

    user, _ = get_user_model().objects.get_or_create(username="bench-reviewer")
    user.groups.add(Group.objects.get(name="Reviewer"))
    token, _ = Token.objects.get_or_create(user=user)
    stamp = time.time_ns()
    body = "\n".join(
        f"Claim {i} of run {stamp}: unemployment fell by {i} percent." for i in range(300)
    )
    article, _ = create_article(title=f"Long bench article {stamp}", body=body, publisher="Bench")
    sentences = list(article.sentences.order_by("position"))
    if not Claim.objects.filter(article=article).exists():
        for i in range(50):
            s = sentences[i * 6]
            create_claim(article=article, created_by=user, start=s.start, end=s.end)
    for i in range(40):
        create_article(
            title=f"Bench {stamp} #{i}", body=f"Inflation story {stamp}-{i}. Prices rose."
        )
    return token.key, article.pk, sentences[-1].pk, Article.objects.count()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    tmp = tempfile.mkdtemp(prefix="api-bench-")
    env = {
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
        "DEBUG": "False",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "AXES_ENABLED": "False",
        "LOG_LEVEL": "WARNING",
        # All clients share one user: the figures measure the API, not the per-user rate.
        "THROTTLE_USER": "1000000/minute",
        "THROTTLE_ANON": "1000000/minute",
    }
    setup_django(env)
    token, article_id, last_sentence, n_articles = seed()
    port = free_port()
    workers = str(min(8, os.cpu_count() or 2))
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "factcheck.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            workers,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        timings: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)

        def timed(client: httpx.Client, name: str, method: str, url: str, **kw) -> httpx.Response:
            t0 = time.perf_counter()
            response = client.request(method, url, **kw)
            timings[name].append(time.perf_counter() - t0)
            if response.status_code >= 400:
                errors[name] += 1
            return response

        def reviewer_loop(n: int) -> None:
            headers = {"Authorization": f"Token {token}"}
            with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30) as c:
                for _ in range(rounds):
                    timed(c, "GET articles/", "GET", "/articles/")
                    timed(
                        c, "GET articles/?q=", "GET", "/articles/", params={"q": "inflation prices"}
                    )
                    timed(c, "GET articles/{id}/ (300 s, 50+ c)", "GET", f"/articles/{article_id}/")
                    timed(
                        c, "GET claims/?article=", "GET", "/claims/", params={"article": article_id}
                    )
                    claim = timed(
                        c,
                        "POST claims/",
                        "POST",
                        "/claims/",
                        json={"article": article_id, "sentences": [last_sentence]},
                    ).json()
                    etag = timed(c, "GET claims/{id}/", "GET", f"/claims/{claim['id']}/").headers[
                        "ETag"
                    ]
                    timed(
                        c,
                        "PATCH claims/{id}/ (If-Match)",
                        "PATCH",
                        f"/claims/{claim['id']}/",
                        json={"text": f"client {n}"},
                        headers={"If-Match": etag},
                    )
                    timed(
                        c,
                        "POST claims/{id}/sources/",
                        "POST",
                        f"/claims/{claim['id']}/sources/",
                        json={"url": "https://stats.example.org/unemployment", "stance": "refutes"},
                    )

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(reviewer_loop, range(clients)))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)

    total = sum(len(v) for v in timings.values())
    db = env["DATABASE_URL"].split("://")[0]
    print(
        f"{clients} clients x {rounds} rounds, gunicorn -w {workers}, {db}, {n_articles} articles"
    )
    print(f"{'endpoint':40} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    for name, values in timings.items():
        ms = [v * 1000 for v in values]
        print(
            f"{name:40} {len(ms):5d} {statistics.median(ms):8.1f} {percentile(ms, 0.95):8.1f}"
            f" {errors[name]:6d}"
        )
    print(f"total {total} requests in {elapsed:.2f} s: {total / elapsed:.0f} requests/s")


if __name__ == "__main__":
    main()
