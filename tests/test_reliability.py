"""Real folders hold broken files, and people ask broken questions.

One build (module fixture `bad`) indexes a folder holding every kind of bad file
next to good ones, with the real default model; each test below checks one kind:
a clear message naming the file, the rest indexed, the summary counting it.
Questions that cannot be searched get a clear message, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest

from bot import Retriever, build_index, documents, store
from bot.retriever import QuestionError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEED_NAME = "000_e7b07c6adf354492.txt"

pytestmark = pytest.mark.slow

SEED_TEXT = (DATA / SEED_NAME).read_text(encoding="utf-8")


def article(title: str, person: str, place: str, deed: str) -> str:
    """A small news article with a title, a date line and three paragraphs."""
    return (f"{title}\n\n日期:2023-03-0{len(person)} 来源:市政府办公室\n\n"
            f"{person}同志近日前往{place}，{deed}，受到当地群众的一致好评。\n\n"
            f"据介绍，{place}地处山区，交通不便。{person}带领工作组克服困难，连续工作了十二天，"
            f"走访农户一百余户，帮助解决实际问题三十多个。\n\n"
            f"{person}表示，今后将继续深入基层，把{place}的工作做细做实。\n")


GBK_TEXT = article("山区防汛工作纪实", "周明远", "永泰县嵩口镇", "组织群众转移避险")
# 䶮 (U+4DAE) and 𠀀 (U+20000) are outside GBK: only GB18030 encodes them.
GB18030_TEXT = article("刘䶮故里寻访记", "陈𠀀华", "闽清县坂东镇", "整理古村落的历史档案")
CRLF_TEXT = article("城区道路改造进展", "林海峰", "鼓楼区东街口", "协调解决道路施工中的难题")
BOM_TEXT = article("社区养老服务调查", "黄丽娟", "仓山区盖山镇", "调研社区居家养老服务")
BOM16_TEXT = article("乡村教师的一天", "吴建国", "罗源县起步镇", "看望坚守乡村学校的教师")
CHANGED_BEFORE = article("港口建设新动态", "郑志强", "长乐区松下镇", "查看港口码头的建设进度")
CHANGED_AFTER = article("港口建设新动态", "郑志强", "长乐区松下镇", "检查新建码头的安全生产")
DELETED_TEXT = article("湿地保护见闻", "许文静", "闽侯县南屿镇", "巡查湿地公园的生态保护")
LOCKED_TEXT = article("机密文件不应出现", "钱秘密", "某某保密镇", "处理不应被读取的材料")

HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>马尾船政文化节开幕</title>
<style>body { color: red; } .STYLE_MARKER { display: none; }</style>
<script>var SCRIPT_MARKER = "alert('pwned')"; document.cookie;</script>
<script src="https://cdn.example/tracker.js"></script>
</head><body>
<nav><a href="/">首页</a> | <a href="/news">新闻中心</a></nav>
<iframe src="https://ads.example/frame.html">IFRAME_MARKER 广告位招租</iframe>
<article>
<h1>马尾船政文化节开幕</h1>
<p>第十届马尾船政文化节昨日在马尾区开幕，来自海内外的三百多位嘉宾参加了开幕式。</p>
<p>本届文化节为期五天，期间将举办船政历史展览、海洋文化论坛和青少年航海知识竞赛等活动。</p>
<script>document.write("INLINE_SCRIPT_MARKER");</script>
<p>主办方表示，文化节旨在弘扬船政精神，推动海洋文化的传承与发展。</p>
</article>
<iframe srcdoc="<p>SRCDOC_MARKER</p>"></iframe>
<footer>版权所有</footer>
</body></html>
"""

JSONL_LINES = [
    json.dumps({"id": "ok-1", "title": "闽江口观鸟节", "text": "闽江河口湿地今年共记录到鸟类二百多种，其中包括珍稀的勺嘴鹬。"},
               ensure_ascii=False),
    '{"id": "broken", "text": "unterminated',                   # 2: not JSON
    '["a", "list"]',                                             # 3: not an object
    json.dumps({"id": "no-text", "title": "only a title"}),      # 4: no text
    json.dumps({"text": "a text without an id, which cannot be cited."}),   # 5: no id
    "",                                                          # 6: blank: ignored
    json.dumps({"id": 7, "title": "Fuzhou metro", "text": "Fuzhou metro line 4 opened on Saturday with twenty-three stations."}),
    json.dumps({"id": "dup-of-ok-1", "title": "again", "text": "闽江河口湿地今年共记录到鸟类二百多种，其中包括珍稀的勺嘴鹬。"},
               ensure_ascii=False),                          # 8: duplicate text of line 1
]

HUGE_BYTES = 100 * 2**20


def write_huge_text(path: Path) -> None:
    """100 MiB of real text (not a sparse file), written in 1 MiB blocks."""
    block = ("这是一个非常大的文本文件，用来检验大小限制。" * 40 + "\n").encode("utf-8")
    block = (block * (2**20 // len(block) + 1))[:2**20]
    with open(path, "wb") as f:
        for _ in range(HUGE_BYTES // 2**20):
            f.write(block)


def make_bad_folder(root: Path) -> Path:
    data = root / "data"
    data.mkdir()
    (data / "good.txt").write_text(SEED_TEXT, encoding="utf-8")
    (data / "empty.txt").write_bytes(b"")
    (data / "blank.md").write_bytes(b" \n\t\n\r\n   \n")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    (data / "picture.txt").write_bytes(png)
    (data / "program.md").write_bytes(Path(sys.executable).resolve().read_bytes()[:65536])
    write_huge_text(data / "huge.txt")
    (data / "gbk.txt").write_bytes(GBK_TEXT.encode("gbk"))
    (data / "gb18030.txt").write_bytes(GB18030_TEXT.encode("gb18030"))
    lines = CRLF_TEXT.split("\n")
    mixed = "".join(line + ("\r\n", "\r", "\n")[i % 3] for i, line in enumerate(lines))
    (data / "mixed_endings.txt").write_bytes(mixed.encode("utf-8"))
    (data / "bom.txt").write_bytes(BOM_TEXT.encode("utf-8-sig"))
    (data / "bom16.txt").write_bytes(BOM16_TEXT.encode("utf-16"))   # with its BOM
    (data / "records.jsonl").write_text("\n".join(JSONL_LINES) + "\n", encoding="utf-8")
    shutil.copy(data / "good.txt", data / "good_copy.txt")
    (data / "page.html").write_text(HTML, encoding="utf-8")
    (data / "locked.txt").write_text(LOCKED_TEXT, encoding="utf-8")
    (data / "zz_changed.txt").write_text(CHANGED_BEFORE, encoding="utf-8")
    (data / "zz_deleted.txt").write_text(DELETED_TEXT, encoding="utf-8")
    # links: a folder loop, a link to itself, a link to nothing
    (data / "sub").mkdir()
    (data / "sub" / "inner.txt").write_text(BOM_TEXT.replace("黄丽娟", "黄小娟"), encoding="utf-8")
    os.symlink("..", data / "sub" / "loop")
    os.symlink("self.txt", data / "self.txt")
    os.symlink("nowhere.txt", data / "broken.txt")
    os.mkfifo(data / "pipe.txt")
    return data


class Unreadable:
    """`open` that refuses one file as an unprivileged user would be refused.

    The tests run as root, for whom chmod 000 changes nothing; this refuses the
    file at the same call that would fail for a user (see also
    test_unreadable_files_with_dropped_privileges, which uses real permissions)."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __call__(self, file, *args, **kwargs):
        if str(file) == self.path:
            raise PermissionError(13, "Permission denied", str(file))
        return open(file, *args, **kwargs)


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    """Build an index of the bad folder once; `locked.txt` is unreadable and two
    files change while the build reads the others."""
    root = tmp_path_factory.mktemp("bad")
    data = make_bad_folder(root)
    real_read_file = documents.read_file
    events = []

    def read_file_meanwhile(path, name, *args, **kwargs):
        # While the build reads good.txt (after every file was hashed), one file
        # is deleted and another rewritten, as a user might do in another window.
        if name == "good.txt":
            (data / "zz_deleted.txt").unlink()
            (data / "zz_changed.txt").write_text(CHANGED_AFTER, encoding="utf-8")
            events.append(name)
        return real_read_file(path, name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(documents, "open", Unreadable(data / "locked.txt"), raising=False)
        mp.setattr(documents, "read_file", read_file_meanwhile)
        started = time.perf_counter()
        report = build_index([data], index_dir=root / "index")
        seconds = time.perf_counter() - started
    assert events == ["good.txt"]
    retriever = Retriever.load(root / "index")
    return {"data": data, "index": root / "index", "report": report, "seconds": seconds,
            "retriever": retriever, "summary": report.summary()}


def problems_of(bad, name):
    return [p for p in bad["report"].skipped if p.path == name]


def texts_of(bad, source):
    return [p.text for p in bad["retriever"].passages if p.source == source]


def all_text(bad):
    return "\n".join(p.title + "\n" + p.section + "\n" + p.text for p in bad["retriever"].passages)


def assert_skipped(bad, name, *words):
    found = problems_of(bad, name)
    assert found, f"no problem reported for {name}: {bad['report'].skipped}"
    for word in words:
        assert any(word in p.reason for p in found), (name, word, found)
    for p in found:   # the summary names the file and says why
        assert f"  {p}" in bad["summary"] and str(p).startswith(name)
    assert not texts_of(bad, name)


# ---------------------------------------------------------------- the build goes on

def test_the_build_goes_on_and_the_summary_counts_what_was_skipped(bad):
    report, summary = bad["report"], bad["summary"]
    indexed = {p.source for p in bad["retriever"].passages}
    assert indexed == {"good.txt", "gbk.txt", "gb18030.txt", "mixed_endings.txt", "bom.txt",
                       "bom16.txt", "records.jsonl", "page.html", "zz_changed.txt", "sub/inner.txt"}
    assert f"skipped {len(report.skipped)}:" in summary
    assert len(report.skipped) == len(summary.splitlines()) - 2
    # the summary counts the problems by kind
    counts = report.skipped_counts()
    assert sum(counts.values()) == len(report.skipped)
    assert counts == {"not a regular file": 3, "empty": 2, "binary": 2, "unreadable": 1,
                      "too large": 1, "duplicate": 2, "bad JSONL line": 4, "symlink loop": 1,
                      "gone while building": 1}, counts
    tally = summary.splitlines()[1]
    assert tally.startswith("skipped 17: 4 bad JSONL line, 3 not a regular file, "), tally
    for kind, n in counts.items():
        assert f" {n} {kind}" in tally, (kind, tally)
    manifest = bad["retriever"].manifest
    assert [documents.Problem(**p) for p in manifest["skipped"]] == report.skipped
    assert manifest["counts"]["passages"] == len(bad["retriever"].passages)
    # a second build of the unchanged folder is a no-op that still reports the problems
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(documents, "open", Unreadable(bad["data"] / "locked.txt"), raising=False)
        again = build_index([bad["data"]], index_dir=bad["index"])
    assert again.up_to_date and again.skipped == report.skipped


def test_empty_files(bad):
    assert_skipped(bad, "empty.txt", "empty file")
    assert_skipped(bad, "blank.md", "empty file")


def test_binary_files_with_text_extensions(bad):
    assert_skipped(bad, "picture.txt", "binary")
    assert_skipped(bad, "program.md", "binary")
    assert "IHDR" not in all_text(bad) and "ELF" not in all_text(bad)


def test_a_100_mib_text_file_is_refused_quickly(bad):
    assert (bad["data"] / "huge.txt").stat().st_size == HUGE_BYTES
    assert_skipped(bad, "huge.txt", "100 MiB", "over the 20 MiB limit")
    assert "非常大的文本文件" not in all_text(bad)


def test_a_100_mib_file_is_refused_unread(tmp_path):
    huge = tmp_path / "huge.txt"
    write_huge_text(huge)
    opened = []

    def watching_open(file, *args, **kwargs):
        opened.append(str(file))
        return open(file, *args, **kwargs)

    tracemalloc.start()
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(documents, "open", watching_open, raising=False)
            found = documents.scan([tmp_path])
            digest = documents.file_hash(found.files["huge.txt"])
            got = documents.read_file(huge, "huge.txt")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # refused by its size: never opened, neither to hash it nor to read it
    assert opened == []
    assert peak < 8 * 2**20, f"reading a refused file took {peak / 2**20:.0f} MiB"
    assert len(digest) == 16 and not got.documents and "over the 20 MiB limit" in got.problems[0].reason
    # a change to the file is still noticed (by its size and time), and a small file is hashed
    with open(huge, "ab") as f:
        f.write(b"more")
    assert documents.file_hash(huge) != digest
    small = tmp_path / "small.txt"
    small.write_bytes(b"abc")
    assert documents.file_hash(small) == hashlib.sha256(b"abc").hexdigest()[:16]


def test_a_file_that_grows_while_read_is_cut_at_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "growing.txt"
    path.write_text("小" * 100, encoding="utf-8")
    reads = []

    def growing_open(file, mode="r", *args, **kwargs):
        if str(file) == str(path):     # the file grows after its size was checked
            with open(path, "ab") as f:
                f.write(b"x" * 5000)
        f = open(file, mode, *args, **kwargs)
        real_read = f.read
        f.read = lambda n=-1: reads.append(n) or real_read(n)
        return f

    monkeypatch.setattr(documents, "open", growing_open, raising=False)
    got = documents.read_file(path, "growing.txt", max_bytes=1000)
    assert reads == [1001]
    assert not got.documents and "over the" in got.problems[0].reason


@pytest.mark.parametrize("name, text", [("gbk.txt", GBK_TEXT), ("gb18030.txt", GB18030_TEXT)])
def test_gbk_and_gb18030_files(bad, name, text):
    assert not problems_of(bad, name)
    passages = texts_of(bad, name)
    title = text.split("\n")[0]
    assert all(p.title == title for p in bad["retriever"].passages if p.source == name)
    body = "".join("".join(p.split()) for p in passages)
    for para in text.split("\n\n")[2:]:
        assert "".join(para.split()) in body
    if name == "gb18030.txt":
        assert "䶮" in title and "𠀀" in body


def test_mixed_line_endings(bad):
    assert not problems_of(bad, "mixed_endings.txt")
    passages = [p for p in bad["retriever"].passages if p.source == "mixed_endings.txt"]
    assert passages and all("\r" not in p.text for p in passages)
    assert passages[0].title == "城区道路改造进展" and passages[0].date == "2023-03-03"
    # the three paragraphs stay apart: no line ending was lost or doubled
    assert "".join("".join(p.text.split()) for p in passages) == "".join(
        "".join(para.split()) for para in CRLF_TEXT.split("\n\n")[2:])


@pytest.mark.parametrize("name, title", [("bom.txt", "社区养老服务调查"), ("bom16.txt", "乡村教师的一天")])
def test_byte_order_marks(bad, name, title):
    assert not problems_of(bad, name)
    passages = [p for p in bad["retriever"].passages if p.source == name]
    assert passages and passages[0].title == title
    assert not any("\ufeff" in p.text + p.title for p in passages)


def test_malformed_jsonl_lines_are_reported_by_line_and_the_rest_kept(bad):
    found = {p.line: p.reason for p in problems_of(bad, "records.jsonl")}
    assert set(found) == {2, 3, 4, 5, None}
    assert "not valid JSON" in found[2]
    assert "JSON object" in found[3]
    assert '"text"' in found[4] and '"id"' in found[5]
    # line 8 repeats line 1's text: named by its id
    assert found[None] == "document 'dup-of-ok-1' duplicates 'records.jsonl:ok-1'; indexed once"
    assert "  records.jsonl:2: not valid JSON" in bad["summary"]
    ids = {p.doc_id for p in bad["retriever"].passages if p.source == "records.jsonl"}
    assert ids == {"ok-1", "7"}


def test_duplicate_documents_are_indexed_once(bad):
    assert_skipped(bad, "good_copy.txt", "duplicates 'good.txt'", "indexed once")
    seed_lines = [p.text for p in bad["retriever"].passages if p.source == "good.txt"]
    assert len(seed_lines) == len(set(seed_lines))
    texts = [p.text for p in bad["retriever"].passages]
    assert len(texts) == len(set(texts))


def test_html_scripts_styles_and_iframes_are_not_text(bad):
    assert not problems_of(bad, "page.html")
    passages = [p for p in bad["retriever"].passages if p.source == "page.html"]
    text = "\n".join(p.text for p in passages)
    assert "马尾船政文化节" in passages[0].title
    assert "三百多位嘉宾" in text and "青少年航海知识竞赛" in text and "船政精神" in text
    for marker in ("SCRIPT_MARKER", "alert", "cookie", "tracker", "STYLE_MARKER", "color",
                   "IFRAME_MARKER", "广告位", "SRCDOC_MARKER", "<script", "<p>", "{"):
        assert marker not in all_text(bad), marker


def test_a_file_deleted_while_building(bad):
    assert_skipped(bad, "zz_deleted.txt", "cannot read", "No such file")
    assert "湿地公园" not in all_text(bad)


def test_a_file_changed_while_building_is_recorded_as_read(bad):
    assert not problems_of(bad, "zz_changed.txt")
    text = all_text(bad)
    assert "安全生产" in text and "码头的建设进度" not in text      # the version read is indexed
    recorded = bad["retriever"].manifest["files"]["zz_changed.txt"]["hash"]
    assert recorded == hashlib.sha256(CHANGED_AFTER.encode("utf-8")).hexdigest()[:16]


def test_a_file_changed_back_after_a_build_is_noticed(tmp_path, monkeypatch):
    """Were the hash taken before the read, this rebuild would wrongly say "up to date"."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text(GBK_TEXT, encoding="utf-8")
    (data / "port.txt").write_text(CHANGED_BEFORE, encoding="utf-8")
    real_read_file = documents.read_file

    def edit_meanwhile(path, name, *args, **kwargs):
        if name == "a.txt":
            (data / "port.txt").write_text(CHANGED_AFTER, encoding="utf-8")
        return real_read_file(path, name, *args, **kwargs)

    monkeypatch.setattr(documents, "read_file", edit_meanwhile)
    build_index([data], index_dir=tmp_path / "index")
    monkeypatch.undo()
    (data / "port.txt").write_text(CHANGED_BEFORE, encoding="utf-8")   # the user undoes the edit
    again = build_index([data], index_dir=tmp_path / "index")
    assert not again.up_to_date and again.changed == ["port.txt"]
    text = "".join(p.text for p in Retriever.load(tmp_path / "index").passages)
    assert "码头的建设进度" in text and "安全生产" not in text


def test_unreadable_files(bad):
    assert_skipped(bad, "locked.txt", "cannot read", "Permission denied")
    assert "钱秘密" not in all_text(bad)


def test_symlink_loops_and_broken_links(bad):
    loop = problems_of(bad, "sub/loop")
    assert loop and "symlink loop" in loop[0].reason
    assert_skipped(bad, "self.txt", "not a regular file")
    assert_skipped(bad, "broken.txt", "not a regular file")
    assert_skipped(bad, "pipe.txt", "not a regular file")       # a FIFO would block a reader
    # the file under the loop is indexed once, under its real name
    assert {p.source for p in bad["retriever"].passages if "黄小娟" in p.text} == {"sub/inner.txt"}


DROP_PRIVILEGES = """
import os, sys, json
from pathlib import Path
from bot import documents
import codecs, charset_normalizer   # everything is imported before the privileges go
for codec in ("utf-8-sig", "utf-16", "gb18030"):
    codecs.lookup(codec)
os.setgroups([]); os.setgid(65534); os.setuid(65534)
root = Path(sys.argv[1])
found = documents.scan([root])
problems = [str(p) for p in found.problems]
for name, path in found.files.items():
    problems += [str(p) for p in documents.read_file(path, name).problems]
print(json.dumps({"files": sorted(found.files), "problems": problems}))
"""


def test_unreadable_files_with_dropped_privileges(tmp_path):
    """Real permissions: as root the reading runs in a child that drops to `nobody`."""
    tmp_path = Path(tempfile.mkdtemp(prefix="qabot-perm-"))   # pytest's tmp is root-only
    data = tmp_path / "data"
    (data / "closed").mkdir(parents=True)
    (data / "ok.txt").write_text(GBK_TEXT, encoding="utf-8")
    (data / "secret.txt").write_text(LOCKED_TEXT, encoding="utf-8")
    (data / "closed" / "inside.txt").write_text(LOCKED_TEXT, encoding="utf-8")
    os.chmod(data / "secret.txt", 0)
    os.chmod(data / "closed", 0)
    for p in (tmp_path, data):
        os.chmod(p, 0o755)
    try:
        if os.geteuid() == 0:
            run = subprocess.run([sys.executable, "-c", DROP_PRIVILEGES, str(data)], capture_output=True,
                                 text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
            assert run.returncode == 0, run.stderr
            found = json.loads(run.stdout)
        else:
            scan = documents.scan([data])
            found = {"files": sorted(scan.files),
                     "problems": [str(p) for p in scan.problems] + [
                         str(p) for n, path in scan.files.items()
                         for p in documents.read_file(path, n).problems]}
    finally:
        os.chmod(data / "secret.txt", 0o644)
        os.chmod(data / "closed", 0o755)
        shutil.rmtree(tmp_path)
    assert found["files"] == ["ok.txt", "secret.txt"]
    assert "secret.txt: cannot read: Permission denied" in found["problems"]
    assert "closed: cannot open folder: Permission denied" in found["problems"]


# ---------------------------------------------------------------- questions

NASTY_QUESTIONS = {
    "empty": "",
    "whitespace": " \t\n\u3000\u00a0 ",
    "emoji only": "😀🎉🔥👍🏽",
    "control characters only": "\x00\x01\x07\x1b\x7f\u200b\u200e",
}
ODD_QUESTIONS = {
    "10,000 characters": "谁去了南通镇?" * 1500,
    "10,000 letters": "x" * 10_000,
    "control characters": "\x00谁\x07去了\x1b[31m南通镇\x00?",
    "markup": "<script>alert('x')</script><img src=x onerror=alert(1)> 谁去了南通镇?",
    "sql": "'; DROP TABLE passages; -- 南通镇",
    "template": "{{7*7}} ${jndi:ldap://x} %s%n 南通镇",
    "path": "../../etc/passwd",
    "bidi override": "\u202e南通镇\u202c 谁去了",
    "lone surrogate": "南通镇\ud800?",
    "emoji and words": "🔥 Who went to Nantong town? 🔥",
}


@pytest.mark.parametrize("label", list(NASTY_QUESTIONS))
def test_questions_without_words_get_a_clear_message(seed_retriever, label):
    with pytest.raises(QuestionError) as refused:
        seed_retriever.search(NASTY_QUESTIONS[label])
    message = str(refused.value)
    assert message in ("the question is empty", "the question has no words to search for")


@pytest.mark.parametrize("label", list(ODD_QUESTIONS))
def test_odd_questions_get_plain_answers(seed_retriever, label):
    question = ODD_QUESTIONS[label]
    hits = seed_retriever.search(question, k=3)
    assert 0 < len(hits) <= 3
    passages = {p.text for p in seed_retriever.passages}
    for h in hits:
        # what comes back is the indexed text, nothing of the question
        assert h.text in passages and h.answer in h.text
        json.dumps(h.to_dict(), ensure_ascii=False)
        for bad in ("<script", "onerror", "DROP TABLE", "{{", "jndi", "\x00", "\x1b", "\ud800"):
            assert bad not in json.dumps(h.to_dict(), ensure_ascii=False)
    if "南通镇" in question:
        assert any("南通镇" in h.text for h in hits)


def test_questions_that_are_not_text(seed_retriever):
    for question in (None, 42, b"\xe5\x8d\x97\xe9\x80\x9a"):
        with pytest.raises(QuestionError, match="must be text"):
            seed_retriever.search(question)


OUT_OF_RANGE_K = [0, -3, 101, 500, 2.5, "abc", "", None, True, float("nan")]
K_RANGE = r"k \(the number of passages\) must be a whole number from 1 to 100, not "


@pytest.mark.parametrize("k", OUT_OF_RANGE_K, ids=repr)
def test_a_k_out_of_range_is_an_error_naming_the_range(seed_retriever, k):
    """k=0 and k=-3 returned one passage, k=500 a hundred, k="abc" int()'s own words; the CLI's
    -k already said the range. A conversation's follow-up pools passages by k before searching."""
    from bot.conversation import Conversation

    with pytest.raises(QuestionError, match=K_RANGE):
        seed_retriever.search("谁去了南通镇?", k=k)
    with pytest.raises(QuestionError, match=K_RANGE):
        Conversation(seed_retriever).ask("谁去了南通镇?", k=k)


def test_k_from_1_to_100_however_it_is_written(seed_retriever):
    search = lambda k: seed_retriever.search("谁去了南通镇?", k=k)   # noqa: E731
    assert len(search(1)) == 1
    assert [len(search(k)) for k in (3, 3.0, "3")] == [3, 3, 3]     # a form's or a JSON client's 3
    assert len(search(100)) == min(100, len(seed_retriever.passages))


@pytest.mark.parametrize("question", ["", "   ", "😀🎉", "\x01\x02"])
def test_the_cli_refuses_bad_questions_without_a_traceback(seed_index, question):
    run = subprocess.run([sys.executable, "-m", "bot", "ask", question, "--index", str(seed_index)],
                         capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "Error: the question" in run.stderr


# ---------------------------------------------------------------- damaged indexes

@pytest.fixture
def index_copy(seed_index, tmp_path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(seed_index, target)
    return target


def damages(data: bytes):
    middle = len(data) // 2
    yield "emptied", b""
    yield "cut in half", data[:middle]
    yield "cut by one byte", data[:-1]
    yield "one byte flipped", data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1:]
    yield "garbage appended", data + b"\x00\x01garbage"


def test_every_damaged_or_missing_index_file_is_detected_on_load(index_copy):
    gen = store.current_generation(index_copy)
    files = sorted(p for p in gen.rglob("*") if p.is_file())
    assert {"manifest.json", "passages.jsonl", "dense.faiss", "sentences.npy"} <= {p.name for p in files}
    checked = 0
    for path in files:
        original = path.read_bytes()
        for how, damaged in [*damages(original), ("removed", None)]:
            if damaged is None:
                path.unlink()
            else:
                path.write_bytes(damaged)
            with pytest.raises(store.CorruptIndex) as found:
                Retriever.load(index_copy)
            message = str(found.value)
            assert path.name in message and "rebuild with `qabot build --full`" in message, (path, how, message)
            checked += 1
        path.write_bytes(original)
    assert Retriever.load(index_copy).passages
    assert checked == 6 * len(files)


def test_damaged_files_are_refused_even_without_verification(index_copy):
    """verify=False skips the checksums; a cut file must still be refused, not crash."""
    gen = store.current_generation(index_copy)
    for path in sorted(p for p in gen.rglob("*") if p.is_file()):
        original = path.read_bytes()
        for how, damaged in [("emptied", b""), ("cut in half", original[:len(original) // 2])]:
            path.write_bytes(damaged)
            try:
                r = Retriever.load(index_copy, verify=False)
            except store.CorruptIndex as e:
                assert "qabot build --full" in str(e)
            else:   # only a file the reader does not need may be damaged without notice
                assert path.name in ("tokens.jsonl",), (path, how)
                assert len(r.passages) == len(r.dense)
        path.write_bytes(original)


@pytest.mark.parametrize("pointer", [b"", b"\xff\xfe\x00\x01", b"gen-19990101T000000-000000",
                                     b"../../etc", b"/etc", b"gen-x/../../x", b"\n\n"])
def test_a_damaged_current_pointer_is_detected(index_copy, pointer):
    (index_copy / store.CURRENT).write_bytes(pointer)
    with pytest.raises(store.CorruptIndex, match="CURRENT.*rebuild with `qabot build --full`"):
        Retriever.load(index_copy)


@pytest.mark.parametrize("manifest", ["[]", "1", '"text"', "{}", '{"format": 1}', "null"])
def test_a_manifest_that_is_not_one_is_detected(index_copy, manifest):
    gen = store.current_generation(index_copy)
    (gen / store.MANIFEST).write_text(manifest, encoding="utf-8")
    with pytest.raises(store.CorruptIndex, match="manifest.json.*qabot build --full"):
        Retriever.load(index_copy)


def test_a_manifest_edited_but_still_json_is_detected(index_copy):
    gen = store.current_generation(index_copy)
    manifest = json.loads((gen / store.MANIFEST).read_text(encoding="utf-8"))
    manifest["counts"]["passages"] += 1
    (gen / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(store.CorruptIndex, match="manifest.json is damaged"):
        Retriever.load(index_copy)


def test_a_damaged_index_can_be_rebuilt_as_the_message_says(index_copy, data_copy):
    gen = store.current_generation(index_copy)
    (gen / "sentences.npy").write_bytes(b"")
    (index_copy / "embeddings.sqlite").write_bytes(b"this is not a database" * 50)
    with pytest.raises(store.CorruptIndex, match="qabot build --full"):
        Retriever.load(index_copy)
    report = build_index([data_copy], index_dir=index_copy, full=True)
    assert report.embedded > 0          # the damaged cache was started afresh
    r = Retriever.load(index_copy)
    assert any("南通镇" in h.text for h in r.search("谁去了南通镇?", k=2))


@pytest.mark.parametrize("how", ["garbage", "cut in half"])
def test_a_damaged_embedding_cache_is_started_afresh(tmp_path, how):
    cache_path = tmp_path / "embeddings.sqlite"
    cache = store.EmbeddingCache(cache_path, "m")
    import numpy as np
    cache.put({f"k{i}": np.full(8, i, np.float32) for i in range(2000)})
    cache.close()
    for suffix in ("-wal", "-shm"):
        Path(str(cache_path) + suffix).unlink(missing_ok=True)
    data = cache_path.read_bytes()
    cache_path.write_bytes(b"not sqlite" * 100 if how == "garbage" else data[:len(data) // 2])
    cache = store.EmbeddingCache(cache_path, "m")
    found = cache.get([f"k{i}" for i in range(2000)])
    assert all(np.array_equal(v, np.full(8, int(k[1:]), np.float32)) for k, v in found.items())
    cache.put({"new": np.ones(8, np.float32)})
    cache.keep_only({"new"})
    assert list(cache.get(["new"])) == ["new"]
    cache.close()


@pytest.mark.parametrize("damage", ["vector too short", "dimension of another model", "not a number"])
def test_a_bad_row_in_the_embedding_cache_is_dropped_not_fatal(tmp_path, data_copy, tiny_model, damage):
    """One wrong row (written by a bug, another tool or bad memory) must not fail every build,
    --full included: the cache checks what it reads and embeds that text again."""
    import sqlite3

    import numpy as np

    index = tmp_path / "index"
    build_index([data_copy], index_dir=index, model=str(tiny_model))
    db = sqlite3.connect(str(index / "embeddings.sqlite"))
    key, dim = db.execute("SELECT hash, dim FROM embeddings LIMIT 1").fetchone()
    row = {"vector too short": (dim, np.ones(dim - 1, np.float32)),
           "dimension of another model": (dim + 2, np.ones(dim + 2, np.float32)),
           "not a number": (dim, np.full(dim, np.nan, np.float32))}[damage]
    with db:
        db.execute("UPDATE embeddings SET dim = ?, vector = ? WHERE hash = ?",
                   (row[0], row[1].tobytes(), key))
    db.close()
    (data_copy / "new.txt").write_text(article("港口建设新动态", "郑志强", "长乐区松下镇", "查看码头"),
                                       encoding="utf-8")
    report = build_index([data_copy], index_dir=index)
    assert report.embedded >= 1         # the bad row's text was embedded again
    r = Retriever.load(index)
    assert np.isfinite(np.asarray(r.dense.index.reconstruct_n(0, len(r.passages)))).all()
    assert build_index([data_copy], index_dir=index, full=True).passages == report.passages


# ---------------------------------------------------------------- nothing executable is loaded

ALLOWED_SUFFIXES = (".json", ".jsonl", ".npy", ".faiss", ".sqlite", ".sqlite-wal", ".sqlite-shm")


def test_an_index_holds_only_json_npy_faiss_and_sqlite(seed_index):
    import numpy as np

    files = [p for p in seed_index.rglob("*") if p.is_file()]
    for path in files:
        rel = path.relative_to(seed_index).as_posix()
        assert rel in (store.CURRENT, ".lock") or rel.endswith(ALLOWED_SUFFIXES), rel
        head = path.read_bytes()[:16]
        assert not head.startswith(b"\x80") and b"PK\x03\x04" not in head, f"{rel} looks pickled or zipped"
        if rel.endswith(".npy"):
            array = np.load(path, allow_pickle=False, mmap_mode="r")
            assert array.dtype.kind in "fiub", (rel, array.dtype)
        elif rel.endswith((".json", ".jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines() if rel.endswith(".jsonl") else [
                    path.read_text(encoding="utf-8")]:
                json.loads(line)
        elif rel.endswith(".faiss"):
            assert head[:4] in (b"IxFI", b"IHNf", b"IxF2"), (rel, head[:4])
        elif rel.endswith(".sqlite"):
            assert head == b"SQLite format 3\x00"


def test_every_np_load_in_the_engine_refuses_pickles():
    import ast

    calls = 0
    for source in sorted((ROOT / "bot").glob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                for bad in ("pickle", "dill", "joblib", "shelve", "marshal", "cloudpickle"):
                    assert not any(n == bad or n.startswith(bad + ".") for n in names), (source.name, bad)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = node.func.attr
                if name == "load" and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy"):
                    calls += 1
                    kw = {k.arg: k.value for k in node.keywords}
                    assert "allow_pickle" in kw and isinstance(kw["allow_pickle"], ast.Constant) \
                        and kw["allow_pickle"].value is False, f"{source.name}:{node.lineno}"
                assert not (name == "load" and isinstance(node.func.value, ast.Name)
                            and node.func.value.id == "torch"), f"torch.load in {source.name}:{node.lineno}"
    assert calls >= 1


PLANTED = b"cos\nsystem\n(S'touch %s'\ntR."     # a pickle that runs a shell command


def pickled_npy(path: Path, command_target: Path) -> None:
    """An .npy of dtype object whose data is a pickle that runs `touch command_target`."""
    import io

    import numpy as np

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    path.write_bytes(buf.getvalue() + PLANTED % str(command_target).encode())


def test_a_planted_pickle_is_never_loaded(index_copy, tmp_path, monkeypatch):
    import pickle

    import numpy as np

    # the payload is real: loading it with pickles allowed runs the command
    proof = tmp_path / "proof"
    pickled_npy(tmp_path / "proof.npy", proof)
    np.load(tmp_path / "proof.npy", allow_pickle=True)
    assert proof.exists()

    sentinel = tmp_path / "pwned"
    payload = PLANTED % str(sentinel).encode()
    gen = store.current_generation(index_copy)
    for where in (index_copy, gen, gen / "lexical", gen / "lexical" / "words"):
        for name in ("index.pkl", "passages.pkl", "dense.pickle", "model.pt", "data.joblib", "x.npy"):
            (where / name).write_bytes(payload)
    # pickle is not even called while loading and searching, and np.load never allows it
    called = []

    def refuse(*args, **kwargs):
        called.append(args)
        raise AssertionError("pickle used")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    allowed = []
    real_np_load = np.load

    def np_load(*args, allow_pickle=False, **kwargs):
        allowed.append(allow_pickle)
        return real_np_load(*args, allow_pickle=allow_pickle, **kwargs)

    monkeypatch.setattr(np, "load", np_load)
    r = Retriever.load(index_copy)
    assert r.search("谁去了南通镇?", k=2)
    assert allowed and not any(allowed), allowed
    assert not called and not sentinel.exists()
    monkeypatch.undo()

    # an index file replaced by a pickle is refused, not run, with or without verification
    for name in ("sentences.npy", "sentence_offsets.npy"):
        original = (gen / name).read_bytes()
        pickled_npy(gen / name, sentinel)
        for verify in (True, False):
            with pytest.raises(store.CorruptIndex, match=f"{name}|cannot be read"):
                Retriever.load(index_copy, verify=verify)
        (gen / name).write_bytes(original)
    lexical_npy = sorted(p for p in (gen / "lexical").rglob("*.npy") if p.name != "x.npy")
    assert lexical_npy
    for path in lexical_npy:
        original = path.read_bytes()
        pickled_npy(path, sentinel)
        with pytest.raises(store.CorruptIndex):
            Retriever.load(index_copy, verify=False)
        path.write_bytes(original)
    assert not sentinel.exists()
    assert Retriever.load(index_copy).passages


def test_cleanup_never_deletes_the_live_generation_when_current_is_unreadable(tmp_path, monkeypatch):
    """A build that failed on an I/O error cleans up; if CURRENT cannot be read then, the
    live generation is unknown and must stay: only half-written `.tmp` generations go."""
    index = tmp_path / "index"
    live, old, half = (index / name for name in ("gen-2-live", "gen-1-old", "gen-3-x.tmp"))
    for gen in (live, old, half):
        gen.mkdir(parents=True)
    (index / store.CURRENT).write_text(live.name, encoding="utf-8")
    real_read_text = Path.read_text

    def failing(self, *args, **kwargs):
        if self.name == store.CURRENT:
            raise OSError(5, "Input/output error")
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", failing)
    store.remove_stale_generations(index)
    assert live.is_dir() and old.is_dir() and not half.exists()
    monkeypatch.setattr(Path, "read_text", real_read_text)
    store.remove_stale_generations(index)               # readable again: the old one goes
    assert live.is_dir() and not old.exists()
