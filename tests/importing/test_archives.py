"""ZIP budgets, measured while unpacking: a bomb is refused fast, as its entry's error."""

import base64
import io
import os
import time
import zipfile

from annotations.importing import formats
from annotations.importing.records import Limits
from annotations.jobmessages import displayed_errors
from annotations.models import Article, ImportJob
from tests.importing.test_formats import body_of, jsonl, zip_of

Status = ImportJob.Status


def ten_million_lines_zip() -> bytes:
    """Issue 13's archive: about 20 KB, one entry inflating to ten million one-character lines."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("a.jsonl", jsonl({"title": "A", "body": body_of(1)}))
        archive.writestr("lines.jsonl", b"a\n" * 10_000_000)
        archive.writestr("z.txt", b"Headline Z\nThe last story is here.")
    return buffer.getvalue()


def incompressible_text(size: int) -> bytes:
    return base64.encodebytes(os.urandom(size))[:size]


def test_ten_million_line_entry_is_refused_fast_and_the_other_entries_import(import_bytes):
    archive = ten_million_lines_zip()
    assert len(archive) < 25_000
    started = time.monotonic()
    job = import_bytes(archive, "bomb.zip")
    # It took over an hour (about 2,800 lines a second, an error each); the budget stops the
    # unpacking at 100 x 20 KB. The bound is loose for a loaded machine; the error count is not.
    assert time.monotonic() - started < 15
    assert (job.status, job.created, job.failed) == (Status.PARTIAL, 2, 1)
    [error] = job.errors
    assert error["file"] == "lines.jsonl"
    assert "more than 100 times its packed size" in error["message"]
    assert "zip bomb" in error["message"]
    assert set(Article.objects.values_list("title", flat=True)) == {"A", "Headline Z"}


def test_the_ratio_is_a_setting(import_bytes, settings):
    text = b"Headline\n" + b"The same sentence again. " * 40_000  # 1 MB, packing over 100:1
    job = import_bytes(zip_of({"same.txt": text}), "same.zip")
    assert (job.status, job.created) == (Status.FAILED, 0)
    assert "more than 100 times its packed size" in job.errors[0]["message"]
    settings.IMPORT_ZIP_MAX_RATIO = 10_000
    job = import_bytes(zip_of({"same.txt": text}), "same.zip")
    assert (job.status, job.created) == (Status.SUCCEEDED, 1)


def test_an_entry_past_the_unpacked_limit_is_refused_and_the_others_import(import_bytes, settings):
    settings.IMPORT_ZIP_MAX_BYTES = 1024 * 1024
    big = b"Headline\n" + incompressible_text(1024 * 1024)
    job = import_bytes(
        zip_of({"a.txt": b"Headline A\nStory A.", "big.txt": big, "c.txt": b"Headline C\nC."}),
        "day.zip",
    )
    assert (job.status, job.created) == (Status.PARTIAL, 2)
    assert displayed_errors(job.errors) == [
        {
            "file": "big.txt",
            "message": "This entry unpacks past the 1 MB limit for the archive's unpacked "
            "contents; refused.",
        }
    ]


def test_an_entry_whose_headers_understate_it_is_its_error_and_nothing_past_them_is_read():
    """The budgets count what unpacks; an entry lying about its size fails on its own."""
    content = b"a\n" * 500_000
    archive = bytearray(zip_of({"lines.jsonl": content}))
    # Declare 10 bytes in the central directory (file size at offset 24 of its record); CPython
    # stops reading there and reports a bad CRC, and nothing past 10 bytes reaches a parser.
    central = archive.rindex(b"PK\x01\x02")
    archive[central + 24 : central + 28] = (10).to_bytes(4, "little")
    items = list(formats.parse(io.BytesIO(bytes(archive)), fmt="zip", limits=Limits()))
    assert len(items) == 1
    assert items[0].ref == {"file": "lines.jsonl"}
    assert "Could not unpack" in str(items[0].error)


def test_an_encrypted_or_damaged_entry_is_its_error_and_the_others_import(import_bytes):
    archive = bytearray(zip_of({"a.txt": b"Headline A\nStory A.", "b.txt": b"B\n" * 50}))
    local_b = archive.index(b"PK\x03\x04", 1)
    archive[local_b + 6] |= 0x01  # the "encrypted" flag of b.txt's local header
    central_b = archive.rindex(b"PK\x01\x02")
    archive[central_b + 8] |= 0x01  # ... and of its central directory record
    job = import_bytes(bytes(archive), "day.zip")
    assert (job.status, job.created) == (Status.PARTIAL, 1)
    assert job.errors[0]["file"] == "b.txt"
    assert "encrypted" in job.errors[0]["message"]


def test_an_entry_without_a_name_is_read_like_any_other(import_bytes):
    """ZipInfo.is_dir() raised IndexError on it (found by the fuzz tests)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(""), b"Headline\nA story without a file name.")
        archive.writestr("a.txt", b"Headline A\nStory A.")
    job = import_bytes(buffer.getvalue(), "day.zip")
    assert (job.status, job.created) == (Status.SUCCEEDED, 2)
