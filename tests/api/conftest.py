"""Fixtures of the review API tests."""

import json

import pytest
from django.db.models import Prefetch
from rest_framework.renderers import JSONRenderer

from annotations import access, scoring, selectors
from annotations.api.common import etag_for
from annotations.api.serializers import ArticleDetailSerializer
from annotations.models import Article, Claim, Sentence, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
    published_claim,
)


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


def _reference_page(article: Article, user) -> dict:
    article = (
        access.articles_visible_to(user)
        .select_related("assignee")
        .prefetch_related(
            Prefetch("sentences", queryset=Sentence.objects.order_by("position")),
            Prefetch(
                "claims",
                queryset=selectors.claims_for_display(user=user),
                to_attr="visible_claims",
            ),
        )
        .get(pk=article.pk)
    )
    return json.loads(JSONRenderer().render(ArticleDetailSerializer(article).data))


@pytest.fixture
def reference_page(db):
    """`reference_page(article, user)`: what ArticleDetailSerializer gives for `article` as
    `user` sees it, read afresh: the reference shape of `GET articles/{id}/`, never cached."""
    return _reference_page


def _sentence_span(article: Article, position: int) -> dict:
    sentence = article.sentences.get(position=position)
    return {"start": sentence.start, "end": sentence.end}


@pytest.fixture
def busy_article(db, reviewer, editor):
    """An article with every kind of claim the reader shows."""
    article = ArticleFactory(assignee=UserFactory(first_name="Ana", last_name="Ruiz"))
    scoring.score_articles(article_ids=[article.pk])
    author = UserFactory(roles=["Reviewer"], first_name="Bo", last_name="")
    ClaimFactory(article=article, created_by=author)  # no verdict
    reworked = ClaimFactory(
        article=article,
        created_by=reviewer,
        assignee=author,
        text="Emissions fell",
        **_sentence_span(article, 1),
    )
    VerdictFactory(claim=reworked, author=reviewer, status=Verdict.Status.REJECTED)
    VerdictFactory(claim=reworked, author=reviewer, rating__slug="true")  # the latest
    published = published_claim(article=article, created_by=author)
    VerdictFactory(claim=published, author=author, rating__slug="true")  # a later verdict
    repeat = ClaimFactory(article=article, created_by=reviewer, same_as=published)
    hidden = ClaimFactory(article=article, created_by=reviewer, **_sentence_span(article, 2))
    Claim.objects.filter(pk=hidden.pk).update(is_hidden=True, hidden_reason="abuse")
    Claim.objects.filter(pk=repeat.pk).update(anchor_previous={"revision": 1, "start": 0})
    return article
