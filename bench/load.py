"""Concurrent load on the real chat app, through its API, on localhost.

Starts `app.py` on a free port with a copy of data/ (it builds its index first,
or uses --index), then runs N clients, each a gradio_client.Client in its own
thread asking M questions one after another through the `/ask` endpoint. The
questions are bench/data/seed_questions.jsonl, Chinese and English mixed, each
client starting at another place in the list.

Correct means: the answer under load is the one the app gives the same
question asked alone (same passages in the same order), and its hits include
the question's expected section (the person heading of the seed article) among
the top k. Questions the app does not answer right even alone are counted
apart: that is retrieval quality (bench/quality.py), not load.

    .venv/bin/python bench/load.py [--clients 20] [--questions 50] [--k 5] [--write]

--write puts the result between the `load` markers of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bench" / "data" / "seed_questions.jsonl"
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"

sys.path.insert(0, str(ROOT / "tests"))
from running_app import RunningApp  # noqa: E402  (the app started as the app tests start it)


def load_questions() -> list[dict]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    # interleave the languages so that every client asks both
    zh = [q for q in rows if q["lang"] == "zh"]
    en = [q for q in rows if q["lang"] != "zh"]
    mixed = [q for pair in zip(zh, en) for q in pair]
    return mixed + [q for q in zh[len(en):] + en[len(zh):]]


def signature(result: dict) -> list[tuple]:
    """What identifies an answer: the passages in order (scores may differ in the last bits)."""
    return [(h["doc_id"], h["position"], h["section"]) for h in result["hits"]]


def expected_found(question: dict, result: dict) -> bool:
    people = {(h["section"] or "").split(" ")[0] for h in result["hits"]}
    return bool(people & set(question["expected_sections"]))


def run_load(url: str, clients: int, per_client: int, k: int = 5, mode: str = "hybrid") -> dict:
    """`clients` concurrent API clients x `per_client` questions each, against the app at `url`."""
    from gradio_client import Client

    questions = load_questions()
    # each question once, alone: the answer every concurrent asker must get
    alone = Client(url, verbose=False)
    baseline = {}
    for q in questions:
        baseline[q["id"]] = alone.predict(question=q["question"], k=k, mode=mode, api_name="/ask")
    right_alone = {q["id"] for q in questions if expected_found(q, baseline[q["id"]])}

    records: list[dict] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def client_thread(c: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as e:        # noqa: BLE001 - counted as an error, reported below
            client, error = None, f"connect: {type(e).__name__}: {e}"
        start_gate.wait()
        for i in range(per_client):
            q = questions[(c * 7 + i) % len(questions)]
            started = time.perf_counter()
            row = {"client": c, "id": q["id"], "lang": q["lang"]}
            try:
                if client is None:
                    raise RuntimeError(error)
                result = client.predict(question=q["question"], k=k, mode=mode, api_name="/ask")
                row["same"] = signature(result) == signature(baseline[q["id"]])
                row["found"] = expected_found(q, result)
            except Exception as e:    # noqa: BLE001
                row["error"] = f"{type(e).__name__}: {e}"[:300]
            row["seconds"] = time.perf_counter() - started
            with lock:
                records.append(row)

    threads = [threading.Thread(target=client_thread, args=(c,), daemon=True) for c in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started

    ok = [r for r in records if "error" not in r]
    latencies = sorted(r["seconds"] for r in ok)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    return {
        "clients": clients, "per_client": per_client, "asked": len(records), "k": k, "mode": mode,
        "errors": [r["error"] for r in records if "error" in r],
        "differ_from_alone": sum(1 for r in ok if not r["same"]),
        "expected_in_top_k": sum(1 for r in ok if r["found"]),
        "answerable": sum(1 for r in ok if r["id"] in right_alone),
        "wrong_under_load": sum(1 for r in ok if r["id"] in right_alone and not r["found"]),
        "zh": sum(1 for r in records if r["lang"] == "zh"),
        "en": sum(1 for r in records if r["lang"] != "zh"),
        "distinct_questions": len({r["id"] for r in records}),
        "right_alone": f"{len(right_alone)}/{len(questions)}",
        "not_right_alone": sorted(set(baseline) - right_alone),
        "seconds": wall, "throughput": len(ok) / wall if wall else 0.0,
        "p50": pct(0.50), "p95": pct(0.95), "max": latencies[-1] if latencies else float("nan"),
    }


def report(r: dict, command: str, machine: str) -> str:
    ok = not r["errors"] and not r["differ_from_alone"] and not r["wrong_under_load"]
    return "\n".join([
        "## Concurrent load (`bench/load.py`)",
        "",
        f"Command: `{command}` — the real `app.py` on 127.0.0.1 (default model, the shipped "
        f"data/, index built at start), {r['clients']} gradio_client clients in parallel, "
        f"{r['per_client']} questions each through `/ask` (k={r['k']}, {r['mode']}), "
        f"{r['zh']} Chinese and {r['en']} English askings of {r['distinct_questions']} of the "
        f"{r['right_alone'].split('/')[1]} questions of bench/data/seed_questions.jsonl. {machine}.",
        "",
        "| clients x questions | asked | errors | answers differing from the same question asked alone "
        "| expected section in top k | throughput (questions/s) | p50 s | p95 s | max s |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {r['clients']} x {r['per_client']} | {r['asked']} | {len(r['errors'])} | "
        f"{r['differ_from_alone']} | {r['expected_in_top_k']}/{r['asked']} | "
        f"{r['throughput']:.1f} | {r['p50']:.2f} | {r['p95']:.2f} | {r['max']:.2f} |",
        "",
        f"{'Held' if ok else 'NOT held'}: every answer under load is the one the question gets asked "
        f"alone{'' if ok else ' — see the counts above'}. Asked alone, {r['right_alone']} seed questions "
        f"have their expected section in the top {r['k']}"
        + (f" (not: {', '.join(r['not_right_alone'])} — retrieval quality, see the quality section)"
           if r["not_right_alone"] else "")
        + f"; under load {r['wrong_under_load']} of the {r['answerable']} askings of those lost it. "
        "Latency is per question as a client sees it, queueing included (the app runs at most 4 "
        "searches at once); the figures move with other load on the machine.",
    ])


def write_section(text: str) -> None:
    """Replace what is between the load markers of RESULTS.md (adding them at the end if missing)."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        RESULTS.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")
    else:
        sep = "" if current.endswith("\n") or not current else "\n"
        RESULTS.write_text(f"{current}{sep}\n{BEGIN}\n{text}\n{END}\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--questions", type=int, default=50, help="questions per client")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--mode", default="hybrid")
    ap.add_argument("--data", default=str(ROOT / "data"))
    ap.add_argument("--index", help="an index folder to serve (default: a fresh one, built at start)")
    ap.add_argument("--url", help="an app already running (nothing is started)")
    ap.add_argument("--write", action="store_true", help="record the result in bench/RESULTS.md")
    args = ap.parse_args(argv)

    app = None
    tmp = Path(tempfile.mkdtemp(prefix="qabot-load-"))
    try:
        url = args.url
        if not url:
            shutil.copytree(args.data, tmp / "data")
            started = time.perf_counter()
            app = RunningApp(tmp / "data", Path(args.index) if args.index else tmp / "index", tmp / "app.log",
                             timeout=900)
            print(f"app up on {app.url} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
            url = app.url
        result = run_load(url, args.clients, args.questions, args.k, args.mode)
    finally:
        if app:
            app.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({k: v for k, v in result.items()}, ensure_ascii=False, indent=1))
    command = "python bench/load.py " + " ".join(
        a for a in (argv if argv is not None else sys.argv[1:]) if a != "--write")
    machine = f"{os.cpu_count()} CPU cores, shared with other work while measured"
    text = report(result, " ".join(command.split()), machine)
    print(text)
    if args.write:
        write_section(text)
    held = not result["errors"] and not result["differ_from_alone"] and not result["wrong_under_load"]
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
