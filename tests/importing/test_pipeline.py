"""The read pipeline's promise: whatever goes wrong with one URL is that URL's error, with its
line, and the job goes on with the others."""

from annotations.jobmessages import displayed_errors
from annotations.models import Article, ImportJob
from tests.importing.conftest import article_page

HTML = {"Content-Type": "text/html; charset=utf-8"}
LONG = "The ministry confirmed the figures in a statement released on Monday afternoon."


def test_urls_the_http_client_cannot_parse_are_their_own_errors(web_site, import_bytes):
    # An octal IPv4 host and an IDNA host of circled digits made httpx raise InvalidURL, which
    # failed the whole job ("unexpected error (InvalidURL)") and lost the good page.
    web_site.pages["/a"] = (200, HTML, article_page("Story A", [LONG]))
    bad = ["http://0177.0.0.1:8299/f", "http://\u2460\u2461\u2466.0.0.1/x"]
    listing = "\n".join([bad[0], f"{web_site.url}/a", bad[1]]).encode()
    job = import_bytes(listing, "links.txt", "urls")
    assert (job.status, job.created, job.failed) == (ImportJob.Status.PARTIAL, 1, 2)
    assert [error["line"] for error in job.errors] == [1, 3]
    assert all(url in error["message"] for url, error in zip(bad, job.errors, strict=True))
    assert {key for error in displayed_errors(job.errors) for key in error} <= {
        "line",
        "record",
        "message",
    }
    assert list(Article.objects.values_list("title", flat=True)) == ["Story A"]
