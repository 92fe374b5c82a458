"""What the reader shows each role, how it reports a conflict, and exact offsets past emoji."""

import pytest
from playwright.sync_api import expect

from annotations.models import Claim, Verdict
from annotations.moderation import hide_content
from annotations.services import create_article, create_claim, submit_verdict, update_claim
from tests.factories import (
    ClaimFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
    published_claim,
)

from .conftest import drag_select, log_in, open_reader, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted_claim(transactional_db):
    """A claim by another reviewer with a source and a verdict awaiting an editor."""
    claim = ClaimFactory()
    SourceFactory(claim=claim)
    VerdictFactory(claim=claim)
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.SUBMITTED)
    return claim


def test_reviewer_sees_no_editor_actions(page, e2e_reviewer, submitted_claim):
    log_in(page, "rita-reviewer")
    expect(page.get_by_test_id("role")).to_have_text("Reviewer")
    expect(page.locator("#awaiting-approval")).to_have_count(0)
    open_reader(page, f"/articles/{submitted_claim.article_id}/#claim-{submitted_claim.pk}")
    expect(page.locator("#verdicts-list .verdict")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_role("button", name="Approve and publish")).to_have_count(0)
    expect(page.get_by_role("button", name="Reject")).to_have_count(0)
    expect(page.locator("#history-list")).to_have_count(0)  # history is for editors
    screenshot(page, "reader-reviewer-view")


def test_editor_cannot_approve_own_verdict_but_sees_others(page, e2e_editor, submitted_claim):
    log_in(page, "edna-editor")
    open_reader(page, f"/articles/{submitted_claim.article_id}/#claim-{submitted_claim.pk}")
    expect(page.get_by_role("button", name="Approve and publish")).to_be_visible()
    expect(page.locator("#history-list")).to_be_attached()  # editors see the history

    own = ClaimFactory(article=submitted_claim.article, created_by=e2e_editor, start=0, end=8)
    SourceFactory(claim=own)
    VerdictFactory(claim=own)
    open_reader(page, f"/articles/{own.article_id}/#claim-{own.pk}")
    expect(page.locator("#verdicts-list")).to_contain_text("Another editor must approve")
    expect(page.get_by_role("button", name="Approve and publish")).to_have_count(0)


def test_conflicting_edit_is_reported_and_not_overwritten(page, e2e_reviewer, e2e_editor):
    claim = ClaimFactory(created_by=e2e_reviewer, claimant="Officials")
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{claim.article_id}/#claim-{claim.pk}")
    claimant = page.get_by_label("Claimant (who said it)")
    expect(claimant).to_have_value("Officials")

    # Meanwhile an editor changes the claim.
    update_claim(claim=Claim.objects.get(pk=claim.pk), actor=e2e_editor, claimant="The minister")

    claimant.fill("The ministry's spokesperson")
    page.get_by_role("button", name="Save claim").click()
    alert = page.locator("#claim-alert")
    expect(alert).to_contain_text("Someone else changed this")
    expect(claimant).to_have_value("The ministry's spokesperson")  # the user's text is kept
    screenshot(page, "reader-conflict")
    assert Claim.objects.get(pk=claim.pk).claimant == "The minister"

    page.get_by_role("button", name="Reload the claim").click()
    expect(page.get_by_label("Claimant (who said it)")).to_have_value("The minister")
    page.get_by_label("Claimant (who said it)").fill("The ministry's spokesperson")
    page.get_by_role("button", name="Save claim").click()
    expect(page.locator("#claim-form [role=status]")).to_have_text("Saved.")
    assert Claim.objects.get(pk=claim.pk).claimant == "The ministry's spokesperson"


ASTRAL_BODY = (
    "Fans cheered 🎉🎉 as the team won.\n"
    "The minister 👩🏽‍💼 said taxes fell by 𝟓 percent last year. Nobody checked."
)


def test_astral_characters_before_a_claim_keep_offsets_exact(page, e2e_reviewer):
    article, _ = create_article(title="Emoji", body=ASTRAL_BODY)
    phrase = "taxes fell by 𝟓 percent"
    # A claim saved by the server (code points) must be highlighted over exactly its text.
    earlier = "Nobody checked."
    start = article.body.index(earlier)
    create_claim(article=article, created_by=e2e_reviewer, start=start, end=start + len(earlier))

    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/")
    expect(page.locator("mark.claim")).to_have_text(earlier)

    sentence = page.locator(".sentence", has_text="taxes fell")
    text = sentence.text_content()
    units = text.encode("utf-16-le")
    prefix = text[: text.index(phrase)]
    first = len(prefix.encode("utf-16-le")) // 2  # the browser counts UTF-16 units
    last = first + len(phrase.encode("utf-16-le")) // 2
    assert len(units) // 2 > len(text)  # the sentence really holds astral characters
    drag_select(page, sentence, first, last)
    expect(page.locator("#selection-text")).to_contain_text(phrase)
    page.keyboard.press("c")
    expect(page.get_by_test_id("claim-status")).to_have_text("draft")

    claim = Claim.objects.get(quote_exact=phrase)
    assert article.body[claim.start : claim.end] == phrase
    assert claim.start == article.body.index(phrase)
    expect(page.locator(f"mark.claim[data-claim='{claim.pk}']")).to_have_text(phrase)
    page.reload()
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    expect(page.locator(f"mark.claim[data-claim='{claim.pk}']")).to_have_text(phrase)
    screenshot(page, "reader-astral")


def test_an_approval_on_a_stale_reading_is_refused_with_a_reload(page, e2e_editor, submitted_claim):
    log_in(page, "edna-editor")
    open_reader(page, f"/articles/{submitted_claim.article_id}/#claim-{submitted_claim.pk}")
    expect(page.get_by_role("button", name="Approve and publish")).to_be_visible()
    expect(page.locator("#sources-frozen")).to_contain_text("awaits an editor")

    # Meanwhile a moderator hides the claim's source: what the editor read is no longer so.
    hide_content(
        target=submitted_claim.sources.get(),
        moderator=UserFactory(roles=["Moderator"]),
        reason="Dead link.",
    )
    page.get_by_role("button", name="Approve and publish").click()
    alert = page.locator("#verdicts-list [role=alert]")
    expect(alert).to_contain_text("changed since you read them")
    screenshot(page, "reader-stale-approval")
    assert Verdict.objects.get(claim=submitted_claim).status == Verdict.Status.SUBMITTED

    page.get_by_role("button", name="Reload the claim").click()
    expect(page.locator("#verdicts-list [role=alert]")).to_have_count(1)
    expect(page.locator("#verdicts-list [role=alert]")).to_be_hidden()


def test_an_editor_reviews_and_approves_a_correction_with_its_note(page, e2e_editor):
    claim = published_claim(text="Taxes fell by 5 percent.")
    author = UserFactory(roles=["Reviewer"])
    rating = Verdict._meta.get_field("rating").related_model.objects.get(
        scale__is_default=True, slug="mostly-false"
    )
    submit_verdict(
        claim=claim,
        author=author,
        rating=rating,
        explanation="The revised statistics show a 2 percent fall, not 5.",
        changes={"text": "Taxes fell by 2 percent."},
    )
    log_in(page, "edna-editor")
    open_reader(page, f"/articles/{claim.article_id}/#claim-{claim.pk}")
    expect(page.locator("#claim-frozen")).to_contain_text("only through a correction")
    expect(page.locator(".proposed-changes")).to_contain_text("Taxes fell by 2 percent.")
    page.get_by_label("Correction note (public: what changed and why)").fill(
        "Revised statistics: the fall was 2 percent."
    )
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.get_by_label("The claim in a checker's words")).to_have_value(
        "Taxes fell by 2 percent."
    )
    screenshot(page, "reader-correction-approved")
    claim.refresh_from_db()
    assert claim.text == "Taxes fell by 2 percent."
    assert claim.corrections.get().note == "Revised statistics: the fall was 2 percent."
