"""The README's first steps in Chromium, with the demo data `make run` seeds: open the site, log
in as `reviewer` with the printed password, find the sample article in My work and open it; the
public fact-checks page answers without a login; then the admin as `editor`."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from annotations.models import Article

from .conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_readme_walkthrough_starts_in_the_reviewer_ui(new_page, live_server):
    call_command("seed_demo", verbosity=0)
    sample = Article.objects.get()
    page = new_page()
    page.goto("/")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill("reviewer-demo-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_test_id("role")).to_have_text("Reviewer")
    page.get_by_role("link", name=sample.title).first.click()
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    expect(page.locator(".sentence")).to_have_count(27)
    screenshot(page, "readme-walkthrough-reader")

    public = new_page()
    public.goto("/fact-checks/")
    expect(public.get_by_role("heading", name="Fact-checks", level=1)).to_be_visible()

    admin = new_page()
    admin.goto("/admin/")
    admin.get_by_label("Username").fill("editor")
    admin.get_by_label("Password").fill("editor-demo-pass")
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Articles").first.click()
    expect(admin.get_by_role("link", name=sample.title[:40], exact=False).first).to_be_visible()
