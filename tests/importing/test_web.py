"""URL and feed imports against a local web server, and the fetcher's safety rules."""

import ipaddress

import pytest

from annotations.importing import fetch
from annotations.importing.run import run_import
from annotations.jobmessages import displayed_errors
from annotations.models import Article, ImportJob
from annotations.services import start_import
from tests.importing.conftest import article_page

Status = ImportJob.Status
HTML = {"Content-Type": "text/html; charset=utf-8"}
LONG = "The ministry confirmed the figures in a statement released on Monday afternoon."


def test_url_list_imports_each_page_and_reports_the_broken_ones(web_site, reviewer):
    web_site.pages["/a"] = (200, HTML, article_page("Story A", [LONG]))
    web_site.pages["/b"] = (200, HTML, article_page("Story B", [LONG + " Also B."]))
    urls = [f"{web_site.url}/a", f"{web_site.url}/missing", f"{web_site.url}/b"]
    job = run_import(start_import(created_by=reviewer, urls=urls).pk)
    assert (job.status, job.created, job.failed, job.total) == (Status.PARTIAL, 2, 1, 3)
    assert displayed_errors(job.errors) == [
        {"record": 2, "message": f"{urls[1]}: The server answered HTTP 404."}
    ]
    assert set(Article.objects.values_list("title", flat=True)) == {"Story A", "Story B"}
    again = run_import(start_import(created_by=reviewer, urls=urls[:1]).pk)
    assert (again.created, again.duplicates) == (0, 1)


def test_url_list_file_is_fetched(web_site, import_bytes):
    web_site.pages["/a"] = (200, HTML, article_page("Story A", [LONG]))
    job = import_bytes(f"{web_site.url}/a\n# a comment\n".encode(), "links.txt")
    assert (job.format, job.status, job.created) == ("urls", Status.SUCCEEDED, 1)


def feed(web_site, entries: list[str], *, doctype: str = "") -> bytes:
    items = "".join(
        f"<item><title>{p}</title><link>{web_site.url}{p}</link>"
        "<pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate></item>"
        for p in entries
    )
    return (
        f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>Wire</title>'
        f"{items}</channel></rss>"
    ).encode()


def test_feed_url_fetches_every_entry(web_site, reviewer):
    web_site.pages["/one"] = (200, HTML, article_page("Entry one", [LONG]))
    web_site.pages["/two"] = (200, HTML, article_page("Entry two", [LONG + " Two."]))
    web_site.pages["/feed.xml"] = (200, {}, feed(web_site, ["/one", "/two"]))
    job = run_import(start_import(created_by=reviewer, feed=f"{web_site.url}/feed.xml").pk)
    assert (job.status, job.format, job.created) == (Status.SUCCEEDED, "feed", 2)
    assert job.input_file.name.endswith(".xml")  # kept, so a resumed job reads the same entries


@pytest.mark.django_db(transaction=True)
def test_a_polled_feed_fetches_only_the_entries_not_yet_imported(web_site, reviewer):
    # transaction=True: the batch reader looks the URLs up on a connection of its own, which
    # sees committed rows only.
    web_site.pages["/one"] = (200, HTML, article_page("Entry one", [LONG]))
    web_site.pages["/two"] = (200, HTML, article_page("Entry two", [LONG + " Two."]))
    web_site.pages["/feed.xml"] = (200, {}, feed(web_site, ["/one"]))
    feed_url = f"{web_site.url}/feed.xml"
    run_import(start_import(created_by=reviewer, feed=feed_url).pk)
    web_site.pages["/feed.xml"] = (200, {}, feed(web_site, ["/one", "/two"]))
    web_site.hits.clear()
    job = run_import(start_import(created_by=reviewer, feed=feed_url).pk)
    assert (job.status, job.created, job.duplicates) == (Status.SUCCEEDED, 1, 1)
    assert web_site.hits == ["/feed.xml", "/two"]


def test_feed_file_with_an_entity_bomb_is_refused(web_site, import_bytes):
    bomb = (
        '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    job = import_bytes(feed(web_site, ["/one"], doctype=bomb), "wire.rss")
    assert job.status == Status.FAILED
    assert "declares XML entities" in job.errors[-1]["message"]


def test_fetch_refuses_loopback_when_private_addresses_are_not_allowed(web_site, settings):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = False
    web_site.pages["/a"] = (200, HTML, b"<p>secret</p>")
    with pytest.raises(fetch.FetchError, match="private or local address"):
        fetch.fetch(f"{web_site.url}/a")
    with pytest.raises(fetch.FetchError, match="private or local address"):
        fetch.fetch(f"http://localhost:{web_site.server_address[1]}/a")


def test_every_redirect_hop_is_checked(web_site, settings):
    # Loopback is trusted here as an internal network would be; a redirect that leaves it for
    # another private address (the cloud metadata service, say) is still refused.
    settings.IMPORT_FETCH_ALLOW_PRIVATE = False
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    web_site.pages["/hop"] = (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    with pytest.raises(fetch.FetchError, match=r"169\.254\.169\.254"):
        fetch.fetch(f"{web_site.url}/hop")


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address to refuse, not to bind
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        # IPv4-mapped and IPv4-compatible (deprecated) addresses are their IPv4 address.
        ("::ffff:10.0.0.1", False),
        ("::ffff:93.184.216.34", True),
        ("::10.0.0.1", False),
        ("::127.0.0.1", False),
        # 6to4 (2002::/16) wraps an IPv4 address in bits 16-48.
        ("2002:7f00:1::", False),  # 127.0.0.1
        ("2002:a00:1::1", False),  # 10.0.0.1
        ("2002:c0a8:101::", False),  # 192.168.1.1
        ("2002:a9fe:a9fe::", False),  # 169.254.169.254, the cloud metadata service
        ("2002:5db8:d822::1", True),  # 93.184.216.34
        # Teredo (2001::/32): server in bits 32-64, client (inverted) in the last 32.
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # client 10.0.0.1
        ("2001:0:a00:1:8000:63bf:a2b6:d7cb", False),  # server 10.0.0.1
        ("2001:0:5db8:d822:8000:63bf:a247:27cb", False),  # public both, still not a web server
        # NAT64 (64:ff9b::/96) ends up at its last 32 bits; local-use NAT64 never leaves.
        ("64:ff9b::a00:1", False),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b:1::a00:1", False),
        # Site-local (fec0::/10), deprecated but still routed inside some networks.
        ("fec0::1", False),
        ("fed0:1::2", False),
        ("feff::1", False),
    ],
)
def test_address_policy(settings, address, allowed):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = False
    assert fetch.is_allowed_address(address) is allowed


@pytest.mark.parametrize(
    ("address", "wrapped"),
    [
        ("::ffff:10.0.0.1", ["10.0.0.1"]),
        ("2002:a00:1::1", ["10.0.0.1"]),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", ["65.54.227.120", "10.0.0.1"]),
        ("64:ff9b::a00:1", ["10.0.0.1"]),
        ("::a00:1", ["10.0.0.1"]),
        ("::1", []),
        ("2606:2800:220:1:248:1893:25c8:1946", []),
    ],
)
def test_embedded_ipv4_unwraps_every_kind(address, wrapped):
    found = fetch.embedded_ipv4(ipaddress.IPv6Address(address))

    assert [str(v4) for v4 in found] == wrapped


def test_allowed_networks_let_a_named_internal_network_through(settings):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = False
    settings.IMPORT_FETCH_ALLOWED_NETWORKS = ["10.20.0.0/16", "fec0:1::/32"]

    assert fetch.is_allowed_address("10.20.3.4")
    assert fetch.is_allowed_address("::ffff:10.20.3.4")
    assert fetch.is_allowed_address("fec0:1::5")
    assert not fetch.is_allowed_address("10.21.3.4")
    assert not fetch.is_allowed_address("2002:a14:304::")  # 10.20.3.4 behind a 6to4 relay


def test_redirects_are_followed_up_to_the_limit(web_site, settings):
    settings.IMPORT_FETCH_MAX_REDIRECTS = 2
    web_site.pages["/r1"] = (302, {"Location": "/r2"}, b"")
    web_site.pages["/r2"] = (301, {"Location": "/page"}, b"")
    web_site.pages["/page"] = (200, HTML, b"<p>ok</p>")
    assert fetch.fetch(f"{web_site.url}/r1").url == f"{web_site.url}/page"
    web_site.pages["/r0"] = (302, {"Location": "/r1"}, b"")
    with pytest.raises(fetch.FetchError, match="Too many redirects"):
        fetch.fetch(f"{web_site.url}/r0")


def test_size_cap_and_user_agent(web_site, settings):
    settings.IMPORT_FETCH_MAX_BYTES = 1000
    web_site.pages["/big"] = (200, HTML, b"x" * 5000)
    with pytest.raises(fetch.FetchError, match="larger than"):
        fetch.fetch(f"{web_site.url}/big")
    web_site.pages["/small"] = (200, HTML, b"<p>ok</p>")
    fetch.fetch(f"{web_site.url}/small")
    assert web_site.last_headers["User-Agent"] == settings.IMPORT_FETCH_USER_AGENT


def test_unreachable_host_is_a_clear_error(settings):
    with pytest.raises(fetch.FetchError, match="could not be found"):
        fetch.fetch("http://no-such-host.invalid/")
