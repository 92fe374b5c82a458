"""Moderation endpoints: flag content, the open-flag list, hide/unhide, dismiss, retract, history.

Separate views (not actions on the review viewsets) so the claims/sources/comments viewsets stay
one concern each; `urlpatterns` here is included by `annotations/api/urls.py` before the router.
Every view is a few lines around a function of `annotations.moderation`.
"""

from django.db.models import Model, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import access, moderation
from annotations.models import AuditEvent, Claim, Comment, Correction, Flag, Source

from .common import CheckedCursorPagination
from .permissions import IsEditor, IsModerator, IsReviewer

# --- Serializers --------------------------------------------------------------------------------


class FlagInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Flag.Reason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class CorrectionNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=10000)


class FlagSerializer(serializers.ModelSerializer):
    target_type = serializers.CharField(source="content_type.model", read_only=True)
    target_id = serializers.IntegerField(source="object_id", read_only=True)
    target_text = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    resolved_by = serializers.CharField(source="resolved_by.username", read_only=True, default=None)

    class Meta:
        model = Flag
        fields = (
            "id",
            "target_type",
            "target_id",
            "target_text",
            "reason",
            "note",
            "status",
            "created_by",
            "created_at",
            "resolved_by",
            "resolved_at",
            "resolution_note",
        )

    def get_target_text(self, flag: Flag) -> str | None:
        # `target` is prefetched by the list view (one query per content type).
        return str(flag.target) if flag.target is not None else None


class HiddenStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    is_hidden = serializers.BooleanField()
    hidden_reason = serializers.CharField()
    hidden_by = serializers.CharField(source="hidden_by.username", default=None)
    hidden_at = serializers.DateTimeField(allow_null=True)


class CorrectionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Correction
        fields = ("id", "claim", "verdict", "kind", "note", "created_by", "created_at")


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    object_type = serializers.CharField(source="content_type.model", default=None, read_only=True)

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "created_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
        )


ERRORS = {
    400: OpenApiResponse(description='Invalid input: `{"field": ["message"]}` or `{"detail"}`.'),
    401: OpenApiResponse(description="Not signed in."),
    403: OpenApiResponse(description="Signed in, but not in a role allowed to do this."),
    404: OpenApiResponse(description="No such object (hidden content is not found by reviewers)."),
}
READ_ERRORS = {code: ERRORS[code] for code in (401, 403, 404)}

# --- Views --------------------------------------------------------------------------------------


class FlagContentView(APIView):
    """Flag a claim, source or comment for the moderators (once per person)."""

    model: type[Model] = Claim
    permission_classes = [IsReviewer]

    @extend_schema(
        summary="Flag for the moderators",
        request=FlagInputSerializer,
        responses={201: FlagSerializer, **ERRORS},
    )
    def post(self, request, pk: int) -> Response:
        target = get_object_or_404(access.visible_to(request.user, self.model), pk=pk)
        data = FlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = moderation.flag_content(target=target, user=request.user, **data.validated_data)
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class FlagPagination(CheckedCursorPagination):
    ordering = ("created_at", "id")  # oldest first: the queue's order
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class FlagListView(generics.ListAPIView):
    """Flags for moderators; `?status=open` is the queue (oldest first). A flag quotes what it is
    about, hidden content included: staff status alone does not open it."""

    permission_classes = [IsModerator]
    serializer_class = FlagSerializer
    pagination_class = FlagPagination
    filterset_fields = ("status", "reason")

    @extend_schema(
        summary="List flags (`?status=open`: the moderation queue)",
        responses={200: FlagSerializer(many=True), 401: ERRORS[401], 403: ERRORS[403]},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Flag]:
        return access.flags_visible_to(self.request.user).select_related(
            "content_type", "created_by", "resolved_by"
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # GenericForeignKey prefetch: one query per content type on the page, not one per flag.
        prefetch_related_objects(page, "target")
        return page


class DismissFlagView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        summary="Dismiss a flag",
        request=ReasonSerializer,
        responses={200: FlagSerializer, **ERRORS},
    )
    def post(self, request, pk: int) -> Response:
        flag = get_object_or_404(access.flags_visible_to(request.user), pk=pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = moderation.dismiss_flag(
            flag=flag, moderator=request.user, reason=data.validated_data["reason"]
        )
        return Response(FlagSerializer(flag).data)


class HideContentView(APIView):
    """`hide` or `unhide` a claim, source or comment, with a reason."""

    model: type[Model] = Claim
    hide: bool = True
    permission_classes = [IsModerator]

    @extend_schema(
        summary="Hide or unhide, with a reason",
        request=ReasonSerializer,
        responses={200: HiddenStateSerializer, **ERRORS},
    )
    def post(self, request, pk: int) -> Response:
        target = get_object_or_404(access.visible_to(request.user, self.model), pk=pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        operation = moderation.hide_content if self.hide else moderation.unhide_content
        target = operation(
            target=target, moderator=request.user, reason=data.validated_data["reason"]
        )
        return Response(HiddenStateSerializer(target).data)


class RetractVerdictView(APIView):
    """Retract a published verdict with a public correction note."""

    permission_classes = [IsModerator]

    @extend_schema(
        summary="Retract a published verdict",
        request=CorrectionNoteSerializer,
        responses={201: CorrectionSerializer, **ERRORS},
    )
    def post(self, request, pk: int) -> Response:
        verdict = get_object_or_404(access.verdicts_visible_to(request.user), pk=pk)
        data = CorrectionNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = moderation.retract_verdict(
            verdict=verdict, moderator=request.user, note=data.validated_data["note"]
        )
        return Response(CorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)


class ClaimHistoryView(APIView):
    """A claim's audit events in order, with the actor's username (editors and moderators).

    Editors read neither a hidden claim's history (404) nor the events of hidden sources and
    comments or of flags: `access.claim_history_visible_to`."""

    permission_classes = [IsEditor | IsModerator]

    @extend_schema(
        summary="A claim's audit history",
        responses={
            **READ_ERRORS,
            200: inline_serializer(
                "ClaimHistory",
                {"claim": serializers.IntegerField(), "events": AuditEventSerializer(many=True)},
            ),
        },
    )
    def get(self, request, pk: int) -> Response:
        claim = get_object_or_404(access.claims_visible_to(request.user), pk=pk)
        events = access.claim_history_visible_to(request.user, claim)
        return Response({"claim": claim.pk, "events": AuditEventSerializer(events, many=True).data})


def _content_routes(prefix: str, model: type[Model]) -> list:
    name = model._meta.model_name
    return [
        path(
            f"{prefix}/<int:pk>/flags/",
            FlagContentView.as_view(model=model),
            name=f"{name}-flag",
        ),
        path(
            f"{prefix}/<int:pk>/hide/",
            HideContentView.as_view(model=model, hide=True),
            name=f"{name}-hide",
        ),
        path(
            f"{prefix}/<int:pk>/unhide/",
            HideContentView.as_view(model=model, hide=False),
            name=f"{name}-unhide",
        ),
    ]


urlpatterns = [
    *_content_routes("claims", Claim),
    *_content_routes("sources", Source),
    *_content_routes("comments", Comment),
    path("claims/<int:pk>/history/", ClaimHistoryView.as_view(), name="claim-history"),
    path("flags/", FlagListView.as_view(), name="flag-list"),
    path("flags/<int:pk>/dismiss/", DismissFlagView.as_view(), name="flag-dismiss"),
    path("verdicts/<int:pk>/retract/", RetractVerdictView.as_view(), name="verdict-retract"),
]
