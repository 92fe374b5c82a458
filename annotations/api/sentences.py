"""Sentences ranked by check-worthiness across the articles a user may read."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from annotations import selectors
from annotations.models import Sentence

from . import serializers as s
from .common import E400, READ_ERRORS, CursorPage
from .filters import SentenceFilter
from .permissions import HasAnyRole


class CheckworthinessPage(CursorPage):
    """Most check-worthy first; ties newest sentence first (the partial index's order)."""

    ordering = ("-checkworthiness", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="The most check-worthy sentences across articles",
        description="Scored sentences of the articles you may list, best first. A sentence is "
        "scored by the worker shortly after its article is stored; until then it is not listed.",
        responses={200: s.RankedSentenceSerializer(many=True), 400: E400, **READ_ERRORS},
    ),
)
class SentenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasAnyRole]
    filterset_class = SentenceFilter
    pagination_class = CheckworthinessPage
    serializer_class = s.RankedSentenceSerializer
    queryset = Sentence.objects.none()  # for the schema

    def get_queryset(self):
        return selectors.ranked_sentences(user=self.request.user)
