"""Bytes to text for the text-based parsers: the encoding sniffed, lines read within a limit."""

import codecs
import io
import unicodedata
from collections.abc import Iterator
from typing import IO

import charset_normalizer
from django.utils.translation import gettext_noop

from annotations.jobmessages import JobMessage

from .records import MB, InputError

SAMPLE_BYTES = 256 * 1024

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def sniff_encoding(sample: bytes) -> str:
    """The text encoding of a file from its first bytes; InputError if it is empty or binary."""
    if not sample.strip():
        raise InputError(JobMessage(gettext_noop("The file is empty.")))
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    if b"\x00" in sample:
        raise InputError(
            JobMessage(gettext_noop("This is a binary file, not text (it contains NUL bytes)."))
        )
    try:
        # Incremental, so a character cut at the end of the sample does not count as an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        # Valid multi-byte UTF-8 beside a few bad bytes is a UTF-8 file with some broken lines
        # (reported one by one), not a legacy code page that would garble every accent.
        if any(ord(ch) > 127 and ch != "\ufffd" for ch in sample.decode("utf-8", "replace")):
            return "utf-8"
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    # Short Western text decodes equally well in several code pages; our newsrooms write English
    # and Spanish, whose legacy encoding is Windows-1252, so a tie goes to it.
    if best is not None:
        best = next(
            (m for m in matches if m.encoding == "cp1252" and m.chaos <= best.chaos + 0.01), best
        )
    if best is None:
        raise InputError(
            JobMessage(
                gettext_noop("The text encoding could not be recognised; save the file as UTF-8.")
            )
        )
    decoded = str(best)
    controls = sum(1 for ch in decoded if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if controls > len(decoded) / 100:
        raise InputError(JobMessage(gettext_noop("This is a binary file, not text.")))
    return best.encoding


def text_stream(stream: IO[bytes]) -> tuple[io.TextIOWrapper, str]:
    """`stream` as text in its sniffed encoding, and the encoding; bad bytes become U+FFFD."""
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    encoding = sniff_encoding(sample)
    # "replace", then refuse lines holding U+FFFD: one bad line is an error, not the whole file.
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    return text, encoding


def undecodable(encoding: str) -> JobMessage:
    """The error for a line or record holding bytes its file's encoding cannot decode."""
    return JobMessage(
        gettext_noop(
            "Contains bytes that are not valid %(encoding)s text (the file mixes encodings)."
        ),
        encoding=encoding,
    )


def lines(text: IO[str], limit: int) -> Iterator[tuple[int, str | None]]:
    """(1-based line number, line) pairs; None for a line longer than `limit`, never read whole."""
    number = 0
    while line := text.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            while (rest := text.readline(MB)) and not rest.endswith(("\n", "\r")):
                pass
            yield number, None
        else:
            yield number, line
