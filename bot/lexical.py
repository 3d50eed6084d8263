"""The lexical index: a passage's tokens and BM25 (bm25s) over three channels.

- `words`: jieba words for Chinese, lower-cased words and numbers for other
  scripts. This is what Chinese questions match.
- `pinyin`: the Chinese words of a passage written in toneless pinyin
  (南通 -> nantong, 邹游 -> zouyou), so an English question that names
  "Nantong" or "Zou You" matches the Chinese text.
- `gloss`: the English glosses of the passage's Chinese words from the
  CC-CEDICT dictionary (镇 -> town, 棱柱 -> prism), so the ordinary words of
  an English question match too.

The words come from bot/segment.py, the pinyin from bot/pinyin.py, the glosses from
bot/cedict.py; segment.TOKENIZER_VERSION says when a built index's tokens are stale
(bump it when anything here changes what a channel holds or scores).

Each search also reports its evidence: how much of the question (by IDF)
the index knows at all. A side that knows nothing of the question should not
get a vote in fusion.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import cedict, chinese_script, numerals, pinyin, segment
from .segment import unknown_words, words

CHANNELS = ("words", "pinyin", "gloss")
# The pinyin channel matches names, and a name is in a passage or not: a passage that
# repeats it, or is short, is no more about that person than its neighbours that carry
# the name only in their section heading. So pinyin counts each term once per passage
# (binary tf) with no length normalisation (b=0); which of the section's passages answers
# is left to the other channels and the dense side.
BINARY_CHANNELS = frozenset({"pinyin"})
BM25_PARAMS = {"words": {"k1": 1.5, "b": 0.75}, "pinyin": {"k1": 1.5, "b": 0.0},
               "gloss": {"k1": 1.5, "b": 0.75}}   # bm25s's defaults but pinyin's b


def tokenize(text: str) -> dict[str, list]:
    """A passage's tokens for every channel, and its word_spans (for English matching):
    what segment.words, pinyin.pinyin, cedict.gloss and segment.word_spans give (a test
    checks they agree), from two jieba cuts instead of four (a build spends more time
    here than anywhere but the encoder). Words and spans cut
    the numbers-as-digits text, pinyin and gloss the text as written (二十三 is ershisan)."""
    plain, _ = numerals.normalize(text)        # numerals.arabic(text), which `words` cuts
    found = segment.search_cut(plain)
    as_written = list(segment.jieba().cut_for_search(text))
    return {"words": segment.content_words(w for w, _, _ in found), "pinyin": pinyin.pinyin_of(as_written),
            "gloss": cedict.gloss_of(as_written, text), "spans": [[start, end] for _, start, end in found]}


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


SCRIPT_SAMPLE = 5000   # words of the index read to tell its Chinese script


class TermStats:
    """Document frequencies of each channel's terms: IDF and evidence, for every backend."""

    df: dict[str, dict[str, int]]    # channel -> {term: document frequency}
    n_docs: int
    _names: frozenset[str] | None = None
    _script: tuple[str | None] | None = None

    def words(self, question: str) -> list[str]:
        """The question's content words, segmented as the index's passages were: a name
        jieba found in the articles (苏健, 胡铭) stays whole where jieba alone, without the
        article's context, cuts it by what follows (苏健在支援 -> 苏 健在 支援; 胡铭带了 -> 胡铭带)."""
        if self._names is None:
            self._names = unknown_words(self.df["words"])
        return words(question, self._names)

    def holds_word(self, word: str) -> bool:
        """Whether a passage of the index has `word` among its words."""
        return word in self.df["words"]

    def chinese_script(self) -> str | None:
        """The script most of the index's Chinese words are written in (chinese_script.script_of_words; read once,
        from about SCRIPT_SAMPLE of them spread over the whole vocabulary)."""
        if self._script is None:
            words = list(self.df["words"])   # in the order they were first indexed: a sample spread over all of them
            self._script = (chinese_script.script_of_words(words[::max(1, len(words) // SCRIPT_SAMPLE)]),)
        return self._script[0]

    def holds_chinese_name(self, name: str) -> bool:
        """Whether the index's words spell `name` (one of chinese_names), or begin it: the
        tagger may glue a name to what follows (魏舒史称 -> 魏舒史)."""
        df = self.df["words"]
        return all(w in df for w in self.words(name)) or any(name[:n] in df for n in range(2, len(name)))

    def chinese_name_as_held(self, name: str) -> str | None:
        """`name` (one of chinese_names) as the index's words hold it: whole when they spell it
        with no part dropped as a stopword (向李明 is not 李明), else the longest beginning they
        hold (魏舒史 -> 魏舒); None when they hold neither."""
        df = self.df["words"]
        words = self.words(name)
        if set("".join(words)) == set(name) and all(w in df for w in words):
            return name
        return next((name[:n] for n in range(len(name) - 1, 1, -1) if name[:n] in df), None)

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
