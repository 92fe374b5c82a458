"""The public feed of verified claims, and export jobs.

`GET /api/v1/verified-claims/` is anonymous and throttled; `json` and `claimreview` come in
cursor pages, `csv` and `jsonl` stream every matching claim. `ETag` / `Last-Modified` let
syncing clients get a 304, and `GET /api/v1/verified-claims/withdrawn/` tells them which claims
they synced were retracted since. `/api/v1/exports/` runs the same export as a job for signed-in
staff.
"""

import hashlib

from django.db.models import Count, Max
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from annotations import access
from annotations.api.common import CheckedCursorPagination, CursorPage, JobErrorsShown
from annotations.api.permissions import HasAnyRole
from annotations.exporting import formats
from annotations.exporting.filters import FILTER_NAMES, VerifiedClaimFilter, WithdrawnClaimFilter
from annotations.exporting.records import (
    attach_related,
    claim_rows,
    claim_url,
    feed_item,
    iter_records,
)
from annotations.exporting.run import count_matching, start_export
from annotations.models import ExportJob
from annotations.selectors import last_withdrawal, published_claims, withdrawn_claims
from annotations.throttling import PublicThrottle


class ClaimReviewRenderer(renderers.JSONRenderer):
    media_type = "application/ld+json"
    format = "claimreview"


class CSVRenderer(renderers.BaseRenderer):
    """Negotiates `csv`; the view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class JSONLinesRenderer(CSVRenderer):
    media_type = "application/jsonl"
    format = "jsonl"


class PassthroughRenderer(renderers.BaseRenderer):
    """Lets a file download answer whatever the client accepts."""

    media_type = "*/*"
    format = "file"  # drf-spectacular needs a name

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        # The file itself is a FileResponse and never comes here; an error's body (404, 409)
        # does, and is written as JSON whatever the client asked for (schemathesis found the
        # 500 that BaseRenderer's missing render() gave).
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return renderers.JSONRenderer().render(data, renderer_context=renderer_context)


class FeedNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:  # DRF answers an unknown ?format= with a bare 404
            names = ", ".join(r.format for r in renderers)
            raise exceptions.NotAcceptable(f"Unknown format; choose one of: {names}.") from None


class VerifiedClaimCursor(CheckedCursorPagination):
    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class VerifiedClaimsView(GenericAPIView):
    """Published claims with their verdicts, for search engines, partners and researchers."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]
    renderer_classes = [
        renderers.JSONRenderer,
        ClaimReviewRenderer,
        CSVRenderer,
        JSONLinesRenderer,
    ]
    content_negotiation_class = FeedNegotiation
    filter_backends = [DjangoFilterBackend]
    filterset_class = VerifiedClaimFilter
    pagination_class = VerifiedClaimCursor

    def get_queryset(self):
        return published_claims()

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, 304: None},
        description="Published claims; the item shape is documented in README, section Export.",
    )
    def get(self, request, *args, **kwargs):
        claims = self.filter_queryset(self.get_queryset())
        fmt = request.accepted_renderer.format
        etag, last_modified = self._validators(claims, fmt)
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=last_modified and int(last_modified.timestamp())
        )
        if not_modified is not None:
            response = not_modified
        elif fmt in ("csv", "jsonl"):
            response = StreamingHttpResponse(
                formats.stream(fmt, iter_records(claims)),
                content_type=formats.FORMATS[fmt].content_type,
            )
            response["Content-Disposition"] = f'inline; filename="verified-claims.{fmt}"'
        else:
            response = self._page(claims, fmt)
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        response["Cache-Control"] = "public, max-age=60"
        patch_vary_headers(response, ["Accept"])
        return response

    def _page(self, claims, fmt: str) -> Response:
        paginator = self.paginator
        if not isinstance(paginator, CheckedCursorPagination):
            raise TypeError("The verified-claims lists page by cursor.")
        rows = attach_related(paginator.paginate_queryset(claim_rows(claims), self.request, self))
        if fmt == "claimreview":
            # A JSON-LD document is a list of ClaimReviews; the page links go in the Link header.
            response = Response([formats.claimreview(row) for row in rows])
            links = [
                f'<{url}>; rel="{rel}"'
                for rel, url in (
                    ("next", paginator.get_next_link()),
                    ("prev", paginator.get_previous_link()),
                )
                if url
            ]
            if links:
                response["Link"] = ", ".join(links)
            return response
        return self.get_paginated_response([feed_item(row) for row in rows])

    def _validators(self, claims, fmt: str):
        """ETag and Last-Modified of this answer, from two aggregate queries.

        The count catches a claim leaving the set; `last_withdrawal` moves Last-Modified when a
        claim is hidden or retracted, so If-Modified-Since alone never hides a removal.
        """
        summary = claims.aggregate(count=Count("id"), latest=Max("last_modified"))
        withdrawn = last_withdrawal()
        candidates = [t for t in (summary["latest"], withdrawn) if t is not None]
        last_modified = max(candidates) if candidates else None
        key = "|".join(
            [
                fmt,
                self.request.get_full_path(),
                str(summary["count"]),
                last_modified.isoformat() if last_modified else "",
            ]
        )
        return f'W/"{hashlib.sha256(key.encode()).hexdigest()[:32]}"', last_modified


class WithdrawnClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField(
        help_text="The claim's public page, which says why; null for a removed claim."
    )
    status = serializers.ChoiceField(
        choices=["retracted", "removed"],
        source="withdrawal",
        read_only=True,
        help_text='"retracted": a correction says why; "removed": taken down by a moderator.',
    )
    withdrawn_at = serializers.DateTimeField(read_only=True)
    note = serializers.CharField(
        source="retraction_note",
        read_only=True,
        allow_null=True,
        help_text="The correction note (null for a removed claim).",
    )

    def get_url(self, claim) -> str | None:
        return claim_url(claim.pk) if claim.withdrawal == "retracted" else None


class WithdrawnClaimsView(ListAPIView):
    """Claims retracted, or removed by a moderator, after publication: what a consumer who
    synced them must now drop.

    The feed only ever lists what is published, so a withdrawal would otherwise be invisible to
    an `updated_since` sync. Of a removed claim only its id and the time leave.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]
    renderer_classes = [renderers.JSONRenderer]
    serializer_class = WithdrawnClaimSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = WithdrawnClaimFilter
    pagination_class = VerifiedClaimCursor

    def get_queryset(self):
        return withdrawn_claims().only("id", "status", "is_hidden")

    @extend_schema(
        description="Claims retracted after publication (with the time and the correction note) "
        "or removed by a moderator after publication (id and time only); `since` takes the time "
        "of the last sync. See README, section Export."
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- Export jobs ---------------------------------------------------------------------------------


class ExportJobSerializer(JobErrorsShown):
    # Plain strings: the jobs' status and format choices would collide with other "status" enums.
    status = serializers.CharField(read_only=True)
    format = serializers.CharField(read_only=True)
    exported = serializers.IntegerField(source="created", read_only=True)
    progress = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "status",
            "format",
            "filters",
            "scheduled",
            "total",
            "exported",
            "failed",
            "progress",
            "errors",
            "created_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_progress(self, job: ExportJob) -> float | None:
        """Share of the claims written, 0 to 1; None until the job has counted them."""
        if job.status in (ExportJob.Status.SUCCEEDED, ExportJob.Status.PARTIAL):
            return 1.0
        if not job.total:
            return None
        return round(min((job.created + job.failed) / job.total, 1.0), 4)

    def get_download_url(self, job: ExportJob) -> str | None:
        if not job.output_file or job.status not in (
            ExportJob.Status.SUCCEEDED,
            ExportJob.Status.PARTIAL,
        ):
            return None
        request = self.context.get("request")
        path = f"/api/v1/exports/{job.pk}/download/"
        return request.build_absolute_uri(path) if request else path


class ExportRequestSerializer(serializers.Serializer):
    """A format and the feed's filters, flat, as the feed takes them."""

    format = serializers.ChoiceField(choices=list(formats.FORMATS))

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not hasattr(data, "get"):
            return value
        unknown = set(data) - set(FILTER_NAMES) - {"format"}
        if unknown:
            raise serializers.ValidationError(
                {name: ["Not a filter of the export."] for name in sorted(unknown)}
            )
        value["filters"] = {name: data[name] for name in FILTER_NAMES if name in data}
        return value


class ExportCountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Published claims matching the filters.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "scheduled", bool, description="Only the periodic exports (Celery beat)."
            )
        ]
    )
)
class ExportJobViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Start an export, follow its progress, download its file. Editors see everyone's jobs,
    the periodic exports too (`?scheduled=true` lists only those, newest first)."""

    permission_classes = [HasAnyRole]  # reviewers, editors and moderators
    serializer_class = ExportJobSerializer
    pagination_class = CursorPage  # the periodic export alone makes one a night

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model only
            return ExportJob.objects.none()
        jobs = access.export_jobs_visible_to(self.request.user).order_by("-created_at", "-id")
        if self.request.query_params.get("scheduled") in ("true", "1"):
            jobs = jobs.filter(scheduled=True)
        return jobs

    def create(self, request, *args, **kwargs):
        params = ExportRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        job = start_export(
            format=params.validated_data["format"],
            filters=params.validated_data["filters"],
            created_by=request.user,
        )
        data = ExportJobSerializer(job, context={"request": request}).data
        return Response(
            data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(f"{job.pk}/")},
        )

    @extend_schema(
        summary="How many claims an export would write (a dry run; starts nothing)",
        request=ExportRequestSerializer,
        responses={200: ExportCountSerializer},
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def count(self, request):
        params = ExportRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return Response({"count": count_matching(filters=params.validated_data["filters"])})

    @action(detail=True, renderer_classes=[renderers.JSONRenderer, PassthroughRenderer])
    def download(self, request, pk=None):
        job = self.get_object()
        if not job.output_file or job.status not in (
            ExportJob.Status.SUCCEEDED,
            ExportJob.Status.PARTIAL,
        ):
            return Response(
                {"detail": f"The export is {job.status}; its file is not ready."},
                status=status.HTTP_409_CONFLICT,
            )
        spec = formats.FORMATS[job.format]
        return FileResponse(
            job.output_file.open("rb"),
            as_attachment=True,
            filename=f"verified-claims-{job.pk}.{spec.extension}",
            content_type=spec.content_type,
        )
