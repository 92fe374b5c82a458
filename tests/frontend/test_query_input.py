"""A NUL character or an oversized value in a query string: a 400 (a styled page on the pages, a
message naming the parameter on the API), never PostgreSQL's 500."""

import django_filters
import pytest
from django.test import Client
from django.urls import resolve
from django.utils import translation

from tests.api.test_cursors import PAGED_LISTS
from tests.factories import ClaimFactory, UserFactory, published_claim

# Every page that reads its query string, and some that do not (the check is before any view).
PAGES = [
    "/?q={}",
    "/?language={}",
    "/?status={}",
    "/?import={}",
    "/?page={}",
    "/triage/?day={}",
    "/import/?q={}",
    "/export/?q={}",
    "/articles/{article}/?q={}",
    "/fact-checks/?q={}",
    "/fact-checks/?rating={}",
    "/fact-checks/?page={}",
    "/fact-checks/rss/?q={}",
    "/fact-checks/atom/?q={}",
    "/claims/{claim}/?q={}",
    "/ratings/?q={}",
    "/login/?next={}",
    "/admin/annotations/claim/?q={}",
    "/admin/annotations/article/?q={}",
]
NUL_VALUES = {"nul": "%00", "nul-in-word": "a%00b", "nul-name": "x&%00=1"}
OVERSIZED = {
    "long-text": "x" * 4000,
    "many-words": "+".join(["word"] * 500),
    "huge-number": "9" * 30,
    "unicode-digit": "%C2%B2",
    "bad-day": "2025-13-45",
}


@pytest.fixture
def signed_in(db):
    published = published_claim()
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    client.ids = {"claim": published.pk, "article": published.article_id}
    return client


def _url(template: str, value: str, ids: dict) -> str:
    return template.replace("{}", value).format(**ids)


@pytest.mark.parametrize("value", NUL_VALUES.values(), ids=NUL_VALUES.keys())
@pytest.mark.parametrize("page", PAGES)
def test_a_nul_in_a_pages_query_is_a_styled_400(signed_in, page, value):
    response = signed_in.get(_url(page, value, signed_in.ids))

    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Error 400" in body and "NUL character" in body


def test_the_public_index_answers_the_nul_400_to_anonymous_readers(db):
    response = Client().get("/fact-checks/?q=%00")

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.fixture
def english_after():
    # A request in Spanish leaves Spanish active in this thread; the next tests read English.
    yield
    translation.activate("en")


def test_the_400_page_is_in_the_readers_language(english_after, db):
    response = Client().get("/fact-checks/?rating=%00", HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 400
    assert "No se puede leer esta dirección" in response.content.decode()


@pytest.mark.parametrize("value", OVERSIZED.values(), ids=OVERSIZED.keys())
@pytest.mark.parametrize("page", PAGES)
def test_an_oversized_or_odd_query_value_is_no_500(signed_in, page, value):
    response = signed_in.get(_url(page, value, signed_in.ids))

    assert response.status_code in (200, 302, 400), (response.status_code, page)


# --- The API: its filters' fields answer the 400, naming the parameter -------------------------


def _filters_of(path: str) -> dict:
    view = resolve(path.split("?")[0]).func.cls
    filterset = getattr(view, "filterset_class", None)
    return dict(filterset.base_filters) if filterset else {}


API_FILTERS = [
    (path, name, isinstance(field, django_filters.CharFilter))
    for path in PAGED_LISTS
    for name, field in sorted(_filters_of(path.format(claim=1)).items())
]


def test_the_api_lists_have_filters_to_try():
    named = {(path, name) for path, name, _ in API_FILTERS}
    assert ("/api/v1/articles/", "q") in named
    assert ("/api/v1/claims/", "search") in named
    assert ("/api/v1/verified-claims/", "rating") in named


@pytest.mark.parametrize(("path", "name", "is_text"), API_FILTERS)
def test_a_nul_in_an_api_filter_is_a_400_naming_it(signed_in, path, name, is_text):
    response = signed_in.get(path.format(claim=ClaimFactory().pk), {name: "a\x00"})

    # Text, number, date and choice filters refuse it by name; a yes/no filter reads it as unset.
    assert response.status_code in (200, 400), (response.status_code, response.content[:300])
    if is_text or response.status_code == 400:
        assert response.status_code == 400
        assert name in response.json()


@pytest.mark.parametrize(("path", "name", "is_text"), API_FILTERS)
def test_an_oversized_api_filter_is_no_500(signed_in, path, name, is_text):
    response = signed_in.get(path.format(claim=ClaimFactory().pk), {name: "x " * 2000})

    assert response.status_code in (200, 400), (response.status_code, response.content[:300])
