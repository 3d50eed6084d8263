"""Retrieval quality: CMRC 2018 trial (Chinese, and our English versions) and the seed article.

    python bench/quality.py                  # all sets, all modes
    python bench/quality.py --sets cmrc-zh --modes hybrid
    python bench/quality.py --sets cmrc-dev-en --dev cmrc2018_dev.json   # English on other articles

CMRC 2018 trial (CC BY-SA 4.0, github.com/ymcui/cmrc2018): every context is
a document, every question a query; a hit is a passage of the question's own
context. Seed questions: a hit is a passage from an expected section.
`cmrc-dev-en`: 68 questions of the CMRC 2018 dev set (other articles than the trial's, which
no ranking constant was chosen on), translated by the team (bench/data/cmrc_dev_en.jsonl), asked of an
index of the whole dev set; `--dev` is its path (squad-style-data/cmrc2018_dev.json of the
same repository; not shipped here), `cmrc-dev-zh` the same questions in Chinese.
Prints a Markdown table; `--out FILE` also writes per-question results as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import Retriever, build_index  # noqa: E402

CMRC = ROOT.parent / "shared" / "eval" / "cmrc2018_trial.json"
EN = ROOT / "bench" / "data" / "cmrc_trial_en.jsonl"
EN_HOLDOUT = ROOT / "bench" / "data" / "cmrc_trial_en_holdout.jsonl"   # never tuned on
# One more English question of each context in bench/nearmiss.py's fit part, translated by the
# team (the English calibration had 90 questions to fit six weights on).
EN_FIT = ROOT / "bench" / "data" / "cmrc_trial_en_fit.jsonl"
DEV_EN = ROOT / "bench" / "data" / "cmrc_dev_en.jsonl"   # unseen articles: CMRC 2018 dev
SEED_QUESTIONS = ROOT / "bench" / "data" / "seed_questions.jsonl"
OUT = ROOT / "bench" / "out"


def cmrc_corpus(path: Path = CMRC) -> tuple[list[dict], list[dict]]:
    """(documents, questions) of the CMRC trial file."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    docs, questions = [], []
    for article in data:
        for para in article["paragraphs"]:
            docs.append({"id": para["id"], "title": article.get("title", ""), "text": para["context"]})
            for qa in para["qas"]:
                if not qa["question"].strip():   # two trial questions are empty
                    continue
                questions.append({"id": qa["id"], "question": qa["question"], "context_id": para["id"],
                                  "answers": [a["text"] for a in qa["answers"]]})
    return docs, questions


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(docs: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


def cmrc_index(index_dir: Path = OUT / "cmrc-index", docs: list[dict] | None = None) -> Path:
    docs = docs if docs is not None else cmrc_corpus()[0]
    data = index_dir.parent / (index_dir.name + "-data") / "cmrc.jsonl"
    write_jsonl(docs, data)
    report = build_index([data.parent], index_dir=index_dir, progress=True)
    print(report.summary(), file=sys.stderr)
    return index_dir


def evaluate(retriever: Retriever, questions: list[dict], mode: str, key) -> dict:
    """R@1, R@5, MRR@10 where `key(question, hit)` says whether a hit answers."""
    r1 = r5 = mrr = 0.0
    latencies, rows = [], []
    for q in questions:
        t = time.perf_counter()
        hits = retriever.search(q["question"], k=10, mode=mode)
        latencies.append(time.perf_counter() - t)
        rank = next((i for i, h in enumerate(hits) if key(q, h)), None)
        r1 += rank == 0
        r5 += rank is not None and rank < 5
        mrr += 1 / (rank + 1) if rank is not None else 0
        rows.append({"id": q["id"], "rank": rank, "top": hits[0].doc_id if hits else None})
    n = len(questions)
    latencies.sort()
    return {"n": n, "R@1": r1 / n, "R@5": r5 / n, "MRR@10": mrr / n,
            "p50_ms": 1000 * latencies[n // 2], "rows": rows}


def seed_questions() -> list[dict]:
    return read_jsonl(SEED_QUESTIONS)


def seed_key(q: dict, hit) -> bool:
    person = hit.section.split(" ")[0] if hit.section else ""
    return person in q["expected_sections"]


def seed_passage_key(q: dict, hit) -> bool:
    """Stricter: the hit is the passage holding the answer, not just its section."""
    return seed_key(q, hit) and q["answer_hint"] in hit.text


def twin_agreement(retriever: Retriever, questions: list[dict], mode: str) -> dict:
    """For each Chinese question with an English twin: do both put the same passage first?"""
    by_id = {q["id"]: q for q in questions}
    pairs = [(q, by_id[q["twin"]]) for q in questions if q["lang"] == "zh" and q.get("twin") in by_id]
    same = right_both = 0
    for zh, en in pairs:
        a, b = retriever.search(zh["question"], k=1, mode=mode)[0], retriever.search(en["question"], k=1, mode=mode)[0]
        same += a.passage_id == b.passage_id
        right_both += seed_passage_key(zh, a) and seed_passage_key(en, b)
    return {"pairs": len(pairs), "same_top_passage": same / len(pairs), "both_right": right_both / len(pairs)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="+", default=["cmrc-zh", "cmrc-en", "cmrc-en-holdout", "seed-zh", "seed-en"],
                    choices=["cmrc-zh", "cmrc-en", "cmrc-en-holdout", "seed-zh", "seed-en", "cmrc-dev-en", "cmrc-dev-zh"])
    ap.add_argument("--modes", nargs="+", default=["hybrid", "dense", "lexical"])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--dev", type=Path, default=None, help="cmrc2018_dev.json, for the cmrc-dev-* sets")
    ap.add_argument("--index-prefix", default="", help="build and read the CMRC indexes as bench/out/PREFIXcmrc-index "
                    "(and PREFIXcmrc-dev-index): a tokenizer change then re-indexes a copy, not the shared ones")
    args = ap.parse_args()

    results = {}
    sets = {}
    if any(s.startswith("cmrc") for s in args.sets):
        _, questions = cmrc_corpus()
        by_id = {q["id"]: q for q in questions}
        cmrc = Retriever.load(cmrc_index(OUT / f"{args.index_prefix}cmrc-index"))
        if "cmrc-zh" in args.sets:
            sets["cmrc-zh"] = (cmrc, questions)
        if "cmrc-en" in args.sets and EN.exists():
            en = read_jsonl(EN)
            sets["cmrc-en"] = (cmrc, [{**by_id[e["id"]], "question": e["question_en"]} for e in en])
            sets["cmrc-zh-twins"] = (cmrc, [by_id[e["id"]] for e in en])
        if "cmrc-en-holdout" in args.sets and EN_HOLDOUT.exists():
            sets["cmrc-en-holdout"] = (cmrc, [{**by_id[e["id"]], "question": e["question_en"]}
                                              for e in read_jsonl(EN_HOLDOUT)])
    if any(s.startswith("cmrc-dev") for s in args.sets):
        if args.dev is None:
            ap.error("the cmrc-dev-* sets need --dev PATH (the CMRC 2018 dev file)")
        docs, questions = cmrc_corpus(args.dev)
        by_id = {q["id"]: q for q in questions}
        dev = Retriever.load(cmrc_index(OUT / f"{args.index_prefix}cmrc-dev-index", docs))
        picked = read_jsonl(DEV_EN)
        if "cmrc-dev-en" in args.sets:
            sets["cmrc-dev-en"] = (dev, [{**by_id[e["id"]], "question": e["question_en"]} for e in picked])
        if "cmrc-dev-zh" in args.sets:
            sets["cmrc-dev-zh"] = (dev, [by_id[e["id"]] for e in picked])
    if any(s.startswith("seed") for s in args.sets) and SEED_QUESTIONS.exists():
        seed_dir = OUT / "seed-index"
        print(build_index([ROOT / "data"], index_dir=seed_dir).summary(), file=sys.stderr)
        seed = Retriever.load(seed_dir)
        qs = seed_questions()
        for lang in ("zh", "en"):
            if f"seed-{lang}" in args.sets:
                sets[f"seed-{lang}"] = (seed, [q for q in qs if q["lang"] == lang])

    print("| set | mode | n | R@1 | R@5 | MRR@10 | p50 ms |")
    print("|---|---|---|---|---|---|---|")
    keys = {"seed": seed_key, "passage": seed_passage_key, "cmrc": lambda q, h: h.doc_id == q["context_id"]}
    for name, (retriever, questions) in sets.items():
        for kind in (["seed", "passage"] if name.startswith("seed") else ["cmrc"]):
            label = name + (" (answer passage)" if kind == "passage" else "")
            for mode in args.modes:
                r = evaluate(retriever, questions, mode, keys[kind])
                results[(label, mode)] = r
                print(f"| {label} | {mode} | {r['n']} | {r['R@1']:.3f} | {r['R@5']:.3f} | "
                      f"{r['MRR@10']:.3f} | {r['p50_ms']:.1f} |", flush=True)
    if "seed-zh" in sets and "seed-en" in sets:
        print("\nSeed twins (a Chinese question and its English version):\n")
        print("| mode | pairs | same top passage | both top passages hold the answer |")
        print("|---|---|---|---|")
        for mode in args.modes:
            t = twin_agreement(sets["seed-zh"][0], seed_questions(), mode)
            results[("seed-twins", mode)] = t
            print(f"| {mode} | {t['pairs']} | {t['same_top_passage']:.3f} | {t['both_right']:.3f} |")
    if args.out:
        args.out.write_text(json.dumps({f"{k[0]}/{k[1]}": v for k, v in results.items()},
                                       ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
