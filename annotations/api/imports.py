"""/api/v1/imports/: start an import job, watch its progress, read its errors, cancel it.

`POST` with a multipart `file` (and an optional `format`), or JSON `{"urls": [...]}` or
`{"feed": "..."}`, answers 202 with the job and its `Location`; the work runs on a worker.
Reviewers and editors may import; reviewers see their own jobs, editors everyone's.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from annotations import access
from annotations.api.common import CursorPage, JobErrorsShown
from annotations.api.permissions import IsReviewer
from annotations.csvsafe import csv_line
from annotations.importing.formats import FORMATS
from annotations.jobmessages import displayed_errors
from annotations.models import ImportJob
from annotations.services import cancel_import, start_import


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class ImportJobSerializer(JobErrorsShown):
    """The job as the API and `import_articles --wait` show it."""

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "format",
            "original_name",
            "urls",
            "total",
            "created",
            "updated",
            "duplicates",
            "failed",
            "errors",
            "created_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportJobListSerializer(ImportJobSerializer):
    """Progress only: a list of jobs does not carry every job's error report."""

    class Meta(ImportJobSerializer.Meta):
        fields = [f for f in ImportJobSerializer.Meta.fields if f not in ("errors", "urls")]
        read_only_fields = fields


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(required=False)
    urls = serializers.ListField(
        child=serializers.URLField(max_length=2048), required=False, allow_empty=False
    )
    feed = serializers.URLField(required=False, max_length=2048)
    format = serializers.ChoiceField(choices=FORMATS, required=False)

    def validate(self, attrs):
        given = [name for name in ("file", "urls", "feed") if attrs.get(name)]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"detail": _('Send exactly one of a "file", a list of "urls" or a "feed" URL.')}
            )
        return attrs


ERROR_COLUMNS = ("file", "line", "record", "message")


class ErrorsCSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, list):  # an error answer: {"detail": ...}
            data = [{"message": str(data.get("detail", data))}]
        # Entry names and messages quote the uploaded files: csv_line escapes formula cells.
        lines = [csv_line(ERROR_COLUMNS)]
        lines.extend(csv_line(row.get(k, "") for k in ERROR_COLUMNS) for row in data)
        return "".join(lines).encode("utf-8")


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsReviewer]
    pagination_class = CursorPage  # a newsroom makes thousands of jobs
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = ImportJobSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return ImportJob.objects.none()
        return (
            access.import_jobs_visible_to(self.request.user)
            .select_related("created_by")
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self):
        return ImportJobListSerializer if self.action == "list" else ImportJobSerializer

    def create(self, request):
        # Refuse a too-large upload from its declared length, before reading it.
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > settings.IMPORT_MAX_UPLOAD_BYTES + 64 * 1024:
            raise PayloadTooLarge(self._too_large_message())
        params = ImportRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        upload = data.get("file")
        if upload is not None and upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise PayloadTooLarge(self._too_large_message())
        job = start_import(
            created_by=request.user,
            upload=upload,
            name=upload.name if upload else "",
            urls=data.get("urls"),
            feed=data.get("feed"),
            input_format=data.get("format", ""),
        )
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{job.pk}/")
        return Response(
            ImportJobSerializer(job).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )

    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[renderers.JSONRenderer, ErrorsCSVRenderer],
    )
    def errors(self, request, pk=None):
        """The full error report: `?format=csv` (or Accept: text/csv) for a spreadsheet."""
        job = self.get_object()
        response = Response(displayed_errors(job.errors))
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        return response

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = cancel_import(job=self.get_object(), user=request.user)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @staticmethod
    def _too_large_message() -> str:
        limit = settings.IMPORT_MAX_UPLOAD_BYTES / (1024 * 1024)
        return f"The upload is larger than the {limit:g} MB import limit."
