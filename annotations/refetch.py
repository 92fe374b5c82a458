"""Following articles as publishers change them: the periodic re-fetch of their URLs.

Celery beat runs `queue_due_refetches` every `REFETCH_INTERVAL_MINUTES`; it queues one
`refetch_article` task per article whose check is due. A check is a conditional GET (the
page's last `ETag` and `Last-Modified`), the text extracted exactly as a URL import extracts it
(`importing.web.extract_page`), and a revision recorded only when the normalised text changed
(`services.revisions.record_revision`). Each check that finds nothing new, or fails, doubles
the article's wait, up to `REFETCH_MAX_INTERVAL_HOURS`; a change brings it back to the start.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import jobs
from .importing.fetch import ACCEPT, FetchError, resolve_allowed
from .importing.records import RecordError
from .importing.web import extract_page
from .models import Article, ArticleFetchState, ArticleRevision
from .services.revisions import record_revision


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    content: bytes  # empty when not modified
    not_modified: bool
    etag: str
    last_modified: str


def conditional_fetch(url: str, *, etag: str = "", last_modified: str = "") -> Page:
    """GET `url` with `If-None-Match`/`If-Modified-Since`, with the import's safety rules.

    The same checks as `importing.fetch.fetch` on every hop (public addresses only, pinned to
    the address checked, timeouts, size cap, redirect limit); that function takes no request
    headers and returns none of the response's, which a conditional GET needs.
    """
    timeout, max_bytes = settings.IMPORT_FETCH_TIMEOUT, settings.IMPORT_FETCH_MAX_BYTES
    deadline = time.monotonic() + timeout * 2
    headers = {"User-Agent": settings.IMPORT_FETCH_USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = httpx.URL(url)
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _hop in range(settings.IMPORT_FETCH_MAX_REDIRECTS + 1):
            if current.scheme not in ("http", "https") or not current.host:
                raise FetchError(f"Only http and https URLs can be fetched, not {current}.")
            host = current.raw_host.decode("ascii")
            port = current.port or (443 if current.scheme == "https" else 80)
            pinned = current.copy_with(host=resolve_allowed(host, port))
            host_header = host if current.port is None else f"{host}:{current.port}"
            extensions = {"sni_hostname": host} if current.scheme == "https" else {}
            try:
                with client.stream(
                    "GET",
                    pinned,
                    headers={**headers, "Host": host_header},
                    extensions=extensions,
                ) as response:
                    validators = {
                        "etag": response.headers.get("etag", "")[:500],
                        "last_modified": response.headers.get("last-modified", "")[:100],
                    }
                    # Before the redirect check: httpx counts a 304 as a redirect.
                    if response.status_code == 304:
                        return Page(str(current), b"", True, **validators)
                    if response.is_redirect:
                        current = current.join(response.headers.get("location", ""))
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"The server answered HTTP {response.status_code}.")
                    content = bytearray()
                    for chunk in response.iter_bytes():
                        content += chunk
                        if len(content) > max_bytes:
                            raise FetchError(f"The page is larger than {max_bytes} bytes.")
                        if time.monotonic() > deadline:
                            raise FetchError(f"The download took longer than {timeout * 2:g} s.")
                    return Page(str(current), bytes(content), False, **validators)
            except httpx.TimeoutException as exc:
                raise FetchError(f"No answer within {timeout:g} s.") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"The page could not be fetched ({exc}).") from exc
    raise FetchError(f"Too many redirects (more than {settings.IMPORT_FETCH_MAX_REDIRECTS}).")


def _wait(runs: int) -> timedelta:
    base = timedelta(minutes=settings.REFETCH_INTERVAL_MINUTES)
    cap = timedelta(hours=settings.REFETCH_MAX_INTERVAL_HOURS)
    return min(cap, base * 2 ** min(runs, 20))


def due_articles(*, now: datetime, limit: int) -> list[int]:
    """Ids of articles with a URL whose re-fetch is due (never checked ones first)."""
    return list(
        Article.objects.filter(url__isnull=False)
        .exclude(status=Article.Status.ARCHIVED)
        .filter(Q(fetch_state__isnull=True) | Q(fetch_state__next_check_at__lte=now))
        .order_by("fetch_state__next_check_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def queue_due_refetches() -> int:
    """Queue a re-fetch for each due article (at most REFETCH_BATCH); how many were queued.

    Their next check is pushed back as they are queued, so the next sweep does not queue them
    again while they wait for a worker.
    """
    now = timezone.now()
    ids = due_articles(now=now, limit=settings.REFETCH_BATCH)
    with transaction.atomic():
        for pk in ids:
            state, _ = ArticleFetchState.objects.get_or_create(article_id=pk)
            state.next_check_at = now + _wait(state.unchanged_runs)
            state.save(update_fields=["next_check_at"])
        for pk in ids:
            jobs.send_after_commit(jobs.REFETCH, args=[pk])
    return len(ids)


def refetch_article(*, article_id: int) -> str:
    """Check one article's URL; "revised", "unchanged", "not-modified" or "failed"."""
    article = Article.objects.filter(pk=article_id, url__isnull=False).first()
    if article is None or article.url is None:
        return "failed"
    state, _ = ArticleFetchState.objects.get_or_create(article=article)
    now = timezone.now()
    outcome, error = "failed", ""
    try:
        page = conditional_fetch(article.url, etag=state.etag, last_modified=state.last_modified)
        if page.not_modified:
            outcome = "not-modified"
        else:
            record = extract_page(page.content, url=page.url)
            _, created = record_revision(
                article=article, body=record.body, source=ArticleRevision.Source.REFETCH
            )
            outcome = "revised" if created else "unchanged"
        state.etag = page.etag or state.etag
        state.last_modified = page.last_modified or state.last_modified
    except (FetchError, RecordError) as exc:
        error = str(exc)
    except ValidationError as exc:  # the new text is another article's
        error = "; ".join(exc.messages)
    state.unchanged_runs = 0 if outcome == "revised" else state.unchanged_runs + 1
    state.checked_at = now
    state.next_check_at = now + _wait(state.unchanged_runs)
    state.last_error = error
    state.save()
    return outcome
