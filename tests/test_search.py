"""Search documents: built after the commit by the worker, once, refreshed when a title changes."""

import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations import search
from annotations.models import Article, ArticleSearch, Claim, ImportJob
from annotations.services import create_article, start_import
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="search documents are PostgreSQL's tsvector"
)


def _found(text: str) -> set[int]:
    return set(search.search_articles(Article.objects.all(), text).values_list("id", flat=True))


def _wait(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_documents_are_built_once_and_refreshed_on_request(db):
    article = ArticleFactory(
        title="Inflación", body="Los precios subieron en marzo.", with_search_document=False
    )
    other = ArticleFactory(title="Weather", body="Rain all week.", with_search_document=False)
    assert _found("precios") == set()  # no document yet: not findable

    assert search.index_articles(Article.objects.filter(pk=article.pk)) == 1
    assert _found("precios") == {article.pk}
    assert _found("inflación") == {article.pk}  # the title is in the document too
    assert search.index_articles(Article.objects.all()) == 1  # only the missing one
    assert search.index_articles(Article.objects.all()) == 0

    Article.objects.filter(pk=other.pk).update(title="Storm warning")
    assert _found("storm") == set()  # a kept document is not rebuilt...
    search.index_articles(Article.objects.filter(pk=other.pk), refresh=True)
    assert _found("storm") == {other.pk}  # ...unless asked to
    assert ArticleSearch.objects.count() == 2


def test_imported_articles_become_searchable_on_the_worker(celery_worker, settings):
    settings.IMPORT_BATCH_SIZE = 2
    lines = b"\n".join(
        b'{"title": "Report %d", "body": "Quetzalcoatl number %d was sighted."}' % (i, i)
        for i in range(5)
    )
    job = start_import(created_by=None, upload=ContentFile(lines, name="a.jsonl"))
    _wait(lambda: ImportJob.objects.get(pk=job.pk).is_finished)
    assert ImportJob.objects.get(pk=job.pk).created == 5
    # Three batches, three index tasks, then the import's catch-up: every article findable.
    _wait(lambda: len(_found("quetzalcoatl")) == 5)
    assert _found("number 3") >= {Article.objects.get(title="Report 3").pk}


def test_an_article_stored_through_the_service_is_indexed_after_commit(celery_worker):
    article, created = create_article(title="Hapax", body="A word seen once: zyzzyva.")
    assert created
    _wait(lambda: _found("zyzzyva") == {article.pk})


def test_the_import_catch_up_builds_what_lost_tasks_did_not(db):
    job = ImportJob.objects.create(created_by=UserFactory(), original_name="x.jsonl")
    kept = ArticleFactory(import_job=job, body="Kept text.")
    lost = ArticleFactory(import_job=job, body="Lost text.", with_search_document=False)
    ArticleFactory(body="Another import's text.", with_search_document=False)
    from annotations.tasks import index_import

    assert index_import(job.pk) == 1  # only `lost`, and only this job's
    assert _found("text") == {kept.pk, lost.pk}


def test_an_article_is_read_only_in_the_admin_and_stays_found_as_it_was(db):
    """Articles come in through imports and the API, which split and index them: the admin's
    form would change a title without its search document, or a body under its offsets."""
    from django.test import Client

    article = ArticleFactory(title="Old headline", body="Body text stays.")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/annotations/article/{article.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    response = client.post(url, {"title": "Brand new headline", "body": "Rewritten!"})
    assert response.status_code == 403
    article.refresh_from_db()
    assert (article.title, article.body) == ("Old headline", "Body text stays.")
    assert _found("old") == {article.pk}
    assert client.get("/admin/annotations/article/add/").status_code == 403


def test_the_index_command_builds_missing_documents_or_refreshes_all(db):
    from io import StringIO

    from django.core.management import call_command

    indexed = ArticleFactory(title="Indexed", body="First text.")
    missing = ArticleFactory(title="Missing", body="Second text.", with_search_document=False)
    Article.objects.filter(pk=indexed.pk).update(title="Renamed")
    out = StringIO()
    call_command("index_articles", "--chunk=1", stdout=out)
    assert "1 search documents written." in out.getvalue()
    assert _found("second") == {missing.pk}
    assert _found("renamed") == set()
    call_command("index_articles", "--refresh", stdout=out)
    assert _found("renamed") == {indexed.pk}


# --- Claim search: admin and API, one function, trigram indexes ----------------------------------


@pytest.fixture
def claims(db):
    article = ArticleFactory(body="Prices rose.\nThe deficit fell by half.\nNothing else.")
    make = Claim.objects.create
    author = UserFactory(roles=["Reviewer"])

    def claim(quote: str, text: str = "", claimant: str = "") -> int:
        return make(
            article=article,
            created_by=author,
            start=0,
            end=12,
            quote_exact=quote,
            text=text,
            claimant=claimant,
        ).pk

    return {
        "prices": claim("Prices rose in March.", claimant="Ministry of Finance"),
        "deficit": claim("The deficit fell by half.", text="Deficit HALVED since 2020"),
        "wages": claim("Wages stalled.", claimant="Unión de Trabajadores"),
    }


def _claims_found(text: str) -> set[int]:
    return set(search.search_claims(Claim.objects.all(), text).values_list("id", flat=True))


def test_claim_search_finds_each_word_in_any_searched_column_in_any_case(claims):
    assert _claims_found("deficit") == {claims["deficit"]}
    assert _claims_found("halved") == {claims["deficit"]}  # the checker's wording
    assert _claims_found("MINISTRY") == {claims["prices"]}  # the claimant
    assert _claims_found("unión trabajadores") == {claims["wages"]}  # every word, any column
    assert _claims_found("deficit march") == set()  # both words must be in the claim
    assert _claims_found('"fell by half"') == {claims["deficit"]}
    assert _claims_found('"half fell"') == set()  # a quoted phrase is one term
    assert _claims_found("50%_") == set()  # LIKE's wildcards are matched as themselves
    assert _claims_found("   ") == set(Claim.objects.values_list("id", flat=True))
    assert _claims_found("half\x00") == set()  # PostgreSQL refuses NUL in a query: no match


def test_api_claim_search(client_for, reviewer, claims):
    api = client_for(reviewer)
    response = api.get("/api/v1/claims/", {"search": "rose finance"})
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [claims["prices"]]
    # Bad input is a 400 naming the parameter, never a 500.
    for bad in ("x" * 201, "nul\x00byte"):
        response = api.get("/api/v1/claims/", {"search": bad})
        assert response.status_code == 400
        assert "search" in response.json()


def test_admin_claim_search(claims, moderator):
    client = Client()
    client.force_login(moderator)
    page = client.get("/admin/annotations/claim/", {"q": "halved"})
    assert page.status_code == 200
    assert [c.pk for c in page.context["cl"].result_list] == [claims["deficit"]]
    # A NUL, which PostgreSQL refuses in a query: refused before the admin runs, no 500.
    assert client.get("/admin/annotations/claim/", {"q": "half\x00"}).status_code == 400


TRIGRAM_INDEXES = (
    "annotations_claim_quote_exact_trgm",
    "annotations_claim_text_trgm",
    "annotations_claim_claimant_trgm",
)


@pytest.fixture
def many_claims(claims):
    """Enough claims, with statistics, that the planner weighs an index against a scan of all."""
    article = Article.objects.get()
    author = UserFactory(roles=["Reviewer"])
    Claim.objects.bulk_create(
        Claim(
            article=article,
            created_by=author,
            start=0,
            end=12,
            quote_exact=f"Claim {i}: spending on roads grew by {i % 90} percent.",
            claimant=f"Speaker {i % 200}",
        )
        for i in range(5000)
    )
    with connection.cursor() as cursor:
        for index in TRIGRAM_INDEXES:
            # New entries wait in a GIN index's pending list, which the planner prices as a
            # scan; VACUUM would move them into the index, but not inside the test's transaction.
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE annotations_claim")
    return claims


def _plans_of_searches(captured) -> list[str]:
    """EXPLAIN of each captured query that searches claims: the planner's own choice."""
    plans = []
    with connection.cursor() as cursor:
        for query in captured:
            if "LIKE" in query["sql"] and "annotations_claim" in query["sql"]:
                cursor.execute(f"EXPLAIN {query['sql']}")
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def test_admin_claim_search_uses_the_trigram_indexes(many_claims, moderator):
    client = Client()
    client.force_login(moderator)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/admin/annotations/claim/", {"q": "deficit"}).status_code == 200
    plans = _plans_of_searches(captured)
    assert plans  # the changelist's page and its count
    for plan in plans:
        assert all(index in plan for index in TRIGRAM_INDEXES), plan


def test_api_claim_search_uses_the_trigram_indexes(client_for, reviewer, many_claims):
    with CaptureQueriesContext(connection) as captured:
        response = client_for(reviewer).get("/api/v1/claims/", {"search": "deficit half"})
        assert response.status_code == 200
    plans = _plans_of_searches(captured)
    assert len(plans) == 1
    assert all(index in plans[0] for index in TRIGRAM_INDEXES), plans[0]
