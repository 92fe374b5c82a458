"""Nearest stored vectors by brute force in numpy, behind an interface an ANN index can replace.

Measured: about 12 ms a query over 100,000 vectors of 384 dimensions on this machine kind, so
brute force serves a desk up to that size. Each worker process keeps its index in memory and
reads only the rows changed since its last refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np
from django.utils import timezone

from annotations.models import ClaimEmbedding, ExternalFactCheckEmbedding

from .embedding import from_bytes

CLAIM = "claim"
EXTERNAL = "external"


@dataclass(frozen=True)
class Hit:
    kind: str  # CLAIM or EXTERNAL
    id: int
    score: float


class VectorIndex(Protocol):
    def refresh(self) -> None: ...

    def search(self, queries: np.ndarray, *, k: int, floor: float) -> list[list[Hit]]:
        """For each query row, up to k hits scoring at least `floor`, best first."""
        ...


@dataclass
class BruteForceIndex:
    """Every stored claim and external fact-check vector of one model, as one matrix."""

    model_id: str
    dim: int
    keys: list[tuple[str, int]] = field(default_factory=list)
    rows: dict[tuple[str, int], int] = field(default_factory=dict)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    refreshed_at: datetime | None = None

    def refresh(self) -> None:
        """Read the vectors written since the last refresh (all of them the first time)."""
        started = timezone.now()
        sources = (
            (CLAIM, ClaimEmbedding, "claim_id"),
            (EXTERNAL, ExternalFactCheckEmbedding, "fact_check_id"),
        )
        new_keys: list[tuple[str, int]] = []
        new_vectors: list[np.ndarray] = []
        for kind, model, key in sources:
            rows = model.objects.filter(model_id=self.model_id)
            if self.refreshed_at is not None:
                rows = rows.filter(updated_at__gte=self.refreshed_at)
            for object_id, vector in rows.values_list(key, "vector").iterator(chunk_size=2000):
                new_keys.append((kind, object_id))
                new_vectors.append(from_bytes(vector))
        if self.matrix.shape[1] != self.dim:
            self.matrix = np.zeros((0, self.dim), np.float32)
        appended: list[tuple[tuple[str, int], np.ndarray]] = []
        for row_key, vector in zip(new_keys, new_vectors, strict=True):
            if row_key in self.rows:
                self.matrix[self.rows[row_key]] = vector
            else:
                self.rows[row_key] = len(self.keys) + len(appended)
                appended.append((row_key, vector))
        if appended:
            self.keys.extend(key for key, _ in appended)
            self.matrix = np.vstack([self.matrix, np.stack([v for _, v in appended])])
        # Rows committed while we read carry an updated_at before `started`: read them again.
        self.refreshed_at = started - timedelta(seconds=5)

    def search(self, queries: np.ndarray, *, k: int, floor: float) -> list[list[Hit]]:
        if len(self.keys) == 0 or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        scores = np.asarray(queries, np.float32) @ self.matrix.T
        k = min(k, scores.shape[1])
        best = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        results = []
        for row, candidates in enumerate(best):
            ordered = candidates[np.argsort(-scores[row, candidates])]
            results.append(
                [
                    Hit(self.keys[i][0], self.keys[i][1], float(scores[row, i]))
                    for i in ordered
                    if scores[row, i] >= floor
                ]
            )
        return results


_indexes: dict[str, BruteForceIndex] = {}


def index_for(model_id: str, dim: int) -> BruteForceIndex:
    """This process's index for a model, refreshed with what was written since last time."""
    index = _indexes.get(model_id)
    if index is None or index.dim != dim:
        index = _indexes[model_id] = BruteForceIndex(model_id=model_id, dim=dim)
    index.refresh()
    return index


def forget_indexes() -> None:
    """Drop the in-memory indexes (tests flush the database under them)."""
    _indexes.clear()
