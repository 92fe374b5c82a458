"""`POST /api/v1/exports/count/`: how many claims an export would write, before it starts."""

import pytest

from annotations.models import AuditEvent, ExportJob
from tests.factories import ArticleFactory, published_claim

COUNT = "/api/v1/exports/count/"


@pytest.fixture
def claims(db):
    spanish = ArticleFactory(language="es")
    return [published_claim(), published_claim(), published_claim(article=spanish)]


def test_count_is_the_number_of_matching_published_claims(client_for, reviewer, claims):
    client = client_for(reviewer)
    assert client.post(COUNT, {"format": "jsonl"}, format="json").json() == {"count": 3}
    answer = client.post(COUNT, {"format": "csv", "language": "es"}, format="json")
    assert answer.status_code == 200
    assert answer.json() == {"count": 1}
    nothing = client.post(COUNT, {"format": "csv", "rating": "true"}, format="json")
    assert nothing.json() == {"count": 0}
    # A dry run starts nothing and records nothing.
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action="export.started").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"format": "jsonl", "updated_since": "yesterday"}, "updated_since"),
        ({"format": "jsonl", "colour": "red"}, "colour"),
    ],
)
def test_count_names_a_bad_field(client_for, reviewer, body, field):
    answer = client_for(reviewer).post(COUNT, body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()


@pytest.mark.parametrize(("who", "status"), [(None, 403), ("outsider", 403)])
def test_count_needs_a_role(client_for, request, who, status):
    user = request.getfixturevalue(who) if who else None
    assert client_for(user).post(COUNT, {"format": "jsonl"}, format="json").status_code == status
