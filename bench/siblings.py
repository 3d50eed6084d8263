"""Are an answer's neighbours answers? The cards marked answers that hold the answer, and those that do not.

    python bench/siblings.py                              # CMRC trial half index, the fit archives
    python bench/siblings.py --dev cmrc2018_dev.json      # and the CMRC 2018 dev half index

Every question is asked (k=5), and its cards at or above the bar by answer.with_peers are
counted as holding the answer (a gold answer string in a passage of its own article; for the
archives, the question's hint) or not: with no neighbour scaled, and with the shipped
(SIBLING_RATIO, SIBLING_POWER) and a few other (ratio, power) pairs. CMRC: Chinese questions;
the archives: Chinese and English ones. Each article's best card keeps its confidence, so
whether a question is answered at all cannot change; only how many of its cards are answers.
The indexes are bench/nearmiss.py's (bench/out/*-half-index, news-fit-index, titled-fit-index):
run it first.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.quality import OUT, cmrc_corpus, read_jsonl  # noqa: E402
from bot import Retriever, answer  # noqa: E402
from bot.evidence import section_person  # noqa: E402

DATA = ROOT / "bench" / "data"
PAIRS = [(answer.SIBLING_RATIO, answer.SIBLING_POWER), (0.7, 99), (0.8, 4), (0.7, 4)]     # (ratio, power)


def count(retriever: Retriever, asked) -> collections.Counter:
    """{(pair or "none", holds): cards at or above the bar} over `asked`: (question, hit -> holds).
    "none": answer.with_peers without the hits' articles, so no neighbour is scaled."""
    tally = collections.Counter()
    for question, holds in asked:
        hits = retriever.search(question, k=5)
        right = [holds(h) for h in hits]
        evidences, articles = [h.evidence for h in hits], [h.article for h in hits]
        people = [section_person(h.section) for h in hits]
        scored = {"none": answer.with_peers(evidences)} | \
            {(ratio, power): answer.with_peers(evidences, articles, ratio, power, people) for ratio, power in PAIRS}
        for key, confidences in scored.items():
            for c, ok in zip(confidences, right):
                tally[(key, ok)] += c >= answer.RELEVANT_AT
    return tally


def cmrc(index: Path, path: Path | None = None):
    _, questions = cmrc_corpus(path) if path else cmrc_corpus()
    indexed = {p.doc_id for p in Retriever.load(index).passages}
    return [(q["question"], (lambda q: lambda h: h.doc_id == q["context_id"]
                             and any(a in h.text for a in q["answers"]))(q))
            for q in questions if q["context_id"] in indexed]


def archive(questions: Path, lang: str = "zh"):
    return [(q["question"], (lambda q: lambda h: h.doc_id == q["doc"]
                             and (q["hint"] in h.text or q["hint"] in h.section))(q))
            for q in read_jsonl(questions) if q["lang"] == lang and q["doc"]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", type=Path, default=None, help="the CMRC 2018 dev file, for the dev half index")
    args = ap.parse_args()
    sets = {"CMRC trial (half index)": (OUT / "cmrc-half-index", lambda: cmrc(OUT / "cmrc-half-index")),
            "news-fit": (OUT / "news-fit-index", lambda: archive(DATA / "news_fit_questions.jsonl")),
            "titled-fit": (OUT / "titled-fit-index", lambda: archive(DATA / "news_titled_fit_questions.jsonl")),
            "news-fit, English": (OUT / "news-fit-index", lambda: archive(DATA / "news_fit_questions.jsonl", "en")),
            "titled-fit, English": (OUT / "titled-fit-index",
                                    lambda: archive(DATA / "news_titled_fit_questions.jsonl", "en"))}
    if args.dev:
        sets["CMRC dev (half index)"] = (OUT / "dev-half-index", lambda: cmrc(OUT / "dev-half-index", args.dev))
    print("| cards marked answers, holding / not holding the answer | none | "
          + " | ".join(f"(share/{r})^{p}" for r, p in PAIRS) + " |")
    print("|---" * (len(PAIRS) + 2) + "|")
    for name, (index, asked) in sets.items():
        tally = count(Retriever.load(index), asked())
        cells = [f"{tally[(key, True)]} / {tally[(key, False)]}" for key in ["none"] + PAIRS]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
