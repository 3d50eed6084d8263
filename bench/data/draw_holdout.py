"""The draw behind cmrc_trial_en_holdout.jsonl, so the held-out set can be checked and redrawn.

    python bench/data/draw_holdout.py          # check that the file is the draw, in order
    python bench/data/draw_holdout.py --list   # the draw's Chinese questions, to translate

The draw: every non-empty CMRC 2018 trial question not in cmrc_trial_en.jsonl,
shuffled with random.Random(20261128), the first 150. The English was written
by hand from the Chinese (and its context, for pronouns) by someone who never saw
the bot's answers; no question was skipped.
"""

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CMRC = HERE.parent.parent.parent / "shared" / "eval" / "cmrc2018_trial.json"
SEED, SIZE = 20261128, 150


def draw() -> list[tuple[str, str, str]]:
    """(question id, context id, Chinese question) of the held-out draw, in order."""
    tuned = {json.loads(line)["id"] for line in (HERE / "cmrc_trial_en.jsonl").read_text(encoding="utf-8").splitlines()}
    data = json.loads(CMRC.read_text(encoding="utf-8"))["data"]
    pool = [(qa["id"], para["id"], qa["question"]) for article in data for para in article["paragraphs"]
            for qa in para["qas"] if qa["question"].strip() and qa["id"] not in tuned]
    random.Random(SEED).shuffle(pool)
    return pool[:SIZE]


def main() -> None:
    drawn = draw()
    if "--list" in sys.argv:
        for qid, _, question in drawn:
            print(qid, question)
        return
    rows = [json.loads(line) for line in (HERE / "cmrc_trial_en_holdout.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["context_id"], r["question_zh"]) for r in rows] == drawn, "the file is not the draw"
    print(f"ok: {len(rows)} questions, the draw of seed {SEED}")


if __name__ == "__main__":
    main()
