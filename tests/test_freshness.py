"""One index, always current: a build by another process reaches every reader.

Readers (a script's `Retriever`, `retrieve()`, the running chat) notice a new
generation between questions by a stat of CURRENT and switch to it; a reader
opening the index while a build switches generations opens the new one instead
of calling the race damage. Builds run in real separate processes (the CLI, a
Python loop); the chat is the real app. The tiny model keeps builds fast: the
plumbing is under test, and the questions are asked in keyword mode.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import Retriever, build_index, retrieve, store

from conftest import DATA, ROOT

pytestmark = pytest.mark.slow

NEW_ARTICLE = """琯头镇防汛纪实

李雷 宣传处处长

李雷同志前往连江县琯头镇开展防汛工作，连续奋战十天，帮助群众转移安置。
"""
QUESTION = "李雷去了琯头镇做什么?"


def env() -> dict:
    return os.environ | {"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def cli_build(data: Path, index: Path) -> None:
    """`qabot build` in another process, as an operator or a cron job runs it."""
    run = subprocess.run([sys.executable, "-m", "bot", "build", str(data), "--index", str(index), "-q"],
                         capture_output=True, text=True, env=env(), timeout=600)
    assert run.returncode == 0, run.stderr


def finds_new_article(hits) -> bool:
    return any("琯头镇" in h.text for h in hits)


@pytest.fixture
def corpus(tmp_path, tiny_model):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    index = tmp_path / "index"
    build_index([data], index_dir=index, model=str(tiny_model))
    return data, index


def test_a_script_s_retriever_and_retrieve_serve_a_build_made_elsewhere(corpus, monkeypatch):
    data, index = corpus
    held = Retriever.load(index)
    assert not finds_new_article(held.search(QUESTION, k=3, mode="lexical"))
    assert not finds_new_article(retrieve(QUESTION, k=3, index_dir=index, mode="lexical"))
    passages_before = len(held.passages)

    (data / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    cli_build(data, index)

    assert finds_new_article(held.search(QUESTION, k=3, mode="lexical"))
    assert finds_new_article(retrieve(QUESTION, k=3, index_dir=index, mode="lexical"))
    assert len(held.passages) > passages_before and held.info()["counts"]["files"] == 2

    # Between builds a question costs a stat, not a reload.
    opened = []
    real = store.read_manifest
    monkeypatch.setattr(store, "read_manifest", lambda gen: opened.append(gen) or real(gen))
    for _ in range(5):
        held.search(QUESTION, k=3, mode="lexical")
        retrieve(QUESTION, k=3, index_dir=index, mode="lexical")
    assert opened == []


def test_questions_keep_being_answered_while_a_new_generation_is_opened(corpus, monkeypatch):
    """The chat's many sessions share one Retriever: while one of them opens a new
    generation (checksums: seconds for a large index), the others answer from the one
    they have instead of queueing behind it."""
    import threading

    data, index = corpus
    held = Retriever.load(index)
    held.search(QUESTION, k=3, mode="lexical")
    (data / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    cli_build(data, index)

    opening, release = threading.Event(), threading.Event()
    real_load = Retriever.load.__func__

    def slow_load(cls, *args, **kwargs):
        opening.set()
        release.wait(30)
        return real_load(cls, *args, **kwargs)

    monkeypatch.setattr(Retriever, "load", classmethod(slow_load))
    switcher = threading.Thread(target=held.search, args=(QUESTION,), kwargs={"k": 3, "mode": "lexical"})
    switcher.start()
    assert opening.wait(30)
    t0 = time.perf_counter()
    meanwhile = held.search(QUESTION, k=3, mode="lexical")        # another session's question
    waited = time.perf_counter() - t0
    release.set()
    switcher.join(60)
    assert waited < 10 and not finds_new_article(meanwhile)      # answered from the old one
    assert finds_new_article(held.search(QUESTION, k=3, mode="lexical"))


def test_the_chat_serves_a_build_made_elsewhere_and_never_calls_an_old_index_up_to_date(corpus):
    """The engine as the page uses it: a question, then `qabot build` in another terminal,
    then the next question and *Update index*."""
    from bot.chat.engine import Engine, answer_html

    data, index = corpus
    engine = Engine(data, index)
    engine.load()
    reply, _ = answer_html(engine, None, QUESTION, 3, "lexical")
    assert "琯头镇" not in reply
    files_before = engine.info()["counts"]["files"]

    (data / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    cli_build(data, index)

    assert engine.info()["counts"]["files"] == files_before + 1      # the panel shows it
    reply, _ = answer_html(engine, None, QUESTION, 3, "lexical")
    assert "琯头镇" in reply
    report = engine.build()
    assert report.up_to_date
    assert engine.info()["built_at"] == store.read_manifest(store.current_generation(index))["built_at"]


def test_the_running_app_answers_from_a_build_made_by_the_cli(corpus, tmp_path):
    from gradio_client import Client

    from running_app import RunningApp

    data, index = corpus
    app = RunningApp(data, index, tmp_path / "app.log")
    try:
        client = Client(app.url, verbose=False)

        def texts():
            result = client.predict(question=QUESTION, k=3, mode="lexical", api_name="/ask")
            return " ".join(h["text"] for h in result["hits"])

        assert "琯头镇" not in texts()
        (data / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        cli_build(data, index)
        assert "琯头镇" in texts()
    finally:
        app.stop()


BUILDER = r"""
import sys, time
from pathlib import Path
from bot import build_index, encoder
a, b, index, model, seconds = sys.argv[1:6]
encoder.load_encoder(model)
end = time.monotonic() + float(seconds)
n = 0
while time.monotonic() < end:
    build_index([a if n % 2 else b], index_dir=index, model=model)
    n += 1
print(n, flush=True)
"""


def test_readers_opening_the_index_while_builds_switch_it_never_see_damage(tmp_path, tiny_model):
    """A build deletes the old generation right after switching CURRENT; a reader that read
    CURRENT just before used to find its generation gone and report "corrupt index ...
    rebuild with --full". Another process switches generations back and forth while this one
    opens the index in a tight loop: every open must succeed."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    seed = (DATA / "000_e7b07c6adf354492.txt").read_text(encoding="utf-8")
    # Two corpora that differ in one file: a build is quick, an open takes a while.
    for i in range(12):
        (a / f"{i}.txt").write_text(seed.replace("77名", f"{i}名"), encoding="utf-8")
        (b / f"{i}.txt").write_text(seed.replace("77名", f"{i + 100 * (i == 0)}名"), encoding="utf-8")
    index = tmp_path / "index"
    build_index([a], index_dir=index, model=str(tiny_model))
    build_index([b], index_dir=index, model=str(tiny_model))     # both corpora's vectors cached

    seconds = 45
    builder = subprocess.Popen([sys.executable, "-c", BUILDER, str(a), str(b), str(index),
                                str(tiny_model), str(seconds)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
    opens, errors, generations = 0, [], set()
    try:
        while builder.poll() is None:
            try:
                r = Retriever.load(index)
                generations.add(r.manifest["built_at"] + r.manifest["sources"][0])
                opens += 1
            except (store.IndexError_, OSError) as e:
                errors.append(f"{type(e).__name__}: {e}")
    finally:
        out, err = builder.communicate(timeout=120)
    assert builder.returncode == 0, err
    print(f"{opens} opens, {out.strip()} builds, {len(generations)} generations seen, {len(errors)} errors")
    assert errors == []
    assert len(generations) >= 4, "the builds did not switch generations while the reader ran"
