"""Explaining a hit: the sentence that answers, the terms that matched, how sure we are."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import numpy as np

from . import numerals

@dataclass(frozen=True)
class Evidence:
    """What the confidence in one passage is computed from (bot/retriever.py gathers it).

    The lexical parts tell "about the thing asked" from "about something like
    it": a question on another railway, town or official shares the words of
    its kind (铁路, 镇, 处长) with the passages that are there, but not its name,
    and the name is usually the question's rarest word or one the index has
    never seen."""

    cosine: float        # dense similarity of question and passage
    coverage: float      # weighted share of the question's words found in the passage (title and section count)
    key: float           # share of the question's rarest words found in the passage
    novel: float         # weighted share of the question's words the index does not hold (English: nor as pinyin)
    latin: bool          # the question is not Chinese
    rank: int = 0        # position in the ranking (English questions' calibration uses it)
    matched: float = 0.0  # the general-use rarity of the question's words found in the passage, summed, / 10:
                          # "time" alone says little (What time is it?), a name and two rare words much
    unknown: float = 0.0  # English: weighted share of words no dictionary, index or name knows (gibberish)


# Logistic calibrations of P(passage answers the question), one per script.
# Chinese: fitted by bench/calibrate.py on the Chinese questions of the fit part of
# bench/nearmiss.py's sets (CMRC 2018 trial with half the contexts out of the index,
# entity swaps, questions about people not in the seed, nonsense and off-topic).
# English: the previous fit (cosine, coverage, rank; 2026-11-28), kept because the
# new evidence, refitted, called far fewer right English answers answered (seed
# 0.75 -> 0.13): English words reach Chinese text only through glosses and pinyin,
# so "went" counts as a word the index lacks. See bench/RESULTS.md (issue 11).
# Valid for the default model; other models' cosines sit elsewhere.
CALIBRATION = {"bias": -56.952, "cosine": 62.321, "coverage": 3.27, "key": 1.481, "novel": -4.347}
LATIN_CALIBRATION = {"bias": -8.905, "cosine": 8.17, "coverage": -0.908, "key": 2.325, "rank": -0.534, "matched": 0.761}
# An English question most of whose (IDF-weighted) words are neither in the index nor in
# CC-CEDICT's English nor pinyin (xxxxxxxxxx, asdf qwer, lorem ipsum) is not a question
# about anything: the English calibration, on cosine alone, called such 70% sure.
LATIN_GIBBERISH_AT = 0.5
RELEVANT_AT = 0.35          # below this confidence a hit is not an answer (Hit.relevant)

# Which sentence of a passage answers: a logistic score per sentence over
#   cosine   its cosine with the question, and `dcosine` that minus the passage's best;
#   words    the IDF share of the question's words it holds, not counting words of the
#            title/section (the topic: every sentence is about it), and `dwords` minus the best;
#   topic    the IDF share of the question's words it holds that are also in the title/section;
#   type     it holds the kind of thing asked for (a date for 何时/when, a number for 多少/how many,
#            a name for 谁/who, a place for 哪里/where, a cause for 为什么/why) not already in the question;
#   first    it opens the passage (where articles say what a thing is).
# Fitted by `python bench/highlight.py --fit` on half A of the CMRC trial (half B held out);
# English questions over Chinese text get their own weights (their cosines and matches are weaker).
SENTENCE_WEIGHTS = {
    "cjk": {"bias": -4.12, "cosine": 2.32, "dcosine": 2.48, "words": 4.47, "dwords": 4.5,
            "topic": 0.61, "type": 0.78, "first": 0.87},
    "latin": {"bias": -3.31, "cosine": 1.12, "dcosine": 1.28, "words": 3.41, "dwords": 2.5,
              "topic": 1.42, "type": 1.05, "first": 0.86},
}
FEATURES = ("cosine", "dcosine", "words", "dwords", "topic", "type", "first")
# A neighbouring sentence joins the highlight when its probability of holding the answer is
# at least this share of the best sentence's (the answer runs over both). Chosen on half A.
TWO_SENTENCES_AT = 0.6

QUESTION_TYPES = {
    "person": re.compile(r"谁|哪位|什么人|\bwho|\bwhom|\bwhose", re.I),
    "time": re.compile(r"何时|什么时候|哪一?年|哪天|几月|几号|哪个朝代|什么时期|什么年代|多少年"
                       r"|\bwhen\b|\b(?:what|which) (?:year|time|period|century|date)", re.I),
    "number": re.compile(r"多少|几|多[大长高重远久宽深]"
                         r"|\bhow (?:many|much|long|old|big|tall|high|far|large)|\bnumber of|percent", re.I),
    "place": re.compile(r"哪里|哪儿|何地|何处|在哪|哪个(?:国家|城市|地区|省|地方)|哪些地区|位于|分布"
                        r"|\bwhere\b|\bwhich (?:city|country|province|region|place)", re.I),
    "reason": re.compile(r"为什么|为何|原因|\bwhy\b", re.I),
}
_HOLDS = {
    "number": re.compile(r"\d|[一二三四五六七八九十百千万两]+[个人名位岁年次倍元米种]"),
    "time": re.compile(r"\d{2,4}年|\d+月|\d+日|[一二三四五六七八九〇零十]+年|世纪|年代|时期|时代|朝|期间|年间"),
    "reason": re.compile(r"因为|由于|因此|所以|为了|原因|导致|因而|以致|使得|因"),
    # A place is a name ending in a generic place word; a person only shows reliably in a
    # transliterated name (伊恩·法兰明). jieba's dictionary tags (ns, nr) did no better on
    # half A and cost ~4 ms a passage.
    "place": re.compile(r"[\u4e00-\u9fff]{1,5}(?:省|市|县|区|镇|乡|村|州|国|岛|山|河|湖|江|海|洋|洲|城|街|路"
                        r"|港|湾|盆地|平原|地区)"),
    "person": re.compile(r"[\u4e00-\u9fffA-Za-z]+·[\u4e00-\u9fffA-Za-z]+"),
}


def confidence(evidence: Evidence) -> float:
    """Calibrated probability that the passage answers the question."""
    if evidence.latin and evidence.unknown >= LATIN_GIBBERISH_AT:
        return 0.0      # mostly words of no language we know: nothing can answer it
    weights = LATIN_CALIBRATION if evidence.latin else CALIBRATION
    z = weights["bias"] + sum(w * float(getattr(evidence, f)) for f, w in weights.items() if f != "bias")
    return 1.0 / (1.0 + math.exp(-z))


def with_peers(evidences: list[Evidence]) -> list[float]:
    """Confidences for one question's hits, best first: several passages can answer.

    The calibration is fitted on one-answer questions, so of two passages holding the
    question's words equally (two people who both went to 南通镇), it calls the one the
    model finds a little less similar "probably another answer's neighbour". A passage
    whose lexical evidence (coverage and key words) is at least that of the most confident
    answer is judged with that answer's cosine: on the question's own words it answers as
    fully, and the dense similarity between such passages differs by what else they say.
    Passages without that evidence keep their own confidence."""
    own = [confidence(e) for e in evidences]
    if not evidences or max(own) < RELEVANT_AT:
        return own
    best = evidences[own.index(max(own))]
    return [max(c, confidence(replace(e, cosine=best.cosine)))
            if best.coverage > 0 and e.coverage >= best.coverage and e.key >= best.key else c
            for c, e in zip(own, evidences)]


def matched_words(terms: list[str], text: str) -> dict[str, str]:
    """{query term: the word of `text` it matches}, case-insensitive, in query order.

    Numbers match across scripts: the terms are in Arabic digits (lexical.words) and
    a 23 found in the text's 二十三 is shown as 二十三."""
    plain, spans = numerals.normalize(text)
    low = plain.lower()
    found = {}
    for t in terms:
        at = low.find(t.lower()) if t else -1
        if at >= 0:
            s, e = numerals.original_span(spans, at, at + len(t))
            found[t] = text[s:e]
    return found


def tags(words, text: str) -> list[str]:
    """The matched words worth marking in `text`, as it writes them: each once, none that is
    part of another (龙江 inside 黑龙江), no lone Chinese character (镇, 到: too common)."""
    words = list(dict.fromkeys(w for w in words if w and w.lower() in text.lower()))
    return [w for w in words if (len(w) > 1 or w.isascii())
            and not any(w != o and w.lower() in o.lower() for o in words)]


def question_types(question: str) -> list[str]:
    """What the question asks for: person, time, number, place, reason (any that apply)."""
    return [kind for kind, pattern in QUESTION_TYPES.items() if pattern.search(question)]


def holds(kind: str, sentence: str, question: str) -> bool:
    """Whether `sentence` holds a `kind` of thing (a date, a name...) that the question does not."""
    return any(m.group() not in question for m in _HOLDS[kind].finditer(sentence))


def sentence_features(question: str, sims: np.ndarray, spans, text: str, head: str,
                      weights: dict[str, float]) -> np.ndarray:
    """One row per sentence, columns as FEATURES. `weights`: {word of `text`: its share of
    the question's IDF}; `head`: the title and section."""
    n = len(spans)
    low, head = text.lower(), head.lower()
    words, topic = np.zeros(n), np.zeros(n)
    for word, w in weights.items():
        word = word.lower()
        into = topic if word in head else words
        for i, (s, e) in enumerate(spans):
            if word in low[s:e]:
                into[i] += w
    kinds = question_types(question)
    kind = np.array([float(any(holds(k, text[s:e], question) for k in kinds)) for s, e in spans]) \
        if kinds else np.zeros(n)
    return np.stack([sims, sims - sims.max(), words, words - words.max(), topic, kind,
                     (np.arange(n) == 0).astype(float)], axis=1)


def answer_span(question: str, query: np.ndarray, sentence_vectors: np.ndarray, spans, text: str,
                head: str, weights: dict[str, float], latin: bool) -> tuple[int, int]:
    """The span of the sentence that answers (two adjacent ones when the answer runs over both)."""
    if not spans:
        return (0, len(text))
    sims = np.asarray(sentence_vectors, dtype=np.float32) @ np.asarray(query, dtype=np.float32)
    w = SENTENCE_WEIGHTS["latin" if latin else "cjk"]
    z = sentence_features(question, sims, spans, text, head, weights) @ np.array([w[f] for f in FEATURES])
    best = int(np.argmax(z))
    start, end = spans[best]
    p = 1.0 / (1.0 + np.exp(-(z + w["bias"])))
    near = [j for j in (best - 1, best + 1) if 0 <= j < len(spans)]
    if near:
        j = max(near, key=lambda j: p[j])
        if p[j] >= TWO_SENTENCES_AT * p[best]:
            start, end = min(start, spans[j][0]), max(end, spans[j][1])
    return (start, end)
