"""The ES modules in Spanish (issue 14, item 6): a browser whose language is Spanish gets the
catalogue, and the reader, the import and the export pages speak Spanish, with Spanish dates and
numbers; no console error (a CSP refusal of the catalogue would be one)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Claim, ImportJob, Verdict
from annotations.services import approve_verdict, create_article, create_claim
from tests.factories import SourceFactory, UserFactory, VerdictFactory, default_rating

from .conftest import PASSWORD, VIEWPORT, BrowserProblems, open_reader, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO = Path(__file__).resolve().parents[2] / "annotations/demo_data/spain-probe-article.txt"
# "2 dic 14:02" or "2 dic 2025 14:02": Spanish month abbreviations, as Intl writes them.
MONTH = r"(?:ene|feb|mar|abr|may|jun|jul|ago|sept?|oct|nov|dic)"
SPANISH_DATE = rf"\d{{1,2}} {MONTH}(?: \d{{4}})? \d{{2}}:\d{{2}}"


@pytest.fixture
def spanish_page(browser, live_server):
    """A fresh context whose browser language is Spanish (Accept-Language: es-ES)."""
    problems = BrowserProblems()
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="es-ES")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", problems.on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    yield page
    context.close()
    assert problems == [], f"the browser reported errors: {problems}"


def log_in(page: Page, username: str) -> None:
    """The login form by its fields' names: its labels are Spanish once the templates are."""
    page.goto("/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("username")).to_have_text(username)


@pytest.fixture
def article(transactional_db):
    article, _ = create_article(title="Spain probes X, Meta, TikTok", body=DEMO.read_text())
    return article


def published_by_eddie(article) -> tuple[Claim, Verdict]:
    """A claim rosa marked and rated, published by eddie's approval."""
    author = UserFactory(username="rosa-reviewer", roles=["Reviewer"])
    text = "X and TikTok were also approached for comment."
    start = article.body.index(text)
    claim = create_claim(article=article, created_by=author, start=start, end=start + len(text))
    SourceFactory(claim=claim, created_by=author)
    verdict = VerdictFactory(claim=claim, author=author, rating=default_rating())
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.SUBMITTED)
    approver = UserFactory(username="eddie", roles=["Editor"])
    approve_verdict(verdict=Verdict.objects.get(pk=verdict.pk), editor=approver)
    return claim, verdict


def test_the_reader_speaks_spanish_to_a_spanish_browser(spanish_page, article, e2e_editor):
    page = spanish_page
    published, verdict = published_by_eddie(article)
    log_in(page, "edna-editor")
    open_reader(page, f"/articles/{article.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")

    # The claims list, from claimlist.js: state words and the filter's first option.
    item = page.locator(f"li[data-claim-item='{published.pk}']")
    expect(item).to_contain_text("publicada")
    expect(item).to_contain_text("sin asignar")
    expect(page.locator("#claims-filter option").first).to_have_text("Todos los estados")

    # Mark a claim with the keyboard: the panel, its buttons and sections are Spanish.
    page.locator(".sentence", has_text="Spain plans a criminal probe").click()
    page.keyboard.press("c")
    expect(page.get_by_test_id("claim-status")).to_have_text("borrador")
    expect(page.locator("#panel-title")).to_contain_text("Afirmación n.º")
    expect(page.get_by_role("button", name="Eliminar la afirmación")).to_be_visible()
    expect(page.get_by_role("button", name="Guardar la afirmación")).to_be_visible()
    expect(page.locator("#sources-h")).to_have_text("Fuentes (0)")
    expect(page.locator("#sources-list")).to_contain_text("Aún no hay fuentes")
    expect(page.get_by_role("button", name="Enviar el veredicto")).to_be_visible()
    expect(page.get_by_role("button", name="Señalar esta afirmación")).to_have_count(0)  # my own
    history = page.locator("#history-list")
    expect(history).to_contain_text(
        re.compile(rf"Afirmación marcada por edna-editor, {SPANISH_DATE}")
    )
    expect(page.locator("#selection-text")).to_contain_text("Oración")
    screenshot(page, "es-reader-new-claim")

    # The published claim: who rated and who approved, with Spanish dates, and its history.
    page.locator(f"li[data-claim-item='{published.pk}'] button").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("publicada")
    people = page.locator(f"li[data-verdict='{verdict.pk}'] .verdict-people")
    expect(people).to_contain_text(re.compile(rf"Calificado por rosa-reviewer, {SPANISH_DATE}"))
    expect(people).to_contain_text(re.compile(rf"aprobado por eddie, {SPANISH_DATE}"))
    expect(page.locator(f"li[data-verdict='{verdict.pk}'] .badge")).to_have_text("aprobado")
    expect(page.locator("#claim-published-note")).to_contain_text("Publicada")
    expect(history).to_contain_text(re.compile(rf"Veredicto aprobado por eddie, {SPANISH_DATE}"))
    expect(page.get_by_role("button", name="Señalar esta afirmación")).to_be_visible()
    screenshot(page, "es-reader-published-claim")


def test_import_and_export_pages_speak_spanish(spanish_page, article, e2e_reviewer):
    page = spanish_page
    published_by_eddie(article)
    failed = ImportJob.objects.create(
        created_by=e2e_reviewer,
        format="jsonl",
        original_name="broken.jsonl",
        status=ImportJob.Status.FAILED,
        total=12345,
        failed=12345,
        errors=[{"file": "broken.jsonl", "line": 1, "message": "Not a JSON file."}],
    )
    log_in(page, "rita-reviewer")

    page.goto(f"/import/#job-{failed.pk}")
    row = page.locator(f"tr[data-job='{failed.pk}']")
    expect(row.locator(".badge")).to_have_text("Fallido")
    expect(row).to_contain_text(re.compile(SPANISH_DATE))
    expect(row.locator("td.number").nth(2)).to_have_text("12.345")
    expect(page.locator("#job-status")).to_have_text("La importación falló: Not a JSON file.")
    expect(page.locator("#job-errors-body td").first).to_have_text("broken.jsonl, línea 1")
    # The box's own check, before anything is sent.
    page.locator("#import-urls").fill("ftp://example.org/x")
    page.locator("#import-urls-form button[type=submit]").click()
    expect(page.locator("#import-error")).to_contain_text(
        "Línea 1: «ftp://example.org/x» no es una dirección web"
    )
    screenshot(page, "es-import")

    page.goto("/export/")
    expect(page.locator("#export-match-count")).to_have_text("1 afirmación publicada coincide.")
    page.locator("#export-publisher").fill("nobody publishes this")
    expect(page.locator("#export-match-count")).to_have_text(
        "Nada coincide con estos filtros: no hay nada que exportar."
    )
    screenshot(page, "es-export")
