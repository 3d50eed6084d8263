"""Speed benchmark, part `ratio` (issue 14): qabot against plain sentence-transformers
fp32 running the same converted default model, side by side in one run. Three ratios:

- build: `build_index(..., full=True)` into an empty index, in a new process with the
  model loaded (chunking, passage and sentence vectors, lexical channels, writing: all
  of it) over ST encoding the same passages' embedding texts alone (model loaded too;
  the ratio with both loads included is reported beside it);
- search: `Retriever.search(q, k=5, mode="hybrid")` p50 over ST encoding the question
  alone p50, each side warm in its own process, asked the same question in turn;
- cold start: a new process -> first answer (`Retriever.load(...).search(q)`, and
  `python -m bot ask q`) over a new process that imports sentence-transformers, loads
  the model and encodes one question.

The machine is shared, so the two sides alternate (build and cold start: A B A B ...;
search: one question to each side in turn) and load lands on both.

    .venv/bin/python bench/speed_ratio.py            # this part alone; rewrites the speed section
    .venv/bin/python bench/speed.py ratio            # the same through the entry point
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from speed_common import (OUT, PY, ROOT, emit, fmt, main, ms_stats, now, pct, run_worker, say,
                          trial_index, trial_questions)

PART = "ratio"
BUILD_EVERY = 3          # every 3rd CMRC context: the trial's mix of lengths, a third of the time
BUILD_REPEATS = 2
SEARCH_QUESTIONS = 100   # Chinese and English each
COLD_REPEATS = 3
TARGETS = {"build": 0.8, "search": 0.6, "cold": 0.5}


def run(args) -> dict:
    smoke = bool(os.environ.get("SPEED_SMOKE"))
    idx = trial_index()
    data = _build_corpus(smoke)
    out = {"backend": _backend(), "build": _build(data, 1 if smoke else BUILD_REPEATS),
           "search": _search(idx, 10 if smoke else SEARCH_QUESTIONS),
           "cold": _cold(idx, 1 if smoke else COLD_REPEATS)}
    return out


def _backend() -> dict:
    code = ("import json; from bot import encoder as E; "
            "print(json.dumps({'encoder': type(E.load_encoder()).__name__}))")
    return json.loads(subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                     check=True).stdout.splitlines()[-1])


# ---------------------------------------------------------------- build

def _build_corpus(smoke: bool) -> Path:
    from quality import cmrc_corpus, write_jsonl
    docs, _ = cmrc_corpus()
    docs = docs[:6] if smoke else docs[::BUILD_EVERY]
    data = OUT / "ratio" / "data"
    shutil.rmtree(data, ignore_errors=True)
    write_jsonl(docs, data / "cmrc.jsonl")
    return data


def _build(data: Path, repeats: int) -> dict:
    rows = {"qabot": [], "st": []}
    for i in range(repeats):
        index = OUT / "ratio" / "index"
        shutil.rmtree(index, ignore_errors=True)
        rows["qabot"].append(run_worker(__file__, "build", data, index))
        texts = OUT / "ratio" / "passages.json"
        if not texts.exists() or i == 0:
            _write_passage_texts(index, texts)
        rows["st"].append(run_worker(__file__, "st-passages", texts))
        say(f"  build: qabot {rows['qabot'][-1]['seconds']:.1f} s, "
            f"ST encoding the passages {rows['st'][-1]['seconds']:.1f} s")
    q = statistics.median(r["seconds"] for r in rows["qabot"])
    s = statistics.median(r["seconds"] for r in rows["st"])
    with_load = statistics.median((r["seconds"] + r["load_s"]) / (x["seconds"] + x["load_s"])
                                  for r, x in zip(rows["qabot"], rows["st"]))
    return {"rows": rows, "qabot_s": q, "st_s": s, "ratio": q / s, "ratio_with_load": with_load,
            "passages": rows["qabot"][0]["passages"], "sentences": rows["qabot"][0]["sentences"]}


def _write_passage_texts(index: Path, path: Path) -> None:
    from bot import Retriever
    from bot.passages import embedding_text
    texts = [embedding_text(p) for p in Retriever.load(index).passages]
    path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")


def worker_build(data: str, index: str) -> None:
    """The build with the model loaded first, as on the other side (its load is
    reported apart, and so is the whole process's time)."""
    t = now()
    from bot import build_index, encoder as encoders
    encoders.encode_passages(encoders.load_encoder(), ["warm"])
    loaded = now()
    report = build_index([data], index_dir=index, full=True)
    emit({"seconds": now() - loaded, "load_s": loaded - t, "passages": report.passages,
          "sentences": report.sentences, "embedded": report.embedded})


def _st_model():
    import torch
    from sentence_transformers import SentenceTransformer
    from bot import encoder as encoders
    return SentenceTransformer(str(encoders.ensure_default_model()), device="cpu",
                               model_kwargs={"dtype": torch.float32})


def worker_st_passages(texts: str) -> None:
    texts = json.loads(Path(texts).read_text(encoding="utf-8"))
    t = now()
    model = _st_model()
    model.encode(["passage: warm"])
    loaded = now()
    model.encode(texts, prompt="passage: ", normalize_embeddings=True)   # ST's defaults: bs 32, sorted
    emit({"seconds": now() - loaded, "load_s": loaded - t, "texts": len(texts)})


# ---------------------------------------------------------------- search

def _search(idx: Path, n: int) -> dict:
    zh, en = trial_questions()
    questions = [("zh", q) for q in zh[:n]] + [("en", q) for q in en[:n]]
    sides = {"qabot": _Server("serve-qabot", idx), "st": _Server("serve-st")}
    try:
        times = {(side, lang): [] for side in sides for lang in ("zh", "en")}
        for lang, q in questions:
            for side, server in sides.items():
                times[(side, lang)].append(server.ask(q))
    finally:
        for server in sides.values():
            server.close()
    out = {}
    for lang in ("zh", "en"):
        qa, st = times[("qabot", lang)], times[("st", lang)]
        out[lang] = {"qabot": ms_stats(qa), "st": ms_stats(st), "ratio": pct(qa, 50) / pct(st, 50)}
        say(f"  search {lang}: qabot hybrid p50 {1000 * pct(qa, 50):.1f} ms, "
            f"ST question encoding p50 {1000 * pct(st, 50):.1f} ms")
    return out


class _Server:
    """A worker process that answers one question per line of stdin with its seconds."""

    def __init__(self, name: str, *args):
        self.p = subprocess.Popen([PY, str(Path(__file__).resolve()), "--worker", name, *map(str, args)],
                                  cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.p.stdout.readline().strip() == "ready"

    def ask(self, question: str) -> float:
        self.p.stdin.write(json.dumps(question) + "\n")
        self.p.stdin.flush()
        return float(self.p.stdout.readline())

    def close(self) -> None:
        self.p.stdin.close()
        self.p.wait(timeout=60)


def _serve(fn) -> None:
    for q in ("南通镇在哪里?", "Who went to Nantong town?") * 3:      # warm
        fn(q)
    print("ready", flush=True)
    for line in sys.stdin:
        q = json.loads(line)
        t = now()
        fn(q)
        print(now() - t, flush=True)


def worker_serve_qabot(index: str) -> None:
    from bot import Retriever
    r = Retriever.load(index)
    _serve(lambda q: r.search(q, k=5, mode="hybrid"))


def worker_serve_st() -> None:
    model = _st_model()
    _serve(lambda q: model.encode([q], prompt="query: ", normalize_embeddings=True))


# ---------------------------------------------------------------- cold start

COLD = {
    "st": "from sentence_transformers import SentenceTransformer; import torch; "
          "m = SentenceTransformer({model!r}, device='cpu', model_kwargs={{'dtype': torch.float32}}); "
          "m.encode(['query: 南通镇在哪里?'], normalize_embeddings=True)",
    "qabot": "from bot import Retriever; Retriever.load({index!r}).search('南通镇在哪里?', k=5)",
}


def _cold(idx: Path, repeats: int) -> dict:
    from bot import encoder as encoders
    model = str(encoders.ensure_default_model())
    cmds = {side: [PY, "-c", code.format(model=model, index=str(idx))] for side, code in COLD.items()}
    cmds["qabot ask"] = [PY, "-m", "bot", "ask", "南通镇在哪里?", "--index", str(idx)]
    walls = {side: [] for side in cmds}
    for _ in range(repeats):
        for side, cmd in cmds.items():
            t = now()
            subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
            walls[side].append(now() - t)
    med = {side: statistics.median(w) for side, w in walls.items()}
    say("  cold start: " + ", ".join(f"{side} {s:.2f} s" for side, s in med.items()))
    return {"walls": walls, "median_s": med, "ratio": med["qabot"] / med["st"],
            "ask_ratio": med["qabot ask"] / med["st"]}


# ---------------------------------------------------------------- report

def summary(numbers: dict) -> list[tuple[str, str, str]]:
    b, s, c = numbers["build"], numbers["search"], numbers["cold"]

    def verdict(ratio, target):
        return f"{ratio:.2f}× ({'met' if ratio <= target else 'missed'})"
    return [
        ("full build / ST encoding the passages (issue 14)", f"<= {TARGETS['build']}×",
         verdict(b["ratio"], TARGETS["build"])),
        ("search p50, hybrid k=5, Chinese / ST encoding the question", f"<= {TARGETS['search']}×",
         verdict(s["zh"]["ratio"], TARGETS["search"])),
        ("search p50, hybrid k=5, English / ST encoding the question", f"<= {TARGETS['search']}×",
         verdict(s["en"]["ratio"], TARGETS["search"])),
        ("new process -> first answer / ST import + load + one query", f"<= {TARGETS['cold']}×",
         verdict(c["ratio"], TARGETS["cold"])),
        ("`qabot ask` / ST import + load + one query", f"<= {TARGETS['cold']}×",
         verdict(c["ask_ratio"], TARGETS["cold"])),
    ]


def report(r: dict, add) -> None:
    b, s, c = r["build"], r["search"], r["cold"]
    add("### Against plain sentence-transformers (issue 14)\n")
    add(f"The same converted default model run by plain sentence-transformers fp32 (`SentenceTransformer(dir, "
        f"device='cpu')`, `encode` with its defaults: batch 32, length-sorted) against qabot "
        f"({r['backend']['encoder']}), side by side in one run "
        "on a shared machine: the two sides alternate, so load lands on both; ratios < 1 mean qabot is faster.\n")
    add("| what | qabot | sentence-transformers | ratio | target |")
    add("|---|---|---|---|---|")
    add(f"| full build of every {BUILD_EVERY}rd CMRC trial context ({b['passages']} passages, {b['sentences']} "
        f"sentences), median of {len(b['rows']['qabot'])} | {fmt(b['qabot_s'])} s (`build_index(full=True)`, "
        f"model loaded: reading, chunking, passage and sentence vectors, lexical channels, writing) | "
        f"{fmt(b['st_s'])} s (encoding the passages alone, model loaded) | {b['ratio']:.2f} | "
        f"<= {TARGETS['build']} |")
    for n, (q, st) in enumerate(zip(b["rows"]["qabot"], b["rows"]["st"]), 1):
        add(f"| build, pair {n} (qabot, then ST) | {fmt(q['seconds'])} s (+ {fmt(q['load_s'])} s model load) | "
            f"{fmt(st['seconds'])} s (+ {fmt(st['load_s'])} s model load) | {q['seconds'] / st['seconds']:.2f} | |")
    add(f"| the same, model loading included on both sides (median of pairs) | | | "
        f"{b['ratio_with_load']:.2f} | |")
    for lang in ("zh", "en"):
        x = s[lang]
        add(f"| search, {lang} ({x['qabot']['n']} questions) | p50 {fmt(x['qabot']['p50_ms'])} ms "
            f"(hybrid, k=5) | p50 {fmt(x['st']['p50_ms'])} ms (encoding the question) | {x['ratio']:.2f} | "
            f"<= {TARGETS['search']} |")
    m = c["median_s"]
    add(f"| cold start, median of {len(c['walls']['st'])} | {fmt(m['qabot'], 2)} s (new process -> "
        f"`Retriever.load().search()`) | {fmt(m['st'], 2)} s (new process: import, load, one query) | "
        f"{c['ratio']:.2f} | <= {TARGETS['cold']} |")
    add(f"| `qabot ask`, median of {len(c['walls']['st'])} | {fmt(m['qabot ask'], 2)} s (`python -m bot ask`) "
        f"| {fmt(m['st'], 2)} s | {c['ask_ratio']:.2f} | <= {TARGETS['cold']} |")
    add("")


WORKERS = {"build": worker_build, "st-passages": worker_st_passages, "serve-qabot": worker_serve_qabot,
           "serve-st": worker_serve_st}


if __name__ == "__main__":
    main({PART: sys.modules[__name__]}, __doc__)
