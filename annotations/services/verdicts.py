"""Verdicts: submitting, withdrawing and revising them, an editor's approval or rejection.

A submitted verdict, its claim's span and wording and its sources are frozen until an editor
decides or the author withdraws the verdict (back to a draft the author may revise and submit
again). Approval publishes the claim; on a published claim it also applies the changes the
verdict proposes (`corrections`) and publishes a correction note.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import roles
from ..audit import record_event, record_update, snapshot
from ..models import Claim, Correction, Rating, Verdict
from .articles import follow_claims
from .checks import require_checker, require_role
from .claims import contributed_to, lock_claim
from .corrections import apply_changes, clean_changes

VERDICT_FIELDS = (
    "claim",
    "rating",
    "explanation",
    "changes",
    "status",
    "reviewed_by",
    "review_note",
)


def _check_explanation(explanation: str) -> None:
    minimum = settings.VERDICT_MIN_EXPLANATION_LENGTH
    if len(explanation.strip()) < minimum:
        raise ValidationError(
            {
                "explanation": _("Explain the verdict in at least %(count)s characters.")
                % {"count": minimum}
            }
        )


def _check_submittable(claim: Claim, *, author: User, changes: dict[str, Any]) -> dict[str, Any]:
    """Checks shared by a first submission and a resubmission, on a locked claim."""
    if claim.status == Claim.Status.RETRACTED:
        raise ValidationError({"detail": _("A retracted claim takes no new verdicts.")})
    pending = claim.verdicts.filter(status=Verdict.Status.SUBMITTED).first()
    if pending is not None:
        raise ValidationError(
            {"detail": f"Verdict #{pending.pk} on this claim already awaits an editor."}
        )
    changes = clean_changes(claim=claim, author=author, changes=changes)
    if not claim.sources.filter(is_hidden=False).exists() and not changes.get("add_sources"):
        raise ValidationError({"detail": _("Cite at least one source before giving a verdict.")})
    return changes


def submit_verdict(
    *,
    claim: Claim,
    author: User,
    rating: Rating,
    explanation: str,
    changes: dict[str, Any] | None = None,
) -> Verdict:
    """Give a claim a verdict for an editor to approve. Needs a source and a real explanation.

    On a published claim the new verdict waits for approval while the published one stays public;
    it may propose `changes` to the claim's wording, span and sources (see `corrections`).
    """
    require_checker(author)
    _check_explanation(explanation)
    with transaction.atomic():
        # Lock the claim: two verdicts submitted at once must not both pass the pending check.
        claim = lock_claim(claim.pk)
        changes = _check_submittable(claim, author=author, changes=changes or {})
        verdict = Verdict.objects.create(
            claim=claim,
            rating=rating,
            explanation=explanation,
            changes=changes,
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
        follow_claims(article_id=claim.article_id, actor=author)
    return verdict


def _lock_own(verdict: Verdict, actor: User) -> tuple[Verdict, Claim]:
    """Lock the verdict, then its claim; refuse unless `actor` wrote the verdict."""
    require_checker(actor)
    verdict = Verdict.objects.select_for_update().get(pk=verdict.pk)
    if verdict.author_id != actor.pk:
        raise PermissionDenied(_("Only a verdict's author may withdraw, revise or resubmit it."))
    claim = lock_claim(verdict.claim_id)
    verdict.claim = claim
    return verdict, claim


def withdraw_verdict(*, verdict: Verdict, actor: User) -> Verdict:
    """Take one's own verdict back from the editor's queue, as a draft to revise or resubmit.

    The claim goes back to draft (a published claim stays published under its verdict).
    """
    with transaction.atomic():
        verdict, claim = _lock_own(verdict, actor)
        if verdict.status != Verdict.Status.SUBMITTED:
            raise ValidationError(
                {
                    "detail": _(
                        "Only a submitted verdict can be withdrawn (this one's status: %(status)s)."
                    )
                    % {"status": verdict.get_status_display()}
                }
            )
        verdict.status = Verdict.Status.DRAFT
        verdict.save(update_fields=["status", "updated_at"])
        if claim.status == Claim.Status.SUBMITTED:
            claim.status = Claim.Status.DRAFT
            claim.save(update_fields=["status", "updated_at"])
        record_event(
            actor=actor,
            action="verdict.withdrawn",
            obj=verdict,
            changes={"status": [Verdict.Status.SUBMITTED, Verdict.Status.DRAFT]},
        )
    return verdict


def resubmit_verdict(*, verdict: Verdict, actor: User) -> Verdict:
    """Send one's own draft (withdrawn) verdict to the editors again, with the submission checks."""
    with transaction.atomic():
        verdict, claim = _lock_own(verdict, actor)
        if verdict.status != Verdict.Status.DRAFT:
            raise ValidationError(
                {
                    "detail": _(
                        "Only a draft verdict can be submitted (this one's status: %(status)s)."
                    )
                    % {"status": verdict.get_status_display()}
                }
            )
        _check_explanation(verdict.explanation)
        verdict.changes = _check_submittable(claim, author=actor, changes=verdict.changes)
        verdict.status = Verdict.Status.SUBMITTED
        verdict.save(update_fields=["status", "changes", "updated_at"])
        if claim.status != Claim.Status.PUBLISHED:
            claim.status = Claim.Status.SUBMITTED
            claim.save(update_fields=["status", "updated_at"])
        record_event(
            actor=actor,
            action="verdict.submitted",
            obj=verdict,
            changes=snapshot(verdict, VERDICT_FIELDS),
        )
    return verdict


def update_verdict(
    *,
    verdict: Verdict,
    actor: User,
    rating: Rating | None = None,
    explanation: str | None = None,
    changes: dict[str, Any] | None = None,
) -> Verdict:
    """Revise one's own draft verdict (one withdrawn from the editor's queue).

    A submitted verdict is frozen: what the editor reads is what they approve.
    """
    if explanation is not None:
        _check_explanation(explanation)
    with transaction.atomic():
        verdict, claim = _lock_own(verdict, actor)
        if verdict.status == Verdict.Status.SUBMITTED:
            raise ValidationError(
                {
                    "detail": _(
                        "A submitted verdict is frozen while it awaits an editor: "
                        "withdraw it to revise it."
                    )
                }
            )
        if verdict.status != Verdict.Status.DRAFT:
            raise ValidationError(
                {
                    "detail": _(
                        "This verdict cannot be revised (status: %(status)s); only a draft can."
                    )
                    % {"status": verdict.get_status_display()}
                }
            )
        before = snapshot(verdict, VERDICT_FIELDS)
        if rating is not None:
            verdict.rating = rating
        if explanation is not None:
            verdict.explanation = explanation
        if changes is not None:
            verdict.changes = clean_changes(claim=claim, author=actor, changes=changes)
        verdict.save()
        record_update(
            actor=actor, action="verdict.updated", obj=verdict, before=before, fields=VERDICT_FIELDS
        )
    return verdict


def _lock_for_review(verdict: Verdict, editor: User) -> Verdict:
    require_role(editor, roles.EDITOR, message=_("Only editors may approve or reject verdicts."))
    verdict = Verdict.objects.select_for_update().get(pk=verdict.pk)
    verdict.claim = lock_claim(verdict.claim_id)
    if verdict.author_id == editor.pk:
        raise PermissionDenied(_("A verdict needs a second person's approval: not your own."))
    if verdict.status != Verdict.Status.SUBMITTED:
        raise ValidationError(
            {
                "detail": _(
                    "Only a submitted verdict can be reviewed (this one's status: %(status)s)."
                )
                % {"status": verdict.get_status_display()}
            }
        )
    return verdict


def approve_verdict(*, verdict: Verdict, editor: User, correction: str = "") -> Verdict:
    """Publish the claim under this verdict. Editors only, never their own verdict.

    Replacing the verdict of an already-published claim needs a `correction` note: the
    corrections policy makes every change to a published verdict public, as a Correction; the
    changes the verdict proposes to the claim apply now. The earlier verdict stays approved in
    the record. Nobody approves a verdict on a claim whose span, wording or sources they wrote
    or changed (a PostgreSQL trigger refuses it too).
    """
    with transaction.atomic():
        verdict = _lock_for_review(verdict, editor)
        claim = verdict.claim
        if contributed_to(claim=claim, user=editor):
            raise PermissionDenied(
                _(
                    "You wrote or changed this claim's span, wording or sources: another editor "
                    "must approve its verdict."
                )
            )
        if claim.status == Claim.Status.RETRACTED:
            raise ValidationError(
                {"detail": _("The claim was retracted; its verdicts stay unpublished.")}
            )
        republish = claim.status == Claim.Status.PUBLISHED and claim.published_verdict_id
        if republish and not correction.strip():
            raise ValidationError(
                {
                    "correction": _(
                        "This claim is already published: say what changed and why "
                        "in a correction note."
                    )
                }
            )
        applied = apply_changes(verdict=verdict, claim=claim, editor=editor) if republish else {}
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
        if applied:
            changes["applied_changes"] = applied
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
        follow_claims(article_id=claim.article_id, actor=editor)
    return verdict


def reject_verdict(*, verdict: Verdict, editor: User, reason: str) -> Verdict:
    """Send a verdict back to its author with a reason. Editors only, never their own verdict.

    A published claim stays published under its earlier verdict.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the verdict is rejected.")})
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
        follow_claims(article_id=claim.article_id, actor=editor)
    return verdict
