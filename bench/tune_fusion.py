"""Sweep the fusion weights (bot/fusion.py) on CMRC trial, Chinese and English.

    python bench/tune_fusion.py
    python bench/tune_fusion.py --news   # the English weights on the news-like archives' English questions
                                         # (their indexes are bench/nearmiss.py's: run it first)

Rankings and evidence are computed once per question; only the fusion is
repeated, so a sweep takes seconds. Used to choose the constants in
bot/fusion.py; the chosen values and this sweep's output are in bench/RESULTS.md.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import quality  # noqa: E402
from bot import Retriever, encoder as encoders, fusion, pinyin, segment  # noqa: E402
from bot.dense import best_sentence_scores  # noqa: E402


def rankings_for(r: Retriever, question: str):
    qvec = encoders.encode_queries(r.encoder, [question])[0]
    cjk = segment.is_cjk_question(question)
    dense_ids, dense_scores = r.dense.search(qvec, 50)
    channels = {"words": r.lexical.search("words", segment.words(question), 50)}
    if not cjk:
        channels["pinyin"] = r.lexical.search("pinyin", pinyin.latin_query_terms(question), 50)
        channels["gloss"] = r.lexical.search("gloss", segment.english_terms(question), 50)
        # Scored once, over what the lists with a say found. Which lists have a say depends
        # only on evidence > 0 while every base weight swept is > 0 (asserted in main).
        weighted = [(dense_ids, dense_scores, 1.0)] + [
            (f.ids, f.scores, fusion.channel_weight(name, f.evidence, cjk)) for name, f in channels.items()]
        channels["sentences"] = best_sentence_scores(qvec, r.sentence_vectors, r.sentence_offsets,
                                                     fusion.candidates(weighted))
    return cjk, (dense_ids, dense_scores), channels


def shipped_params() -> tuple:
    """The fusion constants as bot/fusion.py sets them, in set_params' order."""
    return (fusion.RRF_K, fusion.SCORE_SHARE, fusion.PINYIN_WEIGHT, fusion.GLOSS_WEIGHT,
            fusion.EVIDENCE_POWER, fusion.SENTENCE_WEIGHT)


def set_params(params) -> None:
    (fusion.RRF_K, fusion.SCORE_SHARE, fusion.PINYIN_WEIGHT, fusion.GLOSS_WEIGHT,
     fusion.EVIDENCE_POWER, fusion.SENTENCE_WEIGHT) = params


def score(cases, params) -> tuple[float, float]:
    """R@1 and MRR@10 with the fusion constants set to `params`, weighed as the retriever weighs."""
    set_params(params)
    r1 = mrr = 0.0
    for target_ids, (cjk, dense_ids, channels) in cases:
        rankings = [(*dense_ids, 1.0)]
        for name, found in channels.items():
            if name == "sentences":
                rankings.append((*found, fusion.sentence_weight(cjk)))
            else:
                rankings.append((found.ids, found.scores, fusion.channel_weight(name, found.evidence, cjk)))
        ids, _ = fusion.fuse(rankings, 10)
        rank = next((i for i, pid in enumerate(ids.tolist()) if pid in target_ids), None)
        r1 += rank == 0
        mrr += 1 / (rank + 1) if rank is not None else 0
    return r1 / len(cases), mrr / len(cases)


def news_cases(part: str) -> list:
    """The news-like archives' answerable English questions of `part` ("fit" or "held-out"), as score() takes them:
    (the passages of the answer's article that hold its hint, the question's rankings)."""
    import nearmiss

    sets = [(name, nearmiss.DATA / f"{folder.name}_questions.jsonl") for name, (folder, p) in nearmiss.NEWS.items()
            if p == part]
    sets.append(("lookalike-fit" if part == "fit" else "lookalike",
                 nearmiss.DATA / ("lookalike_fit_questions.jsonl" if part == "fit" else "lookalike_questions.jsonl")))
    cases = []
    for name, questions in sets:
        r = Retriever.load(quality.OUT / f"{name}-index")
        for q in quality.read_jsonl(questions):
            if q["lang"] != "en" or not q["doc"]:
                continue
            targets = {pid for pid, p in enumerate(r.passages)
                       if p.doc_id == q["doc"] and (q["hint"] in p.text or q["hint"] in p.section)}
            if targets:
                cases.append((targets, rankings_for(r, q["question"])))
    return cases


def main_news() -> None:
    shipped = shipped_params()
    fit, held_out = news_cases("fit"), news_cases("held-out")   # held out: for the record, never to choose
    grid = itertools.product([fusion.RRF_K], [0.5, 0.75, 1.0], [1.0, 2.0, 3.0], [0.5, 1.0, 2.0, 3.0],
                             [fusion.EVIDENCE_POWER], [0.0, 0.75, 1.5, 2.5])
    results = sorted(((score(fit, p), p) for p in grid), reverse=True)
    print(f"news-like English: {len(fit)} fit, {len(held_out)} held-out questions")
    print("RRF_K score_share pinyin gloss power sentences | fit R@1 MRR | held-out R@1 MRR")
    for (r1, mrr), p in results[:10]:
        print(p, f"| {r1:.3f} {mrr:.3f} |", "%.3f %.3f" % score(held_out, p))
    print("shipped", shipped, "| %.3f %.3f |" % score(fit, shipped), "%.3f %.3f" % score(held_out, shipped))


def main() -> None:
    shipped = shipped_params()   # before score() changes the module
    r = Retriever.load(quality.cmrc_index())
    _, questions = quality.cmrc_corpus()
    by_doc: dict[str, set[int]] = {}
    for pid, p in enumerate(r.passages):
        by_doc.setdefault(p.doc_id, set()).add(pid)
    zh = [(by_doc[q["context_id"]], rankings_for(r, q["question"])) for q in questions]
    en = [(by_doc[e["context_id"]], rankings_for(r, e["question_en"])) for e in quality.read_jsonl(quality.EN)]
    # The held-out English questions are scored for the record, never used to choose.
    ho = [(by_doc[e["context_id"]], rankings_for(r, e["question_en"])) for e in quality.read_jsonl(quality.EN_HOLDOUT)]
    grid = itertools.product([10, 20, 60], [0.0, 0.25, 0.5, 0.75, 1.0], [1.0, 2.0], [0.5, 1.0, 2.0], [1.0, 2.0],
                             [0.0, 0.5, 1.0, 1.5, 2.0])
    grid = list(grid)
    assert all(p[2] > 0 and p[3] > 0 for p in grid), "sentence candidates were scored for base weights > 0"
    results = []
    for params in grid:
        zr1, zmrr = score(zh, params)
        er1, emrr = score(en, params)
        results.append((zr1 + er1, params, zr1, zmrr, er1, emrr))
    results.sort(reverse=True)
    print("RRF_K score_share pinyin gloss power sentences | zh R@1 MRR | en R@1 MRR | held-out en R@1 MRR")
    for _, p, zr1, zmrr, er1, emrr in results[:15]:
        print(p, f"| {zr1:.3f} {zmrr:.3f} | {er1:.3f} {emrr:.3f} |", "%.3f %.3f" % score(ho, p))
    for i, name in ((1, "score share"), (5, "sentence weight")):
        print(f"by {name} (best of the rest):")
        for value in sorted({p[i] for _, p, *_ in results}):
            best = max((r for r in results if r[1][i] == value), key=lambda r: r[0])
            print(value, best[1], f"| {best[2]:.3f} {best[3]:.3f} | {best[4]:.3f} {best[5]:.3f} |",
                  "%.3f %.3f" % score(ho, best[1]))
    print("shipped", shipped, "| %.3f %.3f" % score(zh, shipped), "| %.3f %.3f" % score(en, shipped),
          "| %.3f %.3f" % score(ho, shipped))


if __name__ == "__main__":
    main_news() if "--news" in sys.argv[1:] else main()
