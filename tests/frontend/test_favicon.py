"""/favicon.ico answers (browsers ask for it on the feeds and the admin); pages link the icon."""

import pytest
from django.test import Client

from tests.factories import UserFactory


def test_favicon_ico_leads_to_the_icon(db):
    response = Client().get("/favicon.ico", follow=True)

    assert response.redirect_chain[0][1] == 302
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(response.streaming_content)


@pytest.mark.parametrize("path", ["/fact-checks/", "/ratings/", "/no-such-page/", "/", "/triage/"])
def test_pages_link_the_icon_not_an_empty_one(db, path):
    client = Client()
    client.force_login(UserFactory(roles=["Reviewer"]))

    body = client.get(path).content.decode()

    assert 'rel="icon" href="/static/frontend/favicon.svg"' in body
    assert 'href="data:,"' not in body
