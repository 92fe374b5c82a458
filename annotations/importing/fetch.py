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
from dataclasses import dataclass

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)


class FetchError(Exception):
    """A URL could not be fetched; the message says why, for a person."""


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    content: bytes
    content_type: str


def is_allowed_address(address: str) -> bool:
    """Whether an import may connect to this IP address under the current settings."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if settings.IMPORT_FETCH_ALLOW_PRIVATE:
        return True
    if any(ip in ipaddress.ip_network(net) for net in settings.IMPORT_FETCH_ALLOWED_NETWORKS):
        return True
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def resolve_allowed(host: str, port: int) -> str:
    """The address to connect to for `host`; FetchError unless every address it has is allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"The host {host} could not be found.") from exc
    addresses = [info[4][0] for info in infos]
    refused = [a for a in addresses if not is_allowed_address(a)]
    if refused:
        raise FetchError(
            f"Refused: {host} resolves to a private or local address ({refused[0]}); "
            "imports may only fetch public web addresses."
        )
    return addresses[0]


def fetch(url: str) -> Fetched:
    """GET `url` following up to IMPORT_FETCH_MAX_REDIRECTS redirects, each hop checked.

    Raises FetchError only: a URL httpx cannot parse (`http://0177.0.0.1/`, a host that is not
    valid IDNA, a redirect to either) or any other failure is this URL's error, never the job's.
    """
    try:
        return _fetch(url)
    except FetchError:
        raise
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise FetchError(f"Not a URL that can be fetched ({exc}).") from exc
    except Exception as exc:
        logger.warning("Unexpected error fetching %s", url, exc_info=True)
        raise FetchError(f"The page could not be fetched ({type(exc).__name__}).") from exc


def _fetch(url: str) -> Fetched:
    timeout = settings.IMPORT_FETCH_TIMEOUT
    max_bytes = settings.IMPORT_FETCH_MAX_BYTES
    deadline = time.monotonic() + timeout * 2
    headers = {"User-Agent": settings.IMPORT_FETCH_USER_AGENT, "Accept": ACCEPT}
    current = httpx.URL(url)
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _hop in range(settings.IMPORT_FETCH_MAX_REDIRECTS + 1):
            if current.scheme not in ("http", "https") or not current.host:
                raise FetchError(f"Only http and https URLs can be imported, not {current}.")
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
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        current = current.join(location)
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"The server answered HTTP {response.status_code}.")
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise FetchError(_too_big(max_bytes))
                    content = bytearray()
                    for chunk in response.iter_bytes():
                        content += chunk
                        if len(content) > max_bytes:
                            raise FetchError(_too_big(max_bytes))
                        if time.monotonic() > deadline:
                            raise FetchError(f"The download took longer than {timeout * 2:g} s.")
                    return Fetched(
                        url=str(current),
                        content=bytes(content),
                        content_type=response.headers.get("content-type", ""),
                    )
            except httpx.TimeoutException as exc:
                raise FetchError(f"No answer within {timeout:g} s.") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"The page could not be fetched ({exc}).") from exc
    raise FetchError(f"Too many redirects (more than {settings.IMPORT_FETCH_MAX_REDIRECTS}).")


def _too_big(max_bytes: int) -> str:
    return f"The page is larger than the {max_bytes / (1024 * 1024):g} MB limit."
