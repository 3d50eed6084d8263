"""Is the highlighted sentence the answer? CMRC 2018 trial, Chinese and English questions.

    python bench/highlight.py                     # both languages, both halves
    python bench/highlight.py --out bench/out/highlight.json
    python bench/highlight.py --fit --dev cmrc2018_dev.json   # refit answer_sentence.SENTENCE_WEIGHTS, JOIN_WEIGHTS
    python bench/highlight.py --fit --cv 5 --dev cmrc2018_dev.json   # the same, cross-validated (how ideas are judged)
    python bench/highlight.py --fit --cv 5 --dev cmrc2018_dev.json --bilinear 16 30   # + a learned q^T U V^T s term

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

import numpy as np  # noqa: E402

from bench.quality import EN, EN_FIT, EN_HOLDOUT, OUT, cmrc_corpus, cmrc_index, read_jsonl  # noqa: E402
from bot import Retriever, answer_sentence, encoder as encoders, segment  # noqa: E402
from bot.passages import embedding_text  # noqa: E402


def half(context_id: str) -> str:
    """'A' (rules are chosen here) or 'B' (only reported), by a hash of the context id."""
    return "AB"[hashlib.sha1(context_id.encode("utf-8")).digest()[0] % 2]


def question_sets() -> dict[str, list[dict]]:
    """zh: every trial question; en: our English versions (all three English files; each
    question falls in the half of its context like the Chinese ones)."""
    _, questions = cmrc_corpus()
    by_id = {q["id"]: q for q in questions}
    english = [{**by_id[e["id"]], "question": e["question_en"]}
               for path in (EN, EN_HOLDOUT, EN_FIT) if path.exists() for e in read_jsonl(path)]
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
    ap.add_argument("--fit", action="store_true", help="fit the weights on half A (needs scikit-learn)")
    ap.add_argument("--cv", type=int, default=0, metavar="K",
                    help="with --fit: K-fold cross-validation within half A and the dev set instead")
    ap.add_argument("--dev", type=Path, default=None,
                    help="with --fit: also train on the CMRC 2018 dev set (squad-style-data/cmrc2018_dev.json "
                         "of github.com/ymcui/cmrc2018, CC BY-SA 4.0)")
    ap.add_argument("--bilinear", nargs=2, type=float, default=None, metavar=("RANK", "L2"),
                    help="with --fit: add a learned score q^T U V^T s of the question's and the sentence's "
                         "e5 vectors (U, V: 384 x RANK, L2 penalty on both) to the sentence score (needs torch)")
    args = ap.parse_args()
    if (args.cv or args.dev or args.bilinear) and not args.fit:
        ap.error("--cv, --dev and --bilinear go with --fit")

    retriever = Retriever.load(cmrc_index())
    sets = question_sets()
    if args.fit:
        return fit(retriever, sets, args.dev, args.cv, args.bilinear)
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
    """(answer_sentence.sentence_features, matched word weights) for a hit, as Retriever computes them."""
    p = retriever.passages[hit.passage_id]
    cjk = segment.is_cjk_question(question)
    terms = list(dict.fromkeys(retriever.lexical.words(question)))
    weights, _ = retriever.evidence_reader.matches(question, terms, embedding_text(p), cjk)
    sims = retriever.sentences.of(hit.passage_id).astype("float32") @ qvec
    return answer_sentence.sentence_features(question, sims, p.sentences, p.text, head(p), weights), weights


def head(p) -> str:
    return f"{p.title} {p.section}"


def labelled(retriever: Retriever, questions: list[dict], part: str | None = None) -> list[tuple]:
    """(part, features, does each sentence hold a gold answer, passage, question, word weights,
    question vector, sentence vectors) per case; `part` is the trial half unless given."""
    found = list(cases(retriever, questions))
    qvecs = encoders.encode_queries(retriever.encoder, [q["question"] for q, _ in found])
    rows = []
    for (q, hit), qvec in zip(found, qvecs):
        p = retriever.passages[hit.passage_id]
        y = np.array([holds_answer(p.text[s:e], q["answers"]) for s, e in p.sentences], float)
        x, weights = features(retriever, q["question"], qvec, hit)
        rows.append((part or half(q["context_id"]), x, y, p, q, weights, qvec,
                     retriever.sentences.of(hit.passage_id).astype("float32")))
    return rows


def fit(retriever: Retriever, sets: dict[str, list[dict]], dev: Path | None, folds: int = 0,
        bilinear: tuple[float, float] | None = None) -> None:
    """Logistic regressions on trial half A (and, for Chinese, the CMRC 2018 dev set when given:
    other articles, other annotators): "this sentence holds a gold answer" per script, then
    "joining the best sentence's neighbour makes the highlight hold it" on the Chinese
    questions (English ones use those join weights). Prints the weights, and the share of
    half A and the dev set whose highlight holds the answer at several join thresholds (in
    sample). With `folds`: k-fold cross-validation instead, within half A (the dev set and
    A's other folds train) and within the dev set (A and the dev set's other folds train).
    Half B's questions are not asked here. `bilinear` (rank, L2): see `fit_bilinear`."""
    extra = []
    if dev is not None:
        docs, questions = cmrc_corpus(dev)
        extra = labelled(Retriever.load(cmrc_index(OUT / "cmrc-dev-index", docs)), questions, part="dev")
    fit_half = {lang: [q for q in questions if half(q["context_id"]) == "A"] for lang, questions in sets.items()}
    data = {"zh": labelled(retriever, fit_half["zh"]) + extra, "en": labelled(retriever, fit_half["en"])}
    if not folds:
        fitted, join = fit_weights(data, bilinear)
        for lang, script in (("zh", "cjk"), ("en", "latin")):
            print(script, {k: w for k, w in fitted[lang].items() if k != "bilinear"},
                  f"(trained on {len(data[lang])} questions)")
        print("join", join)
        report({lang: {part: [(d, fitted[lang], join) for d in rows if d[0] == part] for part in ("dev", "A")}
                for lang, rows in data.items()})
        return
    tested = {lang: {} for lang in data}
    for lang, part in (("zh", "A"), ("zh", "dev"), ("en", "A")):
        rows = data[lang]
        if not any(d[0] == part for d in rows):
            continue
        for k in range(folds):
            held = [d for d in rows if d[0] == part and fold(d[4]["context_id"], folds) == k]
            out = {id(d) for d in held}
            fitted, join = fit_weights({**data, lang: [d for d in rows if id(d) not in out]}, bilinear)
            tested[lang].setdefault(part, []).extend((d, fitted[lang], join) for d in held)
    print(f"{folds}-fold cross-validation (each question scored by weights fitted without its fold):")
    report(tested)


def fold(context_id: str, folds: int) -> int:
    """A context's cross-validation fold (a hash: questions of one context stay together)."""
    return hashlib.sha1(context_id.encode("utf-8")).digest()[1] % folds


def fit_weights(data: dict[str, list[tuple]], bilinear: tuple[float, float] | None = None) -> tuple[dict, dict]:
    """(SENTENCE_WEIGHTS, JOIN_WEIGHTS) fitted on `data` ({lang: labelled rows}); with `bilinear`,
    each language's sentence weights also hold "bilinear": the term `fit_bilinear` learned."""
    from sklearn.linear_model import LogisticRegression

    fitted = {}
    for lang, script in (("zh", "cjk"), ("en", "latin")):
        # an English question's own text is not in Chinese sentences: no lcs (nor carry)
        used = [i for i, f in enumerate(answer_sentence.FEATURES) if script == "cjk" or f not in ("lcs", "carry")]
        model = LogisticRegression(max_iter=5000, C=10.0).fit(np.vstack([d[1][:, used] for d in data[lang]]),
                                                              np.concatenate([d[2] for d in data[lang]]))
        coef = np.zeros(len(answer_sentence.FEATURES))
        coef[used] = model.coef_[0]
        fitted[lang] = {"bias": round(float(model.intercept_[0]), 2)} | \
            dict(zip(answer_sentence.FEATURES, coef.round(2).tolist()))
        if bilinear:
            fitted[lang] = fit_bilinear(data[lang], fitted[lang], used, int(bilinear[0]), bilinear[1])
    # The join: one row per neighbour of the best sentence (by the weights just fitted).
    rows, labels = [], []
    for part, x, y, p, q, weights, qvec, svecs in data["zh"]:
        z = sentence_scores(x, fitted["zh"], q, p, qvec, svecs)
        best = int(np.argmax(z))
        sentences = [p.text[s:e] for s, e in p.sentences]
        asked = answer_sentence._asked_characters(q["question"], weights, head(p).lower())   # noqa: SLF001
        for j in (best - 1, best + 1):
            if 0 <= j < len(sentences):
                rows.append(answer_sentence.join_features(q["question"], x, z, best, j, sentences, asked,
                                                          head(p).lower()))
                both = p.text[min(p.sentences[best][0], p.sentences[j][0]):max(p.sentences[best][1], p.sentences[j][1])]
                labels.append(float(not y[best] and holds_answer(both, q["answers"])))
    model = LogisticRegression(max_iter=5000, C=1.0).fit(np.array(rows), np.array(labels))
    join = {"bias": round(float(model.intercept_[0]), 2)} | \
        dict(zip(answer_sentence.JOIN_FEATURES, model.coef_[0].round(2).tolist()))
    return fitted, join


def report(parts: dict[str, dict[str, list]]) -> None:
    """Per language and part, the share of highlights holding the answer (and their length) at
    several join thresholds. `parts`: {lang: {part: [(labelled row, sentence weights, join weights)]}}."""
    for lang, by_part in parts.items():
        for at in (1.01, 0.16, 0.1, 0.08, 0.06, 0.04):     # when the neighbour joins the highlight
            line = []
            for part, scored in by_part.items():
                if scored:
                    ok, chars = zip(*(highlight(x, p, q, weights, qvec, svecs, sw, jw, at)
                                      for (_, x, _, p, q, weights, qvec, svecs), sw, jw in scored))
                    line.append(f"{part} {np.mean(ok):.3f} ({np.mean(chars):.1f} chars, n={len(scored)})")
            print(f"  {lang}, the neighbour joins at {at}: " + ", ".join(line), flush=True)


def highlight(x, p, q, weights, qvec, svecs, sentence_weights, join_weights, at: float) -> tuple[bool, int]:
    """answer_sentence.answer_span's choice with these weights: (holds the answer, chars)."""
    extra = bilinear_score(sentence_weights["bilinear"], qvec, svecs) if "bilinear" in sentence_weights else None
    s, e = answer_sentence.choose(q["question"], x, p.sentences, p.text, head(p), weights, sentence_weights,
                                  join_weights, at, extra=extra)
    return holds_answer(p.text[s:e], q["answers"]), e - s


def sentence_scores(x, sentence_weights, q, p, qvec, svecs) -> np.ndarray:
    """Each sentence's score (logit) as `highlight` scores it."""
    z = x @ np.array([sentence_weights[f] for f in answer_sentence.FEATURES]) + sentence_weights["bias"]
    if "bilinear" in sentence_weights:
        z = z + bilinear_score(sentence_weights["bilinear"], qvec, svecs)
    return z


def bilinear_score(term: tuple, qvec, svecs) -> np.ndarray:
    """q^T U V^T s per sentence, the vectors centred (and scaled by 10) as `fit_bilinear` fitted them."""
    u, v, q_mean, s_mean = term
    return ((10 * (svecs - s_mean)) @ v) @ ((10 * (qvec - q_mean)) @ u)


def fit_bilinear(rows: list[tuple], linear: dict, used: list[int], rank: int, l2: float,
                 steps: int = 300) -> dict:
    """The sentence weights `linear` (a logistic fit on `rows`) and a term q^T U V^T s over the
    question's and each sentence's e5 vectors (centred on `rows`), fitted together from there
    by the same logistic loss plus `l2` * (|U|^2 + |V|^2) (low rank and shrunk: about 12k numbers
    learned from ~25k sentences). Returns `linear` refitted, with "bilinear": (U, V, q mean, s mean)."""
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(1)
    x = torch.tensor(np.vstack([d[1][:, used] for d in rows]), dtype=torch.float32)
    y = torch.tensor(np.concatenate([d[2] for d in rows]), dtype=torch.float32)
    of = torch.tensor(np.concatenate([[i] * len(d[2]) for i, d in enumerate(rows)]))
    qs, ss = np.array([d[6] for d in rows], np.float32), np.vstack([d[7] for d in rows]).astype(np.float32)
    q_mean, s_mean = qs.mean(0), ss.mean(0)
    qs, ss = torch.tensor(10 * (qs - q_mean)), torch.tensor(10 * (ss - s_mean))
    w = torch.tensor([linear[answer_sentence.FEATURES[i]] for i in used], requires_grad=True)
    b = torch.tensor([linear["bias"]], requires_grad=True)
    u = (0.01 * torch.randn(qs.shape[1], rank)).requires_grad_()
    v = (0.01 * torch.randn(ss.shape[1], rank)).requires_grad_()
    opt = torch.optim.Adam([w, b, u, v], lr=0.01)
    for _ in range(steps):
        opt.zero_grad()
        z = x @ w + b + ((qs @ u)[of] * (ss @ v)).sum(1)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="sum") \
            + (w ** 2).sum() / (2 * 10.0) + l2 * ((u ** 2).sum() + (v ** 2).sum())
        loss.backward()
        opt.step()
    coef = np.zeros(len(answer_sentence.FEATURES))
    coef[used] = w.detach().numpy()
    return {"bias": float(b.detach()[0])} | dict(zip(answer_sentence.FEATURES, coef.tolist())) | \
        {"bilinear": (u.detach().numpy(), v.detach().numpy(), q_mean, s_mean)}


def hit_sentences(retriever: Retriever, hit) -> tuple[tuple[int, int], ...]:
    return retriever.passages[hit.passage_id].sentences


if __name__ == "__main__":
    main()
