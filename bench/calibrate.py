"""Fit the confidence calibrations (bot/answer.py CALIBRATION, LATIN_CALIBRATION) on look-alike data.

    python bench/calibrate.py
    python bench/calibrate.py --dev cmrc2018_dev.json   # with nearmiss.py's dev-* sets

The data is bench/nearmiss.py's: CMRC 2018 trial with every other context
indexed (the questions of the others have no answer in the index), entity
swaps, questions about people and places not in the seed article, nonsense
and off-topic questions, Chinese and English. Each of the top 5 hits of a
question is one row: its answer.Evidence (as the retriever gathered it) and
whether it answers the question. A logistic regression (Newton's method,
numpy; the news-like rows weighted, NEWS_LIKE_WEIGHT) of each calibration's
features is fitted on the fit part of its script's questions (Chinese:
CALIBRATION; English: LATIN_CALIBRATION) and scored on the held-out part
beside the shipped coefficients; the refits
are printed to be pasted into bot/answer.py. Nothing is chosen on the held-out
part. With `--dev PATH` the dev-* sets (CMRC 2018 dev, unseen articles) join both parts
and the held-out Brier is also shown for them alone. `--cv` compares feature sets by 5-fold
cross-validation on the fit part (grouped by question): how the features of each calibration
were chosen (the fits weighted as the refit is, the log loss not). `--weights` compares the weights
of the news-like rows (NEWS_LIKE_WEIGHT) so. `--offset NAME [NAME...]` fits only the Chinese weights
(with `--latin`, the English ones) of the named features, the others' kept as shipped (an offset
logistic regression, weighted as the refit is), and prints them with their CV log loss beside the
shipped ones': how `unwritten` was added without moving what was fitted before.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nearmiss  # noqa: E402
from bot import answer  # noqa: E402
from bot.evidence import section_person  # noqa: E402

CALIBRATIONS = {False: answer.CALIBRATION, True: answer.LATIN_CALIBRATION}   # by latin
L2 = 1e-2   # a little ridge: keeps Newton's method finite when a feature separates the fit part
# The hand-written news sets (look-alike municipal articles, like the seed and what users keep)
# are a few hundred questions beside thousands of CMRC ones; each of their rows weighs this
# much in the fit, so that the news-like domain is not drowned out by Wikipedia. Chosen by
# `--weights`: 5-fold CV log loss on the fit part, the mean of the two domains' (news-like,
# others); the smallest weight within 0.005 of the best (16 fit articles are few to lean on more).
# English rows are not weighted: the English refit at 3, which --weights would choose, called "Who
# went to Nantong town?"'s second answer 0.28 (before peers took the best answer's rank too) and,
# with `elsewhere` and `rarest`, answers English chit-chat on the CMRC index (0.77 -> 0.63 called so).
# Folds are drawn by question, so one article's questions fall in several folds; with 16 news-like
# articles that favours larger weights somewhat (hence the smaller weight within 0.005).
NEWS_LIKE = nearmiss.NEWS_LIKE
NEWS_LIKE_WEIGHT = {False: 10.0, True: 1.0}   # by latin


def features(weights: dict) -> tuple[str, ...]:
    return tuple(f for f in weights if f != "bias")


def rows(asked: list, latin: bool, names: tuple[str, ...]
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(features with a bias column, labels, part is fit, question id, set is dev-*, set is
    news-like) per hit of one script's questions.
    The question id is its place in `asked` (not id(): folds drawn from memory addresses differ
    from run to run)."""
    X, y, fit_part, qid, dev, news = [], [], [], [], [], []
    for i, a in enumerate(asked):
        if a.set.endswith("-lookalike") or a.set == "small":   # cmrc-split's questions (dev-split's), or
            continue        # the same asked of small folders: reported apart, not counted twice
        for h, label in zip(a.hits, a.labels()):
            if h.evidence.latin != latin:
                continue
            X.append([1.0] + [float(getattr(h.evidence, f)) for f in names])
            y.append(float(label))
            fit_part.append(a.part == "fit")
            qid.append(i)
            dev.append(a.set.startswith("dev-"))
            news.append(a.set in NEWS_LIKE)
    return np.array(X), np.array(y), np.array(fit_part), np.array(qid), np.array(dev), np.array(news)


def row_weights(news: np.ndarray, latin: bool, news_weight: float | None = None) -> np.ndarray:
    """Each row's weight in a fit: `news_weight` (default NEWS_LIKE_WEIGHT) for news-like rows, else 1."""
    return np.where(news, NEWS_LIKE_WEIGHT[latin] if news_weight is None else news_weight, 1.0)


def fit(X: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None, l2: float = L2,
        steps: int = 60, offset: np.ndarray | float = 0.0) -> np.ndarray:
    """Logistic regression by Newton's method; `weight`: each row's (default 1); `offset`: each row's
    logit before the fitted part (the weighted sum of features whose weights are kept)."""
    s = np.ones(len(y)) if weight is None else weight
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        p = logistic(X, w, offset)
        grad = X.T @ (s * (p - y)) + l2 * w
        hess = (X * (s * p * (1 - p))[:, None]).T @ X + l2 * np.eye(X.shape[1])
        w -= np.linalg.solve(hess, grad)
    return w


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (p >= lo) & (p < hi if hi < 1 else p <= hi)
        if m.any():
            total += m.sum() / len(p) * abs(p[m].mean() - y[m].mean())
    return total


def logistic(X: np.ndarray, w: np.ndarray, offset: np.ndarray | float = 0.0) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(X @ w + offset, -50, 50)))


def folds_by_question(qid: np.ndarray, folds: int) -> np.ndarray:
    """Each row's fold: questions shuffled (seed 0) and dealt out, so a question's hits share one."""
    questions = sorted(set(qid.tolist()))
    np.random.default_rng(0).shuffle(questions)
    fold_of = {q: i % folds for i, q in enumerate(questions)}
    return np.array([fold_of[q] for q in qid])


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def cross_validated(asked: list, latin: bool, names: tuple[str, ...], news_weight: float | None = None,
                    folds: int = 5) -> dict[str, float]:
    """Log loss (all rows, news-like rows, the others) and Brier of `names` by `folds`-fold
    cross-validation on the fit part, by question; news-like rows weigh `news_weight` in the fits
    (default NEWS_LIKE_WEIGHT)."""
    X, y, fit_part, qid, _, news = rows(asked, latin, names)
    X, y, qid, news = X[fit_part], y[fit_part], qid[fit_part], news[fit_part]
    weight = row_weights(news, latin, news_weight)
    fold = folds_by_question(qid, folds)
    p = np.zeros(len(y))
    for k in range(folds):
        p[fold == k] = logistic(X[fold == k], fit(X[fold != k], y[fold != k], weight[fold != k]))
    return {"all": log_loss(p, y), "news": log_loss(p[news], y[news]), "others": log_loss(p[~news], y[~news]),
            "brier": float(np.mean((p - y) ** 2))}


CANDIDATES = {   # feature sets compared by --cv (each calibration's shipped set among them)
    False: [("cosine", "coverage", "key", "novel"), ("cosine", "coverage", "key", "novel", "rank"),
            ("cosine", "coverage", "key", "novel", "matched"), ("cosine", "coverage", "rank"),
            ("cosine", "coverage", "key", "novel", "absent"), ("cosine", "coverage", "key", "absent"),
            ("cosine", "coverage", "key", "novel", "absent", "key_span"),
            ("cosine", "coverage", "key", "novel", "absent", "key_span", "rank"),
            ("cosine", "coverage", "key", "novel", "absent", "key_span", "elsewhere"),
            ("cosine", "coverage", "key", "novel", "absent", "key_span", "elsewhere", "title_only")],
    True: [("cosine", "coverage", "rank"), ("cosine", "coverage", "rank", "matched"),
           ("cosine", "coverage", "key", "rank", "matched"), ("cosine", "coverage", "key", "novel", "rank", "matched"),
           ("cosine", "coverage", "novel", "rank", "matched"),
           ("cosine", "coverage", "key", "rank", "matched", "absent"),
           ("cosine", "coverage", "key", "rank", "matched", "absent", "elsewhere"),
           ("cosine", "coverage", "key", "rank", "matched", "absent", "elsewhere", "rarest")],
}
WEIGHTS = (1.0, 3.0, 10.0, 30.0, 50.0)   # news-like row weights compared by --weights


def offset_fit(asked: list, added: tuple[str, ...], folds: int = 5, latin: bool = False
               ) -> tuple[dict[str, float], dict[str, float]]:
    """The weights of `added` in one script's calibration (`latin`: the English one), fitted with the
    other features' kept as shipped (their weighted sum an offset); and the CV log loss (news-like,
    others) of shipped alone and with them."""
    shipped = answer.LATIN_CALIBRATION if latin else answer.CALIBRATION
    kept = tuple(f for f in features(shipped) if f not in added)
    X, y, fit_part, qid, _, news = rows(asked, latin, kept + added)
    X, y, qid, news = X[fit_part], y[fit_part], qid[fit_part], news[fit_part]
    offset = X[:, :1 + len(kept)] @ np.array([shipped["bias"]] + [shipped[f] for f in kept])
    E, weight = X[:, 1 + len(kept):], row_weights(news, latin)
    fold = folds_by_question(qid, folds)
    p = np.zeros(len(y))
    for k in range(folds):
        train = fold != k
        p[~train] = logistic(E[~train], fit(E[train], y[train], weight[train], offset=offset[train]), offset[~train])
    p0 = logistic(E, np.zeros(E.shape[1]), offset)
    cv = {"shipped news-like": log_loss(p0[news], y[news]), "shipped others": log_loss(p0[~news], y[~news]),
          "with them news-like": log_loss(p[news], y[news]), "with them others": log_loss(p[~news], y[~news])}
    fitted = fit(E, y, weight, offset=offset)
    return dict(zip(added, (round(float(v), 3) for v in fitted))), cv


def main() -> None:
    asked = nearmiss.collect(dev=nearmiss.dev_path())
    if "--offset" in sys.argv:
        after = sys.argv[sys.argv.index("--offset") + 1:]
        added = tuple(after[:next((i for i, a in enumerate(after) if a.startswith("-")), len(after))])
        unknown = [f for f in added if f not in answer.Evidence.__dataclass_fields__]
        if not added or unknown:
            sys.exit(f"--offset needs features of answer.Evidence: {unknown or 'none given'}")
        weights, cv = offset_fit(asked, added, latin="--latin" in sys.argv)
        print(f"offset fit: {weights}\nCV log loss (shipped alone: in-sample): {cv}")
        return
    if "--cv" in sys.argv:
        # the mean of the two domains' log loss is what --weights weighs by; the pooled one is
        # mostly Wikipedia rows (CMRC), the other what users keep (news-like)
        print("| script | features | CV log loss | news-like | others | mean of the two | CV Brier |\n"
              "|---|---|---|---|---|---|---|")
        for latin, candidates in CANDIDATES.items():
            for names in candidates:
                cv = cross_validated(asked, latin, names)
                print(f"| {'en' if latin else 'zh'} | {', '.join(names)} | {cv['all']:.4f} | {cv['news']:.4f} "
                      f"| {cv['others']:.4f} | {(cv['news'] + cv['others']) / 2:.4f} | {cv['brier']:.4f} |")
        return
    if "--weights" in sys.argv:
        print("| script | news-like weight | CV log loss news-like | others | mean of the two |\n|---|---|---|---|---|")
        for latin, shipped in CALIBRATIONS.items():
            for weight in WEIGHTS:
                cv = cross_validated(asked, latin, features(shipped), weight)
                print(f"| {'en' if latin else 'zh'} | {weight:g} | {cv['news']:.4f} | {cv['others']:.4f} "
                      f"| {(cv['news'] + cv['others']) / 2:.4f} |")
        return
    refits = {}
    print("Held-out hits:\n\n| script | calibration | sets | hits | right | Brier | ECE |\n|---|---|---|---|---|---|---|")
    for latin, shipped in CALIBRATIONS.items():
        names = features(shipped)
        X, y, fit_part, _, dev, news = rows(asked, latin, names)
        w = fit(X[fit_part], y[fit_part], row_weights(news, latin)[fit_part])
        refits[latin] = dict(zip(("bias",) + names, (round(float(v), 3) for v in w)))
        for name, p in (("shipped", logistic(X, np.array([shipped["bias"]] + [shipped[f] for f in names]))),
                        ("refit", logistic(X, w))):
            for sets, held in (("all", ~fit_part), ("dev-*", ~fit_part & dev), ("others", ~fit_part & ~dev)):
                if held.any() and (sets == "all" or dev.any()):
                    print(f"| {'en' if latin else 'zh'} | {name} | {sets} | {held.sum()} | {int(y[held].sum())} "
                          f"| {np.mean((p[held] - y[held]) ** 2):.4f} | {ece(p[held], y[held]):.4f} |")
    print(f"\nrefit: CALIBRATION = {refits[False]}\nrefit: LATIN_CALIBRATION = {refits[True]}\n")
    # Bar rates with the refits, hit by hit as the retriever would mark them (the English
    # gibberish gate and several answers as answer.with_peers applies them).
    print(f"Refit, bar {answer.RELEVANT_AT}:\n")
    saved = dict(answer.CALIBRATION), dict(answer.LATIN_CALIBRATION)
    answer.CALIBRATION.update(refits[False])
    answer.LATIN_CALIBRATION.update(refits[True])
    confidence = {id(a): answer.with_peers([h.evidence for h in a.hits], [h.article for h in a.hits],
                                           people=[section_person(h.section) for h in a.hits]) for a in asked}
    answer.CALIBRATION.update(saved[0])
    answer.LATIN_CALIBRATION.update(saved[1])
    print(nearmiss.table(asked, lambda a, j: confidence[id(a)][j] >= answer.RELEVANT_AT,
                         parts=("fit", "held-out")))


if __name__ == "__main__":
    main()
