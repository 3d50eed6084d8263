"""Speed benchmark, part `latency`. Query latency: Retriever.search on the trial index, warm, per mode
and language; each stage alone; a cProfile of where a search spends its time.

    .venv/bin/python bench/speed_latency.py      # this part alone; rewrites the speed section
    .venv/bin/python bench/speed.py latency     # the same, through the entry point
"""

from __future__ import annotations

import sys
import time

from speed_common import (main, now, pct, ms_stats, run_worker, say, emit, trial_index, trial_questions, fmt)

PART = "latency"


def run(args) -> dict:
    idx = trial_index()
    return run_worker(__file__, "latency", idx)


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
    from bot import Retriever, encoder as encoders, segment
    zh, en = trial_questions()
    r = Retriever.load(index_dir)
    r.search("南通镇在哪里?")                              # loads the model
    for q in zh[:5] + en[:5]:                                # warm
        r.search(q)
    qs = {"zh": zh[:200], "en": en[:100]}
    out = {"modes": {}, "stages": {}, "encoder": type(r.encoder).__name__,
           "passages": len(r.passages), "dense_index": r.dense.kind}
    for mode in ("hybrid", "dense", "lexical"):
        for lang, questions in qs.items():
            if questions:
                times = _series(lambda q: r.search(q, k=5, mode=mode), questions)
                out["modes"][f"{mode}/{lang}"] = ms_stats(times)
                say(f"  latency {mode}/{lang}: p50 {1000 * pct(times, 50):.1f} ms")
    # each stage alone (Chinese questions)
    enc = r.encoder
    stage = {
        "encode_query": lambda q: encoders.encode_queries(enc, [q]),
        "tokenize_question": segment.words,
        "dense_search": lambda q, v=encoders.encode_queries(enc, [zh[0]])[0]: r.dense.search(v, 50),
        "lexical_words": lambda q: r.lexical.search("words", segment.words(q), 50),
    }
    out["stages"] = {k: ms_stats(_series(fn, qs["zh"])) for k, fn in stage.items()}
    out["profile"] = _profile_search(r, qs)
    out["stages"].update(_without_encoding(r, qs))
    out["stages"]["encode_query, sentence-transformers (torch)"] = ms_stats(_series(_torch_query_encoder(), qs["zh"]))
    emit(out)


def _without_encoding(r, qs: dict) -> dict:
    """Hybrid search, k=5, with the question's vector computed beforehand: everything but
    the encoder, as this thread's CPU time (what the load moves least; FAISS runs on this
    thread, one question at a time). Most of these questions were searched before (the
    series and the profile above), so their passages' words are known: the warm case."""
    from bot import encoder as encoders
    enc = r.encoder
    vectors = {q: encoders.encode_queries(enc, [q]) for lang in qs for q in qs[lang]}
    real = encoders.encode_queries
    encoders.encode_queries = lambda e, texts, batch_size=32: vectors[texts[0]]
    out = {}
    try:
        for lang, questions in qs.items():
            cpu = []
            for q in questions:
                t = time.thread_time()
                r.search(q, k=5, mode="hybrid")
                cpu.append(time.thread_time() - t)
            out[f"hybrid/{lang} without the question encoding (thread CPU)"] = ms_stats(cpu)
    finally:
        encoders.encode_queries = real
    return out


def _torch_query_encoder():
    """The question through sentence-transformers (torch), to compare with qabot's encoder."""
    from bot import encoder as encoders
    enc = encoders.load_encoder(backend="torch")
    encoders.encode_queries(enc, ["warm"])
    return lambda q: encoders.encode_queries(enc, [q])


# where a search spends its time: cumulative time of each step's function under cProfile,
# per question (the profiler slows small Python calls down, so shares matter, not sums)
PROFILED = {"encode question": ("encoder.py", "encode_queries"),
            "question words (jieba)": ("lexical.py", "words"),
            "dense search (faiss)": ("dense.py", "search"),
            "lexical search (bm25s)": ("lexical.py", "search"),
            "sentence ranking (English)": ("dense.py", "best_sentence_scores"),
            "fusion": ("fusion.py", "fuse"),
            "hits: answer sentence, evidence": ("retriever.py", "_hit"),
            "- evidence of a hit": ("evidence.py", "evidence"),
            "- English matching (pinyin, CC-CEDICT)": ("english.py", "latin_matches"),
            "- Chinese matching": ("answer.py", "matched_words"),
            "- coverage, key words": ("evidence.py", "_evidence"),
            "- answer sentence": ("answer_sentence.py", "answer_span"),
            "confidence with peers": ("answer.py", "with_peers")}


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


def report(r: dict, add) -> None:
    add("### Query latency (warm, end to end)\n")
    add(f"`Retriever.search(question, k=5, mode=...)` on the trial index ({r['passages']} passages, "
        f"{r['dense_index']} dense index): question encoding + dense search + BM25 channels + fusion + "
        f"answer sentence, one question at a time after warm-up; question encoder: {r.get('encoder', '?')}. "
        f"zh = the first {r['modes'].get('hybrid/zh', {}).get('n')} CMRC trial questions, en = {r['modes'].get('hybrid/en', {}).get('n')} English versions (bench/data/cmrc_trial_en.jsonl).\n")
    add("| mode / questions | n | p50 ms | p95 ms | mean ms |")
    add("|---|---|---|---|---|")
    for k, v in r["modes"].items():
        add(f"| {k} | {v['n']} | {fmt(v['p50_ms'])} | {fmt(v['p95_ms'])} | {fmt(v['mean_ms'])} |")
    if r.get("profile"):
        keys = list(r["profile"])
        add("\nWhere a search spends its time (cProfile, cumulative ms per question; the "
            "profiler inflates small Python calls, so read the shares):\n")
        add("| step | " + " | ".join(keys) + " |")
        add("|---|" + "---|" * len(keys))
        for label in ["total_ms"] + list(PROFILED):
            add(f"| {'whole search' if label == 'total_ms' else label} | "
                + " | ".join(fmt(r["profile"][k].get(label), 2) for k in keys) + " |")
    add("\nEach stage timed alone, without the profiler (Chinese questions):\n")
    add("| stage | p50 ms | p95 ms |")
    add("|---|---|---|")
    for k, v in r["stages"].items():
        add(f"| {k.replace('_', ' ')} | {fmt(v['p50_ms'], 2)} | {fmt(v['p95_ms'], 2)} |")
    add("")


def summary(numbers: dict) -> list[tuple[str, str, str]]:
    """Rows of the targets table: (what, wanted, this run)."""
    rows = []
    for mode in ("hybrid", "dense", "lexical"):
        v = numbers["modes"].get(f"{mode}/zh")
        if v:
            rows.append((f"query latency, {mode}, Chinese questions", "p50 < 30 ms",
                         f"p50 {fmt(v['p50_ms'])} ms, p95 {fmt(v['p95_ms'])} ms "
                         f"({'met' if v['p50_ms'] < 30 else 'missed'})"))
    return rows


WORKERS = {"latency": worker_latency}


if __name__ == "__main__":
    main({PART: sys.modules[__name__]}, __doc__)
