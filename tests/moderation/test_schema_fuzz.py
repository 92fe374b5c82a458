"""The moderation endpoints' OpenAPI schema, and schemathesis fuzzing them: no input makes a 500."""

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

from annotations.api import moderation

MAX_EXAMPLES = 20  # bounded: the suite must stay quick


def moderation_schema() -> dict:
    generator = SchemaGenerator(patterns=[path("api/v1/", include(moderation.urlpatterns))])
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


def test_schema_is_valid_and_documents_summaries_and_errors():
    schema = moderation_schema()
    validate_schema(schema)
    assert len(schema["paths"]) == 13
    for url, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {url} has no summary"
            assert {"401", "403"} <= set(operation["responses"]), f"{method} {url}"
            if method == "post":
                assert "400" in operation["responses"], f"{method} {url} documents no 400"


SCHEMA = schemathesis.openapi.from_dict(moderation_schema())
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
def test_no_server_error_for_any_input(operation, wsgi_app, world, reviewer, moderator):
    # Flags as a reviewer (a moderator only gets 403 there); everything else as a moderator.
    user = reviewer if operation.path.endswith("/flags/") and "{" in operation.path else moderator
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
    assert statuses - {401, 403}, statuses
