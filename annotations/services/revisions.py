"""Living articles: recording a new text of an article and carrying its claims over to it.

An article has no revision rows until its text first changes; recording a revision then stores
revision 1 from the text it had, moves the current sentences to that revision (they stay
readable), switches the article's body to the new text and splits it. The claims are re-anchored
after the commit by a Celery job (`reanchor_claims`), one per revision, with the pure algorithm
in `annotations.reanchoring`. Nothing about a claim is lost: an orphaned claim keeps its text,
span (on the revision it was last found in), sentences, sources, comments and verdicts.
"""

from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .. import anchoring, jobs, reanchoring, roles, scoring, search
from ..audit import record_event
from ..memory import matching
from ..models import (
    AnchorStatus,
    Article,
    ArticleRevision,
    Claim,
    Sentence,
    content_hash,
    normalise_body,
)
from .articles import build_sentences
from .checks import require_checker


def revisions_of(article: Article) -> list[ArticleRevision]:
    """The article's revisions, oldest first; one unsaved (its text) if it was never revised."""
    revisions = list(article.revisions.order_by("number"))
    return revisions or [_first_revision(article)]


def _first_revision(article: Article) -> ArticleRevision:
    return ArticleRevision(
        article=article,
        number=1,
        body=article.body,
        content_hash=article.content_hash,
        source=ArticleRevision.Source.ORIGINAL,
        created_at=article.created_at,
    )


def revision_sentences(revision: ArticleRevision, *, current: bool) -> QuerySet[Sentence]:
    """The sentences of one revision: the article's current ones, or those kept with it."""
    if current:
        return Sentence.objects.filter(article_id=revision.article_id).order_by("position")
    return Sentence.all_revisions.filter(revision=revision).order_by("position")


def newest_revision(article: Article) -> ArticleRevision | None:
    """The revision whose text is the article's body; None while the article has only one text."""
    return article.revisions.order_by("-number").first()


def record_revision(
    *, article: Article, body: str, source: str, created_by: User | None = None
) -> tuple[ArticleRevision, bool]:
    """Make `body` the article's current text; (the newest revision, False) if it is unchanged.

    The text is normalised as at import, so only a real change of text makes a revision. A text
    that another article already has is refused (the same text is never stored twice). The
    claims are re-anchored by a job queued when this commits.
    """
    if created_by is not None:
        require_checker(created_by)
        if not roles.has_role(created_by, roles.EDITOR):
            raise PermissionDenied("Only editors may record a new text of an article.")
    if not isinstance(body, str) or not body.strip():
        raise ValidationError({"body": "The new text is empty."})
    body = normalise_body(body)
    digest = content_hash(body)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        revisions = list(article.revisions.order_by("number"))
        if digest == article.content_hash:
            return (revisions[-1] if revisions else _first_revision(article)), False
        other = Article.objects.filter(content_hash=digest).exclude(pk=article.pk).first()
        if other is not None:
            raise ValidationError(
                {"body": f"This text is already stored as article {other.pk}: {other.title}"}
            )
        if not revisions:
            first = _first_revision(article)
            first.save()
            revisions.append(first)
        previous = revisions[-1]
        Sentence.objects.filter(article=article).update(revision=previous)
        revision = ArticleRevision.objects.create(
            article=article,
            number=previous.number + 1,
            body=body,
            content_hash=digest,
            source=source,
            created_by=created_by,
        )
        article.body = body
        try:
            with transaction.atomic():
                article.save(update_fields=["body", "content_hash", "updated_at"])
        except IntegrityError as exc:  # an import stored the same text a moment ago
            raise ValidationError(
                {"body": "This text was just stored as another article; it is not stored twice."}
            ) from exc
        Sentence.objects.bulk_create(build_sentences(article))
        record_event(
            actor=created_by,
            action="article.revised",
            obj=article,
            changes={"revision": revision.number, "source": source},
        )
        search.index_after_commit([article.pk], refresh=True)
        matching.queue_articles([article.pk])  # the new text's sentences: claim memory
        scoring.queue_scoring([article.pk])  # and check-worthiness
        _queue_reanchoring(revision.pk)
    return revision, True


def _queue_reanchoring(revision_id: int) -> None:
    jobs.send_after_commit(jobs.REANCHOR, args=[revision_id])


def reanchor_claims(*, revision_id: int) -> dict[str, int]:
    """Carry every claim of the revision's article onto its text; counts by new anchor status.

    Idempotent: a claim already placed on this revision is left alone, so a re-delivered job
    changes nothing. If a newer revision exists, its own job does the work and this one stops.
    """
    counts = {status: 0 for status in AnchorStatus.values}
    with transaction.atomic():
        revision = ArticleRevision.objects.select_related("article").get(pk=revision_id)
        article = Article.objects.select_for_update().get(pk=revision.article_id)
        if article.content_hash != revision.content_hash:
            return counts  # a newer text came in; its job re-anchors from here
        texts = ArticleRevision.objects.filter(article=article).values_list("pk", "number", "body")
        bodies = {pk: body for pk, _, body in texts}
        numbers = {pk: number for pk, number, _ in texts}
        first = min(numbers, key=lambda pk: numbers[pk])
        claims = list(
            Claim.objects.filter(article=article)
            .exclude(anchor_revision=revision)
            .select_for_update()
            .order_by("pk")
        )
        # Each claim's span is on the text of its `anchor_revision`; no revision means the text
        # the article had before it was first revised (revision 1).
        groups: dict[int, list[Claim]] = {}
        for claim in claims:
            groups.setdefault(claim.anchor_revision_id or first, []).append(claim)
        spans = list(
            Sentence.objects.filter(article=article)
            .order_by("position")
            .values_list("id", "start", "end")
        )
        now = timezone.now()
        for source_id, group in groups.items():
            anchors = [
                reanchoring.StoredAnchor(
                    c.start, c.end, c.quote_exact, c.quote_prefix, c.quote_suffix
                )
                for c in group
            ]
            results = reanchoring.reanchor(bodies[source_id], article.body, anchors)
            source_number = numbers[source_id]
            for claim, result in zip(group, results, strict=True):
                _apply(
                    claim,
                    result,
                    revision=revision,
                    source_revision_id=source_id,
                    source_number=source_number,
                    old_body=bodies[source_id],
                    spans=spans,
                    now=now,
                )
                counts[result.status] += 1
    return counts


def _apply(
    claim: Claim,
    result: reanchoring.Reanchored,
    *,
    revision: ArticleRevision,
    source_revision_id: int,
    source_number: int,
    old_body: str,
    spans: list[tuple[int, int, int]],
    now: datetime,
) -> None:
    before = {
        "anchor_status": claim.anchor_status,
        "revision": source_number,
        "start": claim.start,
        "end": claim.end,
    }
    moved = result.status != AnchorStatus.ORPHANED and (result.start, result.end) != (
        claim.start,
        claim.end,
    )
    if result.status == AnchorStatus.ORPHANED:
        if (
            claim.anchor_status == AnchorStatus.ORPHANED
            and claim.anchor_revision_id == source_revision_id
        ):
            return  # still gone: nothing to write, and `updated_at` must not move
        if claim.anchor_status != AnchorStatus.ORPHANED:
            claim.anchor_previous = {
                "revision": source_number,
                "start": claim.start,
                "end": claim.end,
                "text": old_body[claim.start : claim.end],
            }
            claim.text_changed_at = now
        claim.anchor_status = AnchorStatus.ORPHANED
        claim.anchor_revision_id = source_revision_id
        claim.save(
            update_fields=[
                "anchor_status",
                "anchor_revision",
                "anchor_previous",
                "text_changed_at",
                "updated_at",
            ]
        )
    else:
        if result.status == AnchorStatus.CHANGED or moved or claim.anchor_status != "anchored":
            claim.anchor_previous = {
                "revision": source_number,
                "start": claim.start,
                "end": claim.end,
                "text": old_body[claim.start : claim.end],
            }
        if result.status == AnchorStatus.CHANGED:
            claim.text_changed_at = now
        # A changed claim keeps the quote it was checked against until a reviewer accepts the
        # new text; an anchored one has exactly that text again.
        if result.start is None or result.end is None:
            raise ValueError(f"Claim {claim.pk} is {result.status} but has no span.")
        claim.start, claim.end = result.start, result.end
        claim.anchor_status = result.status
        claim.anchor_revision = revision
        claim.save(
            update_fields=[
                "start",
                "end",
                "anchor_status",
                "anchor_revision",
                "anchor_previous",
                "text_changed_at",
                "updated_at",
            ]
        )
        covered = anchoring.covered([(s, e) for _, s, e in spans], start=claim.start, end=claim.end)
        claim.sentences.add(*[spans[i][0] for i in covered])
    if before["anchor_status"] != claim.anchor_status or moved:
        record_event(
            actor=None,
            action=f"claim.{claim.anchor_status}",
            obj=claim,
            changes={
                "revision": [source_number, revision.number],
                "anchor_status": [before["anchor_status"], claim.anchor_status],
                "start": [before["start"], claim.start],
                "end": [before["end"], claim.end],
            },
        )


def accept_anchor(*, claim: Claim, actor: User) -> Claim:
    """A reviewer confirms a changed claim's new text: its quote becomes that text, `anchored`.

    Only for `changed` claims (an orphan has no new place; re-span it instead). The claim's
    author, assignee and editors may; the public note that the article changed stays.
    """
    from .claims import can_edit_claim

    require_checker(actor)
    if not can_edit_claim(claim=claim, user=actor):
        raise PermissionDenied("Only the claim's author, its assignee or an editor may do this.")
    if claim.anchor_status != AnchorStatus.CHANGED:
        raise ValidationError(
            {
                "anchor_status": "Only a changed claim can be accepted "
                f"(this one is {claim.anchor_status}); re-span it instead."
            }
        )
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("article").get(pk=claim.pk)
        body = claim.article.body
        selector = anchoring.quote_selector(body, start=claim.start, end=claim.end)
        before = claim.quote_exact
        claim.quote_exact, claim.quote_prefix, claim.quote_suffix = (
            selector.exact,
            selector.prefix,
            selector.suffix,
        )
        claim.anchor_status = AnchorStatus.ANCHORED
        claim.save(
            update_fields=[
                "quote_exact",
                "quote_prefix",
                "quote_suffix",
                "anchor_status",
                "updated_at",
            ]
        )
        record_event(
            actor=actor,
            action="claim.anchor_accepted",
            obj=claim,
            changes={"quote_exact": [before, claim.quote_exact]},
        )
    return claim
