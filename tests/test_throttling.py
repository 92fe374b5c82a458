"""Throttles that hold: the client's address, the rates, and what a forged header gains (nothing).

Each test sets a small rate, hammers it and expects 429 with `Retry-After`; the cache is cleared
between tests (tests/conftest.py).
"""

import itertools

import pytest
from axes.helpers import get_client_ip_address
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import BaseThrottle

from annotations.throttling import client_address
from tests.factories import UserFactory, published_claim

FEED = "/api/v1/verified-claims/"
PASSWORD = "correct-horse-battery"
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def rates(settings):
    """`rates(anon=..., user=..., login=...)`: override the throttle rates for this test."""

    def _set(**overrides: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **overrides,
            },
        }

    return _set


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) > 0


# --- The client's address -----------------------------------------------------------------------

ADDRESS_CASES = [
    # trusted proxies, REMOTE_ADDR, X-Forwarded-For, the client's address
    (0, "203.0.113.5", None, "203.0.113.5"),
    (0, "203.0.113.5", "198.51.100.7", "203.0.113.5"),
    (0, "203.0.113.5", "198.51.100.7, 10.0.0.2", "203.0.113.5"),
    (1, "10.0.0.2", None, "10.0.0.2"),
    (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
    # A client's own X-Forwarded-For comes first; our proxy appends what it saw.
    (1, "10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
    (2, "10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
]
# An IPv6 client counts as its /64; DRF alone would count each address.
IPV6_CASES = [
    (0, "2001:db8:1:2:aaaa::7", None, "2001:db8:1:2::"),
    (0, "::ffff:203.0.113.5", None, "203.0.113.5"),
    (1, "10.0.0.2", "6.6.6.6, 2001:db8:1:2:bbbb::9", "2001:db8:1:2::"),
]


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), ADDRESS_CASES)
def test_client_address_trusts_only_the_configured_proxies(
    settings, proxies, remote, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)

    assert client_address(request) == expected
    # django-axes and DRF's own address (NUM_PROXIES) count the same client.
    assert get_client_ip_address(request) == expected
    assert BaseThrottle().get_ident(request) == expected


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), IPV6_CASES)
def test_an_ipv6_client_counts_as_its_64(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)

    assert client_address(request) == expected
    assert get_client_ip_address(request) == expected


def test_rotating_through_an_ipv6_64_gains_nothing(db, rates):
    rates(anon="2/minute")

    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:5:6::{n:x}").get(FEED).status_code for n in range(1, 4)
    ]

    assert statuses == [200, 200, 429]
    assert Client(REMOTE_ADDR="2001:db8:5:7::1").get(FEED).status_code == 200


def test_a_malformed_forwarded_address_falls_back_to_the_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk")

    assert client_address(request) == "10.0.0.2"


# --- Anonymous: the public feed and pages share one bucket per address ---------------------------


def test_a_rotated_forwarded_for_gains_nothing_on_the_feed(db, rates):
    rates(anon="2/minute")
    client = Client()

    statuses = [
        client.get(FEED, HTTP_X_FORWARDED_FOR=next(_addresses)).status_code for _ in range(2)
    ]
    response = client.get(FEED, HTTP_X_FORWARDED_FOR=next(_addresses))

    assert statuses == [200, 200]
    assert_throttled(response)


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(db, rates, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    rates(anon="2/minute")
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    alice, mallory = "198.51.100.20", "198.51.100.66"

    for _ in range(2):
        assert proxy.get(FEED, HTTP_X_FORWARDED_FOR=mallory).status_code == 200
    # Mallory's own X-Forwarded-For entries, left of what our proxy appended, change nothing.
    forged = f"{next(_addresses)}, {mallory}"
    assert_throttled(proxy.get(FEED, HTTP_X_FORWARDED_FOR=forged))
    assert proxy.get(FEED, HTTP_X_FORWARDED_FOR=alice).status_code == 200


def test_public_pages_and_the_feed_share_the_anonymous_rate(db, rates):
    claim = published_claim()
    rates(anon="3/minute")
    client = Client()

    statuses = [
        client.get(path).status_code for path in (FEED, f"/claims/{claim.pk}/", "/ratings/")
    ]

    assert statuses == [200, 200, 200]
    for path in (f"/claims/{claim.pk}/", "/ratings/", FEED, "/api/v1/verified-claims/withdrawn/"):
        assert_throttled(client.get(path, HTTP_X_FORWARDED_FOR=next(_addresses)))


def test_a_signed_in_reader_of_public_pages_counts_against_the_address(db, rates, reviewer):
    rates(anon="1/minute")
    client = Client()
    client.force_login(reviewer)

    assert client.get("/ratings/").status_code == 200
    response = client.get("/ratings/")

    assert_throttled(response)
    assert "Try again in" in response.content.decode()


def test_another_address_is_not_throttled_by_the_first(db, rates):
    rates(anon="1/minute")

    assert Client(REMOTE_ADDR="203.0.113.1").get("/ratings/").status_code == 200
    assert_throttled(Client(REMOTE_ADDR="203.0.113.1").get("/ratings/"))
    assert Client(REMOTE_ADDR="203.0.113.2").get("/ratings/").status_code == 200


# --- Signed-in API users -------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["session", "token"])
def test_a_signed_in_api_user_has_a_rate(db, rates, auth):
    rates(user="2/minute")
    user, other = UserFactory(roles=["Reviewer"]), UserFactory(roles=["Reviewer"])

    def client_of(someone):
        client = APIClient()
        if auth == "session":
            client.force_login(someone)
        else:
            token = Token.objects.create(user=someone)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client = client_of(user)
    statuses = [
        client.get("/api/v1/me/", HTTP_X_FORWARDED_FOR=next(_addresses)).status_code
        for _ in range(2)
    ]
    assert statuses == [200, 200]
    assert_throttled(client.get("/api/v1/articles/", REMOTE_ADDR=next(_addresses)))
    # The rate is the user's, not the address's: another user from the same address goes on.
    assert client_of(other).get("/api/v1/me/").status_code == 200


# --- The token endpoint: per address and per username, whatever comes with it --------------------


def _token_request(client, username: str, password: str = "wrong-guess", **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, **extra)


def test_the_token_endpoint_is_throttled_per_address(db, rates):
    rates(login="3/minute")
    client = APIClient()

    statuses = [
        _token_request(client, f"user-{n}", HTTP_X_FORWARDED_FOR=next(_addresses)).status_code
        for n in range(3)
    ]

    assert statuses == [400, 400, 400]
    assert_throttled(_token_request(client, "user-4", HTTP_X_FORWARDED_FOR=next(_addresses)))


def test_the_token_endpoint_is_throttled_per_username_across_addresses(db, rates):
    rates(login="3/minute")
    victim = UserFactory(username="victim")

    for _ in range(3):
        response = _token_request(APIClient(REMOTE_ADDR=next(_addresses)), victim.username)
        assert response.status_code == 400
    # Neither a new address nor a change of case opens a new bucket, not even for the password.
    response = _token_request(APIClient(REMOTE_ADDR=next(_addresses)), " VICTIM ", PASSWORD)
    assert_throttled(response)
    response = _token_request(APIClient(REMOTE_ADDR=next(_addresses)), "victim", PASSWORD)
    assert_throttled(response)
    assert not Token.objects.filter(user=victim).exists()


@pytest.mark.parametrize("header", ["own-token", "bogus-token", "basic"])
def test_credentials_sent_along_do_not_lift_the_token_throttle(db, rates, header):
    rates(login="2/minute")
    attacker = UserFactory(username="attacker")
    victim = UserFactory(username="victim")
    credentials = {
        "own-token": f"Token {Token.objects.create(user=attacker).key}",
        "bogus-token": "Token 0000000000000000000000000000000000000000",
        "basic": "Basic YXR0YWNrZXI6Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5",
    }[header]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=credentials)

    statuses = [_token_request(client, victim.username).status_code for _ in range(2)]

    assert statuses == [400, 400]
    assert_throttled(_token_request(client, victim.username, PASSWORD))


def test_the_right_password_still_gets_a_token_under_the_rate(db, rates):
    rates(login="3/minute")
    user = UserFactory(username="honest")

    response = _token_request(APIClient(), user.username, PASSWORD)

    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=user).key


# --- The sign-in page: the same rate, per address and per username --------------------------


def test_the_sign_in_page_is_throttled_per_address_across_usernames(db, rates):
    rates(login="3/minute")
    client = Client()

    statuses = [
        client.post("/login/", {"username": f"spray-{n}", "password": "Winter2026!"}).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 200]  # the form again, with its error
    assert_throttled(client.post("/login/", {"username": "spray-4", "password": "Winter2026!"}))
    assert client.get("/login/").status_code == 200  # reading the page is not a guess


def test_the_sign_in_page_is_throttled_per_username_across_addresses(db, rates):
    rates(login="2/minute")
    user = UserFactory(username="target")

    for _ in range(2):
        client = Client(REMOTE_ADDR=next(_addresses))
        assert client.post("/login/", {"username": "target", "password": "nope"}).status_code == 200
    client = Client(REMOTE_ADDR=next(_addresses))
    response = client.post("/login/", {"username": "Target", "password": PASSWORD})

    assert_throttled(response)
    assert "_auth_user_id" not in client.session
    assert user.last_login is None


def test_signing_in_under_the_rate_works(db, rates):
    rates(login="2/minute")
    UserFactory(username="honest-ui")
    client = Client()

    response = client.post("/login/", {"username": "honest-ui", "password": PASSWORD})

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


# --- Logins (django-axes) count the same address -------------------------------------------------


def test_a_rotated_forwarded_for_does_not_escape_the_login_lockout(db, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    moderator = UserFactory(username="locked-mod", roles=["Moderator"])
    client = Client(REMOTE_ADDR="203.0.113.9")

    for _ in range(3):
        client.post(
            "/admin/login/",
            {"username": moderator.username, "password": "wrong-guess"},
            HTTP_X_FORWARDED_FOR=next(_addresses),
        )
    response = client.post(
        "/admin/login/",
        {"username": moderator.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=next(_addresses),
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
