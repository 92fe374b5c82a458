"""django-axes locks the admin login after repeated failures (`make test` switches it off)."""

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def test_admin_login_locks_out_after_too_many_failures(axes_on, db):
    moderator = UserFactory(username="locked-mod", roles=["Moderator"])
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        response = client.post(
            "/admin/login/", {"username": moderator.username, "password": "wrong-guess"}
        )
    # Now even the right password is refused, with 429 Too Many Requests.
    response = client.post(
        "/admin/login/", {"username": moderator.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked (lockout is per username and IP).
    other = UserFactory(username="other-mod", roles=["Moderator"])
    response = client.post(
        "/admin/login/", {"username": other.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
