"""The moderation services: rules, state changes, and exactly one audit event per action."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from annotations import moderation
from annotations.models import AuditEvent, Claim, Correction, Flag, Verdict
from annotations.selectors import published_claims
from tests.factories import UserFactory

from .conftest import fingerprint


def events_since(count_before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("pk")[count_before:])


def test_flag_content_records_one_event_by_the_flagger(world, reviewer):
    before = AuditEvent.objects.count()
    flag = moderation.flag_content(target=world.source, user=reviewer, reason="spam", note="ad")
    assert (flag.target, flag.status, flag.created_by) == (world.source, "open", reviewer)
    [event] = events_since(before)
    assert (event.action, event.actor, event.object_id) == ("flag.created", reviewer, flag.pk)
    assert event.changes["target"] == f"source #{world.source.pk}"


def test_flagging_twice_is_refused_with_a_message(world, reviewer):
    moderation.flag_content(target=world.claim, user=reviewer, reason="wrong")
    with pytest.raises(ValidationError, match="already flagged"):
        moderation.flag_content(target=world.claim, user=reviewer, reason="other")
    assert Flag.objects.filter(created_by=reviewer).count() == 1


def test_unknown_flag_reason_is_refused(world, reviewer):
    with pytest.raises(ValidationError):
        moderation.flag_content(target=world.claim, user=reviewer, reason="boring")


def test_moderator_cannot_flag_but_acts_directly(world, moderator):
    with pytest.raises(PermissionDenied):
        moderation.flag_content(target=world.claim, user=moderator, reason="wrong")


@pytest.mark.parametrize("name", ["claim", "source", "comment"])
def test_hide_sets_state_resolves_flags_and_records_one_event(world, moderator, name):
    target = getattr(world, name)
    other = Flag.objects.create(
        content_type_id=Flag.objects.get(pk=world.flag.pk).content_type_id,
        object_id=world.claim.pk + 10_000,  # a flag on another object stays open
        reason="spam",
        created_by=moderator,
    )
    target_flag = world.flag if name == "claim" else None
    if name != "claim":
        target_flag = moderation.flag_content(
            target=target, user=UserFactory(roles=["Reviewer"]), reason="abusive"
        )
    before = AuditEvent.objects.count()
    moderation.hide_content(target=target, moderator=moderator, reason="Abusive language")
    target.refresh_from_db()
    assert target.is_hidden and target.hidden_by == moderator and target.hidden_at
    assert target.hidden_reason == "Abusive language"
    target_flag.refresh_from_db()
    assert (target_flag.status, target_flag.resolved_by) == ("resolved", moderator)
    other.refresh_from_db()
    assert other.status == "open"
    [event] = events_since(before)
    assert (event.action, event.actor, event.object_id) == (f"{name}.hidden", moderator, target.pk)
    assert event.changes["is_hidden"] == [False, True]
    assert event.changes["resolved_flags"] == [target_flag.pk]


def test_hidden_claim_leaves_the_published_selector(world, moderator):
    assert world.claim in published_claims()
    moderation.hide_content(target=world.claim, moderator=moderator, reason="Privacy")
    assert world.claim not in published_claims()
    moderation.unhide_content(target=world.claim, moderator=moderator, reason="Checked again")
    assert world.claim in published_claims()


def test_hide_needs_a_reason_and_refuses_twice(world, moderator):
    with pytest.raises(ValidationError, match="why"):
        moderation.hide_content(target=world.claim, moderator=moderator, reason="  ")
    moderation.hide_content(target=world.claim, moderator=moderator, reason="spam")
    with pytest.raises(ValidationError, match="already hidden"):
        moderation.hide_content(target=world.claim, moderator=moderator, reason="spam")


def test_unhide_clears_state_and_records_one_event(world, moderator):
    before = AuditEvent.objects.count()
    moderation.unhide_content(target=world.hidden_comment, moderator=moderator, reason="Fine")
    world.hidden_comment.refresh_from_db()
    assert not world.hidden_comment.is_hidden and world.hidden_comment.hidden_by is None
    [event] = events_since(before)
    assert (event.action, event.actor) == ("comment.unhidden", moderator)
    assert event.changes["reason"] == "Fine"


@pytest.mark.parametrize("role", ["reviewer", "editor", "outsider"])
def test_only_moderators_hide_dismiss_retract_deactivate(world, request, role):
    user = request.getfixturevalue(role)
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        moderation.hide_content(target=world.claim, moderator=user, reason="x")
    with pytest.raises(PermissionDenied):
        moderation.unhide_content(target=world.hidden_claim, moderator=user, reason="x")
    with pytest.raises(PermissionDenied):
        moderation.dismiss_flag(flag=world.flag, moderator=user, reason="x")
    with pytest.raises(PermissionDenied):
        moderation.retract_verdict(verdict=world.verdict, moderator=user, note="x")
    with pytest.raises(PermissionDenied):
        moderation.deactivate_user(user=world.claim.created_by, moderator=user, reason="x")
    assert fingerprint() == before


def test_dismiss_flag_records_one_event_and_refuses_a_closed_flag(world, moderator):
    before = AuditEvent.objects.count()
    moderation.dismiss_flag(flag=world.flag, moderator=moderator, reason="The claim is right")
    world.flag.refresh_from_db()
    assert (world.flag.status, world.flag.resolved_by) == ("dismissed", moderator)
    assert world.flag.resolution_note == "The claim is right"
    [event] = events_since(before)
    assert (event.action, event.actor, event.changes["status"]) == (
        "flag.dismissed",
        moderator,
        ["open", "dismissed"],
    )
    with pytest.raises(ValidationError, match=r"no longer open \(status: Dismissed\)"):
        moderation.dismiss_flag(flag=world.flag, moderator=moderator, reason="again")


def test_retract_verdict_writes_a_correction_and_withdraws_the_claim(world, moderator):
    before = AuditEvent.objects.count()
    correction = moderation.retract_verdict(
        verdict=world.verdict, moderator=moderator, note="The report we cited was withdrawn."
    )
    world.verdict.refresh_from_db()
    world.claim.refresh_from_db()
    world.flag.refresh_from_db()
    assert world.verdict.status == Verdict.Status.RETRACTED
    assert world.claim.status == Claim.Status.RETRACTED
    assert world.claim.published_verdict == world.verdict  # the record says what was withdrawn
    assert (correction.kind, correction.claim, correction.verdict, correction.created_by) == (
        Correction.Kind.RETRACTION,
        world.claim,
        world.verdict,
        moderator,
    )
    assert correction.note == "The report we cited was withdrawn."
    assert world.flag.status == Flag.Status.RESOLVED
    assert world.claim not in published_claims()
    [event] = events_since(before)
    assert (event.action, event.actor, event.object_id) == (
        "verdict.retracted",
        moderator,
        world.verdict.pk,
    )
    assert event.changes["correction"] == correction.pk
    assert event.changes["resolved_flags"] == [world.flag.pk]


def test_retraction_needs_a_note_and_a_published_verdict(world, moderator):
    before = fingerprint()
    with pytest.raises(ValidationError, match="correction note"):
        moderation.retract_verdict(verdict=world.verdict, moderator=moderator, note="")
    draft = Verdict.objects.create(
        claim=world.claim,
        rating=world.verdict.rating,
        explanation="A later draft, never approved.",
        author=world.claim.created_by,
        status=Verdict.Status.SUBMITTED,
    )
    after_draft = fingerprint()
    with pytest.raises(ValidationError, match="published verdict"):
        moderation.retract_verdict(verdict=draft, moderator=moderator, note="Wrong")
    assert fingerprint() == after_draft
    assert before["corrections"] == after_draft["corrections"]


def test_deactivate_user_records_one_event(world, moderator):
    target = world.claim.created_by
    before = AuditEvent.objects.count()
    moderation.deactivate_user(user=target, moderator=moderator, reason="Spam account")
    target.refresh_from_db()
    assert not target.is_active
    [event] = events_since(before)
    assert (event.action, event.actor, event.object_id) == (
        "user.deactivated",
        moderator,
        target.pk,
    )
    with pytest.raises(ValidationError, match="already inactive"):
        moderation.deactivate_user(user=target, moderator=moderator, reason="again")
    moderation.reactivate_user(user=target, moderator=moderator, reason="Appeal upheld")
    target.refresh_from_db()
    assert target.is_active


def test_moderator_cannot_deactivate_self_or_a_superuser(moderator, superuser):
    with pytest.raises(ValidationError, match="yourself"):
        moderation.deactivate_user(user=moderator, moderator=moderator, reason="x")
    with pytest.raises(PermissionDenied):
        moderation.deactivate_user(user=superuser, moderator=moderator, reason="x")


def test_role_changes_from_anywhere_are_audited(moderator, outsider):
    reviewers, editors = Group.objects.get(name="Reviewer"), Group.objects.get(name="Editor")
    before = AuditEvent.objects.count()
    with moderation.acting_as(moderator):
        outsider.groups.add(reviewers)
        outsider.groups.add(editors)
        outsider.groups.add(reviewers)  # already held: no event
        outsider.groups.remove(editors)
    editors.user_set.add(outsider)  # the reverse side, and no one named: the system
    outsider.groups.clear()
    rows = [(e.action, e.actor, e.changes["role"]) for e in events_since(before)]
    assert rows == [
        ("user.role_added", moderator, [None, "Reviewer"]),
        ("user.role_added", moderator, [None, "Editor"]),
        ("user.role_removed", moderator, ["Editor", None]),
        ("user.role_added", None, [None, "Editor"]),
        ("user.role_removed", None, ["Reviewer", None]),
        ("user.role_removed", None, ["Editor", None]),
    ]
    assert {e.object_id for e in events_since(before)} == {outsider.pk}


def test_removing_a_role_not_held_records_nothing(outsider):
    before = AuditEvent.objects.count()
    outsider.groups.remove(Group.objects.get(name="Editor"))
    assert AuditEvent.objects.count() == before
