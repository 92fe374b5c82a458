"""Shared by the review API's views: paging, ETag/If-Match, error docs, nested claims.

Views are thin: they check the shape of a request, call a service or a selector, and translate
the result. Who may do what to which object is decided in `annotations.services`.
"""

import datetime
import hashlib
import math

from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotAuthenticated, NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import access
from annotations.jobmessages import displayed_errors
from annotations.models import Claim, Verdict


def signed_in(request: Request) -> User:
    """The request's user, as the services want one: the views' permissions already turned
    anonymous requests away, so this only makes that explicit (and typed)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


MAX_ID = 2**63 - 1


# --- Pagination, errors, conditional requests ---------------------------------------------------


class CheckedCursorPagination(CursorPagination):
    """Cursor pages whose `?cursor=` is checked before it reaches the database.

    A cursor is base64 of `p=<position>&o=<offset>&r=<reverse>`, and anyone can write one: DRF
    answers one it cannot decode with a 404 and passes any position on to the query, where
    `p=abc` against an id or a date is a 500. Here both are a 400 naming `cursor`. Every cursor-
    paged list uses this class (tests/api/test_cursors.py walks the URLs to make sure).
    """

    # DRF types it as a str; a lazy string is what DRF's own message is.
    invalid_cursor_message = gettext_lazy(  # type: ignore[assignment]
        "Invalid cursor: pass the `next` or `previous` link of a page unchanged."
    )

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from exc
        if cursor is not None and cursor.position is not None:
            self._check_position(cursor.position)
        return cursor

    def _check_position(self, position: str) -> None:
        ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
        try:
            field = self._model._meta.get_field(ordering.lstrip("-"))
        except FieldDoesNotExist:
            # An annotation has no field to check against; every paged list orders by a model
            # field today (tests/api/test_cursors.py sends forged cursors to each).
            return
        try:
            value = field.to_python(position)
            field.run_validators(value)  # an integer's range, so PostgreSQL never overflows
        except (DjangoValidationError, ValueError, TypeError, OverflowError) as exc:
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from exc
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError({"cursor": [self.invalid_cursor_message]})  # nan and inf
        if isinstance(value, datetime.datetime) and value.tzinfo is None:
            # DRF writes aware times; a naive one is forged (and would be read in UTC silently).
            raise ValidationError({"cursor": [self.invalid_cursor_message]})


class CursorPage(CheckedCursorPagination):
    """Newest first; `?cursor=` from `next`/`previous`; stable while rows are added."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering: str | tuple[str, ...] = "-created_at"


class OldestFirstPage(CursorPage):
    ordering = "created_at"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = gettext_lazy(
        "Send If-Match with the ETag of the version you edited (GET it first)."
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy(
        "Someone changed this since you read it: GET it again, re-apply your change and send "
        "the new ETag in If-Match."
    )
    default_code = "precondition_failed"


def _error(description: str, example: dict) -> OpenApiResponse:
    return OpenApiResponse(
        response=OpenApiTypes.OBJECT,
        description=description,
        examples=[OpenApiExample(description, value=example, response_only=True)],
    )


E400 = _error(
    "Invalid input: field names map to messages, or `detail` for the whole request.",
    {"end": ["end 12 is before start 40: the span is reversed."]},
)
E401 = _error("Not signed in.", {"detail": "Authentication credentials were not provided."})
E403 = _error("Signed in, but not allowed.", {"detail": "Only editors may do this."})
E404 = _error(
    "No such object, or not visible to you.", {"detail": "No Claim matches the given query."}
)
E429 = _error(
    "Too many requests: wait the seconds `Retry-After` names.",
    {"detail": "Request was throttled. Expected available in 42 seconds."},
)
E412 = _error("If-Match names an outdated version.", {"detail": PreconditionFailed.default_detail})
E428 = _error("If-Match is missing.", {"detail": PreconditionRequired.default_detail})
READ_ERRORS = {401: E401, 403: E403, 404: E404}
WRITE_ERRORS = {400: E400, 401: E401, 403: E403, 404: E404}
UPDATE_ERRORS = {**WRITE_ERRORS, 412: E412, 428: E428}
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version being changed, from a GET or the last write.",
)
ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="Version tag of the returned object, to send back in If-Match.",
)
CLAIM_PK = OpenApiParameter("claim_pk", int, OpenApiParameter.PATH, description="Claim id.")


def etag_for(obj) -> str:
    """A strong ETag from the row's version counter (bumped by every save, in SQL).

    A verdict's tag also covers its claim's review version (span, wording, sources): an editor
    approves exactly the verdict, claim and sources they read, or gets a 412.
    """
    version = f"{obj._meta.label}:{obj.pk}:{obj.version}"
    if isinstance(obj, Verdict):
        version += f":{obj.claim.review_version}"
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


def require_if_match(request, current: str) -> None:
    """428 without `If-Match`, 412 unless it names `current`. Call it with the row locked."""
    if_match = request.headers.get("If-Match")
    if not if_match:
        raise PreconditionRequired()
    if current not in {tag.strip() for tag in if_match.split(",")}:
        raise PreconditionFailed()


def lock_verdict(pk: int) -> Verdict:
    """The verdict and its claim, locked in that order (as the services lock them)."""
    verdict = Verdict.objects.select_for_update().get(pk=pk)
    verdict.claim = Claim.objects.select_for_update().get(pk=verdict.claim_id)
    return verdict


class ConditionalUpdateMixin:
    """Detail responses carry an ETag; PUT/PATCH need `If-Match` with the current one.

    The row is locked while the tag is compared and the change applied, so two reviewers
    editing at once cannot both pass the check: the second gets 412.
    """

    output_class: type
    update_input_class: type

    def respond(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        response = Response(self.output_class(obj).data, status=status_code)
        response["ETag"] = etag_for(obj)
        return response

    def retrieve(self, request, *args, **kwargs):
        return self.respond(self.get_object())

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            current = self.get_object()
            if isinstance(current, Verdict):
                locked = lock_verdict(current.pk)
            else:
                locked = type(current).objects.select_for_update().get(pk=current.pk)
            require_if_match(request, etag_for(locked))
            serializer = self.update_input_class(data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.apply_update(locked, serializer.validated_data)
        return self.respond(self.get_object())

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def apply_update(self, obj, data: dict) -> None:
        raise NotImplementedError


def update_schema(input_class, output_class, summary: str) -> dict:
    """The schema of PUT and PATCH on a ConditionalUpdateMixin view."""
    doc = extend_schema(
        summary=summary,
        parameters=[IF_MATCH, ETAG],
        request=input_class,
        responses={200: output_class, **UPDATE_ERRORS},
    )
    return {"update": doc, "partial_update": doc}


class ClaimChildMixin:
    """Views nested under `claims/{claim_pk}/`: the claim must be visible to the user."""

    def get_claim(self):
        claim_pk = int(self.kwargs["claim_pk"])
        claim = None
        if claim_pk <= MAX_ID:
            claim = access.claims_visible_to(self.request.user).filter(pk=claim_pk).first()
        if claim is None:
            raise Http404(_("No Claim matches the given query."))
        return claim


def validated(serializer_class, request) -> dict:
    """The request body checked by `serializer_class` (a 400 naming the fields if not); the
    request is in its context (fields that take ids ask the access policy for whom)."""
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class JobErrorsShown(serializers.ModelSerializer):
    """A job serializer whose `errors` are as the reader sees them: each message in the
    request's language (English by default, as stored), where it happened as stored (`file`,
    `line`, `record`, `claim`). (A declared `errors` field would shadow Serializer.errors.)"""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if "errors" in data:
            data["errors"] = displayed_errors(instance.errors)
        return data
