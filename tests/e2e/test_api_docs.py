"""The API docs render in Chromium under the strict CSP, from files the project serves."""

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_the_operations_without_a_csp_violation(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Fact-check annotation API")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 30
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/exports/count/")).to_be_visible()
    # Open one operation: its parameters and responses render too.
    page.locator(".opblock-summary", has_text="/api/v1/articles/{id}/").first.click()
    expect(page.locator(".opblock-body .parameters").first).to_be_visible()
    screenshot(page, "api-docs", full_page=False)
    assert violations == []
    # Every file came from this server: no CDN.
    assert requested and all(url.startswith(live_server.url) for url in requested)
