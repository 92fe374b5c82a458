"""Reads used by several callers (API views, exports, public pages)."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
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


def public_fact_checks(*, query: str = "", rating: str = "") -> QuerySet[Claim]:
    """Published claims for the public index and its feeds, the newest publication first.

    `query` matches words of the claim (quote and wording), the claimant, the explanation and
    the article's title; `rating` is a rating slug.
    """
    claims = published_claims().order_by("-published_at", "-id")
    for word in query.split()[:10]:
        claims = claims.filter(
            Q(quote_exact__icontains=word)
            | Q(text__icontains=word)
            | Q(claimant__icontains=word)
            | Q(published_verdict__explanation__icontains=word)
            | Q(article__title__icontains=word)
        )
    if rating:
        claims = claims.filter(published_verdict__rating__slug=rating)
    return claims


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
        .select_related(
            "created_by", "assignee", "published_verdict__rating", "published_verdict__author"
        )
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
    """Visible articles with their visible claim count and `top_checkworthiness` (their best
    sentence's score, null until scored), for lists."""
    claims = access.claims_visible_to(user).filter(article=OuterRef("pk"))
    count = claims.order_by().values("article").annotate(n=Count("pk")).values("n")
    return (
        access.articles_visible_to(user)
        .select_related("assignee")
        .defer("body", "metadata")
        .annotate(claims_count=Coalesce(Subquery(count), 0), top_checkworthiness=_best_score())
    )


def _best_score() -> Subquery:
    return Subquery(
        Sentence.objects.filter(article=OuterRef("pk"), checkworthiness__isnull=False)
        .order_by("-checkworthiness")
        .values("checkworthiness")[:1]
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
    return articles.annotate(top_checkworthiness=_best_score()).order_by(
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


# My work's lists and the API's `me/` counts come from these three, so they always agree.
OPEN_ARTICLE_STATUSES = (Article.Status.NEW, Article.Status.IN_REVIEW)
AWAITING_VERDICT_STATUSES = (Claim.Status.DRAFT, Claim.Status.REJECTED)


def assigned_open_articles(*, user: AnyUser) -> QuerySet[Article]:
    """New or in-review articles assigned to `user`."""
    return access.articles_visible_to(user).filter(
        assignee_id=user.pk, status__in=OPEN_ARTICLE_STATUSES
    )


def claims_awaiting_verdict(*, user: AnyUser) -> QuerySet[Claim]:
    """Draft or rejected claims `user` marked or was assigned: each waits for their verdict."""
    return access.claims_visible_to(user).filter(
        Q(created_by_id=user.pk) | Q(assignee_id=user.pk), status__in=AWAITING_VERDICT_STATUSES
    )


def verdicts_to_review(*, user: AnyUser) -> QuerySet[Verdict]:
    """For editors, others' submitted verdicts (an editor never approves their own); else none."""
    if not roles.has_role(user, roles.EDITOR):
        return Verdict.objects.none()
    return (
        access.verdicts_visible_to(user)
        .filter(status=Verdict.Status.SUBMITTED)
        .exclude(author_id=user.pk)
    )


def _whose_anchors(user: AnyUser) -> Q:
    """Whose moved claims `user` is asked to re-review: editors all, others their own and
    those assigned to them (My work and `/api/v1/me/` alike)."""
    if roles.has_role(user, roles.EDITOR):
        return Q()
    return Q(assignee=user) | Q(created_by=user)


def claims_with_changed_text(*, user: AnyUser) -> QuerySet[Claim]:
    """Visible claims a new revision changed or orphaned that `user` should re-review, the
    latest change first (living articles)."""
    return (
        access.claims_visible_to(user)
        .filter(_whose_anchors(user))
        .exclude(anchor_status=Claim.AnchorStatus.ANCHORED)
        .select_related("article")
        .order_by("-text_changed_at", "-id")
    )


def work_queue(*, user: AnyUser) -> dict[str, int]:
    """What waits for `user`: counts for the reviewer's and the editor's queues."""
    mine = _whose_anchors(user)
    claims = access.claims_visible_to(user).aggregate(
        my_open_claims=Count(
            "pk", filter=Q(created_by=user) & Q(status__in=AWAITING_VERDICT_STATUSES)
        ),
        assigned_claims=Count(
            "pk",
            filter=Q(assignee=user)
            & ~Q(status__in=[Claim.Status.PUBLISHED, Claim.Status.RETRACTED]),
        ),
        changed_claims=Count("pk", filter=mine & Q(anchor_status=Claim.AnchorStatus.CHANGED)),
        orphaned_claims=Count("pk", filter=mine & Q(anchor_status=Claim.AnchorStatus.ORPHANED)),
    )
    verdicts = access.verdicts_visible_to(user).aggregate(
        my_verdicts_awaiting_approval=Count(
            "pk", filter=Q(author=user, status=Verdict.Status.SUBMITTED)
        ),
        my_verdicts_rejected=Count("pk", filter=Q(author=user, status=Verdict.Status.REJECTED)),
    )
    return {
        "assigned_articles": assigned_open_articles(user=user).count(),
        "claims_awaiting_verdict": claims_awaiting_verdict(user=user).count(),
        **claims,
        **verdicts,
        "verdicts_to_review": verdicts_to_review(user=user).count(),
    }


def assignable_users(*, user: AnyUser) -> QuerySet[Any]:
    """Who `user` may assign articles and claims to: active reviewers and editors, for editors.

    Everyone else may assign nobody, and so is shown nobody.
    """
    User = get_user_model()
    if not access.is_editor(user):
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, groups__name__in=[roles.REVIEWER, roles.EDITOR])
        .distinct()
        .order_by("username")
    )


def daily_top_sentences(*, user: AnyUser, day: date, limit: int = 50) -> list[Sentence]:
    """The most check-worthy sentences no claim covers yet, across the articles stored on `day`
    (UTC) that `user` may list, best first, with their article's title: one query."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    articles = (
        access.articles_visible_to(user)
        .filter(created_at__gte=start, created_at__lt=start + timedelta(days=1))
        .values("pk")
    )
    covered = access.claims_visible_to(user).filter(sentences=OuterRef("pk"))
    return list(
        Sentence.objects.filter(checkworthiness__isnull=False, article__in=articles)
        .exclude(Exists(covered))
        .select_related("article")
        .only(
            "id",
            "position",
            "text",
            "checkworthiness",
            "claim_type",
            "article__id",
            "article__title",
            "article__language",
            "article__publisher",
        )
        .order_by("-checkworthiness", "-id")[:limit]
    )
