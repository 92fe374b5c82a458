"""Spanish in Chromium: a Spanish browser gets Spanish pages, the header's switcher changes the
language (a plain form, so it works with or without the page's scripts) and back; and a
screenshot of every page in both languages (test-artifacts/lang-<page>-<language>.png)."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import ArticleFactory, ClaimFactory, published_claim

from .conftest import VIEWPORT, log_in, open_reader, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_switching_language_on_my_work_and_back(page, e2e_editor):
    ArticleFactory(title="Budget day", assignee=e2e_editor)
    log_in(page, "edna-editor")
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Show pages in").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="Mi trabajo", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))  # back where the switch was made
    expect(page.get_by_role("link", name="Importar")).to_be_visible()
    expect(page.get_by_test_id("role")).to_have_text("Editor")
    expect(page.get_by_label("Mostrar las páginas en")).to_have_value("es")
    screenshot(page, "lang-switch-es")

    # The cookie holds: another page is Spanish too.
    page.get_by_role("link", name="Exportar").click()
    expect(page.get_by_role("heading", name="Exportar afirmaciones verificadas")).to_be_visible()

    page.get_by_label("Mostrar las páginas en").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.get_by_role("heading", name="Export verified claims")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_spanish_browser_gets_spanish(browser, live_server, transactional_db):
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="es-ES")
    try:
        page = context.new_page()
        page.goto("/login/")
        expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "es")
    finally:
        context.close()


LANGUAGES = {"en": "Show pages in", "es": "Mostrar las páginas en"}


def test_screenshots_of_every_page_in_both_languages(page, e2e_editor):
    article = ArticleFactory(title="Budget day", assignee=e2e_editor)
    ClaimFactory(article=article, created_by=e2e_editor, assignee=e2e_editor)
    public = published_claim()
    pages = {
        "my-work": "/",
        "import": "/import/",
        "export": "/export/",
        "triage": "/triage/",
        "public-index": "/fact-checks/",
        "public-claim": f"/claims/{public.pk}/",
        "ratings": "/ratings/",
        "not-found": "/no-such-page/",
    }
    log_in(page, "edna-editor")
    for language, label in LANGUAGES.items():
        if language == "es":  # English first (the default), then through the switcher
            page.goto("/")
            page.get_by_label("Show pages in").select_option("es")
            page.get_by_role("button", name="Change").click()
            expect(page.locator("html")).to_have_attribute("lang", "es")
        for name, path in pages.items():
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            screenshot(page, f"lang-{name}-{language}")
        open_reader(page, f"/articles/{article.pk}/")
        expect(page.get_by_label(label)).to_be_visible()
        screenshot(page, f"lang-reader-{language}")
    # Signed out: the login page, in the language the cookie still says.
    page.context.clear_cookies()
    for language in LANGUAGES:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
        page.goto("/login/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        screenshot(page, f"lang-login-{language}")
