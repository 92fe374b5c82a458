"""`Authorization: Token <key>` (annotations.api.authentication): the token, its user and the
user's roles come in one query, and a bad token is still refused."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory


def _client(user) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


@pytest.mark.parametrize(
    ("roles", "superuser", "expected"),
    [
        ([], False, []),
        (["Reviewer"], False, ["Reviewer"]),
        (["Editor", "Moderator"], False, ["Editor", "Moderator"]),
        ([], True, ["Editor", "Moderator", "Reviewer"]),
    ],
)
def test_the_token_query_brings_the_roles(db, roles, superuser, expected):
    user = UserFactory(roles=roles, is_superuser=superuser)
    user.groups.add(Group.objects.create(name="Newsletter"))  # a group that is no role
    api = _client(user)
    with CaptureQueriesContext(connection) as queries:
        me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert sorted(me.json()["roles"]) == expected
    # The token's query reads the roles; no other query of the request looks at groups.
    reading_groups = [q["sql"] for q in queries.captured_queries if "auth_user_groups" in q["sql"]]
    assert len(reading_groups) == 1
    assert "authtoken_token" in reading_groups[0]


def test_a_role_given_after_one_request_shows_in_the_next(db):
    user = UserFactory()
    api = _client(user)
    assert api.get("/api/v1/articles/").status_code == 403
    user.groups.add(Group.objects.get(name="Reviewer"))
    assert api.get("/api/v1/articles/").status_code == 200


def test_an_unknown_token_and_an_inactive_users_token_are_refused(db):
    # 403, not 401: the session comes first among the authenticators, and it sends no
    # WWW-Authenticate challenge (DRF's rule).
    inactive = UserFactory(roles=["Reviewer"], is_active=False)
    for api, detail in (
        (APIClient(HTTP_AUTHORIZATION="Token nosuchkey"), "Invalid token."),
        (_client(inactive), "User inactive or deleted."),
    ):
        response = api.get("/api/v1/articles/")
        assert response.status_code == 403
        assert response.json()["detail"] == detail
