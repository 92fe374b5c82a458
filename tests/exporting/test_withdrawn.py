"""GET /api/v1/verified-claims/withdrawn/: what a consumer who synced the feed must drop."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotations import moderation
from annotations.models import Claim, Correction
from tests.factories import ClaimFactory, published_claim

WITHDRAWN = "/api/v1/verified-claims/withdrawn/"


def retracted_claim(moderator, note: str = "The figures were revised.") -> Claim:
    claim = published_claim()
    moderation.retract_verdict(verdict=claim.published_verdict, moderator=moderator, note=note)
    return claim


def withdrawn_ids(client, **params) -> list[int]:
    response = client.get(WITHDRAWN, params)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_lists_a_retracted_claim_with_its_time_and_note(client, moderator):
    claim = retracted_claim(moderator, note="The ministry revised its figures.")
    correction = Correction.objects.get(claim=claim)

    response = client.get(WITHDRAWN)

    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["id"] == claim.pk
    assert item["url"].endswith(f"/claims/{claim.pk}/")
    assert item["status"] == "retracted"
    assert item["note"] == "The ministry revised its figures."
    assert item["withdrawn_at"].replace("Z", "+00:00") == correction.created_at.isoformat()


def test_lists_retracted_and_removed_claims_never_published_or_never_public_ones(client, moderator):
    retracted = retracted_claim(moderator)
    published_claim()  # still published: the feed's business
    removed = published_claim()
    moderation.hide_content(target=removed, moderator=moderator, reason="Privacy")
    removed_retracted = retracted_claim(moderator, note="Names a private person.")
    moderation.hide_content(target=removed_retracted, moderator=moderator, reason="Privacy")
    ClaimFactory(status=Claim.Status.DRAFT)
    ClaimFactory(status=Claim.Status.RETRACTED)  # withdrawn before it was ever published
    hidden_in_review = ClaimFactory(status=Claim.Status.SUBMITTED)
    moderation.hide_content(target=hidden_in_review, moderator=moderator, reason="Spam")

    items = {item["id"]: item for item in client.get(WITHDRAWN).json()["results"]}

    assert set(items) == {retracted.pk, removed.pk, removed_retracted.pk}
    assert items[retracted.pk]["status"] == "retracted"
    for claim in (removed, removed_retracted):
        claim.refresh_from_db()
        # Only the id and the time: not the moderator's reason, not the correction note, and no
        # link (the page is gone).
        assert items[claim.pk] == {
            "id": claim.pk,
            "url": None,
            "status": "removed",
            "withdrawn_at": items[claim.pk]["withdrawn_at"],
            "note": None,
        }
        assert items[claim.pk]["withdrawn_at"].replace("Z", "+00:00") == (
            claim.hidden_at.isoformat()
        )
    assert "Privacy" not in str(items) and "private person" not in str(items)


def test_a_claim_synced_from_the_feed_and_then_removed_is_reported(client, moderator):
    claim = published_claim()
    last_sync = timezone.now()
    moderation.hide_content(target=claim, moderator=moderator, reason="Harassment")
    assert client.get("/api/v1/verified-claims/").json()["results"] == []
    assert withdrawn_ids(client, since=last_sync.isoformat()) == [claim.pk]
    moderation.unhide_content(target=claim, moderator=moderator, reason="Appeal upheld")
    assert withdrawn_ids(client, since=last_sync.isoformat()) == []
    again = client.get("/api/v1/verified-claims/", {"updated_since": last_sync.isoformat()})
    assert [item["id"] for item in again.json()["results"]] == [claim.pk]


def test_since_returns_only_what_was_withdrawn_after_the_last_sync(client, moderator):
    earlier = retracted_claim(moderator)
    last_sync = timezone.now()
    Correction.objects.filter(claim=earlier).update(created_at=last_sync - timedelta(hours=1))
    later = retracted_claim(moderator)

    assert withdrawn_ids(client, since=last_sync.isoformat()) == [later.pk]
    assert withdrawn_ids(client) == [earlier.pk, later.pk]


def test_a_claim_synced_from_the_feed_and_then_retracted_is_reported(client, moderator):
    claim = published_claim()
    synced = client.get("/api/v1/verified-claims/").json()["results"]
    assert [item["id"] for item in synced] == [claim.pk]
    last_sync = timezone.now()

    moderation.retract_verdict(verdict=claim.published_verdict, moderator=moderator, note="Wrong.")

    assert (
        client.get("/api/v1/verified-claims/", {"updated_since": last_sync.isoformat()}).json()[
            "results"
        ]
        == []
    )
    assert withdrawn_ids(client, since=last_sync.isoformat()) == [claim.pk]


@pytest.mark.parametrize("since", ["last tuesday", "2025-13-01T00:00:00Z"])
def test_bad_since_is_a_400_naming_it(client, db, since):
    response = client.get(WITHDRAWN, {"since": since})

    assert response.status_code == 400
    assert "since" in response.json()


def test_far_offset_in_since_is_compared_in_utc(client, moderator):
    # PostgreSQL refuses offsets beyond ±15:59; the filter converts to UTC first.
    claim = retracted_claim(moderator)

    assert withdrawn_ids(client, since="2000-01-01T00:00:00+20:00") == [claim.pk]


@pytest.mark.parametrize("page_size", [2, 20])
def test_query_count_is_constant_in_the_page_size(
    client, moderator, page_size, django_assert_max_num_queries
):
    for _ in range(page_size + 1):
        retracted_claim(moderator)

    with django_assert_max_num_queries(1):
        response = client.get(WITHDRAWN, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert response.json()["next"]


def test_pages_follow_the_cursor_to_every_withdrawn_claim(client, moderator):
    claims = [retracted_claim(moderator) for _ in range(3)]
    seen, url = [], WITHDRAWN + "?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]

    assert seen == [c.pk for c in claims]


def test_is_documented_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/verified-claims/withdrawn/"]["get"]
    assert "since" in [p["name"] for p in operation["parameters"]]
    assert "retracted" in operation["description"]
