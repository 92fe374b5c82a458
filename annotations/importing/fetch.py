"""Fetch a web page or feed for an import, safely.

An import must not become a way into the newsroom's internal network (SSRF). Every hop, the first
request and each redirect, resolves the host, refuses it unless every address is public, and
then connects to exactly the address it checked (so DNS cannot answer differently the second
time); TLS still verifies the certificate against the host name (SNI). Timeouts, a size cap, a
redirect limit and a clear User-Agent apply to every fetch.
"""

import ipaddress
import logging
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.utils.translation import gettext_noop

from annotations.jobmessages import JobMessage

logger = logging.getLogger(__name__)

ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)
# Request headers that make a GET conditional: only then is a 304 an answer.
_CONDITIONAL = {"if-none-match", "if-modified-since"}


class FetchError(Exception):
    """A URL could not be fetched; the message (a JobMessage) says why, for a person."""


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    content: bytes  # empty when not modified
    content_type: str
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)  # the final answer's, lower-case

    @property
    def not_modified(self) -> bool:
        """The server answered 304 to a conditional request: the caller's copy is current."""
        return self.status == 304

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")[:500]

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")[:100]


# IPv6 addresses that carry an IPv4 address which the packet ends up at (or comes from): a
# private IPv4 address inside one of these is refused like the IPv4 address itself.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # RFC 4291, deprecated: the last 32 bits
# Never a public web server, whatever the Python version's `is_global` says about them.
_REFUSED_IPV6 = (
    ipaddress.ip_network("fec0::/10"),  # site-local (RFC 3879 deprecated it; still routed inside)
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215)
)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address wraps: IPv4-mapped and -compatible, 6to4 (2002::/16),
    Teredo (2001::/32: its server and its client) and NAT64 (64:ff9b::/96)."""
    found = [v4 for v4 in (ip.ipv4_mapped, ip.sixtofour) if v4 is not None]
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):  # not :: or ::1
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def is_allowed_address(address: str) -> bool:
    """Whether an import may connect to this IP address under the current settings.

    An IPv6 address is refused when any IPv4 address it wraps is not public, and site-local
    (fec0::/10) is always refused; IMPORT_FETCH_ALLOWED_NETWORKS lets named networks through.
    """
    ip = ipaddress.ip_address(address)
    if settings.IMPORT_FETCH_ALLOW_PRIVATE:
        return True
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        candidates = [ip.ipv4_mapped]  # the IPv4 host itself, as the socket layer treats it
    for net in settings.IMPORT_FETCH_ALLOWED_NETWORKS:
        network = ipaddress.ip_network(net)
        if any(candidate in network for candidate in candidates):
            return True
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in refused for refused in _REFUSED_IPV6):
            return False
        if ip.ipv4_mapped is not None:
            return _is_public(ip.ipv4_mapped)
        if not all(_is_public(v4) for v4 in embedded_ipv4(ip)):
            return False
    return _is_public(ip)


def resolve_allowed(host: str, port: int) -> str:
    """The address to connect to for `host`; FetchError unless every address it has is allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            JobMessage(gettext_noop("The host %(host)s could not be found."), host=host)
        ) from exc
    addresses = [str(info[4][0]) for info in infos]
    refused = [a for a in addresses if not is_allowed_address(a)]
    if refused:
        raise FetchError(
            JobMessage(
                gettext_noop(
                    "Refused: %(host)s resolves to a private or local address (%(address)s); "
                    "imports may only fetch public web addresses."
                ),
                host=host,
                address=refused[0],
            )
        )
    return addresses[0]


def fetch(url: str, *, headers: Mapping[str, str] | None = None) -> Fetched:
    """GET `url` following up to IMPORT_FETCH_MAX_REDIRECTS redirects, each hop checked.

    `headers` are sent with every hop (`If-None-Match`, `If-Modified-Since` for a conditional
    GET; `Host` cannot be set: each hop's is its own). A 304 answer to a conditional request is
    returned as `not_modified` with no content; a 304 to any other request is a FetchError,
    never followed as a redirect. The result carries the final answer's status and headers.

    Raises FetchError only: a URL httpx cannot parse (`http://0177.0.0.1/`, a host that is not
    valid IDNA, a redirect to either) or any other failure is this URL's error, never the job's.
    """
    try:
        return _fetch(url, extra_headers=headers or {})
    except FetchError:
        raise
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise FetchError(
            JobMessage(gettext_noop("Not a URL that can be fetched (%(error)s)."), error=str(exc))
        ) from exc
    except Exception as exc:
        logger.warning("Unexpected error fetching %s", url, exc_info=True)
        raise FetchError(_not_fetched(type(exc).__name__)) from exc


def _fetch(url: str, *, extra_headers: Mapping[str, str]) -> Fetched:
    timeout = settings.IMPORT_FETCH_TIMEOUT
    max_bytes = settings.IMPORT_FETCH_MAX_BYTES
    deadline = time.monotonic() + timeout * 2
    headers = {"User-Agent": settings.IMPORT_FETCH_USER_AGENT, "Accept": ACCEPT}
    headers.update({k: v for k, v in extra_headers.items() if k.lower() != "host"})
    conditional = any(k.lower() in _CONDITIONAL for k in headers)
    current = httpx.URL(url)
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _hop in range(settings.IMPORT_FETCH_MAX_REDIRECTS + 1):
            if current.scheme not in ("http", "https") or not current.host:
                raise FetchError(
                    JobMessage(
                        gettext_noop("Only http and https URLs can be imported, not %(url)s."),
                        url=str(current),
                    )
                )
            host = current.raw_host.decode("ascii")
            port = current.port or (443 if current.scheme == "https" else 80)
            address = resolve_allowed(host, port)
            pinned = current.copy_with(host=address)
            host_header = host if current.port is None else f"{host}:{current.port}"
            extensions = {"sni_hostname": host} if current.scheme == "https" else {}
            try:
                with client.stream(
                    "GET",
                    pinned,
                    headers={**headers, "Host": host_header},
                    extensions=extensions,
                ) as response:
                    answered = {k.lower(): v for k, v in response.headers.items()}
                    # Before the redirect check: a 304 is "not modified", never a hop.
                    if response.status_code == 304:
                        if not conditional:
                            raise FetchError(
                                JobMessage(
                                    gettext_noop(
                                        "The server answered HTTP 304 (not modified) to a "
                                        "request that was not conditional."
                                    )
                                )
                            )
                        return Fetched(
                            url=str(current),
                            content=b"",
                            content_type="",
                            status=304,
                            headers=answered,
                        )
                    # httpx's `is_redirect` is any 3xx; only these with a Location are hops.
                    if response.has_redirect_location:
                        location = response.headers.get("location", "")
                        current = current.join(location)
                        continue
                    if response.is_redirect:
                        raise FetchError(
                            JobMessage(
                                gettext_noop(
                                    "The server answered HTTP %(status)s without a page to go to."
                                ),
                                status=str(response.status_code),
                            )
                        )
                    if response.status_code >= 400:
                        raise FetchError(
                            JobMessage(
                                gettext_noop("The server answered HTTP %(status)s."),
                                status=str(response.status_code),
                            )
                        )
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise FetchError(_too_big(max_bytes))
                    content = bytearray()
                    for chunk in response.iter_bytes():
                        content += chunk
                        if len(content) > max_bytes:
                            raise FetchError(_too_big(max_bytes))
                        if time.monotonic() > deadline:
                            raise FetchError(
                                JobMessage(
                                    gettext_noop("The download took longer than %(seconds)s s."),
                                    seconds=f"{timeout * 2:g}",
                                )
                            )
                    return Fetched(
                        url=str(current),
                        content=bytes(content),
                        content_type=response.headers.get("content-type", ""),
                        status=response.status_code,
                        headers=answered,
                    )
            except httpx.TimeoutException as exc:
                raise FetchError(
                    JobMessage(
                        gettext_noop("No answer within %(seconds)s s."), seconds=f"{timeout:g}"
                    )
                ) from exc
            except httpx.HTTPError as exc:
                raise FetchError(_not_fetched(str(exc))) from exc
    raise FetchError(
        JobMessage(
            gettext_noop("Too many redirects (more than %(limit)s)."),
            limit=settings.IMPORT_FETCH_MAX_REDIRECTS,
        )
    )


def _too_big(max_bytes: int) -> JobMessage:
    return JobMessage(
        gettext_noop("The page is larger than the %(size)s MB limit."),
        size=f"{max_bytes / (1024 * 1024):g}",
    )


def _not_fetched(reason: str) -> JobMessage:
    return JobMessage(gettext_noop("The page could not be fetched (%(error)s)."), error=reason)
