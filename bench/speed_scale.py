"""Speed benchmark, part `scale`. Index scale on synthetic data shaped like the real embeddings and
tokens: flat vs HNSW, BM25, fused queries (--sizes), on-disk bytes and peak RSS.

    .venv/bin/python bench/speed_scale.py      # this part alone; rewrites the speed section
    .venv/bin/python bench/speed.py scale     # the same, through the entry point
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from speed_common import (main, BENCH, OUT, TRIAL_INDEX, DIM, now, ms_stats, load_avg, dir_size, run_worker, say, emit, trial_index, fmt, mb)

PART = "scale"
SCALE_SIZES = (10_000, 100_000, 1_000_000)
FLAT_BUDGET_MS = 15.0          # exact search is fine while its p50 stays under this
OPTIONS = {"--sizes": dict(nargs="+", type=int, default=list(SCALE_SIZES), help="index sizes (scale part)"),
           "--fresh": dict(action="store_true", help="rebuild the cached synthetic HNSW indexes (scale part)")}


def run(args) -> dict:
    sizes = [10_000] if os.environ.get("SPEED_SMOKE") else args.sizes
    if args.fresh:
        os.environ["SPEED_FRESH"] = "1"
    _spectrum()
    out = {"sizes": list(sizes), "dense": {}, "lexical": {}, "serve": {}}
    flat_curve = None
    for n in sizes:
        say(f"scale {n:,}: dense (flat + HNSW)")
        out["dense"][str(n)] = d = run_worker(__file__, "scale-dense", n)
        flat_curve = d.get("flat_curve") or flat_curve
        say(f"scale {n:,}: lexical (bm25s, synthetic Zipf tokens)")
        out["lexical"][str(n)] = run_worker(__file__, "scale-lexical", n)
        say(f"scale {n:,}: serving (load both + fused query)")
        out["serve"][str(n)] = run_worker(__file__, "scale-serve", n)
    out["flat_curve"] = flat_curve
    return out


def _spectrum() -> Path:
    """Mean and covariance basis of the real trial embeddings (passages + sentences),
    for synthetic vectors with the model's anisotropy and intrinsic dimension."""
    import numpy as np
    path = OUT / "spectrum.npz"
    if path.exists():
        return path
    from bot import Retriever
    r = Retriever.load(trial_index())
    X = np.concatenate([r.dense.index.reconstruct_n(0, len(r.dense)),
                        np.asarray(r.sentence_vectors, np.float32)]).astype(np.float64)
    mu = X.mean(0)
    lam, U = np.linalg.eigh(np.cov(X - mu, rowvar=False))
    B = U * np.sqrt(np.clip(lam, 0, None))
    np.savez(path, mu=mu.astype(np.float32), B=B.astype(np.float32), n=len(X), lam=lam[::-1])
    return path


SPREAD = 0.5     # within-cluster spread relative to the spread of cluster centres


def synth_vectors(n: int, seed: int = 0):
    """Clustered Gaussian mixture shaped like the real embeddings: n/500 cluster centres
    drawn from N(mu, S/(1+s^2)), points = centre + N(0, s^2 S/(1+s^2)), S the real
    covariance, s = SPREAD; then unit length. Deterministic in (n, seed)."""
    import numpy as np
    spec = np.load(OUT / "spectrum.npz")
    mu, B = spec["mu"], spec["B"]
    rng = np.random.default_rng(seed)
    k = max(20, n // 500)
    scale = 1 / np.sqrt(1 + SPREAD ** 2)
    centers = (rng.standard_normal((k, DIM), dtype=np.float32) @ B.T) * scale
    out = np.empty((n, DIM), np.float32)
    for i in range(0, n, 100_000):
        m = min(100_000, n - i)
        lab = rng.integers(0, k, m)
        x = mu + centers[lab] + (rng.standard_normal((m, DIM), dtype=np.float32) @ B.T) * (SPREAD * scale)
        out[i:i + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def synth_queries(n_index: int, q: int = 500):
    """Questions from the same mixture (same centres), not in the index."""
    import numpy as np
    # the same centres as synth_vectors(n_index) (same first draws of the same rng),
    # fresh points from another stream
    spec = np.load(OUT / "spectrum.npz")
    mu, B = spec["mu"], spec["B"]
    rng = np.random.default_rng(0)
    k = max(20, n_index // 500)
    scale = 1 / np.sqrt(1 + SPREAD ** 2)
    centers = (rng.standard_normal((k, DIM), dtype=np.float32) @ B.T) * scale
    rq = np.random.default_rng(12345)
    lab = rq.integers(0, k, q)
    x = mu + centers[lab] + (rq.standard_normal((q, DIM), dtype=np.float32) @ B.T) * (SPREAD * scale)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _scale_dir(n: int) -> Path:
    d = OUT / "scale" / str(n)
    d.mkdir(parents=True, exist_ok=True)
    return d


def _hnsw_path(n: int) -> Path:
    from bot import dense
    return _scale_dir(n) / f"hnsw-M{dense.HNSW_M}-efc{dense.HNSW_EF_CONSTRUCTION}.faiss"


def worker_scale_dense(n: str) -> None:
    import faiss
    import numpy as np
    from bot import dense
    n = int(n)
    faiss.omp_set_num_threads(os.cpu_count() or 2)
    d = _scale_dir(n)
    t = now()
    X = synth_vectors(n)
    Q = synth_queries(n)
    out = {"n": n, "generate_s": now() - t, "M": dense.HNSW_M, "efConstruction": dense.HNSW_EF_CONSTRUCTION,
           "efSearch_default": dense.HNSW_EF_SEARCH}
    # exact search: build (= add), single-question latency, ground truth for recall
    t = now()
    flat = dense.DenseIndex.index_vectors(X, kind="flat")
    out["flat_build_s"] = now() - t
    flat.save(d / "flat.faiss")
    out["flat_bytes"] = (d / "flat.faiss").stat().st_size
    nq = 200 if n <= 100_000 else 60
    times = []
    for v in Q[:nq]:
        t = now(); flat.search(v, 50); times.append(now() - t)
    out["flat_query"] = ms_stats(times)
    t = now()
    _, gt = flat.index.search(Q, 10)
    out["ground_truth_s"] = now() - t
    # exact-search latency on prefixes of the largest set: where does it cross the budget?
    if n == max(SCALE_SIZES) or n >= 1_000_000:
        curve = []
        for m in (10_000, 30_000, 50_000, 100_000, 200_000, 300_000, 500_000, 1_000_000):
            if m > n:
                break
            sub = faiss.IndexFlatIP(DIM)
            sub.add(X[:m])
            sub_idx = dense.DenseIndex(sub)
            times = []
            for v in Q[:100 if m <= 300_000 else 40]:
                t = now(); sub_idx.search(v, 50); times.append(now() - t)
            curve.append(ms_stats(times) | {"n": m})     # n = vectors, not questions
            del sub
        out["flat_curve"] = curve
    del flat
    # HNSW with qabot's parameters. The build is the slow step (minutes at 1M on 2 cores),
    # so the index is kept in bench/out keyed by size and parameters and reused while the
    # synthetic data is the same; its build time is the one measured when it was built.
    path = _hnsw_path(n)
    meta_path = path.with_suffix(".json")
    check = round(float(X[:1000].astype(np.float64).sum()), 3)
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    if path.exists() and meta.get("data_check") == check and not os.environ.get("SPEED_FRESH"):
        hnsw = dense.DenseIndex.load(path)
        out["hnsw_cached"] = True
    else:
        la = load_avg()
        t = now()
        hnsw = dense.DenseIndex.index_vectors(X, kind="hnsw")
        meta = {"build_s": now() - t, "data_check": check, "load_before": la, "load_after": load_avg(),
                "when": time.strftime("%Y-%m-%d %H:%M:%S")}
        hnsw.save(path)
        meta_path.write_text(json.dumps(meta))
        out["hnsw_cached"] = False
    out["hnsw_build_s"] = meta["build_s"]
    out["hnsw_built"] = {k: meta[k] for k in ("when", "load_before", "load_after")}
    out["hnsw_bytes"] = path.stat().st_size
    faiss.omp_set_num_threads(1)        # one question, one thread: as DenseIndex.search does
    sweep = []
    for ef in (16, 32, 64, 128, 256, 512):
        params = faiss.SearchParametersHNSW(efSearch=ef)
        times, found = [], 0
        for i, v in enumerate(Q):
            t = now()
            _, ids = hnsw.index.search(v.reshape(1, -1), 10, params=params)
            times.append(now() - t)
            found += len(set(ids[0].tolist()) & set(gt[i].tolist()))
        sweep.append({"efSearch": ef, "recall@10": found / (10 * len(Q))} | ms_stats(times))
    out["hnsw_sweep"] = sweep
    times = []
    for v in Q[:200]:
        t = now(); hnsw.search(v, 50); times.append(now() - t)
    out["hnsw_query"] = ms_stats(times)          # through DenseIndex.search, k=50, default efSearch
    out["hnsw_recall_default"] = next(s["recall@10"] for s in sweep if s["efSearch"] == dense.HNSW_EF_SEARCH) \
        if any(s["efSearch"] == dense.HNSW_EF_SEARCH for s in sweep) else None
    emit(out)


# Synthetic tokens for the lexical curve: per passage, Zipf(a=1.05) draws from a
# 1M-term vocabulary, lengths ~ Normal(mean, sd) of the real trial passages' channel
# (measured from the trial index's tokens.jsonl when it exists).
DEFAULT_LENGTHS = {"words": (115, 46), "pinyin": (94, 40), "gloss": (347, 151)}
VOCAB = 1_000_000
ZIPF_A = 1.05
QABOT_LEXICAL_BUILD_MAX = 10_000   # qabot's own (pure Python) build is timed up to this size


def _channel_lengths() -> dict:
    path = OUT / "token-lengths.json"
    if path.exists():
        return json.loads(path.read_text())
    lengths = dict(DEFAULT_LENGTHS)
    try:
        import numpy as np
        from bot import store
        gen = store.current_generation(TRIAL_INDEX)
        toks = [json.loads(l) for l in open(gen / "tokens.jsonl", encoding="utf-8")]
        for ch in toks[0]:
            L = np.array([len(t[ch]) for t in toks])
            lengths[ch] = (float(L.mean()), float(L.std()))
    except Exception:
        pass
    path.write_text(json.dumps(lengths))
    return lengths


def _zipf_cdf():
    import numpy as np
    cdf = np.cumsum(np.arange(1, VOCAB + 1, dtype=np.float64) ** -ZIPF_A)
    return cdf / cdf[-1]


def synth_token_ids(n: int, channel: str, seed: int = 1):
    """(tokens per passage, all token ids concatenated) for `n` passages of one channel."""
    import numpy as np
    mean, sd = _channel_lengths().get(channel, (80, 30))
    rng = np.random.default_rng([seed, n, len(channel)])
    lengths = np.clip(rng.normal(mean, sd, n), 5, None).astype(np.int64)
    ids = np.searchsorted(_zipf_cdf(), rng.random(int(lengths.sum()))).astype(np.int64)
    return lengths, ids


def bm25_from_ids(lengths, ids):
    """The bm25s.BM25 index that `bm25s.BM25().index(token lists)` builds, computed with
    numpy from token ids (bm25s's own build loops in Python per token: hours at 1M
    passages). Same defaults (Lucene BM25, k1=1.5, b=0.75), same score matrix; checked
    against bm25s at the smallest size. Vocabulary: the terms that occur, named w<id>."""
    import bm25s
    import numpy as np
    import scipy.sparse as sp
    model = bm25s.BM25()
    assert (model.method, model.idf_method) == ("lucene", "lucene")
    n = len(lengths)
    doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
    key, tf = np.unique(doc * VOCAB + ids, return_counts=True)
    del doc
    d, t = key // VOCAB, key % VOCAB
    del key
    df = np.bincount(t, minlength=VOCAB)
    present = np.flatnonzero(df)
    col = np.cumsum(df > 0) - 1                          # term id -> column
    idf = np.log(1 + (n - df[present] + 0.5) / (df[present] + 0.5))
    l_d = lengths[d].astype(np.float64)
    tfc = tf / (model.k1 * ((1 - model.b) + model.b * l_d / lengths.mean()) + tf)
    data = (idf[col[t]] * tfc).astype(model.dtype)
    m = sp.csc_matrix((data, (d.astype(np.int32), col[t].astype(np.int32))), shape=(n, len(present)))
    model.scores = {"data": m.data, "indices": m.indices, "indptr": m.indptr, "num_docs": n}
    model.vocab_dict = {f"w{i}": j for j, i in enumerate(present.tolist())}
    model.unique_token_ids_set = set(model.vocab_dict.values())
    model.nonoccurrence_array = None              # Lucene BM25 has none
    return model, {f"w{i}": int(df[i]) for i in present.tolist()}


def synth_query_terms(q: int, seed: int = 7) -> list[list[str]]:
    """Question terms: 3-8 words from the same Zipf law, skipping the 50 commonest ranks
    (the stop-word range a real question loses)."""
    import numpy as np
    cdf = _zipf_cdf()
    rng = np.random.default_rng(seed)
    return [[f"w{i}" for i in np.searchsorted(cdf, rng.uniform(cdf[50], 1.0, rng.integers(3, 9)))]
            for _ in range(q)]


def worker_scale_lexical(n: str) -> None:
    """The words channel (the one a Chinese question searches) at size n, built from
    synthetic ids; at the smallest size also qabot's own LexicalIndex.index over all
    three channels as token strings, which times the real build path and checks that
    the numpy build gives the same scores."""
    import numpy as np
    from bot import lexical
    n = int(n)
    d = _scale_dir(n)
    t = now()
    lengths, ids = synth_token_ids(n, "words")
    out = {"n": n, "generate_s": now() - t, "tokens": int(lengths.sum())}
    t = now()
    model, df = bm25_from_ids(lengths, ids)
    lex = lexical.LexicalIndex({"words": model, "pinyin": None, "gloss": None},
                               {"words": df, "pinyin": {}, "gloss": {}}, n)
    out["build_s"] = now() - t
    if n <= QABOT_LEXICAL_BUILD_MAX:
        out["qabot_build"] = _qabot_lexical_build(n, lengths, ids, lex)
    del ids
    t = now()
    shutil.rmtree(d / "lexical", ignore_errors=True)
    lex.save(d / "lexical")
    out["save_s"] = now() - t
    out["bytes"] = dir_size(d / "lexical")
    out["df_json_bytes"] = (d / "lexical" / "df.json").stat().st_size
    times = []
    for terms in synth_query_terms(200):
        t = now(); lex.search("words", terms, 50); times.append(now() - t)
    out["query_words"] = ms_stats(times)
    emit(out)


def _qabot_lexical_build(n, lengths, ids, fast) -> dict:
    import numpy as np
    from bot import lexical
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    toks = {"words": [[f"w{i}" for i in ids[bounds[j]:bounds[j + 1]]] for j in range(n)]}
    for ch in ("pinyin", "gloss"):
        L, I = synth_token_ids(n, ch)
        B = np.concatenate([[0], np.cumsum(L)])
        toks[ch] = [[f"w{i}" for i in I[B[j]:B[j + 1]]] for j in range(n)]
    docs = [{ch: toks[ch][j] for ch in lexical.CHANNELS} for j in range(n)]
    tokens = {ch: sum(map(len, toks[ch])) for ch in toks}
    del toks
    t = now()
    slow = lexical.LexicalIndex.index(docs)
    build_s = now() - t
    # same scores as the numpy build, on every synthetic question
    worst = 0.0
    for terms in synth_query_terms(50):
        known = [x for x in terms if x in fast.df["words"]]
        if known:
            worst = max(worst, float(np.abs(slow.channels["words"].get_scores(known)
                                            - fast.channels["words"].get_scores(known)).max()))
    assert worst < 1e-3, f"numpy BM25 build differs from bm25s's by {worst}"
    with_dir = _scale_dir(n) / "lexical-qabot"
    shutil.rmtree(with_dir, ignore_errors=True)
    slow.save(with_dir)
    return {"build_s": build_s, "tokens": tokens, "bytes": dir_size(with_dir),
            "max_score_diff_vs_numpy_build": worst}


def worker_scale_serve(n: str) -> None:
    """Open what a built index of this size holds (dense index of the kind qabot picks
    by size + lexical index) and time fused queries, as Retriever.search does minus
    the question's encoding (measured on the trial index) and the answer sentence."""
    import numpy as np
    from bot import dense, fusion, lexical
    n = int(n)
    d = _scale_dir(n)
    kind = "flat" if n <= dense.EXACT_MAX_VECTORS else "hnsw"
    t = now()
    path = d / "flat.faiss" if kind == "flat" else _hnsw_path(n)
    dix = dense.DenseIndex.load(path)
    out = {"n": n, "kind": kind, "dense_load_s": now() - t}
    t = now()
    lex = lexical.LexicalIndex.load(d / "lexical")
    out["lexical_load_s"] = now() - t
    Q = synth_queries(n, 200)
    terms = synth_query_terms(200)
    times = []
    for v, ts in zip(Q, terms):
        t = now()
        dense_ids, dense_scores = dix.search(v, 50)
        found = lex.search("words", ts, 50)
        w = fusion.channel_weight("words", found.evidence, True)
        fusion.fuse([(dense_ids, dense_scores, 1.0), (found.ids, found.scores, w)], 5)
        times.append(now() - t)
    out["fused_query"] = ms_stats(times)
    out["bytes"] = {"dense": path.stat().st_size, "lexical": dir_size(d / "lexical")}
    emit(out)


def report(s: dict, add) -> None:
    sizes = [str(n) for n in s["sizes"] if str(n) in s["dense"]]
    add("### Scale\n")
    add("Synthetic data, index side only (the model is not run: encoding 1M passages at the rate above "
        "would take days). **Vectors**: a clustered Gaussian mixture shaped like the real "
        "embeddings: the mean and covariance of the 3,858 real trial vectors (passages + sentences) "
        f"give the shape; n/500 cluster centres ~ N(mean, S/(1+s²)), points = centre + N(0, s²S/(1+s²)), "
        f"s = {SPREAD}, then unit length. Questions are 500 fresh points of the same mixture. "
        f"**Tokens** (words channel, the one a Chinese question searches): Zipf(a={ZIPF_A}) draws from a "
        f"{VOCAB:,}-term vocabulary, lengths ~ Normal(mean, sd) of the real trial passages' words channel; "
        "question terms: 3-8 Zipf draws outside the 50 commonest ranks. The BM25 index is built from "
        "token ids with numpy (`bm25_from_ids`: bm25s's own build loops in Python per token), with the "
        "same scores as bm25s's build, checked at 10k, and served by qabot's `LexicalIndex`. Each size and "
        "each side runs in its own process; peak RSS is that process's `ru_maxrss`.\n")
    add("| passages | dense kind (qabot) | flat p50 / p95 ms | HNSW p50 / p95 ms | HNSW recall@10 | "
        "BM25 words p50 / p95 ms | fused query p50 / p95 ms | flat / HNSW / BM25 words on disk | "
        "HNSW build s | BM25 build s | peak RSS dense / BM25 / serving MB |")
    add("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        d, lx, sv = s["dense"][n], s["lexical"][n], s["serve"][n]
        cached = "*" if d.get("hnsw_cached") else ""
        add(f"| {int(n):,} | {sv['kind']} | {fmt(d['flat_query']['p50_ms'], 2)} / {fmt(d['flat_query']['p95_ms'], 2)} | "
            f"{fmt(d['hnsw_query']['p50_ms'], 2)} / {fmt(d['hnsw_query']['p95_ms'], 2)} | "
            f"{fmt(d['hnsw_recall_default'], 4)} | {fmt(lx['query_words']['p50_ms'], 2)} / {fmt(lx['query_words']['p95_ms'], 2)} | "
            f"{fmt(sv['fused_query']['p50_ms'], 2)} / {fmt(sv['fused_query']['p95_ms'], 2)} | "
            f"{mb(d['flat_bytes'])} / {mb(d['hnsw_bytes'])} / {mb(lx['bytes'])} | "
            f"{fmt(d['hnsw_build_s'])}{cached} | {fmt(lx['build_s'])} | "
            f"{fmt(d['peak_rss_mb'], 0)} / {fmt(lx['peak_rss_mb'], 0)} / {fmt(sv['peak_rss_mb'], 0)} |")
    d0 = s["dense"][sizes[0]]
    add(f"\nHNSW: M = {d0['M']}, efConstruction = {d0['efConstruction']}, "
        f"efSearch = {d0['efSearch_default']} (bot/dense.py), built with both cores. "
        "Flat / HNSW p50 are `DenseIndex.search(q, 50)`; recall@10 is against exact search over 500 questions. "
        "Fused query = dense search + BM25 words channel + `fusion.fuse`, on the dense kind qabot picks "
        "for that size (question encoding and answer sentences, see the latency table, come on top). "
        "Peak RSS dense includes the exact index kept for ground truth and the HNSW index.")
    cached = [(n, s["dense"][n]["hnsw_built"]) for n in sizes if s["dense"][n].get("hnsw_cached")]
    if cached:
        add("\\* HNSW index reused from `bench/out/speed/scale/` (same synthetic data and parameters); its build "
            "time is the one measured when it was built: " + "; ".join(
                f"{int(n):,}: {b['when']}, load {b['load_before'][0]} -> {b['load_after'][0]}" for n, b in cached)
            + ". `--fresh` rebuilds them.")
    add("")
    add("| passages | open dense s | open lexical s | BM25 df.json | words tokens | vectors generated in s |")
    add("|---|---|---|---|---|---|")
    for n in sizes:
        d, lx, sv = s["dense"][n], s["lexical"][n], s["serve"][n]
        add(f"| {int(n):,} | {fmt(sv['dense_load_s'], 2)} | {fmt(sv['lexical_load_s'], 2)} | "
            f"{mb(lx['df_json_bytes'])} | {lx['tokens']:,} | {fmt(d['generate_s'])} |")
    add("")
    qb = next((s["lexical"][n]["qabot_build"] for n in sizes if "qabot_build" in s["lexical"][n]), None)
    if qb:
        total = sum(qb["tokens"].values())
        add(f"qabot's own build path, `LexicalIndex.index` over token strings, all three channels "
            f"({', '.join(f'{k} {v:,}' for k, v in qb['tokens'].items())} tokens) at {int(sizes[0]):,} passages: "
            f"{fmt(qb['build_s'])} s ({fmt(total / qb['build_s'], 0)} tokens/s, "
            f"{fmt(1000 * qb['build_s'] / int(sizes[0]), 2)} ms per passage), {mb(qb['bytes'])} on disk; "
            f"its words-channel scores equal the numpy build's (max difference {qb['max_score_diff_vs_numpy_build']:.1e}). "
            "Compare the encoder's seconds per passage above: the lexical build never dominates a real build.\n")
    if s.get("flat_curve"):
        add(f"Exact (flat) search latency by size, one question, k=50 (budget {FLAT_BUDGET_MS:.0f} ms):\n")
        add("| vectors | p50 ms | p95 ms |")
        add("|---|---|---|")
        for c in s["flat_curve"]:
            add(f"| {c['n']:,} | {fmt(c['p50_ms'], 2)} | {fmt(c['p95_ms'], 2)} |")
        add("")
    big = sizes[-1]
    add(f"HNSW efSearch trade-off at {int(big):,} vectors (recall@10 vs exact, k=10, one question at a time):\n")
    add("| efSearch | recall@10 | p50 ms | p95 ms |")
    add("|---|---|---|---|")
    for r in s["dense"][big]["hnsw_sweep"]:
        add(f"| {r['efSearch']} | {r['recall@10']:.4f} | {fmt(r['p50_ms'], 3)} | {fmt(r['p95_ms'], 3)} |")
    add("\n![scale](scale.png)\n\n![HNSW trade-off](hnsw.png)\n")
    _plot_scale(s, sizes)


def _plot_scale(s: dict, sizes: list[str]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    N = [int(n) for n in sizes]
    D = [s["dense"][n] for n in sizes]
    X = [s["lexical"][n] for n in sizes]
    S = [s["serve"][n] for n in sizes]
    flat = [(c["n"], c["p50_ms"]) for c in s.get("flat_curve") or []]
    # (title, y label, [(xs, ys, style, label)]) per panel; every axis is log-log
    panels = [
        ("query latency", "ms", [
            ([n for n, _ in flat], [ms for _, ms in flat], "o-", "flat (exact) p50"),
            (N, [d["hnsw_query"]["p50_ms"] for d in D], "s-", "HNSW p50"),
            (N, [x["query_words"]["p50_ms"] for x in X], "^-", "BM25 words p50"),
            (N, [v["fused_query"]["p50_ms"] for v in S], "d-", "fused (qabot's kind) p50"),
            (N, [v["fused_query"]["p95_ms"] for v in S], "d--", "fused p95")]),
        ("index build time (2 cores)", "s", [
            (N, [d["hnsw_build_s"] for d in D], "s-", "HNSW build"),
            (N, [d["flat_build_s"] for d in D], "o-", "flat build"),
            (N, [x["build_s"] for x in X], "^-", "BM25 words build (numpy)")]),
        ("on disk", "MB", [
            (N, [d["flat_bytes"] / 2**20 for d in D], "o-", "flat"),
            (N, [d["hnsw_bytes"] / 2**20 for d in D], "s-", "HNSW"),
            (N, [x["bytes"] / 2**20 for x in X], "^-", "BM25 words (+ df.json)")]),
        ("peak RSS", "MB", [
            (N, [d["peak_rss_mb"] for d in D], "s-", "dense build + search"),
            (N, [x["peak_rss_mb"] for x in X], "^-", "BM25 build + search"),
            (N, [v["peak_rss_mb"] for v in S], "d-", "serving (open + query)")]),
    ]
    fig, ax = plt.subplots(2, 2, figsize=(11, 8))
    for a, (title, unit, lines) in zip(ax.flat, panels):
        for xs, ys, style, label in lines:
            if xs:
                a.plot(xs, ys, style, label=label)
        a.set(xscale="log", yscale="log", xlabel="passages", ylabel=unit, title=title)
        a.legend(fontsize=8)
    ax[0][0].axhline(FLAT_BUDGET_MS, color="grey", ls=":", lw=1)
    fig.tight_layout()
    fig.savefig(BENCH / "scale.png", dpi=100)
    plt.close(fig)
    fig, a = plt.subplots(figsize=(6.5, 4.5))
    for n in sizes:
        sw = s["dense"][n]["hnsw_sweep"]
        a.plot([r["p50_ms"] for r in sw], [r["recall@10"] for r in sw], "o-", label=f"{int(n):,}")
        for r in sw:
            a.annotate(str(r["efSearch"]), (r["p50_ms"], r["recall@10"]), fontsize=7)
    a.axhline(0.99, color="grey", ls=":", lw=1)
    a.set(xscale="log", xlabel="p50 ms per question", ylabel="recall@10 vs exact",
          title="HNSW efSearch trade-off (labels: efSearch)")
    a.legend(title="vectors", fontsize=8)
    fig.tight_layout()
    fig.savefig(BENCH / "hnsw.png", dpi=100)
    plt.close(fig)


def summary(numbers: dict) -> list[tuple[str, str, str]]:
    """Rows of the targets table: (what, wanted, this run)."""
    rows = []
    s = numbers
    big = str(max(int(n) for n in s["dense"]))
    d = s["dense"][big]
    rows.append((f"HNSW recall@10 vs exact at {int(big):,}", ">= 0.99",
                 f"{fmt(d['hnsw_recall_default'], 4)} at efSearch {d['efSearch_default']} "
                 f"({'met' if (d['hnsw_recall_default'] or 0) >= 0.99 else 'missed'})"))
    return rows


WORKERS = {"scale-dense": worker_scale_dense, "scale-lexical": worker_scale_lexical, "scale-serve": worker_scale_serve}


if __name__ == "__main__":
    main({PART: sys.modules[__name__]}, __doc__)
