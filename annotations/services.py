"""Writes with rules. Views, admin actions, commands and tasks call these; none repeats them."""

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from . import anchoring, roles
from .audit import diff, record_event, snapshot
from .models import (
    Article,
    Claim,
    Comment,
    Correction,
    ImportJob,
    Rating,
    Sentence,
    Source,
    Verdict,
    content_hash,
    normalise_body,
)
from .segmentation import split_sentences


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
    metadata: dict | None = None,
    import_job: ImportJob | None = None,
) -> tuple[Article, bool]:
    """Store an article split into sentences; (existing article, False) if its URL or text is known.

    The body is normalised (NFC, Unix line ends) before it is hashed and split, so offsets
    always point into exactly the stored text.
    """
    body = normalise_body(body)
    digest = content_hash(body)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing is None and url:
        existing = Article.objects.filter(url=url).first()
    if existing is not None:
        return existing, False
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
    return article, True


# --- Review: assignment, claims, sources, comments, verdicts ------------------------------------

CLAIM_FIELDS = ("article", "start", "end", "quote_exact", "claimant", "text", "status", "assignee")
SOURCE_FIELDS = ("claim", "url", "title", "publisher", "quote", "stance", "accessed_at")
COMMENT_FIELDS = ("claim", "body")
VERDICT_FIELDS = ("claim", "rating", "explanation", "status", "reviewed_by", "review_note")
# Published and retracted claims are public record: their span and wording change only through
# a new verdict with a correction note, never by a silent edit.
FROZEN_CLAIM_STATUSES = (Claim.Status.PUBLISHED, Claim.Status.RETRACTED)

_http_url = URLValidator(schemes=["http", "https"])


def _require_role(user, *names: str, message: str) -> None:
    if not roles.has_role(user, *names):
        raise PermissionDenied(message)


def _require_checker(user) -> None:
    _require_role(
        user, roles.REVIEWER, roles.EDITOR, message="Only reviewers and editors may do this."
    )


def assign_article(*, article: Article, assignee, actor) -> Article:
    """Give an article to a reviewer (or take it back with `assignee=None`). Editors only.

    A new article goes into review when someone is assigned to it.
    """
    _require_role(actor, roles.EDITOR, message="Only editors may assign articles.")
    if assignee is not None and not roles.has_role(assignee, roles.REVIEWER, roles.EDITOR):
        raise ValidationError(
            {"assignee": f"{assignee.get_username()} is not a reviewer or an editor."}
        )
    fields = ("assignee", "status")
    with transaction.atomic():
        before = snapshot(article, fields)
        article.assignee = assignee
        if assignee is not None and article.status == Article.Status.NEW:
            article.status = Article.Status.IN_REVIEW
        article.save(update_fields=["assignee", "status", "updated_at"])
        record_event(
            actor=actor,
            action="article.assigned",
            obj=article,
            changes=diff(before, snapshot(article, fields)),
        )
    return article


def _anchor(
    *,
    article: Article,
    start: int | None,
    end: int | None,
    sentence_ids: Iterable[int] | None,
) -> tuple[int, int, list[int]]:
    """(start, end, covered sentence ids) for a span given by offsets or by sentence ids."""
    spans = list(article.sentences.order_by("position").values_list("id", "start", "end"))
    if sentence_ids is not None:
        if start is not None or end is not None:
            raise ValidationError({"detail": "Give either start and end, or sentences, not both."})
        wanted = set(sentence_ids)
        if not wanted:
            raise ValidationError({"sentences": "Choose at least one sentence."})
        chosen = [(s, e) for pk, s, e in spans if pk in wanted]
        foreign = sorted(wanted - {pk for pk, _, _ in spans})
        if foreign:
            listed = ", ".join(str(pk) for pk in foreign)
            raise ValidationError(
                {"sentences": f"Sentences not in article {article.pk}: {listed}."}
            )
        start, end = anchoring.enclosing(chosen)
    else:
        missing = {
            name: "Give start and end (character offsets), or sentences."
            for name, value in (("start", start), ("end", end))
            if value is None
        }
        if missing:
            raise ValidationError(missing)
        errors = anchoring.span_errors(start=start, end=end, length=len(article.body))
        if errors:
            raise ValidationError(errors)
    positions = anchoring.covered([(s, e) for _, s, e in spans], start=start, end=end)
    if not positions:
        raise ValidationError(
            {"start": f"The span [{start}, {end}) covers no sentence: it is only whitespace."}
        )
    return start, end, [spans[i][0] for i in positions]


def _set_span(claim: Claim, *, start: int, end: int) -> None:
    selector = anchoring.quote_selector(claim.article.body, start=start, end=end)
    claim.start, claim.end = start, end
    claim.quote_exact, claim.quote_prefix, claim.quote_suffix = (
        selector.exact,
        selector.prefix,
        selector.suffix,
    )


def create_claim(
    *,
    article: Article,
    created_by,
    start: int | None = None,
    end: int | None = None,
    sentence_ids: Iterable[int] | None = None,
    claimant: str = "",
    text: str = "",
) -> Claim:
    """Mark a claim on an article, by offsets `[start, end)` or by the sentences it spans.

    The covered sentences and the quote selector are computed here, never taken from the client.
    """
    _require_checker(created_by)
    start, end, covered_ids = _anchor(
        article=article, start=start, end=end, sentence_ids=sentence_ids
    )
    claim = Claim(article=article, created_by=created_by, claimant=claimant, text=text)
    _set_span(claim, start=start, end=end)
    with transaction.atomic():
        claim.save()
        claim.sentences.set(covered_ids)
        record_event(
            actor=created_by,
            action="claim.created",
            obj=claim,
            changes=snapshot(claim, CLAIM_FIELDS),
        )
    return claim


def can_edit_claim(*, claim: Claim, user) -> bool:
    """The claim's author, its assignee and editors may edit it."""
    return (
        claim.created_by_id == user.pk
        or claim.assignee_id == user.pk
        or roles.has_role(user, roles.EDITOR)
    )


def update_claim(
    *,
    claim: Claim,
    actor,
    start: int | None = None,
    end: int | None = None,
    sentence_ids: Iterable[int] | None = None,
    claimant: str | None = None,
    text: str | None = None,
    assignee=...,
) -> Claim:
    """Change a claim's span, claimant, wording or assignee (None arguments stay as they are).

    A new span re-computes the covered sentences and the quote selector. Published and retracted
    claims keep their span and wording.
    """
    _require_checker(actor)
    if not can_edit_claim(claim=claim, user=actor):
        raise PermissionDenied("Only the claim's author, its assignee or an editor may edit it.")
    respan = start is not None or end is not None or sentence_ids is not None
    if claim.status in FROZEN_CLAIM_STATUSES and (
        respan or claimant is not None or text is not None
    ):
        raise ValidationError(
            {
                "detail": f"A {claim.status} claim cannot be edited: submit a new verdict "
                "with a correction note instead."
            }
        )
    if (
        assignee is not ...
        and assignee is not None
        and not roles.has_role(assignee, roles.REVIEWER, roles.EDITOR)
    ):
        raise ValidationError(
            {"assignee": f"{assignee.get_username()} is not a reviewer or an editor."}
        )
    covered_ids = None
    if respan:
        if sentence_ids is None:
            start = claim.start if start is None else start
            end = claim.end if end is None else end
        start, end, covered_ids = _anchor(
            article=claim.article, start=start, end=end, sentence_ids=sentence_ids
        )
    with transaction.atomic():
        before = snapshot(claim, CLAIM_FIELDS)
        if covered_ids is not None:
            _set_span(claim, start=start, end=end)
            claim.sentences.set(covered_ids)
        if claimant is not None:
            claim.claimant = claimant
        if text is not None:
            claim.text = text
        if assignee is not ...:
            claim.assignee = assignee
        claim.save()
        record_event(
            actor=actor,
            action="claim.updated",
            obj=claim,
            changes=diff(before, snapshot(claim, CLAIM_FIELDS)),
        )
    return claim


def delete_claim(*, claim: Claim, actor) -> None:
    """Delete a claim its author marked, while it has never been published."""
    _require_checker(actor)
    if claim.created_by_id != actor.pk:
        raise PermissionDenied("Only the reviewer who marked a claim may delete it.")
    if claim.status in FROZEN_CLAIM_STATUSES or claim.published_verdict_id is not None:
        raise ValidationError(
            {"detail": f"A {claim.status} claim is public record and cannot be deleted."}
        )
    with transaction.atomic():
        record_event(
            actor=actor,
            action="claim.deleted",
            obj=claim,
            changes=snapshot(claim, CLAIM_FIELDS),
        )
        claim.delete()


def _check_url(url: str) -> None:
    try:
        _http_url(url)
    except ValidationError as error:
        raise ValidationError({"url": "Enter a valid http:// or https:// URL."}) from error


def add_source(
    *,
    claim: Claim,
    created_by,
    url: str,
    title: str = "",
    publisher: str = "",
    quote: str = "",
    stance: str = Source.Stance.CONTEXT,
    accessed_at: datetime | None = None,
) -> Source:
    """Cite evidence for a claim: an http(s) URL, what it says and how it bears on the claim."""
    _require_checker(created_by)
    _check_url(url)
    source = Source(
        claim=claim,
        created_by=created_by,
        url=url,
        title=title,
        publisher=publisher,
        quote=quote,
        stance=stance,
        accessed_at=accessed_at,
    )
    with transaction.atomic():
        source.save()
        record_event(
            actor=created_by,
            action="source.created",
            obj=source,
            changes=snapshot(source, SOURCE_FIELDS),
        )
    return source


def _require_author_or_editor(*, author_id: int, user, what: str) -> None:
    if author_id != user.pk and not roles.has_role(user, roles.EDITOR):
        raise PermissionDenied(f"Only the person who added this {what} or an editor may change it.")


def update_source(*, source: Source, actor, **changes) -> Source:
    """Edit a source (url, title, publisher, quote, stance, accessed_at). Its author or editors."""
    _require_checker(actor)
    _require_author_or_editor(author_id=source.created_by_id, user=actor, what="source")
    unknown = set(changes) - set(SOURCE_FIELDS[1:])
    if unknown:
        raise ValueError(f"Not source fields: {sorted(unknown)}")
    if "url" in changes:
        _check_url(changes["url"])
    with transaction.atomic():
        before = snapshot(source, SOURCE_FIELDS)
        for name, value in changes.items():
            setattr(source, name, value)
        source.save()
        record_event(
            actor=actor,
            action="source.updated",
            obj=source,
            changes=diff(before, snapshot(source, SOURCE_FIELDS)),
        )
    return source


def delete_source(*, source: Source, actor) -> None:
    """Remove a source. Its author or editors."""
    _require_checker(actor)
    _require_author_or_editor(author_id=source.created_by_id, user=actor, what="source")
    with transaction.atomic():
        record_event(
            actor=actor,
            action="source.deleted",
            obj=source,
            changes=snapshot(source, SOURCE_FIELDS),
        )
        source.delete()


def _check_comment_body(body: str) -> None:
    if not body.strip():
        raise ValidationError({"body": "A comment cannot be empty."})


def add_comment(*, claim: Claim, author, body: str) -> Comment:
    """Post to a claim's discussion thread."""
    _require_checker(author)
    _check_comment_body(body)
    comment = Comment(claim=claim, author=author, body=body)
    with transaction.atomic():
        comment.save()
        record_event(
            actor=author,
            action="comment.created",
            obj=comment,
            changes=snapshot(comment, COMMENT_FIELDS),
        )
    return comment


def update_comment(*, comment: Comment, actor, body: str) -> Comment:
    """Edit one's own comment."""
    _require_checker(actor)
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only a comment's author may edit it.")
    _check_comment_body(body)
    with transaction.atomic():
        before = snapshot(comment, COMMENT_FIELDS)
        comment.body = body
        comment.save(update_fields=["body", "updated_at"])
        record_event(
            actor=actor,
            action="comment.updated",
            obj=comment,
            changes=diff(before, snapshot(comment, COMMENT_FIELDS)),
        )
    return comment


def delete_comment(*, comment: Comment, actor) -> None:
    """Delete one's own comment."""
    _require_checker(actor)
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only a comment's author may delete it.")
    with transaction.atomic():
        record_event(
            actor=actor,
            action="comment.deleted",
            obj=comment,
            changes=snapshot(comment, COMMENT_FIELDS),
        )
        comment.delete()


def _check_explanation(explanation: str) -> None:
    minimum = settings.VERDICT_MIN_EXPLANATION_LENGTH
    if len(explanation.strip()) < minimum:
        raise ValidationError(
            {"explanation": f"Explain the verdict in at least {minimum} characters."}
        )


def submit_verdict(*, claim: Claim, author, rating: Rating, explanation: str) -> Verdict:
    """Give a claim a verdict for an editor to approve. Needs a source and a real explanation.

    On a published claim the new verdict waits for approval while the published one stays public.
    """
    _require_checker(author)
    _check_explanation(explanation)
    with transaction.atomic():
        # Lock the claim: two verdicts submitted at once must not both pass the pending check.
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status == Claim.Status.RETRACTED:
            raise ValidationError({"detail": "A retracted claim takes no new verdicts."})
        if not claim.sources.filter(is_hidden=False).exists():
            raise ValidationError({"detail": "Cite at least one source before giving a verdict."})
        pending = claim.verdicts.filter(status=Verdict.Status.SUBMITTED).first()
        if pending is not None:
            raise ValidationError(
                {"detail": f"Verdict #{pending.pk} on this claim already awaits an editor."}
            )
        verdict = Verdict.objects.create(
            claim=claim,
            rating=rating,
            explanation=explanation,
            author=author,
            status=Verdict.Status.SUBMITTED,
        )
        if claim.status != Claim.Status.PUBLISHED:
            claim.status = Claim.Status.SUBMITTED
            claim.save(update_fields=["status", "updated_at"])
        record_event(
            actor=author,
            action="verdict.submitted",
            obj=verdict,
            changes=snapshot(verdict, VERDICT_FIELDS),
        )
    return verdict


def update_verdict(
    *, verdict: Verdict, actor, rating: Rating | None = None, explanation: str | None = None
) -> Verdict:
    """Revise one's own verdict while it still awaits an editor."""
    _require_checker(actor)
    if verdict.author_id != actor.pk:
        raise PermissionDenied("Only a verdict's author may revise it.")
    if verdict.status != Verdict.Status.SUBMITTED:
        raise ValidationError({"detail": f"A {verdict.status} verdict cannot be revised."})
    if explanation is not None:
        _check_explanation(explanation)
    with transaction.atomic():
        before = snapshot(verdict, VERDICT_FIELDS)
        if rating is not None:
            verdict.rating = rating
        if explanation is not None:
            verdict.explanation = explanation
        verdict.save()
        record_event(
            actor=actor,
            action="verdict.updated",
            obj=verdict,
            changes=diff(before, snapshot(verdict, VERDICT_FIELDS)),
        )
    return verdict


def _lock_for_review(verdict: Verdict, editor) -> Verdict:
    _require_role(editor, roles.EDITOR, message="Only editors may approve or reject verdicts.")
    verdict = Verdict.objects.select_for_update().select_related("claim").get(pk=verdict.pk)
    if verdict.author_id == editor.pk:
        raise PermissionDenied("A verdict needs a second person's approval: not your own.")
    if verdict.status != Verdict.Status.SUBMITTED:
        raise ValidationError(
            {"detail": f"Only a submitted verdict can be reviewed; this one is {verdict.status}."}
        )
    return verdict


def approve_verdict(*, verdict: Verdict, editor, correction: str = "") -> Verdict:
    """Publish the claim under this verdict. Editors only, never their own verdict.

    Replacing the verdict of an already-published claim needs a `correction` note: the
    corrections policy makes every change to a published verdict public, as a Correction.
    The earlier verdict stays approved in the record.
    """
    with transaction.atomic():
        verdict = _lock_for_review(verdict, editor)
        claim = Claim.objects.select_for_update().get(pk=verdict.claim_id)
        if claim.status == Claim.Status.RETRACTED:
            raise ValidationError(
                {"detail": "The claim was retracted; its verdicts stay unpublished."}
            )
        republish = claim.status == Claim.Status.PUBLISHED and claim.published_verdict_id
        if republish and not correction.strip():
            raise ValidationError(
                {
                    "correction": "This claim is already published: say what changed and why "
                    "in a correction note."
                }
            )
        now = timezone.now()
        verdict.status = Verdict.Status.APPROVED
        verdict.reviewed_by = editor
        verdict.reviewed_at = now
        verdict.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
        previous = claim.published_verdict_id
        claim.status = Claim.Status.PUBLISHED
        claim.published_verdict = verdict
        claim.published_at = now
        claim.save(update_fields=["status", "published_verdict", "published_at", "updated_at"])
        changes = {"claim": claim.pk, "published_verdict": [previous, verdict.pk]}
        if republish:
            note = Correction.objects.create(
                claim=claim,
                verdict=verdict,
                kind=Correction.Kind.UPDATE,
                note=correction.strip(),
                created_by=editor,
            )
            changes["correction"] = note.pk
        record_event(actor=editor, action="verdict.approved", obj=verdict, changes=changes)
    return verdict


def reject_verdict(*, verdict: Verdict, editor, reason: str) -> Verdict:
    """Send a verdict back to its author with a reason. Editors only, never their own verdict.

    A published claim stays published under its earlier verdict.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why the verdict is rejected."})
    with transaction.atomic():
        verdict = _lock_for_review(verdict, editor)
        verdict.status = Verdict.Status.REJECTED
        verdict.reviewed_by = editor
        verdict.reviewed_at = timezone.now()
        verdict.review_note = reason.strip()
        verdict.save(
            update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"]
        )
        claim = verdict.claim
        if claim.status == Claim.Status.SUBMITTED:
            claim.status = Claim.Status.REJECTED
            claim.save(update_fields=["status", "updated_at"])
        record_event(
            actor=editor,
            action="verdict.rejected",
            obj=verdict,
            changes={"claim": claim.pk, "reason": verdict.review_note},
        )
    return verdict


# --- Import jobs --------------------------------------------------------------------------------


def start_import(
    *,
    created_by,
    upload=None,
    name: str = "",
    urls: list[str] | None = None,
    feed: str | None = None,
    input_format: str = "",
) -> ImportJob:
    """Create an import job from a file, a list of URLs or a feed URL, and queue its task.

    The task is sent after the commit, so the worker always finds the row. `input_format` is
    one of `annotations.importing.formats.FORMATS`, or "" to detect it from the name and content.
    """
    from . import tasks
    from .importing.formats import FORMATS

    sources = [s for s in (upload, urls, feed) if s]
    if len(sources) != 1:
        raise ValidationError({"detail": "Give exactly one of a file, a list of URLs or a feed."})
    if input_format and input_format not in FORMATS:
        raise ValidationError({"format": f"Unknown format; use one of {', '.join(FORMATS)}."})
    if urls and len(urls) > settings.IMPORT_MAX_URLS:
        raise ValidationError({"urls": f"At most {settings.IMPORT_MAX_URLS} URLs per import."})
    url_list = list(urls or []) or ([feed] if feed else [])
    validate = URLValidator(schemes=["http", "https"])
    for position, url in enumerate(url_list, start=1):
        try:
            validate(url)
        except ValidationError:
            raise ValidationError({"urls": f"URL {position} is not an http(s) URL."}) from None
    job = ImportJob(
        created_by=created_by,
        format="feed" if feed else ("urls" if urls else input_format),
        urls=url_list,
        original_name=(name or getattr(upload, "name", "") or "")[-255:],
        total=len(urls) if urls else None,
        celery_task_id=str(uuid.uuid4()),
    )
    with transaction.atomic():
        if upload is not None:
            job.input_file.save(
                job.original_name.rsplit("/", 1)[-1] or "upload", upload, save=False
            )
        job.save()
        record_event(
            actor=created_by,
            action="import.started",
            obj=job,
            changes={"format": job.format, "name": job.original_name, "urls": len(url_list)},
        )
        transaction.on_commit(
            lambda: tasks.import_articles.apply_async((job.pk,), task_id=job.celery_task_id)
        )
    return job


def cancel_import(*, job: ImportJob, user) -> ImportJob:
    """Cancel a queued or running import; a running one stops before its next batch."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            raise ValidationError({"status": f"The import has already ended ({job.status})."})
        before = job.status
        job.status = ImportJob.Status.CANCELLED
        if before == ImportJob.Status.QUEUED:
            job.finished_at = timezone.now()  # no worker will touch it again
        job.save(update_fields=["status", "finished_at"])
        record_event(
            actor=user, action="import.cancelled", obj=job, changes={"status": [before, job.status]}
        )
    return job
