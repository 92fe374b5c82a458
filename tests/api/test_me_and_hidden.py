"""me/, rating scales, tokens, and moderators' hidden content."""

from annotations.models import Comment
from tests.factories import ClaimFactory, SourceFactory


def test_me_shows_roles_and_work_queue(client_for, reviewer, editor, submitted_verdict_by):
    submitted_verdict_by(reviewer)
    mine = client_for(reviewer).get("/api/v1/me/").json()
    assert mine["user"]["username"] == reviewer.username
    assert mine["roles"] == ["Reviewer"]
    assert mine["queue"]["my_verdicts_awaiting_approval"] == 1
    assert mine["queue"]["verdicts_to_review"] == 0
    theirs = client_for(editor).get("/api/v1/me/").json()
    assert theirs["queue"]["verdicts_to_review"] == 1


def test_outsider_sees_me_with_no_roles(client_for, outsider):
    data = client_for(outsider).get("/api/v1/me/").json()
    assert data["roles"] == []


def test_rating_scales_carry_the_claim_review_mapping(client_for, reviewer):
    (scale,) = client_for(reviewer).get("/api/v1/rating-scales/").json()
    ratings = {r["slug"]: r for r in scale["ratings"]}
    assert ratings["false"]["claim_review"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
    }
    assert ratings["misleading"]["claim_review"]["ratingValue"] is None


def test_wrong_password_gets_no_token(api_client, reviewer):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": reviewer.username, "password": "wrong"}
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_hidden_claim_is_invisible_to_reviewers_and_editors(
    client_for, reviewer, editor, moderator, article
):
    claim = ClaimFactory(article=article, is_hidden=True)
    for user in (reviewer, editor):
        api = client_for(user)
        assert api.get(f"/api/v1/claims/{claim.id}/").status_code == 404
        assert api.get(f"/api/v1/claims/{claim.id}/sources/").status_code == 404
        assert api.get("/api/v1/claims/").json()["results"] == []
        assert api.get(f"/api/v1/articles/{article.id}/").json()["claims"] == []
    api = client_for(moderator)
    assert api.get(f"/api/v1/claims/{claim.id}/").json()["is_hidden"] is True
    assert [c["id"] for c in api.get(f"/api/v1/articles/{article.id}/").json()["claims"]] == [
        claim.id
    ]


def test_hidden_sources_and_comments_are_invisible_to_reviewers(
    client_for, reviewer, moderator, claim_by
):
    claim = claim_by(reviewer)
    shown = SourceFactory(claim=claim)
    SourceFactory(claim=claim, is_hidden=True)
    Comment.objects.create(claim=claim, author=reviewer, body="shown")
    Comment.objects.create(claim=claim, author=reviewer, body="hidden", is_hidden=True)
    api = client_for(reviewer)
    sources = api.get(f"/api/v1/claims/{claim.id}/sources/").json()["results"]
    assert [s["id"] for s in sources] == [shown.id]
    comments = api.get(f"/api/v1/claims/{claim.id}/comments/").json()["results"]
    assert [c["body"] for c in comments] == ["shown"]
    moderated = client_for(moderator).get(f"/api/v1/claims/{claim.id}/comments/").json()
    assert len(moderated["results"]) == 2


def test_source_url_must_be_http(client_for, reviewer, claim_by):
    claim = claim_by(reviewer)
    for url in ("ftp://example.org/x", "javascript:alert(1)", "not a url"):
        response = client_for(reviewer).post(f"/api/v1/claims/{claim.id}/sources/", {"url": url})
        assert response.status_code == 400, url
        assert "url" in response.json()
    assert not claim.sources.exists()


def test_empty_comment_is_refused(client_for, reviewer, claim_by):
    claim = claim_by(reviewer)
    response = client_for(reviewer).post(f"/api/v1/claims/{claim.id}/comments/", {"body": "  "})
    assert response.status_code == 400
