"""Score fusion: how the dense and lexical rankings combine into one.

Weighted reciprocal rank fusion. The dense ranking always votes with weight
1; a lexical channel votes with a weight that grows with its evidence (the
share of the question's IDF mass it found in the index), so a side that has
nothing to say about the question (an English question against Chinese
words, say) cannot push a good dense ranking down. The pinyin and gloss
channels only speak for Latin-script questions. Every weight lives here.
"""

from __future__ import annotations

import numpy as np

RRF_K = 20                 # rank damping; small because candidate lists are short
WORDS_WEIGHT = 1.0         # the words channel at full evidence
PINYIN_WEIGHT = 1.0        # the pinyin channel at full evidence
GLOSS_WEIGHT = 1.0         # the English-gloss channel at full evidence
EVIDENCE_POWER = 2.0       # weak evidence counts much less than strong


def channel_weight(channel: str, evidence: float, cjk_question: bool) -> float:
    if channel != "words" and cjk_question:
        return 0.0
    base = {"words": WORDS_WEIGHT, "pinyin": PINYIN_WEIGHT, "gloss": GLOSS_WEIGHT}[channel]
    return base * evidence ** EVIDENCE_POWER


def fuse(rankings: list[tuple[np.ndarray, float]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Combine (ids best first, weight) rankings; returns the top `k` ids and fused scores."""
    scores: dict[int, float] = {}
    for ids, weight in rankings:
        if weight <= 0:
            continue
        for rank, pid in enumerate(ids.tolist()):
            scores[pid] = scores.get(pid, 0.0) + weight / (RRF_K + rank + 1)
    if not scores:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    ids = np.fromiter(scores, dtype=np.int64, count=len(scores))
    vals = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    order = np.lexsort((ids, -vals))[:k]   # ties break by passage order: deterministic
    return ids[order], vals[order].astype(np.float32)
