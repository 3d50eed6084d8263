"""A question that refers back: 她后来去了哪里? and "Where did she go afterwards?" name what they ask
about only by a pronoun or an opening (后来, "what about"). bot/conversation.py reads such a question
with the turn before it; asked on its own, one that says nothing else of what it asks about
(`names_nothing`) has no answer: which "she"?"""

from __future__ import annotations

import re

from . import chinese_script, proper_names, segment, word_rarity

# A back-reference is a pronoun (which conversation.resolve replaces by a name) or an opening.
NOT_OTHER = r"(?<![其吉])"                  # not 其他, 吉他
NOT_A_SURNAME = r"(?!\s+(?-i:[A-Z][a-z]))"   # not a surname before a given name: "Where did He Ming go?"
ZH_PRONOUN = re.compile(NOT_OTHER + r"[他她它]们?|这位|那位|此人|这个人|那个人")
EN_PRONOUN = re.compile(r"\b(he|she|him|her|they|them|this person)\b" + NOT_A_SURNAME, re.I)
_ZH_BACKREF = re.compile(ZH_PRONOUN.pattern + r"|^该|^那|^还有|^然后|^之后|^后来")
_EN_BACKREF = re.compile(EN_PRONOUN.pattern + r"|\b(his|hers|their|that one)\b"
                         r"|^(and|what about|how about|then|after that)\b", re.I)
COMMON_RARITY = 8.0   # words commoner than this in general use (做 7.1, 工作 6.8; not 社区 9.2), names aside, say little
# A Chinese word at least this rare in general use says what is asked about (防汛 12.5, 镇长 11.0, 洪水 10.7); one
# commoner (职务 9.6, 医生 9.6, 转移 9.6, 镇 8.6) does not say which one: 那位医生, 他担任什么职务?
NAMING_RARITY = 10.0
# English words as common as these say nothing of what is asked (go 6.2, do 6.6, happen 5.2; not flood 4.4, bridge
# 4.6), nor do the words placing it in time ("afterwards" 4.3 is rarer than many topics).
COMMON_ZIPF = 5.0
_EN_WHEN = frozenset("afterward afterwards later then next now before earlier previously subsequently eventually "
                     "finally first last again also else".split())


def says_little(word: str, rarity_under: float) -> bool:
    """Whether a Chinese word is commoner than `rarity_under` in general use and no place's, person's or body's name
    (北京 7.5 is a name, not a common word)."""
    return word_rarity.rarity(word) < rarity_under and not segment.dictionary_tag(word).startswith(("ns", "nr", "nt"))


def refers_back(question: str) -> bool:
    """Whether `question` refers back (a pronoun, an opening such as 后来 or "what about"), in either script."""
    question = chinese_script.for_reading(question)
    return bool(_ZH_BACKREF.search(question) or _EN_BACKREF.search(question.strip()))


def names_nothing(question: str) -> bool:
    """Whether a question that refers back says nothing else of what it asks about: past its back-references,
    no name and no word rare enough to say which one (NAMING_RARITY; English: COMMON_ZIPF): 她后来去了哪里?, 之后呢?,
    他担任什么职务?, "Where did she go afterwards?"; not 她在南通镇做了什么?, 他们在防汛中做了什么?, "What did she
    do about the flood?"."""
    if not refers_back(question):
        return False
    question = chinese_script.for_reading(question)
    if segment.is_cjk_question(question):
        rest = _ZH_BACKREF.sub(" ", question)
        return not proper_names.chinese_names(rest) and all(
            says_little(w, NAMING_RARITY) for w in segment.words(rest))
    rest = _EN_BACKREF.sub(" ", question.strip())
    if proper_names.pinyin_names(rest) or re.search(r"(?<![.?!]\s)(?<!^)\b[A-Z]", question.strip()):
        return False    # a name, or a capitalised word not opening the question ("What about London?")
    return all(w in _EN_WHEN or w.isalpha() and word_rarity.english_zipf(w) >= COMMON_ZIPF
               for w in segment.english_terms(rest))
