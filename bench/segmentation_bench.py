"""MB/s of split_sentences against bare sentencex on the same text.

python bench/segmentation_bench.py [MEGABYTES]   (default 2)
"""

import sys
import time
from pathlib import Path

from sentencex import get_sentence_boundaries

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotations.segmentation import split_sentences  # noqa: E402


def _corpus(megabytes: float) -> str:
    sample = (ROOT / "annotations" / "demo_data" / "spain-probe-article.txt").read_text()
    spanish = (
        "La Dra. García dijo que el plan costará aprox. 5 millones de euros. ¿Es cierto? "
        "El Sr. Pérez lo negó ayer en Madrid.\n"
    )
    unit = sample + "\n" + spanish * 10
    return unit * max(1, int(megabytes * 1_000_000 / len(unit.encode())))


def _rate(label: str, fn, text: str) -> float:
    started = time.perf_counter()
    count = fn(text)
    seconds = time.perf_counter() - started
    mb = len(text.encode()) / 1_000_000
    print(f"{label:<32} {mb / seconds:7.2f} MB/s  ({count} sentences, {seconds:.2f} s)")
    return mb / seconds


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    text = _corpus(megabytes)
    print(f"corpus: {len(text.encode()) / 1_000_000:.2f} MB")

    def bare(t: str) -> int:  # sentencex with the same line pre-splitting, no repairs
        return sum(len(list(get_sentence_boundaries("en", line))) for line in t.split("\n"))

    base = _rate("sentencex (bare, per line)", bare, text)
    ours = _rate("split_sentences", lambda t: len(split_sentences(t, "en")), text)
    print(f"split_sentences runs at {ours / base:.0%} of bare sentencex")


if __name__ == "__main__":
    main()
