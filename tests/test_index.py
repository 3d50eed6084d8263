"""Building indexes: incremental, atomic, model-checked; and the CLI as users run it."""

import json
import os
import subprocess
import sys

import pytest

from bot import NothingToIndex, Retriever, build_index, store
from bot.retriever import ModelMismatch

from conftest import ROOT, SEED_NAME

pytestmark = pytest.mark.slow

NEW_ARTICLE = """测试新闻标题

李雷 宣传处处长

李雷同志前往连江县琯头镇开展防汛工作，连续奋战十天，帮助群众转移安置。
"""


def test_rebuild_is_incremental(tmp_path, data_copy):
    index = tmp_path / "index"
    first = build_index([data_copy], index_dir=index)
    assert first.added == [SEED_NAME] and first.embedded > 0 and first.reused == 0

    again = build_index([data_copy], index_dir=index)
    assert again.up_to_date and again.embedded == 0

    (data_copy / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    added = build_index([data_copy], index_dir=index)
    assert added.added == ["new.txt"] and not added.changed
    # Only the new article's passages and sentences were embedded.
    assert 0 < added.embedded <= 4 and added.reused == first.embedded
    hits = Retriever.load(index).search("谁去了琯头镇?", k=1)
    assert hits[0].section == "李雷 宣传处处长" and hits[0].source == "new.txt"

    (data_copy / "new.txt").unlink()
    removed = build_index([data_copy], index_dir=index)
    assert removed.removed == ["new.txt"] and removed.embedded == 0
    r = Retriever.load(index)
    assert all(p.source != "new.txt" for p in r.passages)
    assert r.manifest["counts"]["passages"] == first.passages


def test_changing_one_article_reembeds_only_its_changed_text(tmp_path, data_copy):
    index = tmp_path / "index"
    first = build_index([data_copy], index_dir=index)
    seed = data_copy / SEED_NAME
    seed.write_text(seed.read_text(encoding="utf-8").replace("77名队员", "78名队员"), encoding="utf-8")
    changed = build_index([data_copy], index_dir=index)
    assert changed.changed == [SEED_NAME]
    assert changed.embedded == 2          # the passage and its one changed sentence
    assert changed.reused == first.embedded - 2


def test_jsonl_keeps_ids(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rows = [{"id": "a-1", "title": "南通新闻", "text": "南通镇今天举行了防疫志愿者表彰大会，共有三十人获奖。", "date": "2022-11-20"},
            {"id": 42, "title": "Weather", "text": "It rained in Fuzhou all week and the river rose by two metres."}]
    (data / "news.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{bad json\n",
                                     encoding="utf-8")
    report = build_index([data], index_dir=tmp_path / "index")
    assert report.documents == 2
    assert [str(p) for p in report.skipped] == ["news.jsonl:3: not valid JSON (Expecting property name enclosed in double quotes)"]
    r = Retriever.load(tmp_path / "index")
    assert {p.doc_id for p in r.passages} == {"a-1", "42"}
    hit = r.search("How much did the river rise?", k=1)[0]
    assert hit.doc_id == "42" and hit.title == "Weather"


def test_failed_build_leaves_the_previous_index(tmp_path, data_copy, monkeypatch):
    index = tmp_path / "index"
    build_index([data_copy], index_dir=index)
    before = Retriever.load(index)
    (data_copy / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")

    from bot import lexical

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(lexical.LexicalIndex, "save", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        build_index([data_copy], index_dir=index)
    after = Retriever.load(index)
    assert after.manifest["built_at"] == before.manifest["built_at"]
    assert len(after.passages) == len(before.passages)
    assert after.search("谁去了南通镇?", k=1)[0].section.startswith(("苏健", "蔡敏"))

    monkeypatch.undo()
    report = build_index([data_copy], index_dir=index)
    assert report.added == ["new.txt"]
    assert len(list(index.glob("gen-*"))) == 1   # the half-written generation was cleaned up


def test_damaged_index_is_detected(tmp_path, data_copy):
    index = tmp_path / "index"
    build_index([data_copy], index_dir=index)
    gen = store.current_generation(index)
    target = gen / "dense.faiss"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(store.CorruptIndex, match="dense.faiss.*qabot build --full"):
        Retriever.load(index)
    build_index([data_copy], index_dir=index, full=True)
    assert Retriever.load(index).search("谁去了南通镇?", k=1)


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(store.NoIndex, match="qabot build"):
        Retriever.load(tmp_path / "nothing")


def test_other_model_is_refused(seed_index):
    with pytest.raises(ModelMismatch, match="built with model"):
        Retriever.load(seed_index, model="some-other/model")


def test_two_builds_cannot_interleave(tmp_path, data_copy):
    index = tmp_path / "index"
    with store.build_lock(index):
        with pytest.raises(store.BuildLocked, match="another build"):
            build_index([data_copy], index_dir=index)


def run_cli(*args, cwd, env=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_cli_build_ask_info(tmp_path, data_copy):
    built = run_cli("build", str(data_copy), "--index", "idx", "-q", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "1 files" in built.stdout and "passages" in built.stdout

    asked = run_cli("ask", "谁去了南通镇?", "--index", "idx", "-k", "2", cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "pkg_resources" not in asked.stderr      # jieba's import warning is not the user's business
    assert "苏健" in asked.stdout and "蔡敏" in asked.stdout and ">>" in asked.stdout

    as_json = run_cli("ask", "Who went to Nantong town?", "--index", "idx", "--json", "-k", "2", cwd=tmp_path)
    answer = json.loads(as_json.stdout)
    assert answer["question"] == "Who went to Nantong town?" and answer["answered"] is True
    hits = answer["hits"]
    assert {h["section"].split(" ")[0] for h in hits} == {"苏健", "蔡敏"}
    assert all(h["answer"] in h["text"] for h in hits)

    info = run_cli("info", "--index", "idx", cwd=tmp_path)
    assert info.returncode == 0 and "multilingual-e5-small" in info.stdout and SEED_NAME in info.stdout
    by_env = run_cli("info", cwd=tmp_path, env={"QABOT_INDEX": str(tmp_path / "idx")})
    assert by_env.returncode == 0 and SEED_NAME in by_env.stdout     # the chat's variable, same rule

    again = run_cli("build", str(data_copy), "--index", "idx", "-q", cwd=tmp_path)
    assert "up to date" in again.stdout

    empty = run_cli("ask", "   ", "--index", "idx", cwd=tmp_path)
    assert empty.returncode == 1 and "empty" in empty.stderr and "Traceback" not in empty.stderr
    missing = run_cli("ask", "谁?", "--index", "nowhere", cwd=tmp_path)
    assert missing.returncode == 1 and "qabot build" in missing.stderr


def test_an_index_from_before_word_spans_gets_them_without_reembedding(tmp_path, data_copy):
    index = tmp_path / "index"
    build_index([data_copy], index_dir=index)
    gen = store.current_generation(index)
    manifest = store.read_manifest(gen)
    for name in ("word_spans.npy", "word_span_offsets.npy"):      # as a build from before wrote it
        (gen / name).unlink()
        del manifest["files_written"][name]
    manifest["checksum"] = store._manifest_checksum(manifest)
    (gen / store.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    assert Retriever.load(index).word_spans is None        # still searchable: cut at search time
    again = build_index([data_copy], index_dir=index)
    assert not again.up_to_date and again.embedded == 0
    assert Retriever.load(index).word_spans is not None
    assert build_index([data_copy], index_dir=index).up_to_date


def test_files_of_one_name_in_two_folders_are_both_indexed(tmp_path, tiny_model):
    for folder, text in (("twoA", "甲地新闻\n\n甲地今天举行了龙舟赛，冠军是红队。\n"),
                         ("twoB", "乙地新闻\n\n乙地今天举行了风筝节，共有三千人参加。\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "news.txt").write_text(text, encoding="utf-8")
    model = ("--model", str(tiny_model))
    built = run_cli("build", "twoA", "twoB", "--index", "idx", "-q", *model, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "2 files" in built.stdout and "+2 " in built.stdout
    # the first folder's file keeps its plain name; the other is named by its folder, and the build says so
    assert "twoB/news.txt: twoB/news.txt and twoA/news.txt are both news.txt; " \
           "this one is indexed as twoB/news.txt" in built.stdout
    texts = {p.source: p.text for p in Retriever.load(tmp_path / "idx").passages}
    assert "龙舟赛" in texts["news.txt"] and "风筝节" in texts["twoB/news.txt"] and len(texts) == 2
    again = run_cli("build", "twoA", "twoB", "--index", "idx", "-q", *model, cwd=tmp_path)
    assert "up to date (2 files" in again.stdout
    # one folder, or one file named twice, keeps the names it always had
    one = run_cli("build", "twoB", "twoB/news.txt", "--index", "one", "-q", *model, cwd=tmp_path)
    assert one.returncode == 0 and "1 files" in one.stdout and "warnings" not in one.stdout, one.stdout
    assert {p.source for p in Retriever.load(tmp_path / "one").passages} == {"news.txt"}


def test_when_nothing_is_readable_the_error_names_each_file_and_why(tmp_path, tiny_model):
    data = tmp_path / "data"
    data.mkdir()
    (data / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (data / "fake.pdf").write_text("not a PDF at all", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    model = ("--model", str(tiny_model))
    folder = run_cli("build", "data", "--index", "idx", "-q", *model, cwd=tmp_path)
    assert folder.returncode == 1 and "Traceback" not in folder.stderr
    lines = folder.stderr.splitlines()
    assert lines[0] == "Error: nothing to index: no readable article in data; skipped 2:", lines
    assert lines[1].startswith("  binary.txt: cannot read: binary file") and "NUL" in lines[1], lines
    assert lines[2].startswith("  fake.pdf: cannot read:"), lines
    empty = run_cli("build", "empty.txt", "--index", "idx", "-q", *model, cwd=tmp_path)
    assert empty.returncode == 1 and "  empty.txt: empty file" in empty.stderr, empty.stderr
    missing = run_cli("build", "nothere", "--index", "idx", "-q", *model, cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "Error: nothing to index: nothere: no such file or folder"
    (tmp_path / "none").mkdir()
    no_articles = run_cli("build", "none", "--index", "idx", "-q", *model, cwd=tmp_path)
    assert "nothing to index: no article file (.docx, .htm, .html" in no_articles.stderr
    # the Python API carries the problems; the chat says the same in the terminal and on its page
    with pytest.raises(NothingToIndex) as raised:
        build_index([data], index_dir=tmp_path / "idx", model=str(tiny_model))
    assert [(p.path, p.kind) for p in raised.value.problems] == [("binary.txt", "binary"), ("fake.pdf", "unreadable")]


def test_the_chat_says_which_files_it_could_not_index(tmp_path, tiny_model, monkeypatch, capsys):
    from bot.chat.engine import Engine
    from bot.chat.render import render_stats

    data = tmp_path / "data"
    data.mkdir()
    (data / "binary.txt").write_bytes(b"ab\x00\x00cd")
    monkeypatch.setenv("QABOT_MODEL", str(tiny_model))
    engine = Engine(data, tmp_path / "index")
    engine.prepare()
    assert "  binary.txt: cannot read: binary file" in capsys.readouterr().out
    assert engine.retriever is None and "binary.txt: cannot read: binary file" in engine.error
    assert "binary.txt" in render_stats(engine.info(), engine.error)


def test_a_skipped_file_is_not_counted_as_added_anywhere(tmp_path, tiny_model):
    from bot.chat.render import render_files, render_stats

    data, index = tmp_path / "data", tmp_path / "index"
    data.mkdir()
    (data / "a.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    build_index([data], index_dir=index, model=str(tiny_model))
    (data / "c.txt").write_bytes(b"ab\x00\x00cd")
    report = build_index([data], index_dir=index, model=str(tiny_model))
    assert report.added == [] and report.files == 1 and [p.path for p in report.skipped] == ["c.txt"]
    assert "+0 ~0 -0 files" in report.summary()
    info = Retriever.load(index).info()
    assert sorted(info["files"]) == ["a.txt"] and info["counts"]["files"] == 1
    assert [(p["path"], p["reason"][:24]) for p in info["skipped_items"]] == [("c.txt", "cannot read: binary file")]
    # the chat's panel: its count and its file table agree, the skipped file is not listed as added
    assert "<dt>Files</dt><dd>1</dd>" in render_stats(info)
    table = render_files(info)
    assert "1 file, newest first" in table and "c.txt" not in table
    again = build_index([data], index_dir=index, model=str(tiny_model))
    assert again.up_to_date and again.files == 1 and [p.path for p in again.skipped] == ["c.txt"]
    # mended, it is added; broken, a file indexed before is removed (its passages left the index)
    (data / "c.txt").write_text(NEW_ARTICLE.replace("李雷", "韩梅梅"), encoding="utf-8")
    mended = build_index([data], index_dir=index, model=str(tiny_model))
    assert mended.added == ["c.txt"] and not mended.changed and mended.files == 2
    (data / "a.txt").write_bytes(b"")
    broken = build_index([data], index_dir=index, model=str(tiny_model))
    assert broken.removed == ["a.txt"] and not broken.changed and not broken.added and broken.files == 1
    assert sorted(Retriever.load(index).info()["files"]) == ["c.txt"]


def test_the_cli_does_not_count_a_file_too_large_as_added_and_info_says_why(tmp_path, tiny_model):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    with open(data / "big.txt", "wb") as f:      # 60 MiB, sparse: refused by its size, never read
        f.truncate(60 * 2**20)
    built = run_cli("build", "data", "--index", "idx", "-q", "--model", str(tiny_model), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "1 files" in built.stdout and "+1 ~0 -0 files" in built.stdout, built.stdout
    assert "  big.txt: file is 60 MiB, over the 20 MiB limit; skipped" in built.stdout
    info = run_cli("info", "--index", "idx", cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    assert "files:     1 indexed\n  a.txt  (1 documents)\n" in info.stdout, info.stdout
    assert ("skipped:   1 not indexed (1 too large)\n"
            "  big.txt: file is 60 MiB, over the 20 MiB limit; skipped\n") in info.stdout, info.stdout
    as_json = json.loads(run_cli("info", "--index", "idx", "--json", cwd=tmp_path).stdout)
    assert list(as_json["files"]) == ["a.txt"] and as_json["skipped"] == 1
    assert as_json["skipped_items"][0]["path"] == "big.txt"


# ---------------------------------------------------------------- Ctrl-C during a build

def long_article(paragraphs: int) -> str:
    """A made-up report with `paragraphs` distinct paragraphs (each a new passage and sentences)."""
    places = ["鼓楼区", "台江区", "仓山区", "晋安区", "马尾区", "长乐区", "闽侯县", "连江县"]
    body = [f"第{n}组队员在{places[n % 8]}连续工作{n + 3}天，检查房屋{n * 7 + 11}栋。"
            f"他们还走访了{n * 3 + 5}户困难家庭，发放物资{n * 13 + 2}箱。" for n in range(paragraphs)]
    return "防汛工作简报\n\n" + "\n\n".join(body) + "\n"


def test_an_interrupted_build_keeps_what_it_embedded_in_whole_runs(tmp_path, data_copy, tiny_model, monkeypatch):
    """Ctrl-C after 411 of 1520 texts kept none of them: the cache was written at the end. Now each
    run of EMBED_RUN texts is written in one transaction as it is done, and a rerun resumes."""
    import shutil

    from bot import build as builder

    index, control = tmp_path / "index", tmp_path / "control"
    build_index([data_copy], index_dir=index, model=str(tiny_model))
    before = Retriever.load(index).manifest["built_at"]
    shutil.copytree(index, control)
    (data_copy / "long.txt").write_text(long_article(30), encoding="utf-8")
    new_texts = build_index([data_copy], index_dir=control, model=str(tiny_model)).embedded   # uninterrupted
    assert new_texts > 20
    monkeypatch.setattr(builder, "EMBED_RUN", 10, raising=False)
    put, runs = store.EmbeddingCache.put, []

    def ctrl_c_after_two_runs(cache, items):
        put(cache, items)
        runs.append(len(items))
        if len(runs) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(store.EmbeddingCache, "put", ctrl_c_after_two_runs)
    with pytest.raises(KeyboardInterrupt):
        build_index([data_copy], index_dir=index, model=str(tiny_model))
    assert runs == [10, 10]
    assert Retriever.load(index).manifest["built_at"] == before          # the previous index serves
    assert [p.name for p in index.glob("gen-*")] == [(index / "CURRENT").read_text().strip()]

    monkeypatch.undo()
    report = build_index([data_copy], index_dir=index, model=str(tiny_model))
    assert report.added == ["long.txt"] and report.embedded == new_texts - 20   # the two runs were kept


INTERRUPTIBLE = """
import sys, time
from bot import lexical

tokenize = lexical.tokenize
def slow(text):             # the indexing step as long as a big folder's, so Ctrl-C lands in it
    time.sleep(0.3)
    return tokenize(text)
lexical.tokenize = slow
if sys.argv[1] == "app":
    sys.path.insert(0, sys.argv[2])
    import app
    app.main(sys.argv[3:])
else:
    from bot.cli import main
    sys.argv[0] = "qabot"
    main()
"""


def interrupt(args: list[str], when: str, timeout: float = 300) -> tuple[int, list[str]]:
    """Run INTERRUPTIBLE with `args` in its own process group, send it SIGINT as Ctrl-C does
    once `when` shows in its output; (exit code, the output's lines, progress bars dropped)."""
    import select
    import signal
    import time

    env = os.environ | {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPTIBLE, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    out, sent, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([proc.stdout], [], [], 0.2)[0]:
            chunk = os.read(proc.stdout.fileno(), 1 << 16)
            if not chunk:
                break
            out += chunk
        if not sent and when.encode() in out:
            time.sleep(0.5)
            os.killpg(proc.pid, signal.SIGINT)
            sent = True
    proc.wait(timeout=60)
    assert sent, out.decode(errors="replace")
    lines = [line.split("\r")[-1].strip() for line in out.decode(errors="replace").splitlines()]
    return proc.returncode, [line for line in lines if line and "%|" not in line]


def test_ctrl_c_during_a_build_ends_it_in_one_line(seed_index, tmp_path, data_copy):
    """SIGINT while indexing printed "Aborted!", then "terminate called without an active exception"
    (SIGABRT, -6) 2 times in 3; now: exit 130, one line, the previous index unchanged."""
    import shutil

    index = tmp_path / "index"
    shutil.copytree(seed_index, index)
    before = Retriever.load(index).manifest["built_at"]
    (data_copy / "long.txt").write_text(long_article(12), encoding="utf-8")
    code, lines = interrupt(["build", str(data_copy), "--index", str(index)], when=" passages:")
    assert code == 130, lines
    assert lines[-1] == (f"qabot: build interrupted; the previous index in {index}/ is unchanged, "
                         f"and the texts embedded so far are kept for the next build"), lines
    assert not [line for line in lines if any(word in line for word in ("Traceback", "terminate", "Abort"))]
    assert Retriever.load(index).manifest["built_at"] == before
    assert build_index([data_copy], index_dir=index).embedded == 0        # it had embedded them all


def test_ctrl_c_during_the_chat_s_startup_build_ends_it_in_one_line(seed_index, tmp_path, data_copy):
    """app.py printed a 9-frame KeyboardInterrupt traceback."""
    import shutil

    index = tmp_path / "index"
    shutil.copytree(seed_index, index)
    (data_copy / "long.txt").write_text(long_article(12), encoding="utf-8")
    code, lines = interrupt(["app", str(ROOT), "--port", "7957", "--data", str(data_copy), "--index", str(index)],
                            when=" passages:")
    assert code == 130, lines
    assert lines[-1] == (f"qabot: build interrupted; the previous index in {index}/ is unchanged, "
                         f"and the texts embedded so far are kept for the next build"), lines
    assert "Traceback" not in "\n".join(lines) and "terminate" not in "\n".join(lines)
