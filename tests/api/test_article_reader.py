"""`GET articles/{id}/` built from rows (annotations.api.reader): the same JSON as
ArticleDetailSerializer and a fixed number of queries (its cache: test_article_page_cache.py)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations import scoring
from annotations.models import Article, ArticleRevision, Sentence
from annotations.services.revisions import reanchor_claims, record_revision
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    UserFactory,
    VerdictFactory,
    published_claim,
)


@pytest.mark.parametrize("role", ["reviewer", "moderator"])
def test_detail_is_the_serializers_json(reference_page, request, client_for, busy_article, role):
    user = request.getfixturevalue(role)
    data = client_for(user).get(f"/api/v1/articles/{busy_article.id}/").json()
    assert data == reference_page(busy_article, user)
    assert len(data["claims"]) == (5 if role == "moderator" else 4)
    assert all(s["checkworthiness"] is not None for s in data["sentences"])


def test_detail_matches_the_serializer_after_a_revision(
    reference_page, client_for, editor, busy_article
):
    body = busy_article.body.replace("Article number", "Story number")
    revision, _ = record_revision(
        article=busy_article, body=body, source=ArticleRevision.Source.API, created_by=editor
    )
    reanchor_claims(revision_id=revision.pk)
    data = client_for(editor).get(f"/api/v1/articles/{busy_article.id}/").json()
    assert data == reference_page(busy_article, editor)
    # The claims still link the old text's sentences; only the current ones are listed.
    assert Sentence.all_revisions.filter(article=busy_article, revision__number=1).exists()


def _long_article(claims: int) -> Article:
    tag = UserFactory().pk  # a distinct body each call: bodies are unique
    body = "\n".join(f"Sentence {i} of {tag} says something checkable." for i in range(272))
    article = ArticleFactory(body=body)
    authors = [UserFactory(roles=["Reviewer"]) for _ in range(3)]
    sentences = list(article.sentences.order_by("position"))
    for i in range(claims):
        first, last = sentences[i * 5], sentences[i * 5 + 1]
        claim = ClaimFactory(
            article=article, created_by=authors[i % 3], start=first.start, end=last.end
        )
        VerdictFactory(claim=claim, author=authors[i % 3])
    return article


def test_detail_takes_6_queries_then_4_once_cached(reviewer, django_assert_max_num_queries):
    # A session cookie, as the reader sends it: the session and user rows are counted too
    # (then the roles, the page's version, the article with its sentences, the claims).
    api = APIClient()
    api.force_login(reviewer)
    few, many = _long_article(claims=5), _long_article(claims=50)
    with django_assert_max_num_queries(6):
        assert api.get(f"/api/v1/articles/{many.id}/").status_code == 200
    api.get(f"/api/v1/articles/{few.id}/")
    with django_assert_max_num_queries(4):
        assert api.get(f"/api/v1/articles/{few.id}/").status_code == 200
    with django_assert_max_num_queries(4):
        data = api.get(f"/api/v1/articles/{many.id}/").json()
    assert len(data["sentences"]) == 272
    assert len(data["claims"]) == 50
    assert all(len(c["sentences"]) == 2 for c in data["claims"])
    assert all(c["latest_verdict"]["status"] == "submitted" for c in data["claims"])


def test_with_a_token_a_cached_read_takes_2_queries(reviewer, django_assert_num_queries):
    # The token with its user and roles, then the page's version.
    api = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reviewer).key}")
    article = _long_article(claims=5)
    with django_assert_num_queries(4):
        first = api.get(f"/api/v1/articles/{article.id}/")
    with django_assert_num_queries(2):
        second = api.get(f"/api/v1/articles/{article.id}/")
    assert second.content == first.content
    assert second["Content-Type"] == "application/json"


def test_scores_stored_after_a_read_show_in_the_next(client_for, reviewer, db):
    article = ArticleFactory()
    api = client_for(reviewer)
    before = api.get(f"/api/v1/articles/{article.id}/").json()["sentences"]
    assert {s["checkworthiness"] for s in before} == {None}
    scoring.score_articles(article_ids=[article.pk])
    after = api.get(f"/api/v1/articles/{article.id}/").json()["sentences"]
    stored = dict(Sentence.objects.filter(article=article).values_list("id", "checkworthiness"))
    assert {s["id"]: s["checkworthiness"] for s in after} == stored
    assert None not in stored.values()


def test_a_new_text_and_a_return_to_the_old_one_each_read_their_own_sentences(
    client_for, editor, db
):
    article = ArticleFactory()
    original = article.body
    api = client_for(editor)

    def current() -> list[tuple]:
        return list(
            Sentence.objects.filter(article=article)
            .order_by("position")
            .values_list("id", "start", "end", "text")
        )

    def read() -> list[tuple]:
        data = api.get(f"/api/v1/articles/{article.id}/").json()
        return [(s["id"], s["start"], s["end"], s["text"]) for s in data["sentences"]]

    first = read()
    for body in (original.replace("Article number", "Piece number"), original):
        record_revision(
            article=article, body=body, source=ArticleRevision.Source.API, created_by=editor
        )
        assert read() == current()
    assert {s[0] for s in read()}.isdisjoint(s[0] for s in first)


def test_an_article_without_sentences_reads(reference_page, client_for, reviewer, db):
    article = ArticleFactory(with_sentences=False)
    data = client_for(reviewer).get(f"/api/v1/articles/{article.id}/").json()
    assert data["sentences"] == []
    assert data == reference_page(article, reviewer)


def test_the_claims_list_takes_the_same_queries_for_1_or_10_published_claims(
    client_for, reviewer, django_assert_max_num_queries
):
    # Each published claim shows its verdict's author: once one query per claim.
    article = ArticleFactory()
    api = client_for(reviewer)
    published_claim(article=article)
    with django_assert_max_num_queries(8) as one:
        assert len(api.get("/api/v1/claims/", {"article": article.id}).json()["results"]) == 1
    for _ in range(9):
        published_claim(article=article)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = api.get("/api/v1/claims/", {"article": article.id})
    assert all(c["published_verdict"]["author"] for c in response.json()["results"])
