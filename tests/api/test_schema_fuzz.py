"""The OpenAPI schema of the review API, and schemathesis fuzzing it: no input makes a 500."""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from annotations.api.urls import review_urlpatterns
from tests.factories import SourceFactory, VerdictFactory

# Bounded: the suite must stay quick. Raise locally to hunt harder (e.g. 200).
MAX_EXAMPLES = 25


def review_schema() -> dict:
    """The review API's part of /api/schema/, as JSON."""
    generator = SchemaGenerator(patterns=[path("api/v1/", include(review_urlpatterns))])
    schema = generator.get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def test_schema_is_valid_openapi_with_every_endpoint_documented():
    schema = review_schema()
    validate_schema(schema)
    for url, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {url} has no summary"
            codes = set(operation["responses"])
            if "token" not in url:
                assert {"401", "403"} <= codes, f"{method} {url} documents no auth errors"
            if method in ("post", "put", "patch") and "token" not in url:
                assert "400" in codes, f"{method} {url} documents no 400"


SCHEMA = schemathesis.openapi.from_dict(review_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def wsgi_app():
    # Like Django's test client: keep the test's transaction open across "requests".
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_server_error_for_any_input(operation, wsgi_app, reviewer, editor, claim_by):
    # Real objects for the generated ids to hit now and then.
    claim = claim_by(reviewer)
    SourceFactory(claim=claim, created_by=reviewer)
    VerdictFactory(claim=claim_by(editor), author=editor)
    # As a reviewer; the editors' actions as an editor (a reviewer only ever gets 403 there).
    user = editor if operation.path.endswith(("/assign/", "/approve/", "/reject/")) else reviewer
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call(headers=headers, app=wsgi_app)
        statuses.add(response.status_code)
        case.validate_response(response, checks=[not_a_server_error])

    statuses = set()
    check()
    # The token was accepted: the fuzzing reached the views, not just the authentication.
    assert statuses - {401, 403}, statuses
