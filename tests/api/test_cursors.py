"""A forged `?cursor=` is a 400 naming `cursor` on every cursor-paged list, never a 404 or 500."""

import base64
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from rest_framework.pagination import BasePagination

from annotations.api.common import CheckedCursorPagination
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
]


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


FORGED = {
    "text-position": "cD1hYmM=",  # p=abc, as reported
    "not-base64": "%%%not-a-cursor",
    "huge-integer": _cursor("p=" + "9" * 30),
    "negative-offset": _cursor("o=-5&p=1"),
    "naive-time": _cursor("p=2025-06-01 12:00:00"),
    "bad-time": _cursor("p=2025-13-45 99:00:00+00:00"),
    "nul-byte": _cursor("p=1\x00"),
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


@pytest.mark.parametrize("reverse", [False, True], ids=["next", "previous"])
@pytest.mark.parametrize("path", PAGED_LISTS)
def test_a_cursor_as_drf_writes_it_is_accepted(client, superuser, path, reverse):
    claim = ClaimFactory()
    client.force_login(superuser)
    paginator = resolve(path.format(claim=1)).func.cls.pagination_class
    ordering = paginator.ordering if isinstance(paginator.ordering, str) else paginator.ordering[0]
    # DRF writes str() of the ordering field's value of the page's edge row.
    by_field = {"id": "1", "checkworthiness": "0.5"}  # the rest order by a time
    position = by_field.get(ordering.lstrip("-"), str(timezone.now()))
    cursor = _cursor(urlencode({"p": position, **({"r": 1} if reverse else {})}))

    response = client.get(path.format(claim=claim.pk), {"cursor": cursor})

    assert response.status_code == 200, response.content
    assert "results" in response.json()


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
