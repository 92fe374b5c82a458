"""The other pages: login (wrong password, role shown), My work filters, Export with download."""

import json
import re

import pytest
from playwright.sync_api import expect

from annotations.models import ImportJob
from tests.factories import ArticleFactory, UserFactory, published_claim

from .conftest import PASSWORD, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_refuses_a_wrong_password_in_plain_words(page, e2e_reviewer):
    page.goto("/")  # not logged in: the UI's own login page, not the admin's
    expect(page).to_have_url(f"{page.url.split('/login/')[0]}/login/?next=/")
    page.get_by_label("Username").fill("rita-reviewer")
    page.get_by_label("Password").fill(PASSWORD + "-wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")
    screenshot(page, "login")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("role")).to_have_text("Reviewer")


def test_my_work_searches_articles(page, e2e_reviewer):
    ArticleFactory(title="Budget cuts announced", assignee=e2e_reviewer)
    ArticleFactory(title="Floods in the north", body="Rivers burst their banks overnight.")
    log_in(page, "rita-reviewer")
    expect(page.get_by_test_id("count-assigned")).to_have_text("1")
    page.get_by_label("Search", exact=True).fill("rivers")  # a word of the body only
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.articles tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Floods in the north")


def test_export_page_runs_a_job_and_downloads_the_file(
    page, live_server, celery_worker, e2e_editor
):
    claim = published_claim()
    log_in(page, "edna-editor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Export").click()
    page.get_by_label("Format").select_option("jsonl")
    page.get_by_label("Language").fill("en")
    page.get_by_role("button", name="Start export").click()
    expect(page.locator("#export-status")).to_have_attribute(
        "data-status", "succeeded", timeout=30_000
    )
    expect(page.locator("#export-count")).to_have_text("1 claim exported.")
    screenshot(page, "export-finished")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the file").click()
    lines = download.value.path().read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [claim.pk]


def test_job_forms_cannot_be_sent_before_their_script_runs(page, e2e_editor):
    """A click before the page's module ran would submit the form natively, as a GET of the page
    (the import then silently never starts): the buttons wait, disabled, for the module."""
    published_claim()  # something to export: with nothing, "Start export" stays off
    log_in(page, "edna-editor")
    buttons = {"/import/": ["Upload and import", "Fetch and import"], "/export/": ["Start export"]}
    page.route(
        re.compile(r"/(import|export)\.js$"),
        lambda route: route.fulfill(body="", content_type="text/javascript"),
    )
    for path, names in buttons.items():
        page.goto(path)
        for name in names:
            expect(page.get_by_role("button", name=name)).to_be_disabled()
    page.unroute_all()
    for path, names in buttons.items():
        page.goto(path)
        for name in names:
            expect(page.get_by_role("button", name=name)).to_be_enabled()


def test_import_page_lists_recent_imports_and_follows_one(page, e2e_reviewer):
    done = ImportJob.objects.create(
        created_by=e2e_reviewer,
        format="jsonl",
        original_name="monday.jsonl",
        status=ImportJob.Status.SUCCEEDED,
        total=4,
        created=2,
        updated=1,
        duplicates=1,
    )
    ImportJob.objects.create(
        created_by=e2e_reviewer, format="urls", status=ImportJob.Status.FAILED, failed=1
    )
    ImportJob.objects.create(created_by=None, original_name="someone-elses.jsonl")
    log_in(page, "rita-reviewer")
    page.goto("/import/")
    rows = page.locator("#import-history-body tr")
    expect(rows).to_have_count(2)  # a reviewer's own imports, newest first
    expect(rows.nth(0)).to_contain_text("Web addresses")
    expect(rows.nth(0)).to_contain_text("Failed")
    expect(rows.nth(1)).to_contain_text("monday.jsonl")
    expect(rows.nth(1)).to_contain_text("Done")
    screenshot(page, "import-history")
    rows.nth(1).get_by_role("link", name=f"#{done.pk}").click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#job-created")).to_have_text("2")
    expect(page.locator("#job-updated")).to_have_text("1")  # a stored URL's new text
    expect(page.locator("#job-duplicates")).to_have_text("1")
    expect(page).to_have_url(re.compile(rf"#job-{done.pk}$"))


def test_a_user_without_a_role_gets_the_no_role_page_everywhere(page, transactional_db):
    ArticleFactory(title="Unpublished investigation")
    UserFactory(username="newcomer", is_staff=True)  # staff status alone is no role
    log_in(page, "newcomer")
    for path in ("/", "/import/", "/export/"):
        response = page.goto(path)
        assert response.status == 403
        expect(page.get_by_role("heading", name="No role yet")).to_be_visible()
        expect(page.get_by_role("alert")).to_have_text(
            "You have no role yet — ask an editor for one."
        )
        expect(page.get_by_test_id("role")).to_have_text("no role")
        assert "Unpublished investigation" not in page.content()
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    screenshot(page, "no-role")
