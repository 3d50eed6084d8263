"""Is the highlighted sentence the answer? CMRC 2018 trial, Chinese and English questions.

    python bench/highlight.py                     # both languages, both halves
    python bench/highlight.py --out bench/out/highlight.json
    python bench/highlight.py --fit               # refit answer.SENTENCE_WEIGHTS on half A

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
from bot import Retriever, answer, encoder as encoders, lexical  # noqa: E402
from bot.passages import embedding_text  # noqa: E402


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
    ap.add_argument("--fit", action="store_true", help="fit the sentence weights on half A (needs scikit-learn)")
    args = ap.parse_args()

    retriever = Retriever.load(cmrc_index())
    sets = question_sets()
    if args.fit:
        return fit(retriever, sets)
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


def features(retriever: Retriever, question: str, qvec, hit):
    """answer.sentence_features for a hit, as Retriever computes them."""
    p = retriever.passages[hit.passage_id]
    cjk = lexical.is_cjk_question(question)
    terms = list(dict.fromkeys(lexical.words(question)))
    weights, _ = retriever._matches(question, terms, embedding_text(p), cjk)   # noqa: SLF001 (bench)
    rows = retriever.sentence_vectors[retriever.sentence_offsets[hit.passage_id]:
                                      retriever.sentence_offsets[hit.passage_id + 1]]
    sims = rows.astype("float32") @ qvec
    return answer.sentence_features(question, sims, p.sentences, p.text, f"{p.title} {p.section}", weights)


def fit(retriever: Retriever, sets: dict[str, list[dict]]) -> None:
    """Logistic regression of "this sentence holds a gold answer" on half A, per script;
    prints the weights and the share of A and B whose best sentence holds the answer."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    for lang, script in (("zh", "cjk"), ("en", "latin")):
        found = list(cases(retriever, sets[lang]))
        qvecs = encoders.encode_queries(retriever.encoder, [q["question"] for q, _ in found])
        data = []
        for (q, hit), qvec in zip(found, qvecs):
            p = retriever.passages[hit.passage_id]
            y = np.array([holds_answer(p.text[s:e], q["answers"]) for s, e in p.sentences], float)
            data.append((half(q["context_id"]), features(retriever, q["question"], qvec, hit), y, p, q))
        train = [d for d in data if d[0] == "A"]
        model = LogisticRegression(max_iter=5000).fit(np.vstack([d[1] for d in train]),
                                                      np.concatenate([d[2] for d in train]))
        w = dict(zip(answer.FEATURES, model.coef_[0].round(2).tolist())) | {"bias": round(float(model.intercept_[0]), 2)}
        print(script, w)
        coef = model.coef_[0]
        for h in "AB":
            part = [d for d in data if d[0] == h]
            right = np.mean([d[2][int(np.argmax(d[1] @ coef))] > 0 for d in part])
            print(f"  half {h}: {len(part)} questions, best sentence holds the answer {right:.3f}")
        for at in (1.01, 0.8, 0.7, 0.6, 0.5):     # when a neighbour joins the highlight
            for h in "AB":
                part = [d for d in data if d[0] == h]
                ok = chars = 0
                for _, f, _, p, q in part:
                    z = f @ coef + model.intercept_[0]
                    prob = 1 / (1 + np.exp(-z))
                    i = int(np.argmax(z))
                    s, e = p.sentences[i]
                    near = [j for j in (i - 1, i + 1) if 0 <= j < len(p.sentences)]
                    if near:
                        j = max(near, key=lambda j: prob[j])
                        if prob[j] >= at * prob[i]:
                            s, e = min(s, p.sentences[j][0]), max(e, p.sentences[j][1])
                    ok += holds_answer(p.text[s:e], q["answers"])
                    chars += e - s
                print(f"  two sentences at {at}: half {h} {ok / len(part):.3f}, {chars / len(part):.1f} chars")


def hit_sentences(retriever: Retriever, hit) -> tuple[tuple[int, int], ...]:
    return retriever.passages[hit.passage_id].sentences


if __name__ == "__main__":
    main()
