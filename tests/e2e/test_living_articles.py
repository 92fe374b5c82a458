"""Living articles in the reader: a changed claim's before/after, accepting it, re-spanning an
orphan, and My work pointing at both."""

import pytest
from playwright.sync_api import expect

from annotations.models import AnchorStatus, ArticleRevision, Claim
from annotations.services import create_article, create_claim
from annotations.services.revisions import reanchor_claims, record_revision
from tests.revisions.conftest import DEMO, DOYLE, TYPO, edited

from .conftest import drag_select, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reviewer_re_reviews_claims_the_article_changed_under(page, e2e_reviewer):
    article, _ = create_article(title="Spain probes X, Meta, TikTok", body=DEMO)
    claims = {}
    for phrase in (TYPO, DOYLE):
        start = DEMO.index(phrase)
        claims[phrase] = create_claim(
            article=article, created_by=e2e_reviewer, start=start, end=start + len(phrase)
        )
    revision, _ = record_revision(
        article=article, body=edited(DEMO), source=ArticleRevision.Source.API
    )
    reanchor_claims(revision_id=revision.pk)
    typo, doyle = claims[TYPO], claims[DOYLE]

    log_in(page, "rita-reviewer")
    expect(page.get_by_test_id("count-text-changed")).to_have_text("2")
    page.locator(f"a[href$='#claim-{typo.pk}']").first.click()
    expect(page.locator("main[data-ready=true]")).to_be_attached()

    # The changed claim: dashed in the text, its sentence before and after in the panel.
    expect(page.locator(f"mark.claim.anchor-changed[data-claim='{typo.pk}']")).to_have_text(
        TYPO.replace("criminal", "crimnal")
    )
    expect(page.get_by_test_id("anchor-before")).to_contain_text(
        "Spain plans a criminal probe into X, Meta and TikTok over allegations"
    )
    expect(page.get_by_test_id("anchor-after")).to_contain_text("Spain plans a crimnal probe")
    screenshot(page, "reader-anchor-changed")
    page.get_by_test_id("accept-anchor").click()
    expect(page.get_by_test_id("anchor-change")).to_have_count(0)
    expect(page.get_by_test_id("claim-quote")).to_have_text(TYPO.replace("criminal", "crimnal"))
    typo.refresh_from_db()
    assert typo.anchor_status == AnchorStatus.ANCHORED

    # The orphan: listed above the text, never highlighted in it; re-spanned by a selection.
    expect(page.locator(f"mark.claim[data-claim='{doyle.pk}']")).to_have_count(0)
    page.locator(f"#orphaned-list button[data-claim='{doyle.pk}']").click()
    expect(
        page.get_by_role("heading", name="The article no longer has this passage")
    ).to_be_visible()
    expect(page.get_by_test_id("anchor-after")).to_have_text("(no longer in the article)")
    page.get_by_test_id("respan").click()
    expect(page.get_by_test_id("anchor-status")).to_contain_text("Select the claim's text")
    sentence = page.locator(".sentence", has_text="He said the probe would assess")
    text = sentence.text_content()
    phrase = "the probe would assess whether the platform complied"
    first = text.index(phrase)
    drag_select(page, sentence, first, first + len(phrase))
    expect(page.locator("#selection-text")).to_contain_text(phrase)
    page.get_by_test_id("respan").click()
    expect(page.get_by_test_id("anchor-change")).to_have_count(0)
    expect(page.locator(f"mark.claim[data-claim='{doyle.pk}']")).to_have_text(phrase)
    expect(page.locator("#orphaned-claims")).to_be_hidden()
    doyle = Claim.objects.get(pk=doyle.pk)
    assert (doyle.anchor_status, doyle.quote_exact) == (AnchorStatus.ANCHORED, phrase)
    screenshot(page, "reader-anchor-resolved")

    # The text as it was stays readable from the reader's header.
    page.get_by_test_id("older-revisions").get_by_role("link", name="revision 1").click()
    expect(page.get_by_test_id("revision-number")).to_have_text("Revision 1")
    expect(page.get_by_test_id("revision-text")).to_contain_text(DOYLE)
    screenshot(page, "article-revision-1")
