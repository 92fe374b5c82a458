"""Moderation: flags, hiding, retraction with a public correction, deactivation, role changes.

The API (`annotations.api.moderation`) and the admin console (`annotations.admin`) both call these
functions; neither repeats their rules. Each step is one transaction that leaves exactly one audit
event of its own, so "who hid this, when, and why" has one answer (hiding, unhiding or retracting
a claim may also move its article's status, audited as `article.status_changed`, as any change
of its claims does).
"""

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access, roles
from .audit import diff, record_event, record_update, snapshot
from .models import AuditEvent, Claim, Comment, Correction, Flag, Source, Verdict
from .services.articles import follow_claims

User = get_user_model()

FLAGGABLE = (Claim, Source, Comment)
Flaggable = Claim | Source | Comment
HIDE_FIELDS = ("is_hidden", "hidden_reason", "hidden_by", "hidden_at")


def is_moderator(user) -> bool:
    """Moderators and superusers (who hold every role)."""
    return roles.has_role(user, roles.MODERATOR)


def _require_moderator(user) -> None:
    if not is_moderator(user):
        raise PermissionDenied(_("Only moderators may do this."))


def _require_text(value: str, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _label(obj: models.Model) -> str:
    return obj._meta.model_name or ""


# Whole sentences per kind of object: Spanish words agree with the noun ("esta fuente").
ALREADY_FLAGGED = {
    "claim": gettext_lazy("You have already flagged this claim."),
    "source": gettext_lazy("You have already flagged this source."),
    "comment": gettext_lazy("You have already flagged this comment."),
}
ALREADY_HIDDEN = {
    "claim": gettext_lazy("This claim is already hidden."),
    "source": gettext_lazy("This source is already hidden."),
    "comment": gettext_lazy("This comment is already hidden."),
}
NOT_HIDDEN = {
    "claim": gettext_lazy("This claim is not hidden."),
    "source": gettext_lazy("This source is not hidden."),
    "comment": gettext_lazy("This comment is not hidden."),
}


def _message(messages: Mapping[str, Promise], target: models.Model) -> str:
    return str(messages[_label(target)])


def claim_of(target: Flaggable) -> Claim:
    """The claim a flaggable object belongs to (itself for a claim)."""
    return target if isinstance(target, Claim) else target.claim


def reviewer_url(target: Flaggable) -> str:
    """Where the object is seen in the reviewer UI: its claim, anchored on the article page."""
    claim = claim_of(target)
    return f"/articles/{claim.article_id}/#claim-{claim.pk}"


def _open_flags_on(target: models.Model) -> QuerySet[Flag]:
    return Flag.objects.filter(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        status=Flag.Status.OPEN,
    )


def _resolve_open_flags(*, target: models.Model, moderator, note: str, now) -> list[int]:
    """Mark the open flags on `target` resolved (acted on); their ids, for the audit event."""
    flags = _open_flags_on(target)
    ids = list(flags.order_by("pk").values_list("pk", flat=True))
    if ids:
        Flag.objects.filter(pk__in=ids).update(
            status=Flag.Status.RESOLVED,
            resolved_by=moderator,
            resolved_at=now,
            resolution_note=note,
        )
    return ids


# --- Flags --------------------------------------------------------------------------------------


def flag_content(*, target: models.Model, user, reason: str, note: str = "") -> Flag:
    """Flag a claim, source or comment for the moderators. Reviewers and editors, once each."""
    if not isinstance(target, FLAGGABLE):
        raise ValidationError({"detail": _("Only claims, sources and comments can be flagged.")})
    if not roles.has_role(user, roles.REVIEWER, roles.EDITOR):
        raise PermissionDenied(_("Only reviewers and editors may flag content."))
    if reason not in Flag.Reason.values:
        raise ValidationError(
            {
                "reason": _("Choose one of: %(choices)s.")
                % {"choices": ", ".join(Flag.Reason.values)}
            }
        )
    content_type = ContentType.objects.get_for_model(target)
    already = Flag.objects.filter(
        content_type=content_type, object_id=target.pk, created_by=user
    ).exists()
    if already:
        raise ValidationError({"detail": _message(ALREADY_FLAGGED, target)})
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                content_type=content_type,
                object_id=target.pk,
                reason=reason,
                note=note.strip(),
                created_by=user,
            )
            record_event(
                actor=user,
                action="flag.created",
                obj=flag,
                changes={
                    "target": f"{_label(target)} #{target.pk}",
                    "reason": reason,
                    "note": flag.note,
                },
            )
    except IntegrityError as exc:
        # Two requests from one user at once: the unique constraint decides, the message stays.
        raise ValidationError({"detail": _message(ALREADY_FLAGGED, target)}) from exc
    return flag


def dismiss_flag(*, flag: Flag, moderator, reason: str) -> Flag:
    """Close an open flag without acting on its object, saying why."""
    _require_moderator(moderator)
    reason = _require_text(reason, field="reason", message=_("Say why the flag is dismissed."))
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.status != Flag.Status.OPEN:
            raise ValidationError(
                {
                    "status": _("This flag is no longer open (status: %(status)s).")
                    % {"status": flag.get_status_display()}
                }
            )
        before = snapshot(flag, ["status", "resolution_note"])
        flag.status = Flag.Status.DISMISSED
        flag.resolved_by = moderator
        flag.resolved_at = timezone.now()
        flag.resolution_note = reason
        flag.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
        record_update(
            actor=moderator,
            action="flag.dismissed",
            obj=flag,
            before=before,
            fields=["status", "resolution_note"],
        )
    return flag


def open_flag_groups(*, user) -> QuerySet:
    """Open flags `user` may see, grouped by object, oldest first: rows of content_type,
    object_id, count, oldest.

    The moderation queue pages over these groups; one aggregate query, whatever the table size.
    """
    return (
        access.flags_visible_to(user)
        .filter(status=Flag.Status.OPEN)
        .values("content_type", "object_id")
        .annotate(count=models.Count("id"), oldest=models.Min("created_at"))
        .order_by("oldest", "content_type", "object_id")
    )


# --- Hiding -------------------------------------------------------------------------------------


def _lock(target: Flaggable) -> Flaggable:
    if isinstance(target, Source):
        # Claim before source, the order the source services lock in: hiding a source moves
        # its claim's review version, and the opposite order could deadlock with an edit.
        list(Claim.objects.select_for_update().filter(pk=target.claim_id).values_list("pk"))
    return type(target).objects.select_for_update().get(pk=target.pk)


def _follow_hidden_claim(target: Flaggable, moderator) -> None:
    """A hidden claim no longer counts towards its article's review: move the article's status
    as any change of its claims does (hiding a source or a comment moves nothing)."""
    if isinstance(target, Claim):
        follow_claims(article_id=target.article_id, actor=moderator)


def hide_content(*, target: models.Model, moderator, reason: str) -> models.Model:
    """Hide a claim, source or comment: it leaves the public export and reviewers' views.

    Open flags on it are resolved: hiding is the action they asked for.
    """
    _require_moderator(moderator)
    if not isinstance(target, FLAGGABLE):
        raise ValidationError({"detail": _("Only claims, sources and comments can be hidden.")})
    reason = _require_text(reason, field="reason", message=_("Say why this is hidden."))
    with transaction.atomic():
        target = _lock(target)
        if target.is_hidden:
            raise ValidationError({"detail": _message(ALREADY_HIDDEN, target)})
        before = snapshot(target, HIDE_FIELDS)
        now = timezone.now()
        target.is_hidden = True
        target.hidden_reason = reason
        target.hidden_by = moderator
        target.hidden_at = now
        target.save(update_fields=[*HIDE_FIELDS, "updated_at"])
        changes = diff(before, snapshot(target, HIDE_FIELDS))
        resolved = _resolve_open_flags(target=target, moderator=moderator, note=reason, now=now)
        if resolved:
            changes["resolved_flags"] = resolved
        record_event(
            actor=moderator, action=f"{_label(target)}.hidden", obj=target, changes=changes
        )
        _follow_hidden_claim(target, moderator)
    return target


def unhide_content(*, target: models.Model, moderator, reason: str) -> models.Model:
    """Show hidden content again; the reason is kept in the audit trail."""
    _require_moderator(moderator)
    if not isinstance(target, FLAGGABLE):
        raise ValidationError({"detail": _("Only claims, sources and comments can be unhidden.")})
    reason = _require_text(reason, field="reason", message=_("Say why this is shown again."))
    with transaction.atomic():
        target = _lock(target)
        if not target.is_hidden:
            raise ValidationError({"detail": _message(NOT_HIDDEN, target)})
        before = snapshot(target, HIDE_FIELDS)
        target.is_hidden = False
        target.hidden_reason = ""
        target.hidden_by = None
        target.hidden_at = None
        target.save(update_fields=[*HIDE_FIELDS, "updated_at"])
        changes: dict[str, object] = {**diff(before, snapshot(target, HIDE_FIELDS))}
        changes["reason"] = reason
        record_event(
            actor=moderator, action=f"{_label(target)}.unhidden", obj=target, changes=changes
        )
        _follow_hidden_claim(target, moderator)
    return target


# --- Retraction ---------------------------------------------------------------------------------


def retract_verdict(*, verdict: Verdict, moderator, note: str) -> Correction:
    """Withdraw a published verdict with a public correction note (the corrections policy).

    The verdict and its claim become `retracted` (the claim leaves the public feed), a
    `Correction(kind=retraction)` carries the note to the claim's public page and the export, and
    open flags on the claim are resolved. `published_verdict` keeps pointing at the withdrawn
    verdict so the public record can say what was retracted.
    """
    _require_moderator(moderator)
    note = _require_text(
        note, field="note", message=_("A retraction needs a correction note for the public.")
    )
    with transaction.atomic():
        verdict = Verdict.objects.select_for_update().get(pk=verdict.pk)
        claim = Claim.objects.select_for_update().get(pk=verdict.claim_id)
        if verdict.status != Verdict.Status.APPROVED or claim.published_verdict_id != verdict.pk:
            raise ValidationError(
                {"status": _("Only the published verdict of a claim can be retracted.")}
            )
        now = timezone.now()
        verdict.status = Verdict.Status.RETRACTED
        verdict.save(update_fields=["status", "updated_at"])
        claim_before = claim.status
        claim.status = Claim.Status.RETRACTED
        claim.save(update_fields=["status", "updated_at"])
        correction = Correction.objects.create(
            claim=claim,
            verdict=verdict,
            kind=Correction.Kind.RETRACTION,
            note=note,
            created_by=moderator,
        )
        changes = {
            "status": [Verdict.Status.APPROVED.value, Verdict.Status.RETRACTED.value],
            "claim_status": [claim_before, claim.status],
            "correction": correction.pk,
            "note": note,
        }
        resolved = _resolve_open_flags(target=claim, moderator=moderator, note=note, now=now)
        if resolved:
            changes["resolved_flags"] = resolved
        record_event(actor=moderator, action="verdict.retracted", obj=verdict, changes=changes)
        follow_claims(article_id=claim.article_id, actor=moderator)
    return correction


# --- Users and roles ----------------------------------------------------------------------------


def deactivate_user(*, user, moderator, reason: str):
    """Lock a user out (sessions and tokens stop working); their work and history stay."""
    _require_moderator(moderator)
    reason = _require_text(reason, field="reason", message=_("Say why the user is deactivated."))
    if user.pk == moderator.pk:
        raise ValidationError({"detail": _("You cannot deactivate yourself.")})
    if user.is_superuser and not moderator.is_superuser:
        raise PermissionDenied(_("Only a superuser may deactivate a superuser."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise ValidationError(
                {"detail": _("%(name)s is already inactive.") % {"name": user.get_username()}}
            )
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_event(
            actor=moderator,
            action="user.deactivated",
            obj=user,
            changes={"is_active": [True, False], "reason": reason},
        )
    return user


def reactivate_user(*, user, moderator, reason: str):
    """Let a deactivated user sign in again."""
    _require_moderator(moderator)
    reason = _require_text(reason, field="reason", message=_("Say why the user is reactivated."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            raise ValidationError(
                {"detail": _("%(name)s is already active.") % {"name": user.get_username()}}
            )
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_event(
            actor=moderator,
            action="user.reactivated",
            obj=user,
            changes={"is_active": [False, True], "reason": reason},
        )
    return user


_current_actor: contextvars.ContextVar = contextvars.ContextVar("moderation_actor", default=None)


@contextmanager
def acting_as(actor) -> Iterator[None]:
    """Name the person behind role changes made inside this block (the signal cannot know)."""
    token = _current_actor.set(actor)
    try:
        yield
    finally:
        _current_actor.reset(token)


def record_role_change(*, actor, user, group: Group, added: bool) -> AuditEvent:
    """Audit one role (group) given to or taken from a user."""
    return record_event(
        actor=actor,
        action="user.role_added" if added else "user.role_removed",
        obj=user,
        changes={"role": [None, group.name] if added else [group.name, None]},
    )


# Roles change through the admin, the shell, `seed_demo`, factories... A signal is the one hook
# that follows every change of User.groups from anywhere, from either side of the relation.
@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit_role_changes")
def _audit_role_change(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action not in ("post_add", "pre_remove", "pre_clear"):
        return
    through = User.groups.through
    # (user, group) pairs that really change: post_add gets only the new ids; for removals we
    # look before the rows go, since Django passes the requested ids, present or not.
    owner = Q(user_id=instance.pk) if not reverse else Q(group_id=instance.pk)
    if action == "pre_clear":
        pairs = Q()
    else:
        pairs = Q(**{"user_id__in" if reverse else "group_id__in": pk_set})
    rows = through.objects.filter(owner & pairs).select_related("user", "group")
    actor = _current_actor.get()
    for row in rows.order_by("pk"):
        record_role_change(actor=actor, user=row.user, group=row.group, added=action == "post_add")


# --- The Moderator and Editor groups' admin permissions ------------------------------------------

# What moderators may see in the admin. Their actions (hide, dismiss, retract, deactivate) are
# checked by role in this module, never by `change_*` permissions, so the admin's forms cannot
# rewrite a claim's or a verdict's content for them.
MODERATOR_VIEWS = {
    "annotations": (
        "article",
        "sentence",
        "claim",
        "source",
        "comment",
        "verdict",
        "correction",
        "flag",
        "auditevent",
        "importjob",  # where imported content came from, and the imports to cancel
        "exportjob",
    ),
    "auth": ("user", "group"),
}
# What editors (staff) may browse in the admin: the newsroom's work, read-only like all content
# there, without what `annotations.access` keeps for moderators (hidden content, flags, the audit
# trail) and without the users.
EDITOR_VIEWS = {
    "annotations": (
        "article",
        "sentence",
        "claim",
        "source",
        "comment",
        "verdict",
        "correction",
        "ratingscale",
        "importjob",
        "exportjob",
    ),
}


def grant_moderator_views(apps=django_apps) -> None:
    """Give the Moderator and Editor groups the `view_*` permissions of their admin pages
    (idempotent; named for the moderators, who came first).

    Run after every migrate and flush (a post_migrate receiver), like the groups themselves.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, views in ((roles.MODERATOR, MODERATOR_VIEWS), (roles.EDITOR, EDITOR_VIEWS)):
        group = group_model.objects.filter(name=role).first()
        if group is None:
            continue
        wanted = Q()
        for app_label, model_names in views.items():
            wanted |= Q(
                content_type__app_label=app_label,
                codename__in=[f"view_{name}" for name in model_names],
            )
        group.permissions.add(*permission_model.objects.filter(wanted))


# --- History ------------------------------------------------------------------------------------


def object_history(obj: models.Model, *, user) -> QuerySet[AuditEvent]:
    """The audit events of `obj` that `user` may read, oldest first (a claim's include what
    hangs off it; `annotations.access` decides which)."""
    if isinstance(obj, Claim):
        return access.claim_history_visible_to(user, obj)
    return (
        access.audit_events_visible_to(user)
        .filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .select_related("actor", "content_type")
        .order_by("created_at", "pk")
    )


def recent_activity(user, *, viewer, limit: int = 20) -> QuerySet[AuditEvent]:
    """The latest audit events `user` was the actor of that `viewer` may read, newest first."""
    return (
        access.audit_events_visible_to(viewer)
        .filter(actor=user)
        .select_related("content_type")
        .order_by("-created_at", "-pk")[:limit]
    )
