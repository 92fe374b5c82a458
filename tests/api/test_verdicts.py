"""Verdicts: what a submission needs, the two-person rule, republication with a correction."""

import pytest
from django.test import override_settings

from annotations.models import AuditEvent, Claim, Correction, Verdict
from annotations.selectors import published_claims
from tests.api.conftest import verdict_etag
from tests.factories import SourceFactory


def _approve(api, verdict_id: int, **body):
    return api.post(
        f"/api/v1/verdicts/{verdict_id}/approve/", body, HTTP_IF_MATCH=verdict_etag(verdict_id)
    )


GOOD = {"rating": "false", "explanation": "The official projection is 12 percent, not 40."}


def test_verdict_needs_a_source(client_for, reviewer, claim_by):
    claim = claim_by(reviewer)
    response = client_for(reviewer).post(f"/api/v1/claims/{claim.id}/verdicts/", GOOD)
    assert response.status_code == 400
    assert "source" in response.json()["detail"][0]
    assert not Verdict.objects.exists()


def test_hidden_source_does_not_count(client_for, reviewer, claim_by):
    claim = claim_by(reviewer)
    SourceFactory(claim=claim, created_by=reviewer, is_hidden=True)
    response = client_for(reviewer).post(f"/api/v1/claims/{claim.id}/verdicts/", GOOD)
    assert response.status_code == 400


@override_settings(VERDICT_MIN_EXPLANATION_LENGTH=30)
def test_explanation_must_reach_the_configured_length(client_for, reviewer, sourced_claim_by):
    claim = sourced_claim_by(reviewer)
    response = client_for(reviewer).post(
        f"/api/v1/claims/{claim.id}/verdicts/", {"rating": "false", "explanation": "x" * 29}
    )
    assert response.status_code == 400
    assert response.json()["explanation"] == ["Explain the verdict in at least 30 characters."]


def test_unknown_rating_is_a_400(client_for, reviewer, sourced_claim_by):
    claim = sourced_claim_by(reviewer)
    response = client_for(reviewer).post(
        f"/api/v1/claims/{claim.id}/verdicts/", {**GOOD, "rating": "pants-on-fire"}
    )
    assert response.status_code == 400
    assert "rating" in response.json()


def test_second_pending_verdict_is_refused(client_for, reviewer, submitted_verdict_by):
    verdict = submitted_verdict_by(reviewer)
    response = client_for(reviewer).post(f"/api/v1/claims/{verdict.claim_id}/verdicts/", GOOD)
    assert response.status_code == 400
    assert "awaits an editor" in response.json()["detail"][0]


def test_editor_cannot_approve_own_verdict(client_for, editor, submitted_verdict_by):
    verdict = submitted_verdict_by(editor)
    response = client_for(editor).post(
        f"/api/v1/verdicts/{verdict.id}/approve/", {}, HTTP_IF_MATCH=verdict_etag(verdict.id)
    )
    assert response.status_code == 403
    verdict.refresh_from_db()
    assert verdict.status == Verdict.Status.SUBMITTED
    assert verdict.claim.status == Claim.Status.SUBMITTED


def test_reject_needs_a_reason_and_sends_the_claim_back(
    client_for, reviewer, editor, submitted_verdict_by
):
    verdict = submitted_verdict_by(reviewer)
    api = client_for(editor)
    assert (
        api.post(
            f"/api/v1/verdicts/{verdict.id}/reject/",
            {"reason": " "},
            HTTP_IF_MATCH=verdict_etag(verdict.id),
        ).status_code
        == 400
    )
    response = api.post(
        f"/api/v1/verdicts/{verdict.id}/reject/",
        {"reason": "Old source."},
        HTTP_IF_MATCH=verdict_etag(verdict.id),
    )
    assert response.status_code == 200, response.content
    assert response.json()["review_note"] == "Old source."
    verdict.refresh_from_db()
    assert verdict.status == Verdict.Status.REJECTED
    assert verdict.claim.status == Claim.Status.REJECTED
    assert AuditEvent.objects.filter(action="verdict.rejected", object_id=verdict.pk).exists()


def test_approving_twice_is_a_400(client_for, reviewer, editor, submitted_verdict_by):
    verdict = submitted_verdict_by(reviewer)
    api = client_for(editor)
    assert (
        api.post(
            f"/api/v1/verdicts/{verdict.id}/approve/", {}, HTTP_IF_MATCH=verdict_etag(verdict.id)
        ).status_code
        == 200
    )
    assert (
        api.post(
            f"/api/v1/verdicts/{verdict.id}/approve/", {}, HTTP_IF_MATCH=verdict_etag(verdict.id)
        ).status_code
        == 400
    )


def _publish(client_for, reviewer, editor, submitted_verdict_by) -> Verdict:
    verdict = submitted_verdict_by(reviewer)
    assert (
        client_for(editor)
        .post(f"/api/v1/verdicts/{verdict.id}/approve/", HTTP_IF_MATCH=verdict_etag(verdict.id))
        .status_code
        == 200
    )
    return verdict


def test_later_verdict_waits_for_approval_and_keeps_the_published_one(
    client_for, reviewer, editor, submitted_verdict_by
):
    first = _publish(client_for, reviewer, editor, submitted_verdict_by)
    response = client_for(reviewer).post(
        f"/api/v1/claims/{first.claim_id}/verdicts/", {**GOOD, "rating": "mostly-false"}
    )
    assert response.status_code == 201, response.content
    claim = Claim.objects.get(pk=first.claim_id)
    assert claim.status == Claim.Status.PUBLISHED
    assert claim.published_verdict_id == first.pk
    assert published_claims().get().published_verdict.rating.slug == "false"


def test_replacing_a_published_verdict_needs_a_correction_note(
    client_for, reviewer, editor, other_editor, submitted_verdict_by
):
    first = _publish(client_for, reviewer, editor, submitted_verdict_by)
    second = client_for(reviewer).post(
        f"/api/v1/claims/{first.claim_id}/verdicts/", {**GOOD, "rating": "mostly-false"}
    )
    second_id = second.json()["id"]
    api = client_for(other_editor)
    refused = api.post(
        f"/api/v1/verdicts/{second_id}/approve/", {}, HTTP_IF_MATCH=verdict_etag(second_id)
    )
    assert refused.status_code == 400
    assert "correction" in refused.json()
    assert Claim.objects.get(pk=first.claim_id).published_verdict_id == first.pk

    note = "The 2024 inventory shows part of the cut is real."
    approved = api.post(
        f"/api/v1/verdicts/{second_id}/approve/",
        {"correction": note},
        HTTP_IF_MATCH=verdict_etag(second_id),
    )
    assert approved.status_code == 200, approved.content
    claim = Claim.objects.get(pk=first.claim_id)
    assert claim.published_verdict_id == second_id
    first.refresh_from_db()
    assert first.status == Verdict.Status.APPROVED  # kept in the record
    correction = Correction.objects.get()
    assert (correction.kind, correction.note, correction.verdict_id) == ("update", note, second_id)
    assert correction.created_by == other_editor


@pytest.mark.parametrize("field", ["explanation", "rating"])
def test_author_withdraws_revises_and_resubmits_a_verdict_with_if_match(
    client_for, reviewer, submitted_verdict_by, field
):
    verdict = submitted_verdict_by(reviewer)
    api = client_for(reviewer)
    withdrawn = api.post(f"/api/v1/verdicts/{verdict.id}/withdraw/")
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["status"] == "draft"
    assert Claim.objects.get(pk=verdict.claim_id).status == Claim.Status.DRAFT
    etag = api.get(f"/api/v1/verdicts/{verdict.id}/")["ETag"]
    change = (
        {"explanation": "A longer and better explanation."}
        if field == "explanation"
        else {"rating": "misleading"}
    )
    response = api.patch(f"/api/v1/verdicts/{verdict.id}/", change, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    assert AuditEvent.objects.filter(action="verdict.updated").exists()
    resubmitted = api.post(f"/api/v1/verdicts/{verdict.id}/submit/")
    assert resubmitted.status_code == 200, resubmitted.content
    assert resubmitted.json()["status"] == "submitted"
    assert Claim.objects.get(pk=verdict.claim_id).status == Claim.Status.SUBMITTED
