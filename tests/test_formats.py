"""Every article people actually have: legacy encodings, PDF, Word, and odd code points.

The files are real: written in the test run in the encoding or format named,
then read by `bot.documents` and parsed by `bot.article` as a build would; the
checks are on the passages' text and sections, not only that something was read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import article, build_index, documents

GERMAN = ("Neue Brücke für Köln\n\n"
          "Datum: 2023-04-12 Quelle: Stadtverwaltung\n\n"
          "Herr Müller aus München eröffnete am Montag die neue Brücke über den Rhein. "
          "Die Straße war wegen der Bauarbeiten zwei Jahre gesperrt; größere Änderungen "
          "am Verkehr folgen im Herbst.\n\n"
          "Frau Schäfer, die Leiterin des Bauamts, dankte den Anwohnern für ihre Geduld.\n")
FRENCH = ("L’été à Paris\n\n"
          "« C’est magnifique », dit François Lefèvre, maire adjoint, devant la foule réunie "
          "sur la place de l’Hôtel-de-Ville. Les travaux du métro s’achèveront en décembre.\n")
CHINESE = ("山区防汛工作纪实\n\n日期:2023-03-05 来源:市政府办公室\n\n"
           "周明远同志近日前往永泰县嵩口镇，组织群众转移避险，受到当地群众的一致好评。\n\n"
           "据介绍，嵩口镇地处山区，交通不便。周明远带领工作组克服困难，连续工作了十二天。\n")
TRADITIONAL = ("捷運環狀線北段明年動工\n\n臺北市政府今日宣布，捷運環狀線北段工程將於明年動工。\n\n"
               "市長表示，這項建設將改善內湖與士林之間的交通，預計六年完工。\n")


def read_one(path: Path) -> tuple[documents.Document, article.Article, documents.FileRead]:
    got = documents.read_file(path, path.name)
    assert not got.problems, got.problems
    assert len(got.documents) == 1
    return got.documents[0], article.parse(got.documents[0]), got


def body(parsed: article.Article) -> str:
    return "\n".join(p.text for p in parsed.paragraphs)


# ---------------------------------------------------------------- encodings

@pytest.mark.parametrize("name, text, encoding", [
    ("german.txt", GERMAN, "latin-1"),
    ("french.txt", FRENCH, "cp1252"),
    ("chinese.txt", CHINESE, "gbk"),
    ("chinese18030.txt", CHINESE.replace("周明远", "陈𠀀华"), "gb18030"),
    ("traditional.txt", TRADITIONAL, "big5"),
])
def test_legacy_encodings_are_read_by_evidence(tmp_path, name, text, encoding):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    doc, parsed, got = read_one(path)
    assert doc.text == text
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert parsed.title == paragraphs[0]
    assert paragraphs[-1].strip() in body(parsed)


def test_latin1_is_not_turned_into_chinese(tmp_path):
    # GBK accepts almost any pair of bytes: trying it first read "Müller" as "M黮ler".
    path = tmp_path / "german.txt"
    path.write_bytes(GERMAN.encode("latin-1"))
    doc, parsed, got = read_one(path)
    assert "Herr Müller aus München" in body(parsed)
    assert not any("\u3400" <= ch <= "\u9fff" for ch in doc.text)
    assert not got.warnings   # a whole article is evidence enough


def test_a_weak_guess_is_indexed_and_named_in_the_build_report(tmp_path, tiny_model):
    data = tmp_path / "data"
    data.mkdir()
    (data / "good.txt").write_text(CHINESE, encoding="utf-8")
    # Two accented letters are all there is to tell the encoding by.
    (data / "note.txt").write_bytes("Café Müller\n\nThe café opens at nine on weekdays and at ten "
                                    "on Sundays, said the owner.\n".encode("latin-1"))
    report = build_index([data], index_dir=tmp_path / "index", model=str(tiny_model))
    assert not report.skipped
    assert [w.path for w in report.warnings] == ["note.txt"]
    assert "windows-1252" in report.warnings[0].reason and "weak evidence" in report.warnings[0].reason
    assert "  note.txt: read as windows-1252" in report.summary()
    from bot import Retriever
    texts = {p.source: p for p in Retriever.load(tmp_path / "index").passages}
    assert texts["note.txt"].title == "Café Müller"
    # the next, unchanged build still names it
    again = build_index([data], index_dir=tmp_path / "index", model=str(tiny_model))
    assert again.up_to_date and again.warnings == report.warnings


# ---------------------------------------------------------------- compatibility code points

def test_radical_code_points_become_ordinary_characters_in_every_format(tmp_path):
    # What PDF extraction (and copy-paste from some PDFs) gives for 一 行 长 and 豈.
    odd = "⼀⾏⻓\uf900"
    plain = "一行长豈"
    assert documents.ordinary_characters(odd) == plain
    (tmp_path / "a.txt").write_text(f"标题{odd}\n\n正文里有{odd}这些字，它们应当被检索到。\n", encoding="utf-8")
    (tmp_path / "a.md").write_text(f"# 标题{odd}\n\n正文里有{odd}这些字，它们应当被检索到。\n", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text(
        f'{{"id": 1, "title": "标题{odd}", "text": "正文里有{odd}这些字，它们应当被检索到。"}}\n', encoding="utf-8")
    (tmp_path / "a.html").write_text(
        f"<html><head><title>标题{odd}</title></head><body><article><h1>标题{odd}</h1>"
        f"<p>正文里有{odd}这些字，它们应当被检索到。这是一篇足够长的文章，用来测试网页正文的提取是否正常。</p>"
        f"</article></body></html>", encoding="utf-8")
    for name in ("a.txt", "a.md", "a.jsonl", "a.html"):
        doc, parsed, _ = read_one(tmp_path / name)
        assert parsed.title == f"标题{plain}", name
        assert f"正文里有{plain}这些字" in body(parsed), name
        assert not any(ch in doc.text for ch in odd), name


def test_questions_are_folded_the_same_way():
    from bot.retriever import clean_question
    assert clean_question("⻓江⼤桥在哪里?") == "长江大桥在哪里?"
