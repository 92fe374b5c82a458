"""Query-string filters of the review API's lists."""

from datetime import UTC

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

from annotations import access
from annotations.models import Article, Claim, Sentence, Verdict
from annotations.search import search_articles, search_claims

MAX_ID = 2**63 - 1


class IdFilter(filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 instant, compared in UTC: PostgreSQL refuses offsets beyond ±15:59."""

    def filter(self, qs: QuerySet, value):
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError as error:
                raise ValidationError({self.field_name: _("Date out of range.")}) from error
        return super().filter(qs, value)


class UserFilter(filters.CharFilter):
    """A user id, or `me` for the signed-in user."""

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        if value == "me":
            user_id = self.parent.request.user.pk
        # isascii: "¹" and other Unicode digits pass isdigit() but not int() (was a 500).
        elif value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID:
            user_id = int(value)
        else:
            raise ValidationError({self.field_name: _("Give a user id or `me`.")})
        return qs.filter(**{f"{self.field_name}_id": user_id})


# An article's rank by its best sentence: unscored ones after every scored one (a score is 0..1).
TOP_RANK = "top_rank"
UNSCORED_RANK = -1.0


class ArticleFilter(filters.FilterSet):
    ordering = filters.ChoiceFilter(
        choices=[
            ("-created_at", "newest first"),
            ("-top_checkworthiness", "most check-worthy sentence first"),
        ],
        method="filter_ordering",
        help_text="`-created_at` (default) or `-top_checkworthiness`: articles whose best "
        "sentence is most check-worthy first, unscored ones last.",
    )
    status = filters.ChoiceFilter(choices=Article.Status.choices)
    language = filters.CharFilter(help_text="Language code, e.g. `en`, `es`.")
    publisher = filters.CharFilter(lookup_expr="iexact")
    published_after = UtcDateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="ISO 8601, inclusive."
    )
    published_before = UtcDateTimeFilter(
        field_name="published_at", lookup_expr="lte", help_text="ISO 8601, inclusive."
    )
    assignee = UserFilter(field_name="assignee", help_text="User id or `me`.")
    has_claims = filters.BooleanFilter(method="filter_has_claims")
    q = filters.CharFilter(
        method="filter_search",
        help_text="Full-text search over title and body (web-search syntax: words, "
        '"quoted phrases", -excluded, OR).',
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def filter_ordering(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value != "-top_checkworthiness":
            return qs
        # The cursor pages order by it (ArticlePage); NULL would fall out of `rank < cursor`.
        return qs.annotate(**{TOP_RANK: Coalesce(F("top_checkworthiness"), Value(UNSCORED_RANK))})

    def filter_has_claims(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        user = self.request.user if self.request else AnonymousUser()
        claims = access.claims_visible_to(user).filter(article=OuterRef("pk"))
        return qs.filter(Exists(claims)) if value else qs.exclude(Exists(claims))

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        return search_articles(qs, value)


class ClaimFilter(filters.FilterSet):
    article = IdFilter(field_name="article_id")
    status = filters.ChoiceFilter(choices=Claim.Status.choices)
    assignee = UserFilter(field_name="assignee", help_text="User id or `me`.")
    created_by = UserFilter(field_name="created_by", help_text="User id or `me`.")
    rating = filters.CharFilter(
        method="filter_rating", help_text="Rating slug of the claim's latest verdict."
    )
    search = filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text='Words (or "a phrase") each found in the quote, wording or claimant, '
        "in any case.",
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return search_claims(qs, value)

    def filter_rating(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        latest = (
            Verdict.objects.filter(claim=OuterRef("pk"))
            .order_by("-created_at", "-id")
            .values("rating__slug")[:1]
        )
        return qs.annotate(latest_rating=Subquery(latest)).filter(latest_rating=value)


class VerdictFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Verdict.Status.choices)
    claim = IdFilter(field_name="claim_id")
    author = UserFilter(field_name="author", help_text="User id or `me`.")

    class Meta:
        model = Verdict
        fields: list[str] = []


class SentenceFilter(filters.FilterSet):
    ordering = filters.ChoiceFilter(
        choices=[("-checkworthiness", "most check-worthy first")],
        method="filter_ordering",
        help_text="`-checkworthiness` (the only order, and the default).",
    )
    article = IdFilter(field_name="article_id")
    language = filters.CharFilter(
        field_name="article__language", max_length=16, help_text="Language code, e.g. `en`, `es`."
    )
    since = UtcDateTimeFilter(
        field_name="article__created_at",
        lookup_expr="gte",
        help_text="Articles imported at or after this instant (ISO 8601).",
    )

    class Meta:
        model = Sentence
        fields: list[str] = []

    def filter_ordering(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs  # validated here; the cursor pagination orders
