"""Fixtures of the review API tests."""

import pytest

from annotations.api.common import etag_for
from annotations.models import Verdict
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, VerdictFactory


@pytest.fixture
def article(db):
    return ArticleFactory()


@pytest.fixture
def claim_by(article):
    """`claim_by(user, **fields)`: a draft claim on the first sentence of `article`."""

    def _claim(user, **fields):
        return ClaimFactory(article=fields.pop("article", article), created_by=user, **fields)

    return _claim


@pytest.fixture
def sourced_claim_by(claim_by):
    """`sourced_claim_by(user)`: a claim with one source, ready for a verdict."""

    def _claim(user, **fields):
        claim = claim_by(user, **fields)
        SourceFactory(claim=claim, created_by=user)
        return claim

    return _claim


@pytest.fixture
def submitted_verdict_by(sourced_claim_by):
    """`submitted_verdict_by(user)`: a verdict awaiting an editor, on a claim `user` marked."""

    def _verdict(user):
        claim = sourced_claim_by(user)
        claim.status = claim.Status.SUBMITTED
        claim.save()
        return VerdictFactory(claim=claim, author=user, status=Verdict.Status.SUBMITTED)

    return _verdict


def verdict_etag(verdict_id: int) -> str:
    """The verdict's current ETag (verdict, claim span and wording, sources), as a GET gives it."""
    return etag_for(Verdict.objects.select_related("claim").get(pk=verdict_id))
