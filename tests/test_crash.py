"""Builds killed with SIGKILL leave the old index or the new one, never a broken one.

Each build runs in its own process and is killed with SIGKILL, at random
moments over the whole build and at every step of writing and committing a
generation. The processes are forks of one server process that has loaded the
model once (loading it dominates a fresh process); the fork then does exactly
what `build_index` does in a fresh process, from the same files on disk.

After every kill, the index must load with verification, its passages,
vectors, lexical index and manifest must agree, and it must be exactly the
old corpus's index or the new one's. The next build must then succeed: no
stale lock, no leftover that confuses it. Two builds at once cannot interleave.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bot import Retriever, store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "000_e7b07c6adf354492.txt"

SERVER = r"""
import json, os, signal, sys, time, traceback
os.environ["TOKENIZERS_PARALLELISM"] = "false"
import torch
from bot import build_index, cedict, encoder as encoders, segment, store
from bot.dense import DenseIndex
from bot.lexical import LexicalIndex
import bm25s, faiss, filelock, trafilatura

MODEL = sys.argv[1]                # a tiny deterministic model: the plumbing is under test
encoders.load_encoder(MODEL)       # the children inherit the loaded model
segment.jieba()                   # and jieba's and CC-CEDICT's dictionaries
cedict.word_senses("镇")
print(json.dumps({"ready": True}), flush=True)

HOOKED = [(store, "new_generation"), (store, "save_array"), (store, "commit_generation"),
          (store, "_write_durably"), (store, "_fsync"), (store, "_fsync_dir"),
          (store, "remove_stale_generations"), (store.EmbeddingCache, "put"),
          (store.EmbeddingCache, "keep_only"), (DenseIndex, "save"), (LexicalIndex, "save"),
          (os, "rename"), (os, "replace")]


def arm(kill_at, trace):
    '''Count calls of the functions that touch the index; SIGKILL this process at call `kill_at`,
    before it runs. Each call is appended to the file `trace` first, so the test knows
    which steps ran (a build's steps depend on what the embedding cache holds).'''
    steps = []
    fd = os.open(trace, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND) if trace else None
    for owner, name in HOOKED:
        real = getattr(owner, name)
        def hooked(*args, _real=real, _name=name, **kwargs):
            steps.append(_name)
            if fd is not None:
                os.write(fd, (_name + "\n").encode())
            if len(steps) == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return _real(*args, **kwargs)
        setattr(owner, name, hooked)
    return steps


def child(cmd):
    torch.set_num_threads(1)
    steps = arm(cmd.get("kill_at", 0), cmd.get("trace")) if "kill_at" in cmd else None
    try:
        build_index(cmd["sources"], index_dir=cmd["index"], model=MODEL)
    except store.BuildLocked:
        os._exit(3)
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    if cmd.get("kill_at") == 0:      # only the instrumented run reports (the test reads it)
        print(json.dumps({"steps": steps}), flush=True)
    os._exit(0)


for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "build":
        pid = os.fork()
        if pid == 0:
            child(cmd)
        print(json.dumps({"pid": pid, "started": time.time()}), flush=True)
    elif cmd["op"] == "wait":
        _, status = os.waitpid(cmd["pid"], 0)
        print(json.dumps({"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
                          "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                          "ended": time.time()}), flush=True)
"""


class BuildServer:
    """A process with the model loaded that forks one build per request."""

    def __init__(self, model: Path):
        env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(model)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        assert self.read().get("ready")

    def read(self) -> dict:
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the build server died")
            if line.startswith("{"):
                return json.loads(line)

    def send(self, **cmd) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self.read()

    def start(self, sources, index, **extra) -> int:
        return self.send(op="build", sources=[str(s) for s in sources], index=str(index), **extra)["pid"]

    def wait(self, pid: int) -> dict:
        return self.send(op="wait", pid=pid)

    def build(self, sources, index, **extra) -> tuple[dict, float]:
        started = time.monotonic()
        pid = self.start(sources, index, **extra)
        steps = None
        if extra.get("kill_at") == 0:     # instrumented, not killed: the child lists its steps
            steps = self.read()["steps"]
        ended = self.wait(pid)
        ended["steps"] = steps
        return ended, time.monotonic() - started

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


# ---------------------------------------------------------------- two corpora

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉"
PLACES = ["鼓楼区", "台江区", "仓山区", "晋安区", "马尾区", "长乐区", "闽侯县", "连江县", "罗源县", "闽清县",
          "永泰县", "平潭县"]
DEEDS = ["组织志愿者上门服务", "协调物资运输", "开展核酸检测", "走访困难家庭", "检查工地安全", "宣传防疫政策",
         "维修供水管道", "清理河道垃圾", "帮助企业复工", "慰问一线人员"]


def make_article(rng: random.Random, n: int) -> str:
    paragraphs = []
    for _ in range(rng.randint(3, 5)):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            person = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            sentences.append(f"{person}同志在{rng.choice(PLACES)}{rng.choice(DEEDS)}，"
                             f"连续工作{rng.randint(2, 30)}天，共完成任务{rng.randint(10, 500)}项。")
        paragraphs.append("".join(sentences))
    return f"第{n}号工作简报\n\n日期:2022-11-{n % 28 + 1:02d} 来源:市城乡建设局\n\n" + "\n\n".join(paragraphs) + "\n"


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """Corpus A, and corpus B = A with two files removed, two changed and two added."""
    root = tmp_path_factory.mktemp("corpora")
    rng = random.Random(6)
    a, b = root / "a", root / "b"
    a.mkdir()
    shutil.copy(SEED, a / SEED.name)
    for n in range(10):
        (a / f"brief_{n:02d}.txt").write_text(make_article(rng, n), encoding="utf-8")
    shutil.copytree(a, b)
    for n in (1, 2):
        (b / f"brief_{n:02d}.txt").unlink()
    for n in (3, 4):
        (b / f"brief_{n:02d}.txt").write_text(make_article(rng, 100 + n), encoding="utf-8")
    for n in (10, 11):
        (b / f"brief_{n:02d}.txt").write_text(make_article(rng, n), encoding="utf-8")
    return a, b


@pytest.fixture(scope="module")
def server(tiny_model):
    s = BuildServer(tiny_model)
    yield s
    s.close()


def snapshot(index: Path) -> dict:
    """Load the live index, verified, and check that its parts agree with each other."""
    r = Retriever.load(index, verify=True)
    n = len(r.passages)
    assert n == len(r.dense) == r.lexical.n_docs == len(r.sentence_offsets) - 1
    assert r.sentence_offsets[-1] == len(r.sentence_vectors)
    counts = r.manifest["counts"]
    assert counts["passages"] == n and counts["sentences"] == len(r.sentence_vectors)
    assert counts["documents"] == sum(f["documents"] for f in r.manifest["files"].values())
    vectors = np.stack([r.dense.index.reconstruct(i) for i in range(n)])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    return {"files": sorted(r.manifest["files"]), "counts": counts,
            "texts": [p.text for p in r.passages], "vectors": vectors,
            "generation": store.current_generation(index).name}


@pytest.fixture(scope="module")
def expected(server, corpora, tmp_path_factory):
    """Each corpus's index, built without interruption; and how long a build takes."""
    index = tmp_path_factory.mktemp("calibrate") / "index"
    out = {}
    for name, corpus in (("a", corpora[0]), ("b", corpora[1]), ("a", corpora[0]), ("b", corpora[1])):
        status, seconds = server.build([corpus], index)
        assert status["code"] == 0, status
        out[name] = snapshot(index) | {"seconds": max(seconds, out.get(name, {}).get("seconds", 0))}
    assert out["a"]["counts"] != out["b"]["counts"]
    assert out["a"]["files"] == sorted(p.name for p in corpora[0].iterdir())
    return out


def which(state: dict, expected: dict) -> str:
    """Which corpus the index holds; it must be exactly one of them."""
    for name in ("a", "b"):
        want = expected[name]
        if state["files"] == want["files"] and state["counts"] == want["counts"]:
            assert state["texts"] == want["texts"]
            assert np.abs(state["vectors"] - want["vectors"]).max() < 1e-3
            return name
    raise AssertionError(f"the index is neither corpus: {state['files']} {state['counts']}")


def assert_clean(index: Path) -> None:
    """After a finished build only the live generation is left."""
    gens = sorted(p.name for p in index.glob("gen-*"))
    assert gens == [store.current_generation(index).name], gens


# ---------------------------------------------------------------- the tests

KILLS = 60


def test_builds_killed_at_random_moments_leave_the_old_or_the_new_index(server, corpora, expected, tmp_path):
    index = tmp_path / "index"
    status, _ = server.build([corpora[0]], index)
    assert status["code"] == 0
    state = which(snapshot(index), expected)
    rng = random.Random(20261125)
    outcomes = {"old": 0, "new": 0}
    kinds = {"killed": 0, "finished first": 0}
    # Kill within the build's time, with a margin so some builds finish first; a build that
    # finished first before `delay` shows the window was too long (later builds of a warm
    # cache run faster than the first), so it shrinks.
    window = {name: 1.1 * expected[name]["seconds"] for name in ("a", "b")}
    for i in range(KILLS):
        target = "b" if state == "a" else "a"
        corpus = corpora[0] if target == "a" else corpora[1]
        delay = rng.uniform(0, window[target])
        pid = server.start([corpus], index)
        time.sleep(delay)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        ended = server.wait(pid)
        kinds["killed" if ended["signal"] == signal.SIGKILL else "finished first"] += 1
        if ended["signal"] != signal.SIGKILL:
            assert ended["code"] == 0, ended
            window[target] = min(window[target], 1.25 * delay)
        now = which(snapshot(index), expected)
        if ended["signal"] != signal.SIGKILL:
            assert now == target
        outcomes["new" if now == target else "old"] += 1
        state = now
    print(f"\n{KILLS} builds killed at random: outcomes {outcomes}, {kinds}")
    assert outcomes["old"] >= 3 and outcomes["new"] >= 3, outcomes
    assert kinds["killed"] >= KILLS // 2, kinds
    # and a build after all that works, cleans up, and matches an uninterrupted build
    target = "b" if state == "a" else "a"
    status, _ = server.build([corpora[0] if target == "a" else corpora[1]], index)
    assert status["code"] == 0, status
    assert which(snapshot(index), expected) == target
    assert_clean(index)


def test_builds_killed_at_every_step_of_writing_and_committing(server, corpora, expected, tmp_path):
    index = tmp_path / "index"
    status, _ = server.build([corpora[0]], index)
    assert status["code"] == 0
    state = "a"
    # one uninterrupted, instrumented build lists the steps that touch the index
    status, _ = server.build([corpora[1]], index, kill_at=0)
    assert status["code"] == 0
    steps = status["steps"]
    state = which(snapshot(index), expected)
    assert state == "b"
    assert {"new_generation", "commit_generation", "rename", "replace", "_fsync_dir", "put", "keep_only"} <= set(steps)
    # every step but the fsync of one file after another (kill before the first and the last)
    fsyncs = [k for k, name in enumerate(steps, 1) if name == "_fsync"]
    points = [k for k in range(1, len(steps) + 1) if steps[k - 1] != "_fsync" or k in (fsyncs[0], fsyncs[-1])]
    outcomes = {"old": 0, "new": 0}
    finished = 0
    trace = tmp_path / "trace"
    for k in points:
        target = "b" if state == "a" else "a"
        status, _ = server.build([corpora[0] if target == "a" else corpora[1]], index,
                                 kill_at=k, trace=str(trace))
        now = which(snapshot(index), expected)
        if status["signal"] != signal.SIGKILL:
            # a build with fewer steps than the instrumented one (its cache held more) ends first
            assert status["code"] == 0, (k, status)
            assert now == target
            finished += 1
        else:
            ran = trace.read_text().split()[:-1]         # the last step was called, not run
            # until the pointer is replaced the old index is live, and after it the new one
            replaced = "commit_generation" in ran and "replace" in ran[ran.index("commit_generation"):]
            assert now == (target if replaced else state), (k, steps[k - 1], ran[-3:])
        outcomes["new" if now == target else "old"] += 1
        state = now
    assert finished <= len(points) // 4, (finished, len(points))
    print(f"\nbuilds killed at {len(points)} steps of {len(steps)}: outcomes {outcomes}")
    assert outcomes["old"] and outcomes["new"]
    status, _ = server.build([corpora[0] if state == "b" else corpora[1]], index)
    assert status["code"] == 0
    assert_clean(index)


def holds_lock(pid: int, index: Path) -> bool:
    """Whether process `pid` holds the build lock of `index` (from /proc/locks)."""
    try:
        inode = os.stat(index / ".lock").st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[4] == str(pid) and fields[5].endswith(f":{inode}"):
            return True
    return False


def wait_for_lock(pid: int, index: Path) -> None:
    deadline = time.monotonic() + 120
    while not holds_lock(pid, index):
        assert time.monotonic() < deadline, "the build never took the lock"
        time.sleep(0.01)


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_two_builds_at_once_cannot_interleave(server, corpora, expected, tmp_path):
    index = tmp_path / "index"
    first = server.start([corpora[0]], index)
    wait_for_lock(first, index)
    os.kill(first, signal.SIGSTOP)      # held while the others try: a stalled test must not see it end first
    try:
        assert holds_lock(first, index), "the first build ended before it was stopped"
        with pytest.raises(store.BuildLocked, match="another build"):
            with store.build_lock(index):
                pass
        second = server.start([corpora[1]], index)
        ended_second = server.wait(second)
    finally:
        os.kill(first, signal.SIGCONT)
    ended_first = server.wait(first)
    assert ended_second["code"] == 3, ended_second          # refused: BuildLocked
    assert ended_first["code"] == 0, ended_first
    assert which(snapshot(index), expected) == "a"
    # a lock held by a process that is killed goes with it
    third = server.start([corpora[1]], index)
    wait_for_lock(third, index)
    os.kill(third, signal.SIGSTOP)
    assert holds_lock(third, index), "the third build ended before it was stopped"
    os.kill(third, signal.SIGKILL)      # killed while it holds the lock
    assert server.wait(third)["signal"] == signal.SIGKILL
    assert not holds_lock(third, index)
    status, _ = server.build([corpora[1]], index)
    assert status["code"] == 0 and which(snapshot(index), expected) == "b"
    assert_clean(index)
