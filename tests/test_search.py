"""Search documents: built after the commit by the worker, once, refreshed when a title changes."""

import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from annotations import search
from annotations.models import Article, ArticleSearch, ImportJob
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
