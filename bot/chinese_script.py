"""Traditional and simplified Chinese: a question typed in one script, asked of articles written in
the other (誰去了南通鎮? of a simplified archive; 体育馆在哪里? of a Big5 file), is read in the script the
index writes its words in. The articles are indexed and shown as they are written."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from . import segment

# OpenCC's conversions: to simplified, and to the traditional of Taiwan, Hong Kong and OpenCC's standard
# (哪里 is 哪裡 in Taiwan, 哪裏 in OpenCC's standard set)
CONVERSIONS = ("t2s", "s2tw", "s2hk", "s2t")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=None)
def _converter(config: str):
    import opencc     # loads its dictionaries (~0.3 s), once, for the first question that needs them

    return opencc.OpenCC(config)


def for_reading(text: str) -> str:
    """`text` in simplified characters, for reading what it says (後來呢? opens a follow-up as 后来呢? does); as it is
    when it is simplified already (the conversion keeps such text but for a rare variant character)."""
    return _converter("t2s").convert(text) if _HAN.search(text) else text


def script(question: str) -> str | None:
    """"traditional" if the question writes characters only traditional Chinese uses (誰, 鎮) and none only simplified
    uses; "simplified" the other way round; None if neither (南通, 去了) or both (黄霑: a name in its own character)."""
    chinese = [ch for ch in question if segment.CJK.match(ch)]
    traditional = any(_converter("t2s").convert(ch) != ch for ch in chinese)
    simplified = any(_converter("s2t").convert(ch) != ch for ch in chinese)
    return "traditional" if traditional and not simplified else "simplified" if simplified and not traditional else None


def script_of_words(words) -> str | None:
    """The script most of `words` that tell one (`script`) are written in; None if none tells."""
    counts = {"traditional": 0, "simplified": 0}
    for word in words:
        written = script(word)
        if written:
            counts[written] += 1
    if not any(counts.values()):
        return None
    return "traditional" if counts["traditional"] > counts["simplified"] else "simplified"


def as_index_writes(question: str, known: Callable[[str], bool], index_script: Callable[[], str | None]) -> str:
    """`question` in the script of the index (`index_script`: the script most of its words are written in) when it
    is written in the other (`script`), in the conversion (Taiwan's, Hong Kong's, OpenCC's standard traditional)
    whose words the index holds most of (`known`: whether it holds a word); else as it is. Wikipedia-like archives
    mix the scripts: a simplified question of a simplified archive is never converted for a word or two written in
    the other."""
    written = script(question)
    if written is None or not any(not known(w) for w in segment.words(question) if segment.CJK.match(w)):
        return question
    target = index_script()
    if target is None or target == written:
        return question
    best, held = question, sum(known(w) for w in segment.words(question) if segment.CJK.match(w))
    for config in CONVERSIONS:
        if config.startswith("t" if written == "traditional" else "s"):
            other = _converter(config).convert(question)
            count = sum(known(w) for w in segment.words(other) if segment.CJK.match(w))
            if count > held:
                best, held = other, count
    return best
