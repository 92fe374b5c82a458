"""Schemathesis on the public feed, the withdrawn list and export jobs: no input makes a 500."""

import pytest
from django.urls import path
from rest_framework.routers import SimpleRouter

from annotations import moderation
from annotations.api import export
from tests.factories import published_claim
from tests.schema_fuzz import assert_no_server_error, operations_of, schema_for

MAX_EXAMPLES = 20  # bounded: the suite must stay quick

_jobs = SimpleRouter()
_jobs.register("exports", export.ExportJobViewSet, basename="export")
URLPATTERNS = [
    path("verified-claims/", export.VerifiedClaimsView.as_view(), name="verified-claims"),
    path("verified-claims/withdrawn/", export.WithdrawnClaimsView.as_view()),
    *_jobs.urls,
]
OPERATIONS = operations_of(schema_for(URLPATTERNS))


def test_every_export_operation_is_fuzzed():
    assert {op.label for op in OPERATIONS} >= {
        "GET /api/v1/verified-claims/",
        "GET /api/v1/verified-claims/withdrawn/",
        "POST /api/v1/exports/",
        "GET /api/v1/exports/{id}/download/",
    }


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_server_error_for_any_input(operation, wsgi_app, editor, moderator, settings):
    # Anonymous feeds are throttled; the fuzzing must reach the views, not the throttle.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}),
            "anon": "100000/minute",
        },
    }
    published_claim()
    moderation.retract_verdict(
        verdict=published_claim().published_verdict, moderator=moderator, note="Revised."
    )
    assert_no_server_error(operation, user=editor, app=wsgi_app, max_examples=MAX_EXAMPLES)
