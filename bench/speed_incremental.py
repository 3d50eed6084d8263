"""Speed benchmark, part `incremental`. Incremental rebuild: the trial corpus as one file per article;
an unchanged rebuild; one article changed.

    .venv/bin/python bench/speed_incremental.py      # this part alone; rewrites the speed section
    .venv/bin/python bench/speed.py incremental     # the same, through the entry point
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys

from speed_common import (main, ROOT, OUT, PY, now, say, trial_index, fmt)

PART = "incremental"


def run(args) -> dict:
    """One .jsonl file per CMRC context (same documents as the trial index, so its
    embedding cache can seed this one); rebuild unchanged; change one article."""
    from bot import build_index
    from quality import cmrc_corpus
    work = OUT / "incremental"
    shutil.rmtree(work, ignore_errors=True)
    data, index = work / "data", work / "index"
    data.mkdir(parents=True)
    docs, _ = cmrc_corpus()
    for d in docs:
        (data / f"{d['id']}.jsonl").write_text(json.dumps(d, ensure_ascii=False) + "\n", encoding="utf-8")
    # seed the embedding cache from the trial index: same texts, same model
    index.mkdir()
    trial = trial_index()
    shutil.copy(trial / "embeddings.sqlite", index / "embeddings.sqlite")
    t = now()
    first = build_index([data], index_dir=index)
    first_s = now() - t
    say(f"  incremental first build: {first.summary().splitlines()[0]}")
    out = {"files": len(docs), "first": _report(first, first_s)}
    # unchanged rebuild (in a fresh process too: that is what `qabot build` costs)
    times = []
    for _ in range(3):
        t = now()
        rep = build_index([data], index_dir=index)
        times.append(now() - t)
        assert rep.up_to_date, rep.summary()
    out["unchanged_in_process_s"] = statistics.median(times)
    code = ("import sys,time,json; t=time.perf_counter(); sys.path.insert(0,%r); from bot import build_index\n"
            "r=build_index([%r], index_dir=%r)\nprint(json.dumps({'s': time.perf_counter()-t, 'up_to_date': r.up_to_date,"
            " 'torch': 'torch' in sys.modules}))") % (str(ROOT), str(data), str(index))
    p = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    out["unchanged_fresh_process"] = json.loads(p.stdout.strip().splitlines()[-1])
    # change one article: a sentence added to the end of its text
    from bot import Retriever
    before = Retriever.load(index)
    victim = docs[len(docs) // 2]
    old_texts = _texts_of(before, victim["id"])
    changed = dict(victim, text=victim["text"] + "这一段是基准测试添加的句子。")
    (data / f"{victim['id']}.jsonl").write_text(json.dumps(changed, ensure_ascii=False) + "\n", encoding="utf-8")
    t = now()
    rep = build_index([data], index_dir=index)
    dt = now() - t
    after = Retriever.load(index)
    new_texts = _texts_of(after, victim["id"])
    all_before = {t for p in before.passages for t in _texts_of_passage(p)}
    out["one_changed"] = _report(rep, dt) | {
        "article": victim["id"],
        "article_texts": len(new_texts),
        "article_passages": sum(1 for p in after.passages if p.doc_id == victim["id"]),
        "expected_new_texts": len(set(new_texts) - all_before),
        "old_article_texts": len(old_texts)}
    say(f"  incremental one article: {rep.summary().splitlines()[0]}")
    return out


def _texts_of_passage(p) -> list[str]:
    from bot.passages import embedding_text
    return [embedding_text(p)] + [p.text[s:e] for s, e in p.sentences]


def _texts_of(retriever, doc_id: str) -> list[str]:
    return [t for p in retriever.passages if p.doc_id == doc_id for t in _texts_of_passage(p)]


def _report(rep, wall: float) -> dict:
    return {"seconds": wall, "up_to_date": rep.up_to_date, "embedded": rep.embedded, "reused": rep.reused,
            "passages": rep.passages, "sentences": rep.sentences, "changed": len(rep.changed),
            "added": len(rep.added)}


def report(i: dict, add) -> None:
    add("### Incremental rebuild\n")
    f, o = i["first"], i["one_changed"]
    add(f"The trial corpus as {i['files']} separate files (one `.jsonl` per CMRC context, so its texts "
        "equal the trial index's and that index's embedding cache can seed this one):\n")
    add("| build | seconds | embedded | reused | passages | sentences |")
    add("|---|---|---|---|---|---|")
    add(f"| first build (cache seeded) | {fmt(f['seconds'], 2)} | {f['embedded']} | {f['reused']} | {f['passages']} | {f['sentences']} |")
    add(f"| unchanged, same process (median of 3) | {fmt(i['unchanged_in_process_s'], 3)} | 0 | – | | |")
    add(f"| unchanged, fresh `python` process (incl. imports) | {fmt(i['unchanged_fresh_process']['s'], 2)} | 0 | – | | |")
    add(f"| one article changed | {fmt(o['seconds'], 2)} | {o['embedded']} | {o['reused']} | {o['passages']} | {o['sentences']} |")
    add(f"\nThe changed article ({o['article']}) has {o['article_passages']} passages and "
        f"{o['article_texts']} texts to embed (passages + sentences); {o['expected_new_texts']} of them "
        f"were not in the index before (the edited passage and the added sentence), and the build "
        f"embedded exactly {o['embedded']}: everything else, including the article's unchanged "
        "sentences, came from the cache. An unchanged rebuild does not load the model "
        f"(torch imported: {i['unchanged_fresh_process'].get('torch')}).\n")


def summary(numbers: dict) -> list[tuple[str, str, str]]:
    """Rows of the targets table: (what, wanted, this run)."""
    rows = []
    i = numbers
    u = i["unchanged_fresh_process"]["s"]
    o = i["one_changed"]
    rows.append(("unchanged rebuild", "< 2 s", f"{fmt(i['unchanged_in_process_s'], 3)} s in process, "
                 f"{fmt(u, 2)} s as a new process ({'met' if u < 2 else 'missed'})"))
    rows.append(("one article changed", "re-embeds only its passages",
                 f"embedded {o['embedded']} texts = the {o['expected_new_texts']} new ones of that article "
                 f"({o['article_passages']} passages); {o['reused']} reused"))
    return rows


WORKERS = {}


if __name__ == "__main__":
    main({PART: sys.modules[__name__]}, __doc__)
