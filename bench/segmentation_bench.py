"""MB/s of split_sentences against bare sentencex on the same text, and Golden Rules scores.

python bench/segmentation_bench.py [MEGABYTES] [ROUNDS]   (default 2 MB, best of 5 rounds)

The floor is sentencex alone over the whole text, one call: `get_sentence_boundaries` (the call
that gives offsets, as we need them) and, for reference, `segment` (its sentence strings only,
no offsets). Each is timed in the same rounds as ours, interleaved, and the best round counts,
so a busy machine weighs on all alike. The Golden Rules are the sets of tests/fixtures/segmentation.
"""

import json
import sys
import time
from pathlib import Path

from sentencex import get_sentence_boundaries, segment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotations.segmentation import sentence_offsets, split_sentences  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "segmentation"


def _corpus(megabytes: float) -> str:
    sample = (ROOT / "annotations" / "demo_data" / "spain-probe-article.txt").read_text()
    spanish = (
        "La Dra. García dijo que el plan costará aprox. 5 millones de euros. ¿Es cierto? "
        "El Sr. Pérez lo negó ayer en Madrid.\n"
    )
    unit = sample + "\n" + spanish * 10
    return unit * max(1, int(megabytes * 1_000_000 / len(unit.encode())))


def _golden(language: str) -> tuple[int, int, int]:
    """Cases passed by split_sentences, by sentencex alone (line by line), and the total."""
    cases = json.loads((FIXTURES / f"golden_{language}.json").read_text(encoding="utf-8"))

    def bare(text: str) -> list[str]:
        return [
            s.strip() for line in text.split("\n") for s in segment(language, line) if s.strip()
        ]

    ours = sum(
        [s.text for s in split_sentences(c["text"], language)] == c["expected"] for c in cases
    )
    alone = sum(bare(c["text"]) == c["expected"] for c in cases)
    return ours, alone, len(cases)


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    text = _corpus(megabytes)
    mb = len(text.encode()) / 1_000_000
    contenders = {
        "sentencex get_sentence_boundaries": lambda: get_sentence_boundaries("en", text),
        "sentencex segment (no offsets)": lambda: segment("en", text),
        "split_sentences": lambda: split_sentences(text, "en"),
        "sentence_offsets": lambda: sentence_offsets(text, "en"),
    }
    best = dict.fromkeys(contenders, float("inf"))
    counts = {}
    for _ in range(rounds):
        for label, run in contenders.items():
            started = time.process_time()
            counts[label] = len(run())
            best[label] = min(best[label], time.process_time() - started)
    print(f"corpus: {mb:.2f} MB, best of {rounds} rounds")
    for label, seconds in best.items():
        print(
            f"{label:<36} {mb / seconds:7.2f} MB/s  {seconds * 1000:7.1f} ms"
            f"  ({counts[label]} items)"
        )
    floor = best["sentencex get_sentence_boundaries"]
    for label in ("split_sentences", "sentence_offsets"):
        print(
            f"{label} takes {best[label] / floor:.2f}x bare sentencex (get_sentence_boundaries), "
            f"{best[label] / best['sentencex segment (no offsets)']:.2f}x its segment"
        )
    for language in ("en", "es"):
        ours, alone, total = _golden(language)
        print(
            f"Golden Rules {language}: split_sentences {ours}/{total},"
            f" sentencex alone {alone}/{total}"
        )


if __name__ == "__main__":
    main()
