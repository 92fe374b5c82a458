from django.contrib import admin
from django.db import connection
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and compose: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (the feeds, the admin): the
    icon the base templates link. A 302, cached for a day: the static name has a hash in it."""
    response = HttpResponseRedirect(static("frontend/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("annotations.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from drf-spectacular-sidecar (no CDN), its start-up script a file of its own
    # (`?script`), so the strict CSP needs no exception.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="frontend/api_docs.html"
        ),
        name="api-docs",
    ),
    # The language switcher posts to i18n/setlang/; the ES modules read their strings from the
    # catalogue of the active language (cached by the browser per language for a day).
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "jsi18n/",
        cache_page(86400, key_prefix="jsi18n")(JavaScriptCatalog.as_view()),
        name="javascript-catalog",
    ),
    path("", include("frontend.urls")),
]
