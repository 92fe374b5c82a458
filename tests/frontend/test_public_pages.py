"""Public pages a newsroom would publish: the claim page as a fact-check, the index of published
fact-checks (search, rating filter, pages), its RSS and Atom feeds, and the styled error pages."""

from datetime import timedelta

import pytest
from defusedxml import ElementTree as ET
from django.utils import timezone

from annotations import moderation
from annotations.models import Correction
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, published_claim

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_public_throttle():
    from django.core.cache import cache

    cache.clear()


def _claim(**kwargs):
    return published_claim(**kwargs)


def test_claim_page_reads_as_a_fact_check(client, editor):
    article = ArticleFactory(title="Budget day", publisher="Demo Wire")
    claim = _claim(article=article, claimant="The minister", text="Spending rose 40 percent")
    claim.sources.update(stance="refutes", quote="Spending rose 12 percent.")
    SourceFactory(claim=claim, stance="context", title="Earlier budgets")
    now = timezone.now()
    first = Correction.objects.create(
        claim=claim, kind=Correction.Kind.UPDATE, note="Figure for 2024 added.", created_by=editor
    )
    second = Correction.objects.create(
        claim=claim, kind=Correction.Kind.UPDATE, note="Source link fixed.", created_by=editor
    )
    Correction.objects.filter(pk=first.pk).update(created_at=now - timedelta(days=2))
    Correction.objects.filter(pk=second.pk).update(created_at=now - timedelta(days=1))
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "<h1>Spending rose 40 percent</h1>" in html
    assert '<span class="claimant">The minister</span>' in html
    assert ">Budget day</a> (Demo Wire)" in html  # not "Budget day , Demo Wire"
    assert 'class="rating-badge rating-false">False<' in html
    assert 'aria-current="true"' in html  # the rating's place on its scale
    assert "Refutes the claim" in html and "Context" in html
    assert "Spending rose 12 percent." in html
    assert html.index("Figure for 2024 added.") < html.index("Source link fixed.")
    assert f'<meta property="og:url" content="http://localhost:8000/claims/{claim.pk}/">' in html
    assert '<meta property="og:title" content="False: Spending rose 40 percent">' in html
    assert 'type="application/ld+json"' in html


def test_index_lists_published_fact_checks_newest_first(client, django_assert_max_num_queries):
    older = _claim(text="Older claim about rivers")
    newer = _claim(text="Newer claim about taxes")
    ClaimFactory(text="A draft nobody may see")
    newer.published_at = older.published_at + timedelta(hours=1)
    newer.save()
    with django_assert_max_num_queries(6):  # count, ids, rows, sources, corrections, ratings
        response = client.get("/fact-checks/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Newer claim about taxes") < html.index("Older claim about rivers")
    assert "A draft nobody may see" not in html
    assert f'href="/claims/{newer.pk}/"' in html


def test_index_searches_and_filters_by_rating(client):
    _claim(text="Unemployment fell to 5 percent", claimant="The mayor")
    true_claim = _claim(text="The bridge opened in 1998")
    true_claim.published_verdict.rating = true_claim.published_verdict.rating.scale.ratings.get(
        slug="true"
    )
    true_claim.published_verdict.save()
    html = client.get("/fact-checks/", {"q": "mayor"}).content.decode()
    assert "Unemployment fell" in html and "The bridge opened" not in html
    html = client.get("/fact-checks/", {"rating": "true"}).content.decode()
    assert "The bridge opened" in html and "Unemployment fell" not in html
    html = client.get("/fact-checks/", {"q": "nothing-like-this"}).content.decode()
    assert "No fact-check matches “nothing-like-this”." in html


def test_index_pages_by_twenty(client):
    for n in range(23):
        _claim(text=f"Claim number {n:02}")
    first = client.get("/fact-checks/").content.decode()
    assert first.count('class="fact-check-summary"') == 20
    assert "Page 1 of 2" in first
    second = client.get("/fact-checks/", {"page": 2}).content.decode()
    assert second.count('class="fact-check-summary"') == 3
    assert client.get("/fact-checks/", {"page": "x"}).status_code == 200  # first page


@pytest.mark.parametrize(
    ("path", "kind"), [("/fact-checks/rss/", "rss"), ("/fact-checks/atom/", "atom")]
)
def test_feeds_list_published_fact_checks(client, moderator, path, kind):
    shown = _claim(text="Water prices doubled", claimant="A senator")
    retracted = _claim(text="Retracted claim text")
    moderation.retract_verdict(
        verdict=retracted.published_verdict, moderator=moderator, note="Wrong data."
    )
    response = client.get(path)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    if kind == "rss":
        titles = [t.text for t in root.iter("title")]
        links = [t.text for t in root.iter("link")]
    else:
        ns = "{http://www.w3.org/2005/Atom}"
        titles = [t.text for t in root.iter(f"{ns}title")]
        links = [t.get("href") for t in root.iter(f"{ns}link")]
    assert "False — A senator: Water prices doubled" in titles
    assert f"http://localhost:8000/claims/{shown.pk}/" in links
    assert not any("Retracted claim text" in (t or "") for t in titles)


def test_styled_404_page(client):
    response = client.get("/claims/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>This page does not exist</h1>" in html
    assert "frontend/base.css" in html


def test_styled_500_page_needs_no_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert "frontend/base.css" in html


def test_too_many_requests_is_a_styled_page(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "1/minute",
        },
    }
    client.get("/ratings/")
    response = client.get("/ratings/")
    assert response.status_code == 429
    assert "<h1>Too many requests</h1>" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_a_refused_form_is_a_styled_403(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "<h1>This form could not be sent</h1>" in response.content.decode()


def test_the_403_page_is_styled():
    from django.template.loader import render_to_string

    html = render_to_string("403.html")
    assert "<h1>You may not open this page</h1>" in html
    assert "frontend/base.css" in html
