"""Articles: finding them, reading one with its sentences, assigning it."""

import math

import orjson
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from annotations import access, article_page, selectors, services
from annotations.memory import suggestions
from annotations.models import Article, ArticleRevision
from annotations.services import revisions

from . import memory as m
from . import reader
from . import serializers as s
from .common import READ_ERRORS, WRITE_ERRORS, CursorPage, validated
from .filters import TOP_RANK, ArticleFilter
from .permissions import HasAnyRole, IsEditor


class ArticlePage(CursorPage):
    """Newest first, or with `?ordering=-top_checkworthiness` best sentence first (ties newest
    id first)."""

    def get_ordering(self, request, queryset, view):
        if request.query_params.get("ordering") == "-top_checkworthiness":
            return (f"-{TOP_RANK}", "-id")
        return super().get_ordering(request, queryset, view)

    def _check_position(self, position: str) -> None:
        if self.ordering[0] != f"-{TOP_RANK}":
            return super()._check_position(position)
        try:
            rank = float(position)
        except ValueError as exc:
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from exc
        if not math.isfinite(rank):
            raise ValidationError({"cursor": [self.invalid_cursor_message]})
        return None


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
    pagination_class = ArticlePage
    queryset = Article.objects.none()  # for the schema; get_queryset picks by action

    def get_queryset(self):
        user = self.request.user
        if self.action == "retrieve":
            return article_page.article_for_reader(user=user)
        if self.action == "list":
            return selectors.articles_for_list(user=user)
        return access.articles_visible_to(user)

    def get_serializer_class(self):
        return s.ArticleDetailSerializer if self.action == "retrieve" else s.ArticleListSerializer

    def filter_queryset(self, queryset):
        # One article by id: the list's filters do not apply, and building their form took a
        # fifth of the read.
        return queryset if self.action == "retrieve" else super().filter_queryset(queryset)

    def retrieve(self, request, pk=None):
        # ArticleDetailSerializer's shape, built from rows and cached as JSON until the article
        # changes: the page a desk waits for (issue 15).
        try:
            page = reader.Page(user=request.user, pk=pk)
        except (Article.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404("No Article matches the given query.") from exc
        headers = {"Cache-Control": "private, no-cache"}
        if page.etag is not None:
            headers["ETag"] = page.etag
            if page.etag in parse_etags(request.headers.get("If-None-Match", "")):
                return HttpResponseNotModified(headers=headers)
        if request.accepted_renderer.format != "json":  # the browsable API
            return Response(orjson.loads(page.json()), headers=headers)
        return HttpResponse(page.json(), content_type="application/json", headers=headers)

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
    @action(
        detail=True,
        methods=["post"],
        url_path="status",
        permission_classes=[IsEditor],
        filterset_class=None,
    )
    def set_status(self, request, pk=None):
        data = validated(s.ArticleStatusSerializer, request)
        article = services.set_article_status(
            article=self.get_object(), status=data["status"], actor=request.user
        )
        article = selectors.articles_for_list(user=request.user).get(pk=article.pk)
        return Response(s.ArticleListSerializer(article).data)

    @extend_schema(
        methods=["GET"],
        summary="The article's revisions, oldest first",
        responses={200: s.ArticleRevisionSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a new text of the article (editors); its claims are re-anchored",
        request=s.RevisionCreateSerializer,
        responses={
            201: s.ArticleRevisionSerializer,
            200: s.ArticleRevisionSerializer,
            **WRITE_ERRORS,
        },
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def revisions(self, request, pk=None):
        article = self.get_object()
        if request.method == "GET":
            return Response(
                s.ArticleRevisionSerializer(revisions.revisions_of(article), many=True).data
            )
        if not IsEditor().has_permission(request, self):
            self.permission_denied(request, message=IsEditor.message)
        data = validated(s.RevisionCreateSerializer, request)
        revision, created = revisions.record_revision(
            article=article,
            body=data["body"],
            source=ArticleRevision.Source.API,
            created_by=request.user,
        )
        return Response(
            s.ArticleRevisionSerializer(revision).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="One revision with its text and sentences",
        responses={200: s.ArticleRevisionDetailSerializer, **READ_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"revisions/(?P<number>[0-9]{1,9})",
        filterset_class=None,
        pagination_class=None,
    )
    def revision(self, request, pk=None, number=None):
        all_revisions = revisions.revisions_of(self.get_object())
        found = [r for r in all_revisions if r.number == int(number)]
        if not found:
            raise Http404(_("The article has no revision %(number)s.") % {"number": number})
        revision = found[0]
        revision.sentences_list = list(
            revisions.revision_sentences(revision, current=revision is all_revisions[-1])
        )
        return Response(s.ArticleRevisionDetailSerializer(revision).data)
