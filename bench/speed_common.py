"""What every part of the speed benchmark shares: paths, timing helpers, the trial
index and its questions, subprocess workers, and the driver that runs parts, keeps
their numbers in bench/out/speed/results.json and rewrites the speed section of
bench/RESULTS.md (see bench/speed.py for the parts and the commands).

A part is a module bench/speed_<part>.py with `PART` (its name), `run(args) -> dict`
(measure; the dict goes to results.json), `report(numbers, add)` (its Markdown),
`summary(numbers) -> rows` (its lines in the targets table) and `WORKERS` (functions
that run in a fresh process: `run_worker(__file__, name, ...)`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# a --smoke run keeps its own data (and the trial index's cache) apart from real runs
OUT = BENCH / "out" / ("speed-smoke" if os.environ.get("SPEED_SMOKE") or "--smoke" in sys.argv else "speed")
RESULTS = OUT / "results.json"
TRIAL_INDEX = BENCH / "out" / "speed" / "cmrc-index"
REPORT = BENCH / "RESULTS.md"     # only the text between these markers is ours
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"
PY = sys.executable
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

DIM = 384


# ---------------------------------------------------------------- small helpers

def now() -> float:
    return time.perf_counter()


def pct(values, q: float) -> float:
    """Percentile q (0..100) of `values`, nearest-rank."""
    v = sorted(values)
    if not v:
        return float("nan")
    return v[min(len(v) - 1, max(0, int(round(q / 100 * len(v) + 0.5)) - 1))]


def ms_stats(seconds: list[float]) -> dict:
    return {"n": len(seconds), "p50_ms": 1000 * pct(seconds, 50), "p95_ms": 1000 * pct(seconds, 95),
            "mean_ms": 1000 * statistics.fmean(seconds)}


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec,
    so a worker would report its parent's peak when that was higher."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def dir_size(path: Path) -> int:
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_worker(script: str, name: str, *args, env: dict | None = None, timeout: float = 1800) -> dict:
    """Run `script --worker name args` (a part's module) in a fresh process; it prints one
    JSON line last."""
    cmd = [PY, str(Path(script).resolve()), "--worker", name, *map(str, args)]
    t = now()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **(env or {})})
    wall = now() - t
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-3000:] + p.stderr[-5000:])
        raise RuntimeError(f"worker {name} {args} failed with exit code {p.returncode}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out.setdefault("wall_s", wall)
    return out


def say(msg: str) -> None:
    print(f"[speed {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def emit(obj: dict) -> None:
    obj["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(obj), flush=True)


# ---------------------------------------------------------------- the trial index

def trial_index() -> Path:
    """bench/out/speed/cmrc-index: the CMRC 2018 trial corpus built with the real model
    (incremental: nothing is redone when it is up to date)."""
    from quality import OUT as QUALITY_OUT, cmrc_index
    # a first build embeds ~3,900 texts (minutes): start from the vectors quality.py's
    # index of the same corpus already holds (same model, same texts), if it has them
    theirs = QUALITY_OUT / "cmrc-index" / "embeddings.sqlite"
    mine = TRIAL_INDEX / "embeddings.sqlite"
    if not mine.exists() and theirs.exists():
        import sqlite3
        TRIAL_INDEX.mkdir(parents=True, exist_ok=True)
        src, dst = sqlite3.connect(theirs), sqlite3.connect(mine)
        with dst:
            src.backup(dst)     # consistent copy even while quality.py writes to it
        src.close()
        dst.close()
    return cmrc_index(TRIAL_INDEX)


def trial_texts(index_dir: Path) -> list[str]:
    from bot import Retriever
    from bot.passages import embedding_text
    return [embedding_text(p) for p in Retriever.load(index_dir).passages]


def trial_questions() -> tuple[list[str], list[str]]:
    """(Chinese questions, English questions) of the trial set."""
    from quality import EN, cmrc_corpus
    _, qs = cmrc_corpus()
    zh = [q["question"] for q in qs]
    en = [json.loads(l)["question_en"] for l in EN.read_text(encoding="utf-8").splitlines() if l.strip()] \
        if EN.exists() else []
    return zh, en




# ---------------------------------------------------------------- report helpers

def fmt(x, nd=1) -> str:
    if x is None:
        return "–"
    if isinstance(x, float) and x != x:
        return "–"
    return f"{x:,.{nd}f}"


def mb(b) -> str:
    return f"{b / 2**20:,.1f} MB"



def fmt_load(la) -> str:
    return " / ".join(f"{x:.2f}" for x in la)


def write_blocks(blocks: dict[str, str]) -> None:
    """Put each text of `blocks` between its own markers, `<!-- speed:NAME:begin -->` and
    `<!-- speed:NAME:end -->`, inside the speed section of bench/RESULTS.md (a new block
    goes at the section's end; the section is appended to the file when missing). Other
    blocks, and everything outside the section, stay as they are: a part run alone
    rewrites only its own block. Other benchmarks write the rest of the file, maybe at
    the same time: read, replace only our blocks, and swap the file in with one rename."""
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    if not (0 <= text.find(BEGIN) < text.find(END)):
        text += ("" if not text or text.endswith("\n") else "\n") + f"\n{BEGIN}\n{END}\n"
    for name, body in blocks.items():
        b, e = f"<!-- speed:{name}:begin -->", f"<!-- speed:{name}:end -->"
        block = f"{b}\n{body.rstrip()}\n{e}"
        i, j = text.find(b), text.find(e)
        if 0 <= i < j:
            text = text[:i] + block + text[j + len(e):]
        else:
            k = text.find(END)
            text = text[:k] + block + "\n\n" + text[k:]
    tmp = REPORT.with_name(f".{REPORT.name}.speed-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, REPORT)


# ---------------------------------------------------------------- the driver

def main(parts: dict, description: str) -> None:
    """Command line of bench/speed.py and of each part's module: `parts` maps part names
    to their modules (in the order they run)."""
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        name, args = sys.argv[2], sys.argv[3:]
        workers = {w: fn for module in parts.values() for w, fn in module.WORKERS.items()}
        workers[name](*args)
        return
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    if len(parts) > 1:
        ap.add_argument("parts", nargs="*", help=f"any of {', '.join(parts)}, or report (default: all)")
    for module in parts.values():
        for flag, kwargs in getattr(module, "OPTIONS", {}).items():
            ap.add_argument(flag, **kwargs)
    ap.add_argument("--smoke", action="store_true",
                    help="a quick check that every part runs (tiny sizes); "
                         "numbers go to bench/out/speed-smoke, not to RESULTS.md")
    args = ap.parse_args()
    if args.smoke:
        os.environ["SPEED_SMOKE"] = "1"
    chosen = getattr(args, "parts", None) or list(parts)
    bad = set(chosen) - set(parts) - {"report"}
    if bad:
        ap.error(f"unknown part(s): {', '.join(sorted(bad))}")
    if not args.smoke:   # the report draws plots: say so now, not after ten minutes of measuring
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            ap.error('the report needs matplotlib: .venv/bin/pip install -e ".[bench]"')
    OUT.mkdir(parents=True, exist_ok=True)
    res = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    started = now()
    res.setdefault("machine", {})
    res["machine"].update({"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform(), "processor": _cpu_name()})
    command = " ".join([".venv/bin/python", os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])
    say(command)
    for part in chosen:
        if part == "report":
            continue
        say(f"part {part} (load average {load_avg()})")
        t = now()
        la = load_avg()
        value = parts[part].run(args)
        value["_meta"] = {"seconds": now() - t, "load_before": la, "load_after": load_avg(),
                          "when": time.strftime("%Y-%m-%d %H:%M:%S"), "command": command}
        res[part] = value
        RESULTS.write_text(json.dumps(res, indent=1, ensure_ascii=False))
        say(f"part {part} done in {now() - t:.0f} s")
    if set(chosen) - {"report"}:
        res["last_run"] = {"parts": chosen, "seconds": now() - started, "command": command,
                           "load_after": load_avg(), "when": time.strftime("%Y-%m-%d %H:%M:%S")}
        RESULTS.write_text(json.dumps(res, indent=1, ensure_ascii=False))
    if args.smoke:
        say(f"smoke run done in {now() - started:.0f} s; results in {RESULTS}")
        return
    import speed_report
    speed_report.write_report(res, [p for p in chosen if p in res] if "report" not in chosen else list(res))
    say(f"wrote {REPORT.relative_to(ROOT)} and plots; total {now() - started:.0f} s")


def _cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()
