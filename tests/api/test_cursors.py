"""A forged `?cursor=` is a 400 naming `cursor` on every cursor-paged list, never a 404 or 500:
only a cursor the API signed for that list decodes, and its position is checked too."""

import base64
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from rest_framework.pagination import BasePagination

from annotations.api.common import CheckedCursorPagination, cursor_signer
from tests.factories import ClaimFactory, UserFactory

# Every list that comes in cursor pages; {claim} is a claim's id.
PAGED_LISTS = [
    "/api/v1/articles/",
    "/api/v1/claims/",
    "/api/v1/claims/{claim}/sources/",
    "/api/v1/claims/{claim}/comments/",
    "/api/v1/claims/{claim}/verdicts/",
    "/api/v1/verdicts/",
    "/api/v1/flags/",
    "/api/v1/imports/",
    "/api/v1/exports/",
    "/api/v1/verified-claims/",
    "/api/v1/verified-claims/withdrawn/",
    "/api/v1/sentences/",
    "/api/v1/checkworthiness-models/",
]


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


def _view_and_ordering(path: str) -> tuple[type, tuple[str, ...]]:
    view = resolve(path.format(claim=1)).func.cls
    ordering = view.pagination_class.ordering
    return view, (ordering,) if isinstance(ordering, str) else tuple(ordering)


def _signed(path: str, query: str) -> str:
    """A cursor as the API writes it for the list at `path`: DRF's token, signed."""
    return cursor_signer(*_view_and_ordering(path)).sign(_cursor(query))


FORGED = {
    "unsigned-offset": "bz0xMDAwMDAwMDAmcD0yMDI2",  # o=100000000&p=2026, as reported (QA)
    "unsigned-position": _cursor("p=1"),
    "text-position": "cD1hYmM=",  # p=abc, as reported
    "not-base64": "%%%not-a-cursor",
    "huge-integer": _cursor("p=" + "9" * 30),
    "negative-offset": _cursor("o=-5&p=1"),
    "naive-time": _cursor("p=2025-06-01 12:00:00"),
    "bad-time": _cursor("p=2025-13-45 99:00:00+00:00"),
    "nul-byte": _cursor("p=1\x00"),
}
# Cursors signed as the API signs them, whose position the ordering field still refuses.
SIGNED_BAD_POSITIONS = {
    "text-position": "p=abc",
    "huge-integer": "p=" + "9" * 30,
    "negative-offset": "o=-5&p=1",
    "naive-time": "p=2025-06-01 12:00:00",
    "bad-time": "p=2025-13-45 99:00:00+00:00",
    "nul-byte": "p=1\x00",
}


@pytest.fixture
def superuser(db):
    # Superusers hold every role: each list answers them, so the cursor is what is tested.
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
@pytest.mark.parametrize("path", PAGED_LISTS)
def test_a_forged_cursor_is_a_400_naming_the_cursor(client, superuser, path, forged):
    claim = ClaimFactory()
    client.force_login(superuser)

    response = client.get(path.format(claim=claim.pk), {"cursor": forged})

    assert response.status_code == 400, response.content
    assert "cursor" in response.json()
    assert "next" in response.json()["cursor"][0]


@pytest.mark.parametrize("query", SIGNED_BAD_POSITIONS.values(), ids=SIGNED_BAD_POSITIONS.keys())
@pytest.mark.parametrize("path", PAGED_LISTS)
def test_a_signed_cursor_with_a_bad_position_is_a_400(client, superuser, path, query):
    claim = ClaimFactory()
    client.force_login(superuser)

    response = client.get(path.format(claim=claim.pk), {"cursor": _signed(path, query)})

    assert response.status_code == 400, response.content
    assert "cursor" in response.json()


def _position(path: str) -> str:
    # DRF writes str() of the ordering field's value of the page's edge row.
    _, ordering = _view_and_ordering(path)
    by_field = {"id": "1", "checkworthiness": "0.5"}  # the rest order by a time
    return by_field.get(ordering[0].lstrip("-"), str(timezone.now()))


@pytest.mark.parametrize("reverse", [False, True], ids=["next", "previous"])
@pytest.mark.parametrize("path", PAGED_LISTS)
def test_a_cursor_the_api_signed_is_accepted(client, superuser, path, reverse):
    claim = ClaimFactory()
    client.force_login(superuser)
    cursor = _signed(path, urlencode({"p": _position(path), **({"r": 1} if reverse else {})}))

    response = client.get(path.format(claim=claim.pk), {"cursor": cursor})

    assert response.status_code == 200, response.content
    assert "results" in response.json()


@pytest.mark.parametrize("path", PAGED_LISTS)
def test_an_edited_signed_cursor_is_a_400(client, superuser, path):
    claim = ClaimFactory()
    client.force_login(superuser)
    signature = _signed(path, f"p={_position(path)}").rsplit(":", 1)[1]
    edited = _cursor(f"o=100000000&p={_position(path)}") + ":" + signature

    response = client.get(path.format(claim=claim.pk), {"cursor": edited})

    assert response.status_code == 400, response.content
    assert "cursor" in response.json()


@pytest.mark.parametrize("path", PAGED_LISTS)
def test_a_cursor_signed_for_another_list_is_a_400(client, superuser, path):
    claim = ClaimFactory()
    client.force_login(superuser)
    other = next(p for p in PAGED_LISTS if _view_and_ordering(p) != _view_and_ordering(path))
    cursor = cursor_signer(*_view_and_ordering(other)).sign(_cursor(f"p={_position(path)}"))

    response = client.get(path.format(claim=claim.pk), {"cursor": cursor})

    assert response.status_code == 400, response.content
    assert "cursor" in response.json()


def test_the_next_link_of_a_page_is_signed_and_followed(client, superuser):
    for _ in range(3):
        ClaimFactory()
    client.force_login(superuser)

    first = client.get("/api/v1/claims/", {"page_size": 2}).json()
    second = client.get(first["next"])

    assert second.status_code == 200
    assert ":" in first["next"].split("cursor=")[1].replace("%3A", ":")
    assert {c["id"] for c in second.json()["results"]}.isdisjoint(c["id"] for c in first["results"])


def _paged_views(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _paged_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None)
            actions = getattr(pattern.callback, "actions", None) or {}
            paginator = getattr(view, "pagination_class", None)
            is_list = not actions or actions.get("get") == "list"
            if paginator is not None and is_list:
                yield prefix + str(pattern.pattern), view, paginator


def test_every_paged_view_checks_its_cursor_and_is_listed_above():
    listed = {resolve(path.format(claim=1)).func.cls for path in PAGED_LISTS}
    found = list(_paged_views())

    assert found
    for route, view, paginator in found:
        assert issubclass(paginator, BasePagination)
        assert issubclass(paginator, CheckedCursorPagination), f"{route}: {paginator}"
        assert view in listed, f"{route} is paged but missing from PAGED_LISTS"
