"""My work: the API's search (body included) and counts that agree with `GET /api/v1/me/`."""

import re

import pytest
from django.test import Client

from annotations.models import Article, Claim, Verdict
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, VerdictFactory


def _page(user, **params):
    client = Client()
    client.force_login(user)
    response = client.get("/", params)
    assert response.status_code == 200
    return response.content.decode()


def _count(html: str, testid: str) -> int:
    match = re.search(rf'data-testid="{testid}">(\d+)<', html)
    assert match, f"no {testid} on the page"
    return int(match.group(1))


def test_search_finds_words_of_the_body_as_the_api_does(client_for, reviewer):
    ArticleFactory(title="Budget cuts", body="Ministers said the glaciers grew by 3 percent.")
    ArticleFactory(title="Floods", body="Rivers rose overnight across the region.")
    html = _page(reviewer, q="glaciers")
    api = client_for(reviewer).get("/api/v1/articles/", {"q": "glaciers"}).json()["results"]
    assert [a["title"] for a in api] == ["Budget cuts"]
    assert "Budget cuts" in html
    assert "Floods" not in html
    # The API's web-search syntax works the same on the page.
    assert "Budget cuts" not in _page(reviewer, q="glaciers -ministers")


@pytest.mark.parametrize("who", ["reviewer", "editor"])
def test_counts_agree_with_the_api(client_for, request, who, reviewer, other_reviewer, editor):
    user = request.getfixturevalue(who)
    mine = ArticleFactory(assignee=user, status=Article.Status.IN_REVIEW)
    ArticleFactory(assignee=user, status=Article.Status.REVIEWED)  # done: not waiting
    ArticleFactory(assignee=user)
    ClaimFactory(article=mine, created_by=user)  # draft: awaits my verdict
    ClaimFactory(article=mine, created_by=other_reviewer, assignee=user)  # assigned to me
    ClaimFactory(article=mine, created_by=user, status=Claim.Status.REJECTED)
    ClaimFactory(article=mine, created_by=user, status=Claim.Status.SUBMITTED)  # waits an editor
    for author in (reviewer, other_reviewer):
        claim = ClaimFactory(article=mine, created_by=author, status=Claim.Status.SUBMITTED)
        SourceFactory(claim=claim, created_by=author)
        VerdictFactory(claim=claim, author=author, status=Verdict.Status.SUBMITTED)

    queue = client_for(user).get("/api/v1/me/").json()["queue"]
    html = _page(user)
    assert _count(html, "count-assigned") == queue["assigned_articles"] == 2
    assert _count(html, "count-awaiting-verdict") == queue["claims_awaiting_verdict"] == 3
    if who == "editor":
        assert _count(html, "count-awaiting-approval") == queue["verdicts_to_review"] == 2
    else:
        assert "count-awaiting-approval" not in html
        assert queue["verdicts_to_review"] == 0
