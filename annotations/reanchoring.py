"""Claims carried from one revision of an article body to the next. Pure Python, no Django.

Each claim's span is mapped through a word-level diff of the two bodies (difflib over word
tokens with their offsets), then checked against the claim's stored W3C quote:

- the same text at the mapped span: `anchored`;
- similar text (character ratio >= `CHANGED_RATIO`): `changed`, for a reviewer to look at again;
- otherwise the quote is looked for *near* the mapped place only: its exact text with matching
  context (`anchored`), or its prefix and suffix around some new text (`changed`);
- failing that: `orphaned`, with no new span. The caller keeps the claim's old text.

Why this order: a search for the quote over the whole body (what Hypothesis's client does)
moves a claim whose sentence was deleted onto a look-alike phrase elsewhere; a character diff
aligns stray letters across unrelated words. Word tokens keep the alignment on whole words, and
the diff knows what was deleted. Offsets are code points, half-open `[start, end)`.
"""

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .anchoring import _common_prefix, _common_suffix

ANCHORED = "anchored"
CHANGED = "changed"
ORPHANED = "orphaned"

# Measured on the edit suite (tests/test_reanchoring.py): a typo or a changed number stays above
# it, a paraphrase falls below and is then judged by its context.
CHANGED_RATIO = 0.75
# How far from the mapped place (in code points, besides the quote's own length) the quote may
# be looked for. A paragraph or so: the diff already put us at the right place or beside it.
NEAR = 240
# Context characters that must agree for an exact quote found near to count as the claim.
MIN_CONTEXT = 8

# Numbers with their separators ("1,200", "3.5") are one word, so a changed figure is one edit.
_WORD = re.compile(r"\d+(?:[.,]\d+)*|\w+|[^\w\s]+")


@dataclass(frozen=True, slots=True)
class StoredAnchor:
    """A claim as stored: its span on the old body and its TextQuoteSelector."""

    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Reanchored:
    """Where a claim is on the new body. `start`/`end` are None when it is orphaned."""

    status: str
    start: int | None = None
    end: int | None = None
    ratio: float = 1.0


@dataclass(frozen=True, slots=True)
class _Tokens:
    texts: list[str]
    starts: list[int]
    ends: list[int]


def _tokens(body: str) -> _Tokens:
    texts, starts, ends = [], [], []
    for match in _WORD.finditer(body):
        texts.append(match.group())
        starts.append(match.start())
        ends.append(match.end())
    return _Tokens(texts, starts, ends)


def reanchor(old_body: str, new_body: str, anchors: Sequence[StoredAnchor]) -> list[Reanchored]:
    """Each of `anchors` (spans on `old_body`) placed on `new_body`, in the same order."""
    if old_body == new_body:
        return [
            Reanchored(ANCHORED, a.start, a.end)
            if new_body[a.start : a.end] == a.exact
            else _verify(new_body, a, a.start, a.end, edges_kept=False)
            for a in anchors
        ]
    old, new = _tokens(old_body), _tokens(new_body)
    matcher = SequenceMatcher(None, old.texts, new.texts, autojunk=False)
    mapper = _Mapper(old, new, matcher.get_opcodes(), len(new_body))
    results = []
    for anchor in anchors:
        start, end, edges_kept = mapper.span(anchor.start, anchor.end)
        results.append(_verify(new_body, anchor, start, end, edges_kept=edges_kept))
    return results


class _Mapper:
    """Old code-point offsets to new ones through the word diff's opcodes."""

    def __init__(self, old: _Tokens, new: _Tokens, opcodes, new_length: int) -> None:
        self.old, self.new, self.new_length = old, new, new_length
        self.opcodes = opcodes
        self.op_starts = [op[1] for op in opcodes]

    def _opcode(self, i: int):
        return self.opcodes[max(0, bisect_right(self.op_starts, i) - 1)]

    def _new_token(self, i: int, *, at_end: bool) -> tuple[int, bool]:
        """The new token old token `i` corresponds to, and whether it is the same word.

        `at_end`: `i` ends the span, so a replaced run maps to the end of its replacement.
        """
        tag, i1, i2, j1, j2 = self._opcode(i)
        if tag == "equal":
            return j1 + (i - i1), True
        if tag == "delete" or j1 == j2:
            return j1, False
        if i2 - i1 == j2 - j1:
            return j1 + (i - i1), False
        # Replaced by a different number of words: proportionally, the best guess there is.
        old_n, new_n = i2 - i1, j2 - j1
        if at_end:
            return j1 + -(-(i - i1 + 1) * new_n // old_n) - 1, False
        return j1 + (i - i1) * new_n // old_n, False

    def span(self, start: int, end: int) -> tuple[int, int, bool]:
        """The mapped `[start, end)`, empty (start >= end) when every word of it was deleted, and
        whether its first and last words are still there unchanged."""
        old, new = self.old, self.new
        first = bisect_right(old.ends, start)  # first token ending after start
        last = bisect_left(old.starts, end) - 1  # last token starting before end
        if first > last or not new.texts:
            return 0, 0, False
        # The first and last words that survive, so an edit at the edge does not drag the span.
        first_new, first_same = self._surviving(first, last, step=1)
        last_new, last_same = self._surviving(last, first, step=-1)
        if first_new is None or last_new is None:
            return *self._deleted_at(first), False
        new_start, new_end = new.starts[first_new], new.ends[last_new]
        # An unchanged edge word keeps the span's exact edge: inside the word, or in the space
        # before it (clamped to the gap, which may have shrunk).
        if first_same:
            floor = new.ends[first_new - 1] if first_new else 0
            new_start = max(floor, new_start + start - old.starts[first])
        if last_same:
            ceiling = new.starts[last_new + 1] if last_new + 1 < len(new.starts) else None
            new_end += end - old.ends[last]
            new_end = min(new_end, ceiling if ceiling is not None else self.new_length)
        edges_kept = first_same and last_same and self._same(first) and self._same(last)
        return new_start, new_end, edges_kept

    def _same(self, i: int) -> bool:
        return self._opcode(i)[0] == "equal"

    def _surviving(self, i: int, stop: int, *, step: int) -> tuple[int | None, bool]:
        """From old token `i` towards `stop`, the first one that maps to a new token."""
        for k in range(i, stop + step, step):
            if self._opcode(k)[0] == "delete":
                continue
            token, same = self._new_token(k, at_end=step < 0)
            if token < len(self.new.texts):
                return token, same
        return None, False

    def _deleted_at(self, i: int) -> tuple[int, int]:
        """An empty span where the deleted old token `i` used to be in the new body."""
        j1 = self._opcode(i)[3]
        at = self.new.starts[j1] if j1 < len(self.new.starts) else self.new_length
        return at, at


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _verify(
    body: str, anchor: StoredAnchor, start: int, end: int, *, edges_kept: bool
) -> Reanchored:
    if start < end and body[start:end] == anchor.exact:
        return Reanchored(ANCHORED, start, end)
    # The diff may end a span a word early or late (a full stop matched elsewhere); the exact
    # quote beside it, in its own context, is the claim.
    reach = NEAR + len(anchor.exact)
    lo, hi = max(0, min(start, end) - reach), min(len(body), max(start, end) + reach)
    exact = _exact_near(body, anchor, lo, hi)
    if exact is not None:
        return Reanchored(ANCHORED, *exact)
    if start < end and "\n" not in anchor.exact and "\n" in body[start:end]:
        # A claim inside one paragraph stays inside one: a line beyond it is another's edit.
        end = start + len(body[start:end].split("\n", 1)[0].rstrip())
    if start < end:
        found = body[start:end]
        ratio = _ratio(found, anchor.exact)
        if ratio >= CHANGED_RATIO:
            return Reanchored(CHANGED, start, end, ratio)
        # Its first and last words unchanged around new ones: the claim rewritten in place.
        if edges_kept and len(found) <= 2 * len(anchor.exact) + 40:
            return Reanchored(CHANGED, start, end, ratio)
    return _between_context(body, anchor, start, lo, hi) or Reanchored(ORPHANED, ratio=0.0)


def _exact_near(body: str, anchor: StoredAnchor, lo: int, hi: int) -> tuple[int, int] | None:
    """The quote's exact text in `body[lo:hi]` whose context agrees best, if enough of it does."""
    best, best_score = None, MIN_CONTEXT - 1
    at = body.find(anchor.exact, lo, hi) if anchor.exact else -1
    while at != -1:
        stop = at + len(anchor.exact)
        score = _common_suffix(body[max(0, at - len(anchor.prefix)) : at], anchor.prefix)
        score += _common_prefix(body[stop : stop + len(anchor.suffix)], anchor.suffix)
        if score > best_score:
            best, best_score = (at, stop), score
        at = body.find(anchor.exact, at + 1, hi)
    return best


def _between_context(
    body: str, anchor: StoredAnchor, start: int, lo: int, hi: int
) -> Reanchored | None:
    """The text rewritten between the claim's unchanged prefix and suffix (a paraphrase)."""
    prefix, suffix = anchor.prefix.lstrip(), anchor.suffix.rstrip()
    if len(prefix) < MIN_CONTEXT or len(suffix) < MIN_CONTEXT:
        return None
    candidates = []
    at = body.find(prefix, lo, hi)
    while at != -1:
        candidates.append(at + len(prefix))
        at = body.find(prefix, at + 1, hi)
    if not candidates:
        return None
    new_start = min(candidates, key=lambda c: abs(c - start))
    # Whatever replaced the quote may be longer, but not a whole new passage.
    limit = min(len(body), new_start + 2 * len(anchor.exact) + len(suffix) + 40)
    new_end = body.find(suffix, new_start, limit)
    if new_end == -1:
        return None
    inner = body[new_start:new_end]
    trimmed_start = new_start + len(inner) - len(inner.lstrip())
    trimmed_end = new_end - (len(inner) - len(inner.rstrip()))
    # Too short to be the same claim rephrased: the claim was cut and its neighbours closed up.
    if trimmed_end - trimmed_start < max(3, len(anchor.exact) // 3):
        return None
    return Reanchored(
        CHANGED,
        trimmed_start,
        trimmed_end,
        _ratio(body[trimmed_start:trimmed_end], anchor.exact),
    )
