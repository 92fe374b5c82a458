"""`fetch()` sends request headers, returns the answer's status and headers, and a 304 is an
answer, never a redirect (issue 18's loose ends; a local server on 127.0.0.1)."""

import pytest

from annotations.importing import fetch

HTML = {"Content-Type": "text/html; charset=utf-8"}


def test_the_answer_carries_its_status_and_validators(web_site):
    web_site.pages["/a"] = (
        200,
        {**HTML, "ETag": '"v7"', "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"},
        b"<p>hello</p>",
    )
    page = fetch.fetch(f"{web_site.url}/a")
    assert (page.status, page.content, page.not_modified) == (200, b"<p>hello</p>", False)
    assert page.etag == '"v7"' and page.last_modified == "Tue, 01 Dec 2026 10:00:00 GMT"
    assert page.headers["content-type"] == "text/html; charset=utf-8"


def test_request_headers_go_with_every_hop_but_host_stays_each_hops_own(web_site):
    web_site.pages["/old"] = (301, {"Location": "/new"}, b"")
    web_site.pages["/new"] = (200, HTML, b"<p>new</p>")
    page = fetch.fetch(
        f"{web_site.url}/old", headers={"If-None-Match": '"v1"', "Host": "intranet.example"}
    )
    assert page.url == f"{web_site.url}/new" and page.status == 200
    assert web_site.hits == ["/old", "/new"]
    assert web_site.last_headers["If-None-Match"] == '"v1"'
    assert web_site.last_headers["Host"] == web_site.url.removeprefix("http://")
    assert web_site.last_headers["User-Agent"]  # the import's own, still sent


def test_a_304_to_a_conditional_get_is_not_modified_after_one_request(web_site):
    web_site.pages["/a"] = (304, {"ETag": '"v1"'}, b"")
    page = fetch.fetch(f"{web_site.url}/a", headers={"If-None-Match": '"v1"'})
    assert page.not_modified and page.status == 304 and page.content == b""
    assert page.etag == '"v1"'
    assert web_site.hits == ["/a"]  # not followed as a redirect to itself


def test_a_304_to_a_plain_import_fetch_is_a_clear_error_not_a_redirect_loop(web_site):
    web_site.pages["/a"] = (304, {}, b"")
    with pytest.raises(fetch.FetchError, match=r"HTTP 304 \(not modified\)"):
        fetch.fetch(f"{web_site.url}/a")
    assert web_site.hits == ["/a"]


@pytest.mark.parametrize("status", [300, 302, 305])
def test_a_3xx_without_a_location_is_an_error_after_one_request(web_site, status):
    web_site.pages["/a"] = (status, {}, b"")
    with pytest.raises(fetch.FetchError, match=f"HTTP {status} without a page"):
        fetch.fetch(f"{web_site.url}/a")
    assert web_site.hits == ["/a"]
