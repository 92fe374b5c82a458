"""A JSON body nested too deeply is a 400 on every POST/PUT/PATCH of the API, signed in or not,
never a RecursionError's 500; the sign-in throttles still count such a request."""

import io
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.test import APIClient

from annotations import moderation
from annotations.api.common import etag_for
from annotations.api.parsers import MAX_JSON_DEPTH, JSONParser
from annotations.models import ExportJob, ImportJob
from tests.factories import ClaimFactory, SourceFactory, UserFactory, VerdictFactory

NESTED = '{"a":' + "[" * 5000 + "]" * 5000 + "}"
WRITES = ("post", "put", "patch")


def _write_routes(patterns=None, prefix=""):
    """(path template, method) of every API route that takes a body."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = URLResolver._join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _write_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            view = getattr(pattern.callback, "cls", None)
            actions = getattr(pattern.callback, "actions", None)
            methods = (
                set(actions)
                if actions is not None
                else {m for m in WRITES if view and hasattr(view, m)}
            )
            for method in sorted(methods & set(WRITES)):
                yield route, method


ROUTES = sorted(set(_write_routes()))
# Actions that take no body: DRF never parses it, so any JSON passes through unread.
BODYLESS = ("/accept-anchor/", "/cancel/", "/submit/", "/withdraw/")


def _path(route: str, ids: dict[str, int]) -> str:
    """The route with each id the object of the segment before it: claims/<pk> a claim's id."""
    path = "/" + route.lstrip("^").rstrip("$")
    path = re.sub(r"\(\?P<claim_pk>[^)]*\)", str(ids["claims"]), path)

    def object_id(match: re.Match) -> str:
        return f"{match.group(1)}/{ids[match.group(1)]}"

    return re.sub(r"([a-z-]+)/(?:<int:pk>|\(\?P<pk>[^)]*\))", object_id, path)


@pytest.fixture
def world(db):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    claim = ClaimFactory()
    source = SourceFactory(claim=claim)
    verdict = VerdictFactory(claim=claim, author=claim.created_by)
    comment = claim.comments.create(author=root, body="A note.")  # only its author edits it
    flagger = UserFactory(roles=["Reviewer"])
    flag = moderation.flag_content(target=claim, user=flagger, reason="wrong", note="")
    return root, {
        "claims": claim.pk,
        "sources": source.pk,
        "comments": comment.pk,
        "verdicts": verdict.pk,
        "flags": flag.pk,
        "articles": claim.article_id,
        "imports": ImportJob.objects.create(created_by=root, original_name="a.jsonl").pk,
        "exports": ExportJob.objects.create(created_by=root, format="csv").pk,
        "objects": {"claims": claim, "sources": source, "comments": comment, "verdicts": verdict},
    }


def _if_match(route: str, ids: dict) -> dict[str, str]:
    """The current ETag of the object a PUT/PATCH edits, so the view gets as far as the body."""
    kind = re.findall(r"([a-z]+)/\(\?P<pk>", route)
    obj = ids["objects"].get(kind[-1]) if kind else None
    if not hasattr(obj, "version"):  # comments have no ETag
        return {}
    obj.refresh_from_db()  # the version counter moves in SQL
    return {"HTTP_IF_MATCH": etag_for(obj)}


def _views(patterns=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            initkwargs = getattr(pattern.callback, "initkwargs", {}) or {}
            yield pattern.callback.cls, initkwargs.get("parser_classes")


def test_every_api_view_parses_json_with_the_projects_parser():
    for view, action_parsers in _views():
        for parser in action_parsers or getattr(view, "parser_classes", []):
            if issubclass(parser, DRFJSONParser):
                assert issubclass(parser, JSONParser), f"{view.__name__}: {parser}"


def test_every_write_route_is_walked():
    assert len(ROUTES) > 30
    assert ("api/v1/auth/token/", "post") in ROUTES


@pytest.mark.parametrize(("route", "method"), ROUTES)
def test_a_deeply_nested_body_is_a_400_when_signed_in(world, route, method):
    root, ids = world
    client = APIClient()
    client.force_authenticate(root)
    headers = _if_match(route, ids) if method != "post" else {}

    response = getattr(client, method)(
        _path(route, ids), NESTED, content_type="application/json", **headers
    )

    if any(action in route for action in BODYLESS):
        assert response.status_code < 500, response.content[:300]
        return
    assert response.status_code == 400, (response.status_code, response.content[:300])
    if route != "api/v1/auth/token/":  # there the username throttle read the body first
        assert "nested deeper" in response.json()["detail"]


@pytest.mark.parametrize(("route", "method"), ROUTES)
def test_a_deeply_nested_body_is_a_4xx_when_anonymous(world, route, method):
    _, ids = world

    response = getattr(APIClient(), method)(
        _path(route, ids), NESTED, content_type="application/json"
    )

    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if route == "api/v1/auth/token/":
        assert response.status_code == 400


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900, 5000])
def test_the_parser_refuses_a_body_past_the_depth_limit(depth):
    body = ("[" * depth + "]" * depth).encode()

    with pytest.raises(ParseError, match="nested deeper"):
        JSONParser().parse(io.BytesIO(body))


def test_the_parser_takes_a_body_at_the_depth_limit():
    body = ("[" * MAX_JSON_DEPTH + "1" + "]" * MAX_JSON_DEPTH).encode()

    assert JSONParser().parse(io.BytesIO(body))


def test_unparseable_sign_in_attempts_are_still_throttled(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login": "3/minute",
        },
    }
    client = APIClient()

    statuses = [
        client.post("/api/v1/auth/token/", NESTED, content_type="application/json").status_code
        for _ in range(4)
    ]

    assert statuses == [400, 400, 400, 429]
