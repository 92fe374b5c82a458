"""Split text into sentences with exact character offsets. Pure Python, no Django.

Built on sentencex (fast, linear, 43/48 English and 28/29 Spanish Golden Rules). Our layer:
- line breaks are hard boundaries, so a headline, caption or "Editor's Note:" line stands alone;
- spans are trimmed of surrounding whitespace, and `text[span.start:span.end] == span.text`;
- a few repairs where sentencex splits too eagerly (abbreviations it lacks, bare list markers,
  a "boundary" with no whitespace after it such as "3.Arroz").
Offsets are Python string indices (Unicode code points).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sentencex import get_sentence_boundaries

SUPPORTED_LANGUAGES = ("en", "es")

# Abbreviations sentencex does not know, per language; a span ending in one runs on.
_ABBREVIATIONS = {
    "en": {"approx", "est", "dept", "fig", "vol", "no", "nos", "vs", "ca"},
    "es": {
        "aprox",
        "dra",
        "dr",
        "sr",
        "sra",
        "srta",
        "avda",
        "av",
        "pág",
        "págs",
        "núm",
        "ud",
        "uds",
        "lic",
        "ing",
        "etc",
    },
}
# A span that is only a list marker: "1.", "a.", "⁃9.", "iv." (then it belongs to what follows).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LIST_MARKER = re.compile(r"[\W_]?(\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str
    paragraph: int


def split_sentences(text: str, language: str = "en") -> list[Span]:
    """Sentences of `text` as spans with offsets into it; `paragraph` counts non-empty lines."""
    return [
        Span(start, end, text[start:end], paragraph)
        for start, end, paragraph in sentence_offsets(text, language)
    ]


def sentence_offsets(text: str, language: str = "en") -> list[tuple[int, int, int]]:
    """`split_sentences` without the texts: (start, end, paragraph) of each sentence."""
    lang = language.split("-")[0].lower() if language else "en"
    if lang not in SUPPORTED_LANGUAGES:
        lang = "en"
    offsets: list[tuple[int, int, int]] = []
    paragraph = -1
    for line_start, line in _lines(text):
        if not line.strip():
            continue
        paragraph += 1
        pieces = [
            (line_start + start, line_start + end) for start, end in _trimmed_pieces(line, lang)
        ]
        offsets.extend((start, end, paragraph) for start, end in _repair(text, pieces, lang))
    return offsets


def without_lone_surrogates(text: str) -> str:
    """`text` with each lone surrogate (a JSON "\\ud800") replaced by U+FFFD.

    Neither sentencex nor UTF-8 (so neither PostgreSQL) can take one. The swap is one code point
    for one, so offsets computed on the result still point into the original.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in re.split(r"\r\n|[\n\r\u2028\u2029\x85\x0b\x0c]", text):
        yield offset, line
        # The separator's length: find it where the line ended.
        offset += len(line)
        if text.startswith("\r\n", offset):
            offset += 2
        else:
            offset += 1


def _trimmed_pieces(line: str, lang: str) -> Iterator[tuple[int, int]]:
    for boundary in get_sentence_boundaries(lang, without_lone_surrogates(line)):
        start, end = boundary["start_index"], boundary["end_index"]
        while start < end and line[start].isspace():
            start += 1
        while end > start and line[end - 1].isspace():
            end -= 1
        if start < end:
            yield start, end


def _repair(text: str, pieces: list[tuple[int, int]], lang: str) -> list[tuple[int, int]]:
    """Join pieces sentencex split where no sentence ends."""
    merged: list[tuple[int, int]] = []
    for start, end in pieces:
        if merged and _runs_on(text, merged[-1], start, lang):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _runs_on(text: str, previous: tuple[int, int], next_start: int, lang: str) -> bool:
    prev_start, prev_end = previous
    if prev_end == next_start:  # "3.Arroz": no whitespace, so no sentence boundary
        return True
    if text[prev_end - 1] not in ".)":
        return False
    if prev_end - prev_start <= 6 and _LIST_MARKER.fullmatch(text, prev_start, prev_end):
        return True
    # The last word, by string search: a regex here costs more than sentencex itself.
    word_start = max(prev_start, text.rfind(" ", prev_start, prev_end) + 1)
    return text[word_start : prev_end - 1].lower() in _ABBREVIATIONS[lang]
