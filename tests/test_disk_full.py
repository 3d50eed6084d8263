"""A full disk: every entry point says "no space left on <index>", leaves no half-written
generation behind, and the previous index keeps serving.

The index lives on a small tmpfs mounted for the test (needs root; skipped
elsewhere), filled to several levels so that the disk runs out under different
writers (SQLite's embedding cache, FAISS, numpy, JSON). An injected ENOSPC covers
the same logic where nothing can be mounted. The tiny model keeps builds fast.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import Retriever, build_index, store

from conftest import DATA, ROOT

pytestmark = pytest.mark.slow

WORDS = ("城市", "建设", "交通", "管理", "服务", "中心", "工作", "人员", "检查", "安全", "防汛", "社区")


def big_article(n_chars: int) -> str:
    rng = random.Random(3)
    sentences = []
    while sum(map(len, sentences)) < n_chars:
        sentences.append("".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20))) + "。")
    paragraphs = ["".join(sentences[i:i + 5]) for i in range(0, len(sentences), 5)]
    return "城市建设年度报告\n\n" + "\n\n".join(paragraphs) + "\n"


def leftovers(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); "
                    f"test_an_injected_enospc covers the logic")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def leave_free(disk: Path, free: int) -> None:
    """Fill `disk` so that about `free` bytes stay free."""
    filler = disk / "filler"
    filler.unlink(missing_ok=True)
    st = os.statvfs(disk)
    size = st.f_bavail * st.f_frsize - free
    if size > 0:
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            os.posix_fallocate(fd, 0, size)
        finally:
            os.close(fd)


def test_a_full_disk_is_named_cleaned_up_and_the_old_index_serves(small_disk, tmp_path, tiny_model):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    index = small_disk / "index"
    build_index([data], index_dir=index, model=str(tiny_model))
    before = Retriever.load(index)
    served = len(before.passages)
    (data / "report.txt").write_text(big_article(60_000), encoding="utf-8")

    causes = set()
    for free in (0, 300_000, 800_000):
        leave_free(small_disk, free)
        with pytest.raises(Exception) as failed:              # the Python API
            build_index([data], index_dir=index)
        assert "no space left on " + str(index) in str(failed.value), (free, repr(failed.value))
        causes.add(type(failed.value.__cause__).__name__ + ": " + str(failed.value.__cause__)[:40])
        assert leftovers(index) == [], free
        r = Retriever.load(index)                              # verified: the old index, whole
        assert len(r.passages) == served
        assert len(before.search("城市建设年度报告", k=2, mode="lexical")) == 2
    print("\n".join(sorted(causes)))
    assert len(causes) >= 2, causes       # the disk ran out under more than one writer

    leave_free(small_disk, 200_000)
    cli = subprocess.run([sys.executable, "-m", "bot", "build", str(data), "--index", str(index), "-q"],
                         capture_output=True, text=True, timeout=600,
                         env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert cli.returncode == 1
    assert f"Error: no space left on {index}" in cli.stderr and "Traceback" not in cli.stderr
    assert leftovers(index) == []

    from bot.chat.engine import Engine, answer_html

    engine = Engine(data, index)
    engine.load()
    with pytest.raises(store.NoSpace, match="no space left on"):
        engine.build()
    assert leftovers(index) == []
    reply, _ = answer_html(engine, None, "谁去了南通镇?", 3, "lexical")
    assert "qa-card" in reply and "cannot be searched" not in reply

    (small_disk / "filler").unlink()
    assert build_index([data], index_dir=index).added == ["report.txt"]
    assert len(Retriever.load(index).passages) > served


def test_an_injected_enospc(tmp_path, tiny_model, monkeypatch):
    from bot.dense import DenseIndex

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    index = tmp_path / "index"
    build_index([data], index_dir=index, model=str(tiny_model))
    (data / "report.txt").write_text(big_article(3_000), encoding="utf-8")

    def full(self, path):
        Path(path).write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(DenseIndex, "save", full)
    with pytest.raises(store.NoSpace, match=f"no space left on {index}"):
        build_index([data], index_dir=index)
    assert leftovers(index) == []
    assert Retriever.load(index).manifest["counts"]["files"] == 1
