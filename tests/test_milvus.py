"""The Milvus backend (Milvus Lite, embedded or served): same ranking, growth, atomic rebuilds, sharing.

Retrieval claims use the real default model; plumbing (kills, sharing, BM25
arithmetic) uses the tiny deterministic model, whose vectors are meaningless
but whose lexical side is qabot's own.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bot import Retriever, build_index, milvus, pinyin, segment, store
from running_app import free_port

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "000_e7b07c6adf354492.txt"
ENV = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
           PYTHONWARNINGS="ignore")

NAMES = "王伟 李娜 张敏 刘洋 陈静 杨磊 黄艳 赵军 吴杰 周涛".split()
PLACES = "鼓楼区 台江区 仓山区 晋安区 马尾区 长乐区 闽侯县 连江县".split()
DEEDS = ["组织志愿者上门服务", "协调物资运输", "开展核酸检测", "走访困难家庭", "检查工地安全", "维修供水管道"]


def write_articles(folder: Path, start: int, count: int, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        paragraphs = ["".join(f"{rng.choice(NAMES)}同志在{rng.choice(PLACES)}{rng.choice(DEEDS)},"
                              f"连续工作{rng.randint(2, 30)}天。" for _ in range(rng.randint(1, 4)))
                      for _ in range(rng.randint(2, 4))]
        (folder / f"brief_{n:02d}.txt").write_text(
            f"第{n}号工作简报\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


QUESTIONS = ["李娜在哪里开展核酸检测?", "谁维修供水管道", "鼓楼区 走访困难家庭", "Who went to Nantong town?",
             "Zou You", "王伟 连续工作", "南通镇"]


def lexical_scores(r: Retriever, channel: str, terms: list[str]) -> dict[int, float]:
    found = r.lexical.search(channel, terms, 1000)
    return dict(zip(found.ids.tolist(), found.scores.tolist()))


def assert_same_bm25(a: Retriever, b: Retriever) -> None:
    """Every channel's BM25 scores and evidence agree for every question."""
    for q in QUESTIONS:
        queries = {"words": segment.words(q), "pinyin": pinyin.latin_query_terms(q),
                   "gloss": segment.english_terms(q)}
        for channel, terms in queries.items():
            sa, sb = lexical_scores(a, channel, terms), lexical_scores(b, channel, terms)
            assert sa.keys() == sb.keys(), (q, channel)
            for pid in sa:
                assert sa[pid] == pytest.approx(sb[pid], rel=1e-5), (q, channel, pid)
            if terms:
                known = [t for t in dict.fromkeys(terms) if t in a.lexical.df[channel]]
                if known:
                    assert a.lexical.evidence(channel, terms, known) == \
                        pytest.approx(b.lexical.evidence(channel, terms, known))


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "articles"
    write_articles(folder, 0, 6, seed=1)
    shutil.copy(SEED, folder / SEED.name)
    return folder


def test_sparse_vectors_reproduce_bm25s_and_stay_right_as_articles_are_added(corpus, tmp_path, tiny_model):
    local, remote = tmp_path / "faiss", tmp_path / "milvus"
    build_index([corpus], local, model=str(tiny_model))
    first = build_index([corpus], remote, model=str(tiny_model), backend="milvus")
    a, b = Retriever.load(local), Retriever.load(remote)
    assert b.manifest["backend"] == "milvus" and "milvus.db" in os.listdir(remote)
    assert len(b.passages) == len(a.passages) and [p.text for p in b.passages] == [p.text for p in a.passages]
    assert_same_bm25(a, b)
    for q in QUESTIONS[:3]:     # a scoped question ranks within its scope on both
        want = [h.passage_id for h in a.search(q, k=3, sources=["brief_01.txt", "brief_02.txt"])]
        assert [h.passage_id for h in b.search(q, k=3, sources=["brief_01.txt", "brief_02.txt"])] == want
        assert {a.passages[i].source for i in want} <= {"brief_01.txt", "brief_02.txt"}
    ids_before = dict(b.lexical.ids["words"])
    gen_before = b.manifest["milvus"]

    # more articles: old terms keep their ids, only new text is embedded, BM25 still exact
    write_articles(corpus, 6, 4, seed=2)
    build_index([corpus], local, model=str(tiny_model))
    grown = build_index([corpus], remote, model=str(tiny_model))      # keeps backend=milvus
    assert grown.added == [f"brief_{n:02d}.txt" for n in range(6, 10)]
    assert 0 < grown.embedded < grown.reused and grown.reused >= first.passages
    a, b = Retriever.load(local), Retriever.load(remote)
    assert b.manifest["backend"] == "milvus" and b.lexical.n_docs > first.passages
    assert all(b.lexical.ids["words"][t] == i for t, i in ids_before.items() if t in b.lexical.ids["words"])
    assert_same_bm25(a, b)

    # a third generation: the first one's collections go, the last two stay
    write_articles(corpus, 10, 1, seed=4)
    build_index([corpus], remote, model=str(tiny_model))
    client = milvus.connect(milvus.resolve_uri(remote, None))
    mine = set(client.list_collections())
    assert not mine & milvus.collections({"milvus": gen_before})
    assert milvus.collections(b.manifest) <= mine
    assert len([n for n in mine if n.startswith(milvus.collection_prefix(remote))]) == 4


@pytest.fixture(autouse=True)
def close_milvus():
    yield
    milvus.close_all()     # each test's Lite engines stop with it


@pytest.mark.slow
def test_seed_index_in_milvus_ranks_as_faiss_does(seed_retriever, tmp_path):
    """The real model: same hits, scores, answer sentences and confidences on the seed's questions."""
    index = tmp_path / "index"
    shutil.copy(seed_retriever.index_dir / "embeddings.sqlite", tmp_path / "cache.sqlite")
    index.mkdir()
    shutil.copy(tmp_path / "cache.sqlite", index / "embeddings.sqlite")      # nothing re-embedded
    report = build_index([ROOT / "data"], index, backend="milvus")
    assert report.embedded == 0
    r = Retriever.load(index)
    questions = [json.loads(line)["question"] for line in
                 (ROOT / "bench" / "data" / "seed_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "谁去了南通镇？" in questions
    for q in questions:
        for mode in ("hybrid", "dense", "lexical"):
            want, got = seed_retriever.search(q, k=5, mode=mode), r.search(q, k=5, mode=mode)
            assert [h.passage_id for h in got] == [h.passage_id for h in want], (q, mode)
            for w, g in zip(want, got):
                assert (g.section, g.answer_span, g.relevant, g.matched_terms) == \
                    (w.section, w.answer_span, w.relevant, w.matched_terms), (q, mode)
                assert g.score == pytest.approx(w.score, abs=1e-4)
                assert g.confidence == pytest.approx(w.confidence, abs=1e-3)
    top = r.search("谁去了南通镇?", k=2)
    assert {h.section.split(" ")[0] for h in top} == {"苏健", "蔡敏"} and top[0].relevant


# ---------------------------------------------------------------- kills and sharing

BUILD_AND_DIE = r"""
import os, signal, sys
from pymilvus import MilvusClient
from bot import build_index, milvus
milvus.BATCH = 4                      # many small inserts, so "halfway" is well inside the write
calls = []
real = MilvusClient.insert
def insert(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == int(sys.argv[4]):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, *args, **kwargs)
MilvusClient.insert = insert
build_index([sys.argv[1]], sys.argv[2], model=sys.argv[3], backend="milvus",
            milvus_uri=sys.argv[5] if len(sys.argv) > 5 else None)
print("inserts", len(calls))
"""


def build_in_subprocess(corpus, index, model, kill_at, uri=None) -> subprocess.CompletedProcess:
    args = [sys.executable, "-c", BUILD_AND_DIE, str(corpus), str(index), str(model), str(kill_at)]
    return subprocess.run(args + ([uri] if uri else []), env=ENV, cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture
def served(tmp_path):
    """`qabot milvus-serve` on a free port for tmp_path/index's Lite file; yields its URI."""
    port = free_port()
    log = tmp_path / "milvus-serve.log"   # a file, not a pipe nobody reads: a full pipe would stall the server
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "milvus-serve", "--index", str(tmp_path / "index"),
                                 "--port", str(port)], env=ENV, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


def answers(index: Path, uri: str | None = None) -> list[tuple[str, int]]:
    return [(h.source, h.position) for h in Retriever.load(index, milvus_uri=uri).search("李娜在哪里开展核酸检测?", k=3)]


def test_a_milvus_build_killed_halfway_leaves_the_old_index_answering(corpus, tmp_path, tiny_model, served):
    """Readers go on through the served Lite file while a build is SIGKILLed mid-insert."""
    index = tmp_path / "index"
    done = build_in_subprocess(corpus, index, tiny_model, kill_at=0, uri=served)
    assert done.returncode == 0, done.stderr[-2000:]
    inserts = int(done.stdout.split()[-1])
    reader = Retriever.load(index)            # the manifest's URI: the server
    before = reader.search("李娜在哪里开展核酸检测?", k=3)
    old = store.current_generation(index).name
    write_articles(corpus, 6, 4, seed=3)

    killed = build_in_subprocess(corpus, index, tiny_model, kill_at=inserts // 2, uri=served)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert store.current_generation(index).name == old
    # the reader that was open all along, and a new one, still answer from the old index
    assert [h.passage_id for h in reader.search("李娜在哪里开展核酸检测?", k=3)] == [h.passage_id for h in before]
    assert answers(index) == [(h.source, h.position) for h in before]
    client = milvus.connect(served)
    leftovers = set(client.list_collections()) - milvus.collections(reader.manifest)
    assert leftovers, "the killed build had written nothing"

    # the next build succeeds, drops the killed build's collections, and serves the new articles
    done = build_in_subprocess(corpus, index, tiny_model, kill_at=0, uri=served)
    assert done.returncode == 0, done.stderr[-2000:]
    new = Retriever.load(index)
    assert {p.source for p in new.passages} >= {"brief_09.txt"}
    assert not leftovers & set(client.list_collections())


def lite_engines(db: Path) -> list[int]:
    """Processes of Milvus Lite's engine that have `db` open."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(db) in (proc / "cmdline").read_text():
                found.append(int(proc.name))
        except OSError:
            pass
    return found


def test_a_killed_build_of_a_lite_file_leaves_the_old_index_answering(corpus, tmp_path, tiny_model):
    """Embedded Lite: the killed build's engine goes with it, and the file still holds the old index."""
    index = tmp_path / "index"
    done = build_in_subprocess(corpus, index, tiny_model, kill_at=0)
    assert done.returncode == 0, done.stderr[-2000:]
    before = answers(index)
    milvus.close_all()                                        # the build in a subprocess needs the file
    write_articles(corpus, 6, 4, seed=3)
    killed = build_in_subprocess(corpus, index, tiny_model, kill_at=int(done.stdout.split()[-1]) // 2)
    assert killed.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 60
    while lite_engines(index / milvus.DB_NAME):      # the orphaned engine notices its lock is gone
        assert time.monotonic() < deadline, "Milvus Lite's engine outlived the killed build"
        time.sleep(0.2)
    assert answers(index) == before


def test_the_chat_and_the_cli_share_one_served_index(corpus, tmp_path, tiny_model, served):
    index = tmp_path / "index"
    build_index([corpus], index, model=str(tiny_model), backend="milvus", milvus_uri=served)
    in_process = Retriever.load(index)                        # as the chat holds it
    cli = subprocess.run([sys.executable, "-m", "bot", "ask", "李娜在哪里开展核酸检测?", "-k", "3", "--json",
                          "--index", str(index)], env=ENV, cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert cli.returncode == 0, cli.stderr[-2000:]
    hits = in_process.search("李娜在哪里开展核酸检测?", k=3)
    assert [h["passage_id"] for h in json.loads(cli.stdout)["hits"]] == [h.passage_id for h in hits]


def test_a_lite_file_open_elsewhere_is_a_clear_error(corpus, tmp_path, tiny_model):
    index = tmp_path / "index"
    build_index([corpus], index, model=str(tiny_model), backend="milvus")
    Retriever.load(index)                                     # this process holds the file now
    cli = subprocess.run([sys.executable, "-m", "bot", "ask", "南通镇", "--index", str(index)],
                         env=ENV, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert cli.returncode != 0
    assert "milvus-serve" in cli.stderr and "milvus.db" in cli.stderr


def test_the_chat_engine_serves_and_rebuilds_a_milvus_index(corpus, tmp_path, tiny_model):
    """The chat's Engine, unchanged: answers, follows up, rebuilds in-process and keeps the backend."""
    from bot.chat.engine import Engine, answer_html

    index = tmp_path / "index"
    build_index([corpus], index, model=str(tiny_model), backend="milvus")
    engine = Engine(corpus, index)
    engine.prepare()
    assert engine.retriever.manifest["backend"] == "milvus"
    html, memory = answer_html(engine, None, "李娜在哪里开展核酸检测?", 3, "hybrid")
    top = engine.retriever.search("李娜在哪里开展核酸检测?", k=3)
    assert "qa-card" in html and top[0].title in html and memory[1]
    html, memory = answer_html(engine, memory, "她后来去了哪里?", 3, "hybrid")     # a follow-up
    assert "qa-card" in html and memory[1]
    before = engine.serving().manifest
    write_articles(corpus, 20, 1, seed=5)
    report = engine.build()
    serving = engine.serving()                                 # the new generation, same reader
    assert report.added == ["brief_20.txt"] and serving.manifest is not before
    assert serving.manifest["backend"] == "milvus"
    assert engine.retriever.search("李娜在哪里开展核酸检测?", k=1)
    assert "brief_20.txt" in {p.source for p in serving.passages}
