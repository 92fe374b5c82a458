"""Public pages: one per published claim (with its ClaimReview markup) and the rating scale.

Anyone may read them; everything shown comes from `public_claim_pages()` through the same records
as the export, so the page and the feed never disagree. A claim retracted after publication
keeps its page, which says so with the correction note but no longer carries ClaimReview markup.
"""

import json
from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from annotations.exporting.formats import claimreview
from annotations.exporting.records import feed_item, iso, records_for
from annotations.models import Claim, Correction, RatingScale
from annotations.selectors import public_claim_pages
from annotations.throttling import public_page

# As Django's json_script: inside <script> the HTML parser ends the element at "</script" and
# treats "<!--" specially, so these characters are written as JSON \u escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def ld_json(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> element, safe against `</script>`."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308


def _safe_href(url: str | None) -> str | None:
    # Imported URLs are shown as links only when they are web addresses (no javascript:).
    return url if url and url.lower().startswith(("https://", "http://")) else None


@public_page
@require_safe
def claim_page(request: HttpRequest, pk: int) -> HttpResponse:
    rows = records_for(public_claim_pages().filter(pk=pk))
    if not rows:
        raise Http404("No published claim with this number.")
    row = rows[0]
    item = feed_item(row)
    item["article"]["href"] = _safe_href(item["article"]["url"])
    for source in item["sources"]:
        source["href"] = _safe_href(source["url"])
    retracted = row["status"] == Claim.Status.RETRACTED
    changed_at = row["claim_text_changed_at"] and datetime.fromisoformat(
        iso(row["claim_text_changed_at"])
    )
    checked_at = row["approved_at"] or row["claim_published_at"]
    retractions = [c for c in item["corrections"] if c["kind"] == Correction.Kind.RETRACTION]
    return render(
        request,
        "frontend/public/claim.html",
        {
            "item": item,
            "retracted": retracted,
            "retractions": retractions,
            "updates": [c for c in item["corrections"] if c not in retractions],
            # Google's fact-check guidance: a withdrawn review loses its ClaimReview markup.
            "claimreview": None if retracted else ld_json(claimreview(row)),
            "organisation": settings.FACTCHECK_ORGANIZATION,
            # Living articles: the publisher changed the checked passage after the approval.
            "article_changed_at": changed_at
            if changed_at
            and (checked_at is None or changed_at > datetime.fromisoformat(iso(checked_at)))
            else None,
            "passage_removed": row["anchor_status"] == Claim.AnchorStatus.ORPHANED,
        },
    )


@public_page
@require_safe
def ratings_page(request: HttpRequest) -> HttpResponse:
    scales = RatingScale.objects.prefetch_related("ratings").order_by("-is_default", "name")
    return render(
        request,
        "frontend/public/ratings.html",
        {"scales": scales, "organisation": settings.FACTCHECK_ORGANIZATION},
    )
