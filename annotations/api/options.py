"""What the review forms offer, from the server: the front end hard-codes none of it."""

from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import selectors
from annotations.models import Article, Claim, Comment, Flag, Source, Verdict

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


# The API keys its errors by field name ({"explanation": [...]}); the forms show each name in the
# reader's words: the models' verbose names, and these for the fields no model has.
LABELLED_MODELS: tuple[type[models.Model], ...] = (Article, Claim, Source, Verdict, Comment, Flag)
INPUT_FIELD_LABELS = {
    "correction": gettext_lazy("Correction note"),
    "add_sources": gettext_lazy("Sources to add"),
    "remove_sources": gettext_lazy("Sources to remove"),
}


def field_labels() -> dict[str, str]:
    """Each input field's name as a person reads it, in the active language."""
    labels = {
        field.name: str(capfirst(field.verbose_name))
        for model in LABELLED_MODELS
        for field in model._meta.get_fields()
        if isinstance(field, models.Field)
    }
    labels.update({name: str(label) for name, label in INPUT_FIELD_LABELS.items()})
    return labels


class ReviewOptionsView(APIView):
    permission_classes = [HasAnyRole]

    @extend_schema(
        summary="The choices and limits of the review forms",
        description="Source stances, claim states, flag reasons, the minimum length of a "
        "verdict's explanation, (for editors) the people claims and articles can be assigned "
        "to, and the input fields' names in the request's language (the keys of a 400's "
        "errors). The rating scales are at `rating-scales/`.",
        responses={
            200: inline_serializer(
                "ReviewOptions",
                {
                    "stances": ChoiceSerializer(many=True),
                    "claim_statuses": ChoiceSerializer(many=True),
                    "flag_reasons": ChoiceSerializer(many=True),
                    "verdict_min_explanation_length": serializers.IntegerField(),
                    "assignees": s.UserRefSerializer(many=True),
                    "field_labels": serializers.DictField(child=serializers.CharField()),
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
                "field_labels": field_labels(),
            }
        )
