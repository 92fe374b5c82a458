"""Every failing item is that item's error, and the job goes on (issue 13's cases, each through a
real job run or the function the runner calls)."""

import io
import json
import tracemalloc

import pytest

from annotations.importing import fetch, formats
from annotations.importing.records import Limits
from annotations.importing.run import run_import
from annotations.jobmessages import displayed_errors
from annotations.models import Article, ImportJob
from annotations.services import start_import
from tests.importing.conftest import article_page

Status = ImportJob.Status
HTML = {"Content-Type": "text/html; charset=utf-8"}
LONG = "The ministry confirmed the figures in a statement released on Monday afternoon."
BAD_URLS = ["http://0177.0.0.1:8299/f", "http://①②⑦.0.0.1/f"]


def body_of(n: int) -> str:
    return f"Officials said the plan {n} would cut emissions by 40 percent. Critics disagreed."


# --- Parsing ------------------------------------------------------------------------------------


def test_deeply_nested_jsonl_line_is_its_error_and_the_lines_around_it_import(import_bytes):
    content = b"\n".join(
        [
            json.dumps({"title": "One", "body": body_of(1)}).encode(),
            b"[" * 100_000,  # RecursionError in json.loads: it failed the job
            json.dumps({"title": "Three", "body": body_of(3), "m": [[[[1]]]] * 70}).encode(),
            json.dumps({"title": "Four", "body": body_of(4), "m": {"a": [[[[[[0]]]]]]}}).encode(),
        ]
    )
    job = import_bytes(content, "day.jsonl")
    assert (job.status, job.created, job.failed) == (Status.PARTIAL, 3, 1)
    assert displayed_errors(job.errors) == [
        {"line": 2, "message": "The record nests deeper than 64 levels."}
    ]


def test_numbers_python_or_postgresql_cannot_hold_are_the_lines_error(import_bytes):
    content = b"\n".join(
        [
            json.dumps({"title": "One", "body": body_of(1)}).encode(),
            b'{"body": "Two.", "n": ' + b"1" * 5000 + b"}",  # ValueError: it failed the job
            b'{"body": "Three.", "n": NaN}',  # jsonb refuses NaN: it failed the store
            b'{"body": "Four.", "n": -Infinity}',
            b'{"body": "Five.", "n": 1e999}',  # read as inf
            json.dumps({"title": "Six", "body": body_of(6), "n": 1.5e300}).encode(),
        ]
    )
    job = import_bytes(content, "day.jsonl")
    assert (job.status, job.created, job.failed) == (Status.PARTIAL, 2, 4)
    assert [e["line"] for e in job.errors] == [2, 3, 4, 5]
    assert "4300 digits" in job.errors[0]["message"]
    assert job.errors[1]["message"] == "Malformed JSON: NaN is not a JSON value."
    assert job.errors[3]["message"] == "Malformed JSON: the number 1e999 is out of range."


def test_dates_outside_what_python_reads_back_are_the_lines_error(import_bytes):
    dates = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "2024-05-01T10:00:00+02:00"]
    rows = [{"title": f"T{n}", "body": body_of(n), "published_at": d} for n, d in enumerate(dates)]
    job = import_bytes("\n".join(json.dumps(r) for r in rows).encode(), "day.jsonl")
    assert (job.status, job.created) == (Status.PARTIAL, 1)
    assert [e["line"] for e in job.errors] == [1, 2]
    assert "is not a date" in job.errors[0]["message"]
    assert Article.objects.get().published_at.isoformat() == "2024-05-01T08:00:00+00:00"


def test_a_csv_row_the_csv_module_refuses_in_a_list_of_urls_is_its_error(
    web_site, import_bytes, settings
):
    """A quoted field running past the csv module's field limit raised csv.Error out of the
    parser when the CSV was a bare list of URLs; now it is that row's error."""
    settings.IMPORT_MAX_RECORD_BYTES = 1000  # the csv module's field limit: 128 KB
    # Past the refused field the csv module reads the runaway's 12,000 lines as rows, each an
    # error: more than the default error budget, which would stop the job before story B.
    settings.IMPORT_MAX_ERRORS = 20_000
    web_site.pages["/a"] = (200, HTML, article_page("Story A", [LONG]))
    web_site.pages["/b"] = (200, HTML, article_page("Story B", [LONG + " Also B."]))
    runaway = b'"' + b"\n".join([b"z" * 60] * 12_000)  # 720 KB in one field, 60 a line
    content = b"%s/a\n%s\n%s/b\n" % (web_site.url.encode(), runaway, web_site.url.encode())
    job = import_bytes(content, "links.csv")
    assert (job.format, job.status, job.created) == ("csv", Status.PARTIAL, 2)
    assert job.errors[0]["line"] == 2
    assert job.errors[0]["message"].startswith("Malformed CSV: field larger than field limit")


def test_metadata_nested_past_the_limit_is_the_record_error(import_bytes):
    deep: list = []
    for _ in range(200):  # json.loads reads it; storing it as JSONB would recurse 200 deep
        deep = [deep]
    rows = [{"title": "One", "body": body_of(1), "m": deep}, {"title": "Two", "body": body_of(2)}]
    job = import_bytes("\n".join(json.dumps(r) for r in rows).encode(), "day.jsonl")
    assert (job.status, job.created) == (Status.PARTIAL, 1)
    assert displayed_errors(job.errors) == [
        {"line": 1, "message": "The record nests deeper than 64 levels."}
    ]


def test_json_array_element_of_brackets_is_its_error_and_the_next_imports(import_bytes):
    content = (
        b'[{"title": "One", "body": "'
        + body_of(1).encode()
        + b'"}, '
        + b"[" * 50_000
        + b"]" * 50_000
        + b', {"title": "Three", "body": "'
        + body_of(3).encode()
        + b'"}]'
    )
    job = import_bytes(content, "day.json")
    assert (job.status, job.created) == (Status.PARTIAL, 2)
    assert displayed_errors(job.errors) == [
        {"record": 2, "message": "The record nests deeper than 64 levels."}
    ]


def test_json_array_element_past_the_record_limit_is_its_error(import_bytes, settings):
    settings.IMPORT_MAX_RECORD_BYTES = 1024 * 1024
    rows = [
        {"title": "One", "body": body_of(1)},
        {"title": "Big", "body": body_of(2), "notes": ["x" * 400_000] * 3},
        {"title": "Three", "body": body_of(3)},
    ]
    job = import_bytes(json.dumps(rows).encode(), "day.json")
    assert (job.status, job.created) == (Status.PARTIAL, 2)
    assert displayed_errors(job.errors) == [
        {"record": 2, "message": "The record is larger than the 1 MB limit."}
    ]


def test_a_json_file_of_brackets_is_read_in_little_memory():
    """ijson.items kept a path per open level, quadratic in the depth: 100 KB of brackets took
    more memory than the machine had. 5,000 levels took 60 MB that way."""
    tracemalloc.start()
    try:
        items = list(formats.parse(io.BytesIO(b"[" * 5_000), fmt="json", limits=Limits()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [str(item.error) for item in items] == [
        "Malformed JSON (parse error: premature EOF); the rest of the file could not be read."
    ]
    assert peak < 5 * 1024 * 1024


def test_a_nul_in_a_utf16_text_file_is_its_error_not_a_failed_store(import_bytes):
    job = import_bytes("Headline\nA NUL \x00 here.".encode("utf-16"), "story.txt")
    assert (job.status, job.created) == (Status.FAILED, 0)
    assert displayed_errors(job.errors) == [
        {
            "record": 1,
            "message": "The record holds a NUL character (\\u0000), which text cannot hold.",
        }
    ]


# --- Fetching -----------------------------------------------------------------------------------


def test_url_list_with_hosts_httpx_refuses_reports_them_by_line_and_imports_the_rest(
    web_site, import_bytes
):
    web_site.pages["/a"] = (200, HTML, article_page("Story A", [LONG]))
    web_site.pages["/b"] = (200, HTML, article_page("Story B", [LONG + " Also B."]))
    lines = [f"{web_site.url}/a", *BAD_URLS, f"{web_site.url}/b"]
    job = import_bytes("\n".join(lines).encode(), "links.txt")
    assert (job.format, job.status, job.created, job.failed) == ("urls", Status.PARTIAL, 2, 2)
    assert [e["line"] for e in job.errors] == [2, 3]
    assert "0177.0.0.1" in job.errors[0]["message"]
    assert "not a valid URL" in job.errors[0]["message"]
    assert "①②⑦.0.0.1" in job.errors[1]["message"]


def test_a_page_whose_canonical_url_is_too_long_to_store_keeps_the_fetched_one(web_site, reviewer):
    canonical = f'<link rel="canonical" href="https://news.example.org/{"a" * 3000}">'
    page = article_page("Story A", [LONG]).replace(b"</head>", canonical.encode() + b"</head>")
    web_site.pages["/a"] = (200, HTML, page)
    job = run_import(start_import(created_by=reviewer, urls=[f"{web_site.url}/a"]).pk)
    assert (job.status, job.created) == (Status.SUCCEEDED, 1)
    assert Article.objects.get().url == f"{web_site.url}/a"


@pytest.mark.parametrize("url", BAD_URLS)
def test_fetch_raises_only_fetch_errors_for_urls_httpx_refuses(url):
    with pytest.raises(fetch.FetchError, match="Not a URL that can be fetched"):
        fetch.fetch(url)


# --- Feeds --------------------------------------------------------------------------------------


def rss(links: list[str], *, declaration: str = "", title: str = "Wire") -> str:
    items = "".join(f"<item><title>{link}</title><link>{link}</link></item>" for link in links)
    return f'{declaration}<rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'


def test_utf16_be_feed_without_a_bom_is_read(web_site, reviewer):
    """It raised ValueError in the XML safety check: expat reads no "utf-16-be" declaration."""
    web_site.pages["/one"] = (200, HTML, article_page("Entry one", [LONG]))
    declaration = '<?xml version="1.0" encoding="utf-16-be"?>'
    feed = rss([f"{web_site.url}/one", *BAD_URLS], declaration=declaration)
    web_site.pages["/feed.xml"] = (200, {}, feed.encode("utf-16-be"))
    job = run_import(start_import(created_by=reviewer, feed=f"{web_site.url}/feed.xml").pk)
    assert (job.status, job.created, job.failed) == (Status.PARTIAL, 1, 2)
    assert [e["record"] for e in job.errors] == [2, 3]
    assert all("Feed entry without a usable link" in e["message"] for e in job.errors)
    assert Article.objects.get().title == "Entry one"


def test_shift_jis_feed_is_read(web_site, import_bytes):
    web_site.pages["/one"] = (200, HTML, article_page("Entry one", [LONG]))
    declaration = '<?xml version="1.0" encoding="Shift_JIS"?>'
    feed = rss([f"{web_site.url}/one"], declaration=declaration, title="ニュース速報")
    job = import_bytes(feed.encode("shift_jis"), "wire.xml")
    assert (job.status, job.format, job.created) == (Status.SUCCEEDED, "feed", 1)


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le", "utf-16", "shift_jis"])
def test_entities_are_refused_whatever_the_feed_encoding(import_bytes, encoding):
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'
    bomb = '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    feed = rss(["https://news.example.org/a"], declaration=declaration + bomb, title="&b;")
    job = import_bytes(feed.encode(encoding), "wire.xml")
    assert job.status == Status.FAILED
    assert "declares XML entities" in job.errors[-1]["message"]


def test_feed_declaring_an_unknown_encoding_fails_with_the_reason(import_bytes):
    feed = rss(["https://news.example.org/a"], declaration='<?xml version="1.0" encoding="x-y"?>')
    job = import_bytes(feed.encode(), "wire.xml")
    assert job.status == Status.FAILED
    assert (
        job.errors[-1]["message"] == 'The feed declares a text encoding that is not known ("x-y").'
    )
