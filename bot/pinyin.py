"""Chinese written in toneless pinyin, the pinyin channel's tokens and an English
question's terms for it: 南通 -> nantong, 洲头村 also zhoutou; "Zou You" -> zouyou."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from . import segment

# Generic last characters of place and organisation names, with what English calls that kind
# of place: 洲头村 is also found as "Zhoutou", 南通镇 as "Nantong", and it is a town.
NAME_SUFFIXES = {"省": ("province",), "市": ("city",), "县": ("county",), "区": ("district",), "镇": ("town",),
                 "乡": ("township", "town"), "村": ("village",), "街": ("street",), "路": ("road",),
                 "巷": ("lane", "alley"), "山": ("mountain", "mount"), "河": ("river",), "湖": ("lake",),
                 "江": ("river",), "海": ("sea",), "岛": ("island",), "港": ("port", "harbour", "harbor"),
                 "州": ("prefecture",), "寺": ("temple",), "庙": ("temple",), "桥": ("bridge",),
                 "站": ("station",), "局": ("bureau",), "处": ("division", "office")}
_NAME_SUFFIXES = frozenset(NAME_SUFFIXES)


def place_kind(word: str) -> tuple[str, ...]:
    """What English calls the kind of place a name of three characters or more ends with
    (龙门镇 -> town; 鼓楼区 -> district): a word jieba keeps whole has no dictionary sense."""
    return NAME_SUFFIXES.get(word[-1], ()) if len(word) >= 3 else ()


def pinyin(text: str) -> list[str]:
    """Toneless pinyin of the Chinese words of `text`.

    Multi-character words (and runs of single characters, which is how jieba
    often leaves unknown names), plus the stem of names with a generic suffix."""
    return pinyin_of(segment.jieba().cut_for_search(text))


def pinyin_of(cut) -> list[str]:
    """`pinyin` of the words of a jieba cut."""
    out, run = [], []

    def flush():   # a run is spelled as a word is: 琯 / 头 / 镇 and 嵩 / 口镇 are Guantou and Songkou too
        if len(run) > 1:
            out.extend(spelling for spelling, _ in word_spellings("".join(run)))
        run.clear()

    for word in cut:
        if not segment.CJK.match(word):
            flush()
            continue
        if len(word) == 1:
            run.append(word)
            continue
        if run and run[-1] not in segment.STOPWORDS and place_tail(word):
            run.append(word)    # 嵩 / 口镇: a place jieba does not know, cut before its last syllable
        elif run and run[-1] in SURNAMES and run[-1] not in segment.STOPWORDS \
                and may_be_given_name(word, segment.dictionary_tag(word)):
            out += readings(run[-1] + word)   # 郑 / 海燕: Zheng Haiyan (and the petrel, haiyan); 覃 / 永福: Qin Yongfu
        flush()
        out += [spelling for spelling, _ in word_spellings(word)]
    flush()
    return out


RARE_PAIR = 100   # jieba's count under which a two-character word is no word of its own (口镇 4; 社区 6,115)


def place_tail(word: str) -> bool:
    """Whether `word` is the end of a place name jieba cut off (口镇 of 嵩 / 口镇): two characters,
    a place suffix last, hardly a word of its dictionary (not 社区, 城区, 超市)."""
    return len(word) == 2 and word[-1] in _NAME_SUFFIXES and segment.dictionary_count(word) < RARE_PAIR


@lru_cache(maxsize=65536)
def word_spellings(word: str) -> tuple[tuple[str, int], ...]:
    """How a Chinese word of two characters or more is spelled in pinyin, each spelling with
    the number of characters it spells: the word (in each of its readings), and a place's name
    without its generic suffix (洪塘镇 is Hongtang too)."""
    out = tuple((spelling, len(word)) for spelling in readings(word))
    if len(word) >= 3 and word[-1] in _NAME_SUFFIXES:
        out += tuple((spelling, len(word) - 1) for spelling in readings(word[:-1]))
    return out


# The most common one-character surnames (about 85% of people in China).
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
                     "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
                     "邵万钱严覃武戴莫孔向汤")
# Characters no name of a person or place is written with: function words and words that ask
NOT_IN_NAMES = frozenset("的了在是和与及或也都就而又还被把对从到向于以为之其这那个各该本全每此哪几多少什谁么")
# jieba's part-of-speech tags for names: person, place, organisation, other proper noun.
NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt", "nz"})
# jieba's count from which a word of its dictionary after a surname is no given name: a word it
# tags as a name (建国 3,083; not 公园 4,609) or any other (建军 170; not 讨伐 385, 收购 2,045).
# A word not in its dictionary (高登 / 现) is jieba's guess, not a given name.
GIVEN_NAME_MAX = {True: 4000, False: 200}   # by: tagged as a name
_NOT_A_GIVEN_NAME = frozenset("mqrpcuxyf")   # numerals, measure words, pronouns, prepositions...; adverbs allowed (立新 is d)


def may_be_given_name(word: str, flag: str) -> bool:
    """Whether a word of two characters that jieba cut after a surname (郑 / 海燕, 罗 / 建军, 邹 / 立新), tagged
    `flag`, may be the person's given name: a word of its dictionary, not so common (GIVEN_NAME_MAX), of no
    function word's character."""
    return len(word) == 2 and bool(segment.CJK.match(word)) and flag[:1] not in _NOT_A_GIVEN_NAME \
        and not NOT_IN_NAMES.intersection(word) and 0 < segment.dictionary_count(word) < GIVEN_NAME_MAX[flag in NAME_TAGS]


# How a surname is read where its character is read otherwise (曾经 ceng, 单独 dan): 曾国栋 is Zeng Guodong.
SURNAME_READINGS = {"曾": "zeng", "单": "shan", "查": "zha", "解": "xie", "仇": "qiu", "区": "ou", "盖": "ge",
                    "缪": "miao", "朴": "piao", "乐": "yue", "覃": "qin", "召": "shao", "员": "yun", "秘": "bi",
                    "宓": "mi", "种": "chong", "翟": "zhai", "尉": "yu", "繁": "po", "冼": "xian", "句": "gou"}

# After a surname's character, what makes it a word of its own: 曾任, 曾在, 曾获 ("once"), 单是, 乐于.
_NOT_A_GIVEN_NAME_START = frozenset("任在是获因为经被将与和于向对把从到有去来以")


@lru_cache(maxsize=65536)
def readings(word: str) -> tuple[str, ...]:
    """How a Chinese word may be spelled in pinyin: pypinyin's reading in context, and for a
    person's name whose surname is read its own way, that reading too (曾国栋: cengguodong,
    zengguodong; SURNAME_READINGS). A person's: one CC-CEDICT spells so (曾国藩: Zeng Guofan), or a
    word it does not translate that jieba's dictionary lacks or tags a person (not 曾经, 单独, 盖章,
    朴素, 乐平); no surname's character used as a word before a verb (曾任, 曾在, 曾获: "once")."""
    from . import cedict

    out = [to_pinyin(word)]
    if 2 <= len(word) <= 3 and word[0] in SURNAME_READINGS and word[1] not in _NOT_A_GIVEN_NAME_START:
        surnamed = SURNAME_READINGS[word[0]] + to_pinyin(word[1:])
        senses = cedict.word_senses(word)
        if any(surnamed in "".join(sense) for sense in senses) or not senses and (
                not segment.dictionary_count(word) or segment.dictionary_tag(word) in ("nr", "nrfg")):
            out.append(surnamed)
    return tuple(dict.fromkeys(out))


def syllables(word: str) -> int:
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
    toks = segment.LATIN_WORD.findall(segment.without_clitics(text).lower())

    def in_a_name(i: int) -> bool:
        return syllables(toks[i]) == 1 and any(
            0 <= j < len(toks) and toks[j] not in segment.STOPWORDS and syllables(toks[j]) for j in (i - 1, i + 1))

    terms = [t for i, t in enumerate(toks) if t not in segment.STOPWORDS and not in_a_name(i)]
    for n in (2, 3):
        terms += ["".join(toks[i:i + n]) for i in range(len(toks) - n + 1)]
    return terms


def romanized(word: str) -> str:
    """A Chinese name as an English question writes it: 蔡敏 -> Caimin (the pinyin channel's spelling)."""
    return to_pinyin(word).capitalize() if segment.CJK.match(word) else word


@lru_cache(maxsize=65536)
def to_pinyin(word: str) -> str:
    """Chinese characters in toneless pinyin, as one word: 南通 -> nantong."""
    from pypinyin import lazy_pinyin
    return "".join(lazy_pinyin(word))


@lru_cache(maxsize=4096)
def syllables_of(text: str) -> tuple[str, ...]:
    """The toneless pinyin of each character of `text`, read in context (长 of 长江 is chang, of
    市长 zhang); a run of other characters is one item."""
    from pypinyin import lazy_pinyin
    return tuple(lazy_pinyin(text))
