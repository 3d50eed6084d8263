"""Cutting text into words: jieba's words for Chinese (search mode), lower-cased English
words and numbers, without stopwords or English clitics. Every channel of the lexical
index (bot/lexical.py) and every matcher of a question starts from these words.

TOKENIZER_VERSION lives here because everything a built index's tokens depend on does too,
or builds on it (pinyin, CC-CEDICT glosses, channel scoring): bump it and indexes re-index.
"""

from __future__ import annotations

import logging
import re
import warnings
from functools import lru_cache

from . import numerals

# jieba imports setuptools' pkg_resources, which warns on every run of every command.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning, module="jieba")

TOKENIZER_VERSION = "21"   # bump when tokens or channel scoring change: built indexes then re-index

_WORD = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
LATIN_WORD = re.compile(r"[a-z]+")
_LATIN_OR_NUMBER = re.compile(r"[a-z]+|[0-9]+(?:\.[0-9]+)?")

# A Chinese word holding one of these asks rather than says (多长, 多久, 哪条, 什么样, 谁, 几时, 怎么, 吗, 呢,
# 啥): not a topic, nor a short form. Names can hold 多 and 几 (多伦多, 几内亚): proper_names reads
# question words inside a name more narrowly.
ASKING_CHARACTERS = "多哪什谁几怎么吗呢啥"

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


# "Which" + a measure word or noun (哪一年, 哪家, 哪天, 哪国): question words that jieba's search
# mode also cuts into parts (一年 of 哪一年); they are blanked before cutting. 哪吒 is a name.
_WHICH = re.compile(r"哪一?[年月日天个位种次届家所部座条国些样场队支类本首项门间句]")


def _without_which(text: str) -> str:
    """`text` with its which-words (_WHICH) blanked, each character a space: offsets stay."""
    return _WHICH.sub(lambda m: " " * len(m.group()), text)


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
    return content_words(w for piece, kept in _split_at(_without_which(numerals.arabic(text)), keep)
                         for w in ([piece] if kept else jieba().cut_for_search(piece)))


def content_words(cut) -> list[str]:
    """The words of a jieba cut that say something: lower-cased, not punctuation or stopwords."""
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
    starts = {s for _, s, _ in jieba().tokenize(text)}
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
    known = jieba().dt.FREQ
    return frozenset(w for w in vocabulary if 1 < len(w) <= MAX_KEPT and CJK.match(w) and not known.get(w))


# "May" written with a capital after a word of the question is the month (in May, on 20 May, May-June), not the
# modal verb a stopword drops (May I ask...?, Thanks. May I..., Hi, May I...; what may happen).
_MAY_THE_MONTH = re.compile(r"(?<=[A-Za-z0-9])(\s+)May\b")
_THE_MONTH_MAY = "maythemonth"
_ORDINAL_SUFFIX = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.I)


def without_ordinals(text: str) -> str:
    """`text` with ordinals' endings dropped: 4th is the number 4, not 4 and the word "th"."""
    return _ORDINAL_SUFFIX.sub("", text)


def english_terms(text: str) -> list[str]:
    """Lower-cased English content words and numbers, crudely singularised (prisms -> prism); "may" only
    where it is the month (_MAY_THE_MONTH); no ordinal's ending (without_ordinals)."""
    out = []
    text = without_ordinals(_MAY_THE_MONTH.sub(rf"\1{_THE_MONTH_MAY}", text))
    for word in _LATIN_OR_NUMBER.findall(numerals.arabic(without_clitics(text).lower())):
        if word == _THE_MONTH_MAY:
            out.append("may")
            continue
        if word in STOPWORDS or len(word) < 2:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word.isalpha():
            word = word[:-1]
        out.append(word)
    return out


def word_spans(text: str) -> list[list[int]]:
    """Where jieba's search-mode words are in a passage's numbers-as-digits form
    (numerals.normalize), as [start, end] pairs: built with the index (tokenize), so that
    an English search does not cut its hits again (~1.2 ms a passage, most of an English
    hit's time the first time it is seen)."""
    plain, _ = numerals.normalize(text)
    return [[start, end] for _, start, end in search_cut(plain)]


def search_cut(plain: str) -> list[tuple[str, int, int]]:
    """jieba's search-mode (word, start, end) of a numbers-as-digits text: `words`' words
    (cut_for_search gives the same words in the same order), with where they are."""
    return list(jieba().tokenize(_without_which(plain), mode="search"))


def is_cjk_question(text: str) -> bool:
    """True when the question is written mostly in Chinese characters."""
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return cjk > 0 and cjk * 3 >= latin


def dictionary_count(word: str) -> int:
    """How often jieba's dictionary counts `word` (0: not a word it knows; names mostly are not)."""
    return jieba().dt.FREQ.get(word) or 0


def dictionary_tag(word: str) -> str:
    """jieba's dictionary tag of `word` (ns a place, nr a person, a an adjective), "" if it has none."""
    jieba()
    import jieba.posseg as posseg

    return posseg.dt.word_tag_tab.get(word, "")


@lru_cache(maxsize=1)
def jieba():
    """The jieba module, its dictionary loaded (once: about a second)."""
    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba
