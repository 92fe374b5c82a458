"""Moderation reaches the public: hidden and retracted claims leave the feed, ClaimReview and
reviewers' lists; a hidden source leaves its claim's public item; a retracted claim's page says
so with its correction note, without ClaimReview markup."""

import extruct
import pytest

from annotations import moderation
from annotations.models import Claim
from annotations.selectors import public_claim_pages, published_claims
from tests.factories import ClaimFactory, SourceFactory

FEED = "/api/v1/verified-claims/"


def feed_ids(client, **params) -> list[int]:
    response = client.get(FEED, params)
    assert response.status_code == 200
    body = response.json()
    items = body["results"] if isinstance(body, dict) else body
    return [item["id"] if "id" in item else item["url"] for item in items]


def test_hidden_claim_leaves_the_feed_claimreview_and_public_page(client, world, moderator):
    claim = world.claim
    assert feed_ids(client) == [claim.pk]
    [review] = client.get(FEED, {"format": "claimreview"}).json()
    assert review["url"].endswith(f"/claims/{claim.pk}/")
    assert client.get(f"/claims/{claim.pk}/").status_code == 200

    moderation.hide_content(target=claim, moderator=moderator, reason="Privacy complaint")

    assert feed_ids(client) == []
    assert client.get(FEED, {"format": "claimreview"}).json() == []
    assert client.get(f"/claims/{claim.pk}/").status_code == 404
    assert claim not in published_claims()

    moderation.unhide_content(target=claim, moderator=moderator, reason="Complaint withdrawn")
    assert feed_ids(client) == [claim.pk]


def test_hidden_source_leaves_the_public_item(client, world, moderator):
    [item] = client.get(FEED).json()["results"]
    assert [s["url"] for s in item["sources"]] == [world.source.url]
    moderation.hide_content(target=world.source, moderator=moderator, reason="Dead link")
    [item] = client.get(FEED).json()["results"]
    assert item["sources"] == []


def test_hidden_claim_leaves_reviewers_lists_but_moderators_see_it(
    client_for, world, reviewer, moderator
):
    article = world.claim.article_id

    def listed(user) -> list[int]:
        response = client_for(user).get("/api/v1/claims/", {"article": article})
        assert response.status_code == 200
        return [c["id"] for c in response.json()["results"]]

    assert listed(reviewer) == [world.claim.pk]
    response = client_for(moderator).post(
        f"/api/v1/claims/{world.claim.pk}/hide/", {"reason": "Abusive"}
    )
    assert response.status_code == 200
    assert listed(reviewer) == []
    assert listed(moderator) == [world.claim.pk]


def test_retracted_claim_leaves_the_feed(client, world, moderator):
    moderation.retract_verdict(verdict=world.verdict, moderator=moderator, note="Data revised.")
    assert feed_ids(client) == []
    assert client.get(FEED, {"format": "claimreview"}).json() == []


def test_retraction_note_is_shown_on_the_claims_public_page(client, world, moderator):
    correction = moderation.retract_verdict(
        verdict=world.verdict, moderator=moderator, note="The ministry revised its figures."
    )
    page = client.get(f"/claims/{world.claim.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "This fact check was retracted" in html
    assert "The ministry revised its figures." in html
    assert f'datetime="{correction.created_at.isoformat()}"' in html
    assert world.claim.quote_exact in html


def test_retracted_claim_page_drops_its_claimreview_markup(client, world, moderator):
    assert extruct.extract(client.get(f"/claims/{world.claim.pk}/").content.decode())["json-ld"]
    moderation.retract_verdict(verdict=world.verdict, moderator=moderator, note="Data revised.")

    html = client.get(f"/claims/{world.claim.pk}/").content.decode()

    # Google's fact-check guidance: remove the markup of a withdrawn review; keep it unindexed.
    assert "application/ld+json" not in html
    assert extruct.extract(html, syntaxes=["json-ld"])["json-ld"] == []
    assert '<meta name="robots" content="noindex">' in html


def test_published_claim_page_is_indexed(client, world):
    assert "noindex" not in client.get(f"/claims/{world.claim.pk}/").content.decode()


def test_hidden_retracted_claim_has_no_public_page(client, world, moderator):
    moderation.retract_verdict(verdict=world.verdict, moderator=moderator, note="Data revised.")
    moderation.hide_content(target=world.claim, moderator=moderator, reason="Privacy complaint")

    assert client.get(f"/claims/{world.claim.pk}/").status_code == 404
    assert world.claim not in public_claim_pages()


@pytest.mark.parametrize("status", [Claim.Status.DRAFT, Claim.Status.RETRACTED])
def test_never_published_claim_has_no_public_page(client, db, status):
    claim = ClaimFactory(status=status)

    assert client.get(f"/claims/{claim.pk}/").status_code == 404


def test_retracted_claim_page_query_count(client, world, moderator, django_assert_num_queries):
    moderation.retract_verdict(verdict=world.verdict, moderator=moderator, note="Data revised.")
    SourceFactory(claim=world.claim)
    # The claim's row, its sources, its corrections.
    with django_assert_num_queries(3):
        assert client.get(f"/claims/{world.claim.pk}/").status_code == 200
