"""Build (or refresh) an index: articles -> passages -> vectors + lexical index -> a new generation.

Incremental by content: every file is re-read and re-chunked (cheap), but a
passage or sentence whose text was embedded before takes its vector from the
embedding cache, and its lexical tokens from the previous generation. An
unchanged corpus is detected from file hashes and costs nothing.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import article as article_rules
from . import documents, encoder as encoders, lexical, passages as chunking, paths, segment, store
from .dense import DenseIndex


@dataclass
class BuildReport:
    index_dir: str
    model: str = ""
    up_to_date: bool = False
    files: int = 0             # files indexed (a file skipped is in `skipped`, not here nor below)
    added: list[str] = field(default_factory=list)          # files indexed now and not before
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    sentences: int = 0
    embedded: int = 0          # texts the model encoded in this build
    reused: int = 0            # texts whose vectors came from the cache
    skipped: list[documents.Problem] = field(default_factory=list)
    warnings: list[documents.Problem] = field(default_factory=list)   # indexed, but worth a look
    seconds: float = 0.0

    def skipped_counts(self) -> dict[str, int]:
        """How many problems of each kind, most common first."""
        return documents.count_kinds(self.skipped)

    def summary(self) -> str:
        if self.up_to_date:
            head = f"index {self.index_dir}/ is up to date ({self.files} files, {self.passages} passages)"
        else:
            head = (f"built {self.index_dir}/: {self.files} files, {self.documents} documents, "
                    f"{self.passages} passages; +{len(self.added)} ~{len(self.changed)} "
                    f"-{len(self.removed)} files; embedded {self.embedded} texts, "
                    f"reused {self.reused}")
        lines = [f"{head} in {self.seconds:.1f}s"]
        if self.skipped:
            counts = self.skipped_counts()
            lines.append(f"skipped {len(self.skipped)}: "
                         + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
            lines += [f"  {p}" for p in self.skipped]
        if self.warnings:
            lines.append(f"warnings {len(self.warnings)} (indexed anyway):")
            lines += [f"  {p}" for p in self.warnings]
        return "\n".join(lines)


class NothingToIndex(ValueError):
    """No article could be read: the message names each path skipped and why (`problems`)."""

    SHOWN = 50      # problems listed in the message; `problems` holds them all

    def __init__(self, sources, problems: list[documents.Problem]):
        self.problems = list(problems)
        where = ", ".join(map(str, sources))
        if not problems:
            kinds = ", ".join(sorted(documents.SUFFIXES))
            message = f"nothing to index: no article file ({kinds}) in {where}"
        elif all(p.kind == "missing" for p in problems):
            message = "nothing to index: " + "; ".join(map(str, problems))   # nothere: no such file or folder
        else:
            more = len(problems) - self.SHOWN
            message = "\n".join([f"nothing to index: no readable article in {where}; skipped {len(problems)}:",
                                 *(f"  {p}" for p in problems[:self.SHOWN]),
                                 *([f"  ... and {more} more"] if more > 0 else [])])
        super().__init__(message)


def build_index(sources=None, index_dir=None, model: str | None = None,
                full: bool = False, progress: bool = False,
                max_file_bytes: int = documents.MAX_FILE_BYTES,
                backend: str | None = None, milvus_uri: str | None = None) -> BuildReport:
    """Index the articles under `sources` into `index_dir`. Returns what was done.

    `sources` and `index_dir` default as everywhere (bot/paths.py: $QABOT_DATA /
    $QABOT_INDEX, else ./data and ./index). With `model=None` the index keeps the
    model it was built with (or $QABOT_MODEL, or the default). `full=True`
    ignores what can be reused.
    `backend` is "faiss" (files in `index_dir`, the default) or "milvus"
    (Milvus at `milvus_uri`, see bot/milvus.py); None keeps the index's own.
    """
    t0 = time.perf_counter()
    index_dir = paths.index_dir(index_dir)
    if sources is None:
        sources = [paths.data_dir()]
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    with store.build_lock(index_dir), store.cleanup_on_failure(index_dir):
        store.remove_stale_generations(index_dir)   # leftovers of killed builds
        previous = _previous(index_dir)
        model_name = encoders.resolve_model(
            model or os.environ.get(encoders.MODEL_ENV) or (previous or {}).get("model"))
        backend = backend or (previous or {}).get("backend", "faiss")
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        report = BuildReport(index_dir=str(index_dir), model=model_name)
        scan = documents.scan(list(sources))
        report.skipped += scan.problems
        report.warnings += scan.warnings
        hashes = {}
        for name, path in scan.files.items():
            try:
                hashes[name] = documents.file_hash(path, max_file_bytes)
            except OSError as e:
                report.skipped.append(documents.Problem(name, f"cannot read: {e.strerror or e}"))
        if previous and not full and _unchanged(previous, model_name, hashes) \
                and _same_place(previous, index_dir, backend, milvus_uri):
            report.up_to_date = True
            report.files = previous["counts"]["files"]
            report.documents = previous["counts"]["documents"]
            report.passages = previous["counts"]["passages"]
            report.skipped = [documents.Problem(**p) for p in previous["skipped"]]
            report.warnings = [documents.Problem(**p) for p in previous.get("warnings", [])]
            report.seconds = time.perf_counter() - t0
            return report

        enc = encoders.load_encoder(model_name)
        fingerprint = encoders.model_fingerprint(enc)
        old_files = (previous or {}).get("files", {})

        # 1. files -> documents -> passages
        started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        all_passages: list[chunking.Passage] = []
        files_meta: dict[str, dict] = {}       # the files indexed
        unindexed: dict[str, str] = {}         # name -> hash of the files read that gave no article (skipped)
        seen_docs: dict[str, str] = {}
        limit = min(chunking.MAX_PASSAGE_TOKENS, encoders.max_tokens(enc) - 2)
        names = list(hashes)
        for name in _progress(names, progress, f"reading {len(names)} files", "file", show_item=True):
            got = documents.read_file(scan.files[name], name, max_file_bytes)
            report.skipped += got.problems
            report.warnings += got.warnings
            kept, title = 0, ""
            for doc in got.documents:
                key = doc.content_hash
                if key in seen_docs:
                    report.skipped.append(documents.Problem(
                        name, f"document {doc.doc_id!r} duplicates {seen_docs[key]!r}; indexed once"))
                    continue
                seen_docs[key] = f"{name}:{doc.doc_id}" if doc.format == "jsonl" else name
                parsed = article_rules.parse(doc)
                found = chunking.chunk(doc, parsed, lambda t: encoders.count_tokens(enc, t), limit,
                                       lambda t: encoders.token_ends(enc, t))
                if not found:
                    report.skipped.append(documents.Problem(name, f"document {doc.doc_id!r} has no body text"))
                    continue
                all_passages += found
                kept += 1
                title = title or parsed.title
            # The hash of the bytes indexed: the file may have changed since it was hashed
            # above, or gone (then it is not recorded, as if the scan had not found it).
            if kept:
                # Title and first-indexed time: the chat's file list searches and sorts by them.
                files_meta[name] = {"hash": got.hash or hashes[name], "documents": kept, "title": title,
                                    "added": old_files.get(name, {}).get("added") or started}
            elif got.hash or scan.files[name].exists():
                unindexed[name] = got.hash or hashes[name]   # kept apart: only so the next build knows it unchanged
            report.documents += kept
        if not all_passages:
            raise NothingToIndex(sources, report.skipped)
        # What the index gained and lost: a file skipped is in neither (it was not indexed)
        old_indexed = {n: f["hash"] for n, f in old_files.items() if f.get("documents")}
        report.added = sorted(set(files_meta) - set(old_indexed))
        report.changed = sorted(n for n in files_meta if n in old_indexed and old_indexed[n] != files_meta[n]["hash"])
        report.removed = sorted(set(old_indexed) - set(files_meta))

        # 2. vectors (cached by content hash) for passages and their sentences
        passage_texts = [chunking.embedding_text(p) for p in all_passages]
        sentence_texts = [p.text[s:e] for p in all_passages for s, e in p.sentences]
        cache = store.EmbeddingCache(index_dir / "embeddings.sqlite", fingerprint,
                                     encoders.embedding_dim(enc))
        try:
            vectors, embedded, reused = _embed(cache, enc, passage_texts + sentence_texts, progress,
                                               use_cache=not full)
            cache.keep_only({cache.key(t) for t in passage_texts + sentence_texts})
        finally:
            cache.close()
        report.embedded, report.reused = embedded, reused
        passage_vectors = vectors[:len(passage_texts)]
        sentence_vectors = vectors[len(passage_texts):]
        offsets = np.cumsum([0] + [len(p.sentences) for p in all_passages]).astype(np.int64)

        # 3. lexical tokens of what was embedded (title and section too: a paragraph that
        #    says only 她 matches her name), reused by that text from the previous generation
        reuse = previous and not full and previous.get("tokenizer_version") == segment.TOKENIZER_VERSION
        old_tokens = _previous_tokens(previous) if reuse else {}
        old_tokens = {text: toks for text, toks in old_tokens.items() if "spans" in toks}   # older: cut again
        token_lists = [old_tokens.get(text) or lexical.tokenize(text)
                       for text in _progress(passage_texts, progress,
                                             f"indexing {len(passage_texts)} passages", "passage")]

        # 4. write a new generation, then switch to it
        gen = store.new_generation(index_dir)
        if backend == "milvus":
            from . import milvus
            stored = milvus.write_generation(index_dir, gen, milvus_uri, previous, all_passages,
                                             token_lists, passage_vectors,
                                             sentence_vectors.astype(np.float16), offsets)
        else:
            stored = _write_local(gen, all_passages, token_lists, passage_vectors,
                                  sentence_vectors, offsets)

        report.files = len(files_meta)
        report.passages = len(all_passages)
        report.sentences = len(sentence_texts)
        report.seconds = time.perf_counter() - t0
        manifest = {
            "format": store.FORMAT_VERSION,
            "model": model_name,
            "model_fingerprint": fingerprint,
            "dimension": int(passage_vectors.shape[1]),
            "chunker_version": chunking.CHUNKER_VERSION,
            "max_passage_tokens": limit,
            "backend": backend,
            **stored,
            "tokenizer_version": segment.TOKENIZER_VERSION,
            "sources": [str(s) for s in sources],
            "files": files_meta,
            "unindexed_files": unindexed,
            "counts": {"files": report.files, "documents": report.documents,
                       "passages": report.passages, "sentences": report.sentences},
            "skipped": [asdict(p) for p in report.skipped],
            "warnings": [asdict(p) for p in report.warnings],
            "reader_version": documents.READER_VERSION,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(report.seconds, 2),
        }
        store.commit_generation(index_dir, gen, manifest)
        store.remove_stale_generations(index_dir)
        if backend == "milvus":
            milvus.drop_stale_collections(index_dir, manifest, previous)
        return report


BACKENDS = ("faiss", "milvus")


def interrupted(index_dir) -> str:
    """What a build stopped by Ctrl-C (KeyboardInterrupt out of build_index) leaves, in one line:
    by then its half-written generation is gone and its lock released (store.cleanup_on_failure),
    and every run of texts it embedded is in the cache (_embed)."""
    return (f"build interrupted; the previous index in {index_dir}/ is unchanged, and the texts "
            f"embedded so far are kept for the next build")


def _write_local(gen: Path, all_passages, token_lists, passage_vectors, sentence_vectors,
                 offsets) -> dict:
    """The default backend: everything as files in the generation folder."""
    with open(gen / "passages.jsonl", "w", encoding="utf-8") as f:
        for p in all_passages:
            f.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
    with open(gen / "tokens.jsonl", "w", encoding="utf-8") as f:
        for toks in token_lists:
            f.write(json.dumps(toks, ensure_ascii=False) + "\n")
    dense = DenseIndex.index_vectors(passage_vectors)
    dense.save(gen / "dense.faiss")
    store.save_array(gen / "sentences.npy", sentence_vectors.astype(np.float16))
    store.save_array(gen / "sentence_offsets.npy", offsets)
    # where each passage's words are, for English matching at search time (segment.word_spans)
    spans = [np.asarray(toks["spans"], np.int32).reshape(-1, 2) for toks in token_lists]
    store.save_array(gen / "word_spans.npy", np.concatenate(spans))
    store.save_array(gen / "word_span_offsets.npy", np.cumsum([0] + [len(x) for x in spans], dtype=np.int64))
    lexical.LexicalIndex.index(token_lists).save(gen / "lexical")
    return {"dense_index": dense.kind}


def _previous(index_dir: Path) -> dict | None:
    try:
        gen = store.current_generation(index_dir)
        return store.read_manifest(gen) | {"_generation": str(gen)}
    except store.IndexError_:
        return None


def _unchanged(previous: dict, model_name: str, hashes: dict[str, str]) -> bool:
    if previous.get("format") != store.FORMAT_VERSION:
        return False
    if previous.get("model") != model_name or previous.get("chunker_version") != chunking.CHUNKER_VERSION:
        return False
    if previous.get("tokenizer_version") != segment.TOKENIZER_VERSION:
        return False
    if previous.get("reader_version") != documents.READER_VERSION:
        return False
    if previous.get("backend", "faiss") == "faiss" and "word_spans.npy" not in previous.get("files_written", {}):
        return False    # built before word spans were stored: built again, vectors from the cache
    if not all(f.get("documents") for f in previous["files"].values()):
        return False    # built when skipped files were listed among the indexed ones: listed apart now
    read_before = {n: f["hash"] for n, f in previous["files"].items()} | previous.get("unindexed_files", {})
    return read_before == hashes


def _same_place(previous: dict, index_dir: Path, backend: str, milvus_uri: str | None) -> bool:
    """Whether the previous generation lives where this build would put it."""
    if previous.get("backend", "faiss") != backend:
        return False
    if milvus_uri is None:
        return True
    from . import milvus
    return previous["milvus"]["uri"] == milvus.resolve_uri(index_dir, milvus_uri)


def _previous_tokens(previous: dict) -> dict[str, dict]:
    gen = Path(previous["_generation"])
    try:
        with open(gen / "passages.jsonl", encoding="utf-8") as fp, \
                open(gen / "tokens.jsonl", encoding="utf-8") as ft:
            return {chunking.embedding_text(chunking.Passage.from_dict(json.loads(p))): json.loads(t)
                    for p, t in zip(fp, ft)}
    except (OSError, ValueError, KeyError):
        return {}


# Texts embedded between two writes of the embedding cache: a build interrupted (Ctrl-C, a crash)
# keeps every run written before, so the next build embeds only the rest (it re-embedded all of
# them when the cache was written at the end); seconds of a CPU's work, one SQLite transaction each.
EMBED_RUN = 256


def _embed(cache: store.EmbeddingCache, enc, texts: list[str], progress: bool, use_cache: bool = True):
    keys = [cache.key(t) for t in texts]
    found = cache.get(list(set(keys))) if use_cache else {}   # --full embeds everything afresh
    todo = list(dict.fromkeys(k for k in keys if k not in found))
    if todo:
        wanted = set(todo)
        first = {k: t for k, t in zip(keys, texts) if k in wanted}
        for rows, vectors in encoders.encode_passages_in_runs(enc, [first[k] for k in todo], EMBED_RUN,
                                                              show_progress=progress):
            fresh = {todo[r]: v for r, v in zip(rows, vectors)}
            cache.put(fresh)            # one transaction: a run is in the cache whole or not at all
            found.update(fresh)
    vectors = np.stack([found[k] for k in keys]).astype(np.float32)
    return vectors, len(todo), len(texts) - len(todo)


def _progress(items: list, show: bool, desc: str, unit: str, show_item: bool = False):
    """`items` one by one, under a named progress bar when `show`; with `show_item`, the
    item being worked on is shown beside it (which file a long build is on)."""
    if not show:
        yield from items
        return
    from tqdm import tqdm
    with tqdm(total=len(items), desc=desc, unit=unit, leave=False) as bar:
        for item in items:
            if show_item:
                bar.set_postfix_str(str(item)[-60:])
            yield item
            bar.update()
