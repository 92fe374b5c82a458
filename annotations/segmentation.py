"""Split text into sentences with exact character offsets. Pure Python, no Django.

Built on sentencex (fast, linear, 43/48 English and 28/29 Spanish Golden Rules). Our layer:
- line breaks are hard boundaries, so a headline, caption or "Editor's Note:" line stands alone;
- spans are trimmed of surrounding whitespace, and `text[span.start:span.end] == span.text`;
- a few repairs where sentencex splits too eagerly (abbreviations it lacks, bare list markers,
  a "boundary" with no whitespace after it such as "3.Arroz"), and one where it does not split:
  a month it takes for an abbreviation ("in May. Schools ...").
Offsets are Python string indices (Unicode code points).

Speed (bench/segmentation_bench.py): sentencex runs once over the whole text, not once per
line, through `segment`, its plain sentence strings (`get_sentence_boundaries` builds a dict per
sentence, which costs it more than the splitting). Over the whole text sentencex lets a sentence
run over a line break (a headline without a full stop) and a quotation wait for its closing mark
lines later, so it reads the text with every line break doubled: a blank line is a paragraph
break, where sentencex ends every sentence and quotation, as the end of a line did before. The
offsets come from the sentences' lengths, less the doubled breaks. The rest is one pass over the
sentences with string methods (a regular expression or a function call per sentence cost more
than sentencex), and our repairs are looked at only where a sentence ends in "." or ")".
"""

import re
from dataclasses import dataclass
from itertools import product

from sentencex import get_sentence_boundaries, segment

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
# A longer word is none of them, so the search for a span's last word looks no further back.
_LONGEST_ABBREVIATION = max(len(word) for words in _ABBREVIATIONS.values() for word in words)
# How a span ending in one ends: the word in any case, then "." or ")". Looking the ending up
# whole saves lowercasing it and testing its last character, once per sentence.
_ABBREVIATION_ENDINGS = {
    lang: frozenset(
        "".join(letters) + stop
        for word in words
        for letters in product(*({letter, letter.upper()} for letter in word))
        for stop in ".)"
    )
    for lang, words in _ABBREVIATIONS.items()
}
# Month names sentencex (1.0.32) takes for abbreviations, so that "in May. Schools ..." would
# stay one sentence. Every full month name of both languages was tried, and the tests try them
# all: only English "May" is affected. Abbreviated months ("Jan.", "sept.") stay abbreviations.
_MONTHS_TAKEN_FOR_ABBREVIATIONS = {"en": ("May",), "es": ()}
# What follows a month that ends a sentence: spaces, any opening punctuation, a capital letter.
_NEXT_SENTENCE = re.compile(r"[^\S\n]+[\"'“‘«(\[¿¡]*([^\W\d_])")
# A span that is only a list marker: "1.", "a.", "⁃9.", "iv." (then it belongs to what follows).
_LIST_MARKER = re.compile(r"[\W_]?(\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Line breaks besides "\n" (str.splitlines' but the information separators). All are whitespace,
# so the copy sentencex reads has a "\n" for each: same length, same spans.
_OTHER_LINE_BREAKS = "\r\x0b\x0c\x85\u2028\u2029"
_TO_NEWLINE = str.maketrans(dict.fromkeys(_OTHER_LINE_BREAKS, "\n"))


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__, and
# building the spans cost as much as the splitting itself.
@dataclass(slots=True)
class Span:
    start: int
    end: int
    text: str
    paragraph: int


def split_sentences(text: str, language: str = "en") -> list[Span]:
    """Sentences of `text` as spans with offsets into it; `paragraph` counts non-empty lines."""
    bounds = iter(_bounds(text, language))
    return [
        Span(start, end, text[start:end], paragraph)
        for start, end, paragraph in zip(bounds, bounds, bounds, strict=True)
    ]


def sentence_offsets(text: str, language: str = "en") -> list[tuple[int, int, int]]:
    """`split_sentences` without the texts: (start, end, paragraph) of each sentence."""
    bounds = iter(_bounds(text, language))
    return list(zip(bounds, bounds, bounds, strict=True))


def _bounds(text: str, language: str) -> list[int]:
    """start, end, paragraph of each sentence, one after another in a flat list of integers
    (which the garbage collector does not follow: a tuple per sentence, made here and again when
    two are joined, cost a tenth of the time in its collections)."""
    lang = language.split("-")[0].lower() if language else "en"
    if lang not in SUPPORTED_LANGUAGES:
        lang = "en"
    # From here on `text` is a copy of the same length, so its offsets are the original's.
    if any(separator in text for separator in _OTHER_LINE_BREAKS):
        text = text.translate(_TO_NEWLINE)
    doubled = text.replace("\n", "\n\n")
    try:
        sentences = segment(lang, doubled)
    except UnicodeEncodeError:  # a lone surrogate, which sentencex cannot take
        text = without_lone_surrogates(text)
        doubled = text.replace("\n", "\n\n")
        sentences = segment(lang, doubled)
    try:
        return _offsets(text, doubled, sentences, lang)
    except _NotCovered:
        boundaries = get_sentence_boundaries(lang, doubled)
        return _offsets(text, doubled, _covering(doubled, boundaries), lang)


def without_lone_surrogates(text: str) -> str:
    """`text` with each lone surrogate (a JSON "\\ud800") replaced by U+FFFD.

    Neither sentencex nor UTF-8 (so neither PostgreSQL) can take one. The swap is one code point
    for one, so offsets computed on the result still point into the original.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


class _NotCovered(Exception):
    """sentencex's sentences are not the text they were cut from."""


def _offsets(text: str, doubled: str, sentences: list[str], lang: str) -> list[int]:
    """`_bounds` from sentencex's sentences of `doubled`: `text` with its line breaks doubled.

    The sentences cover `doubled` in order, whitespace included, so their lengths give their
    offsets there; half the line breaks before a sentence are taken off to give its offset in
    `text`. sentencex 1.0.32 sometimes leaves a paragraph break out (seen on a repeated "Editor's
    Note:" line): then the lengths fall short, and each sentence is looked for where it should be.
    """
    abbreviation_endings = _ABBREVIATION_ENDINGS[lang]
    months = _month_ends(text, lang)
    nowhere = len(text) + 1
    next_month = months.pop() if months else nowhere
    unchecked = sum(map(len, sentences)) == len(doubled)
    bounds: list[int] = []
    paragraph = 0
    position = 0  # in `doubled`, where the sentence starts
    content_end = 0  # in `doubled`, where the last sentence's text ended
    shift = 0  # doubled breaks before content_end: `doubled`'s offsets less `text`'s
    # The last span in `text` (last_end -2: nothing may join it) and the text of its last piece.
    last_start = last_end = -2
    last_body = ""
    # Bound methods and constants in locals: each lookup saved counts, once per sentence.
    count, extend, fullmatch = doubled.count, bounds.extend, _LIST_MARKER.fullmatch
    word_window = -_LONGEST_ABBREVIATION - 2
    for sentence in sentences:
        body = sentence.strip()
        if not body:
            position += len(sentence)
            continue
        if not (unchecked or doubled.startswith(sentence, position)):
            position = _found_again(doubled, sentence, position)
        start = position if sentence.startswith(body) else position + sentence.find(body)
        position += len(sentence)
        # A line break is two characters here, so a gap of one (a space) has none.
        if start - content_end > 1:
            breaks = count("\n", content_end, start)
            if breaks:
                shift += breaks // 2
                if bounds:
                    paragraph += 1
                    last_end = -2
        content_end = start + len(body)
        start -= shift
        end = content_end - shift
        if next_month < end:
            start, last_start, last_end = _split_at_months(
                text, start, end, paragraph, months, next_month, bounds, last_start, last_end
            )
            next_month = months.pop() if months else nowhere
        if start == last_end:  # "3.Arroz": no whitespace, so no sentence boundary
            bounds[-2] = end
            body = text[last_start:end]
        elif last_end > 0 and (
            # The last word, by string search (a regular expression here cost more than
            # sentencex itself); a word longer than every abbreviation is none of them.
            last_body[last_body.rfind(" ", word_window) + 1 :] in abbreviation_endings
            or (last_end - last_start <= 6 and fullmatch(text, last_start, last_end))
        ):
            bounds[-2] = end
        else:
            extend((start, end, paragraph))
            last_start = start
        last_end = end
        last_body = body
    return bounds


def _split_at_months(
    text: str,
    start: int,
    end: int,
    paragraph: int,
    months: list[int],
    next_month: int,
    bounds: list[int],
    last_start: int,
    last_end: int,
) -> tuple[int, int, int]:
    """Append the parts of text[start:end] that end in a month ending a sentence; return the
    start of the rest and the last span (last_end -2: nothing joins it).

    `next_month` and those left in `months` (last first) are the months at or after `start`;
    the caller takes the next one after this.
    """
    while True:
        if next_month > start:
            if start == last_end:
                bounds[-2] = next_month
            else:
                bounds.extend((start, next_month, paragraph))
                last_start = start
            last_end = -2
            start = next_month + 1
            while text[start].isspace():
                start += 1
        if not months or months[-1] >= end:
            return start, last_start, last_end
        next_month = months.pop()


def _found_again(doubled: str, sentence: str, position: int) -> int:
    """Where `sentence` is, when only whitespace that sentencex left out comes before it."""
    found = doubled.find(sentence, position)
    if found < 0 or doubled[position:found].strip():
        raise _NotCovered
    return found


def _covering(text: str, boundaries: list[dict]) -> list[str]:
    """The pieces of `text` at sentencex's boundaries, with what they leave out between them."""
    pieces = []
    covered = 0
    for boundary in boundaries:
        start, end = boundary["start_index"], boundary["end_index"]
        if start > covered:
            pieces.append(text[covered:start])
        pieces.append(text[start:end])
        covered = end
    if covered < len(text):
        pieces.append(text[covered:])
    return pieces


def _month_ends(text: str, lang: str) -> list[int]:
    """Offsets just after each month that ends a sentence, last first (pop() gives the next)."""
    ends = []
    for month in _MONTHS_TAKEN_FOR_ABBREVIATIONS[lang]:
        token = month + "."
        found = text.find(token)
        while found >= 0:
            after = found + len(token)
            if not (found and text[found - 1].isalnum()):
                following = _NEXT_SENTENCE.match(text, after)
                if following and following[1].isupper():
                    ends.append(after)
            found = text.find(token, after)
    ends.sort(reverse=True)
    return ends
