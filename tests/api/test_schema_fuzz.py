"""The OpenAPI schema of the review API, and schemathesis fuzzing it: no input makes a 500."""

import pytest
from drf_spectacular.validation import validate_schema

from annotations.api.urls import review_urlpatterns
from tests.factories import SourceFactory, VerdictFactory
from tests.schema_fuzz import assert_no_server_error, operations_of, schema_for

# Bounded: the suite must stay quick. Raise locally to hunt harder (e.g. 200).
MAX_EXAMPLES = 25


def test_schema_is_valid_openapi_with_every_endpoint_documented():
    schema = schema_for(review_urlpatterns)
    validate_schema(schema)
    for url, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {url} has no summary"
            codes = set(operation["responses"])
            if "token" not in url:
                assert {"401", "403"} <= codes, f"{method} {url} documents no auth errors"
            if method in ("post", "put", "patch") and "token" not in url:
                assert "400" in codes, f"{method} {url} documents no 400"


OPERATIONS = operations_of(schema_for(review_urlpatterns))


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_server_error_for_any_input(operation, wsgi_app, reviewer, editor, claim_by):
    # Real objects for the generated ids to hit now and then.
    claim = claim_by(reviewer)
    SourceFactory(claim=claim, created_by=reviewer)
    VerdictFactory(claim=claim_by(editor), author=editor)
    # As a reviewer; the editors' actions as an editor (a reviewer only ever gets 403 there).
    editors_only = ("/assign/", "/status/", "/approve/", "/reject/", "/checkworthiness-models/")
    user = editor if operation.path.endswith(editors_only) else reviewer
    assert_no_server_error(operation, user=user, app=wsgi_app, max_examples=MAX_EXAMPLES)
