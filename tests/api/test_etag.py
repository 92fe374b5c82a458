"""Concurrent edits: ETag on detail, If-Match required (428), stale tags refused (412)."""

import pytest

from annotations.models import Claim, Source
from annotations.services import withdraw_verdict
from tests.factories import SourceFactory


@pytest.fixture
def targets(reviewer, submitted_verdict_by):
    # Withdrawn, so claim, source and verdict are all editable drafts.
    verdict = withdraw_verdict(verdict=submitted_verdict_by(reviewer), actor=reviewer)
    source = Source.objects.get(claim=verdict.claim)
    return {
        "claim": (f"/api/v1/claims/{verdict.claim_id}/", {"text": "Edited."}),
        "source": (f"/api/v1/claims/{verdict.claim_id}/sources/{source.id}/", {"title": "T"}),
        "verdict": (
            f"/api/v1/verdicts/{verdict.id}/",
            {"explanation": "A revised explanation that is long enough."},
        ),
    }


@pytest.mark.parametrize("kind", ["claim", "source", "verdict"])
@pytest.mark.parametrize("method", ["patch", "put"])
def test_write_without_if_match_is_428(client_for, reviewer, targets, kind, method):
    url, change = targets[kind]
    response = getattr(client_for(reviewer), method)(url, change)
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]


@pytest.mark.parametrize("kind", ["claim", "source", "verdict"])
def test_stale_if_match_is_412_and_changes_nothing(client_for, reviewer, targets, kind):
    url, change = targets[kind]
    api = client_for(reviewer)
    first = api.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert api.patch(url, change, HTTP_IF_MATCH=etag).status_code == 200
    after_first = api.get(url).json()
    response = api.patch(url, {k: "Overwritten " * 5 for k in change}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert api.get(url).json() == after_first


def test_two_reviewers_editing_the_same_source_do_not_overwrite_each_other(
    client_for, reviewer, editor, claim_by
):
    source = SourceFactory(claim=claim_by(reviewer), created_by=reviewer)
    url = f"/api/v1/claims/{source.claim_id}/sources/{source.id}/"
    rita, edna = client_for(reviewer), client_for(editor)
    etag = rita.get(url)["ETag"]
    assert edna.get(url)["ETag"] == etag
    assert rita.patch(url, {"title": "Rita's"}, HTTP_IF_MATCH=etag).status_code == 200
    assert edna.patch(url, {"title": "Edna's"}, HTTP_IF_MATCH=etag).status_code == 412
    source.refresh_from_db()
    assert source.title == "Rita's"


def test_if_match_list_accepts_the_current_tag(client_for, reviewer, claim_by):
    claim = claim_by(reviewer)
    api = client_for(reviewer)
    etag = api.get(f"/api/v1/claims/{claim.id}/")["ETag"]
    response = api.patch(
        f"/api/v1/claims/{claim.id}/", {"claimant": "X"}, HTTP_IF_MATCH=f'"old", {etag}'
    )
    assert response.status_code == 200
    assert Claim.objects.get(pk=claim.pk).claimant == "X"
