"""The admin as the moderation console: who gets in, the queue, actions with a reason, the user
admin, read-only verdicts for moderators, history pages, and changelists that stay fast."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from annotations import moderation
from annotations.models import AuditEvent, Claim, Comment, Flag, Verdict
from tests.factories import ClaimFactory, UserFactory

from .conftest import fingerprint, make_comment

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def plain_moderator(db):
    """A moderator who is not staff: the role alone opens the admin."""
    return UserFactory(username="nonstaff-mod", roles=["Moderator"], is_staff=False)


def login(client: Client, username: str, password: str = PASSWORD):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_moderator_without_staff_flag_can_log_in_to_the_admin(plain_moderator):
    client = Client()
    response = login(client, plain_moderator.username)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "/admin/annotations/flag/" in page.content.decode()


@pytest.mark.parametrize("role", ["reviewer", "outsider"])
def test_reviewers_and_outsiders_cannot_log_in_to_the_admin(request, role):
    user = request.getfixturevalue(role)
    client = Client()
    response = login(client, user.username)
    assert response.status_code == 200
    assert "correct username and password for a staff account" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # back to the login page


def test_deactivated_moderator_is_shut_out(plain_moderator, moderator):
    client = admin_client(plain_moderator)
    assert client.get("/admin/").status_code == 200
    moderation.deactivate_user(user=plain_moderator, moderator=moderator, reason="Left the desk")
    assert client.get("/admin/").status_code == 302


# --- The queue ----------------------------------------------------------------------------------


def test_queue_groups_open_flags_by_object_oldest_first_with_text_and_link(
    world, plain_moderator, reviewer, editor
):
    # world.flag (on the claim) is the oldest; then two flags on the comment.
    moderation.flag_content(target=world.comment, user=reviewer, reason="abusive", note="rude")
    moderation.flag_content(target=world.comment, user=editor, reason="spam")
    response = admin_client(plain_moderator).get("/admin/moderation/")
    assert response.status_code == 200
    html = response.content.decode()
    claim_at = html.index(f'id="flag-group-claim-{world.claim.pk}"')
    comment_at = html.index(f'id="flag-group-comment-{world.comment.pk}"')
    assert claim_at < comment_at
    assert "2 open flags" in html[comment_at:]
    assert world.comment.body in html[comment_at:]
    assert world.claim.quote_exact in html[claim_at:comment_at]
    link = f"/articles/{world.claim.article_id}/#claim-{world.claim.pk}"
    assert f'href="{link}"' in html[claim_at:comment_at]
    assert f'href="{link}"' in html[comment_at:]  # a comment links to its claim


def test_queue_is_for_moderators_only(world, editor):
    assert admin_client(editor).get("/admin/moderation/").status_code == 403


def test_queue_query_count_does_not_grow_with_flags(
    world, plain_moderator, django_assert_max_num_queries
):
    for _ in range(10):
        user = UserFactory(roles=["Reviewer"])
        moderation.flag_content(target=ClaimFactory(), user=user, reason="duplicate")
        moderation.flag_content(target=make_comment(world.claim), user=user, reason="spam")
    client = admin_client(plain_moderator)
    with django_assert_max_num_queries(12):
        response = client.get("/admin/moderation/")
    assert response.content.decode().count('class="module aligned"') == 21


def test_queue_hide_hides_and_resolves_with_one_event(world, plain_moderator, reviewer):
    moderation.flag_content(target=world.claim, user=reviewer, reason="privacy")
    before = AuditEvent.objects.count()
    response = admin_client(plain_moderator).post(
        "/admin/moderation/",
        {
            "content_type": world.flag.content_type_id,
            "object_id": world.claim.pk,
            "reason": "Names a private person",
            "operation": "hide",
        },
    )
    assert response.status_code == 302
    world.claim.refresh_from_db()
    assert world.claim.is_hidden and world.claim.hidden_by == plain_moderator
    assert not Flag.objects.filter(status="open").exists()
    [event] = AuditEvent.objects.order_by("pk")[before:]
    assert (event.action, event.actor) == ("claim.hidden", plain_moderator)


def test_queue_dismiss_without_reason_changes_nothing(world, plain_moderator):
    before = fingerprint()
    client = admin_client(plain_moderator)
    response = client.post(
        "/admin/moderation/",
        {
            "content_type": world.flag.content_type_id,
            "object_id": world.claim.pk,
            "reason": "",
            "operation": "dismiss",
        },
        follow=True,
    )
    assert "Say why the flag is dismissed" in response.content.decode()
    assert fingerprint() == before


def test_queue_dismisses_flags_of_a_deleted_object(world, plain_moderator):
    claim_type, claim_id = world.flag.content_type_id, world.claim.pk
    world.claim.delete()
    client = admin_client(plain_moderator)
    page = client.get("/admin/moderation/")
    assert "(deleted)" in page.content.decode()
    response = client.post(
        "/admin/moderation/",
        {
            "content_type": claim_type,
            "object_id": claim_id,
            "reason": "Gone",
            "operation": "dismiss",
        },
    )
    assert response.status_code == 302
    world.flag.refresh_from_db()
    assert world.flag.status == "dismissed"


@pytest.mark.parametrize("data", [{}, {"content_type": "x", "object_id": "1"}])
def test_queue_post_with_garbage_is_a_404(plain_moderator, data):
    assert admin_client(plain_moderator).post("/admin/moderation/", data).status_code == 404


# --- Actions with a reason ----------------------------------------------------------------------


def test_bulk_hide_asks_for_a_reason_then_hides_each_with_one_event(world, plain_moderator):
    comments = [make_comment(world.claim) for _ in range(3)]
    ids = [c.pk for c in comments]
    client = admin_client(plain_moderator)
    url = "/admin/annotations/comment/"
    form = client.post(url, {"action": "hide_selected", "_selected_action": ids})
    assert form.status_code == 200
    assert 'name="reason"' in form.content.decode()
    assert not Comment.objects.filter(pk__in=ids, is_hidden=True).exists()

    empty = client.post(
        url, {"action": "hide_selected", "_selected_action": ids, "confirm": "yes", "reason": ""}
    )
    assert empty.status_code == 200 and "This field is required" in empty.content.decode()
    assert not Comment.objects.filter(pk__in=ids, is_hidden=True).exists()

    before = AuditEvent.objects.count()
    done = client.post(
        url,
        {"action": "hide_selected", "_selected_action": ids, "confirm": "yes", "reason": "Spam"},
    )
    assert done.status_code == 302
    assert Comment.objects.filter(pk__in=ids, is_hidden=True, hidden_reason="Spam").count() == 3
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.actor, e.object_id) for e in events] == [
        ("comment.hidden", plain_moderator, pk) for pk in sorted(ids)
    ]


def test_bulk_retract_from_the_claim_list_writes_corrections(world, plain_moderator):
    client = admin_client(plain_moderator)
    response = client.post(
        "/admin/annotations/claim/",
        {
            "action": "retract_selected",
            "_selected_action": [world.claim.pk, world.hidden_claim.pk],
            "confirm": "yes",
            "reason": "The figures were revised by the ministry.",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "1 done" in html
    assert "It has no published verdict" in html  # the hidden claim was never published
    world.claim.refresh_from_db()
    assert world.claim.status == Claim.Status.RETRACTED
    assert world.claim.corrections.get().note == "The figures were revised by the ministry."


def test_flag_actions_dismiss_and_hide_flagged(world, plain_moderator, reviewer):
    source_flag = moderation.flag_content(target=world.source, user=reviewer, reason="spam")
    client = admin_client(plain_moderator)
    url = "/admin/annotations/flag/"
    client.post(
        url,
        {
            "action": "dismiss_selected",
            "_selected_action": [world.flag.pk],
            "confirm": "yes",
            "reason": "Accurate",
        },
    )
    client.post(
        url,
        {
            "action": "hide_flagged",
            "_selected_action": [source_flag.pk],
            "confirm": "yes",
            "reason": "Advert",
        },
    )
    world.flag.refresh_from_db()
    source_flag.refresh_from_db()
    world.source.refresh_from_db()
    assert world.flag.status == "dismissed"
    assert source_flag.status == "resolved" and world.source.is_hidden


def test_staff_without_a_role_is_shut_out_of_the_admin(world):
    clerk = UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_claim"))
    page = admin_client(clerk).get("/admin/annotations/claim/")
    assert page.status_code == 302 and page["Location"].startswith("/admin/login/")


def test_staff_without_the_moderator_role_gets_no_moderation_actions(world):
    clerk = UserFactory(username="clerk", roles=["Editor"], is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_claim"))
    client = admin_client(clerk)
    page = client.get("/admin/annotations/claim/")
    assert page.status_code == 200
    assert "hide_selected" not in page.content.decode()
    before = fingerprint()
    client.post(
        "/admin/annotations/claim/",
        {
            "action": "hide_selected",
            "_selected_action": [world.claim.pk],
            "confirm": "yes",
            "reason": "x",
        },
    )
    assert fingerprint() == before


# --- Verdicts, users, history -------------------------------------------------------------------


def _verdict_form(verdict: Verdict, explanation: str) -> dict:
    return {
        "claim": verdict.claim_id,
        "rating": verdict.rating_id,
        "explanation": explanation,
        "author": verdict.author_id,
        "status": verdict.status,
        "reviewed_by": verdict.reviewed_by_id or "",
        "review_note": "",
    }


def test_moderator_sees_a_verdict_but_cannot_rewrite_it(world, plain_moderator):
    client = admin_client(plain_moderator)
    url = f"/admin/annotations/verdict/{world.verdict.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, _verdict_form(world.verdict, "Rewritten!")).status_code == 403
    # Even if someone grants the model permission, the fields stay read-only for moderators.
    plain_moderator.user_permissions.add(Permission.objects.get(codename="change_verdict"))
    client.post(url, _verdict_form(world.verdict, "Rewritten!"))
    world.verdict.refresh_from_db()
    assert world.verdict.explanation != "Rewritten!"


def test_moderator_deactivates_a_user_and_sees_their_activity(world, plain_moderator, reviewer):
    moderation.flag_content(target=world.claim, user=reviewer, reason="spam")
    client = admin_client(plain_moderator)
    page = client.get(f"/admin/auth/user/{reviewer.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Recent activity" in html and "flag.created" in html
    before = AuditEvent.objects.count()
    client.post(
        "/admin/auth/user/",
        {
            "action": "deactivate_selected",
            "_selected_action": [reviewer.pk],
            "confirm": "yes",
            "reason": "Spamming flags",
        },
    )
    reviewer.refresh_from_db()
    assert not reviewer.is_active
    [event] = AuditEvent.objects.order_by("pk")[before:]
    assert (event.action, event.actor, event.object_id) == (
        "user.deactivated",
        plain_moderator,
        reviewer.pk,
    )


def test_moderator_cannot_edit_users_or_their_roles(plain_moderator, reviewer):
    client = admin_client(plain_moderator)
    response = client.post(
        f"/admin/auth/user/{reviewer.pk}/change/",
        {"username": reviewer.username, "is_superuser": "on", "is_staff": "on"},
    )
    assert response.status_code == 403
    reviewer.refresh_from_db()
    assert not reviewer.is_superuser


def test_role_change_in_the_admin_is_audited_with_the_admin_as_actor(superuser, outsider):
    editors = Group.objects.get(name="Editor")
    response = admin_client(superuser).post(
        f"/admin/auth/user/{outsider.pk}/change/",
        {
            "username": outsider.username,
            "email": outsider.email,
            "is_active": "on",
            "groups": [editors.pk],
            "date_joined_0": outsider.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": outsider.date_joined.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.role_added", object_id=outsider.pk)
    assert (event.actor, event.changes) == (superuser, {"role": [None, "Editor"]})


def test_content_forms_are_read_only_even_for_superusers(world, superuser):
    comment = world.comment
    before = fingerprint()
    response = admin_client(superuser).post(
        f"/admin/annotations/comment/{comment.pk}/change/",
        {
            "claim": comment.claim_id,
            "author": comment.author_id,
            "body": "Edited by the desk.",
            "is_hidden": "on",
            "hidden_reason": "",
            "hidden_by": "",
        },
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Is 40 percent sourced?" and not comment.is_hidden
    assert fingerprint() == before


def test_claim_history_page_shows_the_trail(world, plain_moderator, reviewer):
    moderation.flag_content(target=world.comment, user=reviewer, reason="abusive")
    moderation.hide_content(target=world.comment, moderator=plain_moderator, reason="Abuse")
    page = admin_client(plain_moderator).get(f"/admin/annotations/claim/{world.claim.pk}/history/")
    assert page.status_code == 200
    rows = re.findall(r"<td>([a-z]+\.[a-z_]+)</td>", page.content.decode())
    assert rows == ["flag.created", "comment.hidden"]


# --- The audit list -----------------------------------------------------------------------------


def test_audit_events_cannot_be_added_changed_or_deleted_in_the_admin(world, superuser, reviewer):
    moderation.flag_content(target=world.claim, user=reviewer, reason="spam")
    event = AuditEvent.objects.get(action="flag.created")
    client = admin_client(superuser)
    base = "/admin/annotations/auditevent/"
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"action": "forged"}).status_code == 403
    assert client.post(f"{base}{event.pk}/change/", {"action": "forged"}).status_code == 403
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = client.get(base)
    assert "delete_selected" not in listing.content.decode()
    client.post(base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    event.refresh_from_db()
    assert event.action == "flag.created"


def test_audit_list_filters_by_actor_and_object(world, superuser, reviewer, moderator):
    moderation.flag_content(target=world.claim, user=reviewer, reason="spam")
    moderation.hide_content(target=world.comment, moderator=moderator, reason="spam")
    client = admin_client(superuser)
    by_actor = client.get(f"/admin/annotations/auditevent/?actor__id__exact={moderator.pk}")
    assert by_actor.status_code == 200
    assert listed_actions(by_actor) == ["comment.hidden"]
    comment_type = AuditEvent.objects.get(action="comment.hidden").content_type_id
    by_object = client.get(
        f"/admin/annotations/auditevent/?content_type__id__exact={comment_type}"
        f"&object_id={world.comment.pk}"
    )
    assert listed_actions(by_object) == ["comment.hidden"]


def listed_actions(response) -> list[str]:
    return re.findall(r'class="field-action">([^<]+)<', response.content.decode())


# --- Fast changelists ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/annotations/claim/",
        "/admin/annotations/source/",
        "/admin/annotations/comment/",
        "/admin/annotations/verdict/",
        "/admin/annotations/flag/",
        "/admin/annotations/auditevent/",
        "/admin/auth/user/",
    ],
)
def test_changelists_run_a_fixed_number_of_queries(
    url, world, plain_moderator, django_assert_max_num_queries
):
    for n in range(15):
        claim = ClaimFactory()
        comment = make_comment(claim)
        moderation.flag_content(target=comment, user=claim.created_by, reason="spam")
        if n % 2:
            moderation.hide_content(target=comment, moderator=plain_moderator, reason="spam")
    client = admin_client(plain_moderator)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_moderator_permissions_come_back_after_a_flush():
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    codenames = set(
        Group.objects.get(name="Moderator").permissions.values_list("codename", flat=True)
    )
    assert {"view_claim", "view_verdict", "view_flag", "view_auditevent", "view_user"} <= codenames
    assert not any(code.startswith(("change_", "delete_", "add_")) for code in codenames)


def test_import_jobs_in_the_admin_show_progress_and_errors_and_can_be_cancelled(
    superuser, plain_moderator
):
    from annotations.models import ImportJob

    running = ImportJob.objects.create(
        original_name="day.jsonl",
        status=ImportJob.Status.RUNNING,
        total=400,
        created=90,
        duplicates=5,
        failed=5,
        errors=[{"line": 7, "message": "<script>alert(1)</script> is not JSON"}],
    )
    done = ImportJob.objects.create(original_name="old.csv", status=ImportJob.Status.SUCCEEDED)
    client = admin_client(superuser)
    listing = client.get("/admin/annotations/importjob/").content.decode()
    assert "100 / 400 (25%)" in listing and "day.jsonl" in listing
    page = client.get(f"/admin/annotations/importjob/{running.pk}/change/").content.decode()
    assert "<td>line 7</td>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; is not JSON" in page  # escaped, never run
    assert client.get("/admin/annotations/importjob/add/").status_code == 403
    response = client.post(
        "/admin/annotations/importjob/",
        {"action": "cancel_selected", "_selected_action": [running.pk, done.pk]},
    )
    assert response.status_code == 302
    running.refresh_from_db()
    done.refresh_from_db()
    assert (running.status, done.status) == ("cancelled", "succeeded")
    assert AuditEvent.objects.filter(action="import.cancelled", object_id=running.pk).exists()
    # A moderator may cancel too; the action is offered to them.
    assert (
        "cancel_selected"
        in admin_client(plain_moderator).get("/admin/annotations/importjob/").content.decode()
    )
