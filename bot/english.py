"""English questions over Chinese text: which words of a passage an English question
matches (by spelling, pinyin or an English sense) and whether a term is English at all."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from . import cedict, numerals, pinyin, proper_names, segment, word_rarity


def latin_matches(question: str, text: str, spans: np.ndarray | None = None) -> dict[str, str]:
    """For a Latin-script question: {question term: word of `text` that matches it}.

    A term matches a Latin word or number of the text as it is (23 also matches 二十三),
    a Chinese word whose pinyin it spells (alone or joined with its neighbours: "Zou You"
    -> 邹游), or a Chinese word whose English sense is a word of the question: the sense's
    last word (town -> 镇 "small town") or any word of a sense of one or two words. So
    "provincial" is not 省委 "provincial Party committee": a longer sense names its thing last.
    A word inside a longer matched word is not a match of its own (龙江 in 黑龙江), unless it
    begins it (Gulou of 鼓楼区, whose "district" matched the whole word).
    `spans`: the passage's word_spans, when the index stored them (else it is cut here)."""
    ordered = list(dict.fromkeys(segment.english_terms(question)))
    terms = set(ordered)
    # what a passage's word may be -> the question's term: the term, or its dictionary form
    # ("designed" matches 设计 "to design"); of two terms with one form (going, went: go), the first
    # the question writes (a set's order changed with the hash seed, and with it the coverage)
    known: dict[str, str] = {}
    for t in ordered:
        known.setdefault(_base_form(t), t)
    known |= {t: t for t in ordered}
    toks = segment.LATIN_WORD.findall(segment.without_clitics(question).lower())
    spelled = {"".join(toks[i:i + n]): toks[i:i + n]
               for n in (1, 2, 3) for i in range(len(toks) - n + 1)}
    found: dict[str, tuple[int, int]] = {}

    def match(term: str, where: tuple[int, int]) -> None:
        old = found.get(term)          # the first place it occurs, as the longest word there
        if old is None or (where[0] <= old[0] and old[1] <= where[1]):
            found[term] = where

    words = _passage_words(text, None if spans is None else np.asarray(spans, np.int32).tobytes())
    for word, where in words:
        latin, spelling, senses = _word_matchables(word)
        if latin is not None:
            for term in latin:
                if term in known:
                    match(known[term], where)
            continue
        for spelled_as, length in spelling:
            for part in spelled.get(spelled_as, ()):
                if part in terms:
                    match(part, (where[0], where[0] + length))
        if not known.keys().isdisjoint(senses):
            for g in _sense_words(word):
                if g in known:
                    match(known[g], where)
    for spelling, where in _spelled_neighbours(words):
        for part in spelled.get(spelling, ()):
            if part in terms:
                match(part, where)
    for month, start, end in numerals.months(text):
        if month in terms:
            match(month, (start, end))
    # ...but a name's word that begins the word its kind matched is both (Gulou district: 鼓楼区)
    inside = {t for t, (s, e) in found.items()
              if any(a <= s and e <= b and (a, b) != (s, e) and a != s for a, b in found.values())}
    return {t: text[s:e] for t, (s, e) in found.items() if t not in inside}


def _spelled_neighbours(words) -> list[tuple[str, tuple[int, int]]]:
    """A name jieba cut apart, one character left alone (洪 塘 镇, 蒋家 旻): the pinyin and span of
    two or three adjacent Chinese words of a passage (not function words), four characters at
    most, one of them a single character; a place's also without its generic suffix (pinyin.word_spellings)."""
    chinese = [(w, where) for w, where in words if segment.CJK.match(w) and w not in segment.STOPWORDS]
    out = []
    for i, (word, where) in enumerate(chinese):
        window = [(word, where)]
        for nxt, at in chinese[i + 1:i + 3]:
            if at[0] != window[-1][1][1] or sum(len(w) for w, _ in window) + len(nxt) > 4:
                break
            window.append((nxt, at))
            if any(len(w) == 1 for w, _ in window):
                joined = "".join(w for w, _ in window)
                # 嵩 口镇: songkou too; 新 社区: not xinshe
                spellings = pinyin.word_spellings(joined) if pinyin.place_tail(window[-1][0]) \
                    else tuple((s, len(joined)) for s in pinyin.readings(joined))
                out += [(spelling, (where[0], at[1] - (len(joined) - length))) for spelling, length in spellings]
    return out


@lru_cache(maxsize=1024)   # ~5 MB at most
def _passage_words(text: str, spans: bytes | None = None) -> tuple[tuple[str, tuple[int, int]], ...]:
    """jieba's search-mode words of a passage (numbers read as digits), each with its span in
    `text`, from its stored word_spans (int32 pairs, as bytes) or cut here: kept for the
    passages searched most, since the same passages answer many questions."""
    plain, offsets = numerals.normalize(text)
    found = np.frombuffer(spans, np.int32).reshape(-1, 2).tolist() if spans is not None \
        else [(start, end) for _, start, end in segment.search_cut(plain)]
    return tuple((plain[start:end], numerals.original_span(offsets, start, end)) for start, end in found)


@lru_cache(maxsize=65536)
def _word_matchables(word: str) -> tuple[tuple[str, ...] | None, tuple[tuple[str, int], ...], frozenset[str]]:
    """What a question can match in one word of a passage: a Latin word's or number's English
    terms (None for a Chinese word); a Chinese word's `word_spellings` (two characters or more),
    and those of its beginnings of two characters or more (jieba glues a name it does not know to
    what follows: 恒岳新 / 材料 holds Hengyue); the words of its senses that name it (_sense_words,
    as a set)."""
    if not segment.CJK.match(word):
        return tuple(segment.english_terms(word)), (), frozenset()
    spellings = pinyin.word_spellings(word) if len(word) > 1 else ()
    known = {spelling for spelling, _ in spellings}
    beginnings = ((pinyin.to_pinyin(word[:n]), n) for n in range(2, len(word)))
    return None, spellings + tuple(b for b in beginnings if b[0] not in known), frozenset(_sense_words(word))


@lru_cache(maxsize=65536)
def _sense_words(word: str) -> tuple[str, ...]:
    """The words of a Chinese word's CC-CEDICT senses that name it, in sense order: a sense's
    last word (town of 镇 "small town"), or any word of a sense of one or two words; then, for
    a place name jieba keeps whole (龙门镇, no sense of its own), the kind of place it ends with."""
    senses = tuple(g for sense in cedict.word_senses(word) for g in sense if g == sense[-1] or len(sense) <= 2)
    return senses or pinyin.place_kind(word)


@lru_cache(maxsize=65536)
def _base_form(word: str) -> str:
    """The dictionary form of an inflected English word, when CC-CEDICT's senses use it
    (went -> go, led -> lead, designed -> design, making -> make, buse of buses -> bus); else the word.
    A lemmatizer (simplemma's English dictionary), not a stemmer: a stemmer also joins
    experience to experiment and united to unit."""
    import simplemma     # its English dictionary loads on the first English question

    lemma = simplemma.lemmatize(word, lang="en")
    if lemma != word and cedict.in_vocabulary(lemma):
        return lemma
    if word.endswith(("use", "sse", "xe", "che", "she", "zze")) and cedict.in_vocabulary(word[:-1]) \
            and not word_rarity.common_english(word):   # not ache, muse
        return word[:-1]    # buses, classes, taxes, churches: english_terms cut the s of their -es only (buse)
    if len(word) < 5:
        return word
    if word.endswith("ied"):
        candidates = [word[:-3] + "y"]
    elif word.endswith("ed"):
        candidates = [word[:-1], word[:-2], word[:-3]]          # used, designed, planned
    elif word.endswith("ing"):
        candidates = [word[:-3] + "e", word[:-3], word[:-4]]    # making, building, running
    else:
        return word
    return next((c for c in candidates if len(c) >= 3 and cedict.in_vocabulary(c)), word)


def base_form(term: str) -> str:
    """The dictionary form of an English question's term (english_terms), as matching reads it (_base_form)."""
    return _base_form(term)


def is_english_word(term: str) -> bool:
    """Whether an English question's term (english_terms) means something on its own: a number,
    a word CC-CEDICT's senses use, or a common word in general use (British spellings too)."""
    return any(ch.isdigit() for ch in term) or cedict.in_vocabulary(term) or word_rarity.common_english(term)


INSTITUTION_REACH = 12   # how far before its kind (中学, 医院) a Chinese text writes an institution's name
KIND_SCAN = 500          # how many of a text's places that write the kind are read
_CLAUSE_BREAK = re.compile(r"[，。；、！？,.;:：!?（）()“”\"《》\s]")
# Before a number with its city left out (市二院, 在第二人民医院就诊): a word that is no place's name
_NO_PLACE_BEFORE = frozenset("从在到赴由向对于与和及是的了经据往至")


def writes_institution(text: str, name) -> bool:
    """Whether a Chinese `text` writes `name` (a proper_names.EnglishInstitution: Yangang Middle School,
    Lanzhou No. 2 Middle School): its kind, and within INSTITUTION_REACH characters before it, in the
    same clause, its pinyin words spelled by characters in a row (the first of several may be left
    out: Xiamen of Xiamen Gaoqi Airport, as the article's own city) and its number (as digits or
    numerals; 二中 too). A numbered one's words may all be left out (市二院, 在第二人民医院: its city's),
    not written as another place's (汀湾区第二中学). Spelled by the characters, not by jieba's words:
    it cuts 砚 / 港区 as readily as 砚港."""
    plain = numerals.arabic(text)
    kinds = name.kind
    if name.number is not None:
        forms = (str(name.number), numerals.chinese(name.number))
        number = "(?:" + "|".join(forms) + ")"
        # as news shortens a numbered school or hospital: 二中 for No. 2 Middle School, 二院 for No. 2 Hospital
        kinds += "".join(f"|(?<={form}){short}" for kind, shorts in proper_names.NUMBERED_SHORT_FORMS.items()
                         if kind in name.kind.split("|") for short in shorts for form in forms)
    words = [w.replace("v", "u") for w in name.words]   # lv, lyu and lu of 吕
    needed = [words, words[1:]] if len(words) > 1 else [words]
    for seen, kind in enumerate(re.finditer(kinds, plain)):
        if seen == KIND_SCAN:
            return True     # a book of a text (路 on every line): not read to the end, not taken for a sibling's
        window = _CLAUSE_BREAK.split(plain[max(0, kind.start() - INSTITUTION_REACH):kind.start()])[-1]
        if name.number is not None:
            at = re.search(rf"(?<![\d一二三四五六七八九十]){number}(?![\d一二三四五六七八九十])", window)
            if not at:
                continue
            before = window[:at.start()].removesuffix("第")
            if not before or before[-1] in _NO_PLACE_BEFORE or \
                    (before[-1] in "市区县" and (len(before) == 1 or before[-2] in _NO_PLACE_BEFORE)):
                return True     # 市二院, 记者从市二院获悉, 在第二人民医院就诊: the city's own, its name left out
        syllables = [s.replace("v", "u") for s in pinyin.syllables_of(window)]
        spelled = {"".join(syllables[i:j]) for i in range(len(syllables))
                   for j in range(i + 1, min(len(syllables), i + 4) + 1)}
        if any(spelled.issuperset(some) for some in needed):
            return True
    return False
