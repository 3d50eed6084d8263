"""Is the highlighted sentence the answer? CMRC 2018 trial, Chinese and English questions.

    python bench/highlight.py                     # both languages, both halves
    python bench/highlight.py --out bench/out/highlight.json

For each question whose top hit is a passage of its own context holding a gold
answer span, it counts whether the highlight (`Hit.answer`) contains a gold answer,
and how long highlights are. The contexts are split in two halves by a hash of
their id (fixed before any rule was looked at): rules are chosen on half A and
half B is reported beside it, never tuned on. English questions (bench/data) are
versions of Chinese trial questions; their gold spans are the Chinese ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.quality import EN, EN_HOLDOUT, cmrc_corpus, cmrc_index, read_jsonl  # noqa: E402
from bot import Retriever  # noqa: E402


def half(context_id: str) -> str:
    """'A' (rules are chosen here) or 'B' (only reported), by a hash of the context id."""
    return "AB"[hashlib.sha1(context_id.encode("utf-8")).digest()[0] % 2]


def question_sets() -> dict[str, list[dict]]:
    """zh: every trial question; en: our English versions (both English files)."""
    _, questions = cmrc_corpus()
    by_id = {q["id"]: q for q in questions}
    english = [{**by_id[e["id"]], "question": e["question_en"]}
               for path in (EN, EN_HOLDOUT) if path.exists() for e in read_jsonl(path)]
    return {"zh": questions, "en": english}


def holds_answer(text: str, answers: list[str]) -> bool:
    return any(a.strip() and a.strip() in text for a in answers)


def cases(retriever: Retriever, questions: list[dict]):
    """(question, top hit) for every question whose top hit holds a gold answer in its own context."""
    for q in questions:
        hits = retriever.search(q["question"], k=1)
        if hits and hits[0].doc_id == q["context_id"] and holds_answer(hits[0].text, q["answers"]):
            yield q, hits[0]


def summarise(rows: list[dict]) -> dict:
    n = len(rows)
    if not n:
        return {"n": 0}
    return {"n": n,
            "contains": sum(r["contains"] for r in rows) / n,
            "chars": sum(r["chars"] for r in rows) / n,
            "sentences": sum(r["sentences"] for r in rows) / n,
            "passage_chars": sum(r["passage_chars"] for r in rows) / n}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--langs", nargs="+", default=["zh", "en"])
    ap.add_argument("--out", type=Path, default=None, help="per-question rows as JSON")
    args = ap.parse_args()

    retriever = Retriever.load(cmrc_index())
    sets = question_sets()
    rows = []
    for lang in args.langs:
        for q, hit in cases(retriever, sets[lang]):
            s, e = hit.answer_span
            inside = [span for span in hit_sentences(retriever, hit) if span[0] < e and span[1] > s]
            rows.append({"lang": lang, "id": q["id"], "half": half(q["context_id"]),
                         "question": q["question"], "answers": q["answers"], "highlight": hit.answer,
                         "contains": holds_answer(hit.answer, q["answers"]),
                         "chars": e - s, "sentences": len(inside), "passage_chars": len(hit.text)})
    print("| questions | half | n (top passage right) | highlight contains answer | "
          "highlight chars | sentences | passage chars |")
    print("|---|---|---|---|---|---|---|")
    results = {}
    for lang in args.langs:
        for h in ("A", "B"):
            r = results[f"{lang}/{h}"] = summarise([x for x in rows if x["lang"] == lang and x["half"] == h])
            if r["n"]:
                print(f"| {lang} | {h}{' (held out)' if h == 'B' else ''} | {r['n']} | {r['contains']:.3f} | "
                      f"{r['chars']:.1f} | {r['sentences']:.2f} | {r['passage_chars']:.0f} |", flush=True)
    if args.out:
        args.out.write_text(json.dumps({"results": results, "rows": rows}, ensure_ascii=False, indent=1),
                            encoding="utf-8")


def hit_sentences(retriever: Retriever, hit) -> tuple[tuple[int, int], ...]:
    return retriever.passages[hit.passage_id].sentences


if __name__ == "__main__":
    main()
