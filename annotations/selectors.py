"""Reads used by several callers (API views, exports, public pages)."""

from django.db.models import QuerySet

from .models import Claim


def published_claims() -> QuerySet[Claim]:
    """Claims the public may see: an approved verdict, not hidden, not retracted.

    Everything public (the feed, every export format, the claim pages) starts from here, so the
    rule lives in one place.
    """
    return Claim.objects.filter(
        status=Claim.Status.PUBLISHED,
        is_hidden=False,
        published_verdict__isnull=False,
    )
