"""Who is asking, and how often: the client's address and the request rates.

The client's address is `REMOTE_ADDR`: a client writes whatever it likes in `X-Forwarded-For`,
so trusting that header by default would let it pick a fresh address for every request and
never be throttled or locked out. Behind reverse proxies, `TRUSTED_PROXY_COUNT` says how many
of them append to the header; the address the outermost of ours saw is then the client's.
django-axes (`AXES_CLIENT_IP_CALLABLE`), DRF (`NUM_PROXIES`) and the throttles below all take it
from `client_address`, so a lockout and a rate always count the same address.

Rates (`DEFAULT_THROTTLE_RATES`, from the environment):
- `anon`: one bucket per address for everything anonymous: the public feed, the withdrawn list,
  public claim and rating pages, and API calls without credentials;
- `user`: per signed-in user, on every API call;
- `login`: password guesses, per address and, separately, per username, whatever credentials
  come along: the token endpoint and the sign-in page (the admin's is django-axes' alone).
"""

import hashlib
import ipaddress
import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def client_address(request: HttpRequest) -> str:
    """The address a request came from, trusting only `TRUSTED_PROXY_COUNT` proxies.

    With N trusted proxies, each appends the address it received from to `X-Forwarded-For`, so
    the N-th entry from the right was written by our outermost proxy; anything left of it came
    from the client and is ignored. A missing or malformed entry falls back to `REMOTE_ADDR`.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        client = _counted_as(hops[-min(proxies, len(hops))])  # as DRF's NUM_PROXIES reads it
        if client is not None:
            return client
    return _counted_as(remote) or remote


def _counted_as(address: str) -> str | None:
    """The address a client is counted as; None if `address` is no IP address.

    An IPv6 client counts as its /64 (written as the block's first address): a customer's line
    usually gets a whole /64, and each of its 2**64 addresses must not be a fresh bucket.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # a dual-stack socket's view of an IPv4 client
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False).network_address)
    return str(ip)


class _RateThrottle(SimpleRateThrottle):
    """A DRF throttle counting by `client_address`, its rate read per request.

    DRF reads the rates once, when the class is defined; reading them per request lets a
    deployment's settings (and a test's override) apply without a restart of the import.
    """

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return None if rate is None else str(rate)  # "100/hour": the stubs type it as a number

    def get_ident(self, request) -> str:
        return client_address(request)

    def cache_key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonThrottle(_RateThrottle):
    """API calls without credentials, per address (the `anon` bucket)."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_key_for(self.get_ident(request))


class UserThrottle(_RateThrottle):
    """API calls of a signed-in user (session or token), per user wherever they come from."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return self.cache_key_for(str(request.user.pk))
        return None


class PublicThrottle(_RateThrottle):
    """Public feeds and pages: the `anon` bucket of the address, signed in or not."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        return self.cache_key_for(self.get_ident(request))


class LoginAddressThrottle(_RateThrottle):
    """Password guesses (token endpoint, sign-in page), per address."""

    scope = "login"

    def get_cache_key(self, request, view) -> str | None:
        return self.cache_key_for("address:" + self.get_ident(request))


class LoginUsernameThrottle(_RateThrottle):
    """Password guesses (token endpoint, sign-in page), per username, from any address."""

    scope = "login"

    def get_cache_key(self, request, view) -> str | None:
        try:
            form = getattr(request, "data", None)  # DRF's parsed body, or the Django form's POST
        except ParseError:
            # A body that does not parse names no username: the address throttle still counts
            # the request (and answers 429 past the rate); the view answers its 400.
            return None
        if form is None:
            form = request.POST
        username = form.get("username") if hasattr(form, "get") else None
        if not isinstance(username, str) or not username.strip():
            return None  # no username, no guess: the address throttle still counts it
        # Case-folded so that "Rita" and "rita" share a bucket; hashed so that any text makes a
        # valid cache key.
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        return self.cache_key_for("username:" + digest)


def too_many_requests(wait: float | None) -> HttpResponse:
    """The 429 answer of an HTML page, with `Retry-After` in whole seconds."""
    seconds = max(1, math.ceil(wait)) if wait is not None else 60
    # The styled page of the reviewer UI's error pages; it needs no request context.
    response = HttpResponse(
        render_to_string("frontend/too_many_requests.html", {"seconds": seconds}), status=429
    )
    response["Retry-After"] = str(seconds)
    return response


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Throttle a public (non-API) page with the `anon` bucket the public feed uses."""

    @wraps(view)
    def throttled(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        throttle = PublicThrottle()
        # A DRF throttle on a plain Django view: it reads only the request's address and user.
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            return too_many_requests(throttle.wait())
        return view(request, *args, **kwargs)

    return throttled


def sign_in_attempts(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Throttle a sign-in form's POSTs as the token endpoint is: per address and per username."""

    @wraps(view)
    def throttled(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.method == "POST":
            for throttle in (LoginAddressThrottle(), LoginUsernameThrottle()):
                # As in public_page: the throttle reads only the request's address and POST.
                if not throttle.allow_request(request, None):  # type: ignore[arg-type]
                    return too_many_requests(throttle.wait())
        return view(request, *args, **kwargs)

    return throttled
