"""The moderation API: the permission matrix, the flag queue, history, and hidden content."""

import pytest
from rest_framework.test import APIClient

from annotations import moderation
from annotations.models import AuditEvent, Correction, Flag
from tests.factories import UserFactory

from .conftest import fingerprint

ROLES = ["reviewer", "editor", "moderator", "outsider", "anonymous"]

# action: (method, url, body, success status, roles allowed)
ACTIONS = {
    "flag claim": ("post", "/api/v1/claims/{claim}/flags/", {"reason": "wrong"}, 201, "RE"),
    "flag source": ("post", "/api/v1/sources/{source}/flags/", {"reason": "spam"}, 201, "RE"),
    "flag comment": ("post", "/api/v1/comments/{comment}/flags/", {"reason": "abusive"}, 201, "RE"),
    # Flags quote hidden content: moderators only (the editor fixture is staff; that is no role).
    "list open flags": ("get", "/api/v1/flags/?status=open", None, 200, "M"),
    "dismiss flag": ("post", "/api/v1/flags/{flag}/dismiss/", {"reason": "fine"}, 200, "M"),
    "hide claim": ("post", "/api/v1/claims/{claim}/hide/", {"reason": "spam"}, 200, "M"),
    "hide source": ("post", "/api/v1/sources/{source}/hide/", {"reason": "spam"}, 200, "M"),
    "hide comment": ("post", "/api/v1/comments/{comment}/hide/", {"reason": "spam"}, 200, "M"),
    "unhide claim": ("post", "/api/v1/claims/{hidden_claim}/unhide/", {"reason": "ok"}, 200, "M"),
    "unhide source": (
        "post",
        "/api/v1/sources/{hidden_source}/unhide/",
        {"reason": "ok"},
        200,
        "M",
    ),
    "unhide comment": (
        "post",
        "/api/v1/comments/{hidden_comment}/unhide/",
        {"reason": "ok"},
        200,
        "M",
    ),
    "retract verdict": (
        "post",
        "/api/v1/verdicts/{verdict}/retract/",
        {"note": "Wrong."},
        201,
        "M",
    ),
    "claim history": ("get", "/api/v1/claims/{claim}/history/", None, 200, "EM"),
}
ROLE_LETTER = {"reviewer": "R", "editor": "E", "moderator": "M"}


def client_as(request, role: str) -> tuple[APIClient, object]:
    client = APIClient()
    user = None if role == "anonymous" else request.getfixturevalue(role)
    if user is not None:
        client.force_authenticate(user)
    return client, user


def url_for(template: str, world) -> str:
    ids = {name: getattr(world, name).pk for name in vars(world)}
    return template.format(**ids)


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(request, world, role, action):
    method, template, body, success, allowed = ACTIONS[action]
    client, user = client_as(request, role)
    before_events = AuditEvent.objects.count()
    before = fingerprint()
    response = getattr(client, method)(url_for(template, world), body)
    if ROLE_LETTER.get(role, "-") in allowed:
        assert response.status_code == success, response.content
        if method == "post":
            # Exactly one audit event, by this user.
            [event] = AuditEvent.objects.order_by("pk")[before_events:]
            assert event.actor == user
        else:
            assert fingerprint() == before
    else:
        assert response.status_code == 403, response.content
        assert "detail" in response.json()
        assert fingerprint() == before


def test_flag_a_claim_returns_the_flag(client_for, world, reviewer):
    response = client_for(reviewer).post(
        f"/api/v1/claims/{world.claim.pk}/flags/", {"reason": "duplicate", "note": "See #12"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["target_type"] == "claim" and body["target_id"] == world.claim.pk
    assert (body["reason"], body["note"], body["status"]) == ("duplicate", "See #12", "open")
    assert body["created_by"] == reviewer.username


def test_flagging_twice_is_a_400_with_a_message(client_for, world, reviewer):
    url = f"/api/v1/comments/{world.comment.pk}/flags/"
    assert client_for(reviewer).post(url, {"reason": "spam"}).status_code == 201
    response = client_for(reviewer).post(url, {"reason": "abusive"})
    assert response.status_code == 400
    assert "already flagged" in str(response.json())
    assert Flag.objects.filter(created_by=reviewer).count() == 1


@pytest.mark.parametrize("body", [{}, {"reason": "boring"}, {"reason": ["wrong"]}, "nonsense"])
def test_bad_flag_input_is_a_400(client_for, world, reviewer, body):
    response = client_for(reviewer).post(f"/api/v1/claims/{world.claim.pk}/flags/", body)
    assert response.status_code == 400
    assert not Flag.objects.filter(created_by=reviewer).exists()


def test_reviewers_cannot_flag_hidden_content(client_for, world, reviewer):
    for url in (
        f"/api/v1/claims/{world.hidden_claim.pk}/flags/",
        f"/api/v1/sources/{world.hidden_source.pk}/flags/",
        f"/api/v1/comments/{world.hidden_comment.pk}/flags/",
        "/api/v1/claims/999999/flags/",
    ):
        assert client_for(reviewer).post(url, {"reason": "spam"}).status_code == 404


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/claims/{claim}/hide/", {}),
        ("/api/v1/claims/{claim}/hide/", {"reason": ""}),
        ("/api/v1/claims/{hidden_claim}/hide/", {"reason": "again"}),
        ("/api/v1/claims/{claim}/unhide/", {"reason": "not hidden"}),
        ("/api/v1/verdicts/{verdict}/retract/", {"note": "   "}),
        ("/api/v1/flags/{flag}/dismiss/", {}),
    ],
)
def test_refused_moderation_input_is_a_400_and_changes_nothing(
    client_for, world, moderator, url, body
):
    before = fingerprint()
    response = client_for(moderator).post(url_for(url, world), body)
    assert response.status_code == 400, response.content
    assert fingerprint() == before


def test_open_flags_list_oldest_first_with_target_text_in_few_queries(
    client_for, world, moderator, django_assert_max_num_queries
):
    for _ in range(8):
        user = UserFactory(roles=["Reviewer"])
        moderation.flag_content(target=world.comment, user=user, reason="abusive")
        moderation.flag_content(target=world.source, user=user, reason="spam")
    moderation.dismiss_flag(flag=world.flag, moderator=moderator, reason="fine")
    client = client_for(moderator)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/flags/?status=open")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 16
    assert [r["created_at"] for r in results] == sorted(r["created_at"] for r in results)
    assert {r["target_type"] for r in results} == {"comment", "source"}
    assert results[0]["target_text"] == world.comment.body
    assert all(r["status"] == "open" for r in results)


def test_claim_history_lists_events_in_order_with_usernames(
    client_for, world, reviewer, moderator, editor
):
    moderation.flag_content(target=world.source, user=reviewer, reason="wrong")
    moderation.hide_content(target=world.source, moderator=moderator, reason="Dead link")
    moderation.retract_verdict(verdict=world.verdict, moderator=moderator, note="Withdrawn.")
    other = UserFactory(roles=["Reviewer"])
    moderation.flag_content(target=world.hidden_claim, user=other, reason="spam")  # another claim
    response = client_for(moderator).get(f"/api/v1/claims/{world.claim.pk}/history/")
    assert response.status_code == 200
    events = response.json()["events"]
    assert [(e["action"], e["actor"]) for e in events] == [
        ("flag.created", reviewer.username),
        ("source.hidden", moderator.username),
        ("verdict.retracted", moderator.username),
    ]
    assert events[1]["object_type"] == "source"
    # Editors read the claim's own trail, not the hidden source's events nor the flags.
    response = client_for(editor).get(f"/api/v1/claims/{world.claim.pk}/history/")
    assert [(e["action"], e["actor"]) for e in response.json()["events"]] == [
        ("verdict.retracted", moderator.username),
    ]


def test_retract_by_api_returns_the_public_correction(client_for, world, moderator):
    response = client_for(moderator).post(
        f"/api/v1/verdicts/{world.verdict.pk}/retract/", {"note": "The cited study was withdrawn."}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["claim"], body["verdict"]) == (
        "retraction",
        world.claim.pk,
        world.verdict.pk,
    )
    assert Correction.objects.get().note == "The cited study was withdrawn."


def test_session_posts_need_the_csrf_token(world, moderator):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(moderator)
    response = client.post(f"/api/v1/claims/{world.claim.pk}/hide/", {"reason": "spam"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    world.claim.refresh_from_db()
    assert not world.claim.is_hidden


@pytest.mark.django_db
def test_only_staff_editors_see_the_flag_queue(world):
    non_staff_editor = UserFactory(username="plain-editor", roles=["Editor"])
    client = APIClient()
    client.force_authenticate(non_staff_editor)
    assert client.get("/api/v1/flags/?status=open").status_code == 403
