"""Every action by keyboard alone, and focus always visible (issue 14, item 7).

No mouse here: page.keyboard only (Tab, Enter, arrows, letters), with `tab_to` walking the tab
order as a person would. test_review_path.py takes the import-first path by keyboard; these take
the desk's other doors: My work, the claims list, flags, edit and cancel, Escape, dialogs,
assignment and paging.
"""

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Claim, Flag, ImportJob, Verdict
from annotations.services import create_article, create_claim
from tests.factories import SourceFactory, UserFactory

from .conftest import log_in, log_out, screenshot, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY = (
    "The mayor said crime fell by 20 percent last year.\n"
    "Police figures show a smaller fall. Officials disagreed.\n"
    "The council promised 500 new homes by 2027."
)
EXPLANATION = "Police figures show a fall of 6 percent, not 20: the mayor's figure is wrong."


@pytest.fixture
def article(e2e_reviewer):
    article, _ = create_article(title="Crime and homes", body=BODY, language="en")
    article.assignee = e2e_reviewer
    article.save(update_fields=["assignee"])
    return article


def focused(page: Page, selector: str) -> None:
    expect(page.locator(selector)).to_be_focused()


def test_from_my_work_to_a_published_verdict_by_keyboard(page, article, e2e_reviewer, e2e_editor):
    log_in(page, "rita-reviewer", keyboard=True)
    tab_to(page, "#assigned a")
    page.keyboard.press("Enter")
    expect(page.locator("main[data-ready=true]")).to_be_attached()

    # Sentences by arrow keys: Tab enters the text once, ↓ moves, shift+↓ extends.
    tab_to(page, ".sentence[tabindex='0']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    expect(page.locator(".sentence.in-range")).to_have_count(2)
    expect(page.locator("#selection-text")).to_contain_text("Sentences 2–3")
    page.keyboard.press("c")
    expect(page.get_by_test_id("claim-status")).to_have_text("draft")
    focused(page, "#panel-title")  # the new claim's panel has focus
    claim = Claim.objects.get()
    assert claim.quote_exact == "Police figures show a smaller fall. Officials disagreed."

    tab_to(page, "#source-url")
    page.keyboard.type("https://police.example.org/figures-2025")
    page.keyboard.press("Tab")
    page.keyboard.type("Recorded crime 2025")
    tab_to(page, "#source-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#sources-list")).to_contain_text("Recorded crime 2025")

    page.keyboard.press("5")  # the fifth rating of the scale: False
    expect(page.locator("input[name=rating]").nth(4)).to_be_checked()
    tab_to(page, "#verdict-explanation")
    page.keyboard.type(EXPLANATION)
    tab_to(page, "#verdict-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("claim-status")).to_have_text("submitted")
    tab_to(page, ".site-header button.link-button")  # Log out
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    log_in(page, "edna-editor", keyboard=True)
    tab_to(page, f"#awaiting-approval a[href$='#claim-{claim.pk}']")
    page.keyboard.press("Enter")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    tab_to(page, "#verdicts-list button.primary")  # Approve and publish
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("claim-status")).to_have_text("published")
    assert Verdict.objects.get().status == Verdict.Status.APPROVED


def test_panel_dialog_flag_cancel_and_escape_by_keyboard(page, article, e2e_reviewer):
    other = UserFactory(username="oscar-reviewer", roles=["Reviewer"])
    start = BODY.index("The council promised")
    theirs = create_claim(article=article, created_by=other, start=start, end=len(BODY))
    mine = create_claim(article=article, created_by=e2e_reviewer, start=0, end=BODY.index("\n"))
    SourceFactory(claim=mine, created_by=e2e_reviewer, title="Crime statistics")
    log_in(page, "rita-reviewer", keyboard=True)
    page.goto(f"/articles/{article.pk}/")
    expect(page.locator("main[data-ready=true]")).to_be_attached()

    # The shortcuts dialog: focus goes in, Escape closes it, focus comes back where it was.
    tab_to(page, ".sentence[tabindex='0']")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    focused(page, ".sentence[data-index='0']")

    # A claim opened from the claims list: focus moves to the panel.
    tab_to(page, f"#claims-list [data-claim-item='{theirs.pk}'] button")
    page.keyboard.press("Enter")
    expect(page.locator("#panel-title")).to_contain_text(f"Claim #{theirs.pk}")
    focused(page, "#panel-title")

    # Flag it: the form opens on its first field, Escape closes it back to its button.
    tab_to(page, ".claim-actions .flag-open")
    page.keyboard.press("Enter")
    focused(page, ".claim-actions .flag-form select")
    page.keyboard.press("Escape")
    expect(page.locator(".claim-actions .flag-form")).to_be_hidden()
    focused(page, ".claim-actions .flag-open")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")  # the next reason
    tab_to(page, ".claim-actions .flag-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".claim-actions [role=status]")).to_be_focused()
    expect(page.locator(".claim-actions [role=status]")).to_contain_text("Thank you")
    assert Flag.objects.filter(object_id=theirs.pk).count() == 1

    # Escape from the panel: the claim closes and focus is back on its sentence in the text.
    page.keyboard.press("Escape")
    expect(page.locator("#panel-claim")).to_be_hidden()
    focused(page, ".sentence[data-index='3']")

    # Enter on a sentence with a claim opens it; edit a source, cancel: focus stays in place.
    for _ in range(3):
        page.keyboard.press("ArrowUp")
    focused(page, ".sentence[data-index='0']")
    page.keyboard.press("Enter")
    expect(page.locator("#panel-title")).to_contain_text(f"Claim #{mine.pk}")
    tab_to(page, "#sources-list .edit-source")
    page.keyboard.press("Enter")
    expect(page.locator("#sources-list .edit-source-form input").first).to_be_focused()
    tab_to(page, "#sources-list .edit-source-form button[type=button]")  # Cancel
    page.keyboard.press("Enter")
    expect(page.locator("#sources-list .edit-source-form")).to_have_count(0)
    focused(page, "#sources-list .edit-source")
    screenshot(page, "keyboard-reader-panel")


def test_editor_assigns_by_keyboard(page, article, e2e_reviewer, e2e_editor):
    claim = create_claim(article=article, created_by=e2e_reviewer, start=0, end=BODY.index("\n"))
    log_in(page, "edna-editor", keyboard=True)
    page.goto(f"/articles/{article.pk}/#claim-{claim.pk}")
    expect(page.locator("#panel-claim [data-testid=claim-quote]")).to_be_visible()
    tab_to(page, "#claim-assignee")
    page.keyboard.press("ArrowDown")  # Nobody -> the first assignee
    tab_to(page, "#assign-claim")
    page.keyboard.press("Enter")
    expect(page.locator("#panel-claim")).to_contain_text("assigned to")
    claim.refresh_from_db()
    assert claim.assignee is not None

    tab_to(page, "#article-assignee")
    page.keyboard.press("Home")  # Nobody
    tab_to(page, "#assign-article")
    page.keyboard.press("Enter")
    expect(page.locator("#article-assign [role=status]")).to_have_text("Unassigned.")
    article.refresh_from_db()
    assert article.assignee is None


def test_past_imports_page_by_keyboard(page, e2e_reviewer):
    for n in range(12):
        ImportJob.objects.create(
            created_by=e2e_reviewer, format="jsonl", original_name=f"day-{n:02}.jsonl"
        )
    log_in(page, "rita-reviewer", keyboard=True)
    tab_to(page, "a[href='/import/']")
    page.keyboard.press("Enter")
    rows = page.locator("#import-history-body tr")
    expect(rows).to_have_count(10)
    tab_to(page, "#import-history-pager [data-page=older]")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    # "Older" is gone on the last page: focus moved to "Newer", not to the top of the page.
    focused(page, "#import-history-pager [data-page=newer]")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(10)
    focused(page, "#import-history-pager [data-page=older]")


OUTLINE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {tag: el.tagName, text: (el.textContent || el.name || "").trim().slice(0, 30),
            style: style.outlineStyle, width: parseFloat(style.outlineWidth),
            colour: style.outlineColor};
}"""


@pytest.mark.parametrize("path", ["/", "/fact-checks/", "/claims/424242/"])
def test_skip_link_first_and_focus_always_visible(page, e2e_reviewer, path):
    """The first Tab lands on "Skip to content"; every control Tab reaches after it shows an
    outline of at least 2 px (computed style)."""
    log_in(page, "rita-reviewer")
    page.goto(path)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    seen = []
    for _ in range(12):
        ring = page.evaluate(OUTLINE)
        if ring["tag"] == "BODY":
            break  # past the last control
        seen.append(ring)
        assert ring["style"] != "none" and ring["width"] >= 2, f"no visible focus on {ring}"
        page.keyboard.press("Tab")
    assert len({(r["tag"], r["text"]) for r in seen}) >= 5, seen  # it really moved
    page.goto(path)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link: focus to the main content
    expect(page.locator("main#main")).to_be_focused()
    screenshot(page, f"keyboard-focus{path.replace('/', '-').rstrip('-')}")


def test_focus_ring_is_white_on_the_dark_header(page, e2e_reviewer):
    log_in(page, "rita-reviewer")
    tab_to(page, ".site-header nav a")
    assert page.evaluate(OUTLINE)["colour"] == "rgb(255, 255, 255)"
    tab_to(page, "#f-q")
    assert page.evaluate(OUTLINE)["colour"] == "rgb(194, 65, 12)"  # --focus, 5.2:1 on white
    log_out(page)


def test_switch_language_by_keyboard(page, e2e_reviewer):
    log_in(page, "rita-reviewer", keyboard=True)
    tab_to(page, "#language-select")
    page.keyboard.press("ArrowDown")  # English -> Español
    tab_to(page, ".language-switcher button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    tab_to(page, "#language-select")
    page.keyboard.press("ArrowUp")
    tab_to(page, ".language-switcher button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
