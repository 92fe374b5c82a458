"""Other fact-checkers' ClaimReviews imported as a job (format `claimreview`)."""

import json

from annotations.importing.run import run_import
from annotations.models import ExternalFactCheck, ImportJob
from annotations.services import start_import

Status = ImportJob.Status


def review(n: int, **fields) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://checkers.example.org/check/{n}",
        "claimReviewed": f"Claim number {n} about the budget",
        "datePublished": "2026-03-03",
        "author": {"@type": "Organization", "name": "Other Checkers"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        **fields,
    }


def test_a_file_of_reviews_is_imported_with_each_bad_one_its_error(import_bytes):
    reviews = [review(1), review(2, url="ftp://nowhere"), review(3)]
    job = import_bytes(json.dumps(reviews).encode(), "reviews.json", fmt="claimreview")
    assert job.status == Status.PARTIAL
    assert (job.created, job.duplicates, job.failed) == (2, 0, 1)
    assert job.errors == [
        {"record": "review 2", "message": "the review has no http(s) url ('ftp://nowhere')"}
    ]
    assert ExternalFactCheck.objects.filter(import_job=job).count() == 2

    again = import_bytes(json.dumps(reviews).encode(), "reviews.json", fmt="claimreview")
    assert (again.created, again.duplicates) == (0, 2)  # each review is held once


def test_json_ld_pages_are_fetched_and_read(db, reviewer, web_site):
    page = (
        "<html><head><script type='application/ld+json'>"
        + json.dumps(review(7))
        + "</script></head><body>A check</body></html>"
    ).encode()
    web_site.pages["/check"] = (200, {"Content-Type": "text/html"}, page)
    urls = [f"{web_site.url}/check", f"{web_site.url}/missing"]
    job = start_import(created_by=reviewer, urls=urls, input_format="claimreview")
    job = run_import(job.pk)
    assert job.status == Status.PARTIAL
    assert job.created == 1
    assert job.errors[0]["line"] == 2
    assert job.errors[0]["message"].startswith(urls[1])
    assert "404" in job.errors[0]["message"]
    assert ExternalFactCheck.objects.get().claim_text == "Claim number 7 about the budget"


def test_a_file_with_no_review_fails_and_says_so(import_bytes):
    job = import_bytes(b'{"@type": "WebPage"}', "page.json", fmt="claimreview")
    assert job.status == Status.FAILED
    assert job.errors[0]["message"].endswith("no ClaimReview in it")


def test_the_import_api_takes_the_format(client_for, reviewer, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("reviews.jsonl", (json.dumps(review(1)) + "\n").encode())
    response = client_for(reviewer).post(
        "/api/v1/imports/", {"file": upload, "format": "claimreview"}, format="multipart"
    )
    assert response.status_code == 202, response.content
    assert response.json()["format"] == "claimreview"
