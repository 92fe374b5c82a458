"""review-options/: the choices the review forms offer come from the server."""

from annotations.models import Flag, Source


def test_options_name_stances_reasons_and_the_explanation_minimum(client_for, reviewer, settings):
    settings.VERDICT_MIN_EXPLANATION_LENGTH = 33
    data = client_for(reviewer).get("/api/v1/review-options/").json()
    assert [s["value"] for s in data["stances"]] == list(Source.Stance.values)
    assert [r["value"] for r in data["flag_reasons"]] == list(Flag.Reason.values)
    assert "published" in [s["value"] for s in data["claim_statuses"]]
    assert data["verdict_min_explanation_length"] == 33
    assert data["assignees"] == []  # reviewers assign nobody


def test_editors_see_the_reviewers_and_editors_they_may_assign(
    client_for, editor, reviewer, moderator, outsider, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        data = client_for(editor).get("/api/v1/review-options/").json()
    names = [u["username"] for u in data["assignees"]]
    assert names == sorted([editor.username, reviewer.username])
    assert moderator.username not in names and outsider.username not in names


def test_options_need_a_role(client_for, outsider):
    assert client_for(outsider).get("/api/v1/review-options/").status_code == 403
