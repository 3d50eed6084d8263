"""Explaining a hit: the sentence that answers, the terms that matched, how sure we are."""

from __future__ import annotations

import math

import numpy as np

# Logistic calibration of P(passage answers the question) from the hit's
# dense cosine, its lexical coverage, its rank and the question's script. Fitted by
# bench/calibrate.py on CMRC 2018 trial questions (half the contexts held out
# of the index, so unanswerable questions are in the data); see bench/RESULTS.md.
# Valid for the default model; other models' cosines sit elsewhere.
CALIBRATION = {"bias": -59.213, "cosine": 64.661, "coverage": 6.403, "rank": -0.367, "latin": 7.773}
RELEVANT_AT = 0.35          # below this confidence a hit is not shown as an answer
SENTENCE_TERM_BONUS = 0.05  # per matched term share: breaks near-ties between sentences


def confidence(cosine: float, coverage: float, rank: int, latin: bool) -> float:
    """`latin`: the question is not Chinese (cross-language cosines run lower)."""
    c = CALIBRATION
    z = (c["bias"] + c["cosine"] * cosine + c["coverage"] * coverage + c["rank"] * rank
         + c["latin"] * latin)
    return 1.0 / (1.0 + math.exp(-z))


def matched_terms(terms: list[str], text: str) -> list[str]:
    """Query terms that occur in `text` (case-insensitive), in query order."""
    low = text.lower()
    return [t for t in terms if t and t.lower() in low]


def best_sentence(query: np.ndarray, sentence_vectors: np.ndarray,
                  spans: tuple[tuple[int, int], ...], text: str, terms: list[str]) -> tuple[int, int]:
    """The span of the sentence closest to the question, nudged by matched terms."""
    if not spans:
        return (0, len(text))
    sims = np.asarray(sentence_vectors, dtype=np.float32) @ query
    if terms:
        for i, (s, e) in enumerate(spans):
            sims[i] += SENTENCE_TERM_BONUS * len(matched_terms(terms, text[s:e])) / len(terms)
    return tuple(spans[int(np.argmax(sims))])
