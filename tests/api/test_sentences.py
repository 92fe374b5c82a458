"""GET /api/v1/sentences/: the most check-worthy sentences across the articles one may read."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from annotations import scoring, selectors
from annotations.models import Article, Sentence
from tests.factories import ArticleFactory

URL = "/api/v1/sentences/"
BODY = (
    "Budget approved\n"
    "The plan totals $412 million, 9 percent more than last year.\n"
    "Will residents notice?\n"
    "The mayor said crime fell by 12 percent."
)


_bodies = itertools.count()


def _scored_article(**fields) -> Article:
    # Bodies differ (the same text is never stored twice) but share BODY's scores.
    body = fields.pop("body", f"{BODY}\nPage {next(_bodies)}")
    article = ArticleFactory(body=body, **fields)
    scoring.score_articles(article_ids=[article.pk])
    return article


def test_sentences_come_most_check_worthy_first_with_their_article(client_for, reviewer):
    first = _scored_article(title="First")
    second = _scored_article(title="Second", language="es", body="El paro bajó un 3 %.")
    ArticleFactory(body="Not scored yet: 99 percent of it.")  # left out until scored

    response = client_for(reviewer).get(URL, {"ordering": "-checkworthiness"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == first.sentences.count() + second.sentences.count()
    scores = [r["checkworthiness"] for r in results]
    assert scores == sorted(scores, reverse=True)
    top = results[0]
    sentence = Sentence.objects.get(pk=top["id"])
    assert top == {
        "id": sentence.pk,
        "article": sentence.article_id,
        "article_title": sentence.article.title,
        "language": sentence.article.language,
        "position": sentence.position,
        "start": sentence.start,
        "end": sentence.end,
        "text": sentence.text,
        "checkworthiness": pytest.approx(sentence.checkworthiness),
        "claim_type": sentence.claim_type,
    }
    assert results[0]["checkworthiness"] > 0.5 > results[-1]["checkworthiness"]


def test_filters_by_article_language_and_import_time(client_for, editor):
    old = _scored_article(language="en")
    Article.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    new = _scored_article(language="es", body="La deuda subió un 7 %.\nQuizá baje.")
    api = client_for(editor)

    def ids(**params):
        return {r["article"] for r in api.get(URL, params).json()["results"]}

    assert ids() == {old.pk, new.pk}
    assert ids(article=old.pk) == {old.pk}
    assert ids(language="es") == {new.pk}
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(since=since) == {new.pk}
    assert ids(since=since, language="en") == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ordering": "text"}, "ordering"),
        ({"ordering": "checkworthiness"}, "ordering"),
        ({"article": "abc"}, "article"),
        ({"article": "0"}, "article"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2025-13-01T00:00:00Z"}, "since"),
        ({"language": "x" * 17}, "language"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client_for, reviewer, params, field):
    _scored_article()
    response = client_for(reviewer).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "cD1ub3QtYS1udW1iZXI=", "cD1uYW4mcj0x", "cD1pbmY="],  # p=nan, p=inf
)
def test_a_forged_cursor_is_a_400_not_a_500(client_for, reviewer, cursor):
    _scored_article()
    response = client_for(reviewer).get(URL, {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_pages_walk_every_sentence_once_even_with_tied_scores(client_for, reviewer):
    for _ in range(3):
        _scored_article()  # the same body three times: every score tied three ways
    api = client_for(reviewer)
    seen, url, params = [], URL, {"page_size": 2}
    while url:
        page = api.get(url, params).json()
        seen += [(r["checkworthiness"], r["id"]) for r in page["results"]]
        url, params = page["next"], None
    assert len(seen) == Sentence.objects.count() == 15
    assert len(set(seen)) == 15
    assert seen == sorted(seen, reverse=True)


@pytest.mark.parametrize(
    ("role", "status"),
    [("reviewer", 200), ("editor", 200), ("moderator", 200), ("outsider", 403), (None, 403)],
)
def test_who_may_list_ranked_sentences(db, request, client_for, role, status):
    _scored_article()
    user = request.getfixturevalue(role) if role else None
    response = client_for(user).get(URL)
    assert response.status_code == status
    if status == 403:
        assert "results" not in response.json()


def test_the_list_takes_the_same_queries_for_many_articles(
    client_for, reviewer, django_assert_max_num_queries
):
    api = client_for(reviewer)
    _scored_article()
    api.get(URL)  # the first request warms the session and role caches
    with django_assert_max_num_queries(4) as few:
        assert len(api.get(URL).json()["results"]) == 5
    for _ in range(9):
        _scored_article()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(URL).json()["results"]) == 50


def test_the_article_detail_carries_each_sentences_score_and_type(client_for, reviewer):
    article = _scored_article()
    unscored = ArticleFactory()

    sentences = client_for(reviewer).get(f"/api/v1/articles/{article.pk}/").json()["sentences"]
    for item in sentences:
        sentence = Sentence.objects.get(pk=item["id"])
        assert item["checkworthiness"] == pytest.approx(sentence.checkworthiness)
        assert item["claim_type"] == sentence.claim_type
    assert max(sentences, key=lambda s: s["checkworthiness"])["text"].startswith("The plan")

    sentences = client_for(reviewer).get(f"/api/v1/articles/{unscored.pk}/").json()["sentences"]
    assert {(s["checkworthiness"], s["claim_type"]) for s in sentences} == {(None, "")}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_ranking_reads_the_partial_index(reviewer):
    _scored_article()
    ranked = selectors.ranked_sentences(user=reviewer).order_by("-checkworthiness", "-id")[:50]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = ranked.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "sentence_checkworthiness_idx" in plan, plan
