"""How API requests sign in with a token. Its own module: DRF imports the authentication classes
while loading its views, so this must not import any view."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from annotations import roles


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's `Authorization: Token <key>`, with the user's roles read in the token's query:
    every API call asks for them (HasAnyRole), and a round trip is most of a cached read."""

    def authenticate_credentials(self, key):
        try:
            token = (
                Token.objects.select_related("user")
                .annotate(role_names=roles.role_names_column('"authtoken_token"."user_id"'))
                .get(key=key)
            )
        except Token.DoesNotExist as exc:
            raise AuthenticationFailed(_("Invalid token.")) from exc
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        roles.remember_roles(token.user, token.role_names)
        return token.user, token
