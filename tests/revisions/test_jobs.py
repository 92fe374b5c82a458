"""The re-anchoring job: queued when a revision commits, run by a real Celery worker."""

import time

from annotations.models import AuditEvent, Claim

from .conftest import AUSTRALIA, DEMO, DOYLE, TYPO, edited


def wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_revision_from_the_api_reanchors_its_claims_in_the_worker(
    celery_worker, client_for, editor, demo_article, claim_on
):
    claims = {phrase: claim_on(phrase) for phrase in (TYPO, AUSTRALIA, DOYLE)}
    response = client_for(editor).post(
        f"/api/v1/articles/{demo_article.pk}/revisions/", {"body": edited(DEMO)}, format="json"
    )
    assert response.status_code == 201

    ids = [c.pk for c in claims.values()]
    # Done when the two claims still there are on revision 2 and the third is orphaned.
    assert wait_for(
        lambda: (
            Claim.objects.filter(pk__in=ids, anchor_revision__number=2).count() == 2
            and Claim.objects.filter(pk__in=ids, anchor_status="orphaned").exists()
        )
    )
    statuses = dict(
        Claim.objects.filter(pk__in=[c.pk for c in claims.values()]).values_list(
            "pk", "anchor_status"
        )
    )
    assert statuses == {
        claims[TYPO].pk: "changed",
        claims[AUSTRALIA].pk: "anchored",
        claims[DOYLE].pk: "orphaned",
    }
    assert AuditEvent.objects.filter(action="claim.orphaned", object_id=claims[DOYLE].pk).exists()
