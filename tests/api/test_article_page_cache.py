"""The reviewer's page is cached as JSON until its article changes (annotations.api.reader, issue
15): every kind of write is seen by the next read, a cached page never crosses audiences, an
unchanged page answers 304 to its ETag, and noting a change makes no writer wait for another."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations import scoring
from annotations.models import Article, ArticleRevision, Claim, Rating, Sentence, Verdict
from annotations.services.revisions import record_revision
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, VerdictFactory

User = get_user_model()


@pytest.fixture
def page(db, reviewer):
    """An article with an assignee, scores, a revision and one claim with a verdict."""
    article = ArticleFactory(assignee=UserFactory(first_name="Ana", last_name="Ruiz"))
    scoring.score_articles(article_ids=[article.pk])
    revision = ArticleRevision.objects.create(
        article=article, number=1, body=article.body, content_hash=article.content_hash
    )
    claim = ClaimFactory(article=article, created_by=reviewer, anchor_revision=revision)
    claim.sentences.set(article.sentences.filter(position=0))
    verdict = VerdictFactory(claim=claim, author=UserFactory(roles=["Reviewer"]))
    return {"article": article, "claim": claim, "verdict": verdict, "revision": revision}


def _rename(user_id: int) -> None:
    User.objects.filter(pk=user_id).update(first_name="Renamed")


# Each write the page shows, made the way a service, a bulk job or a shell might make it.
WRITES = {
    "article title": lambda p: Article.objects.filter(pk=p["article"].pk).update(title="New"),
    "article assignee renamed": lambda p: _rename(p["article"].assignee_id),
    "sentence scores": lambda p: Sentence.objects.filter(article=p["article"]).update(
        checkworthiness=0.125, claim_type="quantity"
    ),
    "a new text": lambda p: record_revision(
        article=p["article"],
        body=p["article"].body.replace("Article number", "Story number"),
        source=ArticleRevision.Source.API,
    ),
    "revision renumbered": lambda p: ArticleRevision.objects.filter(pk=p["revision"].pk).update(
        number=7
    ),
    "claim added": lambda p: ClaimFactory(article=p["article"]),
    "claim text": lambda p: Claim.objects.filter(pk=p["claim"].pk).update(text="Reworded"),
    "claim hidden": lambda p: Claim.objects.filter(pk=p["claim"].pk).update(is_hidden=True),
    "claim deleted": lambda p: p["claim"].delete(),
    "claim's sentences": lambda p: p["claim"].sentences.clear(),
    "claim creator renamed": lambda p: _rename(p["claim"].created_by_id),
    "verdict added": lambda p: VerdictFactory(claim=p["claim"], author=p["claim"].created_by),
    "verdict status": lambda p: Verdict.objects.filter(pk=p["verdict"].pk).update(
        status=Verdict.Status.REJECTED
    ),
    "verdict deleted": lambda p: Verdict.objects.filter(pk=p["verdict"].pk).delete(),
    "verdict author renamed": lambda p: _rename(p["verdict"].author_id),
    "verdict's rating relabelled": lambda p: Rating.objects.filter(
        pk=p["verdict"].rating_id
    ).update(label="Relabelled"),
}


@pytest.mark.parametrize("write", WRITES)
def test_each_kind_of_write_shows_in_the_next_read(
    page, reviewer, reference_page, django_assert_num_queries, write
):
    api = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reviewer).key}")
    url = f"/api/v1/articles/{page['article'].pk}/"
    before = api.get(url)
    with django_assert_num_queries(2):  # from the cache
        assert api.get(url).content == before.content
    WRITES[write](page)
    after = api.get(url)
    assert after.json() == reference_page(page["article"], reviewer)
    assert after.json() != before.json()
    assert after["ETag"] != before["ETag"]


def test_renaming_nobody_the_page_shows_keeps_it_cached(page, reviewer, client_for):
    api = client_for(reviewer)
    url = f"/api/v1/articles/{page['article'].pk}/"
    etag = api.get(url)["ETag"]
    User.objects.filter(pk=reviewer.pk).update(last_login=None)  # every sign-in writes it
    UserFactory(username="someone-new")
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("first", ["moderator", "reviewer"])
def test_a_cached_page_never_crosses_audiences(
    request, client_for, busy_article, reference_page, first
):
    url = f"/api/v1/articles/{busy_article.pk}/"
    second = {"moderator": "reviewer", "reviewer": "moderator"}[first]
    pages = {}
    for role in (first, second, "editor"):
        user = request.getfixturevalue(role)
        response = client_for(user).get(url)
        assert response.json() == reference_page(busy_article, user), role
        pages[role] = response
    hidden = Claim.objects.get(article=busy_article, is_hidden=True)
    assert hidden.pk in {c["id"] for c in pages["moderator"].json()["claims"]}
    assert hidden.pk not in {c["id"] for c in pages["reviewer"].json()["claims"]}
    # Reviewers and editors see the same claims: one page, one tag.
    assert pages["editor"]["ETag"] == pages["reviewer"]["ETag"] != pages["moderator"]["ETag"]


def test_an_unchanged_page_answers_304_to_its_etag(page, reviewer, client_for):
    api = client_for(reviewer)
    url = f"/api/v1/articles/{page['article'].pk}/"
    first = api.get(url)
    assert first["Cache-Control"] == "private, no-cache"
    not_modified = api.get(url, HTTP_IF_NONE_MATCH=f'"other", {first["ETag"]}')
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"]
    Claim.objects.filter(pk=page["claim"].pk).update(claimant="The minister")
    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["claims"][0]["claimant"] == "The minister"


def test_a_page_one_may_not_see_is_404_with_or_without_its_etag(page, client_for, reviewer):
    etag = client_for(reviewer).get(f"/api/v1/articles/{page['article'].pk}/")["ETag"]
    for pk in (page["article"].pk + 1000, "abc", 2**70):
        response = client_for(reviewer).get(f"/api/v1/articles/{pk}/", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 404, pk
    outsider = client_for(UserFactory(username="no-role"))
    assert outsider.get(f"/api/v1/articles/{page['article'].pk}/").status_code == 403


def test_the_browsable_api_still_renders_the_page(page, reviewer, client_for):
    response = client_for(reviewer).get(
        f"/api/v1/articles/{page['article'].pk}/", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert page["article"].title in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_noting_a_change_makes_no_writer_wait_for_another():
    # Two reviewers writing claims of one article at once: a counter row both had to update
    # would make the second wait for the first to commit. The change notes are inserts.
    article = ArticleFactory()
    first, second = ClaimFactory(article=article), ClaimFactory(article=article)
    written, release = threading.Event(), threading.Event()

    def hold_a_write_open() -> None:
        try:
            with transaction.atomic():
                Claim.objects.filter(pk=first.pk).update(text="first")
                written.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_a_write_open)
    holder.start()
    try:
        assert written.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            Claim.objects.filter(pk=second.pk).update(text="second")
    finally:
        release.set()
        holder.join()
    assert set(Claim.objects.values_list("text", flat=True)) == {"first", "second"}
