"""How rare a word is in general use, whatever the index holds: Chinese by jieba's
dictionary counts, English by wordfreq. Confidence weighs what a question matched by it
(a name is rare, 去 and "went" are not)."""

from __future__ import annotations

import math
from functools import lru_cache

from . import segment


def rarity(word: str) -> float:
    """How rare a Chinese word is in general use: -log of its share of jieba's dictionary
    counts (a word jieba does not know is rarest). Unlike IDF it does not depend on the
    index: in a one-article index every word the article lacks has the top IDF, 去 too."""
    dictionary = segment.jieba().dt
    return math.log(dictionary.total / (dictionary.FREQ.get(word, 0) + 1))


# A word jieba's dictionary lacks is a name, a new term or a made-up piece: of parts all commoner than
# this and no noun among them (能供 of 一天能供多少水: 能 6.5, 供 8.9, a verb; 最多补), a piece its
# search mode cut from a question; of a rarer part (软枝黄蝉's 蝉, 杉岭镇's 杉) or a noun (河长制, 快手), a
# name or a term.
COMMON_PART = 10.0


@lru_cache(maxsize=65536)
def parts_rarity(word: str) -> float:
    """`rarity`, but for a word jieba's dictionary lacks that is made of common dictionary words
    and no noun (COMMON_PART): as rare as its rarest part, not as rare as a name."""
    dictionary = segment.jieba().dt
    if dictionary.FREQ.get(word):
        return rarity(word)
    parts = segment.jieba().lcut(word, HMM=False)
    common = max(rarity(p) for p in parts)
    if len(parts) < 2 or common >= COMMON_PART:
        return rarity(word)
    import jieba.posseg
    return rarity(word) if any(w.flag[0] == "n" for w in jieba.posseg.cut(word)) else common


ENGLISH_UNSEEN_ZIPF = 0.0   # wordfreq's Zipf value of a word it has never seen
# wordfreq's lists are crawled from the web, so they hold some keyboard noise too (asdf 1.65,
# lorem 1.82, xxxxxxxxxx 1.58 uses per 10^(9-z) words): only a word at least this common
# (kilometres 3.77, colour 4.49) counts as English on wordfreq's word alone.
COMMON_ZIPF = 3.0


def common_english(word: str) -> bool:
    """Whether `word` is common in general English use (COMMON_ZIPF)."""
    return english_zipf(word) >= COMMON_ZIPF


def english_zipf(word: str) -> float:
    """wordfreq's Zipf value of an English word: log10 of its uses per billion words (0: never seen)."""
    from wordfreq import zipf_frequency
    return max(ENGLISH_UNSEEN_ZIPF, zipf_frequency(word, "en"))


def english_rarity(word: str) -> float:
    """How rare an English word is in general use: -log of its share of English text
    (wordfreq's Zipf value is log10 of uses per billion words), like `rarity` for Chinese:
    independent of the index ("went" is common, "winglet" is not)."""
    return (9.0 - english_zipf(word)) * math.log(10)
