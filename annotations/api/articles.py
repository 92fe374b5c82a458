"""Articles: finding them, reading one with its sentences, assigning it."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from annotations import access, selectors, services
from annotations.memory import suggestions
from annotations.models import Article

from . import memory as m
from . import serializers as s
from .common import READ_ERRORS, WRITE_ERRORS, CursorPage, validated
from .filters import ArticleFilter
from .permissions import HasAnyRole, IsEditor


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
        return access.articles_visible_to(user)

    def get_serializer_class(self):
        return s.ArticleDetailSerializer if self.action == "retrieve" else s.ArticleListSerializer

    @extend_schema(
        summary="Sentences that repeat an earlier fact-check, with their matches",
        responses={200: m.ArticleMatchesSerializer, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def matches(self, request, pk=None):
        return Response(suggestions.article_matches(article=self.get_object(), user=request.user))

    @extend_schema(
        summary="Assign the article to a reviewer (editors)",
        request=s.AssignSerializer,
        responses={200: s.ArticleListSerializer, **WRITE_ERRORS},
        examples=[OpenApiExample("Assign", value={"assignee": 7}, request_only=True)],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsEditor], filterset_class=None)
    def assign(self, request, pk=None):
        data = validated(s.AssignSerializer, request)
        article = services.assign_article(
            article=self.get_object(), assignee=data["assignee"], actor=request.user
        )
        article = selectors.articles_for_list(user=request.user).get(pk=article.pk)
        return Response(s.ArticleListSerializer(article).data)

    @extend_schema(
        summary="Mark the article's status by hand (editors)",
        description="The status also moves by itself: `in_review` when a claim is marked, "
        "`reviewed` when every claim's verdict was published or rejected.",
        request=s.ArticleStatusSerializer,
        responses={200: s.ArticleListSerializer, **WRITE_ERRORS},
        examples=[OpenApiExample("Reviewed", value={"status": "reviewed"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsEditor], filterset_class=None)
    def status(self, request, pk=None):
        data = validated(s.ArticleStatusSerializer, request)
        article = services.set_article_status(
            article=self.get_object(), status=data["status"], actor=request.user
        )
        article = selectors.articles_for_list(user=request.user).get(pk=article.pk)
        return Response(s.ArticleListSerializer(article).data)
