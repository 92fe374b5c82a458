"""Fixtures of the living-articles tests: the demo article with claims, a local web server."""

from pathlib import Path

import pytest

from annotations.services import create_article, create_claim
from tests.importing.conftest import web_site  # noqa: F401 (a fixture, used by name)

DEMO = (
    Path(__file__).resolve().parents[2] / "annotations/demo_data/spain-probe-article.txt"
).read_text(encoding="utf-8")

TYPO = "Spain plans a criminal probe into X, Meta and TikTok"
DOYLE = "Deputy commissioner Graham Doyle said regulators had engaged with X"
AUSTRALIA = "Australia became the first nation to ban children under 16 from such platforms"


@pytest.fixture
def demo_article(db):
    article, _ = create_article(title="Spain probes X, Meta, TikTok", body=DEMO)
    return article


@pytest.fixture
def claim_on(demo_article, reviewer):
    """`claim_on(phrase)`: a claim by `reviewer` over the first `phrase` in the demo article."""

    def _claim(phrase: str, user=None):
        start = demo_article.body.index(phrase)
        return create_claim(
            article=demo_article,
            created_by=user or reviewer,
            start=start,
            end=start + len(phrase),
        )

    return _claim


def edited(body: str) -> str:
    """The demo text after the publisher's edit: a typo in one claim, a paragraph before
    another, and the Doyle sentence deleted."""
    body = body.replace("criminal probe into", "crimnal probe into", 1)
    body = body.replace("Gear Spotlight", "An editor's note was added here.\nGear Spotlight", 1)
    doyle = body.index(DOYLE)
    return body[:doyle] + body[body.index("He said the probe", doyle) :]
