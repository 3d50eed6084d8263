"""Does the Milvus backend rank as the default (FAISS + bm25s) does?

    python bench/milvus_parity.py                      # CMRC trial (zh, en, en held-out) and the seed
    python bench/milvus_parity.py --sets seed-zh seed-en --modes hybrid

Builds the same articles twice, once per backend (the Milvus index takes its
vectors from the FAISS index's embedding cache, so nothing is embedded twice),
asks every question of both, and reports per set and mode: R@1 of each, the
share of questions whose top hit is the same passage, whose top-5 list is the
same, and whose top hit has the same answer sentence and the same confidence
(to 0.001). Milvus Lite runs embedded (a .db file in the index folder).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import quality  # noqa: E402
from bot import Retriever, build_index, encoder as encoders, retriever  # noqa: E402

OUT = quality.OUT


def milvus_twin(faiss_dir: Path, data: Path, milvus_dir: Path) -> Path:
    """A Milvus-backed index of `data`, reusing `faiss_dir`'s embedding cache."""
    milvus_dir.mkdir(parents=True, exist_ok=True)
    cache = milvus_dir / "embeddings.sqlite"
    if not cache.exists() and (faiss_dir / "embeddings.sqlite").exists():
        shutil.copy(faiss_dir / "embeddings.sqlite", cache)
    t = time.perf_counter()
    report = build_index([data], index_dir=milvus_dir, backend="milvus", progress=True)
    print(report.summary(), f"({time.perf_counter() - t:.1f}s)", file=sys.stderr)
    return milvus_dir


def encode_each_question_once(retriever: Retriever, questions: list[str]) -> None:
    """Both backends search with the same question vectors, encoded once, in batches (encoding
    one question at a time is most of a search's time, and it is not what is compared here)."""
    real = encoders.encode_queries
    memo = dict(zip(questions, real(retriever.encoder, questions)))

    def encode_queries(enc, texts):
        if len(texts) == 1 and texts[0] in memo:
            return memo[texts[0]][None, :]
        return real(enc, texts)
    encoders.encode_queries = encode_queries


def compare(a: Retriever, b: Retriever, questions: list[dict], mode: str, key) -> dict:
    r1 = [0, 0]
    top = top5 = span = conf = 0
    differ = []
    for q in questions:
        ha, hb = a.search(q["question"], k=5, mode=mode), b.search(q["question"], k=5, mode=mode)
        r1[0] += bool(ha) and key(q, ha[0])
        r1[1] += bool(hb) and key(q, hb[0])
        if not ha or not hb:     # no passage matches (lexical mode): the same only if both are empty
            same_top = same_span = same_conf = not ha and not hb
        else:
            same_top = ha[0].passage_id == hb[0].passage_id
            same_span = same_top and ha[0].answer_span == hb[0].answer_span
            same_conf = same_top and abs(ha[0].confidence - hb[0].confidence) <= 1e-3
        top += same_top
        top5 += [h.passage_id for h in ha] == [h.passage_id for h in hb]
        span += same_span
        conf += same_conf
        if not same_top:
            differ.append(q["question"])
    n = len(questions)
    return {"n": n, "R@1 faiss": r1[0] / n, "R@1 milvus": r1[1] / n, "same top": top / n,
            "same top-5": top5 / n, "same answer sentence": span / n, "same confidence": conf / n,
            "differ": differ}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="+", default=["cmrc-zh", "cmrc-en", "cmrc-en-holdout", "seed-zh", "seed-en"])
    ap.add_argument("--modes", nargs="+", default=["hybrid", "dense", "lexical"])
    args = ap.parse_args()

    sets = {}
    if any(s.startswith("cmrc") for s in args.sets):
        _, questions = quality.cmrc_corpus()
        by_id = {q["id"]: q for q in questions}
        faiss_dir = quality.cmrc_index()
        pair = (Retriever.load(faiss_dir),
                Retriever.load(milvus_twin(faiss_dir, faiss_dir.parent / "cmrc-index-data",
                                           OUT / "cmrc-milvus")))
        key = lambda q, h: h.doc_id == q["context_id"]   # noqa: E731
        if "cmrc-zh" in args.sets:
            sets["cmrc-zh"] = (pair, questions, key)
        for name, path in (("cmrc-en", quality.EN), ("cmrc-en-holdout", quality.EN_HOLDOUT)):
            if name in args.sets:
                sets[name] = (pair, [{**by_id[e["id"]], "question": e["question_en"]}
                                     for e in quality.read_jsonl(path)], key)
    if any(s.startswith("seed") for s in args.sets):
        seed_dir = OUT / "seed-index"
        print(build_index([quality.ROOT / "data"], index_dir=seed_dir).summary(), file=sys.stderr)
        pair = (Retriever.load(seed_dir),
                Retriever.load(milvus_twin(seed_dir, quality.ROOT / "data", OUT / "seed-milvus")))
        for lang in ("zh", "en"):
            if f"seed-{lang}" in args.sets:
                sets[f"seed-{lang}"] = (pair, [q for q in quality.seed_questions() if q["lang"] == lang],
                                        quality.seed_passage_key)

    (first, _), _, _ = next(iter(sets.values()))
    encode_each_question_once(first, list(dict.fromkeys(
        retriever.clean_question(q["question"]) for _, questions, _ in sets.values() for q in questions)))
    print("| set | mode | n | R@1 FAISS | R@1 Milvus | same top hit | same top 5 | "
          "same answer sentence | same confidence |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, ((a, b), questions, key) in sets.items():
        for mode in args.modes:
            r = compare(a, b, questions, mode, key)
            print(f"| {name} | {mode} | {r['n']} | {r['R@1 faiss']:.3f} | {r['R@1 milvus']:.3f} | "
                  f"{r['same top']:.3f} | {r['same top-5']:.3f} | {r['same answer sentence']:.3f} | "
                  f"{r['same confidence']:.3f} |", flush=True)
            for q in r["differ"][:5]:
                print(f"  top hit differs: {q}", file=sys.stderr)


if __name__ == "__main__":
    main()
