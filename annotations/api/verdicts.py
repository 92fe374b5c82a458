"""Verdicts: submitting one on a claim, the editor's queue, approval, rejection; rating scales."""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from annotations import access, selectors, services
from annotations.models import Rating, RatingScale, Verdict

from . import serializers as s
from .common import (
    CLAIM_PK,
    ETAG,
    IF_MATCH,
    READ_ERRORS,
    UPDATE_ERRORS,
    WRITE_ERRORS,
    ClaimChildMixin,
    ConditionalUpdateMixin,
    CursorPage,
    OldestFirstPage,
    etag_for,
    lock_verdict,
    require_if_match,
    signed_in,
    update_schema,
    validated,
)
from .filters import VerdictFilter
from .permissions import HasAnyRole, IsEditor, ReadAnyRoleWriteReviewer


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
        # The claim rides along: each verdict's ETag covers its claim's review version.
        return (
            selectors.visible_verdicts(user=self.request.user)
            .filter(claim_id=self.get_claim().pk)
            .select_related("claim")
        )

    def create(self, request, *args, **kwargs):
        claim = self.get_claim()
        data = validated(s.VerdictInputSerializer, request)
        verdict = services.submit_verdict(claim=claim, author=request.user, **data)
        verdict = self.get_queryset().get(pk=verdict.pk)
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
    **update_schema(
        s.VerdictUpdateSerializer,
        s.VerdictSerializer,
        "Revise my draft (withdrawn) verdict (If-Match)",
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
        # The claim rides along: each verdict's ETag covers its claim's review version.
        return selectors.visible_verdicts(user=self.request.user).select_related("claim")

    def apply_update(self, verdict, data: dict) -> None:
        services.update_verdict(verdict=verdict, actor=signed_in(self.request), **data)

    def _decide(self, request, decide):
        """Lock the verdict and its claim, check If-Match against what the editor read, decide."""
        with transaction.atomic():
            verdict = lock_verdict(self.get_object().pk)
            require_if_match(request, etag_for(verdict))
            verdict = decide(verdict)
        return self.respond(self.get_queryset().get(pk=verdict.pk))

    @extend_schema(
        summary="Approve a verdict and publish the claim (editors, not their own)",
        description="`If-Match` must carry the verdict's ETag as the editor read it (from "
        "GET or its `etag` field): it covers the verdict, the claim's span and wording, and its "
        "sources, so any change since is a 412. On an already-published claim a `correction` "
        "note is required; it is published as a Correction of kind `update`, and the changes "
        "the verdict proposes apply. Nobody approves a verdict on a claim whose span, wording "
        "or sources they wrote or changed (403).",
        parameters=[IF_MATCH, ETAG],
        request=s.ApproveSerializer,
        responses={200: s.VerdictSerializer, **UPDATE_ERRORS},
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
        data = validated(s.ApproveSerializer, request)
        return self._decide(
            request,
            lambda verdict: services.approve_verdict(
                verdict=verdict, editor=request.user, correction=data.get("correction", "")
            ),
        )

    @extend_schema(
        summary="Send a verdict back with a reason (editors, not their own)",
        description="`If-Match` must carry the verdict's ETag as the editor read it (412 when "
        "stale, 428 when missing).",
        parameters=[IF_MATCH, ETAG],
        request=s.RejectSerializer,
        responses={200: s.VerdictSerializer, **UPDATE_ERRORS},
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
        data = validated(s.RejectSerializer, request)
        return self._decide(
            request,
            lambda verdict: services.reject_verdict(
                verdict=verdict, editor=request.user, reason=data["reason"]
            ),
        )

    @extend_schema(
        summary="Withdraw my submitted verdict (back to a draft; the claim may be edited again)",
        request=None,
        responses={200: s.VerdictSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def withdraw(self, request, pk=None):
        verdict = services.withdraw_verdict(verdict=self.get_object(), actor=request.user)
        return self.respond(self.get_queryset().get(pk=verdict.pk))

    @extend_schema(
        summary="Submit my draft (withdrawn) verdict to the editors again",
        request=None,
        responses={200: s.VerdictSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def submit(self, request, pk=None):
        verdict = services.resubmit_verdict(verdict=self.get_object(), actor=request.user)
        return self.respond(self.get_queryset().get(pk=verdict.pk))


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
    queryset = RatingScale.objects.none()  # for the schema

    def get_queryset(self):
        return (
            access.rating_scales_visible_to(self.request.user)
            .prefetch_related(Prefetch("ratings", queryset=Rating.objects.select_related("scale")))
            .order_by("-is_default", "slug")
        )
