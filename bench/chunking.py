"""Chunking time against text length (issue 16): linear up to the 10 MB upload limit.

    .venv/bin/python bench/chunking.py                 # this chunker, 10 kB .. 10 MB
    .venv/bin/python bench/chunking.py --old REV       # also the chunker of git revision REV
                                                       # (the quadratic one: 1f20f4b), up to 100 kB

Two shapes of text, both Chinese (3 bytes a character in UTF-8): "unbroken" has no
sentence or clause mark at all (a scraped table, a pasted log: the worst case, one
sentence the whole length), "prose" is paragraphs of ordinary sentences. Timed: the
article rules (article.parse) and the chunker (passages.chunk) with the default
model's tokenizer, as a build runs them. Prints a Markdown table; the machine is
shared, so the load average is printed too and wall times are indicative; the
process's CPU time is steadier, and the ratios between lengths are the point.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import article, documents, encoder as encoders, passages  # noqa: E402

WORDS = ("城市", "建设", "交通", "运输", "管理", "服务", "中心", "工作", "人员", "检查", "安全",
         "防汛", "抗疫", "社区", "群众", "街道", "项目", "推进", "落实", "会议")
SIZES = (10_000, 100_000, 1_000_000, 3_000_000, 10_000_000)      # bytes of UTF-8
OLD_SIZES = (10_000, 30_000, 100_000)


def text_of(shape: str, n_bytes: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    chars = n_bytes // 3
    out, length = [], 0
    while length < chars:
        if shape == "unbroken":
            piece = rng.choice(WORDS)
        else:   # a sentence of 8-30 words, a paragraph break now and then
            piece = "".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
            piece += rng.choice("，。。。；！？") + ("\n\n" if rng.random() < 0.2 else "")
        out.append(piece)
        length += len(piece)
    return "标题\n\n" + "".join(out)[:chars]


def load_chunker(rev: str | None):
    if rev is None:
        return passages
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:bot/passages.py"],
                            check=True, capture_output=True, text=True).stdout
    source = source.replace("from .article", "from bot.article").replace("from .documents", "from bot.documents")
    path = Path(tempfile.mkdtemp()) / "old_passages.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_passages", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_passages"] = module        # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def run(chunker, shape: str, n_bytes: int, enc, with_ends: bool) -> dict:
    text = text_of(shape, n_bytes)
    doc = documents.Document(doc_id="d", text=text, source="d.txt", format="txt", title="")
    count = lambda t: encoders.count_tokens(enc, t)
    t0 = time.perf_counter()
    parsed = article.parse(doc)
    t1, c1 = time.perf_counter(), time.process_time()
    limit = min(passages.MAX_PASSAGE_TOKENS, encoders.max_tokens(enc) - 2)
    if with_ends:
        found = chunker.chunk(doc, parsed, count, limit, lambda t: encoders.token_ends(enc, t))
    else:
        found = chunker.chunk(doc, parsed, count, limit)
    t2, c2 = time.perf_counter(), time.process_time()
    return {"shape": shape, "bytes": len(text.encode("utf-8")), "parse": t1 - t0, "chunk": t2 - t1,
            "chunk_cpu": c2 - c1, "passages": len(found)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", metavar="REV", help="also time the chunker of this git revision")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="text sizes in bytes")
    ap.add_argument("--shapes", nargs="+", default=["unbroken", "prose"], choices=["unbroken", "prose"])
    args = ap.parse_args()
    enc = encoders.load_encoder()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    print("| chunker | text | size | passages | parse s | chunk s | chunk CPU s | chunk CPU ms per kB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    runs = [("this", passages, args.sizes, True)]
    if args.old:
        runs.append((args.old, load_chunker(args.old), [s for s in OLD_SIZES if s <= max(args.sizes)], False))
    for name, chunker, sizes, with_ends in runs:
        for shape in args.shapes:
            for n in sizes:
                r = run(chunker, shape, n, enc, with_ends)
                print(f"| {name} | {shape} | {r['bytes'] / 1e6:.2f} MB | {r['passages']} | {r['parse']:.2f} "
                      f"| {r['chunk']:.2f} | {r['chunk_cpu']:.2f} "
                      f"| {r['chunk_cpu'] * 1e3 / (r['bytes'] / 1e3):.1f} |", flush=True)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
