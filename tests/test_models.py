"""The data model keeps its rules in the database, not only in Python."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction

from annotations.audit import record_event
from annotations.models import (
    AppendOnlyError,
    Article,
    ArticleRevision,
    AuditEvent,
    Rating,
    Sentence,
    Verdict,
)
from annotations.services import create_article
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, VerdictFactory

pytestmark = pytest.mark.django_db


def test_roles_exist_as_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Reviewer", "Editor", "Moderator"}


def test_default_scale_has_its_seven_ratings_with_claimreview_values():
    ratings = Rating.objects.filter(scale__is_default=True).order_by("position")
    assert [(r.slug, r.value) for r in ratings] == [
        ("true", 5),
        ("mostly-true", 4),
        ("half-true", 3),
        ("mostly-false", 2),
        ("false", 1),
        ("misleading", None),
        ("unverifiable", None),
    ]
    scale = ratings[0].scale
    assert (scale.best_rating, scale.worst_rating) == (5, 1)


def test_create_article_splits_into_sentences_with_exact_offsets():
    article, created = create_article(title="T", body="First one. Second one.\nThird line")
    assert created
    sentences = list(article.sentences.order_by("position"))
    assert [s.text for s in sentences] == ["First one.", "Second one.", "Third line"]
    assert all(article.body[s.start : s.end] == s.text for s in sentences)
    assert [s.paragraph for s in sentences] == [0, 0, 1]


def test_same_text_or_same_url_is_a_duplicate_not_a_copy():
    first, _ = create_article(title="A", body="Same body.", url="https://x.example/1")
    again, created = create_article(title="B", body="Same body.\r\n")
    assert (again, created) == (first, False)
    by_url, created = create_article(title="C", body="Other body.", url="https://x.example/1")
    assert (by_url, created) == (first, False)
    assert Article.objects.count() == 1


def test_body_is_stored_normalised_nfc():
    article, _ = create_article(title="T", body="Cafe\u0301 opened.\r\nYes.")
    assert article.body == "Caf\u00e9 opened.\nYes."


def test_database_refuses_a_second_article_with_the_same_url():
    ArticleFactory(url="https://dup.example/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(url="https://dup.example/a")


def test_many_articles_may_have_no_url():
    ArticleFactory(url=None)
    ArticleFactory(url=None)
    assert Article.objects.filter(url__isnull=True).count() == 2


def test_database_refuses_an_empty_sentence_span():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.create(article=article, position=99, start=5, end=5, text="")


def test_database_refuses_two_sentences_at_one_position():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.create(article=article, position=0, start=0, end=3, text="Off")


def test_a_revisions_sentences_keep_their_positions_beside_the_current_text():
    article = ArticleFactory()
    revision = ArticleRevision.objects.create(
        article=article,
        number=1,
        body=article.body,
        content_hash=article.content_hash,
        source=ArticleRevision.Source.IMPORT,
    )
    Sentence.all_revisions.create(
        article=article, revision=revision, position=0, start=0, end=3, text="Old"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.all_revisions.create(
            article=article, revision=revision, position=0, start=0, end=3, text="Old"
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_deleting_an_article_finds_its_sentences_by_an_index():
    """The foreign key's check when an article is deleted (PostgreSQL's own query) reads an index:
    with only a partial index on the article, it read the whole sentence table per article."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a plain scan shows no index can serve
        cursor.execute(
            "EXPLAIN SELECT 1 FROM ONLY annotations_sentence x WHERE article_id = 1 "
            "FOR KEY SHARE OF x"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "sentence_position_unique" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's catalogue")
def test_no_two_indexes_of_a_table_are_the_same():
    """Same columns, operator classes, condition and expressions: the second only slows writes."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indrelid::regclass::text, array_agg(indexrelid::regclass::text)
            FROM pg_index
            WHERE indrelid::regclass::text LIKE 'annotations\\_%'
            GROUP BY indrelid, indkey::text, indclass::text,
                     coalesce(pg_get_expr(indpred, indrelid), ''),
                     coalesce(pg_get_expr(indexprs, indrelid), '')
            HAVING count(*) > 1
            """
        )
        assert cursor.fetchall() == []


def test_database_refuses_a_self_approved_verdict():
    verdict = VerdictFactory()
    verdict.status = Verdict.Status.APPROVED
    verdict.reviewed_by = verdict.author
    with pytest.raises(IntegrityError), transaction.atomic():
        verdict.save()


def test_claim_covers_the_sentences_under_its_span():
    claim = ClaimFactory()
    assert [s.position for s in claim.sentences.all()] == [0]


def test_audit_events_are_append_only():
    actor = UserFactory()
    event = record_event(actor=actor, action="article.created", obj=ArticleFactory())
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "article.created"


def test_a_lone_surrogate_is_stored_as_the_replacement_character():
    article, _ = create_article(title="T", body="Broken \ud800 text. Fine.")
    article.refresh_from_db()
    assert article.body == "Broken \ufffd text. Fine."
    assert article.sentences.count() == 2
