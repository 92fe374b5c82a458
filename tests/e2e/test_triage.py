"""The reader's check-worthiness: a quiet marker per sentence, and `n` down the ranking."""

import pytest
from playwright.sync_api import expect

from annotations import scoring
from annotations.services import create_article

from .conftest import log_in, open_reader, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY = (
    "Budget vote\n"
    "The plan totals $412 million, 9 percent more than last year.\n"
    "Some residents were unhappy.\n"
    "The mayor said crime fell by 12 percent since 2019.\n"
    "Will taxes rise?\n"
    "Rents rose by 8 percent in June, according to official figures."
)


def test_reader_marks_check_worthy_sentences_and_n_walks_them_best_first(page, e2e_reviewer):
    article, _ = create_article(title="Budget vote", body=BODY)
    scoring.score_articles(article_ids=[article.pk])  # what the worker does after the commit
    worthy = sorted(
        (s for s in article.sentences.all() if s.checkworthiness >= 0.5),
        key=lambda s: (-s.checkworthiness, s.position),
    )
    assert len(worthy) == 3
    ranked = [s.text for s in worthy]

    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/")
    marked = page.locator(".sentence.checkworthy")
    expect(marked).to_have_count(3)
    for sentence in worthy:
        expect(page.locator(f"#s-{sentence.pk}")).to_have_class("sentence checkworthy")
        expect(page.locator(f"#s-{sentence.pk}")).to_have_attribute(
            "title",
            f"Check-worthiness {sentence.checkworthiness:.2f}, "
            + str(sentence.get_claim_type_display()),  # the type in words, as the model says it
        )
    expect(page.locator(".sentence", has_text="Will taxes rise?")).not_to_have_class(
        "sentence checkworthy"
    )

    current = page.locator(".sentence[aria-current=true]")
    for expected in [*ranked, ranked[0]]:  # best first, then round again
        page.keyboard.press("n")
        expect(current).to_have_text(expected)
    screenshot(page, "reader-checkworthy")

    page.keyboard.press("c")  # mark the best one: it leaves the walk
    expect(page.get_by_test_id("claim-status")).to_have_text("draft")
    expect(page.locator("mark.claim")).to_have_text(ranked[0])
    page.keyboard.press("n")
    expect(current).to_have_text(ranked[1])
    page.keyboard.press("n")
    expect(current).to_have_text(ranked[2])
    page.keyboard.press("n")
    expect(current).to_have_text(ranked[1])


def test_n_says_so_when_nothing_is_left_to_check(page, e2e_reviewer):
    article, _ = create_article(title="Quiet", body="Quiet day\nNothing happened.\nWhy?")
    scoring.score_articles(article_ids=[article.pk])

    log_in(page, "rita-reviewer")
    open_reader(page, f"/articles/{article.pk}/")
    expect(page.locator(".sentence.checkworthy")).to_have_count(0)
    page.keyboard.press("n")
    expect(page.locator("#reader-error")).to_have_text(
        "No unmarked sentence is left that scores as check-worthy."
    )


def test_my_work_lists_assigned_articles_most_check_worthy_first(page, e2e_reviewer):
    dull, _ = create_article(title="Dull", body="Dull day\nNothing happened at all today.")
    sharp, _ = create_article(title="Sharp", body="Sharp\nRents rose by 8 percent, figures show.")
    unscored, _ = create_article(title="Unscored", body="Unscored\nA new article.")
    scoring.score_articles(article_ids=[dull.pk, sharp.pk])
    for article in (dull, sharp, unscored):
        article.assignee = e2e_reviewer
        article.save(update_fields=["assignee"])
    top = max(s.checkworthiness for s in sharp.sentences.all())

    log_in(page, "rita-reviewer")
    assigned = page.locator("#assigned li")
    expect(assigned).to_have_count(3)
    expect(assigned.nth(0)).to_contain_text("Sharp")
    expect(assigned.nth(0).get_by_test_id("top-checkworthiness")).to_have_text(f"top {top:.2f}")
    expect(assigned.nth(1)).to_contain_text("Dull")
    expect(assigned.nth(2)).to_contain_text("Unscored")  # not scored yet: last, without a score
    expect(assigned.nth(2).get_by_test_id("top-checkworthiness")).to_have_count(0)
