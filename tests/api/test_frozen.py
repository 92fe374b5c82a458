"""Published work is frozen, and so is a claim while its verdict awaits an editor.

A truth table over role x action x claim state: only a claim being drafted takes direct changes
to its span, wording and sources (and only a draft verdict is revised); its author's comments
change until the claim is published or retracted; everything else is a 4xx
with a message and leaves the database as it was. A published claim changes only through a
correction an editor approves; a source a moderator hid is not posted again behind their back.
"""

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from annotations.models import (
    AuditEvent,
    Claim,
    ClaimContributor,
    Comment,
    Correction,
    Source,
    Verdict,
)
from annotations.moderation import hide_content
from annotations.selectors import published_claims
from tests.api.conftest import verdict_etag
from tests.factories import ClaimFactory, SourceFactory, UserFactory, VerdictFactory

STATES = ["draft", "submitted", "published", "retracted"]
ROLES = ["author", "other_reviewer", "editor", "moderator"]
ACTIONS = [
    "claim.reword",
    "claim.respan",
    "claim.delete",
    "source.add",
    "source.update",
    "source.delete",
    "verdict.update",
    "comment.update",
    "comment.delete",
]
VERDICT_STATUS = {
    "draft": Verdict.Status.DRAFT,
    "submitted": Verdict.Status.SUBMITTED,
    "published": Verdict.Status.APPROVED,
    "retracted": Verdict.Status.RETRACTED,
}
CLAIM_STATUS = {
    "draft": Claim.Status.DRAFT,
    "submitted": Claim.Status.SUBMITTED,
    "published": Claim.Status.PUBLISHED,
    "retracted": Claim.Status.RETRACTED,
}


def _in_state(state: str, author, article) -> Claim:
    """A claim by `author` with one source, one comment and one verdict of theirs, in `state`."""
    claim = ClaimFactory(article=article, created_by=author)
    SourceFactory(claim=claim, created_by=author, url="https://evidence.example.org/a")
    Comment.objects.create(claim=claim, author=author, body="Check the 2023 revision.")
    decided = state in ("published", "retracted")
    verdict = VerdictFactory(
        claim=claim,
        author=author,
        status=VERDICT_STATUS[state],
        reviewed_by=UserFactory(roles=["Editor"]) if decided else None,
        reviewed_at=timezone.now() if decided else None,
    )
    Claim.objects.filter(pk=claim.pk).update(
        status=CLAIM_STATUS[state],
        published_verdict=verdict if decided else None,
        published_at=timezone.now() if decided else None,
    )
    return Claim.objects.get(pk=claim.pk)


def _state():
    """Everything these writes could touch, as plain values."""
    return [
        [model_to_dict(o) for o in model.objects.order_by("pk")]
        for model in (Claim, Source, Comment, Verdict, Correction, ClaimContributor)
    ] + [AuditEvent.objects.count()]


def _send(api, action: str, claim: Claim):
    source = claim.sources.get()
    verdict = claim.verdicts.get()
    claim_url = f"/api/v1/claims/{claim.pk}/"
    source_url = f"{claim_url}sources/{source.pk}/"
    claim_tag = api.get(claim_url)["ETag"]
    if action == "claim.reword":
        return api.patch(claim_url, {"text": "Reworded."}, HTTP_IF_MATCH=claim_tag)
    if action == "claim.respan":
        return api.patch(claim_url, {"start": 0, "end": 8}, HTTP_IF_MATCH=claim_tag)
    if action == "claim.delete":
        return api.delete(claim_url)
    if action == "source.add":
        return api.post(f"{claim_url}sources/", {"url": "https://new.example.org/evidence"})
    if action == "source.update":
        tag = api.get(source_url)["ETag"]
        return api.patch(source_url, {"title": "Retitled"}, HTTP_IF_MATCH=tag)
    if action == "source.delete":
        return api.delete(source_url)
    comment_url = f"{claim_url}comments/{claim.comments.get().pk}/"
    if action == "comment.update":
        return api.patch(comment_url, {"body": "Edited after the fact."})
    if action == "comment.delete":
        return api.delete(comment_url)
    change = {"explanation": "A revised explanation that is long enough."}
    return api.patch(
        f"/api/v1/verdicts/{verdict.pk}/", change, HTTP_IF_MATCH=verdict_etag(verdict.pk)
    )


def _expected(role: str, action: str, state: str) -> int:
    if role == "moderator":
        return 403  # moderators moderate; they do not write claims
    owner_only = {"verdict.update", "comment.update", "comment.delete"}
    author_or_editor = {
        "claim.reword",
        "claim.respan",
        "claim.delete",
        "source.update",
        "source.delete",
    }
    allowed = (
        role == "author"
        or (role == "editor" and action in author_or_editor)
        or action == "source.add"
    )
    if not allowed or (action in owner_only and role != "author"):
        return 403
    if action.startswith("comment."):
        # A discussion stays open while a verdict awaits an editor; publication closes it.
        if state in ("published", "retracted"):
            return 400
        return 204 if action == "comment.delete" else 200
    if state == "draft":
        return {"claim.delete": 204, "source.add": 201, "source.delete": 204}.get(action, 200)
    if action == "claim.delete" and state in ("published", "retracted"):
        return 400  # public record
    return 400


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_frozen_truth_table(request, client_for, reviewer, article, state, role, action):
    claim = _in_state(state, reviewer, article)
    actor = reviewer if role == "author" else request.getfixturevalue(role)
    api = client_for(actor)
    before = _state()
    response = _send(api, action, claim)
    expected = _expected(role, action, state)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert _state() == before
        assert response.json()["detail"]
    if expected == 400 and state != "draft":
        message = str(response.json()["detail"])
        reasons = ("correction", "awaiting an editor", "public record", "frozen", "cannot be")
        assert any(reason in message for reason in reasons), message


def test_any_reviewer_adding_a_source_to_a_published_claim_is_refused(
    client_for, other_reviewer, db
):
    claim = ClaimFactory()
    SourceFactory(claim=claim)
    published = _publish(claim)
    response = client_for(other_reviewer).post(
        f"/api/v1/claims/{published.pk}/sources/", {"url": "https://spin.example.org/"}
    )
    assert response.status_code == 400
    assert "correction" in response.json()["detail"][0]
    assert not Source.objects.filter(url="https://spin.example.org/").exists()
    public = published_claims().get(pk=published.pk)
    assert [s.url for s in public.sources.all()] == [s.url for s in claim.sources.all()]


def _publish(claim: Claim) -> Claim:
    verdict = VerdictFactory(
        claim=claim,
        status=Verdict.Status.APPROVED,
        reviewed_by=UserFactory(roles=["Editor"]),
        reviewed_at=timezone.now(),
    )
    Claim.objects.filter(pk=claim.pk).update(
        status=Claim.Status.PUBLISHED, published_verdict=verdict, published_at=timezone.now()
    )
    return Claim.objects.get(pk=claim.pk)


@pytest.mark.parametrize(
    "url",
    [
        "https://evidence.example.org/hidden",
        "https://EVIDENCE.example.org/hidden/",
        "http://evidence.example.org:80/hidden#again",
    ],
)
def test_a_hidden_source_is_not_posted_again_by_a_reviewer(
    client_for, reviewer, moderator, claim_by, url
):
    claim = claim_by(reviewer)
    hidden = SourceFactory(
        claim=claim, created_by=reviewer, url="https://evidence.example.org/hidden"
    )
    hide_content(target=hidden, moderator=moderator, reason="Doxxing page.")
    before = _state()
    response = client_for(reviewer).post(f"/api/v1/claims/{claim.pk}/sources/", {"url": url})
    assert response.status_code == 403
    assert "moderator" in response.json()["detail"]
    assert _state() == before


def test_a_moderator_who_checks_claims_may_cite_a_hidden_url_again(
    client_for, reviewer, moderator, claim_by
):
    claim = claim_by(reviewer)
    hidden = SourceFactory(claim=claim, url="https://evidence.example.org/hidden")
    hide_content(target=hidden, moderator=moderator, reason="Wrong page.")
    checker_moderator = UserFactory(roles=["Reviewer", "Moderator"])
    response = client_for(checker_moderator).post(
        f"/api/v1/claims/{claim.pk}/sources/", {"url": "https://evidence.example.org/hidden"}
    )
    assert response.status_code == 201, response.content
    hidden.refresh_from_db()
    assert hidden.is_hidden  # the hidden one stays hidden


def test_a_hidden_source_cannot_be_retitled_to_bring_it_back(client_for, reviewer, moderator):
    claim = ClaimFactory(created_by=reviewer)
    hidden = SourceFactory(claim=claim, created_by=reviewer)
    shown = SourceFactory(claim=claim, created_by=reviewer, url="https://ok.example.org/")
    hide_content(target=hidden, moderator=moderator, reason="Spam.")
    api = client_for(reviewer)
    url = f"/api/v1/claims/{claim.pk}/sources/{shown.pk}/"
    response = api.patch(url, {"url": hidden.url}, HTTP_IF_MATCH=api.get(url)["ETag"])
    assert response.status_code == 403
    shown.refresh_from_db()
    assert shown.url == "https://ok.example.org/"


# --- Corrections: the only way to change a published claim -------------------------------------


def test_a_correction_proposes_changes_that_apply_only_on_approval(
    client_for, reviewer, other_reviewer, editor, db
):
    claim = ClaimFactory(created_by=reviewer, text="Old wording.")
    old_source = SourceFactory(claim=claim, created_by=reviewer)
    claim = _publish(claim)
    proposal = {
        "rating": "mostly-false",
        "explanation": "A newer inventory shows part of the cut is real.",
        "changes": {
            "text": "New wording.",
            "add_sources": [{"url": "https://inventory.example.org/2024", "stance": "refutes"}],
            "remove_sources": [old_source.pk],
        },
    }
    submitted = client_for(other_reviewer).post(
        f"/api/v1/claims/{claim.pk}/verdicts/", proposal, format="json"
    )
    assert submitted.status_code == 201, submitted.content
    verdict_id = submitted.json()["id"]
    assert submitted.json()["changes"]["text"] == "New wording."

    # Meanwhile the public sees the published version.
    public = published_claims().get(pk=claim.pk)
    assert public.text == "Old wording."
    assert list(public.sources.values_list("pk", flat=True)) == [old_source.pk]

    approved = client_for(editor).post(
        f"/api/v1/verdicts/{verdict_id}/approve/",
        {"correction": "A 2024 inventory replaces the 2019 report."},
        HTTP_IF_MATCH=submitted.json()["etag"],
    )
    assert approved.status_code == 200, approved.content
    claim.refresh_from_db()
    assert claim.text == "New wording."
    assert claim.published_verdict_id == verdict_id
    assert list(claim.sources.values_list("url", flat=True)) == [
        "https://inventory.example.org/2024"
    ]
    assert Correction.objects.get(claim=claim).kind == Correction.Kind.UPDATE
    assert AuditEvent.objects.filter(action="claim.corrected", object_id=claim.pk).exists()


def test_proposed_changes_on_a_draft_claim_are_refused(client_for, reviewer, sourced_claim_by):
    claim = sourced_claim_by(reviewer)
    response = client_for(reviewer).post(
        f"/api/v1/claims/{claim.pk}/verdicts/",
        {
            "rating": "false",
            "explanation": "Long enough explanation for a verdict.",
            "changes": {"text": "Sneaky."},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "changes" in response.json()
    assert not Verdict.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"remove_sources": [999999]},
        {"add_sources": [{"url": "javascript:alert(1)"}]},
        {"start": 5, "end": 2},
        {"text": "nul \x00 byte"},
        {"unknown": 1},
    ],
)
def test_a_bad_proposal_is_a_400_naming_it(client_for, reviewer, other_reviewer, db, changes):
    claim = ClaimFactory(created_by=reviewer)
    SourceFactory(claim=claim, created_by=reviewer)
    claim = _publish(claim)
    before = _state()
    response = client_for(other_reviewer).post(
        f"/api/v1/claims/{claim.pk}/verdicts/",
        {"rating": "false", "explanation": "Long enough explanation here.", "changes": changes},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert _state() == before


def test_a_source_on_a_port_out_of_range_is_a_clean_answer(client_for, reviewer, moderator):
    claim = ClaimFactory(created_by=reviewer)
    hidden = SourceFactory(claim=claim, created_by=reviewer)
    hide_content(target=hidden, moderator=moderator, reason="Spam.")
    response = client_for(reviewer).post(
        f"/api/v1/claims/{claim.pk}/sources/", {"url": "http://example.org:99999/x"}
    )
    assert response.status_code in (201, 400), response.content
