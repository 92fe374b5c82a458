"""The reviewer's desk in the reader (issue 14, items 1 and 2): the claims list, delete, move,
edit and delete sources and comments, flags, assignment, read-only states, history in words,
the overlap warning, and no double submits."""

import pytest
from playwright.sync_api import expect

from annotations.models import Claim, Comment, Flag, Source, Verdict
from annotations.moderation import hide_content, retract_verdict
from annotations.services import approve_verdict, create_article, create_claim
from tests.factories import (
    SourceFactory,
    UserFactory,
    VerdictFactory,
    default_rating,
    published_claim,
)

from .conftest import drag_select, log_in, open_reader, screenshot, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY = (
    "The mayor said crime fell by 20 percent last year.\n"
    "Police figures show a smaller fall. Officials disagreed.\n"
    "The council promised 500 new homes by 2027."
)


@pytest.fixture
def article(transactional_db):
    article, _ = create_article(title="Crime and homes", body=BODY, language="en")
    return article


def mark(article, user, text: str, **fields) -> Claim:
    start = article.body.index(text)
    return create_claim(
        article=article, created_by=user, start=start, end=start + len(text), **fields
    )


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def test_claims_list_shows_every_claim_filters_by_state_and_opens_one(
    page, article, e2e_reviewer, e2e_editor
):
    first = mark(article, e2e_reviewer, "The mayor said crime fell by 20 percent last year.")
    second = mark(article, e2e_reviewer, "The council promised 500 new homes by 2027.")
    Claim.objects.filter(pk=second.pk).update(status=Claim.Status.REJECTED, assignee=e2e_editor)
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/")
    items = page.locator("#claims-list li[data-claim-item]")
    expect(items).to_have_count(2)
    expect(page.locator("#claims-count")).to_have_text("2")
    expect(items.nth(1)).to_contain_text("rejected")
    expect(items.nth(1)).to_contain_text("assigned to edna-editor")
    expect(items.nth(0)).to_contain_text("unassigned")

    page.get_by_label("Filter by state").select_option("rejected")
    expect(items).to_have_count(1)
    expect(page.locator("#claims-count")).to_have_text("1 of 2")
    page.get_by_label("Filter by state").select_option("")

    # Keyboard: Tab to the list, Enter opens the claim and marks it in the text.
    tab_to(page, f"li[data-claim-item='{first.pk}'] button")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("claim-status")).to_have_text("draft")
    expect(page.locator(f"mark.active[data-claim='{first.pk}']")).to_have_count(1)
    expect(page.locator(f"li[data-claim-item='{first.pk}'] button")).to_have_attribute(
        "aria-current", "true"
    )
    screenshot(page, "reader-claims-list")


def test_legend_names_every_state_rating_and_mark(page, article, e2e_reviewer):
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/")
    page.get_by_text("What the colours and lines mean").click()
    legend = page.locator(".legend-box")
    for words in ("draft", "submitted", "published", "rejected", "retracted", "False"):
        expect(legend).to_contain_text(words)
    for words in ("overlap", "open claim", "hidden", "check-worthy", "checked before"):
        expect(legend).to_contain_text(words)
    screenshot(page, "reader-legend")


def test_reviewer_deletes_own_draft_claim(page, article, e2e_reviewer):
    claim = mark(article, e2e_reviewer, "Officials disagreed.")
    accept_dialogs(page)
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/#claim-{claim.pk}")
    page.get_by_role("button", name="Delete claim").click()
    expect(page.locator(f"mark[data-claim='{claim.pk}']")).to_have_count(0)
    expect(page.locator("#claims-list")).to_contain_text("No claim marked yet.")
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_no_delete_button_on_someone_elses_claim_for_a_reviewer(page, article, e2e_reviewer):
    other = UserFactory(roles=["Reviewer"])
    claim = mark(article, other, "Officials disagreed.")
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/#claim-{claim.pk}")
    expect(page.get_by_test_id("claim-status")).to_have_text("draft")
    expect(page.get_by_role("button", name="Delete claim")).to_have_count(0)


def test_move_a_claim_to_a_new_selection(page, article, e2e_reviewer):
    claim = mark(article, e2e_reviewer, "The mayor said crime fell by 20 percent last year.")
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/#claim-{claim.pk}")
    expect(page.get_by_test_id("claim-status")).to_have_text("draft")
    sentence = page.locator(".sentence").first
    text = "crime fell by 20 percent"
    offset = BODY.index(text)
    drag_select(page, sentence, offset, offset + len(text))
    page.get_by_role("button", name=f"Move claim #{claim.pk} here").click()
    expect(page.get_by_test_id("claim-quote")).to_have_text(text)
    claim.refresh_from_db()
    assert (claim.start, claim.end) == (offset, offset + len(text))


def test_a_span_that_repeats_a_claim_is_warned_about(page, article, e2e_reviewer):
    existing = mark(article, e2e_reviewer, "Officials disagreed.")
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/")
    # The same sentence by keyboard: j moves to it.
    page.locator(".sentence").nth(2).click()
    expect(page.locator("#selection-warning")).to_contain_text(
        f"Claim #{existing.pk} already marks exactly this text."
    )
    page.locator(".sentence").nth(1).click()
    expect(page.locator("#selection-warning")).to_be_hidden()
    screenshot(page, "reader-overlap-warning")


def test_edit_and_delete_own_source_and_comment(page, article, e2e_reviewer):
    claim = mark(article, e2e_reviewer, "Officials disagreed.")
    source = SourceFactory(claim=claim, created_by=e2e_reviewer, title="Old title")
    Comment.objects.create(claim=claim, author=e2e_reviewer, body="First thought")
    accept_dialogs(page)
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/#claim-{claim.pk}")
    expect(page.get_by_test_id("claim-status")).to_have_text("draft")
    # The literal "null" an absent part used to leave (title, under "Add comment").
    expect(page.locator("#claim-panel")).not_to_contain_text("null")

    page.locator(f"li[data-source='{source.pk}']").get_by_role("button", name="Edit").click()
    page.get_by_label("Title").first.fill("New title")
    page.get_by_role("button", name="Save source").click()
    expect(page.locator("#sources-list")).to_contain_text("New title")
    source.refresh_from_db()
    assert source.title == "New title"

    comment = page.locator("#comments-list li").first
    comment.get_by_role("button", name="Edit").click()
    page.get_by_label("Your comment").fill("Second thought")
    page.get_by_role("button", name="Save comment").click()
    expect(page.locator("#comments-list")).to_contain_text("Second thought")
    assert Comment.objects.get(claim=claim).body == "Second thought"
    page.locator("#comments-list li").first.get_by_role("button", name="Delete").click()
    expect(page.locator("#comments-list li")).to_have_count(0)
    assert not Comment.objects.filter(claim=claim).exists()

    page.locator(f"li[data-source='{source.pk}']").get_by_role("button", name="Remove").click()
    expect(page.locator("#sources-list")).to_contain_text("No source yet")
    assert not Source.objects.filter(claim=claim).exists()


def test_flag_a_claim_source_and_comment(page, article, e2e_reviewer):
    other = UserFactory(roles=["Reviewer"])
    claim = mark(article, other, "Officials disagreed.")
    SourceFactory(claim=claim, created_by=other)
    Comment.objects.create(claim=claim, author=other, body="Spam spam")
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/#claim-{claim.pk}")
    for what in ("claim", "source", "comment"):
        page.get_by_role("button", name=f"Flag this {what}").click()
        form = page.get_by_role("form", name=f"Flag this {what}")
        form.get_by_label("Reason").select_option("duplicate")
        form.get_by_role("button", name="Send flag").click()
        expect(page.get_by_role("button", name=f"Flag this {what}")).to_have_count(0)
    expect(page.get_by_text("the moderators will look at it").first).to_be_visible()
    assert Flag.objects.filter(created_by=e2e_reviewer, reason="duplicate").count() == 3


def test_editor_assigns_a_claim_and_the_article(page, article, e2e_reviewer, e2e_editor):
    claim = mark(article, e2e_reviewer, "Officials disagreed.")
    log_in(page, "edna-editor")
    open_reader(page, f"/articles/{article.pk}/#claim-{claim.pk}")
    page.get_by_label("Assigned to", exact=True).select_option(label="rita-reviewer")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(f"li[data-claim-item='{claim.pk}']")).to_contain_text(
        "assigned to rita-reviewer"
    )
    page.get_by_label("Article assigned to").select_option(label="rita-reviewer")
    page.get_by_role("button", name="Assign article").click()
    expect(page.get_by_text("Assigned to rita-reviewer.")).to_be_visible()
    claim.refresh_from_db()
    article.refresh_from_db()
    assert claim.assignee == e2e_reviewer and article.assignee == e2e_reviewer


def test_read_only_states_retracted_with_its_note_and_hidden_for_moderators(page, transactional_db):
    moderator = UserFactory(username="mo-moderator", roles=["Moderator"], is_staff=True)
    claim = published_claim()
    retract_verdict(verdict=claim.published_verdict, moderator=moderator, note="Wrong figures.")
    hide_content(target=Claim.objects.get(pk=claim.pk), moderator=moderator, reason="Spam")
    log_in(page, "mo-moderator")
    open_reader(page, f"/articles/{claim.article_id}/#claim-{claim.pk}")
    expect(page.locator("#claim-retracted-note")).to_contain_text("Correction note: Wrong figures.")
    expect(page.get_by_test_id("claim-hidden")).to_be_visible()
    expect(page.locator("#claim-hidden-note")).to_contain_text("Hidden by a moderator")
    expect(page.locator("#claim-form button[type=submit]")).to_have_count(0)
    expect(page.locator("#source-form, #verdict-form, #comment-form")).to_have_count(0)
    expect(page.locator(f"mark.hidden-claim[data-claim='{claim.pk}']")).to_have_count(1)
    screenshot(page, "reader-retracted-hidden")


def test_history_and_verdicts_name_the_right_people_in_words(page, article, e2e_editor):
    author = UserFactory(username="rosa-reviewer", roles=["Reviewer"])
    claim = mark(article, author, "Officials disagreed.")
    SourceFactory(claim=claim, created_by=author)
    verdict = VerdictFactory(claim=claim, author=author, rating=default_rating())
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.SUBMITTED)
    approver = UserFactory(username="eddie", roles=["Editor"])
    approve_verdict(verdict=Verdict.objects.get(pk=verdict.pk), editor=approver)
    log_in(page, "edna-editor")
    open_reader(page, f"/articles/{article.pk}/#claim-{claim.pk}")
    people = page.locator(f"li[data-verdict='{verdict.pk}'] .verdict-people")
    expect(people).to_contain_text("Rated by rosa-reviewer")
    expect(people).to_contain_text("approved by eddie")
    history = page.locator("#history-list")
    expect(history).to_contain_text("Claim marked by rosa-reviewer")
    expect(history).to_contain_text("Verdict approved by eddie")
    expect(history).not_to_contain_text("claim.created")
    expect(page.locator("#claim-published-note")).to_contain_text("Published")
    screenshot(page, "reader-history-in-words")


def test_second_verdict_on_a_published_claim_is_approved_with_its_correction_note(page, e2e_editor):
    claim = published_claim()
    author = UserFactory(roles=["Reviewer"])
    VerdictFactory(claim=claim, author=author, rating=default_rating("mostly-false"))
    log_in(page, "edna-editor")
    open_reader(page, f"/articles/{claim.article_id}/#claim-{claim.pk}")
    page.get_by_role("button", name="Approve and publish the correction").click()
    expect(page.locator("[role=alert]:visible")).to_contain_text("correction note")
    page.get_by_label("Correction note (public: what changed and why)").fill("New data.")
    page.get_by_role("button", name="Approve and publish the correction").click()
    expect(page.locator("#claim-published-note")).to_contain_text("Correction")
    expect(page.locator("#claim-published-note")).to_contain_text("New data.")
    assert claim.corrections.get().note == "New data."


def test_double_click_on_add_source_makes_one_source(page, article, e2e_reviewer):
    claim = mark(article, e2e_reviewer, "Officials disagreed.")
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/#claim-{claim.pk}")
    page.get_by_label("Source address (URL)").fill("https://police.example.org/figures")
    with page.expect_request(lambda r: r.method == "POST" and "/sources/" in r.url) as sent:
        page.get_by_role("button", name="Add source").dblclick()
    assert len(sent.value.headers["idempotency-key"]) == 36  # a UUID on every POST
    expect(page.locator("#sources-list li[data-source]")).to_have_count(1)
    page.wait_for_timeout(500)  # a second request, had one been sent, would have landed by now
    assert Source.objects.filter(claim=claim).count() == 1


def test_double_click_on_save_claim_reports_no_conflict(page, article, e2e_reviewer):
    claim = mark(article, e2e_reviewer, "Officials disagreed.")
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/#claim-{claim.pk}")
    page.get_by_label("Claimant (who said it)").fill("The officials")
    page.get_by_role("button", name="Save claim").dblclick()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.locator("#claim-alert")).to_be_hidden()
    claim.refresh_from_db()
    assert claim.claimant == "The officials"


def test_keyboard_saves_a_claim_and_adds_a_comment(page, article, e2e_reviewer):
    claim = mark(article, e2e_reviewer, "Officials disagreed.")
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/#claim-{claim.pk}")
    tab_to(page, "#comment-body", limit=200)
    page.keyboard.type("Checked by keyboard")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#comments-list")).to_contain_text("Checked by keyboard")
    assert Comment.objects.filter(claim=claim, body="Checked by keyboard").count() == 1


HINT = (
    "Select text with the mouse, or move with j / k (shift+j / shift+k extends), then press c "
    "to mark a claim."
)


def test_the_selection_bar_starts_afresh_after_a_claim_is_marked_moved_or_deleted(
    page, article, e2e_reviewer
):
    existing = mark(article, e2e_reviewer, "The council promised 500 new homes by 2027.")
    accept_dialogs(page)
    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/")
    bar, warning = page.locator("#selection-text"), page.locator("#selection-warning")
    create = page.get_by_role("button", name="Mark as claim (c)")
    page.locator(".sentence").nth(3).click()  # the claimed sentence: the bar warns
    expect(bar).to_contain_text("Sentence 4:")
    expect(warning).to_contain_text(f"Claim #{existing.pk} already marks exactly this text.")
    # The click opened the claim's panel: let it load before dragging, as a reader would (the
    # panel arriving mid-drag restyles the text, and Chromium drops the drag selection).
    expect(page.get_by_test_id("claim-quote")).to_contain_text("The council promised")

    # Mark sentences 2–3 with the mouse: the bar goes back to its prompt, not to sentence 4.
    paragraph = page.locator(".paragraph").nth(1)
    drag_select(page, paragraph, 0, len("Police figures show a smaller fall. Officials disagreed."))
    expect(bar).to_contain_text("Selected: “Police figures show a smaller fall. Officials")
    create.click()
    expect(page.get_by_test_id("claim-quote")).to_contain_text("Police figures")
    new = Claim.objects.exclude(pk=existing.pk).get()
    expect(bar).to_have_text(HINT)
    expect(warning).to_be_hidden()
    expect(create).to_be_disabled()

    # Move it to a few words of sentence 1: the prompt again, no stale warning.
    page.locator(".sentence").nth(3).click()
    expect(warning).to_be_visible()
    page.locator("#claims-list .claim-link", has_text="Police figures").click()
    expect(page.get_by_test_id("claim-quote")).to_contain_text("Police figures")
    drag_select(page, page.locator(".sentence").first, 0, len("The mayor said"))
    page.get_by_role("button", name=f"Move claim #{new.pk} here").click()
    expect(page.get_by_test_id("claim-quote")).to_have_text("The mayor said")
    expect(bar).to_have_text(HINT)
    expect(warning).to_be_hidden()

    # Pick its sentence, then delete the claim: the bar forgets the selection too.
    page.locator(".sentence").first.click(position={"x": 300, "y": 5})
    expect(bar).to_contain_text("Sentence 1:")
    page.get_by_role("button", name="Delete claim").click()
    expect(page.locator(f"mark[data-claim='{new.pk}']")).to_have_count(0)
    expect(bar).to_have_text(HINT)
    expect(warning).to_be_hidden()
