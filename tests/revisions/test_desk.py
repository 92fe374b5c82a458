"""What the desk sees of a changed article: My work, accepting or re-spanning a claim, and the
public page and exports of a published claim whose text changed."""

import json

import pytest
from django.test import Client

from annotations.exporting.formats import webannotation
from annotations.exporting.records import records_for
from annotations.models import AnchorStatus, ArticleRevision, AuditEvent, Claim
from annotations.selectors import published_claims
from annotations.services.revisions import reanchor_claims, record_revision
from tests.factories import ArticleFactory, published_claim

from .conftest import DEMO, DOYLE, TYPO, edited


def revise_and_reanchor(article, body):
    revision, _ = record_revision(article=article, body=body, source=ArticleRevision.Source.API)
    reanchor_claims(revision_id=revision.pk)
    article.refresh_from_db()
    return revision


@pytest.fixture
def changed_claims(demo_article, claim_on, reviewer):
    typo, doyle = claim_on(TYPO), claim_on(DOYLE)
    revise_and_reanchor(demo_article, edited(DEMO))
    typo.refresh_from_db(), doyle.refresh_from_db()
    return typo, doyle


def accept(client_for, user, claim):
    return client_for(user).post(f"/api/v1/claims/{claim.pk}/accept-anchor/")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("author", 200), ("editor", 200), ("other_reviewer", 403), ("moderator", 403)],
)
def test_who_may_accept_a_changed_claims_new_text(
    who, expected, request, client_for, changed_claims, reviewer
):
    typo, _ = changed_claims
    user = reviewer if who == "author" else request.getfixturevalue(who)
    response = accept(client_for, user, typo)
    assert response.status_code == expected, response.json()
    typo.refresh_from_db()
    if expected == 200:
        assert response.json()["anchor_status"] == "anchored"
        assert typo.quote_exact == TYPO.replace("criminal", "crimnal")
        assert typo.text_changed_at is not None  # the public note outlives the acceptance
        assert AuditEvent.objects.filter(action="claim.anchor_accepted").count() == 1
    else:
        assert (typo.anchor_status, typo.quote_exact) == (AnchorStatus.CHANGED, TYPO)


def test_an_orphan_cannot_be_accepted_only_re_spanned(client_for, reviewer, changed_claims):
    _, doyle = changed_claims
    response = accept(client_for, reviewer, doyle)
    assert response.status_code == 400
    assert "re-span" in response.json()["anchor_status"][0]
    # Re-spanning it onto the current text (with its ETag) anchors it there.
    client = client_for(reviewer)
    etag = client.get(f"/api/v1/claims/{doyle.pk}/")["ETag"]
    body = edited(DEMO)
    start = body.index("He said the probe")
    response = client.patch(
        f"/api/v1/claims/{doyle.pk}/",
        {"start": start, "end": start + 40},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    doyle.refresh_from_db()
    assert doyle.anchor_status == AnchorStatus.ANCHORED
    assert doyle.anchor_revision.number == 2
    assert doyle.quote_exact == body[start : start + 40]


def test_my_work_lists_the_claims_the_article_changed_under(
    changed_claims, reviewer, other_reviewer, editor
):
    typo, _ = changed_claims
    for user, expected in ((reviewer, 2), (editor, 2), (other_reviewer, 0)):
        client = Client()
        client.force_login(user)
        page = client.get("/").content.decode()
        assert f'data-testid="count-text-changed">{expected}<' in page
        assert (f"#claim-{typo.pk}" in page) == bool(expected)
        assert ("no longer in the text" in page) == bool(expected)


def test_my_work_queries_do_not_grow_with_changed_claims(
    demo_article, claim_on, reviewer, django_assert_max_num_queries
):
    for phrase in (TYPO, DOYLE, "X, Meta and TikTok to determine", "Elma Saiz said Spain"):
        claim_on(phrase)
    revise_and_reanchor(demo_article, edited(DEMO).replace("Elma Saiz", "Elma Sáiz"))
    client = Client()
    client.force_login(reviewer)
    with django_assert_max_num_queries(20):
        assert client.get("/").status_code == 200


def test_public_page_says_the_article_changed_after_the_check(db, client):
    article = ArticleFactory()
    claim = published_claim(article=article)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "article-changed" not in page
    revise_and_reanchor(article, article.body.replace("40 percent", "45 percent"))
    claim.refresh_from_db()
    assert claim.anchor_status == AnchorStatus.CHANGED
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert 'data-testid="article-changed"' in page
    assert "now reads differently" in page
    # The rating still stands for the quoted text; ClaimReview says when the record changed.
    script = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    review = json.loads(script)
    assert review["dateModified"] >= claim.text_changed_at.isoformat()[:19]


def test_public_page_says_when_the_checked_passage_is_gone(db, client):
    article = ArticleFactory()
    claim = published_claim(article=article)
    first_line = article.body.split("\n")[0]
    revise_and_reanchor(article, article.body.replace(first_line + "\n", "", 1))
    claim.refresh_from_db()
    assert claim.anchor_status == AnchorStatus.ORPHANED
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "the passage we checked is no longer in it" in page
    # Published claims are never silently moved or dropped from the feed.
    feed = client.get("/api/v1/verified-claims/").json()["results"]
    assert [item["id"] for item in feed] == [claim.pk]
    assert feed[0]["claim"]["quote"] == Claim.objects.get(pk=claim.pk).quote_exact


def test_web_annotation_of_an_orphan_points_by_its_quote_only(db):
    article = ArticleFactory()
    gone, kept = published_claim(article=article), published_claim(article=ArticleFactory())
    first_line = article.body.split("\n")[0]
    revise_and_reanchor(article, article.body.replace(first_line + "\n", "", 1))
    claims = published_claims().filter(pk__in=[gone.pk, kept.pk])
    rows = {row["id"]: row for row in records_for(claims)}
    gone_selectors = webannotation(rows[gone.pk])["target"]["selector"]
    assert [s["type"] for s in gone_selectors] == ["TextQuoteSelector"]
    assert gone_selectors[0]["exact"] == first_line
    kept_selectors = webannotation(rows[kept.pk])["target"]["selector"]
    assert [s["type"] for s in kept_selectors] == ["TextQuoteSelector", "TextPositionSelector"]


def test_older_texts_stay_readable_in_the_ui(changed_claims, demo_article, reviewer):
    client = Client()
    assert client.get(f"/articles/{demo_article.pk}/revisions/1/").status_code == 302  # log in
    client.force_login(reviewer)
    reader = client.get(f"/articles/{demo_article.pk}/").content.decode()
    assert f'href="/articles/{demo_article.pk}/revisions/1/"' in reader
    old = client.get(f"/articles/{demo_article.pk}/revisions/1/").content.decode()
    assert "Revision 1" in old and DOYLE in old and "crimnal" not in old
    new = client.get(f"/articles/{demo_article.pk}/revisions/2/").content.decode()
    assert "(the current text)" in new and "crimnal" in new and DOYLE not in new
    assert client.get(f"/articles/{demo_article.pk}/revisions/3/").status_code == 404


def test_an_article_never_revised_has_its_one_text_as_revision_one(demo_article, reviewer):
    client = Client()
    client.force_login(reviewer)
    page = client.get(f"/articles/{demo_article.pk}/revisions/1/").content.decode()
    assert "(the current text)" in page and DOYLE in page
    reader = client.get(f"/articles/{demo_article.pk}/").content.decode()
    assert "older-revisions" not in reader


def test_me_counts_the_changed_and_orphaned_claims_each_person_should_re_review(
    demo_article,
    claim_on,
    reviewer,
    other_reviewer,
    editor,
    client_for,
    django_assert_max_num_queries,
):
    typo, doyle = claim_on(TYPO), claim_on(DOYLE, user=other_reviewer)
    revise_and_reanchor(demo_article, edited(DEMO))

    def counts(user):
        with django_assert_max_num_queries(8):
            queue = client_for(user).get("/api/v1/me/").json()["queue"]
        return queue["changed_claims"], queue["orphaned_claims"]

    assert counts(reviewer) == (1, 0)  # the typo'd claim is theirs
    assert counts(other_reviewer) == (0, 1)  # Doyle's sentence was deleted
    assert counts(editor) == (1, 1)  # editors: all
    Claim.objects.filter(pk=doyle.pk).update(assignee=reviewer)
    assert counts(reviewer) == (1, 1)  # and what is assigned to them
    # Read through the access policy: a claim a moderator hid is nobody's to count.
    Claim.objects.filter(pk=typo.pk).update(is_hidden=True)
    assert counts(editor) == (0, 1)
    assert counts(reviewer) == (0, 1)
