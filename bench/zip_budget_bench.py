"""ZIP budgets: how fast a bomb is refused, and what the measuring pass costs a real archive.

python bench/zip_budget_bench.py [ARTICLES]   (default 10000)

Parses in this process, no database: the budgets act in the parser, before any record is stored.
"""

import io
import json
import os
import random
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

import django  # noqa: E402

django.setup()

from annotations.importing import archives, formats  # noqa: E402
from annotations.importing.records import Limits  # noqa: E402


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _parse(data: bytes) -> tuple[int, int, float]:
    started = time.perf_counter()
    items = list(formats.parse(io.BytesIO(data), fmt="zip", limits=Limits()))
    seconds = time.perf_counter() - started
    return sum(1 for i in items if i.record), sum(1 for i in items if i.error), seconds


def main() -> None:
    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    bomb = _zip({"lines.jsonl": b"a\n" * 10_000_000})
    records, errors, seconds = _parse(bomb)
    print(f"bomb: {len(bomb) / 1024:.1f} KB unpacking to 20 MB of one-character lines")
    print(f"  refused in {seconds * 1000:.1f} ms ({records} records, {errors} error)")

    # Each article its own order of the sample's sentences: identical bodies would pack far
    # better than any real day's news (10,000 copies of one article pack over 100:1).
    sample = (ROOT / "annotations" / "demo_data" / "spain-probe-article.txt").read_text()
    sentences = [s.strip() + "." for s in sample.split(".") if s.strip()]
    shuffle = random.Random(13).shuffle

    def body(n: int) -> str:
        order = sentences[:]
        shuffle(order)
        return f"Story {n}. " + " ".join(order)

    lines = (
        json.dumps({"title": f"Story {n}", "body": body(n), "url": f"https://e.org/{n}"})
        for n in range(articles)
    )
    content = "\n".join(lines).encode()
    archive = _zip({"day.jsonl": content})
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        info = opened.infolist()[0]
        started = time.perf_counter()
        archives._measure(
            opened, info, budget=Limits().zip_max_bytes, limits=Limits(), packed=info.compress_size
        )
        measuring = time.perf_counter() - started
    records, errors, seconds = _parse(archive)
    print(
        f"real archive: {articles:,} articles, {len(content) / 1e6:.1f} MB in "
        f"{len(archive) / 1e6:.1f} MB (ratio {len(content) / len(archive):.1f}:1)"
    )
    print(
        f"  measuring pass {measuring * 1000:.0f} ms, whole parse {seconds:.2f} s "
        f"({measuring / seconds:.1%} of it); {records:,} records, {errors} errors"
    )


if __name__ == "__main__":
    main()
