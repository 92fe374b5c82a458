"""The reader marks sentences checked before, and a reviewer links a claim to the earlier one."""

import pytest
from playwright.sync_api import expect

from annotations.memory import matching
from annotations.memory.embedding import LexicalEmbedder
from annotations.memory.index import forget_indexes
from annotations.models import Claim
from tests.factories import ArticleFactory, ClaimFactory, published_claim

from .conftest import log_in, open_reader, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EARLIER = "Unemployment fell to 5.2% in March, the lowest rate in a decade."


def test_reader_marks_a_sentence_checked_before_and_links_the_claim(page, e2e_reviewer):
    forget_indexes()
    lexical = LexicalEmbedder()  # quick, and the UI must say it is only lexical
    earlier = published_claim(
        article=ArticleFactory(body=EARLIER + "\nThe minister welcomed it."),
        start=0,
        end=len(EARLIER),
        quote_exact=EARLIER,
    )
    matching.embed_and_match_claims([earlier.pk], using=lexical)
    article = ArticleFactory(body="Rain closed three roads.\n" + EARLIER)
    matching.embed_and_match_articles([article.pk], using=lexical)
    start = article.body.index(EARLIER)
    mine = ClaimFactory(
        article=article,
        created_by=e2e_reviewer,
        start=start,
        end=start + len(EARLIER),
        quote_exact=EARLIER,
    )
    matching.embed_and_match_claims([mine.pk], using=lexical)

    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/")
    marked = page.locator(".sentence.checked-before")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("Unemployment fell")
    page.locator(".sentence").first.click()
    expect(page.locator("#panel-memory")).to_be_empty()
    page.keyboard.press("j")
    box = page.locator("#panel-memory .checked-before")
    expect(box).to_contain_text("Checked before: rated False")
    expect(box).to_contain_text(f"(#{earlier.pk})")
    expect(box.get_by_role("link")).to_have_attribute(
        "href", f"http://localhost:8000/claims/{earlier.pk}/"
    )
    screenshot(page, "reader-checked-before")

    open_reader(page, f"/articles/{article.pk}/#claim-{mine.pk}")
    section = page.locator("#claim-matches")
    expect(section).to_contain_text(f"(#{earlier.pk})")
    expect(section).to_contain_text("Compared by wording only")
    section.get_by_role("button", name="Same claim").click()
    expect(page.locator("#claim-matches")).to_contain_text("Linked: same claim")
    assert Claim.objects.get(pk=mine.pk).same_as_id == earlier.pk
    screenshot(page, "reader-same-claim")
