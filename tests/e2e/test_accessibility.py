"""Accessibility (issue 14, item 7): axe-core on every page, in English and in Spanish, with a
full-page screenshot of each in test-artifacts/ (a11y-<page>-<lang>.png).

A violation of impact "serious" or "critical" fails the test, listed with its rule, its target
and the page. The only rules left out are named below, each for third-party markup we do not
write (Swagger UI, Django's admin), with the reason.
"""

import re
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from axes.utils import reset as axes_reset
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from annotations.models import (
    AnchorStatus,
    ArticleRevision,
    Claim,
    ExportJob,
    Flag,
    ImportJob,
    Sentence,
    Verdict,
)
from annotations.moderation import flag_content, hide_content, retract_verdict
from annotations.services import (
    add_source,
    approve_verdict,
    create_article,
    create_claim,
    reject_verdict,
    submit_verdict,
)
from annotations.services.revisions import reanchor_claims, record_revision
from tests.factories import UserFactory, default_rating
from tests.revisions.conftest import DEMO, DOYLE, TYPO, edited

from .conftest import CHROMIUM, PASSWORD, VIEWPORT, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
AXE = Axe()

# Phrases of the demo article, one claim on each (TYPO changes in the newer revision).
PHRASES = {
    "draft": "The cabinet approved the step Tuesday",
    "submitted": "Meta said it could not comment",
    "published": "Australia became the first nation to ban children under 16 from such platforms",
    "rejected": "Musk responded by calling Sánchez",
    "retracted": "Government spokesperson Elma Saiz said Spain would not allow",
    "hidden": "X and TikTok were also approached for comment.",
}
EXPLANATION = "The official record shows this, with the figures in the cited report and its annex."


@dataclass
class Desk:
    """What the pages show: one article with a claim in every state, jobs, flags, a revision."""

    article: int
    claims: dict[str, int]
    public_claim: int
    retracted_claim: int
    flag: int
    users: dict[str, str] = field(default_factory=dict)


def build_desk() -> Desk:
    users = {
        "reviewer": UserFactory(username="rita-reviewer", roles=["Reviewer"]),
        "editor": UserFactory(username="edna-editor", roles=["Editor"], is_staff=True),
        "other_editor": UserFactory(username="eli-editor", roles=["Editor"], is_staff=True),
        "moderator": UserFactory(username="mo-moderator", roles=["Moderator"], is_staff=True),
        "nobody": UserFactory(username="nobody"),
    }
    rita, edna, eli, mo = (users[k] for k in ("reviewer", "editor", "other_editor", "moderator"))
    article, _ = create_article(title="Spain probes X, Meta, TikTok", body=DEMO)
    article.assignee = rita
    article.save(update_fields=["assignee"])

    def claim(phrase: str) -> Claim:
        start = DEMO.index(phrase)
        return create_claim(
            article=article, created_by=rita, start=start, end=start + len(phrase), claimant="X"
        )

    def judged(phrase: str, *, rating: str = "false") -> tuple[Claim, Verdict]:
        made = claim(phrase)
        add_source(
            claim=made,
            created_by=rita,
            url="https://evidence.example.org/report",
            title="Official report",
            quote="The figures, as published.",
            stance="refutes",
        )
        verdict = submit_verdict(
            claim=made, author=rita, rating=default_rating(rating), explanation=EXPLANATION
        )
        return made, verdict

    claims = {"draft": claim(PHRASES["draft"]), "changed": claim(TYPO), "orphaned": claim(DOYLE)}
    claims["submitted"], _ = judged(PHRASES["submitted"], rating="mostly-false")
    claims["published"], verdict = judged(PHRASES["published"], rating="true")
    approve_verdict(verdict=verdict, editor=edna)
    claims["rejected"], verdict = judged(PHRASES["rejected"], rating="misleading")
    reject_verdict(verdict=verdict, editor=edna, reason="The source does not say this.")
    claims["retracted"], verdict = judged(PHRASES["retracted"], rating="half-true")
    approve_verdict(verdict=verdict, editor=eli)
    retract_verdict(verdict=verdict, moderator=mo, note="The quote was misattributed.")
    claims["hidden"], verdict = judged(PHRASES["hidden"])
    approve_verdict(verdict=verdict, editor=eli)
    hide_content(target=claims["hidden"], moderator=mo, reason="Spam")
    flag = flag_content(target=claims["draft"], user=rita, reason=Flag.Reason.WRONG, note="Typo?")

    revision, _ = record_revision(
        article=article, body=edited(DEMO), source=ArticleRevision.Source.API
    )
    reanchor_claims(revision_id=revision.pk)
    assert Claim.objects.get(pk=claims["orphaned"].pk).anchor_status == AnchorStatus.ORPHANED
    Sentence.objects.filter(article=article).update(checkworthiness=0.7, claim_type="quantity")

    for n, status in enumerate(ImportJob.Status):
        ImportJob.objects.create(
            created_by=rita, format="jsonl", original_name=f"day-{n}.jsonl", status=status
        )
    for status in (ExportJob.Status.SUCCEEDED, ExportJob.Status.FAILED):
        ExportJob.objects.create(
            created_by=rita, format="csv", status=status, finished_at=timezone.now()
        )
    return Desk(
        article=article.pk,
        claims={state: c.pk for state, c in claims.items()},
        public_claim=claims["published"].pk,
        retracted_claim=claims["retracted"].pk,
        flag=flag.pk,
    )


@dataclass
class Audit:
    """Runs axe on pages and collects the blocking violations of all of them."""

    lang: str
    problems: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def check(self, page: Page, name: str, *, third_party: dict[str, str] | None = None) -> None:
        """Axe the page as it is now. `third_party`: {rule: selector} of markup we do not write
        where that one rule is let pass (every other rule still applies there)."""
        # Each page's own content is awaited by the caller; networkidle would add 0.5 s a page.
        page.wait_for_load_state("load")
        results = AXE.run(page, options={"resultTypes": ["violations"]})
        for violation in results.response["violations"]:
            if violation["impact"] not in BLOCKING:
                continue
            theirs = (third_party or {}).get(violation["id"])
            nodes = [
                node
                for node in violation["nodes"]
                if not (theirs and theirs in " ".join(map(str, node["target"])))
            ]
            if not nodes:
                continue
            targets = ", ".join(" ".join(map(str, node["target"])) for node in nodes[:5])
            more = f" and {len(nodes) - 5} more" if len(nodes) > 5 else ""
            self.problems.append(
                f"{name} [{self.lang}] {violation['id']} ({violation['impact']}, "
                f"{violation['help']}): {targets}{more}. {nodes[0]['failureSummary']}"
            )
        screenshot(page, f"a11y-{name}-{self.lang}")
        self.pages.append(name)


def context_for(browser: Browser, live_server, locale: str) -> BrowserContext:
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale=locale)
    context.set_default_timeout(15_000)
    return context


def signed_in(browser: Browser, live_server, locale: str, username: str) -> Page:
    context = context_for(browser, live_server, locale)
    page = context.new_page()
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    expect(page.get_by_test_id("username")).to_have_text(username)
    return page


def open_claim(page: Page, article: int, claim: int) -> None:
    page.goto(f"/articles/{article}/#claim-{claim}")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    expect(page.locator(f"#claims-list li[data-claim-item='{claim}'].active")).to_be_attached()
    expect(page.locator("#panel-claim [data-testid=claim-quote]")).to_be_visible()


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_every_page_has_no_serious_axe_violation(browser, live_server, settings, locale):
    assert CHROMIUM
    desk = build_desk()
    audit = Audit(lang=locale.split("-")[0])
    article, claims = desk.article, desk.claims

    # Signed out: the login page, the public pages, the errors, the API docs.
    anonymous = context_for(browser, live_server, locale).new_page()
    anonymous.goto("/login/")
    audit.check(anonymous, "login")
    anonymous.locator("#id_username").fill("rita-reviewer")
    anonymous.locator("#id_password").fill("wrong")
    anonymous.locator("form.stack button[type=submit]").click()
    expect(anonymous.locator(".alert")).to_be_visible()
    audit.check(anonymous, "login-failed")
    anonymous.goto("/fact-checks/")
    audit.check(anonymous, "public-index")
    anonymous.goto("/fact-checks/?q=Australia")
    expect(anonymous.locator(".fact-check-summary")).to_have_count(1)
    audit.check(anonymous, "public-index-search")
    anonymous.goto(f"/claims/{desk.public_claim}/")
    audit.check(anonymous, "public-claim")
    anonymous.goto(f"/claims/{desk.retracted_claim}/")
    audit.check(anonymous, "public-claim-retracted")
    anonymous.goto("/ratings/")
    audit.check(anonymous, "ratings")
    assert anonymous.goto("/claims/424242/").status == 404
    audit.check(anonymous, "404")
    anonymous.goto("/api/docs/")
    expect(anonymous.locator(".swagger-ui .info")).to_be_visible()
    # Swagger UI's operation summary is a button holding the copy-path button: its markup, built
    # by its script, which we do not patch. Its colours are ours to fix (api_docs.css).
    audit.check(anonymous, "api-docs", third_party={"nested-interactive": ".opblock-summary"})

    # Signed in without a role.
    nobody = signed_in(browser, live_server, locale, "nobody")
    audit.check(nobody, "no-role")

    # The reviewer's desk.
    rita = signed_in(browser, live_server, locale, "rita-reviewer")
    audit.check(rita, "my-work-reviewer")
    for state in ("draft", "submitted", "published", "rejected", "retracted", "changed"):
        open_claim(rita, article, claims[state])
        audit.check(rita, f"reader-{state}")
    rita.goto(f"/articles/{article}/")
    expect(rita.locator("main[data-ready=true]")).to_be_attached()
    rita.locator(".sentence").nth(3).focus()
    rita.keyboard.press("Shift+J")
    expect(rita.locator(".sentence.in-range")).to_have_count(2)
    audit.check(rita, "reader-selection")
    rita.keyboard.press("?")
    expect(rita.locator("#help-dialog")).to_be_visible()
    audit.check(rita, "reader-shortcuts")
    rita.goto(f"/articles/{article}/revisions/1/")
    audit.check(rita, "revision")
    rita.goto("/import/")
    expect(rita.locator("#import-history-body tr").first).to_be_visible()
    audit.check(rita, "import")
    rita.goto("/export/")
    expect(rita.locator("#export-history-body tr").first).to_be_visible()
    audit.check(rita, "export")
    rita.goto("/triage/")
    audit.check(rita, "triage")

    # The editor: approvals, assignment, the learned models, the admin.
    edna = signed_in(browser, live_server, locale, "edna-editor")
    audit.check(edna, "my-work-editor")
    open_claim(edna, article, claims["submitted"])
    audit.check(edna, "reader-editor-submitted")
    edna.goto("/triage/")
    audit.check(edna, "triage-editor")
    edna.goto("/admin/moderation/")
    audit.check(edna, "403")

    # The moderator: the hidden claim, the moderation queue, the admin.
    mo = signed_in(browser, live_server, locale, "mo-moderator")
    audit.check(mo, "my-work-moderator")
    open_claim(mo, article, claims["hidden"])
    audit.check(mo, "reader-hidden")
    mo.goto("/admin/")
    audit.check(mo, "admin-index")
    mo.goto("/admin/moderation/")
    audit.check(mo, "admin-moderation-queue")
    mo.goto("/admin/annotations/claim/")
    audit.check(mo, "admin-changelist")
    mo.goto(f"/admin/annotations/claim/{claims['draft']}/change/")
    # Django's change form breadcrumbs: white links in pale blue text, no underline (Django's
    # markup and CSS; our own admin pages underline them, frontend/admin.css).
    audit.check(mo, "admin-change-form", third_party={"link-in-text-block": ".breadcrumbs > a"})

    # Last, as they lock this address out of signing in: the lockout (django-axes), then the
    # sign-in throttle's 429 page.
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        anonymous.goto("/login/")
        anonymous.locator("#id_username").fill("forgetful")
        anonymous.locator("#id_password").fill("wrong")
        anonymous.locator("form.stack button[type=submit]").click()
    expect(anonymous.locator(".error-code")).to_have_text(re.compile("."))
    audit.check(anonymous, "lockout")
    settings.AXES_ENABLED = False
    axes_reset()
    for _ in range(12):  # the address may send 10 a minute (THROTTLE_LOGIN)
        anonymous.goto("/login/")
        anonymous.locator("#id_username").fill("forgetful")
        anonymous.locator("#id_password").fill("wrong")
        with anonymous.expect_response("**/login/") as answer:
            anonymous.locator("form.stack button[type=submit]").click()
        if answer.value.status == 429:
            break
    else:
        raise AssertionError("the sign-in throttle never answered 429")
    audit.check(anonymous, "too-many-requests")

    for page in (anonymous, nobody, rita, edna, mo):
        page.context.close()
    assert audit.problems == [], "\n".join(
        [f"{len(audit.problems)} serious or critical axe violations:", *audit.problems]
    )
