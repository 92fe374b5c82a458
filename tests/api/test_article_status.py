"""An article's status moves by itself with its claims (new → in review → reviewed), and an editor
may mark it by hand; every move is audited."""

import pytest
from django.test import Client

from annotations import services
from annotations.models import Article, AuditEvent, Claim
from tests.factories import SourceFactory, default_rating

EXPLANATION = "The official projection is 12 percent, not 40."


def _status_events(article):
    return list(
        AuditEvent.objects.filter(action="article.status_changed", object_id=article.pk)
        .order_by("id")
        .values_list("changes", "actor__username")
    )


def _sourced_claim(article, user):
    claim = services.create_claim(
        article=article, created_by=user, sentence_ids=[article.sentences.first().pk]
    )
    SourceFactory(claim=claim, created_by=user)
    return claim


def test_marking_a_claim_puts_a_new_article_in_review(article, reviewer):
    assert article.status == Article.Status.NEW
    services.create_claim(
        article=article, created_by=reviewer, sentence_ids=[article.sentences.first().pk]
    )
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert _status_events(article) == [({"status": ["new", "in_review"]}, reviewer.username)]


def test_article_is_reviewed_when_every_claim_is_published_or_rejected(article, reviewer, editor):
    first, second = _sourced_claim(article, reviewer), _sourced_claim(article, reviewer)
    published = services.submit_verdict(
        claim=first, author=reviewer, rating=default_rating(), explanation=EXPLANATION
    )
    rejected = services.submit_verdict(
        claim=second, author=reviewer, rating=default_rating(), explanation=EXPLANATION
    )
    services.approve_verdict(verdict=published, editor=editor)
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW  # the second still waits

    services.reject_verdict(verdict=rejected, editor=editor, reason="Needs a better source.")
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEWED
    assert _status_events(article)[-1] == (
        {"status": ["in_review", "reviewed"]},
        editor.username,
    )

    # Sent for approval again, the claim is open again: back in review.
    services.submit_verdict(
        claim=second, author=reviewer, rating=default_rating(), explanation=EXPLANATION
    )
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW


def test_deleting_the_last_open_claim_settles_the_article(article, reviewer, editor):
    done = _sourced_claim(article, reviewer)
    services.approve_verdict(
        verdict=services.submit_verdict(
            claim=done, author=reviewer, rating=default_rating(), explanation=EXPLANATION
        ),
        editor=editor,
    )
    draft = _sourced_claim(article, reviewer)
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    services.delete_claim(claim=draft, actor=reviewer)
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEWED


def test_an_archived_article_stays_archived(article, reviewer):
    Article.objects.filter(pk=article.pk).update(status=Article.Status.ARCHIVED)
    article.refresh_from_db()
    services.create_claim(
        article=article, created_by=reviewer, sentence_ids=[article.sentences.first().pk]
    )
    article.refresh_from_db()
    assert article.status == Article.Status.ARCHIVED
    assert _status_events(article) == []


def test_editor_marks_an_article_reviewed_by_api(client_for, article, editor):
    response = client_for(editor).post(
        f"/api/v1/articles/{article.pk}/status/", {"status": "reviewed"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "reviewed"
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEWED
    assert _status_events(article) == [({"status": ["new", "reviewed"]}, editor.username)]


@pytest.mark.parametrize(
    ("who", "body", "expected"),
    [
        ("reviewer", {"status": "reviewed"}, 403),
        ("moderator", {"status": "reviewed"}, 403),
        ("editor", {"status": "done"}, 400),
        ("editor", {}, 400),
    ],
)
def test_article_status_refusals_change_nothing(client_for, article, request, who, body, expected):
    user = request.getfixturevalue(who)
    response = client_for(user).post(f"/api/v1/articles/{article.pk}/status/", body, format="json")
    assert response.status_code == expected, response.content
    assert "detail" in response.json() or "status" in response.json()
    article.refresh_from_db()
    assert article.status == Article.Status.NEW
    assert not Claim.objects.exists()
    assert _status_events(article) == []


# --- Moderation moves the status through the same function (follow_claims) ---------------------


def _published_and_draft(article, reviewer, editor):
    """An article in review: one published claim and one draft (the open one)."""
    done = _sourced_claim(article, reviewer)
    services.approve_verdict(
        verdict=services.submit_verdict(
            claim=done, author=reviewer, rating=default_rating(), explanation=EXPLANATION
        ),
        editor=editor,
    )
    draft = _sourced_claim(article, reviewer)
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    done.refresh_from_db()
    return done, draft


def test_hiding_and_unhiding_the_open_claim_by_api_moves_the_article(
    client_for, article, reviewer, editor, moderator
):
    _, draft = _published_and_draft(article, reviewer, editor)
    api = client_for(moderator)

    hidden = api.post(f"/api/v1/claims/{draft.pk}/hide/", {"reason": "Spam."}, format="json")
    assert hidden.status_code == 200, hidden.content
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEWED  # the only open claim left the review
    assert _status_events(article)[-1] == (
        {"status": ["in_review", "reviewed"]},
        moderator.username,
    )

    shown = api.post(f"/api/v1/claims/{draft.pk}/unhide/", {"reason": "Not spam."}, format="json")
    assert shown.status_code == 200, shown.content
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert _status_events(article)[-1] == (
        {"status": ["reviewed", "in_review"]},
        moderator.username,
    )


def test_hiding_the_open_claim_in_the_admin_moves_the_article(article, reviewer, editor, moderator):
    _, draft = _published_and_draft(article, reviewer, editor)
    admin = Client()
    admin.force_login(moderator)
    response = admin.post(
        "/admin/annotations/claim/",
        {
            "action": "hide_selected",
            "_selected_action": [draft.pk],
            "confirm": "yes",
            "reason": "Spam.",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_hidden
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEWED


def test_hiding_a_settled_claim_puts_the_article_back_in_review_only_if_one_is_open(
    client_for, article, reviewer, editor, moderator
):
    done, draft = _published_and_draft(article, reviewer, editor)
    services.delete_claim(claim=draft, actor=reviewer)
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEWED
    response = client_for(moderator).post(
        f"/api/v1/claims/{done.pk}/hide/", {"reason": "Privacy."}, format="json"
    )
    assert response.status_code == 200, response.content
    article.refresh_from_db()
    # No visible claim left: as after deleting the last claim, the status stays.
    assert article.status == Article.Status.REVIEWED


def test_retracting_recomputes_the_status(client_for, article, reviewer, editor, moderator):
    done, draft = _published_and_draft(article, reviewer, editor)
    services.delete_claim(claim=draft, actor=reviewer)
    # An editor reopened the reviewed article by hand; retracted counts as settled, so the
    # retraction of its only claim's verdict recomputes it to reviewed, as any claim change does.
    services.set_article_status(article=article, status=Article.Status.IN_REVIEW, actor=editor)
    response = client_for(moderator).post(
        f"/api/v1/verdicts/{done.published_verdict_id}/retract/",
        {"note": "The source was forged."},
        format="json",
    )
    assert response.status_code == 201, response.content
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEWED
    assert _status_events(article)[-1] == (
        {"status": ["in_review", "reviewed"]},
        moderator.username,
    )
