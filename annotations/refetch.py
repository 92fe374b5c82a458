"""Following articles as publishers change them: the periodic re-fetch of their URLs.

Celery beat runs `queue_due_refetches` every `REFETCH_INTERVAL_MINUTES`; it queues one
`refetch_article` task per article whose check is due. A check is a conditional GET through
the import's one safe fetcher (`importing.fetch.fetch`, sending the page's last `ETag` and
`Last-Modified`), the text extracted exactly as a URL import extracts it
(`importing.web.extract_page`), and a revision recorded only when the normalised text changed
(`services.revisions.record_revision`). Each check that finds nothing new, or fails, doubles
the article's wait, up to `REFETCH_MAX_INTERVAL_HOURS`; a change brings it back to the start.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import jobs
from .importing.fetch import FetchError, fetch
from .importing.records import RecordError
from .importing.web import extract_page
from .models import Article, ArticleFetchState, ArticleRevision
from .services.revisions import record_revision


def _validators(state: ArticleFetchState) -> dict[str, str]:
    """The conditional-GET headers from the page's last answer."""
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


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
        page = fetch(article.url, headers=_validators(state))
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
