"""The compaction of the reviewer's page's change notes (annotations.article_changes): rows of
deleted articles go, each article's fold into one, and no reader is ever served a page older
than what it should see: not after a compaction, nor when a reader, a writer or a second
compaction runs beside one (two connections, real PostgreSQL)."""

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations import article_page, tasks
from annotations.api import reader
from annotations.article_changes import compact_article_changes
from annotations.models import Article, ArticleChange, Claim
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

User = get_user_model()


def _rows(article_id: int | None) -> list[int]:
    return sorted(
        ArticleChange.objects.filter(article_id=article_id).values_list("changes", flat=True)
    )


def _version(user, article: Article) -> tuple[int, int]:
    _, changes, shared = article_page.article_versions(user=user).get(pk=article.pk)
    return changes, shared


def _token_client(user) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def _rename(claim_id: int, text: str) -> None:
    Claim.objects.filter(pk=claim_id).update(text=text)


def test_compaction_drops_deleted_articles_rows_and_folds_the_others(reviewer):
    kept, gone = ArticleFactory(), ArticleFactory()
    claim = ClaimFactory(article=kept)
    for text in ("one", "two", "three"):
        _rename(claim.pk, text)
    for name in ("Ren", "Too"):  # shown on every article: noted with no article
        User.objects.filter(pk=UserFactory().pk).update(first_name=name)
    gone_id = gone.pk
    gone.delete()
    before = _version(reviewer, kept)
    assert len(_rows(kept.pk)) > 1 and _rows(gone_id) and len(_rows(None)) == 2

    done = compact_article_changes()

    assert _rows(kept.pk) == [before[0]]  # one row carrying the sum
    assert _rows(gone_id) == []
    assert _rows(None) == [before[1]]
    assert _version(reviewer, kept) == before
    assert (done.articles_dropped, done.busy) == (1, False)
    assert done.articles_folded >= 1
    # Compacted already: a second run has nothing to fold.
    again = compact_article_changes()
    assert (again.rows_deleted, again.rows_added) == (0, 0)


def test_small_batches_fold_every_article_once(reviewer):
    articles = [ArticleFactory() for _ in range(5)]
    for article in articles:
        Article.objects.filter(pk=article.pk).update(title=f"Retitled {article.pk}")
    before = {a.pk: _version(reviewer, a) for a in articles}
    done = compact_article_changes(batch_size=2)
    assert done.batches == 3
    assert {a.pk: _rows(a.pk) for a in articles} == {pk: [v[0]] for pk, v in before.items()}
    assert (
        ArticleChange.objects.aggregate(total=Sum("changes"))["total"]
        == sum(v[0] for v in before.values()) + (before[articles[0].pk][1])
    )


def test_after_a_compaction_every_write_shows_and_no_version_comes_back(
    reviewer, reference_page, django_assert_num_queries, django_assert_max_num_queries
):
    # A compaction that deleted rows without folding them would bring the count back, after as
    # many writes, to the version of a page a client holds: its ETag would answer 304 then.
    article = ArticleFactory()
    claim = ClaimFactory(article=article)
    api = _token_client(reviewer)
    url = f"/api/v1/articles/{article.pk}/"
    _rename(claim.pk, "before the compaction")
    cached = api.get(url)
    seen = {_version(reviewer, article)}
    changes = _version(reviewer, article)[0]

    compact_article_changes()

    # Still cached, the same tag: the version did not move.
    assert api.get(url, HTTP_IF_NONE_MATCH=cached["ETag"]).status_code == 304
    with django_assert_num_queries(2):
        assert api.get(url).content == cached.content
    for write in range(changes + 2):
        _rename(claim.pk, f"write {write}")
        with django_assert_max_num_queries(6):
            page = api.get(url, HTTP_IF_NONE_MATCH=cached["ETag"])
        assert page.status_code == 200
        assert page.json() == reference_page(article, reviewer)
        assert page.json()["claims"][0]["text"] == f"write {write}"
        version = _version(reviewer, article)
        assert version not in seen
        seen.add(version)
        if write % 3 == 0:
            compact_article_changes()
            with django_assert_num_queries(2):
                assert api.get(url).content == page.content
    assert _rows(article.pk) == sorted(_rows(article.pk)) and len(_rows(article.pk)) <= 3


def test_the_task_and_the_command_compact(reviewer, settings):
    from factcheck.celery import app

    assert "compact-article-changes" in settings.CELERY_BEAT_SCHEDULE
    # The housekeeping queue: no route of its own, the default queue.
    assert (
        app.amqp.router.route({}, "annotations.tasks.compact_article_changes")["queue"].name
        == "celery"
    )
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(title="Once")
    Article.objects.filter(pk=article.pk).update(title="Twice")
    version = _version(reviewer, article)
    result = tasks.compact_article_changes()
    assert result["rows_added"] >= 1 and result["busy"] is False
    assert _rows(article.pk) == [version[0]]
    Article.objects.filter(pk=article.pk).update(title="Thrice")
    call_command("compact_article_changes", "--batch-size", "10")
    assert _rows(article.pk) == [version[0] + 1]
    with pytest.raises(CommandError, match="at least 1"):
        call_command("compact_article_changes", "--batch-size", "0")


# --- Two connections: the interleavings of annotations.article_changes' docstring ----------------


def _in_thread(
    body: Callable[[], None],
) -> tuple[threading.Thread, threading.Event, threading.Event]:
    """Run `body` inside a transaction on a connection of its own, and hold it open after:
    (thread, `done`: body ran, `release`: commit now)."""
    done, release = threading.Event(), threading.Event()

    def run() -> None:
        try:
            with transaction.atomic():
                body()
                done.set()
                assert release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done, release


def _lock_timeout() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '2s'")


@pytest.mark.django_db(transaction=True)
def test_a_page_read_before_a_compaction_commits_and_stored_after_stays_right(
    reviewer, reference_page
):
    article = ArticleFactory()
    claim = ClaimFactory(article=article)
    _rename(claim.pk, "written")
    thread, compacted, release = _in_thread(compact_article_changes)
    try:
        assert compacted.wait(10)
        slow = reader.Page(user=reviewer, pk=article.pk)  # the version before the fold commits
    finally:
        release.set()
        thread.join()
    assert len(_rows(article.pk)) == 1
    slow.json()  # built and stored after the commit, under the version read before it
    fresh = reader.Page(user=reviewer, pk=article.pk)
    assert fresh.version == slow.version and fresh.etag == slow.etag
    api = _token_client(reviewer)
    assert api.get(f"/api/v1/articles/{article.pk}/").json() == reference_page(article, reviewer)
    _rename(claim.pk, "after")
    assert api.get(f"/api/v1/articles/{article.pk}/").json()["claims"][0]["text"] == "after"


@pytest.mark.django_db(transaction=True)
def test_a_write_committing_after_a_compaction_is_kept_and_neither_waits(reviewer):
    article = ArticleFactory()
    claim = ClaimFactory(article=article)
    Article.objects.filter(pk=article.pk).update(title="Noted before")
    before = _version(reviewer, article)
    api = _token_client(reviewer)
    url = f"/api/v1/articles/{article.pk}/"
    api.get(url)
    writer, written, release = _in_thread(lambda: _rename(claim.pk, "held open"))
    try:
        assert written.wait(10)
        with transaction.atomic():
            _lock_timeout()  # the compaction must not wait for the writer's row
            done = compact_article_changes()
        assert done.rows_added == 1
    finally:
        release.set()
        writer.join()
    # The writer's note was not the compaction's to fold: it counts on top of the sum.
    assert sorted(_rows(article.pk)) == sorted([before[0], 1])
    assert _version(reviewer, article) == (before[0] + 1, before[1])
    assert api.get(url).json()["claims"][0]["text"] == "held open"


@pytest.mark.django_db(transaction=True)
def test_a_write_committing_during_a_compaction_is_kept_and_neither_waits(reviewer):
    article = ArticleFactory()
    claim = ClaimFactory(article=article)
    Article.objects.filter(pk=article.pk).update(title="Noted before")
    before = _version(reviewer, article)
    api = _token_client(reviewer)
    url = f"/api/v1/articles/{article.pk}/"
    api.get(url)
    thread, compacted, release = _in_thread(compact_article_changes)
    try:
        assert compacted.wait(10)
        with transaction.atomic():
            _lock_timeout()  # the writer must not wait for the compaction's rows
            _rename(claim.pk, "during the compaction")
        # The fold is not committed yet: a reader sees the unfolded rows and the write.
        assert _version(reviewer, article) == (before[0] + 1, before[1])
        assert api.get(url).json()["claims"][0]["text"] == "during the compaction"
    finally:
        release.set()
        thread.join()
    assert sorted(_rows(article.pk)) == sorted([before[0], 1])
    assert _version(reviewer, article) == (before[0] + 1, before[1])
    assert api.get(url).json()["claims"][0]["text"] == "during the compaction"


@pytest.mark.django_db(transaction=True)
def test_a_second_compaction_at_the_same_time_stops_at_once(reviewer):
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(title="Twice")
    before = _version(reviewer, article)
    thread, compacted, release = _in_thread(compact_article_changes)
    try:
        assert compacted.wait(10)
        with transaction.atomic():
            _lock_timeout()
            second = compact_article_changes()
        with pytest.raises(CommandError, match="Another compaction is running"):
            call_command("compact_article_changes")
    finally:
        release.set()
        thread.join()
    assert second.busy and (second.rows_deleted, second.rows_added) == (0, 0)
    assert _rows(article.pk) == [before[0]]
    assert _version(reviewer, article) == before
