"""Claim search in the admin and the API, before and after the trigram indexes, on N claims.

python bench/claim_search_bench.py [N]   (default 20000; the issue's figures are 20000 and 100000)

In a throwaway PostgreSQL database named after DATABASE_URL's with `_searchbench` appended:
migrates to just before the indexes (0006), builds N claims (ten per article) with varied
wording, then times the admin changelist `?q=` and the API's `claims/?search=` (median of 7
requests each, the whole request and its SQL) for a rare word, a rarer two-word search and a
claimant; then applies the migration that builds the indexes (timed) and times the same
requests again, printing the plan PostgreSQL chose for the admin's search. The database is
dropped at the end.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BEFORE = "0006_exportjob_scheduled"
AFTER = "0007_segment_claim_trigram"
SEARCHES = {
    "rare word": "quetzal",  # in 1 claim of 2,000
    "two words": "quetzal harbour",
    "claimant": "Okonkwo",  # one speaker of 500
}


def bench_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factcheck")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("The claim search benchmark needs PostgreSQL: set DATABASE_URL.")
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_searchbench"))


def admin_execute(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def build(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from annotations.models import Article, Claim

    rng = random.Random(15)
    syllables = ["ka", "lo", "mi", "ter", "san", "dor", "vel", "ri", "pa", "nu", "ges", "tal"]
    words = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(20000)})
    names = [
        f"{rng.choice(['Ana', 'Luis', 'Mei', 'Omar', 'Sara'])} {w.title()}" for w in words[:499]
    ]
    names.append("Grace Okonkwo")
    User = get_user_model()
    author = User.objects.create_user("bench-author")
    User.objects.create_user("bench-moderator", password="bench-pass-1234").groups.add(
        Group.objects.get(name="Moderator")
    )
    User.objects.create_user("bench-reviewer", password="bench-pass-1234").groups.add(
        Group.objects.get(name="Reviewer")
    )
    articles = Article.objects.bulk_create(
        [
            Article(title=f"Article {i}", body=f"Body {i}.", content_hash=f"{i:064x}")
            for i in range(max(1, n // 10))
        ],
        batch_size=5000,
    )

    def quote(i: int) -> str:
        picked = rng.choices(words, k=rng.randint(10, 25))
        if i % 2000 == 7:
            picked[3] = "quetzal"
            if i % 4000 == 7:
                picked[-2] = "harbour"
        return " ".join(picked).capitalize() + "."

    Claim.objects.bulk_create(
        (
            Claim(
                article=articles[i // 10],
                start=0,
                end=5,
                quote_exact=quote(i),
                text=quote(i + 1) if i % 3 == 0 else "",
                claimant=names[i % len(names)],
                created_by=author,
                status=("draft", "submitted", "published")[i % 3],
            )
            for i in range(n)
        ),
        batch_size=5000,
    )


def measure(client, url: str, repeat: int = 7) -> tuple[float, float, int]:
    """Median ms of the whole request and of its SQL, and its query count, over `repeat`
    requests after one to warm the caches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    pages, sql = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            pages.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries))
    return statistics.median(pages) * 1000, statistics.median(sql) * 1000, len(queries)


def run_searches(clients) -> dict[tuple[str, str], tuple[float, int, float]]:
    results = {}
    for label, term in SEARCHES.items():
        results["admin", label] = measure(
            clients["admin"], "/admin/annotations/claim/?" + urlencode({"q": term})
        )
        results["api", label] = measure(
            clients["api"], "/api/v1/claims/?" + urlencode({"search": term})
        )
    return results


def admin_plan(term: str) -> str:
    """The scan nodes PostgreSQL chose for the admin's search of `term`."""
    from django.db import connection

    from annotations.models import Claim
    from annotations.search import search_claims

    sql, params = search_claims(Claim.objects.all(), term).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        nodes = [row[0].strip(" ->") for row in cursor.fetchall() if "Scan" in row[0]]
    return "; ".join(node.split("  (")[0] for node in nodes)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    url = bench_url()
    name = urlsplit(url).path.lstrip("/")
    admin_execute(url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_execute(url, f'CREATE DATABASE "{name}"')
    try:
        os.environ["DATABASE_URL"] = url
        os.environ["ALLOWED_HOSTS"] = "testserver"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
        os.environ["AXES_ENABLED"] = "False"
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        call_command("migrate", "annotations", BEFORE, verbosity=0)
        call_command("migrate", verbosity=0)  # the other apps, not past BEFORE
        call_command("migrate", "annotations", BEFORE, verbosity=0)
        start = time.perf_counter()
        build(n)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"built {n} claims in {time.perf_counter() - start:.1f}s")

        clients = {"admin": Client(), "api": Client()}
        users = get_user_model().objects
        clients["admin"].force_login(users.get(username="bench-moderator"))
        clients["api"].force_login(users.get(username="bench-reviewer"))

        before = run_searches(clients)
        plan_before = admin_plan(SEARCHES["rare word"])
        start = time.perf_counter()
        call_command("migrate", "annotations", AFTER, verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE annotations_claim")
        print(f"trigram indexes built in {time.perf_counter() - start:.1f}s")
        after = run_searches(clients)
        plan_after = admin_plan(SEARCHES["rare word"])

        print(f"{'median ms, before -> after':<24} {'request':>22} {'its SQL':>22}  queries")
        for (where, label), (page, sql, queries) in before.items():
            page_after, sql_after, queries_after = after[where, label]
            print(
                f"{where + ' ' + label:<24} {page:>7.1f} -> {page_after:>5.1f} "
                f"({page / page_after:>4.1f}x) {sql:>7.1f} -> {sql_after:>5.1f} "
                f"({sql / sql_after:>4.1f}x)  {queries} -> {queries_after}"
            )
        print(f"plan before: {plan_before}")
        print(f"plan after:  {plan_after}")
    finally:
        from django.db import connections

        connections.close_all()
        admin_execute(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
