"""The filters of the public feed, export jobs and `export_claims`: one FilterSet for all three;
and the one filter of the feed's list of withdrawn claims."""

from typing import Any

import django_filters
from django.db.models import QuerySet

from annotations.api.filters import UtcDateTimeFilter


# django-filter ships no types: its FilterSet is Any to mypy.
class VerifiedClaimFilter(django_filters.FilterSet):  # type: ignore[misc]
    """Filters on `published_claims()`; every name is a query parameter of the public feed."""

    updated_since = UtcDateTimeFilter(
        field_name="last_modified",
        lookup_expr="gte",
        help_text="Only claims changed at or after this ISO 8601 time (incremental sync; "
        "claims retracted since then are listed by /api/v1/verified-claims/withdrawn/).",
    )
    rating = django_filters.CharFilter(
        method="filter_rating", help_text="Rating slugs, comma-separated (e.g. false,mostly-false)."
    )
    language = django_filters.CharFilter(field_name="article__language", lookup_expr="iexact")
    publisher = django_filters.CharFilter(field_name="article__publisher", lookup_expr="iexact")
    article = django_filters.NumberFilter(field_name="article_id", min_value=1)
    published_after = UtcDateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="Verdict published at or after."
    )
    published_before = UtcDateTimeFilter(
        field_name="published_at", lookup_expr="lt", help_text="Verdict published before."
    )

    def filter_rating(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        slugs = [slug.strip() for slug in value.split(",") if slug.strip()]
        return queryset.filter(published_verdict__rating__slug__in=slugs) if slugs else queryset


FILTER_NAMES = tuple(VerifiedClaimFilter.base_filters)


class WithdrawnClaimFilter(django_filters.FilterSet):  # type: ignore[misc]  # as above
    """Filters on `withdrawn_claims()`."""

    since = UtcDateTimeFilter(
        field_name="withdrawn_at",
        lookup_expr="gte",
        help_text="Only claims withdrawn at or after this ISO 8601 time: pass the time of the "
        "last sync, as to the feed's updated_since.",
    )
