"""An error of an endpoint that streams or downloads its body (`?format=csv`, `jsonl`, `file`) is
its 4xx, written as JSON (or as the format can: the import errors' CSV), never a 500."""

import csv
import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, TemplateHTMLRenderer

from annotations.models import ExportJob, ImportJob
from tests.factories import UserFactory, published_claim

FEED = "/api/v1/verified-claims/"
BAD_FEED_FILTERS = {
    "bad-date": {"updated_since": "notadate"},
    "bad-article": {"article": "abc"},
    "nul-rating": {"rating": "a\x00"},
    "bad-published-after": {"published_after": "2025-13-45"},
}


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "claimreview"])
@pytest.mark.parametrize("params", BAD_FEED_FILTERS.values(), ids=BAD_FEED_FILTERS.keys())
def test_a_bad_feed_filter_is_a_json_400_in_every_format(client, db, fmt, params):
    published_claim()

    response = client.get(FEED, {"format": fmt, **params})

    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith(("application/json", "application/ld+json"))
    [name] = params
    assert name in response.json()


def test_a_bad_withdrawn_filter_is_a_json_400(client, db):
    response = client.get(f"{FEED}withdrawn/", {"since": "notadate"})

    assert response.status_code == 400
    assert "since" in response.json()


@pytest.fixture
def editor_client(client, db):
    editor = UserFactory(roles=["Editor"], is_staff=True)
    client.force_login(editor)
    client.editor = editor
    return client


@pytest.mark.parametrize("query", ["?format=file", ""])
def test_an_unfinished_export_download_is_a_json_409(editor_client, query):
    job = ExportJob.objects.create(created_by=editor_client.editor, format="csv")

    response = editor_client.get(
        f"/api/v1/exports/{job.pk}/download/{query}", HTTP_ACCEPT="text/csv"
    )

    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/json"
    assert "not ready" in response.json()["detail"]


@pytest.mark.parametrize("suffix", [".file", ".json", ".csv"])
def test_format_suffixes_are_not_routes(editor_client, suffix):
    job = ExportJob.objects.create(created_by=editor_client.editor, format="csv")

    assert editor_client.get(f"/api/v1/exports/{job.pk}/download{suffix}").status_code == 404
    assert editor_client.get(f"/api/v1/imports/{job.pk}/errors{suffix}").status_code == 404


@pytest.mark.parametrize("query", ["?format=file", "?format=csv", ""])
def test_a_missing_export_download_is_a_json_404(editor_client, query):
    response = editor_client.get(f"/api/v1/exports/999999/download/{query}")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_missing_import_errors_as_csv_are_a_404_in_csv(editor_client):
    response = editor_client.get("/api/v1/imports/999999/errors/?format=csv")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/csv")
    header, row = csv.reader(io.StringIO(response.content.decode()))
    assert header[-1] == "message" and row[-1]


def test_import_errors_of_another_kind_of_bad_format_are_a_4xx(editor_client):
    job = ImportJob.objects.create(created_by=editor_client.editor, original_name="a.jsonl")

    response = editor_client.get(f"/api/v1/imports/{job.pk}/errors/?format=xlsx")

    assert response.status_code == 404  # DRF's answer to an unknown ?format=, never a 500


def _renderers(patterns=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _renderers(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None)
            initkwargs = getattr(pattern.callback, "initkwargs", {}) or {}
            if view is not None and hasattr(view, "renderer_classes"):
                yield from initkwargs.get("renderer_classes", view.renderer_classes)


@pytest.mark.parametrize(
    "error",
    [{"detail": "Not found."}, {"updated_since": ["Enter a valid date/time."]}],
    ids=["detail", "fields"],
)
def test_every_renderer_of_every_api_view_can_write_an_error(error):
    renderer_classes = set(_renderers())
    assert renderer_classes

    for renderer_class in renderer_classes:
        assert issubclass(renderer_class, BaseRenderer)
        if issubclass(renderer_class, (BrowsableAPIRenderer, TemplateHTMLRenderer)):
            continue  # HTML pages (DRF's, the API docs): they render an error in their template
        body = renderer_class().render(error, renderer_context={})
        assert body, renderer_class
