"""Every desk and public page fits a 360 px phone in English and Spanish: no sideways scroll of
the page (a wide table scrolls inside its own box, the header's nav wraps)."""

import pytest
from playwright.sync_api import Page, expect

from annotations import scoring
from annotations.models import ExportJob, ImportJob
from annotations.services import create_article
from tests.factories import ClaimFactory, UserFactory, published_claim

from .conftest import PASSWORD, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
LOCALES = {"en": "en-US", "es": "es-ES"}
BODY = (
    "Budget vote in the city council\n"
    "The plan totals $412 million, 9 percent more than last year.\n"
    "The mayor said crime fell by 12 percent since 2019.\n"
    "Rents rose by 8 percent in June, according to official figures."
)


def _sign_in(page: Page, username: str) -> None:
    # By the form's names: the labels are in the browser's language.
    page.goto("/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("username")).to_have_text(username)


def _overflow(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def _too_wide(page: Page, name: str, path: str, language: str) -> str | None:
    page.goto(path)
    page.wait_for_load_state("networkidle")  # the job pages fill their tables from the API
    expect(page.locator("html")).to_have_attribute("lang", language)
    screenshot(page, f"narrow-{name}-{language}")
    width = _overflow(page)
    return f"{name} ({language}, {path}): {width} px wide" if width > PHONE["width"] else None


@pytest.fixture
def desk(transactional_db):
    reviewer = UserFactory(username="rita-reviewer", roles=["Reviewer"])
    editor = UserFactory(username="edna-editor", roles=["Editor"], is_staff=True)
    UserFactory(username="moe-moderator", roles=["Moderator"])
    article, _ = create_article(title="Budget vote in the city council", body=BODY)
    article.assignee = editor
    article.save(update_fields=["assignee"])
    scoring.score_articles(article_ids=[article.pk])
    ClaimFactory(article=article, created_by=reviewer, assignee=reviewer)
    public = published_claim()
    for status in (ImportJob.Status.FAILED, ImportJob.Status.SUCCEEDED, ImportJob.Status.RUNNING):
        ImportJob.objects.create(
            created_by=reviewer,
            format="urls",
            original_name="pasted web addresses of the city council.txt",
            status=status,
        )
        ImportJob.objects.create(
            created_by=editor, format="jsonl", original_name="newsroom.jsonl", status=status
        )
    ExportJob.objects.create(
        created_by=editor,
        format="claimreview",
        filters={"language": "en", "publisher": "Example News"},
        status=ExportJob.Status.SUCCEEDED,
    )
    return {"article": article.pk, "public": public.pk}


def test_every_page_fits_a_360_px_screen_in_both_languages(browser, live_server, desk):
    pages_by_user = {
        None: {
            "login": "/login/",
            "public-index": "/fact-checks/",
            "public-claim": f"/claims/{desk['public']}/",
            "ratings": "/ratings/",
        },
        "rita-reviewer": {"my-work-reviewer": "/", "import-reviewer": "/import/"},
        "edna-editor": {
            "my-work-editor": "/",
            "reader": f"/articles/{desk['article']}/",
            "import": "/import/",
            "export": "/export/",
            "triage": "/triage/",
        },
        "moe-moderator": {
            "my-work-moderator": "/",
            "reader-moderator": f"/articles/{desk['article']}/",
            "export-moderator": "/export/",
            "triage-moderator": "/triage/",
        },
    }
    too_wide = []
    for language, locale in LOCALES.items():
        for username, pages in pages_by_user.items():
            context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale=locale)
            try:
                page = context.new_page()
                if username:
                    _sign_in(page, username)
                for name, path in pages.items():
                    problem = _too_wide(page, name, path, language)
                    if problem:
                        too_wide.append(problem)
            finally:
                context.close()
    assert not too_wide, "pages wider than 360 px:\n" + "\n".join(too_wide)
