"""The Milvus backend: passages, dense vectors, sentence vectors and the lexical channels in Milvus.

It offers the Retriever the same small interface as the default backend
(dense.DenseIndex, dense.SentenceVectors, lexical.LexicalIndex), so ranking,
answer sentences and confidence come out of the same code (fusion.py,
answer.py) on either.

Where Milvus is: `uri` is a Milvus Lite file (default `<index>/milvus.db`: the
real engine embedded, one process at a time) or a server, `http://host:19530`:
a Milvus cluster, or `qabot milvus-serve`, which serves a Lite file to the
chat and the CLI at once. Readers take $QABOT_MILVUS_URI, else the uri the
index was built with.

Generations: a build writes two new collections named after its generation
(passages with their vectors and sparse lexical vectors; sentences), and the
manifest in the generation folder names them, so switching CURRENT switches
Milvus too (Lite has no aliases). A killed build leaves collections no
manifest names; the next build drops them. The collections the previous
manifest named are kept one build longer, so a reader that has not reloaded
yet keeps answering.

BM25: a passage's stored sparse vector holds only its term-frequency part
(lexical.tf_weights); the query vector holds the IDF part, from the document
frequencies in the generation's terms.json. Their inner product is bm25s's
score. Term ids are kept from one generation to the next (new terms get new
ids), so a passage's stored vector does not depend on the other passages
beyond their average length.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import lexical, store
from .dense import EXACT_MAX_VECTORS, best_sentence_scores
from .passages import Passage

URI_ENV = "QABOT_MILVUS_URI"
DB_NAME = "milvus.db"
TERMS = "terms.json"
BATCH = 1000                   # rows per insert: Lite 2.5 took 200 s for one insert of 5,000 vectors, 5 s for 5 of 1,000
MAX_PASSAGE_BYTES = 65_535     # Milvus's longest VARCHAR
# Lite's embedded engine has no HNSW: exact search up to the size FAISS searches exactly,
# IVF above (a server gets HNSW, as FAISS does). bench/milvus_scale.py measured both.
IVF_NLIST = 1024
IVF_NPROBE = 32
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 80, 128


class Unreachable(store.IndexError_):
    """Milvus cannot be reached (or a Lite file is open in another process)."""


# ------------------------------------------------------------------ connections

_clients: dict[str, list] = {}       # uri -> [client, references]
_clients_lock = threading.Lock()


def resolve_uri(index_dir: Path, uri: str | None) -> str:
    """Where to reach Milvus: a server's URL, or a Lite file (default: <index>/milvus.db)."""
    if not uri:
        return str((Path(index_dir) / DB_NAME).resolve())
    return uri if "://" in uri else str(Path(uri).resolve())


def is_lite(uri: str) -> bool:
    return "://" not in uri


def connect(uri: str):
    """A client for `uri`, shared within the process; `release(uri)` when done."""
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    with _clients_lock:
        if uri in _clients:
            _clients[uri][1] += 1
            return _clients[uri][0]
        if is_lite(uri):
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "pkg_resources is deprecated")   # Lite 2.5's import
                # pymilvus pings every 10 s even when idle; Lite's server answers that with
                # "too_many_pings" noise on stderr. A minute is plenty to notice a dead server.
                client = MilvusClient(uri=uri, timeout=30, grpc_options={
                    "grpc.keepalive_time_ms": 60_000, "grpc.keepalive_permit_without_calls": False})
        except MilvusException as e:
            hint = (" (a Milvus Lite file serves one process at a time: share it with "
                    "`qabot milvus-serve` and QABOT_MILVUS_URI)" if is_lite(uri) else "")
            raise Unreachable(f"cannot open Milvus at {uri}: {e.message}{hint}") from None
        _clients[uri] = [client, 1]
        return client


def release(uri: str) -> None:
    """Drop a reference; the last one closes the client (and stops Lite's engine for a file)."""
    with _clients_lock:
        entry = _clients.get(uri)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _clients[uri]
        entry[0].close()
        if is_lite(uri):
            from milvus_lite.server_manager import server_manager_instance
            server_manager_instance.release_server(uri)


def close_all() -> None:
    """Close every client this process opened (stopping its embedded Lite engines)."""
    for uri in list(_clients):
        with _clients_lock:
            if uri in _clients:
                _clients[uri][1] = 1
        release(uri)


# ------------------------------------------------------------------ writing a generation

def collection_prefix(index_dir: Path) -> str:
    """Collections of one index folder share a prefix, so several indexes can share a Milvus."""
    digest = hashlib.blake2b(str(Path(index_dir).resolve()).encode(), digest_size=5).hexdigest()
    return f"qabot_{digest}_"


def write_generation(index_dir: Path, gen: Path, uri: str | None, previous: dict | None,
                     passages: list[Passage], token_lists: list[dict], passage_vectors: np.ndarray,
                     sentence_vectors: np.ndarray, offsets: np.ndarray) -> dict:
    """Write a generation's collections and its terms.json; returns the manifest's part."""
    old = (previous or {}).get("milvus") or {}
    if uri is None:
        uri = old.get("uri")
    where = resolve_uri(index_dir, uri)
    stamp = gen.name.removesuffix(".tmp").replace("-", "_")
    names = {"passages": collection_prefix(index_dir) + stamp + "_p",
             "sentences": collection_prefix(index_dir) + stamp + "_s"}
    old_ids = _previous_term_ids(previous)
    terms = {}
    sparse = {}
    for channel in lexical.CHANNELS:
        corpus = lexical.channel_corpus(token_lists, channel)
        df = lexical.document_frequencies(corpus)
        ids = {t: i for t, i in old_ids.get(channel, {}).items() if t in df}
        next_id = max(old_ids.get(channel, {}).values(), default=-1) + 1
        for t in sorted(set(df) - set(ids)):
            ids[t], next_id = next_id, next_id + 1
        terms[channel] = {t: [ids[t], n] for t, n in df.items()}
        sparse[channel] = [{ids[t]: w for t, w in weights.items()}
                           for weights in lexical.tf_weights(corpus, channel)]

    client = connect(where)
    try:
        kind = _create_collections(client, names, passage_vectors.shape[1], len(passages), where)
        for start in range(0, len(passages), BATCH):
            rows = []
            for pid in range(start, min(start + BATCH, len(passages))):
                text = json.dumps(passages[pid].to_dict(), ensure_ascii=False)
                if len(text.encode("utf-8")) > MAX_PASSAGE_BYTES:
                    raise ValueError(f"{passages[pid].source}: a passage is too long for Milvus "
                                     f"({len(text)} characters)")
                rows.append({"id": pid, "dense": passage_vectors[pid].tolist(), "passage": text}
                            | {channel: sparse[channel][pid] for channel in lexical.CHANNELS})
            client.insert(names["passages"], rows)
        owner = np.repeat(np.arange(len(passages)), np.diff(offsets))
        for start in range(0, len(sentence_vectors), BATCH):
            end = min(start + BATCH, len(sentence_vectors))
            client.insert(names["sentences"], [
                {"id": i, "passage": int(owner[i]), "vector": sentence_vectors[i]}
                for i in range(start, end)])
        for name in names.values():
            client.flush(name)
    finally:
        release(where)
    (gen / TERMS).write_text(json.dumps({"n_docs": len(passages), "terms": terms},
                                        ensure_ascii=False), encoding="utf-8")
    stored_uri = None if uri is None else where
    return {"dense_index": kind, "milvus": {"uri": stored_uri, **names}}


def _create_collections(client, names: dict, dim: int, n: int, uri: str) -> str:
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    for channel in lexical.CHANNELS:
        schema.add_field(channel, DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("passage", DataType.VARCHAR, max_length=MAX_PASSAGE_BYTES)
    params = client.prepare_index_params()
    if n <= EXACT_MAX_VECTORS:
        kind = "flat"
        params.add_index("dense", index_type="FLAT", metric_type="IP")
    elif is_lite(uri):
        kind = "ivf"
        params.add_index("dense", index_type="IVF_FLAT", metric_type="IP", params={"nlist": IVF_NLIST})
    else:
        kind = "hnsw"
        params.add_index("dense", index_type="HNSW", metric_type="IP",
                         params={"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION})
    for channel in lexical.CHANNELS:
        params.add_index(channel, index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    client.create_collection(names["passages"], schema=schema, index_params=params)

    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("passage", DataType.INT64)
    schema.add_field("vector", DataType.FLOAT16_VECTOR, dim=dim)   # as sentences.npy: float16
    params = client.prepare_index_params()
    params.add_index("vector", index_type="FLAT", metric_type="IP")   # fetched, never searched
    params.add_index("passage", index_type="INVERTED")
    client.create_collection(names["sentences"], schema=schema, index_params=params)
    return kind


def _previous_term_ids(previous: dict | None) -> dict[str, dict[str, int]]:
    if not previous or previous.get("backend") != "milvus":
        return {}
    try:
        terms = json.loads((Path(previous["_generation"]) / TERMS).read_text(encoding="utf-8"))["terms"]
    except (OSError, ValueError, KeyError):
        return {}
    return {channel: {t: v[0] for t, v in found.items()} for channel, found in terms.items()}


def collections(manifest: dict) -> set[str]:
    """The collections a generation's manifest names."""
    return {manifest["milvus"]["passages"], manifest["milvus"]["sentences"]}


def drop_stale_collections(index_dir: Path, manifest: dict, previous: dict | None) -> list[str]:
    """Drop this index's collections that neither the live nor the previous manifest names."""
    keep = collections(manifest)
    if previous and previous.get("backend") == "milvus":
        keep |= collections(previous)
    where = resolve_uri(index_dir, manifest["milvus"]["uri"])
    client = connect(where)
    try:
        stale = [name for name in client.list_collections()
                 if name.startswith(collection_prefix(index_dir)) and name not in keep]
        for name in stale:
            client.drop_collection(name)
    finally:
        release(where)
    return stale


# ------------------------------------------------------------------ reading a generation

def open_generation(gen: Path, manifest: dict, index_dir: Path, uri: str | None = None):
    """The live generation's parts in Milvus: (passages, dense, lexical, sentences)."""
    names = manifest["milvus"]
    where = uri or os.environ.get(URI_ENV) or resolve_uri(index_dir, names["uri"])
    client = connect(where)
    try:
        for name in (names["passages"], names["sentences"]):
            if not client.has_collection(name):
                raise store.CorruptIndex(f"Milvus at {where} has no collection {name}, which "
                                         f"{gen.name} needs; rebuild with `qabot build --full`")
            client.load_collection(name)
        counts = manifest["counts"]
        found = [_count(client, names["passages"]), _count(client, names["sentences"])]
        if found != [counts["passages"], counts["sentences"]]:
            raise store.CorruptIndex(f"Milvus at {where} holds {found[0]} passages and {found[1]} "
                                     f"sentences, {gen.name} has {counts['passages']} and "
                                     f"{counts['sentences']}; rebuild with `qabot build --full`")
        try:
            terms = json.loads((gen / TERMS).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise store.CorruptIndex(f"{gen / TERMS} cannot be read ({e}); rebuild with `qabot build --full`")
    except BaseException:
        release(where)
        raise
    rows = _Rows(client, names["passages"], counts["passages"])
    return (MilvusPassages(rows), MilvusDense(client, names["passages"], rows, manifest["dense_index"]),
            MilvusLexical(client, names["passages"], terms), MilvusSentences(client, names["sentences"]))


def _only(allowed: np.ndarray | None) -> str:
    """A filter keeping the `allowed` passage ids (a scoped question); none: everything."""
    return "" if allowed is None else f"id in {np.asarray(allowed).tolist()}"


def _count(client, name: str) -> int:
    return int(client.query(name, filter="", output_fields=["count(*)"])[0]["count(*)"])


class _Rows:
    """Passage rows by id (passage and dense vector), cached: a hit needs both."""

    def __init__(self, client, name: str, n: int):
        self.client, self.name, self.n = client, name, n
        self.get = lru_cache(maxsize=4096)(self._get)

    def _get(self, pid: int) -> dict:
        found = self.client.get(self.name, ids=[int(pid)], output_fields=["passage", "dense"])
        if not found:
            raise IndexError(pid)
        return found[0]

    def many(self, ids: list[int]) -> list[dict]:
        found = {r["id"]: r for r in self.client.get(self.name, ids=[int(i) for i in ids],
                                                     output_fields=["passage"])}
        return [found[i] for i in ids]


class MilvusPassages:
    """The passages as a read-only sequence: passages[pid], len, iteration."""

    def __init__(self, rows: _Rows):
        self.rows = rows

    def __len__(self) -> int:
        return self.rows.n

    def __getitem__(self, pid: int) -> Passage:
        if not 0 <= pid < self.rows.n:
            raise IndexError(pid)
        return Passage.from_dict(json.loads(self.rows.get(int(pid))["passage"]))

    def __iter__(self):
        for start in range(0, self.rows.n, BATCH):
            for row in self.rows.many(list(range(start, min(start + BATCH, self.rows.n)))):
                yield Passage.from_dict(json.loads(row["passage"]))


class MilvusDense:
    """The dense side: passage vectors searched by inner product (= cosine on unit vectors)."""

    def __init__(self, client, name: str, rows: _Rows, kind: str):
        self.client, self.name, self.rows, self.kind = client, name, rows, kind

    def __len__(self) -> int:
        return self.rows.n

    def search(self, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosines of the `k` nearest passages (among `allowed` ids when given)."""
        k = min(k, self.rows.n if allowed is None else len(allowed))
        if k == 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        params = {"metric_type": "IP", "params": {"nprobe": IVF_NPROBE, "ef": max(HNSW_EF_SEARCH, k)}}
        found = self.client.search(self.name, data=[query.astype(np.float32).tolist()], anns_field="dense",
                                   limit=k, search_params=params, output_fields=["id"],
                                   filter=_only(allowed))[0]
        return (np.array([h["id"] for h in found], np.int64),
                np.array([h["distance"] for h in found], np.float32))

    def vector(self, pid: int) -> np.ndarray:
        return np.asarray(self.rows.get(int(pid))["dense"], np.float32)


class MilvusLexical(lexical.TermStats):
    """BM25 over the three channels as sparse inner products; IDF and evidence as the default's."""

    def __init__(self, client, name: str, terms: dict):
        self.client, self.name = client, name
        self.n_docs = terms["n_docs"]
        self.ids = {c: {t: v[0] for t, v in found.items()} for c, found in terms["terms"].items()}
        self.df = {c: {t: v[1] for t, v in found.items()} for c, found in terms["terms"].items()}

    def search(self, channel: str, terms: list[str], k: int,
               allowed: np.ndarray | None = None) -> lexical.LexicalResult:
        terms = list(dict.fromkeys(terms))
        known = [t for t in terms if t in self.df[channel]]
        if not known:
            return lexical.LexicalResult(np.empty(0, np.int64), np.empty(0, np.float32), [], 0.0)
        query = {self.ids[channel][t]: self.idf(channel, t) for t in known}
        found = self.client.search(self.name, data=[query], anns_field=channel, limit=min(k, self.n_docs),
                                   search_params={"metric_type": "IP"}, output_fields=["id"],
                                   filter=_only(allowed))[0]
        found = [h for h in found if h["distance"] > 0]
        return lexical.LexicalResult(np.array([h["id"] for h in found], np.int64),
                                     np.array([h["distance"] for h in found], np.float32),
                                     known, self.evidence(channel, terms, known))


class MilvusSentences:
    """Each passage's sentence vectors, fetched for the passages a question needs."""

    def __init__(self, client, name: str):
        self.client, self.name = client, name

    def _fetch(self, pids: list[int]) -> dict[int, np.ndarray]:
        rows = []
        for start in range(0, len(pids), BATCH):
            chunk = pids[start:start + BATCH]
            rows += self.client.query(self.name, filter=f"passage in {chunk}",
                                      output_fields=["id", "passage", "vector"])
        rows.sort(key=lambda r: r["id"])
        out: dict[int, list] = {pid: [] for pid in pids}
        for r in rows:
            out[r["passage"]].append(np.frombuffer(r["vector"][0], np.float16))
        return {pid: np.stack(v) if v else np.empty((0, 0), np.float16) for pid, v in out.items()}

    def of(self, pid: int) -> np.ndarray:
        return self._fetch([int(pid)])[int(pid)]

    def best(self, query: np.ndarray, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pids = np.unique(np.asarray(candidates, dtype=np.int64))
        found = self._fetch(pids.tolist())
        counts = np.array([len(found[p]) for p in pids.tolist()], np.int64)
        if counts.sum() == 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        vectors = np.concatenate([found[p] for p in pids.tolist() if len(found[p])])
        offsets = np.concatenate([[0], np.cumsum(counts)])
        local, scores = best_sentence_scores(query, vectors, offsets, np.arange(len(pids)))
        return pids[local], scores


# ------------------------------------------------------------------ sharing a Lite file

def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 19530, db: str | None = None):
    """Serve an index's Lite file over gRPC until interrupted, so several processes share it.

    Milvus Lite 2.5 has no server command; its Python package starts the same engine on a
    TCP address when given one."""
    import signal
    from milvus_lite.server import Server

    path = resolve_uri(index_dir, db)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    server = Server(path, f"{host}:{port}")
    if not server.init() or not server.start():
        raise Unreachable(f"cannot serve {path}: is it open in another process?")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.is_set() and server._p.poll() is None:
            stop.wait(0.5)
    finally:
        server._p.terminate()      # the engine flushes and exits on SIGTERM
        try:
            server._p.wait(timeout=20)
        finally:
            server.stop()
