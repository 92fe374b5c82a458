"""Sentence splitting: Golden Rules regression, the sample article, and exact offsets."""

import json
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sentencex import get_sentence_boundaries

from annotations.segmentation import (
    _covering,
    _offsets,
    sentence_offsets,
    split_sentences,
)

FIXTURES = Path(__file__).parent / "fixtures" / "segmentation"
AUSTRALIA = (
    "In December, Australia became the first nation to ban children under 16 from such platforms."
)
SAMPLE = (
    Path(__file__).resolve().parents[1] / "annotations" / "demo_data" / "spain-probe-article.txt"
)

# sentencex alone (with line pre-splitting) passes 43/48 English and 28/29 Spanish cases.
# These are the cases we pass and it does not; the floor below is its score plus these.
# (The Spanish file has no ids: a case is its 1-based position; 26 is "1.Helado, 2.Carne, 3.Arroz".)
BEATEN = {"en": {36}, "es": {26}}
# Cases neither passes: enumerations without a closing period, alphabetical lists, and the
# 4-dot ellipsis; each would need a list-aware splitter (pySBD's rules cost 100x the speed).
KNOWN_MISSES = {"en": {35, 38, 39, 48}, "es": set()}


def _golden(language: str) -> list[dict]:
    cases = json.loads((FIXTURES / f"golden_{language}.json").read_text(encoding="utf-8"))
    for index, case in enumerate(cases):
        case.setdefault("id", index + 1)
    return cases


def _case_id(case: dict) -> str:
    return str(case["id"])


@pytest.mark.parametrize("language", ["en", "es"])
def test_golden_rules_score_never_drops(language):
    cases = _golden(language)
    passed = {
        case["id"]
        for case in cases
        if [s.text for s in split_sentences(case["text"], language)] == case["expected"]
    }
    floor = {"en": 43, "es": 28}[language] + len(BEATEN[language])
    assert len(passed) >= floor, f"{language}: {len(passed)}/{len(cases)} golden rules"
    assert not (set(c["id"] for c in cases) - passed - KNOWN_MISSES[language]), (
        "a case that passed before now fails"
    )


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "1. The first item. 2. The second item.",
            "en",
            ["1. The first item.", "2. The second item."],
        ),
        (
            "Comprar: 1.Helado, 2.Carne, 3.Arroz. ¿Cuánto?",
            "es",
            ["Comprar: 1.Helado, 2.Carne, 3.Arroz.", "¿Cuánto?"],
        ),
        ("It costs approx. 5 dollars. Fine.", "en", ["It costs approx. 5 dollars.", "Fine."]),
        ("Cuesta aprox. 5 euros. Bien.", "es", ["Cuesta aprox. 5 euros.", "Bien."]),
        (
            "La Dra. García llegó. El Sr. Pérez no.",
            "es",
            ["La Dra. García llegó.", "El Sr. Pérez no."],
        ),
        (
            "Headline without a stop\nBody sentence one. Two.",
            "en",
            ["Headline without a stop", "Body sentence one.", "Two."],
        ),
    ],
)
def test_our_repairs_case_by_case(text, language, expected):
    assert [s.text for s in split_sentences(text, language)] == expected


ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
SPANISH_MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


@pytest.mark.parametrize("month", ENGLISH_MONTHS)
def test_an_english_month_ends_a_sentence(month):
    # sentencex takes "May." for an abbreviation and ran the two sentences together.
    text = f"Tests were taken in {month}. Schools got results last week."
    assert [s.text for s in split_sentences(text, "en")] == [
        f"Tests were taken in {month}.",
        "Schools got results last week.",
    ]


@pytest.mark.parametrize("month", SPANISH_MONTHS)
def test_a_spanish_month_ends_a_sentence(month):
    text = f"Las pruebas se hicieron en {month}. Los colegios recibieron las notas."
    assert [s.text for s in split_sentences(text, "es")] == [
        f"Las pruebas se hicieron en {month}.",
        "Los colegios recibieron las notas.",
    ]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "It ended in May. “We were ready,” she said.",
            "en",
            ["It ended in May.", "“We were ready,” she said."],
        ),
        ("In May. (Schools got results.)", "en", ["In May.", "(Schools got results.)"]),
        (
            "Votes came in May. In June, more.",
            "en",
            ["Votes came in May.", "In June, more."],
        ),
        (
            "La prueba fue el 5 de mayo. ¿Y las notas? Llegaron en junio.",
            "es",
            ["La prueba fue el 5 de mayo.", "¿Y las notas?", "Llegaron en junio."],
        ),
        ("Dismay. Schools closed.", "en", ["Dismay.", "Schools closed."]),
    ],
)
def test_a_month_at_a_sentence_end_splits_in_context(text, language, expected):
    assert [s.text for s in split_sentences(text, language)] == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The report of Jan. 5 was late.", "en"),
        ("Sales rose in Sept. and fell in Oct. last year.", "en"),
        ("Results from May, June and July are in.", "en"),
        ("It costs approx. 5 dollars in May and June.", "en"),
        ("Llegó en sept. del año pasado con la Dra. Mayo.", "es"),
        ("El informe del 5 de mayo, aprox. a las 10, llegó tarde.", "es"),
    ],
)
def test_abbreviations_and_months_mid_sentence_do_not_split(text, language):
    assert [s.text for s in split_sentences(text, language)] == [text]


def test_line_breaks_stay_hard_boundaries_even_inside_quotes():
    # sentencex over the whole text keeps an open quotation going across the line break;
    # the line is where a sentence ends here, whatever the quotes say.
    text = 'Hi "there. You\nand me." Then.'
    assert [s.text for s in split_sentences(text)] == ['Hi "there.', "You", 'and me." Then.']


def test_offsets_stay_exact_where_sentencex_leaves_a_paragraph_break_out():
    # With the article three times over, sentencex 1.0.32 drops one of the breaks it should
    # return, so counting its sentences' lengths alone would shift every offset after it.
    unit = SAMPLE.read_text(encoding="utf-8") + "\n"
    text = unit * 3
    spans = split_sentences(text, "en")
    once = split_sentences(unit, "en")
    assert len(spans) == 3 * len(once)
    for copy in range(3):
        for span, single in zip(spans[copy * len(once) :], once, strict=False):
            assert (span.start, span.end, span.text) == (
                single.start + copy * len(unit),
                single.end + copy * len(unit),
                single.text,
            )
    assert spans[-1].paragraph == 3 * (once[-1].paragraph + 1) - 1


def test_sentences_cut_from_sentencex_boundaries_give_the_same_offsets():
    # The path taken when sentencex's sentences do not match the text they came from.
    text = SAMPLE.read_text(encoding="utf-8")
    doubled = text.replace("\n", "\n\n")
    cut = _covering(doubled, get_sentence_boundaries("en", doubled))
    flat = [number for offsets in sentence_offsets(text, "en") for number in offsets]
    assert _offsets(text, doubled, cut, "en") == flat


def test_sample_article_gives_its_27_sentences():
    text = SAMPLE.read_text(encoding="utf-8")
    spans = split_sentences(text, "en")
    texts = [s.text for s in spans]
    assert len(spans) == 27
    assert texts[0] == "Spain Probes X, Meta, TikTok Over AI Generated Child Abuse Content"
    assert "Spanish Prime Minister Pedro Sanchez speaking in World Economic Forum" in texts
    assert "Gear Spotlight: Relevant to This Story" in texts
    assert "Editor’s Note:" in texts
    assert any(t.endswith("a “true fascist totalitarian.”") for t in texts)
    assert AUSTRALIA in texts
    assert all(text[s.start : s.end] == s.text for s in spans)
    # Paragraphs are the non-empty lines, in order.
    assert spans[0].paragraph == 0 and spans[-1].paragraph == max(s.paragraph for s in spans)


def test_spans_are_dataclasses_callers_can_unpack():
    # The importer stores a span with Sentence(**asdict(span)); a tuple broke it once.
    (span,) = split_sentences("  One.")
    assert asdict(span) == {"start": 2, "end": 6, "text": "One.", "paragraph": 0}


def test_unknown_language_falls_back_to_english():
    assert [s.text for s in split_sentences("One. Two.", "xx")] == ["One.", "Two."]


def test_empty_and_blank_text_give_no_spans():
    assert split_sentences("") == []
    assert split_sentences(" \n\t\n ") == []


def _assert_well_formed(text: str, language: str) -> None:
    spans = split_sentences(text, language)
    previous_end = 0
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.text and span.text == span.text.strip()
        assert span.start >= previous_end
        assert "\n" not in span.text and "\r" not in span.text
        previous_end = span.end
    # Every non-blank character is inside some span: nothing is lost.
    covered = sum(len(s.text.replace(" ", "")) for s in spans)
    assert covered <= len(text)


_alphabet = st.sampled_from(
    [*"abcXYZ áéñü¿¡?!.,;:\"'“”‘’()-—\n\r\t 0123456789", "😀", "𝒳", "\u00a0", "Dr.", "e.g."]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_alphabet, max_size=120).map("".join), st.sampled_from(["en", "es"]))
def test_offsets_are_exact_on_arbitrary_text(text, language):
    _assert_well_formed(text, language)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["en", "es"]))
def test_offsets_are_exact_on_any_unicode(text, language):
    _assert_well_formed(text, language)


def test_offsets_count_code_points_after_astral_characters():
    text = "😀 Emoji first. 𝒳 marks the spot. Done."
    spans = split_sentences(text)
    assert [s.text for s in spans] == ["😀 Emoji first.", "𝒳 marks the spot.", "Done."]
    assert spans[1].start == text.index("𝒳")


def test_a_lone_surrogate_does_not_crash_and_keeps_offsets():
    # Found by hypothesis in test_anchoring: JSON imports can carry "\ud800".
    text = "Bad \ud800 char. Next one."
    spans = split_sentences(text)
    assert [s.text for s in spans] == ["Bad \ud800 char.", "Next one."]
    assert all(text[s.start : s.end] == s.text for s in spans)
