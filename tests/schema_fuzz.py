"""Schemathesis against our own OpenAPI schema: shared by the review and moderation suites."""

import json

import schemathesis
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error


def schema_for(urlpatterns: list) -> dict:
    """The part of /api/schema/ that `urlpatterns` (mounted at api/v1/) describe, as JSON."""
    generator = SchemaGenerator(patterns=[path("api/v1/", include(urlpatterns))])
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


def operations_of(schema: dict) -> list:
    return [result.ok() for result in schemathesis.openapi.from_dict(schema).get_all_operations()]


def assert_no_server_error(operation, *, user, app, max_examples: int) -> None:
    """Fuzz one operation as `user` (by token); fail on any 5xx, or if auth stopped everything."""
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    statuses: set[int] = set()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call(headers=headers, app=app)
        statuses.add(response.status_code)
        case.validate_response(response, checks=[not_a_server_error])

    check()
    # The token was accepted: the fuzzing reached the views, not just the authentication.
    assert statuses - {401, 403}, statuses
