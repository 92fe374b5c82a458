"""Signing in for an API token, and who am I (roles and work queue)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import selectors
from annotations.api.parsers import JSONParser
from annotations.throttling import LoginAddressThrottle, LoginUsernameThrottle

from . import serializers as s
from .common import E400, E401, E403, E429


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (`Authorization: Token <key>`)."""

    # Credentials sent along are ignored: a valid token of one's own must not lift the throttle
    # on guessing someone else's password. Counted per address and per username.
    authentication_classes = []
    throttle_classes = [LoginAddressThrottle, LoginUsernameThrottle]
    # ObtainAuthToken names DRF's parsers; the project's JSON one refuses a too-deep body.
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    @extend_schema(
        summary="Get an API token",
        auth=[],
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, 400: E400, 429: E429},
        examples=[
            OpenApiExample(
                "Login", value={"username": "reviewer", "password": "…"}, request_only=True
            ),
            OpenApiExample(
                "Token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
            ),
        ],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who am I, my roles and my work queue",
        responses={200: s.MeSerializer, 401: E401, 403: E403},
    )
    def get(self, request):
        user = request.user
        return Response(
            s.MeSerializer({"user": user, "queue": selectors.work_queue(user=user)}).data
        )
