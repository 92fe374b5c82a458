"""Claims on an article, the sources cited for them and their discussion threads."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from .. import anchoring, roles
from ..audit import record_event, record_update, snapshot
from ..memory import matching
from ..models import Article, Claim, Comment, ExternalFactCheck, Source
from .articles import follow_claims
from .checks import require_checker

CLAIM_FIELDS = ("article", "start", "end", "quote_exact", "claimant", "text", "status", "assignee")
SOURCE_FIELDS = ("claim", "url", "title", "publisher", "quote", "stance", "accessed_at")
COMMENT_FIELDS = ("claim", "body")
# Published and retracted claims are public record: their span and wording change only through
# a new verdict with a correction note, never by a silent edit.
FROZEN_CLAIM_STATUSES = (Claim.Status.PUBLISHED, Claim.Status.RETRACTED)

_http_url = URLValidator(schemes=["http", "https"])


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
    require_checker(created_by)
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
        follow_claims(article_id=article.pk, actor=created_by)
        matching.queue_claims([claim.pk])
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
    require_checker(actor)
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
        record_update(
            actor=actor, action="claim.updated", obj=claim, before=before, fields=CLAIM_FIELDS
        )
        if covered_ids is not None or text is not None:
            matching.queue_claims([claim.pk])
    return claim


def delete_claim(*, claim: Claim, actor) -> None:
    """Delete a claim its author marked, while it has never been published."""
    require_checker(actor)
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
        article_id = claim.article_id
        claim.delete()
        follow_claims(article_id=article_id, actor=actor)


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
    require_checker(created_by)
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
    require_checker(actor)
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
        record_update(
            actor=actor, action="source.updated", obj=source, before=before, fields=SOURCE_FIELDS
        )
    return source


def delete_source(*, source: Source, actor) -> None:
    """Remove a source. Its author or editors."""
    require_checker(actor)
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
    require_checker(author)
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
    require_checker(actor)
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only a comment's author may edit it.")
    _check_comment_body(body)
    with transaction.atomic():
        before = snapshot(comment, COMMENT_FIELDS)
        comment.body = body
        comment.save(update_fields=["body", "updated_at"])
        record_update(
            actor=actor, action="comment.updated", obj=comment, before=before, fields=COMMENT_FIELDS
        )
    return comment


def delete_comment(*, comment: Comment, actor) -> None:
    """Delete one's own comment."""
    require_checker(actor)
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


def link_same_as(
    *, claim: Claim, actor, same_as: Claim | None = None, external: ExternalFactCheck | None = None
) -> Claim:
    """Record that `claim` repeats an earlier fact-check (ours or another checker's), or clear
    the link when both are None. Suggestions never set this; a person does.

    The link shows in the exports, so on a published claim only an editor may set it.
    """
    require_checker(actor)
    if not can_edit_claim(claim=claim, user=actor):
        raise PermissionDenied("Only the claim's author, its assignee or an editor may link it.")
    if claim.status in FROZEN_CLAIM_STATUSES and not roles.has_role(actor, roles.EDITOR):
        raise PermissionDenied(f"Only an editor may link a {claim.status} claim.")
    if same_as is not None and external is not None:
        raise ValidationError(
            {"detail": "Link to one earlier fact-check: a claim or an external one."}
        )
    if same_as is not None and same_as.pk == claim.pk:
        raise ValidationError({"claim": "A claim cannot be the same as itself."})
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        before = snapshot(claim, ["same_as", "same_as_external"])
        claim.same_as = same_as
        claim.same_as_external = external
        claim.save(update_fields=["same_as", "same_as_external", "updated_at"])
        record_update(
            actor=actor,
            action="claim.linked",
            obj=claim,
            before=before,
            fields=["same_as", "same_as_external"],
        )
    return claim
