"""/api/v1/: one router; each concept registers its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from . import accounts, articles, claims, export, imports, moderation, options, sentences, verdicts


class Router(DefaultRouter):
    """The API root and its routes, without `.json`/`.csv` suffix routes: `?format=` and Accept
    choose a format, as on the review API, and a suffixed action (`download.file`) handed its
    view a `format` argument it refused (a 500)."""

    include_format_suffixes = False


router = Router()

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
review.register(
    "checkworthiness-models",
    sentences.CheckworthinessModelViewSet,
    basename="checkworthiness-model",
)
review_urlpatterns = [
    path("auth/token/", accounts.TokenView.as_view(), name="auth-token"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("review-options/", options.ReviewOptionsView.as_view(), name="review-options"),
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
