"""The dense side: passage vectors in a FAISS index (inner product on unit vectors = cosine).

The index type is chosen by size: exact search while it is fast enough,
HNSW above that (see bench/RESULTS.md for the measured threshold and recall).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# Exact search reads every vector for every question: its latency grows linearly (p50
# about 7 ms at 50k vectors on the 2-core reference machine, 13 ms at 100k, 110 ms at 1M),
# while HNSW stays under 1 ms with recall@10 >= 0.997 up to 1M. Below this size exact
# search: it keeps a question's dense search a small part of the 30 ms budget, and its
# build is free (HNSW is rebuilt with every new generation). Measured by bench/speed.py;
# numbers in bench/RESULTS.md (speed section).
EXACT_MAX_VECTORS = 50_000
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

    def search(self, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosine scores of the `k` nearest passages, best first.

        `allowed` (ascending ids), when given, is the only part searched: the nearest
        passages within it, not the nearest overall filtered afterwards."""
        import faiss

        k = min(k, self.index.ntotal if allowed is None else len(allowed))
        if k == 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        if allowed is not None and self.kind == "hnsw" and len(allowed) <= EXACT_MAX_VECTORS:
            # A graph walk that may stop only at a few allowed nodes misses some of them;
            # a part as small as what exact search handles is scored exactly instead.
            sims = self.index.reconstruct_batch(allowed) @ query.astype(np.float32)
            top = np.argsort(-sims, kind="stable")[:k]
            return allowed[top].astype(np.int64), sims[top]
        selector = faiss.IDSelectorBatch(allowed) if allowed is not None else None
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k), sel=selector)
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        # One question is one thread's work. A team of OpenMP threads only adds a barrier,
        # and that barrier costs tens of milliseconds whenever the cores are busy (an index
        # build, another process): 45 ms instead of 1.7 ms for 10k vectors on a loaded
        # 2-core machine (bench/RESULTS.md). The setting is per calling thread, so it is
        # restored for whatever this thread runs next (a build wants all cores).
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]

    def vector(self, pid: int) -> np.ndarray:
        """Passage `pid`'s vector."""
        return self.index.reconstruct(int(pid))

    def save(self, path: Path) -> None:
        import faiss
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        import faiss
        return cls(faiss.read_index(str(path)))


def best_sentence_scores(query: np.ndarray, sentence_vectors: np.ndarray, offsets: np.ndarray,
                         candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidate passages ranked by their best sentence's cosine with `query`, best first.

    Passage i's sentences are rows offsets[i]:offsets[i+1] of `sentence_vectors`.
    Only candidates are scored (the passages some side already found), so the cost
    does not grow with the index."""
    candidates = np.unique(np.asarray(candidates, dtype=np.int64))
    counts = offsets[candidates + 1] - offsets[candidates]
    candidates, counts = candidates[counts > 0], counts[counts > 0]
    if len(candidates) == 0:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    rows = np.repeat(offsets[candidates] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    sims = np.asarray(sentence_vectors[rows], dtype=np.float32) @ query.astype(np.float32)
    best = np.maximum.reduceat(sims, np.cumsum(counts) - counts)
    order = np.argsort(-best, kind="stable")
    return candidates[order], best[order]


class SentenceVectors:
    """Every passage's sentence vectors: rows offsets[i]:offsets[i+1] of `vectors` are passage i's."""

    def __init__(self, vectors: np.ndarray, offsets: np.ndarray):
        self.vectors, self.offsets = vectors, offsets

    def of(self, pid: int) -> np.ndarray:
        return self.vectors[self.offsets[pid]:self.offsets[pid + 1]]

    def best(self, query: np.ndarray, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return best_sentence_scores(query, self.vectors, self.offsets, candidates)
