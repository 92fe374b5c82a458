"""Services under concurrency, on PostgreSQL: a racing duplicate article, rows locked while changed.

A duplicate `create_article` that another transaction inserts between our check and our insert is
reported as a duplicate (the stored article, `created=False`), never an IntegrityError. The
update services lock the row they change and apply the change to the row as stored, so a caller
holding an outdated instance cannot write back values someone else has changed meanwhile.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.models import Article, Claim, Source, Verdict
from tests.factories import ClaimFactory, SourceFactory, UserFactory, VerdictFactory

BODY = "The first sentence of a raced article. And its second sentence."


def _insert_in_another_transaction(**kwargs):
    """Start a thread that stores an article and keeps its transaction open until released."""
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run():
        try:
            with transaction.atomic():
                services.create_article(**kwargs)
                inserted.set()
                release.wait(10)
        except BaseException as error:  # reported to the test below
            errors.append(error)
            inserted.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert inserted.wait(10)
    return thread, release, errors


def _release_after_our_insert_blocks(release: threading.Event) -> threading.Timer:
    # Our INSERT waits on the unique index for the other transaction; let it commit then.
    timer = threading.Timer(0.5, release.set)
    timer.start()
    return timer


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same", ["content", "url"])
@pytest.mark.parametrize("inside_a_transaction", [False, True])
def test_a_concurrent_duplicate_article_is_reported_as_a_duplicate(same, inside_a_transaction):
    url = "https://news.example.org/raced"
    thread, release, errors = _insert_in_another_transaction(title="First", body=BODY, url=url)
    body = BODY if same == "content" else "Another text altogether. Same address."
    timer = _release_after_our_insert_blocks(release)
    if inside_a_transaction:
        with transaction.atomic():
            article, created = services.create_article(title="Second", body=body, url=url)
            assert Article.objects.count() == 1  # the transaction is still usable
    else:
        article, created = services.create_article(title="Second", body=body, url=url)
    thread.join(10)
    timer.join()
    assert not errors
    assert created is False
    assert article.title == "First"
    assert Article.objects.count() == 1
    assert Article.objects.get().sentences.count() == 2


def _for_update_tables(queries) -> set[str]:
    return {
        table
        for query in queries
        if "FOR UPDATE" in query["sql"]
        for table in ("annotations_claim", "annotations_source", "annotations_verdict")
        if f'FROM "{table}"' in query["sql"]
    }


@pytest.mark.django_db
def test_update_claim_locks_the_claim_and_keeps_others_changes():
    claim = ClaimFactory(claimant="Officials", text="")
    author = claim.created_by
    outdated = Claim.objects.get(pk=claim.pk)
    services.update_claim(claim=Claim.objects.get(pk=claim.pk), actor=author, claimant="Minister")
    with CaptureQueriesContext(connection) as queries:
        services.update_claim(claim=outdated, actor=author, text="Taxes fell.")
    assert "annotations_claim" in _for_update_tables(queries)
    claim.refresh_from_db()
    assert (claim.claimant, claim.text) == ("Minister", "Taxes fell.")


@pytest.mark.django_db
def test_update_source_locks_claim_and_source_and_keeps_others_changes():
    source = SourceFactory(title="Report", quote="Old quote")
    author = source.created_by
    outdated = Source.objects.get(pk=source.pk)
    services.update_source(source=Source.objects.get(pk=source.pk), actor=author, title="New")
    with CaptureQueriesContext(connection) as queries:
        services.update_source(source=outdated, actor=author, quote="New quote")
    assert {"annotations_claim", "annotations_source"} <= _for_update_tables(queries)
    source.refresh_from_db()
    assert (source.title, source.quote) == ("New", "New quote")


@pytest.mark.django_db
def test_update_verdict_locks_the_verdict_and_keeps_others_changes():
    verdict = VerdictFactory(status=Verdict.Status.DRAFT)
    author = verdict.author
    outdated = Verdict.objects.get(pk=verdict.pk)
    true = Verdict._meta.get_field("rating").related_model.objects.get(
        scale__is_default=True, slug="true"
    )
    services.update_verdict(verdict=Verdict.objects.get(pk=verdict.pk), actor=author, rating=true)
    with CaptureQueriesContext(connection) as queries:
        services.update_verdict(
            verdict=outdated, actor=author, explanation="A better explanation, long enough."
        )
    assert {"annotations_claim", "annotations_verdict"} <= _for_update_tables(queries)
    verdict.refresh_from_db()
    assert verdict.rating == true
    assert verdict.explanation == "A better explanation, long enough."


@pytest.mark.django_db
def test_versions_move_with_every_save_and_sources_move_the_claims_review_version():
    claim = ClaimFactory()
    claim.refresh_from_db()
    version, review = claim.version, claim.review_version
    claim.assignee = UserFactory(roles=["Reviewer"])
    claim.save()
    assert (claim.version, claim.review_version) == (version + 1, review)
    claim.text = "Reworded"
    claim.save(update_fields=["text"])
    assert (claim.version, claim.review_version) == (version + 2, review + 1)
    source = SourceFactory(claim=claim)
    source.title = "Retitled"
    source.save()
    assert source.version == 2
    source.delete()
    claim.refresh_from_db()
    assert claim.review_version == review + 4  # created, saved, deleted


@pytest.mark.django_db
def test_hiding_a_source_locks_its_claim_first_like_the_source_services():
    from annotations.moderation import hide_content

    source = SourceFactory()
    moderator = UserFactory(roles=["Moderator"])
    with CaptureQueriesContext(connection) as queries:
        hide_content(target=source, moderator=moderator, reason="Spam.")
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert 'FROM "annotations_claim"' in locks[0]
    assert 'FROM "annotations_source"' in locks[1]


@pytest.mark.django_db(transaction=True)
def test_an_approval_waiting_on_a_concurrent_hide_sees_it_and_is_stale():
    """The approval locks the verdict and the claim before comparing If-Match: a source hidden
    in a transaction still open when the editor clicks is waited for, and makes the reading
    stale (412), instead of publishing a claim whose evidence changed under the editor."""
    from rest_framework.test import APIClient

    from annotations.moderation import hide_content
    from tests.api.conftest import verdict_etag

    reviewer = UserFactory(roles=["Reviewer"])
    editor = UserFactory(roles=["Editor"])
    moderator = UserFactory(roles=["Moderator"])
    claim = ClaimFactory(created_by=reviewer)
    SourceFactory(claim=claim, created_by=reviewer)
    source = SourceFactory(claim=claim, created_by=reviewer, url="https://second.example.org/")
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.SUBMITTED)
    verdict = VerdictFactory(claim=claim, author=reviewer, status=Verdict.Status.SUBMITTED)
    read = verdict_etag(verdict.pk)

    hidden, release = threading.Event(), threading.Event()

    def hide():
        try:
            with transaction.atomic():
                hide_content(target=source, moderator=moderator, reason="Forged page.")
                hidden.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hide)
    thread.start()
    assert hidden.wait(10)
    timer = threading.Timer(0.5, release.set)
    timer.start()
    api = APIClient()
    api.force_authenticate(editor)
    response = api.post(f"/api/v1/verdicts/{verdict.pk}/approve/", {}, HTTP_IF_MATCH=read)
    thread.join(10)
    timer.join()
    assert response.status_code == 412, response.content
    assert Verdict.objects.get(pk=verdict.pk).status == Verdict.Status.SUBMITTED
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUBMITTED
