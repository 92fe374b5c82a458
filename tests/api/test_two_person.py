"""An approval is bound to what the editor reviewed, and to a second person.

Approve and reject need `If-Match` (428 without, 412 stale); the tag covers the verdict, the
claim's span and wording, and its sources. Nobody approves a verdict on a claim whose span,
wording or sources they wrote or changed, and PostgreSQL refuses it too. The two walk-arounds
reproduced on main are regression tests here.
"""

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from annotations.models import AuditEvent, Claim, ClaimContributor, Correction, Source, Verdict
from annotations.moderation import hide_content
from tests.api.conftest import verdict_etag
from tests.factories import SourceFactory, UserFactory

GOOD = {"rating": "false", "explanation": "The official projection is 12 percent, not 40."}


def _state():
    return [
        [model_to_dict(o) for o in model.objects.order_by("pk")]
        for model in (Claim, Source, Verdict, Correction, ClaimContributor)
    ] + [AuditEvent.objects.count()]


def _decide(api, verdict_id: int, decision: str, **headers):
    body = {"reason": "Needs a newer source."} if decision == "reject" else {}
    return api.post(f"/api/v1/verdicts/{verdict_id}/{decision}/", body, **headers)


# --- If-Match on the decision ------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_decision_without_if_match_is_428_and_changes_nothing(
    client_for, reviewer, editor, submitted_verdict_by, decision
):
    verdict = submitted_verdict_by(reviewer)
    before = _state()
    response = _decide(client_for(editor), verdict.pk, decision)
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert _state() == before


@pytest.mark.parametrize("decision", ["approve", "reject"])
@pytest.mark.parametrize(
    "change",
    ["rating", "claim_wording", "claim_span", "source_added", "source_edited", "source_hidden"],
)
def test_a_decision_on_a_stale_reading_is_412_and_changes_nothing(
    client_for, reviewer, editor, moderator, submitted_verdict_by, decision, change
):
    verdict = submitted_verdict_by(reviewer)
    read = client_for(editor).get(f"/api/v1/verdicts/{verdict.pk}/")
    assert read.json()["etag"] == read["ETag"]
    source = verdict.claim.sources.get()
    # Each change made after the editor read the verdict (by whatever path is still open, or
    # behind the API's back where the rules would refuse it).
    if change == "rating":
        Verdict.objects.get(pk=verdict.pk).save()
    elif change == "claim_wording":
        claim = Claim.objects.get(pk=verdict.claim_id)
        claim.text = "Quietly reworded."
        claim.save()
    elif change == "claim_span":
        claim = Claim.objects.get(pk=verdict.claim_id)
        claim.end -= 1
        claim.save()
    elif change == "source_added":
        SourceFactory(claim=verdict.claim, url="https://late.example.org/")
    elif change == "source_edited":
        source = Source.objects.get(pk=source.pk)
        source.quote = "A different quote."
        source.save()
    else:
        hide_content(target=source, moderator=moderator, reason="Broken link.")
    before = _state()
    response = _decide(client_for(editor), verdict.pk, decision, HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 412, response.content
    assert _state() == before


def test_reassigning_the_claim_does_not_make_the_reading_stale(
    client_for, reviewer, editor, other_reviewer, submitted_verdict_by
):
    verdict = submitted_verdict_by(reviewer)
    etag = client_for(editor).get(f"/api/v1/verdicts/{verdict.pk}/")["ETag"]
    claim = Claim.objects.get(pk=verdict.claim_id)
    claim.assignee = other_reviewer
    claim.save()
    response = _decide(client_for(editor), verdict.pk, "approve", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content


def test_the_queue_carries_each_verdicts_etag(client_for, reviewer, editor, submitted_verdict_by):
    verdicts = [submitted_verdict_by(reviewer) for _ in range(3)]
    api = client_for(editor)
    queue = api.get("/api/v1/verdicts/", {"status": "submitted"}).json()["results"]
    assert {v["id"]: v["etag"] for v in queue} == {v.pk: verdict_etag(v.pk) for v in verdicts}


def test_the_verdict_list_runs_a_fixed_number_of_queries(
    client_for, reviewer, editor, submitted_verdict_by, django_assert_max_num_queries
):
    for _ in range(5):
        submitted_verdict_by(reviewer)
    api = client_for(editor)
    api.get("/api/v1/verdicts/")  # warm the session and content types
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/verdicts/").json()["results"]) == 5


# --- Walk-around (a): the author changes the verdict after the editor read it -------------------


def test_walkaround_a_changed_verdict_is_not_published_on_an_old_reading(
    client_for, reviewer, editor, submitted_verdict_by
):
    verdict = submitted_verdict_by(reviewer)
    editor_api, author_api = client_for(editor), client_for(reviewer)
    read = editor_api.get(f"/api/v1/verdicts/{verdict.pk}/")

    # A submitted verdict is frozen: the author cannot change it in place ...
    in_place = author_api.patch(
        f"/api/v1/verdicts/{verdict.pk}/", {"rating": "true"}, HTTP_IF_MATCH=read["ETag"]
    )
    assert in_place.status_code == 400
    # ... only withdraw it, change it and submit it again.
    assert author_api.post(f"/api/v1/verdicts/{verdict.pk}/withdraw/").status_code == 200
    tag = author_api.get(f"/api/v1/verdicts/{verdict.pk}/")["ETag"]
    changed = author_api.patch(
        f"/api/v1/verdicts/{verdict.pk}/",
        {"rating": "true", "explanation": "On reflection the claim holds up entirely."},
        HTTP_IF_MATCH=tag,
    )
    assert changed.status_code == 200, changed.content
    assert author_api.post(f"/api/v1/verdicts/{verdict.pk}/submit/").status_code == 200

    before = _state()
    stale = _decide(editor_api, verdict.pk, "approve", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert _state() == before
    assert Claim.objects.get(pk=verdict.claim_id).status == Claim.Status.SUBMITTED

    fresh = editor_api.get(f"/api/v1/verdicts/{verdict.pk}/")
    assert fresh.json()["rating"]["slug"] == "true"
    approved = _decide(editor_api, verdict.pk, "approve", HTTP_IF_MATCH=fresh["ETag"])
    assert approved.status_code == 200


# --- Walk-around (b): an editor rewrites a claim and approves it --------------------------------


def test_walkaround_b_an_editor_who_rewrote_the_claim_cannot_approve_it(
    client_for, reviewer, editor, other_editor, claim_by
):
    claim = claim_by(reviewer)
    SourceFactory(claim=claim, created_by=reviewer)
    editor_api = client_for(editor)
    tag = editor_api.get(f"/api/v1/claims/{claim.pk}/")["ETag"]
    assert (
        editor_api.patch(
            f"/api/v1/claims/{claim.pk}/", {"text": "The editor's wording."}, HTTP_IF_MATCH=tag
        ).status_code
        == 200
    )
    added = editor_api.post(
        f"/api/v1/claims/{claim.pk}/sources/", {"url": "https://editor.example.org/"}
    )
    assert added.status_code == 201
    submitted = client_for(reviewer).post(f"/api/v1/claims/{claim.pk}/verdicts/", GOOD)
    assert submitted.status_code == 201
    verdict_id = submitted.json()["id"]

    before = _state()
    refused = _decide(editor_api, verdict_id, "approve", HTTP_IF_MATCH=verdict_etag(verdict_id))
    assert refused.status_code == 403
    assert "another editor" in refused.json()["detail"]
    assert _state() == before

    approved = _decide(
        client_for(other_editor), verdict_id, "approve", HTTP_IF_MATCH=verdict_etag(verdict_id)
    )
    assert approved.status_code == 200, approved.content


# --- The two-person rule as a truth table --------------------------------------------------------


CONTRIBUTIONS = [
    "none",
    "marked_the_claim",
    "cited_a_source",
    "edited_the_wording",
    "edited_a_source",
    "deleted_a_source",
    "wrote_the_verdict",
]


def _contribute(how: str, *, editor, reviewer, claim: Claim) -> None:
    """`editor` takes part in the claim as `how` says, through the services' own paths."""
    from annotations import services

    if how == "cited_a_source":
        services.add_source(claim=claim, created_by=editor, url="https://e.example.org/")
    elif how == "edited_the_wording":
        services.update_claim(claim=claim, actor=editor, claimant="The editor's claimant")
    elif how == "edited_a_source":
        services.update_source(source=claim.sources.first(), actor=editor, title="Edited")
    elif how == "deleted_a_source":
        extra = services.add_source(claim=claim, created_by=reviewer, url="https://x.example/")
        services.delete_source(source=extra, actor=editor)


@pytest.mark.parametrize("how", CONTRIBUTIONS)
def test_two_person_truth_table(client_for, reviewer, editor, article, how):
    from annotations import services

    marker = editor if how == "marked_the_claim" else reviewer
    claim = services.create_claim(article=article, created_by=marker, start=0, end=8)
    services.add_source(claim=claim, created_by=marker, url="https://r.example.org/")
    _contribute(how, editor=editor, reviewer=reviewer, claim=claim)
    author = editor if how == "wrote_the_verdict" else reviewer
    if how == "marked_the_claim":
        author = reviewer
    rating = Verdict._meta.get_field("rating").related_model.objects.get(
        scale__is_default=True, slug="false"
    )
    verdict = services.submit_verdict(
        claim=claim, author=author, rating=rating, explanation=GOOD["explanation"]
    )
    before = _state()
    response = _decide(
        client_for(editor), verdict.pk, "approve", HTTP_IF_MATCH=verdict_etag(verdict.pk)
    )
    expected = 200 if how == "none" else 403
    assert response.status_code == expected, response.content
    if expected == 403:
        assert _state() == before
        own = "not your own" if how == "wrote_the_verdict" else "another editor must approve"
        assert own in response.json()["detail"]


@pytest.mark.parametrize("how", ["marked_the_claim", "cited_a_source", "recorded_contributor"])
def test_the_database_refuses_an_approval_by_a_contributor(reviewer, editor, claim_by, how):
    claim = claim_by(editor if how == "marked_the_claim" else reviewer)
    SourceFactory(claim=claim, created_by=editor if how == "cited_a_source" else reviewer)
    if how == "recorded_contributor":
        ClaimContributor.objects.create(claim=claim, user=editor)
    verdict = Verdict.objects.create(
        claim=claim,
        rating=Verdict._meta.get_field("rating").related_model.objects.first(),
        explanation="x" * 30,
        author=UserFactory(roles=["Reviewer"]),
        status=Verdict.Status.SUBMITTED,
    )
    verdict.status = Verdict.Status.APPROVED
    verdict.reviewed_by = editor
    verdict.reviewed_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        verdict.save()


@pytest.mark.parametrize("status", [Verdict.Status.APPROVED, Verdict.Status.REJECTED])
def test_the_database_refuses_a_decision_by_the_author(reviewer, claim_by, status):
    verdict = Verdict.objects.create(
        claim=claim_by(reviewer),
        rating=Verdict._meta.get_field("rating").related_model.objects.first(),
        explanation="x" * 30,
        author=reviewer,
    )
    verdict.status = status
    verdict.reviewed_by = reviewer
    with pytest.raises(IntegrityError), transaction.atomic():
        verdict.save()
