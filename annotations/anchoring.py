"""Claim spans on an article body: checks, covered sentences, W3C quote selectors. Pure Python.

Offsets are Unicode code points (Python string indices), half-open `[start, end)`, as in the
W3C Web Annotation TextPositionSelector. The TextQuoteSelector (`exact` with up to
`QUOTE_CONTEXT` characters of `prefix` and `suffix`) lets a claim be found again if the body
changes; `anchor_quote` does that search.
"""

from collections.abc import Sequence
from dataclasses import dataclass

# The W3C model leaves the context length open; 32 code points tell apart repeated phrases in
# news text (a repeated quote with the same 32 characters around it is the same passage).
QUOTE_CONTEXT = 32


@dataclass(frozen=True, slots=True)
class QuoteSelector:
    exact: str
    prefix: str
    suffix: str

    def as_dict(self) -> dict[str, str]:
        return {
            "type": "TextQuoteSelector",
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
        }


def span_errors(*, start: int, end: int, length: int) -> dict[str, str]:
    """Field messages for a span that cannot be a claim on a body of `length` code points.

    Empty when `0 <= start < end <= length`.
    """
    errors: dict[str, str] = {}
    if start < 0:
        errors["start"] = f"start must be 0 or more (got {start})."
    elif start >= length:
        errors["start"] = (
            f"start {start} is past the end of the article body ({length} characters)."
        )
    if end > length:
        errors["end"] = f"end {end} is past the end of the article body ({length} characters)."
    elif end == start:
        errors["end"] = f"The span is empty: end must be greater than start ({start})."
    elif end < start:
        errors["end"] = f"end {end} is before start {start}: the span is reversed."
    return errors


def covered(spans: Sequence[tuple[int, int]], *, start: int, end: int) -> list[int]:
    """Indexes of the `(start, end)` spans sharing at least one code point with `[start, end)`."""
    return [i for i, (s, e) in enumerate(spans) if s < end and e > start]


def enclosing(spans: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The smallest span containing all `spans` (from the first start to the last end)."""
    if not spans:
        raise ValueError("No spans to enclose.")
    return min(s for s, _ in spans), max(e for _, e in spans)


def quote_selector(
    body: str, *, start: int, end: int, context: int = QUOTE_CONTEXT
) -> QuoteSelector:
    """The TextQuoteSelector of `body[start:end]`, with up to `context` characters either side."""
    return QuoteSelector(
        exact=body[start:end],
        prefix=body[max(0, start - context) : start],
        suffix=body[end : end + context],
    )


def anchor_quote(body: str, selector: QuoteSelector) -> tuple[int, int] | None:
    """Where `selector` points in `body`: the occurrence of `exact` whose context matches best.

    Scores each occurrence by the length of the common suffix of its prefix and the common
    prefix of its suffix; the first best wins. None when `exact` is not in the body.
    """
    if not selector.exact:
        return None
    best: tuple[int, int] | None = None
    best_score = -1
    at = body.find(selector.exact)
    while at != -1:
        end = at + len(selector.exact)
        score = _common_suffix(body[max(0, at - len(selector.prefix)) : at], selector.prefix)
        score += _common_prefix(body[end : end + len(selector.suffix)], selector.suffix)
        if score > best_score:
            best, best_score = (at, end), score
        at = body.find(selector.exact, at + 1)
    return best


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])
