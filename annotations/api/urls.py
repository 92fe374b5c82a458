"""/api/v1/: one router; each concept registers its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from . import accounts, articles, claims, export, imports, moderation, sentences, verdicts

router = DefaultRouter()

# The review API (articles, claims and what hangs off them), also used alone by its tests.
review = SimpleRouter()
review.register("articles", articles.ArticleViewSet, basename="article")
review.register("claims", claims.ClaimViewSet, basename="claim")
review.register(r"claims/(?P<claim_pk>[0-9]+)/sources", claims.SourceViewSet, basename="source")
review.register(r"claims/(?P<claim_pk>[0-9]+)/comments", claims.CommentViewSet, basename="comment")
review.register(
    r"claims/(?P<claim_pk>[0-9]+)/verdicts", verdicts.ClaimVerdictViewSet, basename="claim-verdict"
)
review.register("verdicts", verdicts.VerdictViewSet, basename="verdict")
review.register("rating-scales", verdicts.RatingScaleViewSet, basename="rating-scale")
review.register("sentences", sentences.SentenceViewSet, basename="sentence")
review_urlpatterns = [
    path("auth/token/", accounts.TokenView.as_view(), name="auth-token"),
    path("me/", accounts.MeView.as_view(), name="me"),
    *review.urls,
]
router.register("exports", export.ExportJobViewSet, basename="export")
router.register("imports", imports.ImportJobViewSet, basename="import")

urlpatterns = [
    # Explicit moderation routes (claims/<id>/flags/, .../hide/, flags/, ...) before the router's.
    path("", include(moderation.urlpatterns)),
    path("", include(review_urlpatterns)),
    path("verified-claims/", export.VerifiedClaimsView.as_view(), name="verified-claims"),
    path(
        "verified-claims/withdrawn/",
        export.WithdrawnClaimsView.as_view(),
        name="verified-claims-withdrawn",
    ),
    path("", include(router.urls)),
]
