"""The permission matrix: role x action x own/other's object.

Each case asserts the status code and, when refused, that the database did not change.
"""

import pytest
from django.forms.models import model_to_dict

from annotations.api.common import etag_for
from annotations.models import Article, AuditEvent, Claim, Comment, Correction, Source, Verdict
from tests.api.conftest import verdict_etag
from tests.factories import SourceFactory, UserFactory

ROLES = ["reviewer", "editor", "moderator", "outsider", "anonymous"]
WRITERS = {"reviewer", "editor"}


def _state():
    """Everything an API write could touch, as plain values."""
    return [
        [model_to_dict(o) for o in model.objects.order_by("pk")]
        for model in (Article, Claim, Source, Comment, Verdict, Correction)
    ] + [AuditEvent.objects.count()]


def _expected(role: str, action: str, own: bool) -> int:
    if role == "anonymous":
        return 403
    if role not in WRITERS:
        return 403
    editor = role == "editor"
    ok = {
        "claim.update": 200 if own or editor else 403,
        "claim.delete": 204 if own or editor else 403,
        "source.update": 200 if own or editor else 403,
        "source.delete": 204 if own or editor else 403,
        "comment.update": 200 if own else 403,
        "comment.delete": 204 if own else 403,
        "verdict.update": 200 if own else 403,
        "verdict.approve": 200 if editor and not own else 403,
        "verdict.reject": 200 if editor and not own else 403,
        "article.assign": 200 if editor else 403,
    }
    return ok[action]


def _prepare(action: str, owner, submitted_verdict_by, claim_by, assignee):
    """Create the object `owner` owns for `action`; return the request that acts on it."""
    if action.startswith("claim."):
        claim = claim_by(owner)
        url = f"/api/v1/claims/{claim.id}/"
        if action == "claim.update":
            return lambda api: api.patch(url, {"text": "New."}, HTTP_IF_MATCH=etag_for(claim))
        return lambda api: api.delete(url)
    if action.startswith("source."):
        source = SourceFactory(claim=claim_by(owner), created_by=owner)
        url = f"/api/v1/claims/{source.claim_id}/sources/{source.id}/"
        if action == "source.update":
            return lambda api: api.patch(url, {"title": "New"}, HTTP_IF_MATCH=etag_for(source))
        return lambda api: api.delete(url)
    if action.startswith("comment."):
        comment = Comment.objects.create(claim=claim_by(owner), author=owner, body="Hm.")
        url = f"/api/v1/claims/{comment.claim_id}/comments/{comment.id}/"
        if action == "comment.update":
            return lambda api: api.patch(url, {"body": "Edited."})
        return lambda api: api.delete(url)
    if action.startswith("verdict."):
        verdict = submitted_verdict_by(owner)
        url = f"/api/v1/verdicts/{verdict.id}/"
        if action == "verdict.update":
            # Only a draft (withdrawn) verdict is revised: a submitted one is frozen.
            Verdict.objects.filter(pk=verdict.pk).update(status=Verdict.Status.DRAFT)
            Claim.objects.filter(pk=verdict.claim_id).update(status=Claim.Status.DRAFT)
            change = {"explanation": "A revised explanation, long enough."}
            return lambda api: api.patch(url, change, HTTP_IF_MATCH=verdict_etag(verdict.id))
        body = {"reason": "Needs a newer source."} if action == "verdict.reject" else {}
        etag = verdict_etag(verdict.id)
        return lambda api: api.post(f"{url}{action.split('.')[1]}/", body, HTTP_IF_MATCH=etag)
    article = claim_by(owner).article
    url = f"/api/v1/articles/{article.id}/assign/"
    return lambda api: api.post(url, {"assignee": assignee.id})


# Every role against its own object and another's; anonymous users own nothing.
ROLE_AND_OWNER = [(r, own) for r in ROLES for own in (True, False) if r != "anonymous" or not own]


@pytest.mark.parametrize(
    ("role", "own"),
    ROLE_AND_OWNER,
    ids=[f"{r}-{'own' if own else 'others'}" for r, own in ROLE_AND_OWNER],
)
@pytest.mark.parametrize(
    "action",
    [
        "claim.update",
        "claim.delete",
        "source.update",
        "source.delete",
        "comment.update",
        "comment.delete",
        "verdict.update",
        "verdict.approve",
        "verdict.reject",
        "article.assign",
    ],
)
def test_permission_matrix(
    request, client_for, other_reviewer, submitted_verdict_by, claim_by, role, action, own
):
    actor = None if role == "anonymous" else request.getfixturevalue(role)
    owner = actor if own else other_reviewer
    send = _prepare(action, owner, submitted_verdict_by, claim_by, UserFactory(roles=["Reviewer"]))
    before = _state()
    response = send(client_for(actor))
    expected = _expected(role, action, own)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert _state() == before
        assert "detail" in response.json()
    else:
        # One event for the action; the article's status may move with it, audited on its own.
        actions = AuditEvent.objects.exclude(action="article.status_changed")
        assert actions.count() == before[-1] + 1


@pytest.mark.parametrize("role", ["outsider", "anonymous"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/",
        "/api/v1/claims/",
        "/api/v1/verdicts/",
        "/api/v1/rating-scales/",
    ],
)
def test_reads_need_a_role(request, client_for, role, url):
    actor = None if role == "anonymous" else request.getfixturevalue(role)
    assert client_for(actor).get(url).status_code in (401, 403)


def test_anonymous_gets_403_on_me(client_for, db):
    assert client_for(None).get("/api/v1/me/").status_code in (401, 403)


@pytest.mark.parametrize("role", ["moderator", "outsider"])
def test_only_checkers_create_claims(request, client_for, article, role):
    response = client_for(request.getfixturevalue(role)).post(
        "/api/v1/claims/", {"article": article.id, "start": 0, "end": 9}
    )
    assert response.status_code == 403
    assert not Claim.objects.exists()
