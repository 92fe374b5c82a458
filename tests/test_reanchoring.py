"""The re-anchoring algorithm on the demo article: one edit at a time, then all at once."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.anchoring import quote_selector
from annotations.reanchoring import (
    ANCHORED,
    CHANGED,
    ORPHANED,
    StoredAnchor,
    reanchor,
)

BODY = (
    Path(__file__).resolve().parent.parent / "annotations/demo_data/spain-probe-article.txt"
).read_text(encoding="utf-8")

CLAIM = "Spain plans a criminal probe into X, Meta and TikTok"
NUMBER = "regularise 500,000 undocumented workers"
PARAPHRASED = "several governments, including Britain, Greece and France"
AUSTRALIA = "Australia became the first nation to ban children under 16 from such platforms"
DOYLE = "Deputy commissioner Graham Doyle said regulators had engaged with X"
# "X, Meta and TikTok" is in line 2 and again in line 4.
TWICE = "X, Meta and TikTok"


def stored(body: str, phrase: str, occurrence: int = 0) -> StoredAnchor:
    start = -1
    for _ in range(occurrence + 1):
        start = body.index(phrase, start + 1)
    end = start + len(phrase)
    selector = quote_selector(body, start=start, end=end)
    return StoredAnchor(start, end, selector.exact, selector.prefix, selector.suffix)


def sentence_of(body: str, phrase: str) -> str:
    """The whole sentence (to the next '. ' or line end) that contains `phrase`."""
    at = body.index(phrase)
    begin = max(body.rfind(". ", 0, at) + 2, body.rfind("\n", 0, at) + 1)
    stop = min(i for i in (body.find(". ", at) + 2, body.find("\n", at) + 1) if i > 0)
    return body[begin:stop]


def place(body: str, anchor: StoredAnchor):
    return reanchor(BODY, body, [anchor])[0]


def test_unchanged_text_keeps_every_claim_where_it_was():
    anchors = [stored(BODY, p) for p in (CLAIM, NUMBER, PARAPHRASED, AUSTRALIA, DOYLE)]
    results = reanchor(BODY, BODY, anchors)
    assert [(r.status, r.start, r.end) for r in results] == [
        (ANCHORED, a.start, a.end) for a in anchors
    ]


def test_typo_in_the_claim_is_changed_and_spans_the_new_words():
    anchor = stored(BODY, CLAIM)
    new = BODY.replace("criminal probe into", "crimnal probe into", 1)
    result = place(new, anchor)
    assert result.status == CHANGED
    assert new[result.start : result.end] == "Spain plans a crimnal probe into X, Meta and TikTok"
    assert result.ratio >= 0.75


def test_paragraph_inserted_before_shifts_the_claim_by_its_length():
    anchor = stored(BODY, AUSTRALIA)
    inserted = "An editor added this paragraph, with new facts and figures.\n"
    at = BODY.index("Gear Spotlight")
    new = BODY[:at] + inserted + BODY[at:]
    result = place(new, anchor)
    assert (result.status, result.start, result.end) == (
        ANCHORED,
        anchor.start + len(inserted),
        anchor.end + len(inserted),
    )


def test_another_sentence_deleted_keeps_the_claim_anchored():
    anchor = stored(BODY, DOYLE)
    deleted = sentence_of(BODY, "The announcement comes less than a month")
    new = BODY.replace(deleted, "", 1)
    result = place(new, anchor)
    assert (result.status, result.start, result.end) == (
        ANCHORED,
        anchor.start - len(deleted),
        anchor.end - len(deleted),
    )


def test_the_claims_own_sentence_deleted_orphans_it():
    anchor = stored(BODY, DOYLE)
    new = BODY.replace(sentence_of(BODY, DOYLE), "", 1)
    assert place(new, anchor).status == ORPHANED


def test_changed_number_is_changed_not_orphaned():
    anchor = stored(BODY, NUMBER)
    new = BODY.replace("500,000", "600,000", 1)
    result = place(new, anchor)
    assert result.status == CHANGED
    assert new[result.start : result.end] == "regularise 600,000 undocumented workers"


def test_paraphrase_between_the_same_context_is_changed_at_its_place():
    anchor = stored(BODY, PARAPHRASED)
    rewritten = "a number of European states such as the UK"
    new = BODY.replace(PARAPHRASED, rewritten, 1)
    result = place(new, anchor)
    assert result.status == CHANGED
    assert new[result.start : result.end] == rewritten
    assert result.ratio < 0.75


def test_phrase_twice_with_the_other_copy_deleted_stays_on_its_own_copy():
    second = stored(BODY, TWICE, occurrence=1)
    deleted = sentence_of(BODY, CLAIM)
    new = BODY.replace(deleted, "", 1)
    result = place(new, second)
    assert (result.status, result.start) == (ANCHORED, second.start - len(deleted))


def test_phrase_twice_with_its_own_copy_deleted_is_orphaned_not_moved_to_the_other():
    first = stored(BODY, TWICE, occurrence=0)
    new = BODY.replace(sentence_of(BODY, CLAIM), "", 1)
    # A whole-text quote search would find the copy one paragraph down.
    assert TWICE in new
    assert place(new, first).status == ORPHANED


def test_all_edits_at_once():
    anchors = {
        "typo": stored(BODY, CLAIM),
        "inserted-before": stored(BODY, AUSTRALIA),
        "own-deleted": stored(BODY, DOYLE),
        "number": stored(BODY, NUMBER),
        "paraphrase": stored(BODY, PARAPHRASED),
        "second-copy": stored(BODY, TWICE, occurrence=1),
    }
    new = BODY.replace("criminal probe into", "crimnal probe into", 1)
    new = new.replace(sentence_of(new, "The government of Spain said"), "", 1)
    new = new.replace("Gear Spotlight", "A new paragraph here.\nGear Spotlight", 1)
    new = new.replace(sentence_of(new, DOYLE), "", 1)
    new = new.replace("500,000", "600,000", 1)
    new = new.replace(PARAPHRASED, "a number of European states such as the UK", 1)
    results = dict(zip(anchors, reanchor(BODY, new, list(anchors.values())), strict=True))
    assert {name: r.status for name, r in results.items()} == {
        "typo": CHANGED,
        "inserted-before": ANCHORED,
        "own-deleted": ORPHANED,
        "number": CHANGED,
        "paraphrase": CHANGED,
        # Its copy was in the deleted sentence: not moved onto the first copy in line 2.
        "second-copy": ORPHANED,
    }
    assert new[results["inserted-before"].start : results["inserted-before"].end] == AUSTRALIA


def test_astral_characters_count_as_one_code_point():
    body = "Intro 😀 line.\nThe minister said 40% of homes lack heating.\n"
    anchor = stored(body, "40% of homes")
    new = "😀😀 " + body
    result = reanchor(body, new, [anchor])[0]
    assert (result.status, result.start) == (ANCHORED, anchor.start + 3)


@pytest.mark.parametrize("edge", ["start", "end"])
def test_claim_at_the_edge_of_the_body(edge):
    phrase = BODY.split("\n")[0] if edge == "start" else BODY.rstrip().rsplit(" ", 3)[-1]
    anchor = stored(BODY, phrase)
    assert place(BODY + "\nA line added at the end.", anchor).status == ANCHORED


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, len(BODY) - 1), length=st.integers(1, 200))
def test_property_unchanged_text_keeps_offsets(start, length):
    end = min(len(BODY), start + length)
    if not BODY[start:end].strip():
        return
    selector = quote_selector(BODY, start=start, end=end)
    anchor = StoredAnchor(start, end, selector.exact, selector.prefix, selector.suffix)
    result = reanchor(BODY, BODY + " ", [anchor])[0]
    assert (result.status, result.start, result.end) == (ANCHORED, start, end)


@settings(max_examples=60, deadline=None)
@given(
    phrase=st.sampled_from([CLAIM, NUMBER, PARAPHRASED, AUSTRALIA, DOYLE]),
    inserted=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=80
    ),
)
def test_property_insertion_before_shifts_by_the_inserted_length(phrase, inserted):
    anchor = stored(BODY, phrase)
    line = BODY.rfind("\n", 0, anchor.start) + 1  # a new paragraph before the claim's line
    new = BODY[:line] + inserted + "\n" + BODY[line:]
    result = reanchor(BODY, new, [anchor])[0]
    shift = len(inserted) + 1
    assert (result.status, result.start, result.end) == (
        ANCHORED,
        anchor.start + shift,
        anchor.end + shift,
    )


@settings(max_examples=80, deadline=None)
@given(
    phrase=st.sampled_from([CLAIM, NUMBER, PARAPHRASED, AUSTRALIA, DOYLE]),
    where=st.floats(0, 1),
    length=st.integers(0, 120),
    replacement=st.text(alphabet="abcdefghij ,.\n0123456789", max_size=60),
)
def test_property_an_edit_in_another_paragraph_moves_the_claim_by_its_size(
    phrase, where, length, replacement
):
    anchor = stored(BODY, phrase)
    line_start = BODY.rfind("\n", 0, anchor.start) + 1
    line_end = BODY.find("\n", anchor.end)
    # An edit wholly before the claim's paragraph, or wholly after it.
    if where < 0.5 and line_start > 1:
        at = int(where * 2 * (line_start - 1))
        stop = min(at + length, line_start - 1)
    else:
        at = line_end + 1 + int((where - 0.5) * 2 * (len(BODY) - line_end - 1))
        stop = min(at + length, len(BODY))
    new = BODY[:at] + replacement + BODY[stop:]
    result = reanchor(BODY, new, [anchor])[0]
    shift = len(replacement) - (stop - at) if at < anchor.start else 0
    assert (result.status, result.start, result.end) == (
        ANCHORED,
        anchor.start + shift,
        anchor.end + shift,
    )
