"""schema.org ClaimReview: valid JSON-LD, Google's Fact Check fields, and the public page."""

import extruct
import pytest

from annotations.exporting.formats import claimreview, webannotation
from annotations.exporting.records import records_for
from annotations.models import Claim
from annotations.selectors import published_claims
from tests.factories import ArticleFactory, default_rating, published_claim

SDO = "https://schema.org/"
FEED = "/api/v1/verified-claims/"


def only(values):
    assert len(values) == 1, values
    return values[0]


def review_of(claim: Claim) -> dict:
    return claimreview(only(records_for(published_claims().filter(pk=claim.pk))))


def test_claimreview_expands_to_schema_org_iris(db, expand, settings):
    settings.PUBLIC_BASE_URL = "https://checks.example.org"
    claim = published_claim(claimant="Ministry of Energy")

    [node] = expand(review_of(claim))

    assert node["@type"] == [f"{SDO}ClaimReview"]
    assert node[f"{SDO}url"] == [{"@value": f"https://checks.example.org/claims/{claim.pk}/"}]
    assert only(node[f"{SDO}claimReviewed"])["@value"] == claim.quote_exact
    author = only(node[f"{SDO}author"])
    assert author["@type"] == [f"{SDO}Organization"]
    assert only(author[f"{SDO}name"])["@value"] == settings.FACTCHECK_ORGANIZATION["name"]
    rating = only(node[f"{SDO}reviewRating"])
    assert rating["@type"] == [f"{SDO}Rating"]
    assert only(rating[f"{SDO}ratingValue"])["@value"] == 1
    assert only(rating[f"{SDO}bestRating"])["@value"] == 5
    assert only(rating[f"{SDO}worstRating"])["@value"] == 1
    assert only(rating[f"{SDO}alternateName"])["@value"] == "False"
    item = only(node[f"{SDO}itemReviewed"])
    assert item["@type"] == [f"{SDO}Claim"]
    assert only(item[f"{SDO}author"])["@type"] == [f"{SDO}Organization"]
    appearance = only(item[f"{SDO}appearance"])
    assert appearance["@type"] == [f"{SDO}CreativeWork"]
    assert only(appearance[f"{SDO}url"])["@value"] == claim.article.url
    assert f"{SDO}datePublished" in item


@pytest.mark.parametrize("slug", ["true", "mostly-false", "misleading", "unverifiable"])
def test_claimreview_meets_googles_fact_check_requirements(db, slug):
    claim = published_claim(claimant="Ana Pérez")
    claim.published_verdict.rating = default_rating(slug)
    claim.published_verdict.save()

    review = review_of(claim)

    # https://developers.google.com/search/docs/appearance/structured-data/factcheck
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"]
    assert review["url"].endswith(f"/claims/{claim.pk}/")
    assert review["datePublished"]
    assert review["author"]["@type"] == "Organization"
    assert review["author"]["name"]
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"] == default_rating(slug).label
    numeric = default_rating(slug).value is not None
    assert ("ratingValue" in rating) is numeric
    if numeric:
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Ana Pérez"}
    assert review["itemReviewed"]["appearance"]["url"] == claim.article.url


def test_feed_claimreview_format_matches_the_builder(client, db):
    claim = published_claim()

    [review] = client.get(FEED, {"format": "claimreview"}).json()

    assert review == review_of(claim)


def test_public_page_embeds_the_same_claimreview_a_crawler_extracts(client, db):
    claim = published_claim(text="The plan cuts emissions by 40 percent.")

    response = client.get(f"/claims/{claim.pk}/")

    assert response.status_code == 200
    data = extruct.extract(
        response.content.decode(),
        base_url=f"http://testserver/claims/{claim.pk}/",
        syntaxes=["json-ld"],
    )
    [embedded] = data["json-ld"]
    [from_feed] = client.get(FEED, {"format": "claimreview"}).json()
    assert embedded == from_feed
    assert embedded["url"].endswith(f"/claims/{claim.pk}/")


def test_public_page_shows_claim_verdict_explanation_sources_and_corrections(client, db):
    claim = published_claim(claimant="Officials")
    claim.corrections.create(
        kind="update", note="We added the 2025 data.", created_by=claim.created_by
    )
    source = claim.sources.get()

    page = client.get(f"/claims/{claim.pk}/").content.decode()

    assert claim.quote_exact in page
    assert "False" in page
    assert claim.published_verdict.explanation in page
    assert source.url in page
    assert "We added the 2025 data." in page
    assert 'href="/ratings/"' in page or "/ratings/#default-false" in page


def test_script_breakout_in_claim_text_is_escaped_in_the_json_ld(client, db):
    hostile = "</script><script>alert(1)</script><!--"
    claim = published_claim(text=hostile, claimant="<b>Mallory</b>")

    page = client.get(f"/claims/{claim.pk}/").content.decode()

    assert "<script>alert(1)" not in page
    assert "<b>Mallory</b>" not in page
    [embedded] = extruct.extract(page, syntaxes=["json-ld"])["json-ld"]
    assert embedded["claimReviewed"] == hostile


def test_javascript_article_url_is_not_a_link(client, db):
    claim = published_claim(article=ArticleFactory(url="javascript:alert(1)"))

    page = client.get(f"/claims/{claim.pk}/").content.decode()

    assert 'href="javascript:' not in page


@pytest.mark.parametrize("state", ["hidden", "hidden-retracted", "draft"])
def test_public_page_is_404_for_a_claim_the_public_may_not_see(client, db, state):
    # A retracted (not hidden) claim keeps its page to show the retraction: tests/moderation.
    claim = published_claim()
    if state.startswith("hidden"):
        claim.is_hidden = True
    claim.status = {"hidden": "published", "hidden-retracted": "retracted"}.get(state, state)
    claim.save()

    assert client.get(f"/claims/{claim.pk}/").status_code == 404


def test_public_page_passes_the_content_security_policy(client, db):
    claim = published_claim()

    response = client.get(f"/claims/{claim.pk}/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    # The only script is the JSON-LD data block (browsers do not run it); no inline style.
    assert page.count("<script") == 1
    assert 'type="application/ld+json"' in page
    assert "style=" not in page


def test_rating_scale_page_explains_every_rating(client, db):
    page = client.get("/ratings/").content.decode()

    for slug in ["true", "mostly-true", "half-true", "mostly-false", "false", "misleading"]:
        rating = default_rating(slug)
        assert f'id="default-{slug}"' in page
        assert rating.description in page


def test_webannotation_selectors_point_at_the_claim_in_the_article(db, expand):
    claim = published_claim()
    annotation = webannotation(only(records_for(published_claims().filter(pk=claim.pk))))

    quote, position = annotation["target"]["selector"]
    body = claim.article.body
    assert body[position["start"] : position["end"]] == quote["exact"] == claim.quote_exact
    assert annotation["target"]["source"] == claim.article.url
    assert annotation["motivation"] == "assessing"
    [node] = expand(annotation)
    assert node["@type"] == ["http://www.w3.org/ns/oa#Annotation"]
    assert node["http://www.w3.org/ns/oa#motivatedBy"] == [
        {"@id": "http://www.w3.org/ns/oa#assessing"}
    ]
    # The rating is classified by its entry on the public methodology page.
    [classifying] = [b for b in annotation["body"] if b.get("purpose") == "classifying"]
    assert classifying["source"].endswith("/ratings/#default-false")
