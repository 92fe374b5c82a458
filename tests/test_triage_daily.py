"""Triage across articles: the daily page, the article list by top score, the models' figures."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from annotations import scoring
from annotations.models import Article, CheckworthinessModel
from tests.factories import ArticleFactory, ClaimFactory

BODY = (
    "Budget approved\n"
    "The plan totals $412 million, 9 percent more than last year.\n"
    "Will residents notice?\n"
    "The mayor said crime fell by 12 percent."
)
_n = itertools.count()


def _scored(days_ago: int = 0, body: str | None = None, **fields) -> Article:
    article = ArticleFactory(body=body or f"{BODY}\nPage {next(_n)}.", **fields)
    if days_ago:
        Article.objects.filter(pk=article.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    scoring.score_articles(article_ids=[article.pk])
    return article


# --- The daily page -----------------------------------------------------------------------------


def test_the_daily_page_lists_todays_unmarked_sentences_best_first(client, reviewer):
    today = _scored(title="Today's budget")
    older = _scored(days_ago=2, title="Old news")
    best = today.sentences.order_by("-checkworthiness").first()
    # A claim covers the best sentence: it is marked, so it leaves the page.
    marked = ClaimFactory(article=today, start=best.start, end=best.end)
    client.force_login(reviewer)

    response = client.get("/triage/")

    assert response.status_code == 200
    sentences = response.context["sentences"]
    assert sentences, "today's sentences are listed"
    assert all(s.article_id == today.pk for s in sentences)
    assert best.pk not in {s.pk for s in sentences}
    assert [s.checkworthiness for s in sentences] == sorted(
        (s.checkworthiness for s in sentences), reverse=True
    )
    html = response.content.decode()
    assert f'href="/articles/{today.pk}/#s-{sentences[0].pk}"' in html
    assert "Today&#x27;s budget" in html or "Today's budget" in html
    assert marked.pk

    day = (timezone.now() - timedelta(days=2)).date().isoformat()
    response = client.get("/triage/", {"day": day})
    assert {s.article_id for s in response.context["sentences"]} == {older.pk}


def test_the_daily_page_costs_the_same_queries_for_many_articles(
    client, reviewer, django_assert_max_num_queries
):
    client.force_login(reviewer)
    _scored()
    with django_assert_max_num_queries(12) as few:
        client.get("/triage/")
    for _ in range(8):
        _scored()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/triage/")
    assert len(response.context["sentences"]) > 8


@pytest.mark.parametrize("day", ["yesterday", "2026-02-30", "9999-12-31", "0001-01-01", "x" * 500])
def test_a_bad_day_is_a_400_that_says_what_to_send(client, reviewer, day):
    client.force_login(reviewer)
    response = client.get("/triage/", {"day": day})
    assert response.status_code == 400
    assert "Showing today" in response.context["error"]


def test_the_daily_page_needs_a_role(client, outsider):
    assert client.get("/triage/").status_code == 302  # to the login page
    client.force_login(outsider)
    response = client.get("/triage/")
    assert response.status_code == 403
    assert b"Budget" not in response.content


def _model(**fields) -> CheckworthinessModel:
    values = {
        "vector_model_id": "lexical-hash-v1",
        "weights": {},
        "training_articles": 40,
        "training_sentences": 900,
        "training_positives": 120,
        "holdout_articles": 10,
        "holdout_precision_at_5": 0.62,
        "heuristic_precision_at_5": 0.58,
        "is_active": True,
        "note": "Active: beats the heuristic.",
    }
    values.update(fields)
    return CheckworthinessModel.objects.create(**values)


def test_editors_see_the_models_figures_on_the_page_reviewers_do_not(client, editor, reviewer):
    _model()
    client.force_login(editor)
    html = client.get("/triage/").content.decode()
    assert 'data-testid="models-table"' in html
    assert "0.620" in html and "0.580" in html
    client.force_login(reviewer)
    html = client.get("/triage/").content.decode()
    assert "models-table" not in html and "0.620" not in html


# --- The models' figures in the API -------------------------------------------------------------

MODELS_URL = "/api/v1/checkworthiness-models/"


def test_editors_list_the_trained_models_newest_first(client_for, editor):
    old = _model(is_active=False, note="Not used.", holdout_precision_at_5=0.4)
    CheckworthinessModel.objects.filter(pk=old.pk).update(
        trained_at=timezone.now() - timedelta(days=1)
    )
    new = _model()

    response = client_for(editor).get(MODELS_URL)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [new.pk, old.pk]
    assert rows[0] == {
        "id": new.pk,
        "trained_at": rows[0]["trained_at"],
        "vector_model_id": "lexical-hash-v1",
        "training_articles": 40,
        "training_sentences": 900,
        "training_positives": 120,
        "holdout_articles": 10,
        "holdout_precision_at_5": 0.62,
        "heuristic_precision_at_5": 0.58,
        "is_active": True,
        "note": "Active: beats the heuristic.",
    }
    assert "weights" not in rows[0]


@pytest.mark.parametrize("who", ["reviewer", "moderator", "outsider"])
def test_only_editors_see_the_models(db, client_for, request, who):
    _model()
    response = client_for(request.getfixturevalue(who)).get(MODELS_URL)
    assert response.status_code == 403
    assert "detail" in response.json()


def test_anonymous_gets_no_models(client_for, db):
    assert client_for(None).get(MODELS_URL).status_code in (401, 403)


# --- The article list by top score --------------------------------------------------------------


def test_the_article_list_sorts_by_top_checkworthiness_unscored_last(client_for, reviewer):
    weak = _scored(body=f"The town council met on Tuesday.\nResidents came. {next(_n)}")
    strong = _scored()
    unscored = ArticleFactory()
    client = client_for(reviewer)

    response = client.get("/api/v1/articles/", {"ordering": "-top_checkworthiness"})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [strong.pk, weak.pk, unscored.pk]
    assert rows[0]["top_checkworthiness"] > rows[1]["top_checkworthiness"]
    assert rows[2]["top_checkworthiness"] is None

    # Cursor pages walk the same order.
    page = client.get("/api/v1/articles/", {"ordering": "-top_checkworthiness", "page_size": 1})
    seen = []
    while True:
        body = page.json()
        seen += [r["id"] for r in body["results"]]
        if not body["next"]:
            break
        page = client.get(body["next"])
        assert page.status_code == 200
    assert seen == [strong.pk, weak.pk, unscored.pk]


def test_the_default_article_order_is_still_newest_first(client_for, reviewer):
    first, second = _scored(), _scored()
    rows = client_for(reviewer).get("/api/v1/articles/").json()["results"]
    assert [r["id"] for r in rows] == [second.pk, first.pk]


@pytest.mark.parametrize("ordering", ["top_checkworthiness", "-title", "x" * 300])
def test_an_unknown_article_ordering_is_a_400(client_for, reviewer, ordering):
    response = client_for(reviewer).get("/api/v1/articles/", {"ordering": ordering})
    assert response.status_code == 400
    assert "ordering" in response.json()


@pytest.mark.parametrize("position", ["abc", "nan", "inf", "1e999"])
def test_a_forged_top_score_cursor_is_a_400(client_for, reviewer, position):
    import base64

    cursor = base64.b64encode(f"p={position}".encode()).decode()
    response = client_for(reviewer).get(
        "/api/v1/articles/", {"ordering": "-top_checkworthiness", "cursor": cursor}
    )
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_the_sorted_article_list_costs_the_same_queries_for_more_articles(
    client_for, reviewer, django_assert_max_num_queries
):
    client = client_for(reviewer)
    _scored()
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/articles/", {"ordering": "-top_checkworthiness"})
    for _ in range(6):
        _scored()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/articles/", {"ordering": "-top_checkworthiness"})
    assert len(response.json()["results"]) == 7
