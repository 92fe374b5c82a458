"""Claims, and the sources and comments nested under `claims/{claim_pk}/`."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from annotations import access, selectors, services
from annotations.memory import suggestions
from annotations.models import Article, Claim, Comment, Source
from annotations.services import revisions

from . import memory as m
from . import serializers as s
from .common import (
    CLAIM_PK,
    ETAG,
    READ_ERRORS,
    WRITE_ERRORS,
    ClaimChildMixin,
    ConditionalUpdateMixin,
    CursorPage,
    OldestFirstPage,
    signed_in,
    update_schema,
    validated,
)
from .filters import ClaimFilter
from .moderation import CorrectionSerializer
from .permissions import ReadAnyRoleWriteReviewer


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
    **update_schema(s.ClaimUpdateSerializer, s.ClaimSerializer, "Edit a claim (If-Match)"),
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
        data = validated(s.ClaimCreateSerializer, request)
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
        services.update_claim(claim=claim, actor=signed_in(self.request), **data)

    def perform_destroy(self, claim) -> None:
        services.delete_claim(claim=claim, actor=signed_in(self.request))

    @extend_schema(
        summary="A claim's public correction notes, oldest first (a plain list)",
        responses={200: CorrectionSerializer(many=True), **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def corrections(self, request, pk=None):
        corrections = (
            access.corrections_visible_to(request.user)
            .filter(claim=self.get_object())
            .select_related("created_by")
            .order_by("created_at", "id")
        )
        return Response(CorrectionSerializer(corrections, many=True).data)

    @extend_schema(
        summary="Earlier fact-checks like this claim (suggestions, best first)",
        responses={200: m.ClaimMatchesSerializer, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def matches(self, request, pk=None):
        return Response(suggestions.claim_matches(claim=self.get_object(), user=request.user))

    @extend_schema(
        summary="Link the claim to the earlier fact-check it repeats (DELETE clears it)",
        request=m.SameAsSerializer,
        responses={200: s.ClaimSerializer, **WRITE_ERRORS},
        examples=[OpenApiExample("Same as #123", value={"claim": 123}, request_only=True)],
    )
    @action(
        detail=True,
        methods=["post", "delete"],
        url_path="same-as",
        filterset_class=None,
        pagination_class=None,
    )
    def same_as(self, request, pk=None):
        claim = self.get_object()
        # The earlier claim or external check: one the access policy lets the user see.
        data = {} if request.method == "DELETE" else validated(m.SameAsSerializer, request)
        services.link_same_as(
            claim=claim,
            actor=request.user,
            same_as=data.get("claim"),
            external=data.get("external"),
        )
        return self.respond(self.get_queryset().get(pk=claim.pk))

    @extend_schema(
        summary="Accept a changed claim's new text after re-review (living articles)",
        request=None,
        responses={200: s.ClaimSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="accept-anchor", filterset_class=None)
    def accept_anchor(self, request, pk=None):
        claim = revisions.accept_anchor(claim=self.get_object(), actor=request.user)
        return self.respond(self.get_queryset().get(pk=claim.pk))


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
    **update_schema(s.SourceInputSerializer, s.SourceSerializer, "Edit a source (If-Match)"),
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
        data = validated(s.SourceInputSerializer, request)
        source = services.add_source(claim=claim, created_by=request.user, **data)
        return self.respond(source, status.HTTP_201_CREATED)

    def apply_update(self, source, data: dict) -> None:
        services.update_source(source=source, actor=signed_in(self.request), **data)

    def perform_destroy(self, source) -> None:
        services.delete_source(source=source, actor=signed_in(self.request))


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
        data = validated(s.CommentInputSerializer, request)
        comment = services.add_comment(claim=self.get_claim(), author=request.user, **data)
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        data = validated(s.CommentInputSerializer, request)
        comment = services.update_comment(
            comment=self.get_object(), actor=request.user, body=data["body"]
        )
        return Response(s.CommentSerializer(comment).data)

    def perform_destroy(self, comment) -> None:
        services.delete_comment(comment=comment, actor=signed_in(self.request))
