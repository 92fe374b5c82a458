"""The whole path by API: find an article, mark a claim, cite a source, give a verdict, approve."""

from annotations.models import AuditEvent, Claim, Verdict
from annotations.selectors import published_claims
from tests.factories import ArticleFactory


def test_reviewer_and_editor_publish_a_claim_by_token(api_client, reviewer, editor, db):
    article = ArticleFactory(title="Emissions plan unveiled")
    for user in (reviewer, editor):
        response = api_client.post(
            "/api/v1/auth/token/",
            {"username": user.username, "password": "correct-horse-battery"},
        )
        assert response.status_code == 200, response.content
        user.token = response.json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {reviewer.token}")
    found = api_client.get("/api/v1/articles/", {"q": "emissions"}).json()["results"]
    assert [a["id"] for a in found] == [article.id]

    detail = api_client.get(f"/api/v1/articles/{article.id}/").json()
    first = detail["sentences"][0]
    claim = api_client.post(
        "/api/v1/claims/",
        {"article": article.id, "sentences": [first["id"]], "claimant": "Officials"},
    )
    assert claim.status_code == 201, claim.content
    claim = claim.json()
    assert claim["quote"]["exact"] == first["text"]
    assert claim["sentences"] == [first["id"]]

    source = api_client.post(
        f"/api/v1/claims/{claim['id']}/sources/",
        {"url": "https://www.example.gov/report", "stance": "refutes", "quote": "12 percent"},
    )
    assert source.status_code == 201, source.content
    verdict = api_client.post(
        f"/api/v1/claims/{claim['id']}/verdicts/",
        {"rating": "false", "explanation": "The official projection is 12 percent, not 40."},
    )
    assert verdict.status_code == 201, verdict.content
    assert verdict.json()["status"] == "submitted"

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {editor.token}")
    queue = api_client.get("/api/v1/verdicts/", {"status": "submitted"}).json()["results"]
    assert [v["id"] for v in queue] == [verdict.json()["id"]]
    approved = api_client.post(
        f"/api/v1/verdicts/{verdict.json()['id']}/approve/", {}, HTTP_IF_MATCH=queue[0]["etag"]
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == Verdict.Status.APPROVED

    published = Claim.objects.get(pk=claim["id"])
    assert published.status == Claim.Status.PUBLISHED
    assert published.published_verdict_id == verdict.json()["id"]
    assert list(published_claims()) == [published]
    events = AuditEvent.objects.filter(action__regex=r"^(claim|source|verdict)\.")
    assert list(events.values_list("action", flat=True)) == [
        "claim.created",
        "source.created",
        "verdict.submitted",
        "verdict.approved",
    ]
