"""`Idempotency-Key` on every API POST: a repeat gets the first answer, never a second object.

One middleware for all API views (not a mixin per view). A POST to a DRF view that carries the
header runs inside one transaction that first inserts (user, key, hash of the request) in
`IdempotencyKey`. The unique constraint does the rest:

- a second request with the same key while the first still runs blocks on that insert until the
  first commits, then finds its stored answer and replays it (a double-click makes one object);
- the same key with another method, path or body is a 422 naming the header;
- an answer that is not a success (4xx, 5xx) is not kept: the row goes with the rolled-back
  transaction (or is deleted), so the client may fix the request and retry with the same key.

Keys are per user (two users' keys never meet) and expire after `IDEMPOTENCY_TTL`. The user is
the one the view's own authentication classes find (session or token), asked before the view
runs; a request they reject (anonymous, bad CSRF token) passes through for the view to refuse.
"""

import datetime
import hashlib
import json

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.views import APIView

from annotations.models import IdempotencyKey

HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Answer headers a client needs to carry on (the ETag of a new claim for its first edit).
REPLAYED_HEADERS = ("Content-Type", "ETag", "Location")


def document_header(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: every POST of the API lists the optional `Idempotency-Key`."""
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
        "description": "A key of yours (a UUID): a repeat of this request with the same key "
        "and body within 24 hours gets the first answer instead of acting twice; the same key "
        "with another body is a 422.",
    }
    for operations in result.get("paths", {}).values():
        post = operations.get("post")
        if post is not None:
            post.setdefault("parameters", []).append(parameter)
    return result


def request_fingerprint(request: HttpRequest) -> str:
    """sha256 of the method, path with query, and body (multipart: fields and file contents)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        # Reading `body` would load an upload into memory; the parsed form streams files from
        # disk, and DRF reuses the parse (request.POST/FILES) instead of reading the stream again.
        fields = sorted((name, request.POST.getlist(name)) for name in request.POST)
        digest.update(json.dumps(fields).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"\n{name}={upload.name}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(row.response_body, status=row.response_status)
    for name, value in row.response_headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _authenticated_user(request: HttpRequest, view_class: type[APIView]):
    """The user the view will authenticate, or None (the view then answers 401/403 itself).

    Asked without side effects: DRF's SessionAuthentication would check CSRF by reading the body
    as a form (before any parser is chosen) and, on failure, set the request's user to anonymous
    for the view too. The session's user is read as Django's middleware left it; the view still
    checks the CSRF token, and a refused request keeps no key. Other authenticators (the token)
    read headers only.
    """
    forced = getattr(request, "_force_auth_user", None)  # DRF's test client
    if forced is not None:
        return forced
    drf_request = Request(request)
    for auth_class in view_class.authentication_classes:
        if issubclass(auth_class, SessionAuthentication):
            user = getattr(request, "user", None)
        else:
            try:
                found = auth_class().authenticate(drf_request)
            except APIException:
                return None
            user = found[0] if found else None
        if user is not None and user.is_authenticated and user.is_active:
            return user
    return None


class IdempotencyKeyMiddleware:
    """Replays the first answer to a repeated POST with the same `Idempotency-Key`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        key = request.headers.get(HEADER)
        view_class = getattr(view_func, "cls", None)
        if (
            key is None
            or request.method != "POST"
            or not (isinstance(view_class, type) and issubclass(view_class, APIView))
        ):
            return None
        if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            return _error(
                400,
                f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters "
                "(a UUID is a good choice).",
            )
        user = _authenticated_user(request, view_class)
        if user is None:
            return None
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            row = self._claim_key(user=user, key=key, fingerprint=fingerprint)
            if row.response_status is not None:
                if row.request_hash != fingerprint:
                    return _error(
                        422,
                        f"This {HEADER} was already used for a different request (another "
                        "address or body) in the last 24 hours: send a new key for a new request.",
                    )
                return _replay(row)
            response = view_func(request, *view_args, **view_kwargs)
            self._keep(row, response)
        return response

    @staticmethod
    def _claim_key(*, user, key: str, fingerprint: str) -> IdempotencyKey:
        """The (user, key) row, locked: new and empty for a first request, else the stored one.

        The insert waits on a concurrent request's uncommitted row with the same key (the unique
        constraint), so a repeat sent while the first runs sees the first's committed answer.
        """
        now = timezone.now()
        IdempotencyKey.objects.filter(user=user, created_at__lt=now - IDEMPOTENCY_TTL).exclude(
            key=key
        ).delete()
        IdempotencyKey.objects.bulk_create(
            [IdempotencyKey(user=user, key=key, request_hash=fingerprint, created_at=now)],
            ignore_conflicts=True,
        )
        row = IdempotencyKey.objects.select_for_update().get(user=user, key=key)
        if row.response_status is not None and row.created_at < now - IDEMPOTENCY_TTL:
            # Expired: the key starts afresh for this request.
            row.request_hash, row.created_at = fingerprint, now
            row.response_status, row.response_body, row.response_headers = None, "", {}
            row.save()
        return row

    @staticmethod
    def _keep(row: IdempotencyKey, response: HttpResponse) -> None:
        """Store a success for replay; forget the key after a failure (the client may retry)."""
        if transaction.get_rollback():
            return  # the view's error rolls everything back, the key row with it
        if hasattr(response, "render") and callable(response.render):
            response.render()
        body = None
        if 200 <= response.status_code < 300 and not response.streaming:
            try:
                body = response.content.decode("utf-8")
            except UnicodeDecodeError:
                body = None
        if body is None:
            row.delete()
            return
        row.response_status = response.status_code
        row.response_body = body
        row.response_headers = {
            name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)
        }
        row.save(update_fields=["response_status", "response_body", "response_headers"])
