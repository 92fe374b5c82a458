"""Claims on an article and their discussion threads; what freezes a claim, who wrote it."""

from collections.abc import Iterable
from types import EllipsisType

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import anchoring, roles
from ..audit import record_event, record_update, snapshot
from ..memory import matching
from ..models import Article, Claim, ClaimContributor, Comment, ExternalFactCheck, Verdict
from ..roles import AnyUser
from .articles import follow_claims
from .checks import require_checker

CLAIM_FIELDS = ("article", "start", "end", "quote_exact", "claimant", "text", "status", "assignee")
COMMENT_FIELDS = ("claim", "body")
# Published and retracted claims are public record: their span, wording and sources change only
# through a new verdict with a correction note, never by a silent edit.
FROZEN_CLAIM_STATUSES = (Claim.Status.PUBLISHED, Claim.Status.RETRACTED)


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
            raise ValidationError(
                {"detail": _("Give either start and end, or sentences, not both.")}
            )
        wanted = set(sentence_ids)
        if not wanted:
            raise ValidationError({"sentences": _("Choose at least one sentence.")})
        chosen = [(s, e) for pk, s, e in spans if pk in wanted]
        foreign = sorted(wanted - {pk for pk, _, _ in spans})
        if foreign:
            listed = ", ".join(str(pk) for pk in foreign)
            raise ValidationError(
                {
                    "sentences": _("Sentences not in article %(article)s: %(listed)s.")
                    % {"article": article.pk, "listed": listed}
                }
            )
        start, end = anchoring.enclosing(chosen)
    else:
        if start is None or end is None:
            raise ValidationError(
                {
                    name: "Give start and end (character offsets), or sentences."
                    for name, value in (("start", start), ("end", end))
                    if value is None
                }
            )
        errors = anchoring.span_errors(start=start, end=end, length=len(article.body))
        if errors:
            raise ValidationError(errors)
    positions = anchoring.covered([(s, e) for _, s, e in spans], start=start, end=end)
    if not positions:
        raise ValidationError(
            {
                "start": _(
                    "The span [%(start)s, %(end)s) covers no sentence: it is only whitespace."
                )
                % {"start": start, "end": end}
            }
        )
    return start, end, [spans[i][0] for i in positions]


def lock_claim(claim_id: int) -> Claim:
    """The claim, locked for the rest of the transaction (its article is not locked)."""
    return Claim.objects.select_for_update(of=("self",)).select_related("article").get(pk=claim_id)


def require_open_for_edits(claim: Claim, *, what: str) -> None:
    """Refuse a direct change to a claim's span, wording or sources unless it is being drafted.

    Published and retracted claims change only through an approved correction; while a verdict
    awaits an editor, what the editor reads must stay what they approve. Call it on a locked claim.
    """
    if claim.status in FROZEN_CLAIM_STATUSES:
        raise ValidationError(
            {
                "detail": _(
                    "Claim #%(id)s can no longer be edited (status: %(status)s): its %(what)s "
                    "change only through a correction (submit a new verdict with the proposed "
                    "changes and a correction note, for an editor to approve)."
                )
                % {"id": claim.pk, "status": claim.get_status_display(), "what": what}
            }
        )
    pending = claim.verdicts.filter(status=Verdict.Status.SUBMITTED).values_list("pk", flat=True)
    if claim.status == Claim.Status.SUBMITTED or pending.exists():
        raise ValidationError(
            {
                "detail": _(
                    "Claim #%(id)s has a verdict awaiting an editor: its %(what)s are "
                    "frozen until the editor decides or the verdict's author withdraws it."
                )
                % {"id": claim.pk, "what": what}
            }
        )


def record_contributor(*, claim: Claim, user: User) -> None:
    """Remember that `user` wrote or changed the claim's span, wording or sources."""
    ClaimContributor.objects.bulk_create(
        [ClaimContributor(claim=claim, user=user)], ignore_conflicts=True
    )


def contributed_to(*, claim: Claim, user: User) -> bool:
    """Whether `user` marked the claim, cited one of its sources or changed either."""
    return (
        claim.created_by_id == user.pk
        or claim.sources.filter(created_by=user).exists()
        or claim.contributors.filter(user=user).exists()
    )


def _set_span(claim: Claim, *, start: int, end: int) -> None:
    selector = anchoring.quote_selector(claim.article.body, start=start, end=end)
    # A span set by a person is on the current text: anchored there (annotations.services.
    # revisions re-anchors from the revision it names).
    claim.anchor_status = Claim.AnchorStatus.ANCHORED
    claim.anchor_revision = claim.article.revisions.order_by("-number").first()
    claim.anchor_previous = {}
    claim.start, claim.end = start, end
    claim.quote_exact, claim.quote_prefix, claim.quote_suffix = (
        selector.exact,
        selector.prefix,
        selector.suffix,
    )


def create_claim(
    *,
    article: Article,
    created_by: User,
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
        record_contributor(claim=claim, user=created_by)
        record_event(
            actor=created_by,
            action="claim.created",
            obj=claim,
            changes=snapshot(claim, CLAIM_FIELDS),
        )
        follow_claims(article_id=article.pk, actor=created_by)
        matching.queue_claims([claim.pk])
    return claim


def can_edit_claim(*, claim: Claim, user: AnyUser) -> bool:
    """The claim's author, its assignee and editors may edit it."""
    return (
        claim.created_by_id == user.pk
        or claim.assignee_id == user.pk
        or roles.has_role(user, roles.EDITOR)
    )


def update_claim(
    *,
    claim: Claim,
    actor: User,
    start: int | None = None,
    end: int | None = None,
    sentence_ids: Iterable[int] | None = None,
    claimant: str | None = None,
    text: str | None = None,
    assignee: User | EllipsisType | None = ...,
) -> Claim:
    """Change a claim's span, claimant, wording or assignee (None arguments stay as they are).

    A new span re-computes the covered sentences and the quote selector. The span and wording are
    frozen while a verdict awaits an editor and once the claim is published or retracted; the
    assignee may change at any time. The claim is locked while it is checked and changed.
    """
    require_checker(actor)
    respan = start is not None or end is not None or sentence_ids is not None
    rewords = respan or claimant is not None or text is not None
    if (
        assignee is not ...
        and assignee is not None
        and not roles.has_role(assignee, roles.REVIEWER, roles.EDITOR)
    ):
        raise ValidationError(
            {
                "assignee": _("%(name)s is not a reviewer or an editor.")
                % {"name": assignee.get_username()}
            }
        )
    with transaction.atomic():
        claim = lock_claim(claim.pk)
        if not can_edit_claim(claim=claim, user=actor):
            raise PermissionDenied(
                _("Only the claim's author, its assignee or an editor may edit it.")
            )
        if rewords:
            require_open_for_edits(claim, what=_("span and wording"))
        span: tuple[int, int, list[int]] | None = None
        if respan:
            if sentence_ids is None:
                start = claim.start if start is None else start
                end = claim.end if end is None else end
            span = _anchor(article=claim.article, start=start, end=end, sentence_ids=sentence_ids)
        before = snapshot(claim, CLAIM_FIELDS)
        if span is not None:
            new_start, new_end, covered_ids = span
            _set_span(claim, start=new_start, end=new_end)
            claim.sentences.set(covered_ids)
        if claimant is not None:
            claim.claimant = claimant
        if text is not None:
            claim.text = text
        if assignee is not ...:
            claim.assignee = assignee
        claim.save()
        if rewords:
            record_contributor(claim=claim, user=actor)
        record_update(
            actor=actor, action="claim.updated", obj=claim, before=before, fields=CLAIM_FIELDS
        )
        if span is not None or text is not None:
            matching.queue_claims([claim.pk])
    return claim


def delete_claim(*, claim: Claim, actor: User) -> None:
    """Delete a claim that was never published: its author may, and so may any editor."""
    require_checker(actor)
    with transaction.atomic():
        claim = lock_claim(claim.pk)
        if claim.created_by_id != actor.pk and not roles.has_role(actor, roles.EDITOR):
            raise PermissionDenied(
                _("Only the reviewer who marked a claim, or an editor, may delete it.")
            )
        if claim.status in FROZEN_CLAIM_STATUSES or claim.published_verdict_id is not None:
            raise ValidationError(
                {
                    "detail": _(
                        "This claim is public record and cannot be deleted (status: %(status)s)."
                    )
                    % {"status": claim.get_status_display()}
                }
            )
        require_open_for_edits(claim, what=_("span, wording and sources"))
        record_event(
            actor=actor,
            action="claim.deleted",
            obj=claim,
            changes=snapshot(claim, CLAIM_FIELDS),
        )
        article_id = claim.article_id
        claim.delete()
        follow_claims(article_id=article_id, actor=actor)


def _check_comment_body(body: str) -> None:
    if not body.strip():
        raise ValidationError({"body": _("A comment cannot be empty.")})


def add_comment(*, claim: Claim, author: User, body: str) -> Comment:
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


def _require_comments_open(claim: Claim) -> None:
    """Refuse editing or deleting a comment once its claim is public record (call it locked).

    The discussion that led to a published verdict is part of how it was reached: its author
    changes it until publication, not after. Posting new comments stays open.
    """
    if claim.status in FROZEN_CLAIM_STATUSES:
        raise ValidationError(
            {
                "detail": _(
                    "Claim #%(id)s is public record (status: %(status)s): its comments cannot be "
                    "edited or deleted after publication (post a new comment instead)."
                )
                % {"id": claim.pk, "status": claim.get_status_display()}
            }
        )


def update_comment(*, comment: Comment, actor: User, body: str) -> Comment:
    """Edit one's own comment, before its claim is published."""
    require_checker(actor)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("Only a comment's author may edit it."))
    _check_comment_body(body)
    with transaction.atomic():
        _require_comments_open(lock_claim(comment.claim_id))
        before = snapshot(comment, COMMENT_FIELDS)
        comment.body = body
        comment.save(update_fields=["body", "updated_at"])
        record_update(
            actor=actor, action="comment.updated", obj=comment, before=before, fields=COMMENT_FIELDS
        )
    return comment


def delete_comment(*, comment: Comment, actor: User) -> None:
    """Delete one's own comment, before its claim is published."""
    require_checker(actor)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("Only a comment's author may delete it."))
    with transaction.atomic():
        _require_comments_open(lock_claim(comment.claim_id))
        record_event(
            actor=actor,
            action="comment.deleted",
            obj=comment,
            changes=snapshot(comment, COMMENT_FIELDS),
        )
        comment.delete()


def link_same_as(
    *,
    claim: Claim,
    actor: User,
    same_as: Claim | None = None,
    external: ExternalFactCheck | None = None,
) -> Claim:
    """Record that `claim` repeats an earlier fact-check (ours or another checker's), or clear
    the link when both are None. Suggestions never set this; a person does.

    The link shows in the exports, so on a published claim only an editor may set it.
    """
    require_checker(actor)
    if not can_edit_claim(claim=claim, user=actor):
        raise PermissionDenied(_("Only the claim's author, its assignee or an editor may link it."))
    if claim.status in FROZEN_CLAIM_STATUSES and not roles.has_role(actor, roles.EDITOR):
        raise PermissionDenied(
            _("Only an editor may link this claim (status: %(status)s).")
            % {"status": claim.get_status_display()}
        )
    if same_as is not None and external is not None:
        raise ValidationError(
            {"detail": _("Link to one earlier fact-check: a claim or an external one.")}
        )
    if same_as is not None and same_as.pk == claim.pk:
        raise ValidationError({"claim": _("A claim cannot be the same as itself.")})
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
