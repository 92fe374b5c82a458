"""What the review forms offer, from the server: the front end hard-codes none of it."""

from django.conf import settings
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import selectors
from annotations.models import Claim, Flag, Source

from . import serializers as s
from .common import READ_ERRORS
from .permissions import HasAnyRole


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    # A field named like Field.label, which DRF's stubs type as a string.
    label = serializers.CharField()  # type: ignore[assignment]


def _choices(choices) -> list[dict]:
    return [{"value": value, "label": str(label)} for value, label in choices]


# The labels the forms show; the values are the models' (Source.Stance, Flag.Reason).
STANCE_LABELS = {
    Source.Stance.SUPPORTS: gettext_lazy("Supports the claim"),
    Source.Stance.REFUTES: gettext_lazy("Refutes the claim"),
    Source.Stance.CONTEXT: gettext_lazy("Gives context"),
}


class ReviewOptionsView(APIView):
    permission_classes = [HasAnyRole]

    @extend_schema(
        summary="The choices and limits of the review forms",
        description="Source stances, claim states, flag reasons, the minimum length of a "
        "verdict's explanation, and (for editors) the people claims and articles can be "
        "assigned to. The rating scales are at `rating-scales/`.",
        responses={
            200: inline_serializer(
                "ReviewOptions",
                {
                    "stances": ChoiceSerializer(many=True),
                    "claim_statuses": ChoiceSerializer(many=True),
                    "flag_reasons": ChoiceSerializer(many=True),
                    "verdict_min_explanation_length": serializers.IntegerField(),
                    "assignees": s.UserRefSerializer(many=True),
                },
            ),
            **READ_ERRORS,
        },
    )
    def get(self, request):
        return Response(
            {
                "stances": _choices(STANCE_LABELS.items()),
                "claim_statuses": _choices(Claim.Status.choices),
                "flag_reasons": _choices(Flag.Reason.choices),
                "verdict_min_explanation_length": settings.VERDICT_MIN_EXPLANATION_LENGTH,
                "assignees": s.UserRefSerializer(
                    selectors.assignable_users(user=request.user), many=True
                ).data,
            }
        )
