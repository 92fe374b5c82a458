"""Importing again an article whose URL is stored: a new text is a revision, as the re-fetch makes.

An import (a file with a `url` field, or a list of URLs) that brings a stored URL with a changed
text records revision n+1 of that article and re-anchors its claims; the job counts it as
`updated`. The same text, or a text the article had before, is a duplicate: an old file imported
again never turns an article back to an older text.
"""

import json
import time

import pytest
from django.core.files.base import ContentFile

from annotations.importing.run import run_import
from annotations.importing.web import extract_page
from annotations.models import Article, ArticleRevision, AuditEvent, Claim, ImportJob
from annotations.services import create_article, create_claim, start_import
from annotations.services.revisions import record_revision
from tests.importing.conftest import article_page

Status = ImportJob.Status
URL = "https://news.example.org/jobs"
TEXT = (
    "The minister said unemployment fell to 7.2 percent in March.\n\n"
    "Opposition leaders disputed the figure on Tuesday."
)
CLAIM = "unemployment fell to 7.2 percent in March"
NEW_TEXT = "An update was added at noon.\n\n" + TEXT


def jsonl(*records: dict) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def import_file(user, content: bytes) -> ImportJob:
    job = start_import(created_by=user, upload=ContentFile(content, name="again.jsonl"))
    return run_import(job.pk)


@pytest.fixture
def stored(db, reviewer):
    article, _ = create_article(title="Jobs figures", body=TEXT, url=URL)
    start = TEXT.index(CLAIM)
    create_claim(article=article, created_by=reviewer, start=start, end=start + len(CLAIM))
    return article


def test_a_stored_url_with_a_new_text_becomes_a_revision_not_a_duplicate(stored, reviewer):
    job = import_file(
        reviewer,
        jsonl(
            {"title": "Jobs figures", "url": URL, "body": NEW_TEXT},
            {"title": "Elsewhere", "url": "https://news.example.org/other", "body": "New story."},
        ),
    )
    assert (job.status, job.created, job.updated, job.duplicates, job.failed) == (
        Status.SUCCEEDED,
        1,
        1,
        0,
        0,
    )
    assert Article.objects.filter(url=URL).count() == 1
    stored.refresh_from_db()
    assert stored.body == NEW_TEXT
    assert stored.import_job_id is None  # still the article it was; only its text moved on
    revisions = list(stored.revisions.values_list("number", "source", "body"))
    assert revisions == [
        (1, ArticleRevision.Source.ORIGINAL, TEXT),
        (2, ArticleRevision.Source.IMPORT, NEW_TEXT),
    ]
    event = AuditEvent.objects.get(action="article.revised", object_id=stored.pk)
    assert event.changes == {"revision": 2, "source": "import", "import_job": job.pk}
    finished = AuditEvent.objects.get(action="import.finished", object_id=job.pk)
    assert finished.changes["updated"] == 1


def test_the_same_text_or_an_older_one_is_a_duplicate(stored, reviewer):
    record_revision(article=stored, body=NEW_TEXT, source=ArticleRevision.Source.API)
    same = import_file(reviewer, jsonl({"title": "Jobs figures", "url": URL, "body": NEW_TEXT}))
    older = import_file(reviewer, jsonl({"title": "Jobs figures", "url": URL, "body": TEXT}))
    for job in (same, older):
        assert (job.created, job.updated, job.duplicates) == (0, 0, 1)
    stored.refresh_from_db()
    assert stored.body == NEW_TEXT  # an old file imported again does not bring the old text back
    assert stored.revisions.count() == 2


def test_a_url_twice_in_one_file_makes_one_revision(stored, reviewer):
    job = import_file(
        reviewer,
        jsonl(
            {"title": "Jobs figures", "url": URL, "body": NEW_TEXT},
            {"title": "Jobs figures", "url": URL, "body": NEW_TEXT + "\n\nAnd later."},
        ),
    )
    assert (job.created, job.updated, job.duplicates) == (0, 1, 1)
    assert stored.revisions.count() == 2


def test_the_job_answers_with_its_updated_count(stored, reviewer, client_for):
    job = import_file(reviewer, jsonl({"title": "Jobs figures", "url": URL, "body": NEW_TEXT}))
    body = client_for(reviewer).get(f"/api/v1/imports/{job.pk}/").json()
    assert (body["created"], body["updated"], body["duplicates"]) == (0, 1, 0)


def _wait_for_anchor(claim: Claim) -> Claim:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        claim.refresh_from_db()
        if claim.anchor_revision is not None and claim.anchor_revision.number == 2:
            return claim
        time.sleep(0.2)
    raise AssertionError("The claim was not re-anchored.")


def test_the_worker_imports_the_new_text_and_reanchors_the_claims(celery_worker, reviewer):
    """End to end on the worker: the import's writer threads, then the re-anchoring job."""
    article, _ = create_article(title="Jobs figures", body=TEXT, url=URL)
    start = TEXT.index(CLAIM)
    claim = create_claim(article=article, created_by=reviewer, start=start, end=start + len(CLAIM))
    job = start_import(
        created_by=reviewer,
        upload=ContentFile(
            jsonl({"title": "Jobs figures", "url": URL, "body": NEW_TEXT}), "a.jsonl"
        ),
    )
    claim = _wait_for_anchor(claim)
    job.refresh_from_db()
    assert (job.status, job.updated) == (Status.SUCCEEDED, 1)
    article.refresh_from_db()
    assert claim.anchor_status == Claim.AnchorStatus.ANCHORED
    assert article.body[claim.start : claim.end] == CLAIM
    assert claim.start == start + len("An update was added at noon.\n\n")


@pytest.mark.django_db(transaction=True)
def test_a_url_import_of_a_changed_page_records_a_revision(web_site, reviewer):
    paragraphs = [
        "The minister said unemployment fell to 7.2 percent in March.",
        "Opposition leaders disputed the figure on Tuesday.",
    ]
    web_site.pages["/jobs"] = (200, {}, article_page("Jobs figures", paragraphs))
    url = f"{web_site.url}/jobs"
    first = run_import(start_import(created_by=reviewer, urls=[url]).pk)
    assert first.created == 1
    again = run_import(start_import(created_by=reviewer, urls=[url]).pk)
    assert (again.created, again.updated, again.duplicates) == (0, 0, 1)

    changed = ["A correction was appended.", *paragraphs]
    web_site.pages["/jobs"] = (200, {}, article_page("Jobs figures", changed))
    job = run_import(start_import(created_by=reviewer, urls=[url]).pk)
    assert (job.status, job.created, job.updated, job.duplicates) == (Status.SUCCEEDED, 0, 1, 0)
    article = Article.objects.get(url=url)
    assert article.body == extract_page(article_page("Jobs figures", changed), url=url).body
    assert list(article.revisions.values_list("number", flat=True)) == [1, 2]


def test_a_url_repeated_in_a_later_batch_of_the_same_job_is_a_duplicate(db, reviewer, settings):
    settings.IMPORT_BATCH_SIZE = 1
    job = import_file(
        reviewer,
        jsonl(
            {"title": "Jobs figures", "url": URL, "body": TEXT},
            {"title": "Jobs figures", "url": URL, "body": NEW_TEXT},
        ),
    )
    assert (job.created, job.updated, job.duplicates) == (1, 0, 1)
    assert not ArticleRevision.objects.exists()
