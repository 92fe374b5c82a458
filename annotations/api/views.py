"""The review API: articles, claims, sources, comments, verdicts, rating scales, me, tokens.

Views are thin: they check the shape of a request, call a service or a selector, and translate
the result. Who may do what to which object is decided in `annotations.services`.
"""

import hashlib

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from annotations import selectors, services
from annotations.models import Article, Claim, Comment, Rating, RatingScale, Source, Verdict

from . import serializers as s
from .filters import ArticleFilter, ClaimFilter, VerdictFilter
from .permissions import HasAnyRole, IsEditor, ReadAnyRoleWriteReviewer

MAX_ID = 2**63 - 1


# --- Pagination, errors, conditional requests ---------------------------------------------------


class CursorPage(CursorPagination):
    """Newest first; `?cursor=` from `next`/`previous`; stable while rows are added."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-created_at"


class OldestFirstPage(CursorPage):
    ordering = "created_at"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "Send If-Match with the ETag of the version you edited (GET it first)."
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
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
    """A strong ETag: changes whenever the row is saved (every write touches `updated_at`)."""
    version = f"{obj._meta.label}:{obj.pk}:{obj.updated_at.isoformat()}"
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


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
            locked = type(current).objects.select_for_update().get(pk=current.pk)
            if_match = request.headers.get("If-Match")
            if not if_match:
                raise PreconditionRequired()
            if etag_for(locked) not in {tag.strip() for tag in if_match.split(",")}:
                raise PreconditionFailed()
            serializer = self.update_input_class(data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.apply_update(locked, serializer.validated_data)
        return self.respond(self.get_object())

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def apply_update(self, obj, data: dict) -> None:
        raise NotImplementedError


def _update_schema(input_class, output_class, summary: str) -> dict:
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
            claim = selectors.visible_claims(user=self.request.user).filter(pk=claim_pk).first()
        if claim is None:
            raise Http404("No Claim matches the given query.")
        return claim


# --- Auth and me --------------------------------------------------------------------------------


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (`Authorization: Token <key>`)."""

    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        summary="Get an API token",
        auth=[],
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, 400: E400},
        examples=[
            OpenApiExample(
                "Login", value={"username": "reviewer", "password": "…"}, request_only=True
            ),
            OpenApiExample(
                "Token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
            ),
        ],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who am I, my roles and my work queue",
        responses={200: s.MeSerializer, 401: E401, 403: E403},
    )
    def get(self, request):
        user = request.user
        return Response(
            s.MeSerializer({"user": user, "queue": selectors.work_queue(user=user)}).data
        )


# --- Articles -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Find articles", responses={200: s.ArticleListSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        summary="An article with its sentences and claims",
        responses={200: s.ArticleDetailSerializer, **READ_ERRORS},
    ),
)
class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasAnyRole]
    filterset_class = ArticleFilter
    pagination_class = CursorPage
    queryset = Article.objects.none()  # for the schema; get_queryset picks by action

    def get_queryset(self):
        user = self.request.user
        if self.action == "retrieve":
            return selectors.article_with_sentences(user=user)
        if self.action == "list":
            return selectors.articles_for_list(user=user)
        return Article.objects.all()

    def get_serializer_class(self):
        return s.ArticleDetailSerializer if self.action == "retrieve" else s.ArticleListSerializer

    @extend_schema(
        summary="Assign the article to a reviewer (editors)",
        request=s.AssignSerializer,
        responses={200: s.ArticleListSerializer, **WRITE_ERRORS},
        examples=[OpenApiExample("Assign", value={"assignee": 7}, request_only=True)],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsEditor], filterset_class=None)
    def assign(self, request, pk=None):
        data = _valid(s.AssignSerializer, request)
        article = services.assign_article(
            article=self.get_object(), assignee=data["assignee"], actor=request.user
        )
        article = selectors.articles_for_list(user=request.user).get(pk=article.pk)
        return Response(s.ArticleListSerializer(article).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Claims -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Find claims", responses={200: s.ClaimSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        summary="A claim",
        parameters=[ETAG],
        responses={200: s.ClaimSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Mark a claim by offsets or by sentences",
        parameters=[ETAG],
        request=s.ClaimCreateSerializer,
        responses={201: s.ClaimSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "By offsets",
                value={"article": 1, "start": 0, "end": 66, "claimant": "Officials"},
                request_only=True,
            ),
            OpenApiExample(
                "By sentences", value={"article": 1, "sentences": [3, 4]}, request_only=True
            ),
        ],
    ),
    destroy=extend_schema(
        summary="Delete my unpublished claim", responses={204: None, **WRITE_ERRORS}
    ),
    **_update_schema(s.ClaimUpdateSerializer, s.ClaimSerializer, "Edit a claim (If-Match)"),
)
class ClaimViewSet(
    ConditionalUpdateMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReadAnyRoleWriteReviewer]
    filterset_class = ClaimFilter
    pagination_class = CursorPage
    queryset = Claim.objects.none()  # the model, for the schema; get_queryset reads
    serializer_class = s.ClaimSerializer
    output_class = s.ClaimSerializer
    update_input_class = s.ClaimUpdateSerializer

    def get_queryset(self):
        return selectors.claims_for_display(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = _valid(s.ClaimCreateSerializer, request)
        claim = services.create_claim(
            article=Article.objects.get(pk=data["article"].pk),
            created_by=request.user,
            start=data.get("start"),
            end=data.get("end"),
            sentence_ids=data.get("sentences"),
            claimant=data.get("claimant", ""),
            text=data.get("text", ""),
        )
        return self.respond(self.get_queryset().get(pk=claim.pk), status.HTTP_201_CREATED)

    def apply_update(self, claim, data: dict) -> None:
        if "sentences" in data:
            data["sentence_ids"] = data.pop("sentences")
        services.update_claim(claim=claim, actor=self.request.user, **data)

    def perform_destroy(self, claim) -> None:
        services.delete_claim(claim=claim, actor=self.request.user)


# --- Sources and comments -----------------------------------------------------------------------


@extend_schema(parameters=[CLAIM_PK])
@extend_schema_view(
    list=extend_schema(
        summary="A claim's sources", responses={200: s.SourceSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        summary="A source", parameters=[ETAG], responses={200: s.SourceSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Cite a source",
        parameters=[ETAG],
        request=s.SourceInputSerializer,
        responses={201: s.SourceSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "Report",
                value={
                    "url": "https://www.example.gov/emissions-2030.pdf",
                    "title": "Emissions projections 2030",
                    "publisher": "Ministry of Environment",
                    "quote": "Emissions are projected to fall by 12 percent by 2030.",
                    "stance": "refutes",
                },
                request_only=True,
            )
        ],
    ),
    destroy=extend_schema(summary="Remove a source", responses={204: None, **WRITE_ERRORS}),
    **_update_schema(s.SourceInputSerializer, s.SourceSerializer, "Edit a source (If-Match)"),
)
class SourceViewSet(
    ClaimChildMixin,
    ConditionalUpdateMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReadAnyRoleWriteReviewer]
    pagination_class = OldestFirstPage
    filterset_class = None
    queryset = Source.objects.none()
    serializer_class = s.SourceSerializer
    output_class = s.SourceSerializer
    update_input_class = s.SourceInputSerializer

    def get_queryset(self):
        return selectors.visible_sources(user=self.request.user).filter(
            claim_id=self.get_claim().pk
        )

    def create(self, request, *args, **kwargs):
        claim = self.get_claim()
        data = _valid(s.SourceInputSerializer, request)
        source = services.add_source(claim=claim, created_by=request.user, **data)
        return self.respond(source, status.HTTP_201_CREATED)

    def apply_update(self, source, data: dict) -> None:
        services.update_source(source=source, actor=self.request.user, **data)

    def perform_destroy(self, source) -> None:
        services.delete_source(source=source, actor=self.request.user)


@extend_schema(parameters=[CLAIM_PK])
@extend_schema_view(
    list=extend_schema(
        summary="A claim's discussion",
        responses={200: s.CommentSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A comment", responses={200: s.CommentSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Comment on a claim",
        request=s.CommentInputSerializer,
        responses={201: s.CommentSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample("Comment", value={"body": "Check the 2023 revision."}, request_only=True)
        ],
    ),
    update=extend_schema(
        summary="Edit my comment",
        request=s.CommentInputSerializer,
        responses={200: s.CommentSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit my comment",
        request=s.CommentInputSerializer,
        responses={200: s.CommentSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(summary="Delete my comment", responses={204: None, **WRITE_ERRORS}),
)
class CommentViewSet(
    ClaimChildMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReadAnyRoleWriteReviewer]
    pagination_class = OldestFirstPage
    filterset_class = None
    queryset = Comment.objects.none()
    serializer_class = s.CommentSerializer

    def get_queryset(self):
        return selectors.visible_comments(user=self.request.user).filter(
            claim_id=self.get_claim().pk
        )

    def create(self, request, *args, **kwargs):
        data = _valid(s.CommentInputSerializer, request)
        comment = services.add_comment(claim=self.get_claim(), author=request.user, **data)
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        data = _valid(s.CommentInputSerializer, request)
        comment = services.update_comment(
            comment=self.get_object(), actor=request.user, body=data["body"]
        )
        return Response(s.CommentSerializer(comment).data)

    def perform_destroy(self, comment) -> None:
        services.delete_comment(comment=comment, actor=self.request.user)


# --- Verdicts -----------------------------------------------------------------------------------


@extend_schema(parameters=[CLAIM_PK])
@extend_schema_view(
    list=extend_schema(
        summary="A claim's verdicts, oldest first",
        responses={200: s.VerdictSerializer(many=True), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Submit a verdict for approval",
        parameters=[ETAG],
        description="Refused (400) unless the claim has a source and the explanation is "
        "long enough (`VERDICT_MIN_EXPLANATION_LENGTH`, 20 characters by default).",
        request=s.VerdictInputSerializer,
        responses={201: s.VerdictSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "Verdict",
                value={
                    "rating": "false",
                    "explanation": "The ministry's own projection is a 12 percent cut, not 40.",
                },
                request_only=True,
            )
        ],
    ),
)
class ClaimVerdictViewSet(
    ClaimChildMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [ReadAnyRoleWriteReviewer]
    pagination_class = OldestFirstPage
    filterset_class = None
    queryset = Verdict.objects.none()
    serializer_class = s.VerdictSerializer

    def get_queryset(self):
        return selectors.visible_verdicts(user=self.request.user).filter(
            claim_id=self.get_claim().pk
        )

    def create(self, request, *args, **kwargs):
        claim = self.get_claim()
        data = _valid(s.VerdictInputSerializer, request)
        verdict = services.submit_verdict(claim=claim, author=request.user, **data)
        response = Response(s.VerdictSerializer(verdict).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(verdict)
        return response


@extend_schema_view(
    list=extend_schema(
        summary="Find verdicts (the editor's queue: ?status=submitted)",
        responses={200: s.VerdictSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A verdict", parameters=[ETAG], responses={200: s.VerdictSerializer, **READ_ERRORS}
    ),
    **_update_schema(
        s.VerdictUpdateSerializer, s.VerdictSerializer, "Revise my submitted verdict (If-Match)"
    ),
)
class VerdictViewSet(
    ConditionalUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReadAnyRoleWriteReviewer]
    pagination_class = CursorPage
    filterset_class = VerdictFilter
    queryset = Verdict.objects.none()
    serializer_class = s.VerdictSerializer
    output_class = s.VerdictSerializer
    update_input_class = s.VerdictUpdateSerializer

    def get_queryset(self):
        return selectors.visible_verdicts(user=self.request.user)

    def apply_update(self, verdict, data: dict) -> None:
        services.update_verdict(verdict=verdict, actor=self.request.user, **data)

    @extend_schema(
        summary="Approve a verdict and publish the claim (editors, not their own)",
        description="On an already-published claim a `correction` note is required; it is "
        "published as a Correction of kind `update`.",
        request=s.ApproveSerializer,
        responses={200: s.VerdictSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample("First publication", value={}, request_only=True),
            OpenApiExample(
                "Update of a published verdict",
                value={"correction": "New figures from the 2024 inventory change the rating."},
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsEditor], filterset_class=None)
    def approve(self, request, pk=None):
        data = _valid(s.ApproveSerializer, request)
        verdict = services.approve_verdict(
            verdict=self.get_object(), editor=request.user, correction=data.get("correction", "")
        )
        return self.respond(self.get_queryset().get(pk=verdict.pk))

    @extend_schema(
        summary="Send a verdict back with a reason (editors, not their own)",
        request=s.RejectSerializer,
        responses={200: s.VerdictSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "Reason",
                value={"reason": "The source is from 2019; find the current one."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsEditor], filterset_class=None)
    def reject(self, request, pk=None):
        data = _valid(s.RejectSerializer, request)
        verdict = services.reject_verdict(
            verdict=self.get_object(), editor=request.user, reason=data["reason"]
        )
        return self.respond(self.get_queryset().get(pk=verdict.pk))


# --- Rating scales ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Rating scales with their ClaimReview mapping",
        responses={200: s.RatingScaleSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="A rating scale", responses={200: s.RatingScaleSerializer, **READ_ERRORS}
    ),
)
class RatingScaleViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasAnyRole]
    serializer_class = s.RatingScaleSerializer
    filterset_class = None
    queryset = RatingScale.objects.prefetch_related(
        Prefetch("ratings", queryset=Rating.objects.select_related("scale"))
    ).order_by("-is_default", "slug")
