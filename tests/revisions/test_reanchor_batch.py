"""The re-anchoring job's writes are batched, and the claims it moved are re-embedded."""

import time

import pytest
from celery.signals import before_task_publish

from annotations.models import AnchorStatus, AuditEvent, Claim, ClaimEmbedding
from annotations.services.revisions import reanchor_claims

from .conftest import AUSTRALIA, DEMO, DOYLE, TYPO, edited
from .test_revisions import revise


def claims_on_every_sentence(article, reviewer, claim_on):
    """One claim per sentence of the demo article (its first 40 characters), and the three
    the edit is about; ~25 claims."""
    from annotations.services import create_claim

    claims = [claim_on(TYPO), claim_on(AUSTRALIA), claim_on(DOYLE)]
    taken = {(c.start, c.end) for c in claims}
    for sentence in article.sentences.order_by("position"):
        span = (sentence.start, min(sentence.end, sentence.start + 40))
        if len(sentence.text) > 20 and not any(s < span[1] and span[0] < e for s, e in taken):
            claims.append(
                create_claim(article=article, created_by=reviewer, start=span[0], end=span[1])
            )
            taken.add(span)
    return claims


def test_reanchoring_runs_a_constant_number_of_queries_per_article(
    demo_article, claim_on, reviewer, editor, django_assert_max_num_queries
):
    claims = claims_on_every_sentence(demo_article, reviewer, claim_on)
    assert len(claims) >= 20
    before = {c.pk: (c.version, c.review_version, c.updated_at) for c in claims}
    revision, _ = revise(demo_article, edited(DEMO), editor)

    # Reads (revision, article, texts, claims, sentences), one UPDATE, one INSERT of sentence
    # links, one of audit events, a savepoint pair. Before the batching: ~4 per claim.
    with django_assert_max_num_queries(11):
        counts = reanchor_claims(revision_id=revision.pk)

    assert sum(counts.values()) == len(claims) and counts["orphaned"] == 1
    body = edited(DEMO)
    for claim in Claim.objects.filter(pk__in=before).prefetch_related("sentences"):
        version, review_version, updated_at = before[claim.pk]
        # What a save did per claim: the ETag's version, the time, and the review version
        # when the span moved (an approval names the span it saw).
        assert claim.version == version + 1 and claim.updated_at > updated_at
        moved = claim.anchor_previous and (claim.start, claim.end) != (
            claim.anchor_previous["start"],
            claim.anchor_previous["end"],
        )
        assert claim.review_version == review_version + (1 if moved else 0)
        if claim.anchor_status == AnchorStatus.ORPHANED:
            continue
        assert claim.anchor_revision_id == revision.pk
        current = [s for s in claim.sentences.all() if s.revision_id is None]
        assert current, "the claim covers a sentence of the new text"
        assert all(s.start < claim.end and claim.start < s.end for s in current)
        if claim.anchor_status == AnchorStatus.ANCHORED:
            assert body[claim.start : claim.end] == claim.quote_exact
    events = AuditEvent.objects.filter(action__startswith="claim.", object_id__in=before)
    assert events.filter(action="claim.orphaned").count() == 1
    assert events.filter(action="claim.changed").count() == counts["changed"]


def test_a_redelivered_job_writes_nothing(demo_article, claim_on, editor, reviewer):
    claims_on_every_sentence(demo_article, reviewer, claim_on)
    revision, _ = revise(demo_article, edited(DEMO), editor)
    reanchor_claims(revision_id=revision.pk)
    versions = dict(Claim.objects.values_list("pk", "version"))
    events = AuditEvent.objects.count()
    reanchor_claims(revision_id=revision.pk)
    assert dict(Claim.objects.values_list("pk", "version")) == versions
    assert AuditEvent.objects.count() == events


def test_the_claims_that_moved_or_changed_are_queued_for_claim_memory(
    demo_article, claim_on, editor, reviewer, django_capture_on_commit_callbacks
):
    typo, australia, doyle = claim_on(TYPO), claim_on(AUSTRALIA), claim_on(DOYLE)
    revision, _ = revise(demo_article, edited(DEMO), editor)
    sent = []

    def published(sender=None, body=None, **kwargs):
        sent.append((sender, body[0]))

    before_task_publish.connect(published)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reanchor_claims(revision_id=revision.pk)
    finally:
        before_task_publish.disconnect(published)
    australia.refresh_from_db()
    assert australia.start != demo_article.body.index(AUSTRALIA)  # a paragraph came before it
    assert Claim.objects.get(pk=doyle.pk).anchor_status == AnchorStatus.ORPHANED
    # The typo'd claim changed and the Australia one moved; the orphan's text is as it was.
    assert sent == [("annotations.tasks.embed_claims", [[typo.pk, australia.pk]])]


@pytest.mark.worker
def test_the_worker_re_embeds_a_changed_claim_after_reanchoring(
    celery_worker, client_for, editor, demo_article, claim_on, settings
):
    settings.CLAIM_MATCHING_MODEL = "lexical"
    typo = claim_on(TYPO)
    deadline = time.monotonic() + 60
    while not ClaimEmbedding.objects.filter(claim=typo).exists():  # from its creation
        assert time.monotonic() < deadline, "the worker did not embed the new claim"
        time.sleep(0.2)
    first = ClaimEmbedding.objects.get(claim=typo).updated_at

    response = client_for(editor).post(
        f"/api/v1/articles/{demo_article.pk}/revisions/", {"body": edited(DEMO)}, format="json"
    )
    assert response.status_code == 201

    deadline = time.monotonic() + 60
    while ClaimEmbedding.objects.get(claim=typo).updated_at == first:
        assert time.monotonic() < deadline, "the changed claim was not re-embedded"
        time.sleep(0.2)
    assert Claim.objects.get(pk=typo.pk).anchor_status == AnchorStatus.CHANGED


def test_accepting_the_new_text_queues_the_claim_for_claim_memory(
    demo_article, claim_on, editor, reviewer, django_capture_on_commit_callbacks
):
    from annotations.services.revisions import accept_anchor

    typo = claim_on(TYPO)
    revision, _ = revise(demo_article, edited(DEMO), editor)
    reanchor_claims(revision_id=revision.pk)
    sent = []

    def published(sender=None, body=None, **kwargs):
        sent.append((sender, body[0]))

    before_task_publish.connect(published)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            accept_anchor(claim=Claim.objects.get(pk=typo.pk), actor=reviewer)
    finally:
        before_task_publish.disconnect(published)
    assert sent == [("annotations.tasks.embed_claims", [[typo.pk]])]
