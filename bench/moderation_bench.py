"""Admin moderation console at scale: changelists, the queue and a bulk action on N claims.

python bench/moderation_bench.py [N]   (default 20000; the issue's figure is 100000)

Builds N claims (ten per article), N/10 comments, N/20 open flags and N audit events in a
throwaway PostgreSQL database named after DATABASE_URL's with `_modbench` appended, then, signed
in as a moderator, times each admin page (median of 5 requests) and counts its SQL queries, and
times a bulk "hide" of 100 claims through the admin action. The database is dropped at the end.
"""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def bench_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factcheck")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("The moderation benchmark needs PostgreSQL: set DATABASE_URL.")
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_modbench"))


def admin_execute(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def build(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from annotations.models import Article, AuditEvent, Claim, Comment, Flag

    User = get_user_model()
    reviewer_group = Group.objects.get(name="Reviewer")
    reviewers = User.objects.bulk_create(
        [User(username=f"reviewer{i}", email=f"r{i}@example.org") for i in range(50)]
    )
    reviewer_group.user_set.add(*reviewers)
    body = "Officials said the plan would cut emissions by 40 percent by 2030. Critics disagreed."
    articles = Article.objects.bulk_create(
        [
            Article(title=f"Article {i}", body=f"{body} ({i})", content_hash=f"{i:064x}")
            for i in range(n // 10)
        ],
        batch_size=5000,
    )
    claims = Claim.objects.bulk_create(
        [
            Claim(
                article=articles[i // 10],
                start=0,
                end=66,
                quote_exact=body[:66],
                claimant="Officials",
                created_by=reviewers[i % 50],
                status=("draft", "submitted", "published")[i % 3],
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    comments = Comment.objects.bulk_create(
        [
            Comment(claim=claims[i * 10], author=reviewers[i % 50], body=f"Comment {i}")
            for i in range(n // 10)
        ],
        batch_size=5000,
    )
    claim_type = ContentType.objects.get_for_model(Claim)
    comment_type = ContentType.objects.get_for_model(Comment)
    Flag.objects.bulk_create(
        [
            Flag(
                content_type=comment_type if i % 2 else claim_type,
                object_id=comments[i // 2].pk if i % 2 else claims[i * 7].pk,
                reason="spam",
                created_by=reviewers[i % 50],
            )
            for i in range(n // 20)
        ],
        batch_size=5000,
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=reviewers[i % 50],
                action="claim.created",
                content_type=claim_type,
                object_id=claims[i].pk,
                object_repr=body[:66],
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    User.objects.create_user("bench-moderator", password="bench-pass-1234").groups.add(
        Group.objects.get(name="Moderator")
    )


def measure(client, url: str, repeat: int = 5) -> tuple[float, int, int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    summary = f"{float(slowest['time']) * 1000:.0f} ms: {slowest['sql'][:60]}"
    return statistics.median(timings) * 1000, len(queries), response.status_code, summary


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
        os.environ.setdefault("DEBUG", "True")  # a development run: no SECRET_KEY needed
        os.environ["AXES_ENABLED"] = "False"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from annotations.models import AuditEvent, Claim

        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        build(n)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"built {n} claims, {n // 10} comments, {n // 20} flags, {n} audit events "
            f"in {time.perf_counter() - start:.1f}s"
        )

        from django.contrib.auth import get_user_model

        client = Client()
        client.force_login(get_user_model().objects.get(username="bench-moderator"))
        pages = [
            "/admin/annotations/claim/",
            "/admin/annotations/claim/?is_hidden__exact=0&status__exact=published",
            "/admin/annotations/claim/?q=emissions",
            "/admin/annotations/comment/",
            "/admin/annotations/flag/?status__exact=open",
            "/admin/annotations/auditevent/",
            "/admin/annotations/auditevent/?action=claim.created",
            "/admin/auth/user/",
            "/admin/moderation/",
        ]
        print(f"{'page':<70} {'median ms':>9} {'queries':>7}  slowest query")
        for page in pages:
            ms, queries, status, slowest = measure(client, page)
            assert status == 200, (page, status)
            print(f"{page:<70} {ms:>9.1f} {queries:>7}  {slowest}")

        ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True)[:100])
        before = AuditEvent.objects.count()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.post(
                "/admin/annotations/claim/",
                {
                    "action": "hide_selected",
                    "_selected_action": ids,
                    "confirm": "yes",
                    "reason": "bench",
                },
            )
            elapsed = time.perf_counter() - start
        assert response.status_code == 302
        hidden = Claim.objects.filter(pk__in=ids, is_hidden=True).count()
        events = AuditEvent.objects.count() - before
        print(
            f"bulk hide of {hidden} claims via the admin action: {elapsed * 1000:.0f} ms, "
            f"{len(queries)} queries ({len(queries) / hidden:.1f} per claim), {events} audit events"
        )
    finally:
        from django.db import connections

        connections.close_all()
        admin_execute(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
