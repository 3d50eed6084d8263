"""Score fusion: how the dense and lexical rankings combine into one.

Weighted rank-and-margin fusion. The dense ranking always votes with weight
1; a lexical channel votes with a weight that grows with its evidence (the
share of the question's IDF mass it found in the index), so a side that has
nothing to say about the question (an English question against Chinese
words, say) cannot push a good dense ranking down. The pinyin and gloss
channels only speak for Latin-script questions, and so does the sentence
ranking: the candidates ranked by their best sentence's cosine, which finds
the one sentence an English question is about where the whole Chinese
passage's vector is too diluted to (Chinese questions have the words channel
for that). Every weight lives here; bench/tune_fusion.py is the sweep they
were chosen from (a noisy plateau: see bench/RESULTS.md).
"""

from __future__ import annotations

import numpy as np

RRF_K = 10                 # rank damping; small because candidate lists are short
WORDS_WEIGHT = 1.0         # the words channel at full evidence
PINYIN_WEIGHT = 2.0        # the pinyin channel at full evidence: a rare name is strong evidence
GLOSS_WEIGHT = 2.0         # the English-gloss channel at full evidence
SENTENCE_WEIGHT = 1.5      # the best-sentence ranking (Latin-script questions only)
EVIDENCE_POWER = 1.0       # a vote in proportion to the evidence
SCORE_SHARE = 0.75         # how much of a vote is score margin rather than rank


def channel_weight(channel: str, evidence: float, cjk_question: bool) -> float:
    """The vote of a lexical channel: its weight at full evidence, scaled by its evidence."""
    if channel != "words" and cjk_question:
        return 0.0
    base = {"words": WORDS_WEIGHT, "pinyin": PINYIN_WEIGHT, "gloss": GLOSS_WEIGHT}[channel]
    return base * evidence ** EVIDENCE_POWER


def sentence_weight(cjk_question: bool) -> float:
    """The vote of the best-sentence ranking."""
    return 0.0 if cjk_question else SENTENCE_WEIGHT


def candidates(rankings: list[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """The passages found by the rankings that have a say: what the sentence ranking scores."""
    return np.concatenate([np.empty(0, np.int64)] + [ids for ids, _, weight in rankings if weight > 0])


def fuse(rankings: list[tuple[np.ndarray, np.ndarray, float]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Combine (ids best first, scores, weight) rankings; returns the top `k` ids and fused scores.

    Each list (scores best first) gives an item a rank vote, (RRF_K + 1) / (RRF_K + rank + 1), and
    a margin vote, its score min-max scaled within the list; SCORE_SHARE mixes
    them. The margin vote is what lets a decisive BM25 win beat a dense near-tie.
    """
    fused: dict[int, float] = {}
    for ids, scores, weight in rankings:
        if weight <= 0 or len(ids) == 0:
            continue
        scores = np.asarray(scores, dtype=np.float64)
        span = scores.max() - scores.min()
        margin = (scores - scores.min()) / span if span > 0 else np.ones_like(scores)
        # tied scores share the better rank: list order must not break a tie on its own
        rank = np.searchsorted(-scores, -scores, side="left")
        rank_vote = (RRF_K + 1) / (RRF_K + rank + 1)
        votes = weight * ((1 - SCORE_SHARE) * rank_vote + SCORE_SHARE * margin)
        for pid, vote in zip(ids.tolist(), votes.tolist()):
            fused[pid] = fused.get(pid, 0.0) + vote
    if not fused:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    ids = np.fromiter(fused, dtype=np.int64, count=len(fused))
    vals = np.fromiter(fused.values(), dtype=np.float64, count=len(fused))
    order = np.lexsort((ids, -vals))[:k]   # ties break by passage order: deterministic
    return ids[order], vals[order].astype(np.float32)
