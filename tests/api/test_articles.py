"""Articles: filters, full-text search (with its GIN index), detail shape, query counts, assign."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from annotations.models import Article, AuditEvent, Sentence
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, VerdictFactory


def _ids(api, **params):
    response = api.get("/api/v1/articles/", params)
    assert response.status_code == 200, response.content
    return {a["id"] for a in response.json()["results"]}


def test_article_filters(client_for, reviewer, db):
    now = timezone.now()
    old = ArticleFactory(published_at=now - timedelta(days=10), publisher="Diario", language="es")
    new = ArticleFactory(published_at=now, assignee=reviewer, status=Article.Status.IN_REVIEW)
    ClaimFactory(article=new)
    api = client_for(reviewer)
    assert _ids(api) == {old.id, new.id}
    assert _ids(api, status="in_review") == {new.id}
    assert _ids(api, language="es") == {old.id}
    assert _ids(api, publisher="diario") == {old.id}
    assert _ids(api, published_after=(now - timedelta(days=1)).isoformat()) == {new.id}
    assert _ids(api, published_before=(now - timedelta(days=1)).isoformat()) == {old.id}
    assert _ids(api, assignee="me") == {new.id}
    assert _ids(api, assignee=reviewer.id) == {new.id}
    assert _ids(api, has_claims="true") == {new.id}
    assert _ids(api, has_claims="false") == {old.id}


def test_hidden_claims_do_not_count_for_reviewers(client_for, reviewer, moderator, db):
    article = ArticleFactory()
    ClaimFactory(article=article, is_hidden=True)
    assert _ids(client_for(reviewer), has_claims="true") == set()
    assert _ids(client_for(moderator), has_claims="true") == {article.id}
    listed = client_for(reviewer).get("/api/v1/articles/").json()["results"][0]
    assert listed["claims_count"] == 0


def test_full_text_search_over_title_and_body(client_for, reviewer, db):
    title_hit = ArticleFactory(title="Inflación en España", body="Los precios subieron.")
    body_hit = ArticleFactory(title="Budget", body="The deficit fell while inflation rose.")
    rain = ArticleFactory(title="Weather", body="Rain all week.")
    api = client_for(reviewer)
    assert _ids(api, q="inflation") == {body_hit.id}
    assert _ids(api, q="inflación") == {title_hit.id}
    assert _ids(api, q='"deficit fell"') == {body_hit.id}
    assert _ids(api, q="deficit -inflation") == set()
    assert _ids(api, q="rain or deficit") == {body_hit.id, rain.id}
    assert _ids(api, q="!!! & | :*") == set()  # operators only: no error, no match


@pytest.mark.skipif(connection.vendor != "postgresql", reason="tsvector is PostgreSQL's")
def test_search_uses_the_gin_index(db):
    from annotations.api.filters import ArticleFilter

    ArticleFactory.create_batch(3)
    qs = ArticleFilter({"q": "inflation"}, queryset=Article.objects.all()).qs
    with connection.cursor() as cursor:
        # With three rows the planner may walk another index and filter; forbid plain scans so
        # the plan shows whether the GIN index can serve the match at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "annotations_articlesearch_document_gin" in plan, plan


def test_article_detail_shape_for_the_ui(client_for, reviewer, article):
    claim = ClaimFactory(article=article, created_by=reviewer)
    VerdictFactory(claim=claim, author=reviewer)
    data = client_for(reviewer).get(f"/api/v1/articles/{article.id}/").json()
    sentence = data["sentences"][0]
    assert set(sentence) == {
        "id",
        "position",
        "start",
        "end",
        "text",
        "paragraph",
        "checkworthiness",
        "claim_type",
    }
    assert data["body"][sentence["start"] : sentence["end"]] == sentence["text"]
    (listed,) = data["claims"]
    assert {"id", "start", "end", "status", "quote", "sentences", "claimant", "text"} <= set(listed)
    assert listed["latest_verdict"]["rating"]["slug"] == "false"
    assert listed["sentences"] == [sentence["id"]]


def _long_article(claims: int) -> Article:
    tag = UserFactory().pk  # a distinct body each call: bodies are unique
    body = "\n".join(f"Sentence {i} of {tag} says something checkable." for i in range(300))
    article = ArticleFactory(body=body)
    assert article.sentences.count() == 300
    authors = [UserFactory(roles=["Reviewer"]) for _ in range(3)]
    sentences = list(article.sentences.order_by("position"))
    for i in range(claims):
        first, last = sentences[i * 5], sentences[i * 5 + 1]
        claim = ClaimFactory(
            article=article, created_by=authors[i % 3], start=first.start, end=last.end
        )
        VerdictFactory(claim=claim, author=authors[i % 3])
    return article


def test_article_detail_with_300_sentences_and_50_claims_in_few_queries(
    client_for, reviewer, django_assert_max_num_queries
):
    article = _long_article(claims=50)
    api = client_for(reviewer)
    with django_assert_max_num_queries(8):
        response = api.get(f"/api/v1/articles/{article.id}/")
    data = response.json()
    assert len(data["sentences"]) == 300
    assert len(data["claims"]) == 50
    assert all(len(c["sentences"]) == 2 for c in data["claims"])


@pytest.mark.parametrize("url", ["/api/v1/articles/", "/api/v1/claims/", "/api/v1/verdicts/"])
def test_lists_take_the_same_queries_for_5_or_50_rows(
    client_for, reviewer, django_assert_max_num_queries, url
):
    api = client_for(reviewer)
    _long_article(claims=5)
    for _ in range(4):
        ArticleFactory()
    with django_assert_max_num_queries(8) as few:
        assert api.get(url, {"page_size": 50}).status_code == 200
    _long_article(claims=45)
    for _ in range(45):
        ArticleFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(url, {"page_size": 50})
    assert len(response.json()["results"]) == 50


def test_editor_assigns_a_reviewer_and_it_is_audited(client_for, editor, reviewer, article):
    response = client_for(editor).post(
        f"/api/v1/articles/{article.id}/assign/", {"assignee": reviewer.id}
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["id"] == reviewer.id
    article.refresh_from_db()
    assert (article.assignee, article.status) == (reviewer, Article.Status.IN_REVIEW)
    event = AuditEvent.objects.get(action="article.assigned")
    assert event.changes["assignee"] == [None, reviewer.id]


def test_cannot_assign_someone_without_a_role(client_for, editor, outsider, article):
    response = client_for(editor).post(
        f"/api/v1/articles/{article.id}/assign/", {"assignee": outsider.id}
    )
    assert response.status_code == 400
    assert "assignee" in response.json()
    article.refresh_from_db()
    assert article.assignee is None


def test_sentences_are_not_duplicated_by_claims(client_for, reviewer, article):
    ClaimFactory(article=article)
    data = client_for(reviewer).get(f"/api/v1/articles/{article.id}/").json()
    assert len(data["sentences"]) == Sentence.objects.filter(article=article).count()


@pytest.mark.parametrize(
    "value", ["0650-04-08T13:32:25.2+19:35", "0001-01-01T00:00:00+10:00", "not-a-date"]
)
def test_odd_dates_are_a_400_or_an_answer_never_a_500(client_for, reviewer, db, value):
    """Found by schemathesis: an offset beyond PostgreSQL's ±15:59 was a 500."""
    response = client_for(reviewer).get("/api/v1/articles/", {"published_after": value})
    assert response.status_code in (200, 400)
