"""A reviewer links a claim to the earlier fact-check it repeats; the exports carry the link."""

import json

import pytest

from annotations.exporting.formats import claimreview, webannotation
from annotations.exporting.records import records_for
from annotations.models import AuditEvent, Claim, ExternalFactCheck
from annotations.selectors import published_claims
from tests.factories import ClaimFactory, UserFactory, published_claim


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rita", roles=["Reviewer"])


def test_reviewer_links_own_draft_to_an_earlier_claim(reviewer, client_for):
    earlier = published_claim()
    claim = ClaimFactory(created_by=reviewer)
    response = client_for(reviewer).post(
        f"/api/v1/claims/{claim.pk}/same-as/", {"claim": earlier.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["same_as"] == earlier.pk
    assert AuditEvent.objects.filter(action="claim.linked", object_id=claim.pk).exists()
    response = client_for(reviewer).delete(f"/api/v1/claims/{claim.pk}/same-as/")
    assert response.status_code == 200
    assert response.json()["same_as"] is None


@pytest.mark.parametrize(
    ("body", "message"),
    [({}, "Give the earlier"), ({"claim": 999999}, "does not exist")],
)
def test_a_link_needs_an_existing_target(reviewer, client_for, body, message):
    claim = ClaimFactory(created_by=reviewer)
    response = client_for(reviewer).post(f"/api/v1/claims/{claim.pk}/same-as/", body, format="json")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_claim_cannot_be_linked_to_itself(reviewer, client_for):
    claim = ClaimFactory(created_by=reviewer)
    response = client_for(reviewer).post(
        f"/api/v1/claims/{claim.pk}/same-as/", {"claim": claim.pk}, format="json"
    )
    assert response.status_code == 400


def test_another_reviewers_claim_and_a_published_one_are_not_theirs_to_link(reviewer, client_for):
    earlier = published_claim()
    others = ClaimFactory()
    published = published_claim(created_by=reviewer)
    for claim in (others, published):
        response = client_for(reviewer).post(
            f"/api/v1/claims/{claim.pk}/same-as/", {"claim": earlier.pk}, format="json"
        )
        assert response.status_code == 403
        claim.refresh_from_db()
        assert claim.same_as_id is None
    editor = UserFactory(roles=["Editor"])
    response = client_for(editor).post(
        f"/api/v1/claims/{published.pk}/same-as/", {"claim": earlier.pk}, format="json"
    )
    assert response.status_code == 200


def test_the_exports_carry_the_link_to_a_public_earlier_check(db):
    earlier = published_claim()
    external = ExternalFactCheck.objects.create(
        claim_text="x", url="https://checkers.example.org/x", publisher="Other"
    )
    linked = published_claim(same_as=earlier)
    linked_out = published_claim(same_as_external=external)
    draft_target = ClaimFactory()
    not_public = published_claim(same_as=draft_target)
    rows = {row["id"]: row for row in records_for(published_claims())}

    review = claimreview(rows[linked.pk])
    assert review["itemReviewed"]["sameAs"].endswith(f"/claims/{earlier.pk}/")
    assert claimreview(rows[linked_out.pk])["itemReviewed"]["sameAs"] == external.url
    assert "sameAs" not in claimreview(rows[not_public.pk])["itemReviewed"]  # never leak a draft
    links = [b for b in webannotation(rows[linked.pk])["body"] if b["purpose"] == "linking"]
    assert links == [
        {
            "type": "SpecificResource",
            "purpose": "linking",
            "source": review["itemReviewed"]["sameAs"],
        }
    ]
    json.dumps(review)
    assert Claim.objects.get(pk=not_public.pk).same_as_id == draft_target.pk


def test_the_access_policy_alone_decides_which_earlier_claims_may_be_named(db, client_for):
    """A hidden earlier claim is, for a reviewer, as an id never used (the same 400); for a
    reviewer who also moderates it exists (moderators see hidden claims), so they may link it."""
    hidden = published_claim(is_hidden=True, hidden_reason="spam")
    reviewer = UserFactory(roles=["Reviewer"])
    claim = ClaimFactory(created_by=reviewer)
    url = f"/api/v1/claims/{claim.pk}/same-as/"
    refused = client_for(reviewer).post(url, {"claim": hidden.pk}, format="json")
    never = client_for(reviewer).post(url, {"claim": 999999}, format="json")
    assert (refused.status_code, never.status_code) == (400, 400)
    assert refused.json() == {"claim": [f'Invalid pk "{hidden.pk}" - object does not exist.']}
    assert never.json() == {"claim": ['Invalid pk "999999" - object does not exist.']}
    assert Claim.objects.get(pk=claim.pk).same_as_id is None

    moderating = UserFactory(roles=["Reviewer", "Moderator"])
    own = ClaimFactory(created_by=moderating)
    url = f"/api/v1/claims/{own.pk}/same-as/"
    linked = client_for(moderating).post(url, {"claim": hidden.pk}, format="json")
    assert linked.status_code == 200, linked.content
    assert Claim.objects.get(pk=own.pk).same_as_id == hidden.pk
