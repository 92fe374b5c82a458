"""Articles: storing one split into sentences, and assigning it to a reviewer."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .. import roles, scoring, search
from ..audit import record_update, snapshot
from ..memory import matching
from ..models import Article, Claim, ImportJob, Sentence, content_hash, normalise_body
from ..segmentation import split_sentences
from .checks import require_role


def build_sentences(article: Article) -> list[Sentence]:
    """Unsaved Sentence rows for `article.body`, with offsets into it, ready for bulk_create."""
    return [
        Sentence(
            article=article,
            position=position,
            start=span.start,
            end=span.end,
            text=span.text,
            paragraph=span.paragraph,
        )
        for position, span in enumerate(split_sentences(article.body, article.language))
    ]


def create_article(
    *,
    title: str,
    body: str,
    url: str | None = None,
    publisher: str = "",
    authors: list[str] | None = None,
    published_at: datetime | None = None,
    language: str = "en",
    metadata: dict[str, Any] | None = None,
    import_job: ImportJob | None = None,
) -> tuple[Article, bool]:
    """Store an article split into sentences; (existing article, False) if its URL or text is known.

    A duplicate stored concurrently by another transaction is reported the same way, never as a
    database error. The body is normalised (NFC, Unix line ends) before it is hashed and split,
    so offsets always point into exactly the stored text.
    """
    body = normalise_body(body)
    digest = content_hash(body)
    existing = _stored_copy(digest=digest, url=url)
    if existing is not None:
        return existing, False
    try:
        # A savepoint: when another transaction stores the same text or URL between the check
        # above and this insert, the unique constraint refuses it and only this part rolls back.
        with transaction.atomic():
            article = Article.objects.create(
                title=title.strip()[:1000],
                body=body,
                url=url or None,
                publisher=publisher,
                authors=authors or [],
                published_at=published_at,
                language=language,
                metadata=metadata or {},
                import_job=import_job,
            )
            Sentence.objects.bulk_create(build_sentences(article))
            search.index_after_commit([article.pk])
            matching.queue_articles([article.pk])
            scoring.queue_scoring([article.pk])
    except IntegrityError as error:
        existing = _stored_copy(digest=digest, url=url)
        if existing is None:  # the other insert is not visible to this transaction's snapshot
            raise ValidationError(
                {"detail": _("Duplicate: an article with this text or URL is already stored.")}
            ) from error
        return existing, False
    return article, True


def _stored_copy(*, digest: str, url: str | None) -> Article | None:
    existing = Article.objects.filter(content_hash=digest).first()
    if existing is None and url:
        existing = Article.objects.filter(url=url).first()
    return existing


def assign_article(*, article: Article, assignee: User | None, actor: User) -> Article:
    """Give an article to a reviewer (or take it back with `assignee=None`). Editors only.

    A new article goes into review when someone is assigned to it.
    """
    require_role(actor, roles.EDITOR, message=_("Only editors may assign articles."))
    if assignee is not None and not roles.has_role(assignee, roles.REVIEWER, roles.EDITOR):
        raise ValidationError(
            {
                "assignee": _("%(name)s is not a reviewer or an editor.")
                % {"name": assignee.get_username()}
            }
        )
    fields = ("assignee", "status")
    with transaction.atomic():
        before = snapshot(article, fields)
        article.assignee = assignee
        if assignee is not None and article.status == Article.Status.NEW:
            article.status = Article.Status.IN_REVIEW
        article.save(update_fields=["assignee", "status", "updated_at"])
        record_update(
            actor=actor, action="article.assigned", obj=article, before=before, fields=fields
        )
    return article


# A claim is settled once an editor decided on its verdict: published (or since retracted), or
# sent back (rejected). An article whose claims are all settled has been reviewed.
SETTLED_CLAIM_STATUSES = (Claim.Status.PUBLISHED, Claim.Status.REJECTED, Claim.Status.RETRACTED)
STATUS_FIELDS = ("status",)


def _move_status(*, article: Article, status: str, actor: User | None) -> Article:
    if article.status != status:
        before = snapshot(article, STATUS_FIELDS)
        article.status = status
        article.save(update_fields=["status", "updated_at"])
        record_update(
            actor=actor,
            action="article.status_changed",
            obj=article,
            before=before,
            fields=STATUS_FIELDS,
        )
    return article


def follow_claims(*, article_id: int, actor: User | None) -> Article:
    """Move an article's status after one of its claims changed, inside the caller's transaction.

    new → in review when a claim is marked; in review → reviewed when every (visible) claim is
    settled (its verdict published or rejected, or retracted); reviewed → in review when a claim
    is marked or sent for approval again. Archived articles stay archived. Audited as
    `article.status_changed`, with the person whose change moved it as the actor.
    """
    article = Article.objects.select_for_update().get(pk=article_id)
    if article.status == Article.Status.ARCHIVED:
        return article
    claims = Claim.objects.filter(article_id=article_id, is_hidden=False).aggregate(
        total=Count("pk"), open=Count("pk", filter=~Q(status__in=SETTLED_CLAIM_STATUSES))
    )
    if not claims["total"]:
        return article  # nothing marked (or the last claim deleted): the status stays
    target = Article.Status.IN_REVIEW if claims["open"] else Article.Status.REVIEWED
    return _move_status(article=article, status=target, actor=actor)


def set_article_status(*, article: Article, status: str, actor: User) -> Article:
    """An editor marks an article's status by hand (reviewed, back in review, archived, new)."""
    require_role(actor, roles.EDITOR, message=_("Only editors may change an article's status."))
    if status not in Article.Status.values:
        raise ValidationError(
            {
                "status": _("Unknown status; use one of %(choices)s.")
                % {"choices": ", ".join(Article.Status.values)}
            }
        )
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        return _move_status(article=article, status=status, actor=actor)
