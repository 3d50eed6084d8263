"""Speed benchmark, part `cold`. Cold start: a new process that imports bot, opens the trial index
and answers one question.

    .venv/bin/python bench/speed_cold.py      # this part alone; rewrites the speed section
    .venv/bin/python bench/speed.py cold     # the same, through the entry point
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from speed_common import (main, ROOT, PY, now, say, trial_index, fmt)

PART = "cold"


COLD_SNIPPET = r"""
import time, sys
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
import bot
t_import = time.perf_counter()
r = bot.Retriever.load({index!r})
t_load = time.perf_counter()
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
hits = r.search("南通镇在哪里?", k=3) if {search} else []
t_answer = time.perf_counter()
import json
print(json.dumps({{"import_s": t_import - t0, "load_s": t_load - t_import, "first_search_s": t_answer - t_load,
                  "heavy_after_load": heavy, "answer": hits[0].answer[:40] if hits else ""}}))
"""


def run(args) -> dict:
    idx = trial_index()
    out = {"runs": [], "load_only": []}
    for search, key, reps in ((True, "runs", 3), (False, "load_only", 3)):
        for _ in range(reps):
            code = COLD_SNIPPET.format(root=str(ROOT), index=str(idx), search=search)
            t = now()
            p = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
            wall = now() - t
            row = json.loads(p.stdout.strip().splitlines()[-1]) | {"process_wall_s": wall}
            out[key].append(row)
    say(f"  cold start to first answer: {statistics.median(r['process_wall_s'] for r in out['runs']):.2f} s")
    # python -X importtime -c "import bot": cumulative microseconds of the top-level import
    p = subprocess.run([PY, "-X", "importtime", "-c", "import bot"], cwd=ROOT, capture_output=True, text=True)
    rows = [l.split("|") for l in p.stderr.splitlines() if l.startswith("import time:") and "|" in l]
    total = next((int(r[1]) for r in rows if r[2].strip() == "bot"), None)
    out["import_bot_us"] = total
    out["import_bot_modules"] = len(rows)
    out["import_bot_heavy"] = sorted({r[2].strip() for r in rows
                                      if r[2].strip().split(".")[0] in ("torch", "numpy", "faiss", "bm25s",
                                                                          "sentence_transformers", "jieba")})
    # Retriever.load of the trial index in-process, repeated (warm file cache), without the model
    code = ("import sys,time,json; sys.path.insert(0,%r); from bot import Retriever; Retriever.load(%r)\n"
            "ts=[]\nfor _ in range(5):\n t=time.perf_counter(); Retriever.load(%r); ts.append(time.perf_counter()-t)\n"
            "print(json.dumps({'load_s': sorted(ts)[2], 'torch_loaded': 'torch' in sys.modules}))") % (
        str(ROOT), str(idx), str(idx))
    p = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    out["warm_load"] = json.loads(p.stdout.strip().splitlines()[-1])
    return out


def report(c: dict, add) -> None:
    add("### Cold start\n")
    med = lambda rows, k: statistics.median(x[k] for x in rows)
    add("A new `python` process that imports `bot`, opens the trial index and answers one question "
        f"(median of {len(c['runs'])}; wall time measured by the parent from spawn to exit):\n")
    add("| step | seconds |")
    add("|---|---|")
    add(f"| process start -> first answer (wall) | {fmt(med(c['runs'], 'process_wall_s'), 2)} |")
    add(f"| `import bot` | {fmt(med(c['runs'], 'import_s'), 3)} |")
    add(f"| `Retriever.load` (cold process, no model) | {fmt(med(c['runs'], 'load_s'), 3)} |")
    add(f"| first `search` (loads the model, then answers) | {fmt(med(c['runs'], 'first_search_s'), 2)} |")
    add(f"| process start -> index open, no model (wall, median of {len(c['load_only'])}) | "
        f"{fmt(med(c['load_only'], 'process_wall_s'), 2)} |")
    add(f"| `Retriever.load` again in a warm process | {fmt(c['warm_load']['load_s'], 3)} |")
    heavy = sorted({h for r in c["runs"] for h in r["heavy_after_load"]})
    add(f"\nAfter `Retriever.load` the heavy modules loaded are: {', '.join(heavy) or 'none'} "
        "(torch / sentence-transformers load on the first search). "
        f"`python -X importtime -c \"import bot\"`: {fmt((c['import_bot_us'] or 0) / 1000, 1)} ms cumulative, "
        f"{c['import_bot_modules']} modules; heavy ones among them: {', '.join(c['import_bot_heavy']) or 'none'}.\n")


def summary(numbers: dict) -> list[tuple[str, str, str]]:
    """Rows of the targets table: (what, wanted, this run)."""
    rows = []
    c = numbers
    med = lambda rows_, k: statistics.median(x[k] for x in rows_)
    rows.append(("cold start to first answer", "measure", f"{fmt(med(c['runs'], 'process_wall_s'), 2)} s"))
    rows.append(("open an index without the model", "measure",
                 f"{fmt(med(c['runs'], 'load_s'), 3)} s in a new process (+ {fmt(med(c['runs'], 'import_s'), 2)} s `import bot`)"))
    return rows


WORKERS = {}


if __name__ == "__main__":
    main({PART: sys.modules[__name__]}, __doc__)
