"""The dense side: passage vectors in a FAISS index (inner product on unit vectors = cosine).

The index type is chosen by size: exact search while it is fast enough,
HNSW above that (see bench/RESULTS.md for the measured threshold and recall).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

EXACT_MAX_VECTORS = 200_000   # above this, exact search is too slow for an interactive answer
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


class DenseIndex:
    def __init__(self, index):
        self.index = index

    @property
    def kind(self) -> str:
        return "hnsw" if "HNSW" in type(self.index).__name__ else "flat"

    def __len__(self) -> int:
        return self.index.ntotal

    @classmethod
    def index_vectors(cls, vectors: np.ndarray, kind: str | None = None) -> "DenseIndex":
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        kind = kind or ("flat" if len(vectors) <= EXACT_MAX_VECTORS else "hnsw")
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        else:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.add(vectors)
        return cls(index)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosine scores of the `k` nearest passages, best first."""
        import faiss

        k = min(k, self.index.ntotal)
        if k == 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k)) \
            if self.kind == "hnsw" else None
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]

    def save(self, path: Path) -> None:
        import faiss
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        import faiss
        return cls(faiss.read_index(str(path)))
