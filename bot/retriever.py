"""Ranked, explained hits for a question: the public face of an index."""

from __future__ import annotations

import copy
import dataclasses
import json
import threading
import unicodedata
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from . import (answer, answer_sentence, chinese_script, documents, encoder as encoders, evidence, fusion, lexical, paths,
               pinyin, scope, segment, store)
from .dense import DenseIndex, SentenceVectors
from .evidence import section_person
from .passages import Passage

MODES = ("hybrid", "dense", "lexical")
MAX_K = 100                    # most passages one search returns (the CLI's -k takes 1 to 100 too)
CANDIDATES = 50                # each side's list length before fusion
MAX_QUESTION_CHARS = 1000      # longer questions are cut (the model reads 512 tokens anyway)

# Asked by warm(): a Chinese question with a name (the tagger runs) and an English one (glossary, pinyin).
WARM_QUESTIONS = ("张伟在哪里工作?", "Where does Zhang Wei work?")


class QuestionError(ValueError):
    """A question that cannot be searched as asked (empty, only symbols, a `k` out of range, ...)."""


class ModelMismatch(store.IndexError_):
    """The index was built with another model than the one asked for."""


@dataclass(frozen=True)
class Hit:
    """One passage that may answer the question.

    `text` is the passage as shown; `answer_span` is (start, end) of the
    sentence in `text` that best answers; `confidence` is a calibrated
    probability that the passage answers the question, and `relevant` says
    whether it clears the bar for being shown as an answer.
    """

    doc_id: str
    title: str
    section: str
    text: str
    score: float
    confidence: float
    answer_span: tuple[int, int]
    source: str
    position: int
    date: str = ""
    start: int = 0                      # offsets of the passage in its document's text
    end: int = 0
    matched_terms: tuple[str, ...] = ()
    passage_id: int = -1
    relevant: bool = True
    cosine: float = 0.0                 # dense similarity of question and passage
    coverage: float = 0.0               # share of the question's word weight found in the passage
    evidence: answer.Evidence | None = None   # what `confidence` was computed from

    @property
    def article(self) -> tuple[str, str]:
        """Which article the passage is from: its file and doc_id (lines of two .jsonl files may
        share an id)."""
        return self.source, self.doc_id

    @property
    def answer(self) -> str:
        s, e = self.answer_span
        return self.text[s:e]

    def to_dict(self) -> dict:
        return {**self.__dict__, "answer": self.answer, "article": list(self.article),
                "evidence": dataclasses.asdict(self.evidence) if self.evidence else None,
                "answer_span": list(self.answer_span), "matched_terms": list(self.matched_terms)}


@dataclass
class Retriever:
    """An index opened for searching. `Retriever.load("index")`, then `.search(question)`."""

    index_dir: Path
    manifest: dict
    passages: list[Passage]
    dense: DenseIndex             # or milvus.MilvusDense: search(qvec, n), vector(pid), len
    lexical: lexical.LexicalIndex  # or milvus.MilvusLexical: search, idf, evidence
    sentences: SentenceVectors     # or milvus.MilvusSentences: of(pid), best(qvec, candidates)
    model: str | None = None
    word_spans: lexical.WordSpans | None = None   # each passage's segment.word_spans; None: cut at search time
    _encoder: object = field(default=None, repr=False)
    _catalog: scope.Catalog | None = field(default=None, repr=False)   # dates and sources, for scoping
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _switching: threading.Lock = field(default_factory=threading.Lock, repr=False)   # one opener
    _signature: tuple | None = field(default=None, repr=False)   # of CURRENT when opened
    _verify: bool = field(default=True, repr=False)
    _milvus_uri: str | None = field(default=None, repr=False)   # where a Milvus index is searched
    _evidence_reader: "evidence.EvidenceReader | None" = field(default=None, repr=False, compare=False)
    # Searches run on a view: a copy of this retriever for one generation, never changed
    # by a switch, so a search that is running when a build lands finishes on its own.
    _view: "Retriever | None" = field(default=None, repr=False, compare=False)
    _holder: "Retriever | None" = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, index_dir: str | Path | None = None, model: str | None = None,
             verify: bool = True, milvus_uri: str | None = None) -> "Retriever":
        """Open the live index in `index_dir` (default: $QABOT_INDEX, else ./index).
        The model loads on the first search.

        `model`, when given, must be the model the index was built with. When a build
        (in any process) switches to a new generation later, the next search uses it. An index
        whose manifest says it lives in Milvus is searched there (`milvus_uri`, else
        $QABOT_MILVUS_URI, else where it was built: see bot/milvus.py)."""
        index_dir = paths.index_dir(index_dir)
        retriever, signature = store.open_live(
            index_dir, lambda gen: cls._open(index_dir, gen, model, verify, milvus_uri))
        retriever._signature, retriever._verify = signature, verify
        retriever._milvus_uri = milvus_uri
        return retriever

    @classmethod
    def _open(cls, index_dir: Path, gen: Path, model: str | None, verify: bool,
              milvus_uri: str | None = None) -> "Retriever":
        manifest = store.read_manifest(gen)
        if manifest.get("format") != store.FORMAT_VERSION:
            raise store.CorruptIndex(f"{gen} has index format {manifest.get('format')}, "
                                     f"this qabot reads {store.FORMAT_VERSION}; rebuild with `qabot build --full`")
        if verify:
            store.verify(gen, manifest)
        if model is not None and encoders.resolve_model(model) != manifest["model"]:
            raise ModelMismatch(
                f"{index_dir}/ was built with model {manifest['model']!r}, not {model!r}; "
                f"rebuild it with `qabot build --full --model {model}` or drop --model")
        if manifest.get("backend", "faiss") == "milvus":
            from . import milvus
            parts, word_spans = milvus.open_generation(gen, manifest, index_dir, milvus_uri), None
        else:
            *parts, word_spans = _open_local(gen)
        return cls(index_dir, manifest, *parts, manifest["model"], word_spans=word_spans)

    @property
    def sentence_vectors(self) -> np.ndarray:
        return self.sentences.vectors

    @property
    def sentence_offsets(self) -> np.ndarray:
        return self.sentences.offsets

    def refreshed(self) -> "Retriever":
        """A view of the live generation, for one search (or a few, as a chat turn).

        Costs a stat of CURRENT; when a build (any process) has switched generations
        since, the new one is opened, once, and served from then on, the model kept
        when it is the same."""
        holder = self._holder or self
        signature = store.current_signature(holder.index_dir)
        # One thread opens the new generation, outside the lock searches take, while the
        # others keep answering from the view they have (opening verifies checksums: seconds
        # for a large index).
        if signature != holder._signature and holder._switching.acquire(blocking=False):
            try:
                if signature != holder._signature:
                    holder._switch(signature)
            finally:
                holder._switching.release()
        with holder._lock:
            if holder._view is None:
                holder._view = copy.copy(holder)
                holder._view._holder = holder
            return holder._view

    def _switch(self, signature: tuple | None) -> None:
        try:
            new = Retriever.load(self.index_dir, verify=self._verify, milvus_uri=self._milvus_uri)
        except store.IndexError_ as e:
            # keep answering from the generation in memory; try again at the next switch
            warnings.warn(f"{self.index_dir}/ has a new generation that cannot be opened ({e}); "
                          f"still serving the one built at {self.manifest.get('built_at')}")
            self._signature = signature
            return
        if new.manifest["model_fingerprint"] == self.manifest["model_fingerprint"]:
            new._encoder = self._encoder
        with self._lock:
            self.__dict__.update({f.name: getattr(new, f.name) for f in fields(self)
                                  if f.name not in ("_lock", "_switching", "_holder")})   # _view: None

    @property
    def encoder(self):
        with self._lock:
            if self._encoder is None:
                enc = encoders.load_encoder(self.model)
                found = encoders.model_fingerprint(enc)
                if found != self.manifest["model_fingerprint"]:
                    raise ModelMismatch(
                        f"model {self.model!r} loads with fingerprint {found}, but {self.index_dir}/ "
                        f"was built with {self.manifest['model_fingerprint']}; rebuild with `qabot build --full`")
                self._encoder = enc
            return self._encoder

    def warm(self) -> None:
        """Load now what a first question would otherwise wait for (seconds: the model's
        session, jieba's dictionary and its name tagger, the glossary): a Chinese and
        an English search whose results are dropped. A server calls it once at start."""
        for question in WARM_QUESTIONS:
            self.search(question, k=1)

    def search(self, question: str, k: int = 5, mode: str = "hybrid",
               since=None, until=None, sources=None) -> list[Hit]:
        """The `k` best passages for `question`, best first (`k` from 1 to MAX_K, 100; else a
        QuestionError naming that range).

        `mode` is "hybrid" (default), "dense" or "lexical". Hits below the
        confidence bar come back with `relevant=False`; none relevant means
        the index holds no good answer. `since`/`until` (2023-05-17, 2023-05 or
        2023, inclusive; against the articles' own dates) and `sources` (file names
        or globs) scope the search: ranking happens within the scope. A scope that
        leaves nothing raises `scope.EmptyScope` saying why."""
        self = self.refreshed()     # the live generation, one consistent view for this search
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        k = check_k(k)
        question = chinese_script.as_index_writes(clean_question(question), self.lexical.holds_word,
                                                   self.lexical.chinese_script)
        allowed = None
        if scope.given(since, until, sources):   # the catalog is built for the first scoped search only
            if self._catalog is None:
                self._catalog = scope.Catalog.of(self.passages)
            allowed = self._catalog.select(since, until, sources)
        # The first search loads the model; its slow part (the ONNX session) loads in the
        # background while jieba loads here for the question's words (they also explain dense hits).
        encoder = self.encoder
        terms = list(dict.fromkeys(self.lexical.words(question)))
        qvec = encoders.encode_queries(encoder, [question])[0]
        cjk = segment.is_cjk_question(question)
        n = max(CANDIDATES, 2 * k)

        rankings: list[tuple[np.ndarray, np.ndarray, float]] = []
        if mode in ("hybrid", "dense"):
            ids, scores = self.dense.search(qvec, n, allowed)
            rankings.append((ids, scores, 1.0))
        if mode in ("hybrid", "lexical"):
            queries = {"words": terms}
            if not cjk:
                queries["pinyin"] = pinyin.latin_query_terms(question)
                queries["gloss"] = segment.english_terms(question)
            for channel, channel_terms in queries.items():
                found = self.lexical.search(channel, channel_terms, n, allowed)
                weight = fusion.channel_weight(channel, found.evidence, cjk) if mode == "hybrid" else 1.0
                rankings.append((found.ids, found.scores, weight))
        weight = fusion.sentence_weight(cjk)
        if mode == "hybrid" and weight > 0:
            ids, scores = self.sentences.best(qvec, fusion.candidates(rankings))
            rankings.append((ids, scores, weight))
        ids, scores = self._once_each(*fusion.fuse(rankings, n), k)
        hits = self._hits(question, qvec, ids, scores, terms)
        if mode != "hybrid":
            # One side picks the candidates, but its score is not what confidence
            # weighs: show the likeliest answers first, so the answers lead the list.
            hits.sort(key=lambda h: -h.confidence)
        return hits

    def _once_each(self, ids: np.ndarray, scores: np.ndarray, k: int) -> tuple[list[int], list[float]]:
        """The first `k` of the ranked `ids` (and `scores`), a passage whose text an earlier one has word for word left
        out: two copies of an article (a file saved twice with a line changed) would fill the answers twice."""
        seen, kept = set(), []
        for pid, score in zip(ids.tolist(), scores.tolist()):
            text = self.passages[pid].text
            if text not in seen:
                seen.add(text)
                kept.append((pid, score))
            if len(kept) == k:
                break
        return [pid for pid, _ in kept], [score for _, score in kept]

    def judge(self, question: str, hits: list[Hit]) -> list[Hit]:
        """`hits` (from a search of this index) as answers to another `question`: the same
        passages, in the same order, with the answer sentence, matched words and confidence
        computed for it (`rank`, which the English calibration weighs, is the position in
        `hits`). A follow-up is judged so, with what it refers to written in
        (bot/conversation.py). A hit whose passage a rebuild has since moved is kept as it was."""
        self = self.refreshed()
        question = chinese_script.as_index_writes(clean_question(question), self.lexical.holds_word,
                                                   self.lexical.chinese_script)
        here = [h for h in hits if 0 <= h.passage_id < len(self.passages)
                and (self.passages[h.passage_id].article, self.passages[h.passage_id].start) == (h.article, h.start)]
        if not here:
            return list(hits)
        qvec = encoders.encode_queries(self.encoder, [question])[0]
        judged = dict(zip((h.passage_id for h in here),
                          self._hits(question, qvec, [h.passage_id for h in here], [h.score for h in here],
                                     alone=False)))
        return [judged.get(h.passage_id, h) for h in hits]

    def _hits(self, question: str, qvec: np.ndarray, ids: list[int], scores: list[float],
              terms: list[str] | None = None, alone: bool = True) -> list[Hit]:
        """Hits for passages `ids`; `terms`: the question's words, when the caller has them; `alone`: the question is
        asked on its own, not judged as a follow-up (`judge`)."""
        cjk = segment.is_cjk_question(question)
        if terms is None:
            terms = list(dict.fromkeys(self.lexical.words(question)))
        nearest = self.dense.search(qvec, answer.LEAD_NEAREST)[1]   # the whole index's, whatever the scope
        asked = self.evidence_reader.read(question, cjk, ids, terms, reference=answer.lead_reference(nearest),
                                          alone=alone)
        hits = [self._hit(int(pid), float(score), rank, qvec, asked) for rank, (pid, score) in enumerate(zip(ids, scores))]
        confidences = answer.with_peers([h.evidence for h in hits], [h.article for h in hits],
                                        people=[section_person(h.section) for h in hits])
        # rounded down, so that the confidence shown clears a bar exactly when `relevant` says so
        return [dataclasses.replace(h, confidence=float(answer.rounded_down(c, 4)),
                                    relevant=c >= answer.RELEVANT_AT)
                for h, c in zip(hits, confidences)]

    def _hit(self, pid: int, score: float, rank: int, qvec: np.ndarray, asked: evidence.Question) -> Hit:
        p = self.passages[pid]
        cosine = float(self.dense.vector(pid) @ qvec)
        found, weights = self.evidence_reader.evidence(asked, pid, cosine, rank)
        span = answer_sentence.answer_span(asked.text, qvec, self.sentences.of(pid), p.sentences, p.text,
                                           f"{p.title} {p.section}", weights, latin=not asked.cjk)
        # confidence and relevant are set by _hits: they depend on the question's other hits
        return Hit(doc_id=p.doc_id, title=p.title, section=p.section, text=p.text,
                   score=score, confidence=0.0, answer_span=span, source=p.source,
                   position=p.position, date=p.date, start=p.start, end=p.end,
                   matched_terms=tuple(answer.tags(weights, p.text)), passage_id=pid,
                   relevant=False, cosine=round(cosine, 4),
                   coverage=round(found.coverage, 4), evidence=found)

    @property
    def evidence_reader(self) -> evidence.EvidenceReader:
        """What reads each hit's answer.Evidence, for this generation (made on first use)."""
        with self._lock:    # one per generation: its city shares are a pass over every passage
            if self._evidence_reader is None:
                self._evidence_reader = evidence.EvidenceReader(self.passages, self.lexical, self.word_spans)
            return self._evidence_reader

    def info(self) -> dict:
        """The manifest for people: `files` are the files indexed; `skipped` counts what the build
        skipped and `skipped_items` says what and why ({path, reason, line})."""
        self = self.refreshed()
        bookkeeping = ("files_written", "unindexed_files", "skipped")
        skipped = self.manifest.get("skipped", [])
        return {k: v for k, v in self.manifest.items() if k not in bookkeeping} | {
            "index_dir": str(self.index_dir), "skipped": len(skipped), "skipped_items": skipped}


def _open_local(gen: Path) -> tuple[list[Passage], DenseIndex, lexical.LexicalIndex, SentenceVectors,
                                   lexical.WordSpans | None]:
    """The default backend's parts: files in the generation folder (FAISS, bm25s, .npy); the
    word spans only when the build stored them (generations from before did not)."""
    try:
        with open(gen / "passages.jsonl", encoding="utf-8") as f:
            passages = [Passage.from_dict(json.loads(line)) for line in f]
        dense = DenseIndex.load(gen / "dense.faiss")
        lex = lexical.LexicalIndex.load(gen / "lexical")
        sentences = store.load_array(gen / "sentences.npy")
        offsets = store.load_array(gen / "sentence_offsets.npy", mmap=False)
        word_spans = lexical.WordSpans(store.load_array(gen / "word_spans.npy"),
                                       store.load_array(gen / "word_span_offsets.npy", mmap=False)) \
            if (gen / "word_spans.npy").exists() else None
    except (OSError, ValueError, KeyError, RuntimeError, EOFError) as e:
        raise store.CorruptIndex(f"{gen} cannot be read ({e}); rebuild with `qabot build --full`")
    if not (len(passages) == len(dense) == lex.n_docs == len(offsets) - 1
            and offsets[-1] == len(sentences)
            and (word_spans is None or word_spans.fits(len(passages)))):
        raise store.CorruptIndex(f"{gen}: passages, vectors and lexical index disagree in size; "
                                 f"rebuild with `qabot build --full`")
    return passages, dense, lex, SentenceVectors(sentences, offsets), word_spans


def clean_question(question: str) -> str:
    """Strip control characters and surrounding space; refuse what has no words."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in question)
    text = documents.ordinary_characters(" ".join(text.split())[:MAX_QUESTION_CHARS])
    if not text:
        raise QuestionError("the question is empty")
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("the question has no words to search for")
    return text


def check_k(k) -> int:
    """`k`, the number of passages asked for, as an int: a whole number from 1 to MAX_K (5, 5.0 or
    "5", as a form or a JSON client may send it), else a QuestionError naming the range. Quietly
    clamped, k=0 returned one passage and k=500 a hundred, as if that had been asked."""
    number = k
    if isinstance(k, str):
        try:
            number = float(k.strip())
        except ValueError:
            number = None
    whole = (isinstance(number, (int, float, np.integer, np.floating)) and not isinstance(number, bool)
             and float(number).is_integer())
    if not whole or not 1 <= number <= MAX_K:
        raise QuestionError(f"k (the number of passages) must be a whole number from 1 to {MAX_K}, not {k!r}")
    return int(number)


def answer_json(question: str, hits: list[Hit]) -> dict:
    """The one JSON shape of an answer, for `qabot ask --json` and the chat's `/ask`:
    {"question", "answered": any hit relevant, "hits": [Hit.to_dict(), ...]}."""
    return {"question": question, "answered": any(h.relevant for h in hits),
            "hits": [h.to_dict() for h in hits]}


_cache: dict[str, Retriever] = {}
_cache_lock = threading.Lock()


def retrieve(question: str, k: int = 5, index_dir: str | Path | None = None,
             mode: str = "hybrid", since=None, until=None, sources=None) -> list[Hit]:
    """One-call search: opens `index_dir` once per process and reuses it."""
    index_dir = paths.index_dir(index_dir)
    key = str(index_dir.resolve())
    with _cache_lock:
        retriever = _cache.get(key)
        if retriever is None:
            retriever = _cache[key] = Retriever.load(index_dir)
    return retriever.search(question, k=k, mode=mode, since=since, until=until, sources=sources)
