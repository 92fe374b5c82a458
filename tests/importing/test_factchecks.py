"""Other fact-checkers' ClaimReviews imported as a job (format `claimreview`)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connections

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


# --- Streamed in batches, as articles are -------------------------------------------------------


def test_a_json_array_is_streamed_and_a_broken_tail_keeps_what_came_before(import_bytes, settings):
    settings.IMPORT_BATCH_SIZE = 10
    good = ",".join(json.dumps(review(n)) for n in range(1, 46))
    data = f'[{good}, {{"@type": "ClaimReview", "url": '.encode()  # cut off mid-review
    job = import_bytes(data, "reviews.json", fmt="claimreview")
    assert (job.status, job.created, job.failed, job.checkpoint) == (Status.PARTIAL, 45, 1, 46)
    assert job.errors[0]["record"] == "file"
    assert "the rest of the file could not be read" in job.errors[0]["message"]
    assert ExternalFactCheck.objects.count() == 45


def test_json_lines_keep_each_bad_line_its_error_across_batches(import_bytes, settings):
    settings.IMPORT_BATCH_SIZE = 7
    lines = [json.dumps(review(n)) for n in range(1, 31)]
    lines[19] = "{not json"
    job = import_bytes(("\n".join(lines) + "\n").encode(), "reviews.json", fmt="claimreview")
    assert (job.status, job.created, job.failed, job.total) == (Status.PARTIAL, 29, 1, 30)
    assert job.errors[0]["record"] == "line 20"


def test_a_failure_mid_way_keeps_the_batches_committed_before_it(import_bytes, settings):
    settings.IMPORT_BATCH_SIZE = 10
    lines = [json.dumps(review(n)) for n in range(1, 41)]
    lines[24] = json.dumps(review(25, claimReviewed="A NUL \u0000 PostgreSQL cannot store"))
    job = import_bytes(("\n".join(lines) + "\n").encode(), "reviews.jsonl", fmt="claimreview")
    assert (job.status, job.created, job.checkpoint) == (Status.PARTIAL, 20, 20)
    assert "unexpected error" in job.errors[-1]["message"]
    stored = ExternalFactCheck.objects.filter(import_job=job)
    assert sorted(int(url.rsplit("/", 1)[1]) for url in stored.values_list("url", flat=True)) == (
        list(range(1, 21))
    )


class _Checkpoints(BaseHTTPRequestHandler):
    """Serves /check/<n> as a page with one review, noting the job's committed checkpoint at
    the moment each page is asked for."""

    job_id = 0
    seen: dict[int, int] = {}

    def do_GET(self):
        number = int(self.path.rsplit("/", 1)[1])
        try:
            self.seen[number] = ImportJob.objects.get(pk=self.job_id).checkpoint
        finally:
            connections.close_all()  # this server thread's connection
        body = (
            "<html><head><script type='application/ld+json'>"
            + json.dumps(review(number))
            + "</script></head><body>A check</body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.django_db(transaction=True)
def test_batches_are_committed_while_the_next_pages_are_read(reviewer, settings):
    """The reviews are read as they are stored: when page 25 is fetched, the batches of the
    first 20 reviews are already committed (the whole input is never read first)."""
    settings.IMPORT_BATCH_SIZE = 10
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Checkpoints)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        urls = [f"{base}/check/{n}" for n in range(1, 31)]
        job = start_import(created_by=reviewer, urls=urls, input_format="claimreview")
        _Checkpoints.job_id, _Checkpoints.seen = job.pk, {}
        job = run_import(job.pk)
    finally:
        server.shutdown()
        server.server_close()
    assert (job.status, job.created, job.checkpoint) == (Status.SUCCEEDED, 30, 30)
    seen = _Checkpoints.seen
    assert (seen[1], seen[10], seen[11], seen[25], seen[30]) == (0, 0, 10, 20, 20)
