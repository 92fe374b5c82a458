"""Import and export pages in the browser: past jobs paged with their state in colour and words,
cancel only while it can, a failed bar, line-numbered URL errors, and the matching claims counted
before an export ("nothing matches" instead of an empty file)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from annotations.models import AuditEvent, ExportJob, ImportJob
from tests.factories import ArticleFactory, UserFactory, published_claim

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _bar_colour(page, selector: str) -> str:
    return page.locator(selector).evaluate("(bar) => getComputedStyle(bar).accentColor")


def test_url_box_checks_every_line_and_the_job_names_the_failing_line(
    page, live_server, celery_worker, e2e_reviewer
):
    log_in(page, "rita-reviewer")
    page.goto("/import/")
    box = page.get_by_label("Web addresses, one per line")
    box.fill(f"{live_server.url}/ratings/\n\nnot a url\nftp://example.org/x\n# a comment")
    page.get_by_role("button", name="Fetch and import").click()
    alert = page.locator("#import-error")
    expect(alert).to_contain_text("Line 3: put one web address on each line")
    expect(alert).to_contain_text("Line 4: “ftp://example.org/x” is not a web address")
    screenshot(page, "import-url-lines")
    assert not ImportJob.objects.exists()  # checked before anything started

    # Line 3 cannot be fetched (nothing listens on port 9): the job's report names line 3.
    box.fill(f"{live_server.url}/ratings/\n\nhttp://127.0.0.1:9/gone")
    page.get_by_role("button", name="Fetch and import").click()
    status = page.locator("#job-status")
    expect(status).to_have_attribute("data-status", "partial", timeout=30_000)
    expect(page.locator("#job-errors-body tr")).to_have_count(1)
    expect(page.locator("#job-errors-body tr td").first).to_have_text("line 3")
    expect(page.locator("#job-state")).to_have_text("Done, with errors")
    # Cancel is offered only while the job can be cancelled (a CSS rule once overrode `hidden`).
    expect(page.get_by_role("button", name="Cancel this import")).to_be_hidden()
    job = ImportJob.objects.get()
    assert job.original_name == "pasted web addresses.txt"


def test_a_failed_import_shows_a_failed_bar_and_cancel_only_while_it_runs(page, e2e_reviewer):
    failed = ImportJob.objects.create(
        created_by=e2e_reviewer,
        format="jsonl",
        original_name="broken.jsonl",
        status=ImportJob.Status.FAILED,
        errors=[{"file": "broken.jsonl", "message": "Not a JSON file."}],
    )
    waiting = ImportJob.objects.create(
        created_by=e2e_reviewer, format="jsonl", original_name="later.jsonl"
    )
    log_in(page, "rita-reviewer")
    page.goto(f"/import/#job-{failed.pk}")
    expect(page.locator("#job-status")).to_have_text("The import failed: Not a JSON file.")
    expect(page.locator("#job-state")).to_have_text("Failed")
    assert _bar_colour(page, "#job-progress") == "rgb(164, 22, 26)"  # --danger, not the blue
    expect(page.get_by_role("button", name="Cancel this import")).to_be_hidden()
    screenshot(page, "import-failed")

    page.locator(f"#import-history-body a[href='#job-{waiting.pk}']").click()
    cancel = page.get_by_role("button", name="Cancel this import")
    expect(cancel).to_be_visible()
    cancel.click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "cancelled")
    expect(cancel).to_be_hidden()
    waiting.refresh_from_db()
    assert waiting.status == ImportJob.Status.CANCELLED


def test_past_imports_are_paged_newest_first_with_state_in_words(page, e2e_reviewer):
    for n in range(12):
        ImportJob.objects.create(
            created_by=e2e_reviewer,
            format="jsonl",
            original_name=f"day-{n:02}.jsonl",
            status=ImportJob.Status.SUCCEEDED if n % 2 else ImportJob.Status.FAILED,
        )
    log_in(page, "rita-reviewer")
    page.goto("/import/")
    rows = page.locator("#import-history-body tr")
    expect(rows).to_have_count(10)
    expect(rows.nth(0)).to_contain_text("day-11.jsonl")
    expect(rows.nth(0).locator(".badge")).to_have_text("Done")
    expect(rows.nth(1).locator(".badge")).to_have_text("Failed")
    expect(rows.nth(1).locator(".badge")).to_have_attribute("data-status", "failed")
    expect(page.get_by_role("button", name="Newer")).to_be_hidden()
    page.get_by_role("button", name="Older").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("day-00.jsonl")
    expect(page.get_by_role("button", name="Older")).to_be_hidden()
    page.get_by_role("button", name="Newer").click()
    expect(rows).to_have_count(10)
    expect(rows.nth(0)).to_contain_text("day-11.jsonl")
    screenshot(page, "import-history-paged")


def test_export_counts_matches_first_and_refuses_an_empty_export(
    page, live_server, celery_worker, e2e_editor
):
    spanish = ArticleFactory(language="es")
    published_claim(article=spanish)
    published_claim()
    log_in(page, "edna-editor")
    page.goto("/export/")
    count = page.locator("#export-match-count")
    expect(count).to_have_text("2 published claims match.")
    page.get_by_label("Language").fill("es")
    expect(count).to_have_text("1 published claim matches.")
    page.get_by_label("Language").fill("de")
    expect(count).to_have_text("Nothing matches these filters: there is nothing to export.")
    expect(page.get_by_role("button", name="Start export")).to_be_disabled()
    screenshot(page, "export-nothing-matches")
    assert not ExportJob.objects.exists()

    page.get_by_label("Language").fill("es")
    expect(page.get_by_role("button", name="Start export")).to_be_enabled()
    page.get_by_role("button", name="Start export").click()
    expect(page.locator("#export-status")).to_have_attribute(
        "data-status", "succeeded", timeout=30_000
    )
    expect(page.locator("#export-count")).to_have_text("1 claim exported.")
    rows = page.locator("#export-history-body tr")
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator(".badge")).to_have_text("Done")
    expect(rows.nth(0)).to_contain_text("language: es")
    expect(rows.nth(0).get_by_role("link", name="Download")).to_be_visible()
    screenshot(page, "export-history")


def test_an_export_that_matched_nothing_offers_no_file(page, e2e_editor):
    empty = ExportJob.objects.create(
        created_by=e2e_editor, format="csv", status=ExportJob.Status.SUCCEEDED, total=0
    )
    log_in(page, "edna-editor")
    page.goto(f"/export/#export-{empty.pk}")
    expect(page.locator("#export-status")).to_have_text(
        "Nothing matched these filters, so there is no file."
    )
    expect(page.get_by_role("link", name="Download the file")).to_be_hidden()
    expect(page.locator("#export-history-body tr").first).to_contain_text("Nothing matched")


def test_editor_marks_an_article_reviewed_from_my_work(page, e2e_editor):
    article = ArticleFactory(title="Council budget vote")
    log_in(page, "edna-editor")
    page.get_by_label("Status of “Council budget vote”").select_option("reviewed")
    page.get_by_role("button", name="Set the status of “Council budget vote”").click()
    expect(page.locator(f"form[data-article='{article.pk}'] [role=status]")).to_have_text("Saved.")
    article.refresh_from_db()
    assert article.status == "reviewed"
    assert AuditEvent.objects.filter(
        action="article.status_changed", object_id=article.pk, actor=e2e_editor
    ).exists()
    page.reload()
    expect(page.get_by_label("Status of “Council budget vote”")).to_have_value("reviewed")
    screenshot(page, "my-work-editor")


def test_reviewers_see_the_status_without_a_control(page, e2e_reviewer):
    ArticleFactory(title="Council budget vote")
    log_in(page, "rita-reviewer")
    expect(page.locator("table.articles tbody tr")).to_contain_text("New")
    expect(page.locator("form.status-form")).to_have_count(0)


@pytest.mark.parametrize(
    ("username", "roles", "pages"),
    [
        ("rita-reviewer", ["Reviewer"], ["My work", "Triage", "Import", "Export"]),
        ("edna-editor", ["Editor"], ["My work", "Triage", "Import", "Export", "Admin"]),
        ("moe-moderator", ["Moderator"], ["My work", "Triage", "Export", "Admin"]),
    ],
)
def test_the_nav_offers_only_the_pages_the_role_may_use(
    new_page, transactional_db, username, roles, pages
):
    UserFactory(username=username, roles=roles, is_staff=username == "edna-editor")
    page = new_page()
    log_in(page, username)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(pages)
    # Each page the nav offers opens, and its lists load (the API answers the same role).
    for name in pages:
        if name in ("My work", "Admin"):
            continue
        nav.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).not_to_have_text("You may not open this page")
        page.wait_for_load_state("networkidle")
        expect(page.locator("main .alert[role=alert]")).to_be_hidden()
    if "Import" not in pages:
        response = page.goto("/import/")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("You may not open this page")
        expect(page.get_by_test_id("reason")).to_have_text(
            "Only reviewers and editors may import articles."
        )
        expect(page.get_by_label("File")).to_have_count(0)
        screenshot(page, "import-forbidden-moderator")
    page.goto("/")
    expect(page.get_by_role("link", name="Import articles")).to_have_count(
        1 if "Import" in pages else 0
    )


def _hold_first(page, pattern: str) -> list:
    """Hold the first answer to `pattern` (fetched at once, as the server gave it then) until
    the test lets it through, as a slow answer that arrives after newer ones."""
    held: list = []

    def handle(route) -> None:
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route(pattern, handle)
    return held


def _let_through(page, held: list) -> None:
    route, response = held[0]
    with page.expect_event("requestfinished"):
        route.fulfill(response=response)
    page.evaluate("() => new Promise((done) => setTimeout(done, 200))")  # its handler has run


@pytest.mark.parametrize(
    ("path", "model", "fields"),
    [
        ("import", ImportJob, {"format": "urls", "original_name": "pasted web addresses.txt"}),
        ("export", ExportJob, {"format": "csv"}),
    ],
)
def test_past_jobs_show_the_end_of_the_followed_job_whatever_answer_comes_last(
    page, e2e_reviewer, path, model, fields
):
    # The page's first list is asked while the job runs and arrives last (a slow answer): the
    # list must not go back to "Running" after the panel said "Failed".
    job = model.objects.create(
        created_by=e2e_reviewer, status=model.Status.RUNNING, started_at=timezone.now(), **fields
    )
    log_in(page, "rita-reviewer")
    held = _hold_first(page, f"**/api/v1/{path}s/?page_size=*")
    anchor = "job" if path == "import" else "export"
    page.goto(f"/{path}/#{anchor}-{job.pk}")
    state = page.locator("#job-state" if path == "import" else "#export-job-state")
    expect(state).to_have_text("Running")
    model.objects.filter(pk=job.pk).update(
        status=model.Status.FAILED,
        finished_at=timezone.now(),
        errors=[{"message": "Nothing could be fetched."}],
    )
    expect(state).to_have_text("Failed")
    row = page.locator(f"#{path}-history-body tr[data-job='{job.pk}']")
    expect(row.locator(".badge")).to_have_text("Failed")
    _let_through(page, held)
    expect(row.locator(".badge")).to_have_text("Failed")
    screenshot(page, f"{path}-history-after-failure")
