"""Public pages: the index of published fact-checks (with its RSS and Atom feeds), one page per
published claim (with its ClaimReview markup) and the rating scale.

Anyone may read them; everything shown comes from `public_claim_pages()` / `public_fact_checks()`
through the same records as the export, so the pages and the feed never disagree. A claim
retracted after publication keeps its page, which says so with the correction note but no longer
carries ClaimReview markup.
"""

import json
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from annotations.defaults import translated_default
from annotations.exporting.formats import claimreview
from annotations.exporting.records import claim_url, feed_item, iso, records_for
from annotations.models import Claim, Correction, Rating, RatingScale
from annotations.selectors import public_claim_pages, public_fact_checks
from annotations.throttling import public_page

from .templatetags.public_pages import as_datetime

FACT_CHECKS_PER_PAGE = 20
FEED_SIZE = 50

# As Django's json_script: inside <script> the HTML parser ends the element at "</script" and
# treats "<!--" specially, so these characters are written as JSON \u escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def ld_json(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> element, safe against `</script>`."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308


def _safe_href(url: str | None) -> str | None:
    # Imported URLs are shown as links only when they are web addresses (no javascript:).
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _items(claims) -> list[dict]:
    """Feed items of `claims` (a page of them), in their order, links made safe."""
    ids = list(claims.values_list("pk", flat=True))
    rows = {row["id"]: row for row in records_for(public_claim_pages().filter(pk__in=ids))}
    items = []
    for pk in ids:
        item = feed_item(rows[pk])
        item["article"]["href"] = _safe_href(item["article"]["url"])
        for source in item["sources"]:
            source["href"] = _safe_href(source["url"])
        items.append(item)
    return items


def _default_ratings():
    return Rating.objects.filter(scale__is_default=True).order_by("position", "id")


@public_page
@require_safe
def fact_checks(request: HttpRequest) -> HttpResponse:
    """The index of published fact-checks: newest first, searchable, filtered by rating."""
    query = request.GET.get("q", "").strip()[:200]
    rating = request.GET.get("rating", "").strip()[:64]
    page = Paginator(public_fact_checks(query=query, rating=rating), FACT_CHECKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "frontend/public/index.html",
        {
            "page": page,
            "items": _items(page.object_list),
            "query": query,
            "rating": rating,
            "ratings": _default_ratings(),
            "query_string": params.urlencode(),
        },
    )


@public_page
@require_safe
def claim_page(request: HttpRequest, pk: int) -> HttpResponse:
    rows = records_for(public_claim_pages().filter(pk=pk))
    if not rows:
        raise Http404(_("No published claim with this number."))
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
    scale = Rating.objects.filter(scale__slug=item["rating"]["scale"]).order_by("position", "id")
    return render(
        request,
        "frontend/public/claim.html",
        {
            "item": item,
            "retracted": retracted,
            "retractions": retractions,
            "updates": [c for c in item["corrections"] if c not in retractions],
            "scale": scale,
            # Google's fact-check guidance: a withdrawn review loses its ClaimReview markup.
            "claimreview": None if retracted else ld_json(claimreview(row)),
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
    return render(request, "frontend/public/ratings.html", {"scales": scales})


class FactCheckFeed(Feed):
    """RSS 2.0 of the newest published fact-checks (Django's syndication framework)."""

    description_template = "frontend/public/feed_item.html"

    def title(self) -> str:
        return _("%(name)s: fact-checks") % {"name": settings.FACTCHECK_ORGANIZATION["name"]}

    def description(self) -> str:
        return _("Claims we checked, with our rating, explanation and sources.")

    def link(self) -> str:
        return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("frontend:fact-checks")

    def items(self) -> list[dict]:
        return _items(public_fact_checks()[:FEED_SIZE])

    def item_title(self, item: dict) -> str:
        claimant = f"{item['claim']['claimant']}: " if item["claim"]["claimant"] else ""
        return f"{translated_default(item['rating']['label'])} — {claimant}{item['claim']['text']}"

    def item_link(self, item: dict) -> str:
        return claim_url(item["id"])

    def item_guid(self, item: dict) -> str:
        return claim_url(item["id"])

    def item_pubdate(self, item: dict) -> datetime | None:
        return as_datetime(item["published_at"])

    def item_updateddate(self, item: dict) -> datetime | None:
        return as_datetime(item["updated_at"])

    def item_categories(self, item: dict) -> list[str]:
        return [translated_default(item["rating"]["label"])]


class AtomFactCheckFeed(FactCheckFeed):
    """The same fact-checks as Atom 1.0."""

    feed_type = Atom1Feed
    subtitle = FactCheckFeed.description


rss_feed = public_page(require_safe(FactCheckFeed()))
atom_feed = public_page(require_safe(AtomFactCheckFeed()))
