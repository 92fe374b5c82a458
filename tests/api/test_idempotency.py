"""Idempotency-Key on POST: a repeat replays the first answer and never makes a second object."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from annotations.models import Claim, Comment, IdempotencyKey, Source

SOURCE = {"url": "https://example.org/report", "title": "Report", "stance": "refutes"}


def post(client, path, body, key, **extra):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_same_key_and_body_twice_makes_one_source_and_replays_the_answer(
    client_for, reviewer, claim_by
):
    claim = claim_by(reviewer)
    client = client_for(reviewer)
    path = f"/api/v1/claims/{claim.pk}/sources/"
    first = post(client, path, SOURCE, "key-1")
    second = post(client, path, SOURCE, "key-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Source.objects.filter(claim=claim).count() == 1


def test_replayed_claim_keeps_its_etag(client_for, reviewer, article):
    client = client_for(reviewer)
    sentence = article.sentences.order_by("position").first()
    body = {"article": article.pk, "sentences": [sentence.pk]}
    first = post(client, "/api/v1/claims/", body, "claim-key")
    second = post(client, "/api/v1/claims/", body, "claim-key")
    assert first.status_code == second.status_code == 201
    assert second["ETag"] == first["ETag"]
    assert Claim.objects.filter(article=article).count() == 1


def test_same_key_with_another_body_is_422_and_changes_nothing(client_for, reviewer, claim_by):
    claim = claim_by(reviewer)
    client = client_for(reviewer)
    path = f"/api/v1/claims/{claim.pk}/comments/"
    assert post(client, path, {"body": "first"}, "k").status_code == 201
    response = post(client, path, {"body": "second"}, "k")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert list(Comment.objects.filter(claim=claim).values_list("body", flat=True)) == ["first"]


def test_same_key_on_another_address_is_422(client_for, reviewer, claim_by):
    one, two = claim_by(reviewer), claim_by(reviewer)
    client = client_for(reviewer)
    assert post(client, f"/api/v1/claims/{one.pk}/sources/", SOURCE, "k").status_code == 201
    response = post(client, f"/api/v1/claims/{two.pk}/sources/", SOURCE, "k")
    assert response.status_code == 422
    assert not Source.objects.filter(claim=two).exists()


def test_two_users_keys_are_independent(client_for, reviewer, other_reviewer, claim_by):
    claim = claim_by(reviewer)
    path = f"/api/v1/claims/{claim.pk}/comments/"
    first = post(client_for(reviewer), path, {"body": "same"}, "shared")
    second = post(client_for(other_reviewer), path, {"body": "same"}, "shared")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert Comment.objects.filter(claim=claim).count() == 2


def test_a_failed_request_is_not_kept_so_the_fixed_retry_runs(client_for, reviewer, claim_by):
    claim = claim_by(reviewer)
    client = client_for(reviewer)
    path = f"/api/v1/claims/{claim.pk}/sources/"
    bad = post(client, path, {"url": "not a url"}, "retry")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.filter(key="retry").exists()
    # The same key with the corrected body is a new request, not a mismatch.
    good = post(client, path, SOURCE, "retry")
    assert good.status_code == 201
    assert Source.objects.filter(claim=claim).count() == 1


def test_a_key_older_than_a_day_starts_afresh(client_for, reviewer, claim_by):
    claim = claim_by(reviewer)
    client = client_for(reviewer)
    path = f"/api/v1/claims/{claim.pk}/comments/"
    assert post(client, path, {"body": "old"}, "k").status_code == 201
    IdempotencyKey.objects.filter(key="k").update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    again = post(client, path, {"body": "new"}, "k")
    assert again.status_code == 201
    assert Comment.objects.filter(claim=claim).count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\there"])
def test_a_malformed_key_is_400(client_for, reviewer, claim_by, key):
    claim = claim_by(reviewer)
    response = post(
        client_for(reviewer), f"/api/v1/claims/{claim.pk}/comments/", {"body": "b"}, key
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Comment.objects.exists()


def test_anonymous_request_with_a_key_is_still_refused(api_client, claim_by, reviewer):
    claim = claim_by(reviewer)
    response = post(api_client, f"/api/v1/claims/{claim.pk}/comments/", {"body": "b"}, "k")
    assert response.status_code in (401, 403)
    assert not IdempotencyKey.objects.exists()


def test_token_clients_get_replays_too(reviewer, claim_by):
    from rest_framework.authtoken.models import Token

    claim = claim_by(reviewer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reviewer).key}")
    path = f"/api/v1/claims/{claim.pk}/comments/"
    assert post(client, path, {"body": "b"}, "tok").status_code == 201
    assert post(client, path, {"body": "b"}, "tok").status_code == 201
    assert Comment.objects.filter(claim=claim).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_make_one_source(reviewer, claim_by):
    """A double-click: both requests in flight at once, on two connections."""
    claim = claim_by(reviewer)
    path = f"/api/v1/claims/{claim.pk}/sources/"
    barrier = threading.Barrier(2)
    answers = []

    def send():
        client = APIClient()
        client.force_authenticate(reviewer)
        barrier.wait()
        try:
            answers.append(post(client, path, SOURCE, "double-click"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Source.objects.filter(claim=claim).count() == 1


def test_a_browser_session_with_csrf_gets_replays(reviewer, claim_by):
    """The reader's case: session cookie, CSRF header, JSON body (the middleware must not read
    the body as a form, nor leave the request anonymous for the view)."""
    from django.test import Client

    claim = claim_by(reviewer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    client.get("/")
    token = client.cookies["csrftoken"].value
    path = f"/api/v1/claims/{claim.pk}/comments/"

    def send():
        return client.post(
            path,
            {"body": "b"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="browser",
            HTTP_X_CSRFTOKEN=token,
        )

    first, second = send(), send()
    assert first.status_code == second.status_code == 201, first.content
    assert Comment.objects.filter(claim=claim).count() == 1


def test_a_session_request_without_csrf_is_refused_and_keeps_no_key(reviewer, claim_by):
    from django.test import Client

    claim = claim_by(reviewer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(
        f"/api/v1/claims/{claim.pk}/comments/",
        {"body": "b"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="no-csrf",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not IdempotencyKey.objects.exists()
    assert not Comment.objects.exists()


def test_the_schema_documents_the_header_on_every_post(client_for, reviewer):
    schema = client_for(reviewer).get("/api/schema/", {"format": "json"}).json()
    posts = [ops["post"] for ops in schema["paths"].values() if "post" in ops]
    assert posts
    for post in posts:
        assert "Idempotency-Key" in [p["name"] for p in post.get("parameters", [])]
