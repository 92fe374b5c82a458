"""Reader speed in headless Chromium: an article of N sentences with N/10 claims.

Prints the time until the reader is interactive (navigation start to the text rendered with its
highlights and the keyboard live) and the time to create a claim (key press to its highlight,
including the API round trip). Targets: under 1 s and under 200 ms at 1,000 sentences.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck .venv/bin/python bench/ui_bench.py [N]

Runs on a scratch test database (test_<name>, created and dropped), a live server thread on a
random port, and /usr/bin/chromium.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("DEBUG", "True")  # a development run: no SECRET_KEY needed
os.environ.setdefault("AXES_ENABLED", "false")

import django

django.setup()

from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "bench-password-123"
CLAIMS_TO_CREATE = 7


def build_article(sentences: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from annotations.services import create_article, create_claim

    user = get_user_model().objects.create_user("bench-reviewer", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Reviewer"))
    lines, line = [], []
    for i in range(sentences):
        emoji = " 📈" if i % 50 == 0 else ""
        line.append(f"Sentence {i} says the figure rose by {i % 97} percent{emoji} last year.")
        if len(line) == 5:
            lines.append(" ".join(line))
            line = []
    if line:
        lines.append(" ".join(line))
    article, _ = create_article(
        title=f"Bench article, {sentences} sentences", body="\n".join(lines)
    )
    spans = list(article.sentences.order_by("position"))
    for sentence in spans[::10]:
        create_claim(article=article, created_by=user, start=sentence.start, end=sentence.end)
    return article, len(spans), article.claims.count()


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    """Poll from Python: the strict CSP forbids the eval Playwright's wait_for_function needs."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.01)


def measure(base_url: str, article_id: int, runs: int) -> tuple[list[float], list[float]]:
    ready, create = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900}, base_url=base_url)
        page.goto("/login/")
        page.fill("#id_username", "bench-reviewer")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=username]")
        for _ in range(runs):
            page.goto(f"/articles/{article_id}/")
            page.wait_for_selector("main[data-ready=true]", state="attached")
            ready.append(page.evaluate("performance.getEntriesByName('reader-ready')[0].startTime"))
        # Claims on sentences that have none (claims sit on every 10th sentence).
        page.locator(".sentence[tabindex='0']").focus()
        for k in range(CLAIMS_TO_CREATE):
            for _ in range(3 if k else 5):
                page.keyboard.press("j")
            page.evaluate("delete document.getElementById('article-text').dataset.lastCreated")
            page.keyboard.press("c")
            wait_until(page, "'lastCreated' in document.getElementById('article-text').dataset")
            wait_until(page, "document.activeElement.id === 'panel-title'")  # panel loaded
            create.append(
                page.evaluate(
                    "performance.measure('create', 'claim-create-start', 'claim-highlighted')"
                    ".duration"
                )
            )
            page.evaluate("performance.clearMarks()")
            page.locator(".sentence[aria-current=true]").focus()
        browser.close()
    return ready, create


def main() -> None:
    sentences = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = None
    try:
        started = time.perf_counter()
        article, n_sentences, n_claims = build_article(sentences)
        print(
            f"article: {n_sentences} sentences, {n_claims} claims, {len(article.body):,} chars "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )
        connection.close()
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop; no ORM meanwhile
        ready, create = measure(f"http://127.0.0.1:{server.port}", article.pk, runs=5)
        print(
            f"reader interactive: median {statistics.median(ready):.0f} ms, "
            f"best {min(ready):.0f} ms, worst {max(ready):.0f} ms over {len(ready)} loads "
            "(target < 1000 ms)"
        )
        print(
            f"create a claim (key press to highlight, API included): median "
            f"{statistics.median(create):.0f} ms, best {min(create):.0f} ms, "
            f"worst {max(create):.0f} ms over {len(create)} claims (target < 200 ms)"
        )
    finally:
        if server is not None:
            server.terminate()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
