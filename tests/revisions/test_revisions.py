"""Revisions of an article and the re-anchoring of its claims (the service and the API)."""

import pytest

from annotations.models import (
    AnchorStatus,
    ArticleRevision,
    AuditEvent,
    Claim,
    Sentence,
)
from annotations.services import add_comment, add_source
from annotations.services.revisions import reanchor_claims, record_revision
from tests.factories import ArticleFactory

from .conftest import AUSTRALIA, DEMO, DOYLE, TYPO, edited


def revise(article, body, user=None):
    return record_revision(
        article=article, body=body, source=ArticleRevision.Source.API, created_by=user
    )


def test_first_change_keeps_the_old_text_as_revision_one(demo_article, editor):
    old_sentences = list(demo_article.sentences.order_by("position").values_list("id", "text"))
    revision, created = revise(demo_article, edited(DEMO), editor)
    demo_article.refresh_from_db()
    assert created and revision.number == 2
    first = demo_article.revisions.get(number=1)
    assert first.body == DEMO and first.source == ArticleRevision.Source.ORIGINAL
    assert demo_article.body == edited(DEMO) == revision.body
    # The old sentences are kept with revision 1; the article's sentences are the new text's.
    kept = list(
        Sentence.all_revisions.filter(revision=first).order_by("position").values_list("id", "text")
    )
    assert kept == old_sentences
    current = list(demo_article.sentences.order_by("position"))
    assert all(demo_article.body[s.start : s.end] == s.text for s in current)
    assert {s.id for s in current}.isdisjoint({pk for pk, _ in old_sentences})
    assert AuditEvent.objects.filter(action="article.revised", object_id=demo_article.pk).exists()


def test_unchanged_text_after_normalising_makes_no_revision(demo_article, editor):
    same = DEMO.replace("\n", "  \r\n") + "\n\n"
    revision, created = revise(demo_article, same, editor)
    assert not created and revision.number == 1
    assert not ArticleRevision.objects.exists()


def test_reanchoring_places_each_claim_and_keeps_everything_on_it(
    demo_article, claim_on, reviewer, editor
):
    typo, australia, doyle = claim_on(TYPO), claim_on(AUSTRALIA), claim_on(DOYLE)
    add_source(claim=doyle, created_by=reviewer, url="https://example.org/doyle", title="Doyle")
    add_comment(claim=doyle, author=reviewer, body="Check the DPC statement.")
    doyle_sentences = set(doyle.sentences.values_list("pk", flat=True))
    revision, _ = revise(demo_article, edited(DEMO), editor)

    counts = reanchor_claims(revision_id=revision.pk)

    assert counts == {"anchored": 1, "changed": 1, "orphaned": 1}
    body = edited(DEMO)
    typo.refresh_from_db(), australia.refresh_from_db(), doyle.refresh_from_db()
    assert typo.anchor_status == AnchorStatus.CHANGED
    assert body[typo.start : typo.end] == TYPO.replace("criminal", "crimnal")
    assert typo.quote_exact == TYPO  # what was checked, until a reviewer accepts the new text
    assert typo.anchor_previous == {
        "revision": 1,
        "start": 0 + DEMO.index(TYPO),
        "end": DEMO.index(TYPO) + len(TYPO),
        "text": TYPO,
    }
    assert australia.anchor_status == AnchorStatus.ANCHORED
    assert body[australia.start : australia.end] == AUSTRALIA
    # The orphan keeps its text, its span on revision 1, its sentences, source and comment.
    assert doyle.anchor_status == AnchorStatus.ORPHANED
    assert doyle.anchor_revision.number == 1
    assert DEMO[doyle.start : doyle.end] == doyle.quote_exact == DOYLE
    assert (
        set(
            Claim.sentences.through.objects.filter(claim=doyle).values_list(
                "sentence_id", flat=True
            )
        )
        == doyle_sentences
    )
    assert doyle.sources.count() == 1 and doyle.comments.count() == 1
    assert doyle.text_changed_at is not None
    actions = set(
        AuditEvent.objects.filter(object_id__in=[typo.pk, doyle.pk]).values_list(
            "action", flat=True
        )
    )
    assert {"claim.changed", "claim.orphaned"} <= actions
    # The re-anchored claims cover the new text's sentences.
    covered = typo.sentences.get()
    assert covered.start <= typo.start < typo.end <= covered.end


def test_reanchoring_twice_changes_nothing(demo_article, claim_on, editor):
    claims = [claim_on(TYPO), claim_on(DOYLE)]
    revision, _ = revise(demo_article, edited(DEMO), editor)
    reanchor_claims(revision_id=revision.pk)
    events = AuditEvent.objects.count()
    before = list(Claim.objects.filter(pk__in=[c.pk for c in claims]).values())
    reanchor_claims(revision_id=revision.pk)
    assert AuditEvent.objects.count() == events
    assert list(Claim.objects.filter(pk__in=[c.pk for c in claims]).values()) == before


def test_an_orphan_comes_back_when_its_text_does(demo_article, claim_on, editor):
    doyle = claim_on(DOYLE)
    second, _ = revise(demo_article, edited(DEMO), editor)
    reanchor_claims(revision_id=second.pk)
    third, _ = revise(demo_article, DEMO + "\nUpdated with a new closing line.", editor)
    reanchor_claims(revision_id=third.pk)
    doyle.refresh_from_db()
    assert (doyle.anchor_status, doyle.start, doyle.anchor_revision_id) == (
        AnchorStatus.ANCHORED,
        DEMO.index(DOYLE),
        third.pk,
    )


def test_a_claim_marked_on_the_new_text_is_not_moved_by_its_job(demo_article, claim_on, editor):
    revision, _ = revise(demo_article, edited(DEMO), editor)
    demo_article.refresh_from_db()
    fresh = claim_on(AUSTRALIA)
    before = (fresh.start, fresh.end)
    reanchor_claims(revision_id=revision.pk)
    fresh.refresh_from_db()
    assert (fresh.start, fresh.end, fresh.anchor_status) == (*before, AnchorStatus.ANCHORED)


def test_a_stale_job_leaves_the_work_to_the_newest_revisions_job(demo_article, claim_on, editor):
    claim = claim_on(AUSTRALIA)
    second, _ = revise(demo_article, edited(DEMO), editor)
    third, _ = revise(demo_article, "A new first line.\n" + edited(DEMO), editor)
    assert reanchor_claims(revision_id=second.pk) == {"anchored": 0, "changed": 0, "orphaned": 0}
    reanchor_claims(revision_id=third.pk)
    claim.refresh_from_db()
    assert claim.anchor_status == AnchorStatus.ANCHORED
    newest = "A new first line.\n" + edited(DEMO)
    assert (claim.start, claim.end) == (
        newest.index(AUSTRALIA),
        newest.index(AUSTRALIA) + len(AUSTRALIA),
    )


def test_deleting_a_revised_article_deletes_its_revisions_and_their_sentences(
    demo_article, claim_on, editor
):
    claim_on(DOYLE)
    revise(demo_article, edited(DEMO), editor)
    assert Sentence.all_revisions.filter(article=demo_article, revision__isnull=False).exists()
    demo_article.delete()
    assert not Sentence.all_revisions.exists()
    assert not ArticleRevision.objects.exists() and not Claim.objects.exists()


# --- the API ------------------------------------------------------------------------------------


def url(article, suffix=""):
    return f"/api/v1/articles/{article.pk}/revisions/{suffix}"


@pytest.mark.parametrize("role", ["reviewer", "moderator", "outsider", None])
def test_only_editors_record_revisions(role, request, client_for, demo_article):
    user = request.getfixturevalue(role) if role else None
    response = client_for(user).post(url(demo_article), {"body": edited(DEMO)}, format="json")
    assert response.status_code in (401, 403)
    demo_article.refresh_from_db()
    assert demo_article.body == DEMO and not ArticleRevision.objects.exists()


def test_editor_records_a_revision_and_reads_both(client_for, editor, reviewer, demo_article):
    response = client_for(editor).post(url(demo_article), {"body": edited(DEMO)}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2 and response.json()["source"] == "api"
    again = client_for(editor).post(url(demo_article), {"body": edited(DEMO)}, format="json")
    assert again.status_code == 200 and again.json()["number"] == 2

    listed = client_for(reviewer).get(url(demo_article)).json()
    assert [(r["number"], r["is_current"]) for r in listed] == [(1, False), (2, True)]
    old = client_for(reviewer).get(url(demo_article, "1/")).json()
    assert old["body"] == DEMO
    assert [s["text"] for s in old["sentences"]][:2] == DEMO.split("\n")[:2]
    assert all(DEMO[s["start"] : s["end"]] == s["text"] for s in old["sentences"])
    new = client_for(reviewer).get(url(demo_article, "2/")).json()
    assert new["body"] == edited(DEMO)
    article = client_for(reviewer).get(f"/api/v1/articles/{demo_article.pk}/").json()
    assert [s["id"] for s in article["sentences"]] == [s["id"] for s in new["sentences"]]


def test_an_article_never_revised_lists_its_one_text(client_for, reviewer, demo_article):
    listed = client_for(reviewer).get(url(demo_article)).json()
    assert [(r["number"], r["source"], r["is_current"]) for r in listed] == [(1, "original", True)]
    one = client_for(reviewer).get(url(demo_article, "1/")).json()
    assert len(one["sentences"]) == demo_article.sentences.count()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   \n  "}, "body"),
        ({}, "body"),
        ({"body": ["a list"]}, "body"),
        ({"body": "x" * 2_000_001}, "body"),
    ],
)
def test_bad_bodies_are_a_400_naming_the_field(client_for, editor, demo_article, payload, field):
    response = client_for(editor).post(url(demo_article), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ArticleRevision.objects.exists()


def test_a_text_another_article_has_is_refused(client_for, editor, demo_article):
    other = ArticleFactory()
    response = client_for(editor).post(url(demo_article), {"body": other.body}, format="json")
    assert response.status_code == 400
    assert f"article {other.pk}" in response.json()["body"][0]


def test_unknown_revision_is_a_404(client_for, reviewer, demo_article):
    assert client_for(reviewer).get(url(demo_article, "7/")).status_code == 404
    assert client_for(reviewer).get(url(demo_article, "99999999999/")).status_code == 404


def test_claims_show_their_anchor_in_the_api(client_for, reviewer, editor, demo_article, claim_on):
    doyle, typo = claim_on(DOYLE), claim_on(TYPO)
    revision, _ = revise(demo_article, edited(DEMO), editor)
    reanchor_claims(revision_id=revision.pk)
    claims = {
        c["id"]: c
        for c in client_for(reviewer).get(f"/api/v1/articles/{demo_article.pk}/").json()["claims"]
    }
    assert claims[doyle.pk]["anchor_status"] == "orphaned"
    assert claims[doyle.pk]["anchor_revision"] == 1
    assert claims[doyle.pk]["sentences"] == []
    assert claims[typo.pk]["anchor_status"] == "changed"
    assert claims[typo.pk]["anchor_revision"] == 2
    assert claims[typo.pk]["anchor_previous"]["text"] == TYPO
    body = edited(DEMO)
    assert body[claims[typo.pk]["start"] : claims[typo.pk]["end"]].startswith(
        "Spain plans a crimnal"
    )


def test_article_page_queries_stay_flat_with_revised_claims(
    client_for, reviewer, editor, demo_article, claim_on, django_assert_max_num_queries
):
    for phrase in (TYPO, DOYLE, AUSTRALIA):
        claim_on(phrase)
    revision, _ = revise(demo_article, edited(DEMO), editor)
    reanchor_claims(revision_id=revision.pk)
    client = client_for(reviewer)
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/articles/{demo_article.pk}/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(url(demo_article, "1/")).status_code == 200
