"""How API requests sign in with a token. Its own module: DRF imports the authentication classes
while loading its views, so this must not import any view."""

from rest_framework import authentication
from rest_framework.authtoken.models import Token

from annotations import roles


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's `Authorization: Token <key>`, with the user's roles read in the token's query:
    every API call asks for them (HasAnyRole), and a round trip is most of a cached read."""

    def authenticate_credentials(self, key):
        token = (
            Token.objects.select_related("user")
            .annotate(role_names=roles.role_names_column('"authtoken_token"."user_id"'))
            .filter(key=key)
            .first()
        )
        if token is None or not token.user.is_active:
            # DRF's own refusal, with its messages (and their translations).
            return super().authenticate_credentials(key)
        roles.remember_roles(token.user, token.role_names)
        return token.user, token
