"""Which sentence of a passage answers the question: the highlight.

A small logistic score per sentence over what it shares with the question
(`sentence_features`), the best sentence, and its neighbour when a second
logistic score says the answer runs over both (`join_features`, `answer_span`). Runs for every hit at search time: plain
string matching over a passage's few sentences, well under a millisecond.
"""

from __future__ import annotations

import re

import numpy as np

from . import numerals, segment, word_rarity

# A logistic score per sentence over:
#   cosine   its cosine with the question, and `dcosine` that minus the passage's best;
#   words    the IDF share of the question's words it holds, not counting words of the
#            title/section (the topic: every sentence is about it), and `dwords` minus the best;
#   topic    the IDF share of the question's words it holds that are also in the title/section;
#   type     it holds the kind of thing asked for (a date for 何时/when, a number for 多少/how many,
#            a name for 谁/who, a place for 哪里/where, a cause for 为什么/why) not already in the question;
#   first    it opens the passage (where articles say what a thing is);
#   chars    the share of the question's Chinese characters it holds (rarer ones weigh more): the
#            words of a question and of its answer are often cut differently (根有 / 根稍, 美誉 / 誉为);
#            for an English question, the characters of the Chinese words it matched in the passage;
#   carry    `topic`, or half the previous sentence's `carry` if more: a sentence that names the
#            topic only as 他/它/该... follows one that names it;
#   lcs      the longest run of the question's own text it holds (not within the title/section),
#            up to 8 characters: the answer sentence often restates the question ("1995年8月，任").
# Fitted by `python bench/highlight.py --fit --dev ...` on half A of the CMRC 2018 trial and
# the CMRC 2018 dev set (other articles; trial half B held out). English questions over
# Chinese text have their own weights, fitted on half A, without carry and lcs (their words
# reach the text through glosses; carry did not help them).
SENTENCE_WEIGHTS = {
    "cjk": {"bias": -9.01, "cosine": 8.2, "dcosine": 19.57, "words": 0.2, "dwords": 4.03, "topic": -3.93,
            "type": 0.33, "first": 0.66, "chars": 3.16, "carry": 3.31, "lcs": 0.68},
    "latin": {"bias": -6.58, "cosine": 4.81, "dcosine": 8.09, "words": 1.78, "dwords": 2.2, "topic": 1.03,
              "type": 1.12, "first": 0.86, "chars": 2.37, "carry": 0.0, "lcs": 0.0},
}
FEATURES = ("cosine", "dcosine", "words", "dwords", "topic", "type", "first", "chars", "carry", "lcs")
# Whether the best sentence's better neighbour joins the highlight (the answer runs over
# both, or the best sentence only restates the question): a logistic score over
#   p           the neighbour's probability of holding the answer (the score above),
#   dz          the best sentence's score minus the neighbour's,
#   after       the neighbour follows the best sentence,
#   novel       the share of the best sentence's characters that are neither the question's
#               nor the topic's: a sentence that only restates the question leaves the answer
#               to its neighbour;
#   type_best, type_near   their `type`: which of them holds the kind of thing asked for;
#   refers      the later of the two opens by referring back (因此, 这, 他...): they are one thought;
#   explain     the question asks why or how: an explanation often takes two sentences;
#   chars_best, chars_near   their `chars`.
# Fitted by `python bench/highlight.py --fit --dev ...` on the Chinese questions of half A
# and the CMRC 2018 dev set; English questions use the same weights (their half A was not
# trained on for the join: 0.746 -> 0.779 there, 62.6 -> 63.6 characters). The neighbour joins at
# JOIN_AT, chosen on half A and the dev set: highlights about as long as with the old rule
# (a neighbour at 0.4 of the best sentence's probability), more of them holding the answer.
JOIN_WEIGHTS = {"bias": -1.15, "p": 0.85, "dz": -0.4, "after": 0.61, "novel": -1.55, "type_best": -1.33,
                "type_near": 1.01, "refers": 0.77, "explain": 0.94, "chars_best": -1.07, "chars_near": 0.95}
JOIN_FEATURES = ("p", "dz", "after", "novel", "type_best", "type_near", "refers", "explain",
                 "chars_best", "chars_near")
JOIN_AT = 0.08
LCS_CAP = 8
CARRY = 0.5

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
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A sentence that opens by referring to the one before it (a conclusion, a pronoun, a sequel).
_REFERS_BACK = re.compile(r"(?:因此|所以|于是|因而|故|这|此|该|他|她|它|其|但|而|并|且|后来|随后|之后|同时|然而"
                          r"|不过|从而|由此|由于|也)")
_EXPLAIN = re.compile(r"为什么|为何|原因|如何|怎样|怎么|什么样"
                      r"|\bwhy\b|\bhow\b(?! (?:many|much|long|old|big|tall|high|far|large))", re.I)
# Characters of a Chinese question that say nothing of what it is about: function
# characters and the question words themselves (什么, 哪里, 多少, 何时...).
_FUNCTION_CHARACTERS = frozenset("的了是在和与及或也都就而又还被把对从到向于以为之其这那有个中上下等着过"
                                 "吗呢吧啊呀么什谁哪几多少怎样如何时地否请问一我你他她它们里候")


def question_types(question: str) -> list[str]:
    """What the question asks for: person, time, number, place, reason (any that apply)."""
    return [kind for kind, pattern in QUESTION_TYPES.items() if pattern.search(question)]


def holds(kind: str, sentence: str, question: str) -> bool:
    """Whether `sentence` holds a `kind` of thing (a date, a name...) that the question does not."""
    return any(m.group() not in question for m in _HOLDS[kind].finditer(sentence))


def _plain(text: str) -> str:
    """Numbers in digits, lower case: how the question's text is looked for in a sentence."""
    return numerals.arabic(text).lower()


def longest_shared_run(question: str, sentence: str, head: str) -> int:
    """Length of the longest run of `question` found in `sentence` but not in `head`
    (all already _plain). Runs are grown from each start while they are found."""
    best = 0
    for i in range(len(question)):
        if i + best >= len(question):
            break
        if question[i] not in sentence:
            continue
        for j in range(i + best + 1, len(question) + 1):
            if question[i:j] not in sentence:
                break
            if question[i:j] not in head:
                best = j - i
    return best


def sentence_features(question: str, sims: np.ndarray, spans, text: str, head: str,
                      weights: dict[str, float]) -> np.ndarray:
    """One row per sentence, columns as FEATURES. `weights`: {word of `text`: its share of
    the question's IDF}; `head`: the title and section."""
    n = len(spans)
    low, head = text.lower(), head.lower()
    sentences = [text[s:e] for s, e in spans]
    words, topic = np.zeros(n), np.zeros(n)
    for word, w in weights.items():
        word = word.lower()
        into = topic if word in head else words
        for i, (s, e) in enumerate(spans):
            if word in low[s:e]:
                into[i] += w
    kinds = question_types(question)
    kind = np.array([float(any(holds(k, t, question) for k in kinds)) for t in sentences]) \
        if kinds else np.zeros(n)
    cjk = segment.is_cjk_question(question)
    rarity = _asked_characters(question, weights, head)
    total = sum(rarity.values()) or 1.0
    chars = np.array([sum(w for ch, w in rarity.items() if ch in t) / total for t in sentences])
    carry = topic.copy()
    for i in range(1, n):
        carry[i] = max(carry[i], CARRY * carry[i - 1])
    if cjk:
        q, h = _plain(question), _plain(head)
        lcs = np.array([min(longest_shared_run(q, _plain(t), h), LCS_CAP) / LCS_CAP for t in sentences])
    else:   # an English question's text is not in Chinese sentences
        lcs = np.zeros(n)
    return np.stack([sims, sims - sims.max(), words, words - words.max(), topic, kind,
                     (np.arange(n) == 0).astype(float), chars, carry, lcs], axis=1)


def _asked_characters(question: str, weights: dict[str, float], head: str) -> dict[str, float]:
    """{character: its rarity} of the question's own Chinese characters outside the topic (an
    English question's: those of the Chinese words it matched in the passage)."""
    asked = question if segment.is_cjk_question(question) else "".join(weights)
    return {ch: word_rarity.rarity(ch) for ch in dict.fromkeys(asked)
            if _CJK.match(ch) and ch not in _FUNCTION_CHARACTERS and ch not in head}


def novelty(sentence: str, asked, head: str) -> float:
    """The share of a sentence's content characters that are neither `asked` nor in `head`."""
    content = [ch for ch in sentence if _CJK.match(ch) and ch not in _FUNCTION_CHARACTERS]
    return sum(ch not in asked and ch not in head for ch in content) / len(content) if content else 0.0


def join_features(question: str, features: np.ndarray, z: np.ndarray, best: int, near: int,
                  sentences: list[str], asked, head: str) -> np.ndarray:
    """JOIN_FEATURES of the best sentence and its neighbour `near`; `features` and `z` are the
    passage's sentence_features and sentence scores (bias included)."""
    p = 1.0 / (1.0 + np.exp(-z[near]))
    later = sentences[max(best, near)]
    type_, chars = FEATURES.index("type"), FEATURES.index("chars")
    return np.array([p, z[best] - z[near], float(near > best), novelty(sentences[best], asked, head),
                     features[best, type_], features[near, type_], float(bool(_REFERS_BACK.match(later))),
                     float(bool(_EXPLAIN.search(question))), features[best, chars], features[near, chars]])


def choose(question: str, features: np.ndarray, spans, text: str, head: str, weights: dict[str, float],
           sentence_weights: dict[str, float], join_weights: dict[str, float] = JOIN_WEIGHTS,
           join_at: float = JOIN_AT, extra: np.ndarray | None = None) -> tuple[int, int]:
    """The span of the best sentence by `sentence_weights`, with its better neighbour (by the
    join score) when that clears `join_at`. `features`: sentence_features; `extra`: a score
    per sentence added to the weighted features (bench/highlight.py tries learned terms so)."""
    z = features @ np.array([sentence_weights[f] for f in FEATURES]) + sentence_weights["bias"]
    if extra is not None:
        z = z + extra
    best = int(np.argmax(z))
    start, end = spans[best]
    near = [j for j in (best - 1, best + 1) if 0 <= j < len(spans)]
    if near:
        sentences = [text[s:e] for s, e in spans]
        asked = _asked_characters(question, weights, head.lower())
        w = np.array([join_weights[f] for f in JOIN_FEATURES])
        scores = {j: join_features(question, features, z, best, j, sentences, asked, head.lower()) @ w
                  + join_weights["bias"] for j in near}
        j = max(scores, key=scores.get)
        if 1.0 / (1.0 + np.exp(-scores[j])) >= join_at:
            start, end = min(start, spans[j][0]), max(end, spans[j][1])
    return (start, end)


def answer_span(question: str, query: np.ndarray, sentence_vectors: np.ndarray, spans, text: str,
                head: str, weights: dict[str, float], latin: bool) -> tuple[int, int]:
    """The span of the sentence that answers (two adjacent ones when the answer runs over both)."""
    if not spans:
        return (0, len(text))
    sims = np.asarray(sentence_vectors, dtype=np.float32) @ np.asarray(query, dtype=np.float32)
    features = sentence_features(question, sims, spans, text, head, weights)
    return choose(question, features, spans, text, head, weights, SENTENCE_WEIGHTS["latin" if latin else "cjk"])
