"""Claims by offsets or sentences: covered sentences, quote selectors, precise 400s, filters."""

import pytest

from annotations.models import AuditEvent, Claim
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, VerdictFactory

SAMPLE_FIRST = "Officials said the plan would cut emissions by 40 percent by 2030."


def test_claim_by_offsets_gets_sentences_and_quote_from_the_server(client_for, reviewer, article):
    start = article.body.index("unrealistic")
    end = article.body.index("disagreed") + len("disagreed")
    response = client_for(reviewer).post(
        "/api/v1/claims/", {"article": article.id, "start": start, "end": end}
    )
    assert response.status_code == 201, response.content
    claim = response.json()
    sentences = list(article.sentences.filter(start__lt=end, end__gt=start))
    assert claim["sentences"] == [s.id for s in sentences]
    assert len(sentences) == 2
    assert claim["quote"] == {
        "type": "TextQuoteSelector",
        "exact": article.body[start:end],
        "prefix": article.body[start - 32 : start],
        "suffix": article.body[end : end + 32],
    }
    assert claim["status"] == "draft"
    assert response["ETag"]


def test_claim_by_sentences_spans_from_first_to_last(client_for, reviewer, article):
    first, second = article.sentences.order_by("position")[:2]
    response = client_for(reviewer).post(
        "/api/v1/claims/", {"article": article.id, "sentences": [second.id, first.id]}
    )
    assert response.status_code == 201, response.content
    claim = response.json()
    assert (claim["start"], claim["end"]) == (first.start, second.end)
    assert claim["sentences"] == [first.id, second.id]
    assert claim["quote"]["prefix"] == ""


@pytest.mark.parametrize(
    ("span", "field", "message"),
    [
        ({"start": 5, "end": 5}, "end", "The span is empty"),
        ({"start": 40, "end": 12}, "end", "reversed"),
        ({"start": -1, "end": 12}, "start", "0 or more"),
        ({"start": 0, "end": 10_000}, "end", "past the end of the article body"),
        ({"start": 10_000, "end": 10_001}, "start", "past the end"),
        ({"start": 3}, "end", "Give start and end"),
        ({"end": 3}, "start", "Give start and end"),
        ({}, "start", "Give start and end"),
        ({"sentences": []}, "sentences", "at least one sentence"),
        ({"start": "x", "end": 3}, "start", "valid integer"),
    ],
)
def test_bad_span_is_a_400_naming_the_field(client_for, reviewer, article, span, field, message):
    response = client_for(reviewer).post("/api/v1/claims/", {"article": article.id, **span})
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Claim.objects.exists()


def test_sentences_of_another_article_are_refused(client_for, reviewer, article):
    foreign = ArticleFactory().sentences.first()
    response = client_for(reviewer).post(
        "/api/v1/claims/", {"article": article.id, "sentences": [foreign.id]}
    )
    assert response.status_code == 400
    assert response.json()["sentences"] == [f"Sentences not in article {article.id}: {foreign.id}."]


def test_offsets_and_sentences_together_are_refused(client_for, reviewer, article):
    sentence = article.sentences.first()
    response = client_for(reviewer).post(
        "/api/v1/claims/",
        {"article": article.id, "start": 0, "end": 5, "sentences": [sentence.id]},
    )
    assert response.status_code == 400
    assert "not both" in response.json()["detail"][0]


def test_unknown_article_is_a_400(client_for, reviewer, db):
    response = client_for(reviewer).post("/api/v1/claims/", {"article": 999999, "start": 0})
    assert response.status_code == 400
    assert "article" in response.json()


def test_whitespace_between_sentences_is_no_claim(client_for, reviewer, article):
    newline = article.body.index("\n")
    response = client_for(reviewer).post(
        "/api/v1/claims/", {"article": article.id, "start": newline, "end": newline + 1}
    )
    assert response.status_code == 400
    assert "covers no sentence" in response.json()["start"][0]


def test_offsets_count_code_points_not_bytes(client_for, reviewer, db):
    article = ArticleFactory(body="Él dijo «ñandú» 😀 hoy. Y luego se fue.", language="es")
    start = article.body.index("«")
    end = article.body.index("»") + 1
    claim = client_for(reviewer).post(
        "/api/v1/claims/", {"article": article.id, "start": start, "end": end}
    )
    assert claim.json()["quote"]["exact"] == "«ñandú»"


def test_creating_a_claim_is_audited(client_for, reviewer, article):
    client_for(reviewer).post("/api/v1/claims/", {"article": article.id, "start": 0, "end": 9})
    event = AuditEvent.objects.get(action="claim.created")
    assert event.actor == reviewer
    assert event.changes["quote_exact"] == "Officials"


def test_patch_re_anchors_the_claim(client_for, reviewer, claim_by):
    claim = claim_by(reviewer)
    api = client_for(reviewer)
    etag = api.get(f"/api/v1/claims/{claim.id}/")["ETag"]
    body = claim.article.body
    start = body.index("Critics")
    response = api.patch(
        f"/api/v1/claims/{claim.id}/",
        {"start": start, "end": start + len("Critics called it unrealistic."), "text": "It is."},
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    assert response.json()["quote"]["exact"] == "Critics called it unrealistic."
    assert response.json()["quote"]["prefix"] == body[start - 32 : start]
    assert response.json()["text"] == "It is."
    event = AuditEvent.objects.get(action="claim.updated")
    assert event.changes["quote_exact"] == [SAMPLE_FIRST, "Critics called it unrealistic."]


def test_published_claim_span_cannot_change(client_for, reviewer, claim_by):
    claim = claim_by(reviewer, status=Claim.Status.PUBLISHED)
    api = client_for(reviewer)
    etag = api.get(f"/api/v1/claims/{claim.id}/")["ETag"]
    response = api.patch(f"/api/v1/claims/{claim.id}/", {"start": 1}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.start == 0


def test_published_claim_cannot_be_deleted_even_by_its_author(client_for, reviewer, claim_by):
    claim = claim_by(reviewer, status=Claim.Status.PUBLISHED)
    response = client_for(reviewer).delete(f"/api/v1/claims/{claim.id}/")
    assert response.status_code == 400
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_author_deletes_own_draft_claim_and_it_is_audited(client_for, reviewer, claim_by):
    claim = claim_by(reviewer)
    assert client_for(reviewer).delete(f"/api/v1/claims/{claim.id}/").status_code == 204
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert AuditEvent.objects.filter(action="claim.deleted", object_id=claim.pk).exists()


def test_claim_list_filters(client_for, reviewer, other_reviewer, article):
    mine = ClaimFactory(article=article, created_by=reviewer, assignee=other_reviewer)
    theirs = ClaimFactory(article=article, created_by=other_reviewer, status="submitted")
    elsewhere = ClaimFactory(created_by=other_reviewer)
    VerdictFactory(claim=theirs, author=other_reviewer)
    api = client_for(reviewer)

    def ids(**params):
        response = api.get("/api/v1/claims/", params)
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    assert ids() == {mine.id, theirs.id, elsewhere.id}
    assert ids(article=article.id) == {mine.id, theirs.id}
    assert ids(status="submitted") == {theirs.id}
    assert ids(created_by="me") == {mine.id}
    assert ids(created_by=other_reviewer.id) == {theirs.id, elsewhere.id}
    assert ids(assignee=other_reviewer.id) == {mine.id}
    assert ids(rating="false") == {theirs.id}
    assert ids(rating="true") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"article": "x"},
        {"article": "99999999999999999999999"},
        {"status": "nope"},
        {"created_by": "someone"},
        {"assignee": "-1"},
        {"cursor": "garbage"},
    ],
)
def test_bad_claim_filters_are_4xx(client_for, reviewer, db, params):
    response = client_for(reviewer).get("/api/v1/claims/", params)
    assert 400 <= response.status_code < 500
    assert response.json()


def test_claim_list_pages_by_cursor(client_for, reviewer, article):
    author = UserFactory(roles=["Reviewer"])
    for _ in range(5):
        ClaimFactory(article=article, created_by=author)
    api = client_for(reviewer)
    page = api.get("/api/v1/claims/", {"page_size": 2}).json()
    seen = [c["id"] for c in page["results"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [c["id"] for c in page["results"]]
    assert sorted(seen) == sorted(Claim.objects.values_list("id", flat=True))
    assert len(seen) == 5


def test_editor_deletes_another_reviewers_unpublished_claim(client_for, reviewer, editor, claim_by):
    claim = claim_by(reviewer, status=Claim.Status.REJECTED)
    assert client_for(editor).delete(f"/api/v1/claims/{claim.id}/").status_code == 204
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_other_reviewer_cannot_delete_a_claim(client_for, reviewer, other_reviewer, claim_by):
    claim = claim_by(reviewer)
    response = client_for(other_reviewer).delete(f"/api/v1/claims/{claim.id}/")
    assert response.status_code == 403
    assert "editor" in response.json()["detail"]
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_editor_cannot_delete_a_published_claim(client_for, reviewer, editor, claim_by):
    claim = claim_by(reviewer, status=Claim.Status.PUBLISHED)
    assert client_for(editor).delete(f"/api/v1/claims/{claim.id}/").status_code == 400
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_claim_corrections_list_the_notes_oldest_first(client_for, reviewer, editor, claim_by):
    from annotations.models import Correction

    claim = claim_by(reviewer, status=Claim.Status.RETRACTED)
    Correction.objects.create(claim=claim, kind="update", note="First", created_by=editor)
    Correction.objects.create(claim=claim, kind="retraction", note="Second", created_by=editor)
    data = client_for(reviewer).get(f"/api/v1/claims/{claim.id}/corrections/").json()
    assert [(c["kind"], c["note"], c["created_by"]) for c in data] == [
        ("update", "First", editor.username),
        ("retraction", "Second", editor.username),
    ]


@pytest.mark.parametrize("value", ["¹", "١٢", "x", "0"])
def test_a_user_filter_that_is_not_an_ascii_id_is_400(client_for, reviewer, value):
    response = client_for(reviewer).get("/api/v1/verdicts/", {"author": value})
    assert response.status_code == 400
    assert "user id" in str(response.json()["author"])
