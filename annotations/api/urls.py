"""/api/v1/: one router; each concept registers its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import imports

router = DefaultRouter()
router.register("imports", imports.ImportJobViewSet, basename="import")

urlpatterns = [
    path("", include(router.urls)),
]
