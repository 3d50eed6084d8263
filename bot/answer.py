"""Explaining a hit: the terms that matched, how sure we are (the sentence that answers:
answer_sentence.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

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
    absent: float = 0.0   # 1 if the question names someone or something (a person, town, railway)
                          # the index's articles never mention: a near miss on look-alike articles


# Logistic calibrations of P(passage answers the question), one per script, each fitted
# by bench/calibrate.py on its script's questions of the fit part of bench/nearmiss.py's
# sets (CMRC 2018 trial with half the contexts out of the index, entity swaps,
# follow-ups, questions about what an indexed article does not say, people not in the
# seed, look-alike news articles with near misses, nonsense and off-topic). Chinese
# questions weigh a name the index never mentions (`absent`: on look-alike articles the
# cosine of 南屿镇医疗队... to the 江田镇医疗队 passage is a right answer's); so do English
# questions, for names that read as pinyin (Lin Haiyan; Wang Lei). English questions weigh what matched by general-use
# rarity and lean less on the cosine: across languages the dense similarity says less
# (features chosen by cross-validation on the fit part: `calibrate.py --cv`). The English
# weights were fitted before a name's words counted as rare as the name for `key` (1da3a28):
# a refit on today's evidence answers one fit-part question fewer, so they were kept.
# See bench/RESULTS.md (issue 11). Valid for the default model; other models' cosines sit elsewhere.
CALIBRATION = {"bias": -49.097, "cosine": 53.219, "coverage": 2.99, "key": 0.98, "novel": -2.209, "absent": -2.318}
LATIN_CALIBRATION = {"bias": -13.173, "cosine": 13.606, "coverage": -0.449, "key": 1.556, "rank": -0.514, "matched": 0.834, "absent": -2.787}
# An English question most of whose (IDF-weighted) words are neither in the index nor in
# a dictionary nor pinyin nor numbers (xxxxxxxxxx, asdf qwer, lorem ipsum) is not a question
# about anything: the English calibration, on cosine alone, called such 70% sure.
LATIN_GIBBERISH_AT = 0.5
RELEVANT_AT = 0.35          # below this confidence a hit is not an answer (Hit.relevant)

def confidence(evidence: Evidence) -> float:
    """Calibrated probability that the passage answers the question."""
    if evidence.latin and evidence.unknown >= LATIN_GIBBERISH_AT:
        return 0.0      # mostly words of no language we know: nothing can answer it
    weights = LATIN_CALIBRATION if evidence.latin else CALIBRATION
    z = weights["bias"] + sum(w * float(getattr(evidence, f)) for f, w in weights.items() if f != "bias")
    return 1.0 / (1.0 + math.exp(-z))


def with_peers(evidences: list[Evidence]) -> list[float]:
    """Confidences for one question's hits (in any order): several passages can answer.

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
