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
