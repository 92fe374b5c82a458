"""Fixtures for moderation tests: a published claim with a source, a comment and an open flag."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from annotations.models import (
    Article,
    AuditEvent,
    Claim,
    Comment,
    Correction,
    Flag,
    Source,
    Verdict,
)
from tests.factories import ClaimFactory, SourceFactory, UserFactory, published_claim


def make_comment(claim: Claim, **kwargs) -> Comment:
    author = kwargs.pop("author", None) or claim.created_by
    return Comment.objects.create(
        claim=claim, author=author, body="Is 40 percent sourced?", **kwargs
    )


def hidden(**kwargs) -> dict:
    return {"is_hidden": True, "hidden_reason": "spam", "hidden_at": timezone.now(), **kwargs}


@pytest.fixture
def world(db, other_reviewer):
    """Objects every moderation action can be tried on, visible and hidden ones."""
    claim = published_claim()
    source = claim.sources.get()
    comment = make_comment(claim)
    flag = Flag.objects.create(
        content_type_id=_ct(Claim), object_id=claim.pk, reason="wrong", created_by=other_reviewer
    )
    hidden_claim = ClaimFactory(**hidden())
    hidden_source = SourceFactory(claim=claim, **hidden())
    hidden_comment = make_comment(claim, **hidden())
    # The articles' statuses as the services would have moved them (the factories do not):
    # reviewed under a published claim, in review under a claim marked and then hidden.
    Article.objects.filter(pk=claim.article_id).update(status=Article.Status.REVIEWED)
    Article.objects.filter(pk=hidden_claim.article_id).update(status=Article.Status.IN_REVIEW)
    return SimpleNamespace(
        claim=claim,
        source=source,
        comment=comment,
        verdict=claim.published_verdict,
        flag=flag,
        hidden_claim=hidden_claim,
        hidden_source=hidden_source,
        hidden_comment=hidden_comment,
    )


def _ct(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def fingerprint() -> dict:
    """Everything a moderation action could change, to prove a refused one changed nothing."""
    return {
        "flags": sorted(Flag.objects.values_list("pk", "status")),
        "audit": AuditEvent.objects.count(),
        "corrections": Correction.objects.count(),
        "claims": sorted(Claim.objects.values_list("pk", "status", "is_hidden")),
        "sources": sorted(Source.objects.values_list("pk", "is_hidden")),
        "comments": sorted(Comment.objects.values_list("pk", "is_hidden")),
        "verdicts": sorted(Verdict.objects.values_list("pk", "status")),
    }


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)
