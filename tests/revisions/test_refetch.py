"""The periodic re-fetch: conditional GETs to a local web server, revisions only on new text."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from annotations import refetch, tasks
from annotations.importing.web import extract_page
from annotations.models import Article, ArticleFetchState, ArticleRevision, Claim
from annotations.services import create_article, create_claim
from tests.exporting.test_schedule import beat_schedule
from tests.factories import ArticleFactory
from tests.importing.conftest import article_page

PARAGRAPHS = [
    "The minister said unemployment fell to 7.2 percent in March.",
    "Opposition leaders disputed the figure on Tuesday.",
    "The statistics office will publish its own estimate next week.",
]
CLAIM = "unemployment fell to 7.2 percent in March"


@pytest.fixture
def followed(db, web_site, settings):
    """An article imported from a page of the local web server."""
    settings.REFETCH_INTERVAL_MINUTES = 60
    settings.REFETCH_MAX_INTERVAL_HOURS = 24
    page = article_page("Jobs figures", PARAGRAPHS)
    web_site.pages["/jobs"] = (200, {"ETag": '"v1"', "Content-Type": "text/html"}, page)
    record = extract_page(page, url=f"{web_site.url}/jobs")
    article, _ = create_article(title=record.title, body=record.body, url=f"{web_site.url}/jobs")
    return article


def serve(web_site, paragraphs, etag):
    web_site.pages["/jobs"] = (
        200,
        {"ETag": etag, "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"},
        article_page("Jobs figures", paragraphs),
    )


def test_same_text_makes_no_revision_and_waits_longer(followed, web_site):
    assert refetch.refetch_article(article_id=followed.pk) == "unchanged"
    state = ArticleFetchState.objects.get(article=followed)
    assert state.etag == '"v1"' and state.unchanged_runs == 1 and state.last_error == ""
    wait = state.next_check_at - state.checked_at
    assert wait == timedelta(hours=2)
    assert not ArticleRevision.objects.exists()


def test_the_next_check_is_conditional_and_a_304_changes_nothing(followed, web_site):
    serve(web_site, PARAGRAPHS, '"v1"')
    refetch.refetch_article(article_id=followed.pk)
    web_site.pages["/jobs"] = (304, {"ETag": '"v1"'}, b"")
    assert refetch.refetch_article(article_id=followed.pk) == "not-modified"
    assert web_site.last_headers["If-None-Match"] == '"v1"'
    assert web_site.last_headers["If-Modified-Since"] == "Tue, 01 Dec 2026 10:00:00 GMT"
    state = ArticleFetchState.objects.get(article=followed)
    assert state.unchanged_runs == 2
    assert state.next_check_at - state.checked_at == timedelta(hours=4)


def test_changed_text_records_a_revision_from_the_refetch(followed, web_site, reviewer):
    start = followed.body.index(CLAIM)
    claim = create_claim(article=followed, created_by=reviewer, start=start, end=start + len(CLAIM))
    serve(web_site, [PARAGRAPHS[0].replace("7.2", "7.4"), *PARAGRAPHS[1:]], '"v2"')
    assert refetch.refetch_article(article_id=followed.pk) == "revised"
    followed.refresh_from_db()
    assert "7.4 percent" in followed.body
    revision = followed.revisions.get(number=2)
    assert revision.source == ArticleRevision.Source.REFETCH and revision.created_by is None
    state = ArticleFetchState.objects.get(article=followed)
    assert (state.etag, state.unchanged_runs) == ('"v2"', 0)
    claim.refresh_from_db()
    assert claim.quote_exact == CLAIM  # the job (queued after commit) re-anchors it


def test_a_failed_fetch_is_recorded_and_backs_off(followed, web_site):
    web_site.pages["/jobs"] = (500, {}, b"oops")
    for runs in (1, 2, 3):
        assert refetch.refetch_article(article_id=followed.pk) == "failed"
        state = ArticleFetchState.objects.get(article=followed)
        assert state.unchanged_runs == runs
        assert "HTTP 500" in state.last_error
    # Capped at REFETCH_MAX_INTERVAL_HOURS.
    for _ in range(10):
        refetch.refetch_article(article_id=followed.pk)
    state = ArticleFetchState.objects.get(article=followed)
    assert state.next_check_at - state.checked_at == timedelta(hours=24)
    followed.refresh_from_db()
    assert not ArticleRevision.objects.exists()


def test_a_private_address_is_refused_as_in_imports(followed, settings):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = False
    assert refetch.refetch_article(article_id=followed.pk) == "failed"
    assert "private or local address" in ArticleFetchState.objects.get().last_error


def test_a_page_that_became_another_articles_text_is_not_stored_twice(followed, web_site):
    harbour = extract_page(article_page("Jobs figures", ["A wholly new story about the harbour."]))
    other = ArticleFactory(body=harbour.body)
    serve(web_site, ["A wholly new story about the harbour."], '"v3"')
    assert refetch.refetch_article(article_id=followed.pk) == "failed"
    assert f"article {other.pk}" in ArticleFetchState.objects.get(article=followed).last_error


def test_due_articles_are_those_with_a_url_whose_check_is_due(db):
    now = timezone.now()
    never = ArticleFactory()
    due = ArticleFactory()
    later = ArticleFactory()
    ArticleFactory(url=None)
    ArticleFactory(status=Article.Status.ARCHIVED)
    ArticleFetchState.objects.create(article=due, next_check_at=now - timedelta(minutes=1))
    ArticleFetchState.objects.create(article=later, next_check_at=now + timedelta(minutes=1))
    assert set(refetch.due_articles(now=now, limit=10)) == {due.pk, never.pk}


def test_beat_refetches_and_the_worker_reanchors(celery_worker, web_site, reviewer, settings):
    """End to end: beat's sweep, the worker's re-fetch from 127.0.0.1, then the re-anchoring."""
    page = article_page("Jobs figures", PARAGRAPHS)
    web_site.pages["/jobs"] = (200, {"ETag": '"v1"'}, page)
    record = extract_page(page, url=f"{web_site.url}/jobs")
    article, _ = create_article(title=record.title, body=record.body, url=f"{web_site.url}/jobs")
    start = article.body.index(CLAIM)
    claim = create_claim(article=article, created_by=reviewer, start=start, end=start + len(CLAIM))
    serve(web_site, ["A new first paragraph.", *PARAGRAPHS], '"v2"')

    tasks.refetch_due_articles.delay()  # what beat sends

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        claim.refresh_from_db()
        if claim.anchor_revision_id is not None:
            break
        time.sleep(0.2)
    article.refresh_from_db()
    assert claim.anchor_status == Claim.AnchorStatus.ANCHORED
    assert article.body[claim.start : claim.end] == CLAIM
    assert claim.start == start + len("A new first paragraph.\n")
    assert ArticleFetchState.objects.get(article=article).etag == '"v2"'


def test_beat_sweeps_on_the_configured_minutes():
    schedule = beat_schedule(REFETCH_ENABLED="true", REFETCH_SWEEP_MINUTES="15")
    entry = schedule["refetch-articles"]
    assert entry["task"] == "annotations.tasks.refetch_due_articles"
    assert entry["cron"][0] == [0, 15, 30, 45]
    assert "refetch-articles" not in beat_schedule(REFETCH_ENABLED="false")


def test_the_refetch_uses_the_imports_fetcher_every_hop_checked(followed, web_site, settings):
    # One fetcher for imports and re-fetches: a redirect to the metadata service is refused.
    settings.IMPORT_FETCH_ALLOW_PRIVATE = False
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    web_site.pages["/jobs"] = (302, {"Location": "http://169.254.169.254/latest/"}, b"")
    assert refetch.refetch_article(article_id=followed.pk) == "failed"
    state = ArticleFetchState.objects.get(article=followed)
    assert "169.254.169.254" in state.last_error and state.unchanged_runs == 1
    assert not hasattr(refetch, "conditional_fetch")
