"""The moderation endpoints' OpenAPI schema, and schemathesis fuzzing them: no input makes a 500."""

import pytest
from drf_spectacular.validation import validate_schema

from annotations.api import moderation
from tests.schema_fuzz import assert_no_server_error, operations_of, schema_for

MAX_EXAMPLES = 20  # bounded: the suite must stay quick


def test_schema_is_valid_and_documents_summaries_and_errors():
    schema = schema_for(moderation.urlpatterns)
    validate_schema(schema)
    assert len(schema["paths"]) == 13
    for url, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {url} has no summary"
            assert {"401", "403"} <= set(operation["responses"]), f"{method} {url}"
            if method == "post":
                assert "400" in operation["responses"], f"{method} {url} documents no 400"


OPERATIONS = operations_of(schema_for(moderation.urlpatterns))


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_server_error_for_any_input(operation, wsgi_app, world, reviewer, moderator):
    # Flags as a reviewer (a moderator only gets 403 there); everything else as a moderator.
    user = reviewer if operation.path.endswith("/flags/") and "{" in operation.path else moderator
    assert_no_server_error(operation, user=user, app=wsgi_app, max_examples=MAX_EXAMPLES)
