"""Property tests of the offset arithmetic in annotations.anchoring."""

from hypothesis import assume, given
from hypothesis import strategies as st

from annotations import anchoring
from annotations.segmentation import split_sentences

# Astral characters, combining marks and line breaks: offsets are code points, not bytes.
TEXT = st.text(
    alphabet=st.sampled_from(list("ab .,!?\n\tñé😀\u0301«»")) | st.characters(), min_size=1
)


@st.composite
def body_and_span(draw):
    body = draw(TEXT)
    start = draw(st.integers(0, len(body) - 1))
    end = draw(st.integers(start + 1, len(body)))
    return body, start, end


@given(body_and_span())
def test_selector_is_the_span_with_its_context(case):
    body, start, end = case
    quote = anchoring.quote_selector(body, start=start, end=end)
    assert quote.exact == body[start:end]
    assert len(quote.prefix) <= anchoring.QUOTE_CONTEXT
    assert len(quote.suffix) <= anchoring.QUOTE_CONTEXT
    lo = max(0, start - anchoring.QUOTE_CONTEXT)
    assert quote.prefix + quote.exact + quote.suffix == body[lo : end + anchoring.QUOTE_CONTEXT]


@given(body_and_span())
def test_anchoring_a_selector_finds_text_equal_to_exact(case):
    body, start, end = case
    quote = anchoring.quote_selector(body, start=start, end=end)
    found = anchoring.anchor_quote(body, quote)
    assert found is not None
    assert body[found[0] : found[1]] == quote.exact


@given(body_and_span(), st.text(min_size=1, max_size=20))
def test_anchoring_survives_text_added_before(case, added):
    body, start, end = case
    quote = anchoring.quote_selector(body, start=start, end=end)
    moved = anchoring.anchor_quote(added + body, quote)
    assert moved is not None
    assert (added + body)[moved[0] : moved[1]] == quote.exact
    # Unique quotes land exactly where the text moved to.
    if body.count(quote.exact) == 1 and (added + body).count(quote.exact) == 1:
        assert moved == (start + len(added), end + len(added))


@given(st.integers(-5, 50), st.integers(-5, 50), st.integers(0, 40))
def test_span_errors_exactly_when_not_inside_the_body(start, end, length):
    errors = anchoring.span_errors(start=start, end=end, length=length)
    assert (not errors) == (0 <= start < end <= length)


@given(TEXT, st.data())
def test_covered_sentences_are_those_sharing_a_character(text, data):
    spans = [(s.start, s.end) for s in split_sentences(text)]
    assume(spans)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    indexes = anchoring.covered(spans, start=start, end=end)
    for i, (s, e) in enumerate(spans):
        shares = bool(set(range(s, e)) & set(range(start, end)))
        assert (i in indexes) == shares
    # Every non-space character of the span lies in a covered sentence.
    inside = {c for i in indexes for c in range(*spans[i])}
    assert all(text[c].isspace() or c in inside for c in range(start, end))
    if indexes:
        lo, hi = anchoring.enclosing([spans[i] for i in indexes])
        assert lo < end and hi > start
