"""Reads used by several callers (API views, exports, public pages)."""

from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from . import access, roles
from .models import Article, Claim, Comment, Correction, Sentence, Source, Verdict
from .roles import AnyUser


def _published() -> Q:
    return Q(
        status=Claim.Status.PUBLISHED,
        is_hidden=False,
        published_verdict__isnull=False,
        published_verdict__status=Verdict.Status.APPROVED,
    )


def _ever_published() -> Q:
    return Q(published_at__isnull=False) | Q(published_verdict__isnull=False)


def _retracted_in_public() -> Q:
    # A retraction is public record (the corrections policy); a moderator's hiding is not, and a
    # claim retracted before it was ever published was never public in the first place.
    return Q(status=Claim.Status.RETRACTED, is_hidden=False) & _ever_published()


def published_claims() -> QuerySet[Claim]:
    """Claims the public may see: an approved verdict, not hidden, not retracted.

    Everything public (the feed, every export format, the claim pages) starts from here, so the
    rule lives in one place. Each claim carries `last_modified`: the latest change to anything
    the public sees of it (claim, article, verdict, sources, corrections), which the feed's
    `updated_since` sync and its Last-Modified header rely on.
    """
    return (
        Claim.objects.filter(_published())
        .select_related("article", "published_verdict__rating__scale")
        .annotate(last_modified=_last_modified())
    )


def public_claim_pages() -> QuerySet[Claim]:
    """Claims with a public page: the published ones and those retracted after publication.

    A retracted claim's page stays up to say so, with its correction note (fact-checkers'
    corrections policy); hidden and never-published claims have no page. Rows as in
    `published_claims()`; the page tells the two apart by `status`.
    """
    return (
        Claim.objects.filter(_published() | _retracted_in_public())
        .select_related("article", "published_verdict__rating__scale")
        .annotate(last_modified=_last_modified())
    )


def withdrawn_claims() -> QuerySet[Claim]:
    """Claims that left the feed after they were in it, for its consumers to drop what they synced.

    Two kinds, told apart by `withdrawal`: "retracted" (public record: `retraction_note` says
    why, the claim's page says so) and "removed" (hidden by a moderator after publication, for
    privacy or abuse: nothing but the id and the time leaves, and only for a claim that was
    public before it was hidden). Each carries `withdrawn_at`.
    """
    retractions = Correction.objects.filter(
        claim=OuterRef("pk"), kind=Correction.Kind.RETRACTION
    ).order_by("-created_at", "-id")
    removed = Q(is_hidden=True, published_at__isnull=False, hidden_at__gte=F("published_at"))
    return Claim.objects.filter(_retracted_in_public() | removed).annotate(
        withdrawal=Case(
            When(is_hidden=True, then=Value("removed")),
            default=Value("retracted"),
            output_field=CharField(),
        ),
        withdrawn_at=Case(
            When(is_hidden=True, then=F("hidden_at")),
            # Coalesce: a claim set to retracted by hand (not by `retract_verdict`) has no
            # Correction.
            default=Coalesce(
                Subquery(retractions.values("created_at")[:1], output_field=DateTimeField()),
                "updated_at",
            ),
        ),
        retraction_note=Case(
            When(is_hidden=True, then=Value(None)),
            default=Subquery(retractions.values("note")[:1]),
            output_field=TextField(),
        ),
    )


def last_withdrawal() -> datetime | None:
    """When a claim that was once published last changed, public or not (hidden, retracted).

    Only a time leaves here, never a claim: the feed's Last-Modified must move when a claim
    drops out of it, which no timestamp of the remaining claims shows.
    """
    latest: datetime | None = Claim.objects.filter(_ever_published()).aggregate(
        latest=Max("updated_at")
    )["latest"]
    return latest


def public_sources() -> QuerySet[Source]:
    """Sources shown with a published claim: moderators' hidden ones never leave."""
    return Source.objects.filter(is_hidden=False)


def _latest(queryset: QuerySet[Any], field: str) -> Subquery:
    return Subquery(
        queryset.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(latest=Max(field))
        .values("latest")[:1],
        output_field=DateTimeField(),
    )


def _last_modified() -> Greatest:
    # Coalesce: SQLite's MAX() is NULL if any argument is (PostgreSQL's GREATEST skips NULLs).
    # Hidden sources count too: hiding one changes what the public sees.
    return Greatest(
        "updated_at",
        "article__updated_at",
        "published_verdict__updated_at",
        Coalesce(_latest(Source.objects.all(), "updated_at"), "updated_at"),
        Coalesce(_latest(Correction.objects.all(), "created_at"), "updated_at"),
    )


# --- Review reads: who sees what is `annotations.access`'s; these add what displays need --------


def claims_for_display(*, user: AnyUser) -> QuerySet[Claim]:
    """Visible claims with what their representation needs, in a fixed number of queries."""
    return (
        access.claims_visible_to(user)
        .select_related("created_by", "assignee", "published_verdict__rating")
        .annotate(anchor_revision_number=F("anchor_revision__number"))
        .prefetch_related(
            Prefetch("sentences", queryset=Sentence.objects.only("id")),
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.select_related("rating", "author").order_by(
                    "created_at", "id"
                ),
            ),
        )
    )


def articles_for_list(*, user: AnyUser) -> QuerySet[Article]:
    """Visible articles with their visible claim count, for lists."""
    claims = access.claims_visible_to(user).filter(article=OuterRef("pk"))
    count = claims.order_by().values("article").annotate(n=Count("pk")).values("n")
    return (
        access.articles_visible_to(user)
        .select_related("assignee")
        .defer("body", "metadata")
        .annotate(claims_count=Coalesce(Subquery(count), 0))
    )


def article_with_sentences(*, user: AnyUser) -> QuerySet[Article]:
    """Visible articles with their sentences and visible claims prefetched: the reviewer's page."""
    return (
        access.articles_visible_to(user)
        .select_related("assignee")
        .prefetch_related(
            Prefetch("sentences", queryset=Sentence.objects.order_by("position")),
            Prefetch("claims", queryset=claims_for_display(user=user), to_attr="visible_claims"),
        )
    )


def ranked_sentences(*, user: AnyUser) -> QuerySet[Sentence]:
    """Scored sentences of the articles `user` may list, with their article's title and language.

    Unordered: the caller ranks them (most check-worthy first). Unscored sentences are left out.
    """
    articles = articles_for_list(user=user).order_by().values("pk")
    return (
        Sentence.objects.filter(checkworthiness__isnull=False, article__in=articles)
        .select_related("article")
        .only(
            "id",
            "position",
            "start",
            "end",
            "text",
            "checkworthiness",
            "claim_type",
            "article__id",
            "article__title",
            "article__language",
        )
    )


def by_top_checkworthiness(articles: QuerySet[Article]) -> QuerySet[Article]:
    """`articles` with `top_checkworthiness` (their best sentence's score), best first.

    Unscored articles come last. One subquery per article over its own sentences: for short
    lists (an assignee's articles), not for sorting the whole table.
    """
    best = (
        Sentence.objects.filter(article=OuterRef("pk"), checkworthiness__isnull=False)
        .order_by("-checkworthiness")
        .values("checkworthiness")[:1]
    )
    return articles.annotate(top_checkworthiness=Subquery(best)).order_by(
        F("top_checkworthiness").desc(nulls_last=True), "-created_at", "-id"
    )


def visible_sources(*, user: AnyUser) -> QuerySet[Source]:
    """Sources `user` may read, with their authors."""
    return access.sources_visible_to(user).select_related("created_by")


def visible_comments(*, user: AnyUser) -> QuerySet[Comment]:
    """Comments `user` may read, with their authors."""
    return access.comments_visible_to(user).select_related("author")


def visible_verdicts(*, user: AnyUser) -> QuerySet[Verdict]:
    """Verdicts `user` may read, with rating, author and reviewer."""
    return access.verdicts_visible_to(user).select_related("rating", "author", "reviewed_by")


def work_queue(*, user: AnyUser) -> dict[str, int]:
    """What waits for `user`: counts for the reviewer's and the editor's queues."""
    open_articles = (
        access.articles_visible_to(user)
        .filter(assignee_id=user.pk, status__in=[Article.Status.NEW, Article.Status.IN_REVIEW])
        .count()
    )
    claims = access.claims_visible_to(user).aggregate(
        my_open_claims=Count(
            "pk",
            filter=Q(created_by=user) & Q(status__in=[Claim.Status.DRAFT, Claim.Status.REJECTED]),
        ),
        assigned_claims=Count(
            "pk",
            filter=Q(assignee=user)
            & ~Q(status__in=[Claim.Status.PUBLISHED, Claim.Status.RETRACTED]),
        ),
    )
    verdicts = access.verdicts_visible_to(user).aggregate(
        my_verdicts_awaiting_approval=Count(
            "pk", filter=Q(author=user, status=Verdict.Status.SUBMITTED)
        ),
        my_verdicts_rejected=Count("pk", filter=Q(author=user, status=Verdict.Status.REJECTED)),
        verdicts_to_review=Count("pk", filter=Q(status=Verdict.Status.SUBMITTED) & ~Q(author=user)),
    )
    if not roles.has_role(user, roles.EDITOR):
        verdicts["verdicts_to_review"] = 0
    return {"assigned_articles": open_articles, **claims, **verdicts}
