"""The public feed GET /api/v1/verified-claims/: what it shows, filters, pages, caching."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.test import APIClient

from annotations.models import Claim, Correction, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
    default_rating,
    published_claim,
)

FEED = "/api/v1/verified-claims/"


def body_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def ids_in(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def test_feed_item_carries_claim_article_rating_sources_and_dates(client, db, settings):
    settings.PUBLIC_BASE_URL = "https://checks.example.org"
    claim = published_claim(claimant="Minister Ruiz", text="Emissions will fall 40% by 2030.")
    Correction.objects.create(
        claim=claim,
        kind=Correction.Kind.UPDATE,
        note="Added the 2024 figure.",
        created_by=claim.created_by,
    )

    response = client.get(FEED)

    assert response.status_code == 200
    [item] = response.json()["results"]
    verdict = claim.published_verdict
    assert item["id"] == claim.pk
    assert item["url"] == f"https://checks.example.org/claims/{claim.pk}/"
    assert item["claim"]["quote"] == claim.quote_exact
    assert item["claim"]["text"] == "Emissions will fall 40% by 2030."
    assert item["claim"]["claimant"] == "Minister Ruiz"
    assert item["article"] == {
        "id": claim.article_id,
        "title": claim.article.title,
        "url": claim.article.url,
        "publisher": "Example News",
        "published_at": claim.article.published_at.isoformat(),
    }
    assert item["rating"]["slug"] == "false"
    assert item["rating"]["label"] == "False"
    assert (item["rating"]["value"], item["rating"]["best"], item["rating"]["worst"]) == (1, 5, 1)
    assert item["explanation"] == verdict.explanation
    [source] = item["sources"]
    assert source["url"].startswith("https://evidence.example.org/")
    assert source["stance"] == "refutes"
    assert item["corrections"][0]["note"] == "Added the 2024 figure."
    assert item["reviewer"] == verdict.author.username
    assert item["editor"] == verdict.reviewed_by.username
    assert item["published_at"] == verdict.reviewed_at.isoformat()
    assert item["created_at"] == claim.created_at.isoformat()
    assert item["updated_at"] >= item["published_at"]


@pytest.mark.parametrize(
    ("mode", "expected"), [("name", "Rita Alvarez"), ("username", "rita"), ("none", None)]
)
def test_reviewer_is_shown_as_the_setting_says(client, db, settings, mode, expected):
    settings.PUBLIC_SHOW_PEOPLE = mode
    reviewer = UserFactory(username="rita", first_name="Rita", last_name="Alvarez")
    published_claim(created_by=reviewer)

    [item] = client.get(FEED).json()["results"]

    assert item["reviewer"] == expected


def _unpublishable_claims():
    """One claim in each state the public must never see, and one that it must."""
    visible = published_claim()
    hidden = published_claim()
    hidden.is_hidden = True
    hidden.save()
    retracted = published_claim()
    retracted.status = Claim.Status.RETRACTED
    retracted.save()
    draft = ClaimFactory()
    submitted = ClaimFactory(status=Claim.Status.SUBMITTED)
    VerdictFactory(claim=submitted)
    # Published status but its verdict was withdrawn: not approved any more.
    withdrawn = published_claim()
    Verdict.objects.filter(pk=withdrawn.published_verdict_id).update(
        status=Verdict.Status.RETRACTED
    )
    no_verdict = ClaimFactory(status=Claim.Status.PUBLISHED)
    return visible, [hidden, retracted, draft, submitted, withdrawn, no_verdict]


@pytest.mark.parametrize("fmt", ["json", "claimreview", "csv", "jsonl"])
def test_only_published_visible_claims_appear_in_any_format(client, db, fmt):
    visible, invisible = _unpublishable_claims()
    hidden_source = SourceFactory(claim=visible, is_hidden=True, url="https://hidden.example/x")

    body = body_of(client.get(FEED, {"format": fmt}))

    assert f"/claims/{visible.pk}/" in body
    for claim in invisible:
        assert f"/claims/{claim.pk}/" not in body
    assert hidden_source.url not in body


def test_updated_since_returns_exactly_what_changed(client, db):
    unchanged, edited, new_source, corrected = (published_claim() for _ in range(4))
    since = timezone.now()

    edited.claimant = "Someone else"
    edited.save()
    SourceFactory(claim=new_source)
    Correction.objects.create(
        claim=corrected, kind="update", note="Fixed a date.", created_by=corrected.created_by
    )
    fresh = published_claim()

    response = client.get(FEED, {"updated_since": since.isoformat()})

    assert response.status_code == 200
    assert sorted(ids_in(response)) == sorted([edited.pk, new_source.pk, corrected.pk, fresh.pk])
    assert unchanged.pk not in ids_in(response)


def test_filters_by_rating_language_publisher_article_and_date(client, db):
    spanish = published_claim(article=ArticleFactory(language="es", publisher="El Diario"))
    true_claim = published_claim()
    true_claim.published_verdict.rating = default_rating("true")
    true_claim.published_verdict.save()
    old = published_claim()
    Claim.objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=30))

    def ids(**params):
        return sorted(ids_in(client.get(FEED, params)))

    assert ids(language="es") == [spanish.pk]
    assert ids(publisher="el diario") == [spanish.pk]
    assert ids(rating="true") == [true_claim.pk]
    assert ids(rating="true,false") == sorted([spanish.pk, true_claim.pk, old.pk])
    assert ids(article=spanish.article_id) == [spanish.pk]
    week_ago = (timezone.now() - timedelta(days=7)).isoformat()
    assert ids(published_before=week_ago) == [old.pk]
    assert old.pk not in ids(published_after=week_ago)


@pytest.mark.parametrize("name", ["updated_since", "published_after", "published_before"])
def test_far_utc_offset_in_a_date_filter_is_not_a_500(client, db, name):
    # PostgreSQL refuses offsets beyond ±15:59 (this was a 500); the filters compare in UTC.
    claim = published_claim()

    response = client.get(FEED, {name: "2000-01-01T00:00:00+20:00"})

    assert response.status_code == 200
    assert ids_in(response) == ([] if name == "published_before" else [claim.pk])


def test_bad_filter_is_a_400_naming_it(client, db):
    response = client.get(FEED, {"updated_since": "last tuesday"})

    assert response.status_code == 400
    assert "updated_since" in response.json()


def test_unknown_format_is_a_406_naming_the_formats(client, db):
    response = client.get(FEED, {"format": "xml"})

    assert response.status_code == 406
    assert "claimreview" in response.json()["detail"]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/ld+json", "application/ld+json"),
        ("text/csv", "text/csv"),
        ("application/jsonl", "application/jsonl"),
        ("application/json", "application/json"),
    ],
)
def test_format_chosen_by_accept_header(client, claims, accept, content_type):
    response = client.get(FEED, HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "Accept" in response["Vary"]


def test_cursor_pages_walk_every_claim_once(client, db):
    expected = [published_claim().pk for _ in range(7)]
    seen, url = [], f"{FEED}?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]

    assert seen == sorted(expected)


def test_claimreview_pages_link_to_the_next_in_the_link_header(client, db):
    for _ in range(3):
        published_claim()

    response = client.get(FEED, {"format": "claimreview", "page_size": 2})

    assert len(response.json()) == 2
    assert 'rel="next"' in response["Link"]


def test_jsonl_streams_one_item_per_line(client, claims):
    response = client.get(FEED, {"format": "jsonl"})

    assert response.streaming
    lines = body_of(response).splitlines()
    assert [json.loads(line)["id"] for line in lines] == sorted(c.pk for c in claims)


def test_csv_streams_a_header_and_a_row_per_claim(client, claims):
    response = client.get(FEED, {"format": "csv"})

    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(body_of(response))))
    assert [int(row["id"]) for row in rows] == sorted(c.pk for c in claims)
    assert rows[0]["rating"] == "false"


@pytest.mark.parametrize("page_size", [5, 40])
def test_feed_query_count_does_not_grow_with_page_size(
    client, db, page_size, django_assert_max_num_queries
):
    for _ in range(page_size):
        claim = published_claim()
        SourceFactory(claim=claim)
        Correction.objects.create(claim=claim, kind="update", note="n", created_by=claim.created_by)

    # ETag/Last-Modified aggregates (2), the page (1), its sources and corrections (2).
    with django_assert_max_num_queries(5):
        response = client.get(FEED, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_matching_etag_gets_304_until_something_changes(client, claims):
    first = client.get(FEED)
    etag = first["ETag"]

    again = client.get(FEED, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    claims[0].is_hidden = True
    claims[0].save()
    after = client.get(FEED, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert claims[0].pk not in ids_in(after)


def test_if_modified_since_gets_304_and_a_change_lifts_it(client, claims):
    last_modified = client.get(FEED)["Last-Modified"]

    assert client.get(FEED, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304

    later = http_date((timezone.now() + timedelta(seconds=2)).timestamp())
    Claim.objects.filter(pk=claims[1].pk).update(updated_at=timezone.now() + timedelta(seconds=5))
    assert client.get(FEED, HTTP_IF_MODIFIED_SINCE=later).status_code == 200


def test_streamed_formats_answer_304_too(client, claims):
    etag = client.get(FEED, {"format": "jsonl"})["ETag"]

    assert client.get(FEED, {"format": "jsonl"}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Another format is another representation.
    assert client.get(FEED, {"format": "csv"}, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_feed_is_anonymous_and_read_only(db):
    api = APIClient()

    assert api.get(FEED).status_code == 200
    assert api.post(FEED, {}).status_code == 405


def test_feed_is_throttled(client, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "2/minute"},
    }

    statuses = [client.get(FEED).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_a_verdict_approved_through_the_service_enters_the_feed(client, reviewer, editor):
    from annotations.services import approve_verdict, submit_verdict

    claim = ClaimFactory(created_by=reviewer)
    SourceFactory(claim=claim)
    verdict = submit_verdict(
        claim=claim,
        author=reviewer,
        rating=default_rating("mostly-false"),
        explanation="The report projects a 12 percent cut by 2030, not 40 percent.",
    )
    assert claim.pk not in ids_in(client.get(FEED))

    approve_verdict(verdict=verdict, editor=editor)

    [item] = client.get(FEED).json()["results"]
    assert (item["id"], item["rating"]["slug"]) == (claim.pk, "mostly-false")
    assert item["editor"] == editor.username
