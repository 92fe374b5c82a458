"""Who may see and change what: the one access policy.

Every read path starts here (the API's viewsets, filters and search, claim history, flags, the
reviewer UI's pages, the admin, export jobs), never from `Model.objects`. The public (the feed,
the exports' contents, the claim pages) reads `annotations.selectors.published_claims()` and
`public_claim_pages()`, which need no user.

The rules:

- A user with no role (Reviewer, Editor, Moderator; superusers hold all three) sees nothing:
  the API answers 403, the pages a 403 that says to ask an editor for a role. Staff status
  alone grants nothing.
- Every role sees the newsroom's work in progress: articles, their sentences, claims in any
  state (drafts included), sources, comments, verdicts and corrections.
- Content a moderator hid, and everything hanging off a hidden claim, exists only for
  moderators; everyone else gets a 404, as for an id that was never used.
- Flags and the audit trail are the moderators'. Editors read a claim's history without the
  events of hidden content and of flags (`claim_history_visible_to`).
- Import and export jobs, with their files and error reports: editors and moderators see all of
  them, everyone else their own.
- The learned check-worthiness models and their figures: editors.

`can_change` is the role half of a write (who may ask); which object a person may change (their
own, one assigned to them, nothing published) is the services' rule, checked as they write.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from . import roles
from .models import (
    Article,
    AuditEvent,
    CheckworthinessModel,
    Claim,
    ClaimMatch,
    Comment,
    Correction,
    ExportJob,
    ExternalFactCheck,
    Flag,
    ImportJob,
    Rating,
    RatingScale,
    Sentence,
    Source,
    Verdict,
)
from .roles import AnyUser

M = TypeVar("M", bound=models.Model)
J = TypeVar("J", ImportJob, ExportJob)

NO_ROLE_MESSAGE = gettext_lazy("You have no role yet — ask an editor for one.")


# --- Roles --------------------------------------------------------------------------------------


def has_a_role(user: AnyUser) -> bool:
    """Whether `user` is active and holds a role: without one nothing is visible."""
    return bool(roles.roles_of(user))


def is_editor(user: AnyUser) -> bool:
    return roles.has_role(user, roles.EDITOR)


def is_moderator(user: AnyUser) -> bool:
    return roles.has_role(user, roles.MODERATOR)


def sees_hidden(user: AnyUser) -> bool:
    """Whether `user` sees content a moderator hid (moderators police it)."""
    return is_moderator(user)


def may_use_admin(user: AnyUser) -> bool:
    """The admin console: superusers, moderators (staff or not), and staff who hold a role.

    Inside, Django's model permissions and the querysets below decide what they see.
    """
    if not getattr(user, "is_active", False):
        return False
    return user.is_superuser or is_moderator(user) or (user.is_staff and has_a_role(user))


# --- What each user sees ------------------------------------------------------------------------


def _for_roles(user: AnyUser, queryset: QuerySet[M]) -> QuerySet[M]:
    return queryset if has_a_role(user) else queryset.none()


def articles_visible_to(user: AnyUser) -> QuerySet[Article]:
    """Articles: every role sees every article (assignment is a work queue, not a secret)."""
    return _for_roles(user, Article.objects.all())


def sentences_visible_to(user: AnyUser) -> QuerySet[Sentence]:
    """Sentences, with their articles."""
    return _for_roles(user, Sentence.objects.all())


def claims_visible_to(user: AnyUser) -> QuerySet[Claim]:
    """Claims in any state; hidden ones only for moderators."""
    claims = _for_roles(user, Claim.objects.all())
    return claims if sees_hidden(user) else claims.filter(is_hidden=False)


def content_audience(user: AnyUser) -> str:
    """Who sees the same newsroom content as `user`: "none" (no role), "moderators" (hidden
    content too) or "desk" (every other role).

    Users of one audience see the same articles, sentences, claims, sources, comments, verdicts
    and corrections (the rules above and below ask nothing else), so a page built from those
    rows for one of them may be served to the others (annotations.api.reader caches the
    reviewer's page per audience). A rule that looks at anything else must add it here.
    """
    if not has_a_role(user):
        return "none"
    return "moderators" if sees_hidden(user) else "desk"


def _hanging_off_claims(user: AnyUser, queryset: QuerySet[M], *, hideable: bool) -> QuerySet[M]:
    queryset = _for_roles(user, queryset)
    if sees_hidden(user):
        return queryset
    queryset = queryset.filter(claim__is_hidden=False)
    return queryset.filter(is_hidden=False) if hideable else queryset


def sources_visible_to(user: AnyUser) -> QuerySet[Source]:
    """Sources; hidden ones, and those of hidden claims, only for moderators."""
    return _hanging_off_claims(user, Source.objects.all(), hideable=True)


def comments_visible_to(user: AnyUser) -> QuerySet[Comment]:
    """Comments; hidden ones, and those of hidden claims, only for moderators."""
    return _hanging_off_claims(user, Comment.objects.all(), hideable=True)


def verdicts_visible_to(user: AnyUser) -> QuerySet[Verdict]:
    """Verdicts of the claims `user` sees."""
    return _hanging_off_claims(user, Verdict.objects.all(), hideable=False)


def corrections_visible_to(user: AnyUser) -> QuerySet[Correction]:
    """Corrections of the claims `user` sees (they are public once the claim was published)."""
    return _hanging_off_claims(user, Correction.objects.all(), hideable=False)


def rating_scales_visible_to(user: AnyUser) -> QuerySet[RatingScale]:
    """Rating scales (public on /ratings/; the API's list is for roles, as the rest of it)."""
    return _for_roles(user, RatingScale.objects.all())


def ratings_visible_to(user: AnyUser) -> QuerySet[Rating]:
    return _for_roles(user, Rating.objects.all())


def flags_visible_to(user: AnyUser) -> QuerySet[Flag]:
    """Flags: moderators only. A flag names and quotes what it is about, hidden or not."""
    return Flag.objects.all() if is_moderator(user) else Flag.objects.none()


def audit_events_visible_to(user: AnyUser) -> QuerySet[AuditEvent]:
    """The whole audit trail: moderators only (it quotes hidden content and who hid it)."""
    return AuditEvent.objects.all() if is_moderator(user) else AuditEvent.objects.none()


def claim_history_visible_to(user: AnyUser, claim: Claim) -> QuerySet[AuditEvent]:
    """A claim's audit events that `user` may read, oldest first: editors and moderators.

    Moderators read everything that hangs off the claim, flags included. Editors read the
    events of the claim, its visible sources and comments, its verdicts and corrections: not
    those of hidden content (their text is in `object_repr` and `changes`) nor of flags. Nobody
    else reads a history; a claim `user` cannot see has none (the caller answers 404).
    """
    if not (is_editor(user) or is_moderator(user)):
        return AuditEvent.objects.none()
    if not claims_visible_to(user).filter(pk=claim.pk).exists():
        return AuditEvent.objects.none()
    types = ContentType.objects.get_for_models(Claim, Source, Comment, Verdict, Correction, Flag)
    sources = sources_visible_to(user).filter(claim=claim).values("pk")
    comments = comments_visible_to(user).filter(claim=claim).values("pk")
    wanted = (
        Q(content_type=types[Claim], object_id=claim.pk)
        | Q(content_type=types[Source], object_id__in=sources)
        | Q(content_type=types[Comment], object_id__in=comments)
        | Q(
            content_type=types[Verdict],
            object_id__in=Verdict.objects.filter(claim=claim).values("pk"),
        )
        | Q(
            content_type=types[Correction],
            object_id__in=Correction.objects.filter(claim=claim).values("pk"),
        )
    )
    if is_moderator(user):
        flags = Flag.objects.filter(
            Q(content_type=types[Claim], object_id=claim.pk)
            | Q(content_type=types[Source], object_id__in=sources)
            | Q(content_type=types[Comment], object_id__in=comments)
        ).values("pk")
        wanted |= Q(content_type=types[Flag], object_id__in=flags)
    return (
        AuditEvent.objects.filter(wanted)
        .select_related("actor", "content_type")
        .order_by("created_at", "pk")
    )


def _jobs(user: AnyUser, model: type[J]) -> QuerySet[J]:
    if not has_a_role(user):
        return model.objects.none()
    if is_editor(user) or is_moderator(user):
        return model.objects.all()
    return model.objects.filter(created_by_id=user.pk)


def import_jobs_visible_to(user: AnyUser) -> QuerySet[ImportJob]:
    """Import jobs with their error reports: editors and moderators all, others their own."""
    return _jobs(user, ImportJob)


def export_jobs_visible_to(user: AnyUser) -> QuerySet[ExportJob]:
    """Export jobs with their files: editors and moderators all (the periodic ones too), others
    their own."""
    return _jobs(user, ExportJob)


def external_fact_checks_visible_to(user: AnyUser) -> QuerySet[ExternalFactCheck]:
    """Other fact-checkers' published checks (claim memory): every role."""
    return _for_roles(user, ExternalFactCheck.objects.all())


def claim_matches_visible_to(user: AnyUser) -> QuerySet[ClaimMatch]:
    """Claim-memory matches: those whose subject and earlier claim the user may both see."""
    visible = claims_visible_to(user)
    return _for_roles(user, ClaimMatch.objects.all()).filter(
        Q(claim__isnull=True) | Q(claim__in=visible),
        Q(matched_claim__isnull=True) | Q(matched_claim__in=visible),
    )


def checkworthiness_models_visible_to(user: AnyUser) -> QuerySet[CheckworthinessModel]:
    """The trained check-worthiness models with their hold-out figures: editors only."""
    if not is_editor(user):
        return CheckworthinessModel.objects.none()
    return CheckworthinessModel.objects.all()


VISIBLE_TO: dict[type[models.Model], Callable[[AnyUser], QuerySet[Any]]] = {
    Article: articles_visible_to,
    Sentence: sentences_visible_to,
    Claim: claims_visible_to,
    Source: sources_visible_to,
    Comment: comments_visible_to,
    Verdict: verdicts_visible_to,
    Correction: corrections_visible_to,
    RatingScale: rating_scales_visible_to,
    Rating: ratings_visible_to,
    Flag: flags_visible_to,
    AuditEvent: audit_events_visible_to,
    ImportJob: import_jobs_visible_to,
    ExportJob: export_jobs_visible_to,
    ExternalFactCheck: external_fact_checks_visible_to,
    ClaimMatch: claim_matches_visible_to,
    CheckworthinessModel: checkworthiness_models_visible_to,
}


def visible_to(user: AnyUser, model: type[M]) -> QuerySet[M]:
    """The rows of `model` that `user` may see (a model without a rule here: none)."""
    rule = VISIBLE_TO.get(model)
    return rule(user) if rule is not None else model._default_manager.none()


def can_see(user: AnyUser, obj: models.Model) -> bool:
    """Whether `user` may see `obj` (one query)."""
    return visible_to(user, type(obj)).filter(pk=obj.pk).exists()


# Which role may ask to change each kind of object; the services decide which objects.
_CHANGERS = {
    Article: (roles.EDITOR,),  # assign
    Claim: (roles.REVIEWER, roles.EDITOR),
    Source: (roles.REVIEWER, roles.EDITOR),
    Comment: (roles.REVIEWER, roles.EDITOR),
    Verdict: (roles.REVIEWER, roles.EDITOR),
    Flag: (roles.MODERATOR,),  # dismiss
    ImportJob: (roles.REVIEWER, roles.EDITOR, roles.MODERATOR),  # cancel
}


def can_change(user: AnyUser, obj: models.Model) -> bool:
    """Whether `user` may ask to change `obj`: they see it and their role writes such objects.

    The services still check the object's owner and state (a published claim is frozen, a
    comment is its author's), so a True here is necessary, not sufficient.
    """
    allowed = _CHANGERS.get(type(obj), ())
    return roles.has_role(user, *allowed) and can_see(user, obj)
