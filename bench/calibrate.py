"""Fit the confidence calibration (bot/answer.py CALIBRATION) on look-alike data.

    python bench/calibrate.py

The data is bench/nearmiss.py's: CMRC 2018 trial with every other context
indexed (the questions of the others have no answer in the index), entity
swaps, questions about people and places not in the seed article, nonsense
and off-topic questions, Chinese and English. Each of the top 5 hits of a
question is one row: its answer.Evidence (as the retriever gathered it) and
whether it answers the question. A plain logistic regression (Newton's
method, numpy) of the Chinese calibration (bot/answer.py CALIBRATION) is
fitted on the Chinese questions of the fit part only and scored on the
held-out part, beside the shipped coefficients; the refit is printed to be
pasted into bot/answer.py. English questions keep their previous calibration
(LATIN_CALIBRATION) and are scored as shipped. Nothing is chosen on the held-out part.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nearmiss  # noqa: E402
from bot import answer  # noqa: E402

FEATURES = tuple(f for f in answer.CALIBRATION if f != "bias")
L2 = 1e-2   # a little ridge: keeps Newton's method finite when a feature separates the fit part


def rows(asked: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(features with a bias column, labels, part is fit, question is Latin-script) per hit."""
    X, y, fit_part, latin = [], [], [], []
    for a in asked:
        if a.set == "cmrc-lookalike":   # a subset of cmrc-split, reported apart: not counted twice
            continue
        for h, label in zip(a.hits, a.labels()):
            X.append([1.0] + [float(getattr(h.evidence, f)) for f in FEATURES])
            y.append(float(label))
            fit_part.append(a.part == "fit")
            latin.append(h.evidence.latin)
    return np.array(X), np.array(y), np.array(fit_part), np.array(latin)


def fit(X: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 60) -> np.ndarray:
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-X @ w))
        grad = X.T @ (p - y) + l2 * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + l2 * np.eye(X.shape[1])
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


def scores(name: str, p: np.ndarray, y: np.ndarray, held: np.ndarray, latin: np.ndarray) -> None:
    for lang, m in (("zh", held & ~latin), ("en", held & latin)):
        print(f"| {name} | {lang} | {m.sum()} | {int(y[m].sum())} | {np.mean((p[m] - y[m]) ** 2):.4f} "
              f"| {ece(p[m], y[m]):.4f} |")


def main() -> None:
    asked = nearmiss.collect()
    X, y, fit_part, latin = rows(asked)
    w = fit(X[fit_part & ~latin], y[fit_part & ~latin])
    refit = {f: round(float(v), 3) for f, v in zip(("bias",) + FEATURES, w)}
    shipped = np.array([h.confidence for a in asked if a.set != "cmrc-lookalike" for h in a.hits])
    p = np.where(latin, shipped, 1 / (1 + np.exp(-X @ w)))   # English: as shipped
    zh_fit = fit_part & ~latin
    print(f"fit part, Chinese questions: {zh_fit.sum()} hits, {int(y[zh_fit].sum())} right\n")
    print("Held-out hits:\n\n| calibration | questions | hits | right | Brier | ECE |\n|---|---|---|---|---|---|")
    scores("shipped", shipped, y, ~fit_part, latin)
    scores("refit", p, y, ~fit_part, latin)
    print(f"\nrefit: CALIBRATION = {refit}\n")
    # Bar rates with the refit, hit by hit as the retriever would mark them.
    confidence = {(id(a), j): h.confidence if h.evidence.latin else
                  1 / (1 + np.exp(-w @ np.array([1.0] + [float(getattr(h.evidence, f)) for f in FEATURES])))
                  for a in asked for j, h in enumerate(a.hits)}
    print(f"Refit, bar {answer.RELEVANT_AT}:\n")
    print(nearmiss.table(asked, lambda a, j: confidence[(id(a), j)] >= answer.RELEVANT_AT,
                         parts=("fit", "held-out")))


if __name__ == "__main__":
    main()
