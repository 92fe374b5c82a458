"""Public pages in Chromium: a claim's page at desktop and phone width and in print, the index
with search and rating filter, the feed link, and the styled 404 and lockout pages."""

import pytest
from playwright.sync_api import expect

from annotations.models import Correction
from tests.factories import ArticleFactory, SourceFactory, UserFactory, published_claim

from .conftest import PASSWORD, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fact_check(transactional_db):
    article = ArticleFactory(title="Budget day in parliament", publisher="Demo Wire")
    claim = published_claim(
        article=article,
        claimant="The finance minister",
        text="Public spending rose by 40 percent in one year",
    )
    claim.sources.update(
        stance="refutes",
        title="Budget statistics 2025",
        publisher="National statistics office",
        quote="Spending rose by 12 percent between 2024 and 2025.",
    )
    SourceFactory(claim=claim, stance="context", title="How spending is counted")
    Correction.objects.create(
        claim=claim,
        kind=Correction.Kind.UPDATE,
        note="The 2024 figure was added.",
        created_by=UserFactory(roles=["Editor"]),
    )
    return claim


def test_claim_page_is_a_readable_fact_check_on_desktop_phone_and_paper(new_page, fact_check):
    page = new_page()
    page.goto(f"/claims/{fact_check.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Public spending rose by 40 percent in one year"
    )
    expect(page.locator(".verdict-card .rating-badge")).to_have_text("False")
    expect(page.locator(".scale [aria-current=true]")).to_have_text("False")
    expect(page.locator(".claim figcaption")).to_contain_text("The finance minister")
    expect(page.get_by_role("link", name="Budget day in parliament")).to_be_visible()
    expect(page.locator(".source").first).to_contain_text("Refutes the claim")
    expect(page.locator(".corrections")).to_contain_text("The 2024 figure was added.")
    og = page.locator("meta[property='og:title']").get_attribute("content")
    assert og == "False: Public spending rose by 40 percent in one year"
    fonts = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('h1, h2, p, li, figcaption')]"
        ".map((e) => getComputedStyle(e).fontFamily.split(',')[0]))]"
    )
    assert len(fonts) <= 2, fonts  # one sans for the frame, one serif for the reading
    screenshot(page, "public-claim")

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways at 360 px by {overflow} px"
    screenshot(page, "public-claim-360")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "public-claim-print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_index_searches_filters_and_links_the_feeds(new_page, fact_check):
    other = published_claim(text="The new bridge opened in 1998", claimant="A councillor")
    true = other.published_verdict.rating.scale.ratings.get(slug="true")
    other.published_verdict.rating = true
    other.published_verdict.save()
    page = new_page()
    page.goto("/fact-checks/")
    expect(page.locator(".fact-check-summary")).to_have_count(2)
    screenshot(page, "public-index")
    page.get_by_label("Search", exact=True).fill("minister")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".fact-check-summary")).to_have_count(1)
    expect(page.locator(".fact-check-summary")).to_contain_text("Public spending rose")
    page.get_by_label("Search", exact=True).fill("")
    page.get_by_label("Rating").select_option("true")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".fact-check-summary")).to_have_count(1)
    expect(page.locator(".fact-check-summary .rating-badge")).to_have_text("True")
    page.get_by_role("link", name="The new bridge opened in 1998").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The new bridge opened in 1998")
    rss = page.locator("link[rel=alternate][type='application/rss+xml']").get_attribute("href")
    assert rss == "/fact-checks/rss/"
    response = page.request.get(rss)
    assert response.ok and "The new bridge opened in 1998" in response.text()


def test_not_found_is_a_styled_page(new_page, transactional_db):
    page = new_page()
    response = page.goto("/claims/424242/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This page does not exist")
    expect(page.get_by_role("link", name="Published fact-checks")).to_be_visible()
    screenshot(page, "error-404")


def test_lockout_after_failed_logins_is_a_styled_page(new_page, settings, transactional_db):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="forgetful", roles=["Reviewer"])
    page = new_page()
    for _ in range(2):
        page.goto("/login/")
        page.get_by_label("Username").fill("forgetful")
        page.get_by_label("Password").fill(PASSWORD + "-wrong")
        page.get_by_role("button", name="Log in").click()
    page.goto("/login/")
    page.get_by_label("Username").fill("forgetful")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response("**/login/") as answer:
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing in is locked for a while")
    expect(page.get_by_role("alert")).to_contain_text("signing in as forgetful")
    expect(page.get_by_role("alert")).to_contain_text("1 hour")
    screenshot(page, "lockout")
