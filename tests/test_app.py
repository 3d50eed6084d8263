"""The web chat (app.py, bot/chat/): rendering, uploads and examples as plain functions; then
the real app started on a free port and called the way a script would: gradio_client, curl.

The browser tests are in test_app_browser.py.
"""

import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import DATA, ROOT
from running_app import RunningApp

sys.path.insert(0, str(ROOT))     # app.py is a script at the top of the repository, not a package
import app  # noqa: E402
from bot.chat import engine as chat_engine, examples, render, uploads  # noqa: E402
from bot.retriever import Hit  # noqa: E402

SCRIPT = "<script>alert('x')</script>"


ANSWER = "苏健同志支援闽侯县南通镇开展疫情防控工作。"
PASSAGE = ANSWER + "他全力做好后勤服务，为77名队员提供防疫物资、食品等生活保障，" * 3 + "后来转战新店镇。"


def hit(text=PASSAGE, span=(0, len(ANSWER)), terms=("南通镇",), confidence=0.9, relevant=True, **kw):
    fields = dict(doc_id="a.txt", title="响应号召 逆行有我", section="苏健 政策法规处处长", text=text,
                  score=1.0, confidence=confidence, answer_span=span, source="a.txt", position=4,
                  date="2022-11-16", matched_terms=tuple(terms), relevant=relevant)
    fields.update(kw)
    return Hit(**fields)


class _Reader(HTMLParser):
    """Text content and tag nesting of a rendered fragment."""

    VOID = {"br"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.stack, self.tags, self.ok = [], [], [], True

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "br":
            self.text.append("\n")
        elif tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.ok = False

    def handle_data(self, data):
        self.text.append(data)


def read_html(fragment: str) -> _Reader:
    r = _Reader()
    r.feed(fragment)
    r.close()
    assert r.ok and not r.stack, f"badly nested HTML: {fragment}"
    return r


def marked(fragment: str, cls: str) -> list[str]:
    """Texts of the elements with class `cls`, in document order."""
    class Collect(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.open, self.found = [], []          # open: [is-target, text so far] per element

        def handle_starttag(self, tag, attrs):
            if tag == "br":
                self.handle_data("\n")
            else:
                self.open.append([cls in (dict(attrs).get("class") or "").split(), []])

        def handle_endtag(self, tag):
            target, text = self.open.pop()
            if target:
                self.found.append("".join(text))

        def handle_data(self, data):
            for target, text in self.open:
                if target:
                    text.append(data)

    c = Collect()
    c.feed(fragment)
    return c.found


# ---------------------------------------------------------------- rendering

def test_highlight_marks_answer_and_terms_and_keeps_the_text():
    text = "苏健同志支援闽侯县南通镇开展工作。他后来去了新店镇。"
    out = render.highlight(text, (0, 17), ["南通镇", "新店镇"])
    r = read_html(out)
    assert "".join(r.text) == text                       # nothing lost, nothing added
    assert out.count('<mark class="qa-ans">') == 1
    assert marked(out, "qa-ans") == ["苏健同志支援闽侯县南通镇开展工作。"]
    assert marked(out, "qa-term") == ["南通镇", "新店镇"]


def test_highlight_escapes_every_segment():
    text = f'A {SCRIPT} & <b>bold</b> "quoted" went to Nantong.\nNext line <img src=x onerror=alert(1)>'
    out = render.highlight(text, (2, 40), ["script", "nantong", "img"])
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    assert "&lt;" in out and "&amp;" in out and "&quot;quoted&quot;" in out
    r = read_html(out)
    assert "".join(r.text) == text
    assert {t for t, _ in r.tags} <= {"mark", "strong", "br"}
    # Terms match case-insensitively but keep the article's own spelling.
    assert "Nantong" in marked(out, "qa-term") and "script" in marked(out, "qa-term")


def test_highlight_handles_terms_across_the_answer_edge_and_overlaps():
    text = "abcdef ghij"
    out = render.highlight(text, (0, 4), ["cdef", "bcd", "zz", ""])
    assert "".join(read_html(out).text) == text
    # "cdef" (longer) wins over the overlapping "bcd"; it is split at the answer's end.
    assert marked(out, "qa-ans") == ["abcd"]
    assert marked(out, "qa-term") == ["cd", "ef"]
    assert render.term_spans(text, ["cdef", "bcd", "hij"]) == [(2, 6), (8, 11)]
    assert render.term_spans("南通镇", ["南通", "镇"]) == [(0, 3)]   # adjacent terms: one mark


def test_highlight_tolerates_a_bad_span():
    assert "".join(read_html(render.highlight("abc", (5, 9))).text) == "abc"
    assert "".join(read_html(render.highlight("abc", (2, 1))).text) == "abc"


def test_hit_card_shows_title_section_date_source_confidence_and_full_passage():
    card = render.render_hit(hit(), 1)
    read_html(card)
    for part in ("响应号召 逆行有我", "苏健 政策法规处处长", "2022-11-16", "a.txt", "¶5",
                 "High confidence · 90%", "Full passage", 'class="qa-card qa-high"'):
        assert part in card
    # The answer is highlighted twice: in the card's snippet and in the full passage.
    assert marked(card, "qa-ans") == [ANSWER, ANSWER]
    assert "南通镇" in marked(card, "qa-term")
    assert card.count("…") == 1 and "新店镇" not in card.split("Full passage")[0]
    low = render.render_hit(hit(confidence=0.2, relevant=False), 3)
    assert "Low confidence · 20%" in low and "qa-low" in low
    # A one-sentence passage has nothing more to expand.
    short = render.render_hit(hit(text="苏健去了南通镇。", span=(0, 8)), 1)
    assert "Full passage" not in short


@pytest.mark.parametrize("confidence, relevant, level, words", [
    (0.6959, True, "medium", "Medium confidence · 69%"),     # was "Medium confidence · 70%"
    (0.7, True, "high", "High confidence · 70%"),
    (0.3463, False, "low", "Low confidence · 34%"),          # below the bar: was "Low confidence · 35%"
    (0.35, True, "medium", "Medium confidence · 35%"),
    (0.29, False, "low", "Low confidence · 29%"),            # 0.29 * 100 is 28.999999999999996
    (1.0, True, "high", "High confidence · 100%"),
])
def test_a_confidence_label_never_contradicts_its_number(confidence, relevant, level, words):
    """Shown rounded down, a percentage is at a bar (35% an answer, 70% "high") only when the
    confidence is: the words and the number say the same."""
    assert render.confidence_label(hit(confidence=confidence, relevant=relevant)) == (level, words)
    assert f'class="qa-card qa-{level}"' in render.render_hit(hit(confidence=confidence, relevant=relevant), 1)


def test_a_confidence_just_under_a_bar_is_shown_under_it_everywhere(seed_retriever, seed_index, monkeypatch):
    """The one rule (answer.RELEVANT_AT, Hit.relevant) and every number shown agree: the hit's
    confidence, the chat's label, the CLI's number and /ask's `answered`."""
    from click.testing import CliRunner

    from bot import answer
    from bot.cli import cli as qabot
    from bot.retriever import answer_json

    just_under = [0.69996, 0.349996, 0.3463]     # a hair under "high", twice under the bar
    real = answer.with_peers
    monkeypatch.setattr(answer, "with_peers", lambda evidences, *a, **kw:
                        just_under[:len(evidences)] + real(evidences, *a, **kw)[len(just_under):])
    hits = seed_retriever.search("谁去了南通镇?", k=3)
    assert [h.relevant for h in hits] == [True, False, False]
    assert [h.confidence >= answer.RELEVANT_AT for h in hits] == [True, False, False], hits
    assert [h.confidence for h in hits] == [0.6999, 0.3499, 0.3463]
    assert [render.confidence_label(h)[1] for h in hits] == \
        ["Medium confidence · 69%", "Low confidence · 34%", "Low confidence · 34%"]
    assert answer_json("谁去了南通镇?", hits[1:])["answered"] is False
    out = CliRunner().invoke(qabot, ["ask", "谁去了南通镇?", "-k", "3", "--index", str(seed_index)]).output
    assert re.findall(r"confidence (\S+)", out) == ["0.69", "0.34", "0.34"], out


def test_hit_card_escapes_every_field():
    evil = hit(text=f"{SCRIPT} Nantong <i>x</i>", span=(0, 10), terms=("Nantong",),
               title=f"T {SCRIPT}", section='<img src=x onerror="alert(1)">',
               source='up/"><svg onload=alert(1)>.txt', date="<b>2022</b>")
    card = render.render_hit(evil, 1)
    r = read_html(card)
    assert not ({t for t, _ in r.tags} - {"div", "span", "p", "mark", "strong", "details", "summary", "br"})
    assert "<script" not in card and "<img" not in card and "<svg" not in card and "<i>" not in card
    assert all("on" not in k for _, attrs in r.tags for k in attrs)     # no event handlers


def test_snippet_shows_the_answer_in_context():
    text = "First sentence is here. " * 5 + "Su Jian went to <Nantong> town. " + "Then more text follows. " * 5
    s = text.index("Su Jian")
    e = text.index("town.") + 5
    out, cut = render.snippet(text, (s, e), ["nantong"], context=30)
    assert cut and out.startswith("…") and out.endswith("…")
    shown = "".join(read_html(out).text)
    inner = shown.strip("…")
    words = text.split(" ")
    assert inner in text and inner.split(" ")[0] in words and inner.split(" ")[-1] in words  # whole words
    assert marked(out, "qa-ans") == ["Su Jian went to <Nantong> town."]
    assert marked(out, "qa-term") == ["Nantong"] and "&lt;" in out
    whole, cut = render.snippet("短文。", (0, 3))
    assert not cut and marked(whole, "qa-ans") == ["短文。"]


def test_a_two_sentence_highlight_is_shown_whole():
    # answer_sentence joins a neighbour when the answer runs over both: one mark, both sentences,
    # the matched words marked inside it, in the snippet and in the full passage alike.
    first, second = "通过对多个数据元素执行同一条指令，AltiVec能够提高处理器的数据处理效率。", "这将有助于台式机执行音频和视频任务。"
    text = "POWER6是IBM于2007年推出的微处理器。" * 4 + first + second + "它集成有AltiVec指令集。" * 4
    s = text.index(first)
    h = hit(text=text, span=(s, s + len(first + second)), terms=("AltiVec",))
    shown, cut = render.snippet(h.text, h.answer_span, h.matched_terms, context=20)
    assert cut and marked(shown, "qa-ans") == [first + second]
    assert "AltiVec" in marked(shown, "qa-term")
    assert marked(render.render_hit(h, 1), "qa-ans") == [first + second, first + second]


def test_answer_says_plainly_when_nothing_is_relevant():
    out = render.render_answer([hit(confidence=0.1, relevant=False), hit(confidence=0.05, relevant=False)])
    read_html(out)
    assert "Nothing in the articles answers this" in out
    assert "Show the 2 closest passages anyway" in out and "<details" in out
    assert "\n" not in out            # one HTML block: the chat's Markdown leaves it alone


def test_answers_stand_out_and_the_rest_folds_behind_one_show_more():
    out = render.render_answer([hit(confidence=0.5, section="江艳"),
                                hit(confidence=0.2, relevant=False, section="蔡敏 处长"),
                                hit(confidence=0.9),
                                hit(confidence=0.1, relevant=False, section="王芳 主任")])
    read_html(out)
    assert "These 2 passages answer it, most likely first:" in out
    shown, folded = out.split('<details class="qa-more">')
    # The answers, most likely first (the ranking put 江艳 first at a lower confidence).
    assert shown.index("苏健") < shown.index("江艳") and "蔡敏" not in shown
    assert "Show 2 more passages (below the confidence bar)" in folded
    assert folded.index("蔡敏") < folded.index("王芳") and folded.count("qa-card qa-low") == 2
    assert "Follow-up" not in out
    assert "This passage answers it:" in render.render_answer([hit()])
    assert "qa-more" not in render.render_answer([hit(), hit()])
    assert "Show 1 more passage (below" in render.render_answer([hit(), hit(confidence=0.1, relevant=False)])
    follow = render.render_answer([hit()], follows="谁去了南通镇?")
    assert "Follow-up" in follow and "“谁去了南通镇?”" in follow


def test_unsure_follow_up_says_so_and_shows_the_closest_passages():
    out = render.render_answer([hit(confidence=0.2, relevant=False)], follows="谁去了南通镇?")
    read_html(out)
    assert "No passage answers this confidently" in out and "<details class=\"qa-weak\"" not in out
    assert "qa-card qa-low" in out


def test_question_and_notices_are_escaped():
    assert render.render_question(SCRIPT) == "&lt;script&gt;alert('x')&lt;/script&gt;"
    assert "<script" not in render.render_notice(SCRIPT)
    assert "<script" not in render.render_status([("error", SCRIPT)])


def test_stats_panel():
    info = {"counts": {"files": 2, "documents": 3, "passages": 40}, "model": "multilingual-e5-small",
            "built_at": "2025-11-25T08:41:07+0000", "files": {"a.txt": {}, f"{SCRIPT}.txt": {}},
            "skipped": 1}
    out = render.render_stats(info)
    read_html(out)
    for part in ("Articles", "<dd>3</dd>", "<dd>40</dd>", "multilingual-e5-small", "2025-11-25 08:41",
                 "1 item skipped"):
        assert part in out
    assert "<script" not in out
    assert "No index yet" in render.render_stats(None, "no index in index/ yet")


def test_file_list_searches_names_and_titles_newest_first():
    files = {f"news_{i:05d}.txt": {"title": f"城市新闻 第{i}期", "added": "2026-01-01T08:00:00+0000"}
             for i in range(10_000)}
    files["uploads/flood.txt"] = {"title": "连江防汛纪实", "added": "2026-02-01T09:30:00+0000"}
    files[f"{SCRIPT}.txt"] = {"title": SCRIPT, "added": "2025-12-01T00:00:00+0000"}
    info = {"files": files}
    out = render.render_files(info)
    read_html(out)
    assert "10002 files, newest first; the first 50 shown" in out
    rows = re.findall(r'<td class="qa-file-name">(.*?)</td><td class="qa-file-title">(.*?)</td>', out)
    assert len(rows) == 50 and rows[0] == ("uploads/flood.txt", "连江防汛纪实")    # the newest on top
    assert "<script" not in out
    assert "1 of 10002 files match “防汛”" in render.render_files(info, "防汛")    # by title
    found = render.render_files(info, "news_09999")                                # by name
    assert "1 of 10002" in found and "城市新闻 第9999期" in found
    assert "11 of 10002 files match" in render.render_files(info, "新闻 第999")   # every word: 第999期, 第9990期…
    assert "0 of 10002 files match" in render.render_files(info, "nothing-like-this")
    assert "No files indexed yet" in render.render_files(None)


class FakeRetriever:
    """Stands in for bot.Retriever: records what was searched."""

    def __init__(self):
        self.searched, self.judged = [], []
        self.manifest, self.passages = {}, []

    def judge(self, question, hits):
        self.judged.append(question)
        return list(hits)

    def refreshed(self):
        return self

    def search(self, question, k=5, mode="hybrid"):
        from bot.retriever import clean_question

        self.searched.append(clean_question(question))
        return [hit(section="苏健 政策法规处处长"), hit(section="蔡敏 处长", relevant=False, confidence=0.2)][:k]


def test_a_session_remembers_its_last_turn_across_index_reloads():
    engine = chat_engine.Engine(Path("data"), Path("index"))
    reply, memory = chat_engine.answer_html(engine, None, "谁去了南通镇?", 3, "hybrid")
    assert "There is no index yet" in reply and memory is None
    engine.retriever = FakeRetriever()
    reply, memory = chat_engine.answer_html(engine, None, "谁去了南通镇?", 3, "hybrid")
    assert "苏健" in reply and memory[0] == "谁去了南通镇?" and len(memory[1]) == 2
    engine.retriever = FakeRetriever()          # a rebuild swapped the index
    reply, memory = chat_engine.answer_html(engine, memory, "她后来去了哪里?", 3, "hybrid")
    # Read with the remembered turn: its section joins the second query (see bot/conversation.py).
    assert engine.retriever.searched[-1] == "苏健 政策法规处处长 她后来去了哪里?"
    assert engine.retriever.judged == ["苏健后来去了哪里?"]   # judged with the name written in
    assert "Follow-up" in reply and "谁去了南通镇?" in reply
    reply, same = chat_engine.answer_html(engine, memory, "???", 3, "hybrid")
    assert "can&#x27;t search for that" in reply and "no words" in reply and same is memory


# ---------------------------------------------------------------- examples

def passages(*rows):
    return [SimpleNamespace(title=t, section=s, text=x) for t, s, x in rows]


def test_examples_are_drawn_from_across_the_collection():
    rows = [(f"第{i}篇", f"{name} 处长" if i % 3 == 0 else "", "……") for i, name in
            enumerate(["李雷", "韩梅", "王芳", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄蕾", "周杰"] * 3)]
    many = passages(*rows)
    for p, i in zip(many, range(len(many))):
        p.doc_id = f"{i:03d}.txt"
    qs = examples.example_questions(many, seed="2026-12-03T10:00:00")
    assert len(qs) == 6 and len(set(qs)) == 6
    # Spread over the collection, not the first articles: not all from the first six.
    first = {examples.article_question(p.title, p.section) for p in many[:6]}
    assert not set(qs) <= first
    assert examples.example_questions(many, seed="2026-12-03T10:00:00") == qs     # one draw per index
    assert examples.example_questions(many, seed="2026-12-03T11:00:00") != qs     # a rebuild draws again
    assert not hasattr(examples, "SEED_EXAMPLES") and not hasattr(examples, "SEED_MARK")


def test_example_questions_name_people_or_titles():
    assert examples.article_question("防汛工作", "李雷 宣传处处长") == "李雷做了什么?"
    assert examples.article_question("城市供水保障", "") == "「城市供水保障」讲了什么?"
    assert examples.article_question("Flood relief", "Jane Smith, head of policy") == "What did Jane Smith do?"
    assert examples.article_question("Flood relief in Lianjiang", "Background") == \
        "What is “Flood relief in Lianjiang” about?"
    mixed = examples.example_questions(passages(*[(f"标题{i}", "", "x") for i in range(8)],
                                           ("Water supply", "", "x")), limit=4)
    assert len(mixed) == 4 and "What is “Water supply” about?" in mixed   # an English one kept
    assert examples.example_questions([]) == []


# ---------------------------------------------------------------- uploads

@pytest.mark.parametrize("name, expected", [
    ("article.txt", "article.txt"),
    ("../../etc/evil.txt", "evil.txt"),
    ("..\\..\\win.md", "win.md"),
    ("/abs/path/news.HTML", "news.html"),
    ("新闻 报道(1).jsonl", "新闻 报道(1).jsonl"),
    ("a<b>|c:d*?.htm", "a_b_c_d.htm"),
    (".hidden.txt", "hidden.txt"),
])
def test_upload_names_are_plain_basenames(name, expected):
    assert uploads.safe_upload_name(name) == expected


@pytest.mark.parametrize("name", ["run.sh", "x.txt.exe", "..", "../.txt", "...md", "noext", ""])
def test_upload_names_refused(name):
    with pytest.raises(ValueError):
        uploads.safe_upload_name(name)


def test_add_uploads_keeps_good_files_and_refuses_bad_ones(tmp_path):
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    data.mkdir()
    files = {
        "good.txt": "测试标题\n\n李雷 宣传处处长\n\n李雷同志前往连江县琯头镇开展防汛工作。".encode(),
        "binary.txt": b"\x00\x01\x02PK\x03\x04" * 100,
        "empty.md": b"",
        "big.txt": "长".encode() * 400,
        "lines.jsonl": (json.dumps({"id": 1, "text": "第一篇文章的正文。"}, ensure_ascii=False)
                        + "\n{not json\n").encode(),
        "bad.jsonl": b"{broken\n[1, 2]\n",
        "script.exe": b"MZ",
    }
    for name, data_bytes in files.items():
        (inbox / name).write_bytes(data_bytes)
    outside = tmp_path / "outside.txt"
    outside.write_text("正文内容", encoding="utf-8")
    added, notes = uploads.add_uploads([inbox / n for n in files] + [outside], data,
                                   allowed_root=inbox, max_bytes=1000)
    assert added == ["uploads/good.txt", "uploads/lines.jsonl"]
    assert sorted(p.name for p in (data / "uploads").iterdir()) == ["good.txt", "lines.jsonl"]
    text = "\n".join(f"{kind}: {msg}" for kind, msg in notes)
    assert "ok: Added uploads/good.txt (1 article)" in text
    assert re.search(r"error: binary.txt: not added — .*binary", text)
    assert "error: empty.md: the file is empty" in text
    assert re.search(r"error: big.txt: .* over the 0 MB limit", text)
    assert re.search(r"warn: uploads/lines.jsonl:2: not valid JSON", text)
    assert re.search(r"error: bad.jsonl: not added", text)
    assert "error: script.exe: only .txt" in text
    assert "error: outside.txt: not an uploaded file" in text
    # The same file again changes nothing.
    _, notes = uploads.add_uploads([inbox / "good.txt"], data, allowed_root=inbox)
    assert notes[0] == ("ok", "uploads/good.txt is already there with the same content (1 article)")


def test_a_second_user_s_file_of_the_same_name_never_replaces_the_first(tmp_path):
    """Two users of a shared chat upload different articles both called report.txt: both
    are kept, and the status says under which name the second one went."""
    data = tmp_path / "data"
    first, second = tmp_path / "a" / "report.txt", tmp_path / "b" / "report.txt"
    for path, person in ((first, "李雷"), (second, "韩梅梅")):
        path.parent.mkdir()
        path.write_text(f"测试标题\n\n{person}同志前往连江县琯头镇开展防汛工作。", encoding="utf-8")
    assert uploads.add_uploads([first], data)[0] == ["uploads/report.txt"]
    added, notes = uploads.add_uploads([second], data)
    assert added == ["uploads/report (2).txt"]
    assert notes[0] == ("warn", "Added uploads/report (2).txt (1 article): a different uploads/report.txt "
                                "is already there, so both are kept")
    assert "李雷" in (data / "uploads" / "report.txt").read_text(encoding="utf-8")
    assert "韩梅梅" in (data / "uploads" / "report (2).txt").read_text(encoding="utf-8")
    assert not [p for p in (data / "uploads").iterdir() if p.name.startswith(".")]


def test_long_names_are_kept_to_the_file_system_s_255_bytes(tmp_path):
    data = tmp_path / "data"
    stem = "报" * 82 + "ab"                           # 248 bytes: 252 with ".txt"
    upload = tmp_path / "in" / (stem + ".txt")
    upload.parent.mkdir()
    upload.write_text("测试标题\n\n李雷同志前往连江县琯头镇开展防汛工作。", encoding="utf-8")
    added, notes = uploads.add_uploads([upload], data)
    assert added == [f"uploads/{stem}.txt"], notes        # refused before: ".{name}.part" > 255 bytes
    longer = "新闻" * 100 + ".txt"                           # 604 bytes: cut at a character
    name = uploads.safe_upload_name(longer)
    assert len(name.encode()) <= 255 < len((name[:-4] + "新.txt").encode()) and name.endswith(".txt")
    upload.write_text("测试标题\n\n韩梅梅同志前往连江县琯头镇开展防汛工作。", encoding="utf-8")
    added, _ = uploads.add_uploads([upload], data)         # a numbered name still fits
    assert len(added[0].split("/")[1].encode()) <= 255 and "(2)" in added[0]


@pytest.mark.parametrize("name", ["....txt", ".txt", "   .md"])
def test_a_name_with_nothing_before_its_suffix_is_called_unusable(name):
    with pytest.raises(ValueError, match="not a usable file name"):
        uploads.safe_upload_name(name)


def test_add_uploads_limits_the_number_of_files(tmp_path):
    added, notes = uploads.add_uploads([tmp_path / f"{i}.txt" for i in range(uploads.MAX_UPLOAD_FILES + 1)], tmp_path)
    assert added == [] and notes[0][0] == "error"


def test_address_flags_win_over_gradio_variables_which_win_over_defaults(monkeypatch):
    for var in ("GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT"):
        monkeypatch.delenv(var, raising=False)
    args = app.parse_args([])
    assert app.address(args) == ("127.0.0.1", 7860) and args.share is False
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7870")
    assert app.address(app.parse_args([])) == ("0.0.0.0", 7870)
    assert app.address(app.parse_args(["--port", "9000", "--host", "127.0.0.2"])) == ("127.0.0.2", 9000)
    for bad in ("70000", "0", "http"):
        monkeypatch.setenv("GRADIO_SERVER_PORT", bad)
        with pytest.raises(SystemExit, match=f"port '{bad}' is not a port number"):
            app.address(app.parse_args([]))


def test_data_and_index_follow_one_rule(monkeypatch, tmp_path):
    from bot import paths

    monkeypatch.delenv("QABOT_DATA", raising=False)
    monkeypatch.delenv("QABOT_INDEX", raising=False)
    monkeypatch.chdir(tmp_path)
    assert (paths.data_dir(), paths.index_dir()) == (Path("data"), Path("index"))
    monkeypatch.setenv("QABOT_DATA", "/tmp/d")
    monkeypatch.setenv("QABOT_INDEX", "/tmp/i")
    assert (paths.data_dir(), paths.index_dir()) == (Path("/tmp/d"), Path("/tmp/i"))
    assert paths.index_dir("mine") == Path("mine")          # an explicit flag or argument wins


def occupied_port():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s, s.getsockname()[1]


@pytest.mark.parametrize("how", ["flag", "GRADIO_SERVER_PORT"])
def test_a_busy_port_is_one_line_before_the_model_loads(tmp_path, how):
    import subprocess

    sock, port = occupied_port()
    with sock:
        env = os.environ | {"PYTHONPATH": str(ROOT)}
        argv = [sys.executable, str(ROOT / "app.py"), "--data", str(tmp_path / "d"), "--index", str(tmp_path / "i")]
        if how == "flag":
            argv += ["--port", str(port)]
        else:
            env["GRADIO_SERVER_PORT"] = str(port)
        t0 = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        f"qabot: cannot serve on 127.0.0.1:{port} (Address already in use); "
        f"choose another port with --port or GRADIO_SERVER_PORT"], done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "i").exists()                    # nothing was indexed, no model was loaded
    print(f"refused in {time.perf_counter() - t0:.1f}s")


# ---------------------------------------------------------------- the running app

@pytest.fixture(scope="module")
def fresh_app(tmp_path_factory):
    """The app started on a copy of data/ with no index yet: it must build one first."""
    tmp = tmp_path_factory.mktemp("app")
    shutil.copytree(DATA, tmp / "data")
    running = RunningApp(tmp / "data", tmp / "index", tmp / "app.log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(fresh_app):
    from gradio_client import Client

    return Client(fresh_app.url, verbose=False)


def sections(result, relevant_only=True):
    return [h["section"] for h in result["hits"] if h["relevant"] or not relevant_only]


@pytest.mark.slow
def test_first_start_builds_the_index_and_serves_on_localhost(fresh_app):
    log = fresh_app.log
    assert "qabot: built" in log and "embedded" in log                      # the build and its summary
    assert re.search(r"serving 1 articles, \d+ passages with model", log)
    assert f"http://127.0.0.1:{fresh_app.port}" in log and "gradio.live" not in log


@pytest.mark.slow
def test_api_answers_like_a_script_would_ask(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/ask"]                      # the chat's own events stay private
    result = client.predict(question="谁去了南通镇?", k=5, mode="hybrid", api_name="/ask")
    assert result["answered"] is True and result["hits"][0]["relevant"]
    top2 = sections(result, relevant_only=False)[:2]
    assert any(s.startswith("苏健") for s in top2) and any(s.startswith("蔡敏") for s in top2), top2
    top = result["hits"][0]
    assert top["answer"] == top["text"][top["answer_span"][0]:top["answer_span"][1]]
    assert {"title", "date", "source", "confidence", "matched_terms"} <= set(top)
    json.dumps(result)


@pytest.mark.slow
def test_cli_and_api_answer_in_one_shape(fresh_app, client):
    import subprocess

    question = "谁去了南通镇?"
    api = client.predict(question=question, k=3, mode="hybrid", api_name="/ask")
    run = lambda *extra: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "bot", "ask", question, "-k", "3", "--index", str(fresh_app.index), *extra],
        capture_output=True, text=True, timeout=300, env=os.environ | {"PYTHONPATH": str(ROOT)})
    cli = json.loads(run("--json").stdout)
    assert set(cli) == set(api) == {"question", "answered", "hits"}
    assert cli["answered"] == api["answered"]
    assert [(h["passage_id"], h["confidence"], set(h)) for h in cli["hits"]] == \
        [(h["passage_id"], h["confidence"], set(h)) for h in api["hits"]]
    text = run().stdout                     # paragraphs are numbered as the chat's cards number them
    assert f"¶{api['hits'][0]['position'] + 1}]" in text.splitlines()[0], text


@pytest.mark.slow
def test_plain_http_as_the_readme_shows_it(fresh_app):
    """`/ask` over plain HTTP with curl, the two calls the README documents."""
    import subprocess

    body = json.dumps({"data": ["谁去了南通镇?", 3, "hybrid"]}, ensure_ascii=False)
    post = subprocess.run(["curl", "-sS", "-X", "POST", f"{fresh_app.url}gradio_api/call/ask",
                           "-H", "Content-Type: application/json", "-d", body],
                          capture_output=True, text=True, timeout=60)
    event_id = json.loads(post.stdout)["event_id"]
    got = subprocess.run(["curl", "-sS", "-N", f"{fresh_app.url}gradio_api/call/ask/{event_id}"],
                         capture_output=True, text=True, timeout=120)
    lines = got.stdout.splitlines()
    assert "event: complete" in lines, got.stdout
    result = json.loads(lines[lines.index("event: complete") + 1].removeprefix("data: "))[0]
    assert result["answered"] is True
    assert {h["section"].split()[0] for h in result["hits"][:2]} == {"苏健", "蔡敏"}


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["dense", "lexical"])
def test_api_modes(client, mode):
    result = client.predict(question="谁去了南通镇?", k=3, mode=mode, api_name="/ask")
    assert len(result["hits"]) == 3
    assert any(s.startswith(("苏健", "蔡敏")) for s in sections(result, relevant_only=False))


@pytest.mark.slow
def test_api_reports_bad_questions(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="no words"):
        client.predict(question="???", k=3, mode="hybrid", api_name="/ask")
    with pytest.raises(AppError, match="mode must be one of"):
        client.predict(question="谁去了南通镇?", k=3, mode="magic", api_name="/ask")


@pytest.mark.slow
@pytest.mark.parametrize("k", [-3, 0, 500, "abc"])
def test_api_refuses_a_k_out_of_range_naming_the_range(client, k):
    """-3 and 0 returned one hit and 500 a hundred without a word; "abc" said int()'s words."""
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="must be a whole number from 1 to 100"):
        client.predict(question="谁去了南通镇?", k=k, mode="hybrid", api_name="/ask")


def test_the_chat_says_when_k_is_out_of_range(seed_retriever):
    engine = SimpleNamespace(serving=lambda: seed_retriever, error="")
    reply, memory = chat_engine.answer_html(engine, None, "谁去了南通镇?", 0, "hybrid")
    assert "must be a whole number from 1 to 100" in reply and "qa-warn" in reply and memory is None
    reply, memory = chat_engine.answer_html(engine, None, "谁去了南通镇?", 2.0, "hybrid")
    assert reply.count('class="qa-card') == 2      # the slider's 2.0 is 2


@pytest.mark.slow
def test_concurrent_questions_get_their_own_answers(fresh_app, client):
    from gradio_client import Client

    questions = {"谁去了南通镇?": ("苏健", "蔡敏"), "谁负责162名城建干部的后勤保障?": ("杨学敏",),
                 "Who went to Nantong town?": ("苏健", "蔡敏")}
    expected = {q: client.predict(question=q, k=3, mode="hybrid", api_name="/ask")["hits"][0]["section"]
                for q in questions}
    for q, who in questions.items():
        assert expected[q].startswith(who), (q, expected[q])
    clients = [Client(fresh_app.url, verbose=False) for _ in range(3)]
    jobs = [(clients[i % 3], q) for i, q in enumerate(list(questions) * 4)]

    def ask(job):
        c, q = job
        return q, c.predict(question=q, k=3, mode="hybrid", api_name="/ask")["hits"][0]["section"]

    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(jobs)) as pool:
        answers = list(pool.map(ask, jobs))
    assert all(section == expected[q] for q, section in answers), answers
    print(f"{len(jobs)} concurrent questions answered in {time.perf_counter() - t0:.1f}s")


@pytest.mark.slow
def test_an_update_started_from_the_page_prints_its_progress_to_the_terminal(tmp_path, tiny_model, capsys):
    """gradio (track_tqdm) sends the build's bars to the page only; the page's update echoes
    them to the terminal: named steps with counts, and the file being read."""
    from bot import build_index
    from bot.chat.ui import progress_in_terminal

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    # distinct sentences: each is embedded (an embedding step long enough to be seen)
    (data / "long.txt").write_text("城市建设年度报告\n\n" + "".join(f"城市建设第{i}项交通管理服务。" for i in range(3000)),
                                   encoding="utf-8")
    with progress_in_terminal(every=0.02):
        build_index([data], index_dir=tmp_path / "index", model=str(tiny_model), progress=True)
    out = capsys.readouterr().out
    assert "qabot: updating the index (started from the page)" in out
    assert re.search(r"qabot: reading 2 files [01]/2 \(.*\.txt\)", out), out
    assert re.search(r"qabot: indexing \d+ passages \d+/\d+", out), out
    # the tiny model runs on sentence-transformers, whose own bar reads "Batches"
    assert re.search(r"qabot: embedding \d+ new texts \d+/\d+", out) and "Batches" not in out, out


def test_the_terminal_echo_survives_a_bar_another_thread_is_still_making(capsys, monkeypatch):
    """tqdm lists a bar among its instances before the bar's __init__ has set total, n and desc:
    the echo must skip it and go on echoing, not die on the AttributeError."""
    from tqdm import tqdm

    from bot.chat.ui import progress_in_terminal

    if tqdm.monitor is not None:        # tqdm's own monitor thread would trip on the planted bar
        tqdm.monitor.exit()
        tqdm.monitor = None
    monkeypatch.setattr(tqdm, "monitor_interval", 0)
    half_made = tqdm.__new__(tqdm)           # what another thread's bar is between __new__ and __init__
    try:
        with progress_in_terminal(every=0.01):
            with tqdm(total=3, desc="reading 3 files", disable=False, file=sys.stderr) as bar:
                for _ in range(3):
                    time.sleep(0.05)
                    bar.update()
                time.sleep(0.05)
    finally:
        tqdm._instances.discard(half_made)
    assert re.search(r"qabot: reading 3 files [0-3]/3", capsys.readouterr().out)


def test_uploads_work_where_the_file_system_has_no_hard_links(tmp_path, monkeypatch):
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    (inbox / "note.txt").write_text("标题\n\n" + "正文内容，足够长的一段话。" * 3, encoding="utf-8")

    def no_links(src, dst, *a, **k):
        raise PermissionError(1, "Operation not permitted")     # vfat, exFAT, some SMB mounts

    monkeypatch.setattr(os, "link", no_links)
    added, notes = uploads.add_uploads([inbox / "note.txt"], data, allowed_root=inbox)
    assert added == ["uploads/note.txt"], notes
    assert (data / "uploads" / "note.txt").read_bytes() == (inbox / "note.txt").read_bytes()
    assert [p.name for p in (data / "uploads").iterdir()] == ["note.txt"]   # no temporary copy left


WARM_CHECK = """
import sys, threading
from pathlib import Path
from bot.chat.engine import Engine
engine = Engine(Path(sys.argv[1]), Path(sys.argv[2]))
engine.load()
for t in threading.enumerate():
    if t.name == "qabot-warm":
        t.join(600)
import jieba
loaded = set(sys.modules)
assert jieba.dt.initialized, "jieba's dictionary not loaded"
assert not [t.name for t in threading.enumerate() if t.name.startswith("qabot-")], threading.enumerate()
for question in ["谁去了南通镇?", "Who went to Nantong town?", "苏健的职务是什么?"]:
    engine.retriever.search(question)
print(sorted(m for m in set(sys.modules) - loaded if not m.startswith("encodings.")))
"""


def test_the_chat_loads_what_a_first_question_needs_before_it_comes(seed_index, tmp_path):
    """A first question costs seconds of loading (the model's session, jieba's dictionary and
    tagger) unless the server loads them at start: after Engine.load's warm-up, questions in
    both languages import nothing new and wait for no loading thread."""
    import subprocess

    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", WARM_CHECK, str(DATA), str(seed_index)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
