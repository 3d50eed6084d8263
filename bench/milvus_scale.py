"""Milvus Lite by size, beside FAISS, on synthetic 384-d vectors (the dense side only).

    nice python bench/milvus_scale.py --sizes 100000 300000 1000000 > bench/out/milvus_scale.md
    nice python bench/milvus_scale.py --sizes 300000 1000000 --hnsw-max 100000 --questions 100

For each size: the same unit vectors (clustered Gaussian, deterministic) go into
a Milvus Lite file, inserted in batches of 1,000 as qabot's build does, then
flushed, indexed and loaded (insert s, index+load s); questions are 200 fresh
points of the same clusters, searched one at a time for 50 neighbours (p50/p95 ms)
with FLAT (exact) and IVF_FLAT (nlist 1024, nprobe 32: Lite has no HNSW), recall@10
against exact search. Memory is the Lite engine process's resident set after
loading (and its peak), and the .db folder on disk. FAISS runs the same vectors in
this process: flat always, HNSW (qabot's parameters) up to --hnsw-max.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import dense, milvus  # noqa: E402

DIM = 384
QUESTIONS = 200
K = 50


def synth(n: int, q: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n index vectors and q questions from n/500 clusters, unit length."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(20, n // 500), DIM), dtype=np.float32)

    def draw(m):
        x = centres[rng.integers(0, len(centres), m)] + 0.7 * rng.standard_normal((m, DIM), dtype=np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)
    return np.concatenate([draw(min(100_000, n - i)) for i in range(0, n, 100_000)]), draw(q)


def engine_memory(db: Path) -> tuple[float, float]:
    """(resident, peak) MB of the Lite engine process serving `db`."""
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(db) in (proc / "cmdline").read_text():
                status = dict(line.split(":", 1) for line in (proc / "status").read_text().splitlines())
                return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024
        except (OSError, ValueError, KeyError):
            pass
    return float("nan"), float("nan")


def timed_queries(search, questions) -> tuple[list[np.ndarray], float, float]:
    found, times = [], []
    for q in questions:
        t = time.perf_counter()
        found.append(search(q))
        times.append(time.perf_counter() - t)
    times.sort()
    return found, 1000 * times[len(times) // 2], 1000 * times[int(len(times) * 0.95)]


def recall(found, truth, k=10) -> float:
    return float(np.mean([len(set(f[:k].tolist()) & set(t[:k].tolist())) / k for f, t in zip(found, truth)]))


def du(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def run(n: int, hnsw_max: int, n_questions: int = QUESTIONS) -> list[str]:
    vectors, questions = synth(n, n_questions)
    rows = []
    # FAISS, in this process
    t = time.perf_counter()
    flat = dense.DenseIndex.index_vectors(vectors, kind="flat")
    flat_build = time.perf_counter() - t
    truth, p50, p95 = timed_queries(lambda q: flat.search(q, K)[0], questions)
    rows.append(f"| {n:,} | FAISS flat | {flat_build:.1f} | – | {p50:.2f} / {p95:.2f} | 1.000 | "
                f"{vectors.nbytes / 2**20:,.0f} (vectors) | – |")
    if n <= hnsw_max:
        t = time.perf_counter()
        hnsw = dense.DenseIndex.index_vectors(vectors, kind="hnsw")
        build = time.perf_counter() - t
        found, p50, p95 = timed_queries(lambda q: hnsw.search(q, K)[0], questions)
        with tempfile.TemporaryDirectory() as d:
            hnsw.save(Path(d) / "h.faiss")
            size = (Path(d) / "h.faiss").stat().st_size / 2**20
        rows.append(f"| {n:,} | FAISS HNSW | {build:.1f} | – | {p50:.2f} / {p95:.2f} | "
                    f"{recall(found, truth):.3f} | {size:,.0f} (file) | – |")
        del hnsw
    del flat

    # Milvus Lite, its engine in its own process
    from pymilvus import DataType

    folder = Path(tempfile.mkdtemp(prefix="milvus-scale-", dir=os.environ.get("SCALE_TMP")))
    db = folder / "scale.db"
    client = milvus.connect(str(db))
    try:
        schema = client.create_schema(auto_id=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=DIM)
        params = client.prepare_index_params()
        params.add_index("dense", index_type="FLAT", metric_type="IP")
        client.create_collection("v", schema=schema, index_params=params)
        t = time.perf_counter()
        for i in range(0, n, milvus.BATCH):
            client.insert("v", [{"id": j, "dense": vectors[j].tolist()} for j in range(i, min(n, i + milvus.BATCH))])
        insert = time.perf_counter() - t
        for kind, index_params, search_params in (
                ("FLAT", {}, {}),
                ("IVF_FLAT", {"nlist": milvus.IVF_NLIST}, {"nprobe": milvus.IVF_NPROBE})):
            t = time.perf_counter()
            if kind != "FLAT":
                client.release_collection("v")
                client.drop_index("v", "dense")
                params = client.prepare_index_params()
                params.add_index("dense", index_type=kind, metric_type="IP", params=index_params)
                client.create_index("v", params)
            client.flush("v")
            client.load_collection("v")
            ready = time.perf_counter() - t

            def search(q):
                hits = client.search("v", data=[q.tolist()], anns_field="dense", limit=K,
                                     search_params={"metric_type": "IP", "params": search_params},
                                     output_fields=["id"])[0]
                return np.array([h["id"] for h in hits])
            found, p50, p95 = timed_queries(search, questions)
            rss, peak = engine_memory(db)
            rows.append(f"| {n:,} | Milvus Lite {kind} | {insert:.1f} | {ready:.1f} | {p50:.2f} / {p95:.2f} | "
                        f"{recall(found, truth):.3f} | {rss:,.0f} (engine RSS; peak {peak:,.0f}) | {du(folder):,.0f} |")
            insert = 0.0   # inserted once, indexed twice
    finally:
        milvus.close_all()
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", type=int, default=[100_000, 300_000, 1_000_000])
    ap.add_argument("--hnsw-max", type=int, default=300_000)
    ap.add_argument("--questions", type=int, default=QUESTIONS)
    args = ap.parse_args()
    print(f"started {time.strftime('%Y-%m-%d %H:%M:%S')}, load {os.getloadavg()[0]:.1f} "
          f"(2 cores shared with other jobs)\n")
    print("| vectors | engine | insert / build s | index + load s | search k=50 p50 / p95 ms | "
          "recall@10 | memory MB | on disk MB |")
    print("|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for row in run(n, args.hnsw_max, args.questions):
            print(row, flush=True)
        print(f"<!-- {n:,} done {time.strftime('%H:%M:%S')}, load {os.getloadavg()[0]:.1f} -->", flush=True)


if __name__ == "__main__":
    main()
