"""Does a candidate piece of evidence tell "about the thing asked" from "about something like it"?

    python bench/separation.py --dev cmrc2018_dev.json           # Chinese calibration
    python bench/separation.py --dev cmrc2018_dev.json --latin   # English

Each candidate (CANDIDATES) is added to the shipped calibration's features, and the whole is
refitted by 5-fold cross-validation on the fit part (bench/calibrate.py's folds, row weights and
fit; the held-out part is not read). Printed per candidate: the CV log loss of news-like and other
rows, and, question by question, answered and right / called unanswerable at several bars. The
shipped features, refitted the same way, are the first row.

A candidate helps when that frontier moves out: more questions answered and right at the same
share called unanswerable. A lower log loss alone is not that: a feature that tells a question's
right passage from its neighbours (how far a hit stands out from the question's other hits) lowers
it without telling an answerable question from a near miss. The confidences here are the
calibration's own, before answer.with_peers (which nearmiss.py's rates include), so compare rows
with each other, not with nearmiss.py's table. Nothing here is shipped.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import calibrate  # noqa: E402
import nearmiss  # noqa: E402
from bot import answer, answer_sentence, segment  # noqa: E402

BARS = (0.2, 0.3, 0.35, 0.4, 0.5)
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.strip()] or [text]


def _head(hit) -> str:
    return f"{hit.title} {hit.section}"


def longest_run(asked: nearmiss.Asked, i: int) -> float:
    """The longest run of the question's own text one sentence holds (not in title or section), of 8."""
    hit = asked.hits[i]
    q, head = answer_sentence._plain(asked.question), answer_sentence._plain(_head(hit))
    return max(min(answer_sentence.longest_shared_run(q, answer_sentence._plain(s), head), answer_sentence.LCS_CAP)
               for s in _sentences(hit.text)) / answer_sentence.LCS_CAP


def _characters(asked: nearmiss.Asked, i: int) -> tuple[list[float], list[str]]:
    """Each sentence's share of the question's characters (rarer weigh more), and the sentences."""
    hit = asked.hits[i]
    sentences = _sentences(hit.text)
    if not segment.is_cjk_question(asked.question):
        return [0.0] * len(sentences), sentences
    rarity = answer_sentence._asked_characters(asked.question, {}, _head(hit).lower())
    total = sum(rarity.values()) or 1.0
    return [sum(w for ch, w in rarity.items() if ch in s) / total for s in sentences], sentences


def one_sentence_characters(asked: nearmiss.Asked, i: int) -> float:
    """The most of the question's characters one sentence holds: the question's words together."""
    return max(_characters(asked, i)[0])


def kind_in_best_sentence(asked: nearmiss.Asked, i: int) -> float:
    """Whether the sentence holding most of the question's characters holds the kind asked (a number, a
    time, a place...); 1 when the question asks no kind."""
    shares, sentences = _characters(asked, i)
    kinds = answer_sentence.question_types(asked.question)
    best = sentences[int(np.argmax(shares))]
    return float(any(answer_sentence.holds(k, best, asked.question) for k in kinds)) if kinds else 1.0


def _of_hits(asked: nearmiss.Asked, name: str) -> np.ndarray:
    return np.array([float(getattr(h.evidence, name)) for h in asked.hits])


def cosine_over_median(asked: nearmiss.Asked, i: int) -> float:
    """How far the hit's cosine stands out from the question's hits' median."""
    cos = _of_hits(asked, "cosine")
    return float(cos[i] - np.median(cos))


def coverage_over_median(asked: nearmiss.Asked, i: int) -> float:
    cov = _of_hits(asked, "coverage")
    return float(cov[i] - np.median(cov))


def lead(asked: nearmiss.Asked, i: int) -> float:
    """answer.Evidence.lead: the hit's cosine over the median of the index's five passages nearest the question (the
    whole index, however many hits were asked for)."""
    return float(asked.hits[i].evidence.lead)


def top_gap(asked: nearmiss.Asked, i: int) -> float:
    """How far the question's best cosine stands out from its second (the same for every hit)."""
    cos = np.sort(_of_hits(asked, "cosine"))[::-1]
    return float(cos[0] - cos[1]) if len(cos) > 1 else 0.0


CANDIDATES = {
    "longest run": [longest_run],
    "one sentence's characters": [one_sentence_characters],
    "kind in that sentence": [kind_in_best_sentence],
    "the three sentence features": [longest_run, one_sentence_characters, kind_in_best_sentence],
    "cosine over the median hit": [cosine_over_median],
    "coverage over the median hit": [coverage_over_median],
    "the best cosine's lead": [top_gap],
    "cosine and coverage over the median": [cosine_over_median, coverage_over_median],
    "lead: cosine over the index's five nearest": [lead],
}


def fit_rows(asked: list, latin: bool, extra: list) -> tuple[np.ndarray, ...]:
    """The shipped features and `extra` per hit of the fit part: (X with a bias column, labels, question
    number, news-like)."""
    shipped = calibrate.features(answer.LATIN_CALIBRATION if latin else answer.CALIBRATION)
    X, y, qid, news = [], [], [], []
    for n, a in enumerate(asked):
        if a.part != "fit" or a.set.endswith("-lookalike") or a.set == "small":
            continue
        for i, (h, label) in enumerate(zip(a.hits, a.labels())):
            if h.evidence.latin != latin:
                continue
            X.append([1.0] + [float(getattr(h.evidence, f)) for f in shipped] + [f(a, i) for f in extra])
            y.append(float(label))
            qid.append(n)
            news.append(a.set in nearmiss.NEWS_LIKE)
    return np.array(X), np.array(y), np.array(qid), np.array(news)


def frontier(asked: list, p: np.ndarray, qid: np.ndarray, news_like: bool) -> str:
    """Answered and right / called unanswerable at each bar (the first hit over it answers)."""
    by_question: dict[int, list[tuple[float, bool]]] = {}
    for pi, q in zip(p, qid):
        by_question.setdefault(int(q), []).append(pi)
    out = []
    for bar in BARS:
        right, silent = [], []
        for q, ps in by_question.items():
            a = asked[q]
            if (a.set in nearmiss.NEWS_LIKE) != news_like:
                continue
            first = next((i for i, pi in enumerate(ps) if pi >= bar), None)
            if a.answerable:
                right.append(first is not None and a.labels()[first])
            else:
                silent.append(first is None)
        out.append(f"{np.mean(right):.3f} / {np.mean(silent):.3f}")
    return " | ".join(out)


def main() -> None:
    latin = "--latin" in sys.argv
    asked = nearmiss.collect(dev=nearmiss.dev_path())
    print(f"{'English' if latin else 'Chinese'} calibration, 5-fold CV on the fit part; answered and right / "
          f"called unanswerable at bars {', '.join(map(str, BARS))}\n")
    bars = " | ".join(f"{domain} {bar}" for domain in ("news-like", "others") for bar in BARS)
    print(f"| added | CV log loss news-like | others | {bars} |\n|---|---|---|" + "---|" * 2 * len(BARS))
    for name, extra in [("nothing (the shipped features)", [])] + list(CANDIDATES.items()):
        X, y, qid, news = fit_rows(asked, latin, extra)
        weight = calibrate.row_weights(news, latin)
        fold = calibrate.folds_by_question(qid, 5)
        p = np.zeros(len(y))
        for k in range(5):
            p[fold == k] = calibrate.logistic(X[fold == k], calibrate.fit(X[fold != k], y[fold != k],
                                                                          weight[fold != k]))
        print(f"| {name} | {calibrate.log_loss(p[news], y[news]):.4f} | {calibrate.log_loss(p[~news], y[~news]):.4f} "
              f"| {frontier(asked, p, qid, True)} | {frontier(asked, p, qid, False)} |")


if __name__ == "__main__":
    main()
