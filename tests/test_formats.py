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


def test_utf8_with_a_stray_byte_stays_utf8_and_the_damage_is_named(tmp_path):
    # A damaged download or a file cut mid-character: one bad sequence must not make the
    # whole Chinese article be read in a legacy encoding (that garbles every character).
    data = CHINESE.encode("utf-8")
    cut = data.index("嵩口镇".encode("utf-8")) + 1
    path = tmp_path / "damaged.txt"
    path.write_bytes(data[:cut] + b"\xff" + data[cut:] + "周".encode("utf-8")[:2])
    got = documents.read_file(path, path.name)
    text = got.documents[0].text
    assert "周明远带领工作组克服困难" in text and text.count("\ufffd") <= 6   # the damaged characters only
    assert any("invalid in UTF-8" in str(w) for w in got.warnings), got.warnings


def test_a_jsonl_id_that_repeats_an_earlier_line_s_is_kept_apart_and_named(tmp_path):
    # two exports pasted together both start at 1: two articles, not one (answer.with_peers and the
    # chat's cards tell articles apart by file and id)
    path = tmp_path / "news.jsonl"
    path.write_text('{"id": 1, "text": "苏健去了南通镇。"}\n{"id": 2, "text": "江艳在区里值班。"}\n'
                    '{"id": 1, "text": "蔡敏也去了南通镇。"}\n', encoding="utf-8")
    got = documents.read_file(path, "news.jsonl")
    assert [d.doc_id for d in got.documents] == ["1", "2", "1 (line 3)"] and not got.problems
    assert [str(w) for w in got.warnings] == [
        "news.jsonl:3: id '1' of line 1 is on later lines too; indexed as '1 (line 3)'"]
    # a name the file itself gives is not taken; one warning per id; a line repeated whole is the
    # build's to index once (no warning here)
    path.write_text('{"id": 1, "text": "甲。"}\n{"id": "1 (line 3)", "text": "乙。"}\n{"id": 1, "text": "丙。"}\n'
                    '{"id": 1, "text": "丁。"}\n{"id": 1, "text": "甲。"}\n', encoding="utf-8")
    got = documents.read_file(path, "news.jsonl")
    assert [d.doc_id for d in got.documents] == ["1", "1 (line 3)", "1 (line 3, 2)", "1 (line 4)", "1"]
    assert [str(w) for w in got.warnings] == [
        "news.jsonl:3: id '1' of line 1 is on later lines too; indexed as '1 (line 3, 2)', '1 (line 4)'"]


def test_a_markdown_hash_tag_is_text_not_a_heading(tmp_path):
    path = tmp_path / "tags.md"
    path.write_text("# 城市更新观察\n\n## 老城区\n\n#城市更新# 话题下，居民讨论了老城区改造的进度与补偿方案，"
                    "街道办表示将于下月公布细则。\n\n#1 号楼的住户希望先行改造，并已提交联名信。\n",
                    encoding="utf-8")
    doc, parsed, got = read_one(path)
    assert {p.section for p in parsed.paragraphs} == {"老城区"}
    assert any(p.text.startswith("#城市更新#") for p in parsed.paragraphs)


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


# ---------------------------------------------------------------- HTML

SHORT_PAGE = ('<html><body><nav><a href="/">首页</a> | <a href="/news">新闻</a></nav><article>'
              '<h1>青桠镇开展防汛演练</h1><p>5月20日上午，青桠镇在岩前村开展防汛演练，120名民兵参加。</p>'
              '<p>演练模拟了山洪暴发后的群众转移和抢险救援。</p></article></body></html>')
DRILL = ["5月20日上午，青桠镇在岩前村开展防汛演练，120名民兵参加。", "演练模拟了山洪暴发后的群众转移和抢险救援。"]


def test_a_short_page_s_menus_are_not_article_text(tmp_path):
    # On a short page trafilatura keeps what it cannot tell from text: the menu became passages
    # (首页, 新闻), which answered 演练 at 0.61, and the <h1> a section repeating the title.
    path = tmp_path / "drill.html"
    path.write_text(SHORT_PAGE, encoding="utf-8")
    doc, parsed, got = read_one(path)
    assert parsed.title == "青桠镇开展防汛演练"
    assert [(p.section, p.text) for p in parsed.paragraphs] == [("", text) for text in DRILL]
    # a page's banner, footer, sidebar and the parts their ARIA roles mark are no text either; the date
    # in the article's own <header> is still its date
    path.write_text('<html><head><title>青桠镇开展防汛演练_青桠镇人民政府</title></head><body>'
                    '<header><a href="/">青桠镇人民政府</a><form>搜索</form></header>'
                    '<div role="navigation"><a href="/">首页</a> <a href="/gk">政务公开</a></div>'
                    '<main><article><header><h1>青桠镇开展防汛演练</h1><time datetime="2024-05-20">2024-05-20</time>'
                    f'</header><p>{DRILL[0]}</p><aside>相关新闻：青桠镇召开防汛工作会议</aside><p>{DRILL[1]}</p>'
                    '</article></main><footer>版权所有 青桠镇人民政府 备案号 12345</footer></body></html>',
                    encoding="utf-8")
    doc, parsed, got = read_one(path)
    assert [p.text for p in parsed.paragraphs] == DRILL and parsed.date == "2024-05-20"
    # what a page keeps above its <h1> (a menu of <div>s) does not make the title a section
    path.write_text(SHORT_PAGE.replace("<nav>", "<div>").replace("</nav>", "</div>"), encoding="utf-8")
    doc, parsed, got = read_one(path)
    assert {p.section for p in parsed.paragraphs} == {""}
    assert [p.text for p in parsed.paragraphs][-2:] == DRILL


def test_a_page_that_is_all_header_is_still_read(tmp_path):
    path = tmp_path / "odd.html"
    path.write_text(f"<html><body><header><h1>青桠镇开展防汛演练</h1><p>{DRILL[0]}</p><p>{DRILL[1]}</p>"
                    "</header></body></html>", encoding="utf-8")
    doc, parsed, got = read_one(path)
    assert [p.text for p in parsed.paragraphs] == DRILL


# ---------------------------------------------------------------- PDF

PDF_TITLE = "滨江新区防汛抢险纪实"
PDF_DATE_LINE = "发布时间：2023-07-21 来源：滨江新区管委会"
PDF_SECTIONS = [
    ("", ["七月中旬，受台风外围环流影响，滨江新区遭遇有气象记录以来最强降雨，多处道路积水、堤防告急。"
          "新区各部门干部职工闻汛而动，连续奋战五个昼夜，确保了群众生命财产安全。"]),
    ("林晓峰 应急管理局副局长", [
        "暴雨来临的当晚，林晓峰第一时间赶到江堤险段，带领八十名突击队员连夜加固堤坝，装填沙袋一万两千余袋，"
        "把可能决口的三处管涌全部封堵。天亮时，他的雨衣里全是泥水，双手被麻袋磨出了血泡。",
        "此后四天里，他带着队员沿江堤来回巡查，每两个小时记录一次水位，发现险情立即处置，"
        "先后组织转移低洼地带群众一千三百多人，妥善安置在六所学校和两个体育馆内，没有发生一起伤亡事故。"]),
    ("陈雅琴 水务站站长", [
        "作为水务站站长，陈雅琴负责全区十七座排涝泵站的调度。她把办公室搬进了泵站控制室，"
        "根据上游来水和潮位变化，精确安排每一台水泵的启停时间，使城区积水在十二小时内全部排出。",
        "泵站电机因长时间满负荷运转出现故障时，她带着两名技术员冒雨抢修，三个小时后恢复了排水。"]),
    ("王建国 社区党委书记", [
        "王建国所在的江湾社区地势最低，三百多户居民家中进水。他组织党员志愿者挨家挨户敲门，"
        "背出行动不便的老人四十多位，又协调超市连夜送来饮用水和方便食品，保障了临时安置点的供应。"]),
]


def _pdf_lines(text: str, per_line: int) -> list[str]:
    """Hard-wrap a paragraph as a page would: a fixed number of characters per line."""
    return [text[i:i + per_line] for i in range(0, len(text), per_line)]


def make_cjk_pdf(path: Path, furniture: str = "browser", indent: bool = True) -> int:
    """A multi-page Chinese PDF with a printed header and footer; returns its page count.

    `furniture`: "browser" prints the date and page title at the top and the URL and
    "n/N" at the bottom, as Chrome does; "word" repeats the article's title as a header
    and a centred "第 n 页 共 N 页" footer."""
    from reportlab.lib.pagesizes import A6
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    width, height = A6
    size, per_line, left, lead = 10, 16, 69, 16
    # Lay the lines out first, so the footer can say how many pages there are.
    items = [(16, PDF_TITLE, "centre", 26), (8, PDF_DATE_LINE, "centre", 22)]
    for heading, paragraphs in PDF_SECTIONS:
        if heading:
            items.append((size, heading, "left", lead + 6))
        for para in paragraphs:
            lines = _pdf_lines(("\u3000\u3000" if indent else "") + para, per_line)
            items += [(size, line, "left", lead) for line in lines[:-1]]
            items.append((size, lines[-1], "left", lead + 6))
    pages, y = [[]], height - 70
    for item in items:
        if y < 45:
            pages.append([])
            y = height - 70
        pages[-1].append((y, *item))
        y -= item[3]
    c = canvas.Canvas(str(path), pagesize=A6)
    for n, page in enumerate(pages, 1):
        c.setFont("STSong-Light", 6)
        if furniture == "browser":
            c.drawString(20, height - 22, "2023/7/25 09:41")
            c.drawCentredString(width / 2, height - 22, PDF_TITLE + " - 滨江新区政府网")
            c.drawString(20, 18, "https://www.binjiang.gov.cn/art/2023/7/21/art_58113.html")
            c.drawRightString(width - 20, 18, f"{n}/{len(pages)}")
        else:
            c.drawCentredString(width / 2, height - 30, PDF_TITLE)
            c.drawCentredString(width / 2, 25, f"第 {n} 页 共 {len(pages)} 页")
        for y, font_size, text, align, _ in page:
            c.setFont("STSong-Light", font_size)
            if align == "centre":
                c.drawCentredString(width / 2, y, text)
            else:
                c.drawString(left, y, text)
        c.showPage()
    c.save()
    return len(pages)


def paragraphs_by_section(parsed: article.Article) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for p in parsed.paragraphs:
        if not out or out[-1][0] != p.section:
            out.append((p.section, []))
        out[-1][1].append(p.text)
    return out


@pytest.mark.parametrize("furniture", ["browser", "word"])
def test_a_cjk_pdf_reads_like_the_same_article_as_text(tmp_path, furniture):
    path = tmp_path / "flood.pdf"
    pages = make_cjk_pdf(path, furniture)
    assert pages == 3
    doc, parsed, got = read_one(path)
    assert not got.warnings
    assert doc.format == "pdf"
    assert parsed.title == PDF_TITLE
    assert parsed.date == "2023-07-21" and parsed.publisher == "滨江新区管委会"
    # every paragraph whole (hard wraps and the page breaks joined), under its person's heading
    assert paragraphs_by_section(parsed) == PDF_SECTIONS
    # nothing of the header and footer is left anywhere
    for furniture_text in ("2023/7/25", "09:41", "政府网", "http", "binjiang", "/3", "第 1 页", "共 3 页"):
        assert furniture_text not in doc.text, furniture_text


def test_a_pdf_reads_the_same_without_first_line_indents(tmp_path):
    # Paragraph ends are then told only by the short last line of each paragraph.
    path = tmp_path / "flood.pdf"
    make_cjk_pdf(path, "browser", indent=False)
    doc, parsed, got = read_one(path)
    assert paragraphs_by_section(parsed) == PDF_SECTIONS


ENGLISH_PARAGRAPHS = [
    "The city council approved the new riverside park on Tuesday after two years of public "
    "consultation. The park will stretch for three kilometres along the eastern bank and include "
    "a cycling path, two playgrounds and a floating wetland that filters storm water.",
    "Construction begins in March and is expected to cost 48 million euros, most of it paid by the "
    "regional development fund. Residents of the Old Harbour district asked for more trees and "
    "fewer car parks, and the final design reflects both requests.",
]


def make_english_pdf(path: Path, printed: bool = False) -> None:
    """An English article with ragged-right lines and a word hyphenated across a line end;
    `printed`: one page as a browser prints it (date and title at the top, URL and 1/1 below)."""
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    width, height = A5
    c = canvas.Canvas(str(path), pagesize=A5)
    y = height - 60
    c.setFont("Helvetica-Bold", 16)
    c.drawString(50, y, "Riverside Park Approved")
    y -= 40
    for para in ENGLISH_PARAGRAPHS:
        lines = simpleSplit(para, "Helvetica", 10, width - 100)
        # hyphenate the first long word that ends a line, as a typesetter would
        for i in range(len(lines) - 1):
            head, _, word = lines[i].rpartition(" ")
            if len(word) >= 6 and word.isalpha() and word.islower():
                rest = simpleSplit(" ".join([word[4:]] + lines[i + 1:]), "Helvetica", 10, width - 100)
                lines = lines[:i] + [f"{head} {word[:4]}-"] + rest
                break
        c.setFont("Helvetica", 10)
        for line in lines:
            c.drawString(50, y, line)
            y -= 13
        y -= 10
    if printed:
        c.setFont("Helvetica", 7)
        c.drawString(20, height - 20, "5/6/24, 10:23 AM")
        c.drawCentredString(width / 2 + 30, height - 20, "Riverside park approved | City News")
        c.drawString(20, 16, "https://news.example.org/city/2024/05/riverside-park")
        c.drawRightString(width - 20, 16, "1/1")
    else:
        c.drawCentredString(width / 2, 30, "- 1 -")
    c.showPage()
    c.save()


def test_an_english_pdf_joins_wrapped_lines_with_spaces(tmp_path):
    path = tmp_path / "park.pdf"
    make_english_pdf(path)
    doc, parsed, got = read_one(path)
    assert parsed.title == "Riverside Park Approved"
    assert [p.text for p in parsed.paragraphs] == ENGLISH_PARAGRAPHS
    assert "- 1 -" not in doc.text


def test_a_single_printed_page_loses_the_browsers_header_and_footer(tmp_path):
    # Nothing repeats on one page: the date/time, URL and page number lines are known by their
    # form, and the page title by sharing the date's row.
    path = tmp_path / "printed.pdf"
    make_english_pdf(path, printed=True)
    doc, parsed, got = read_one(path)
    assert parsed.title == "Riverside Park Approved"
    assert [p.text for p in parsed.paragraphs] == ENGLISH_PARAGRAPHS
    for furniture_text in ("10:23", "City News", "https://", "1/1"):
        assert furniture_text not in doc.text, furniture_text


def make_scanned_pdf(path: Path, text_pages: int = 0, image_pages: int = 2) -> None:
    """Pages that are pictures (as a scanner makes them), after `text_pages` pages of text."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A6
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    width, height = A6
    c = canvas.Canvas(str(path), pagesize=A6)
    for _ in range(text_pages):
        c.setFont("STSong-Light", 10)
        c.drawString(30, height - 60, "市区新建三座公园")
        for i, line in enumerate(_pdf_lines("市园林局介绍，三座公园将于年底前建成开放，新增绿地面积四十公顷，"
                                            "方便周边十万居民就近休闲。", 20)):
            c.drawString(30, height - 90 - 15 * i, line)
        c.showPage()
    for _ in range(image_pages):
        scan = Image.new("L", (600, 850), 235)
        draw = ImageDraw.Draw(scan)
        for row in range(60, 800, 28):   # grey bars where the lines of text would be
            draw.rectangle((50, row, 550 - (row * 7) % 90, row + 14), fill=40)
        c.drawImage(ImageReader(scan), 0, 0, width, height)
        c.showPage()
    c.save()


def test_a_scanned_pdf_is_reported_by_name_not_indexed_empty(tmp_path, tiny_model):
    data = tmp_path / "data"
    data.mkdir()
    make_scanned_pdf(data / "scan.pdf")
    (data / "good.txt").write_text(CHINESE, encoding="utf-8")
    report = build_index([data], index_dir=tmp_path / "index", model=str(tiny_model))
    assert [(p.path, p.kind) for p in report.skipped] == [("scan.pdf", "scanned PDF")]
    assert "no text layer" in report.skipped[0].reason and "OCR" in report.skipped[0].reason
    assert "  scan.pdf: a scanned PDF" in report.summary()
    from bot import Retriever
    assert {p.source for p in Retriever.load(tmp_path / "index").passages} == {"good.txt"}


def test_a_pdf_with_some_scanned_pages_indexes_the_rest_and_says_so(tmp_path):
    path = tmp_path / "mixed.pdf"
    make_scanned_pdf(path, text_pages=1, image_pages=2)
    doc, parsed, got = read_one(path)
    assert parsed.title == "市区新建三座公园"
    assert "新增绿地面积四十公顷" in body(parsed)
    assert [w.reason for w in got.warnings] == [
        "pages 2, 3 of 3 are images with no text layer (scanned?); the other pages are indexed"]


def test_damaged_and_encrypted_pdfs_are_named_with_the_reason(tmp_path):
    from reportlab.pdfgen import canvas

    good = tmp_path / "good.pdf"
    make_english_pdf(good)
    (tmp_path / "cut.pdf").write_bytes(good.read_bytes()[:700])
    (tmp_path / "fake.pdf").write_text("this is not a PDF at all", encoding="utf-8")
    locked = canvas.Canvas(str(tmp_path / "locked.pdf"), encrypt="secret")
    locked.drawString(50, 700, "A locked article with some text in it.")
    locked.showPage()
    locked.save()
    for name, words in [("cut.pdf", "cannot read"), ("fake.pdf", "cannot read"), ("locked.pdf", "encrypted")]:
        got = documents.read_file(tmp_path / name, name)
        assert not got.documents, name
        assert len(got.problems) == 1 and words in got.problems[0].reason, (name, got.problems)


# ---------------------------------------------------------------- DOCX

DOCX_INTRO = ("为加快老旧小区改造，市住房和城乡建设局今年共安排改造项目四十二个，"
              "涉及居民一万八千余户，目前已有三十个项目开工建设。")
DOCX_SECTIONS = [
    ("鼓楼区", ["鼓楼区重点推进加装电梯和管网更新，温泉街道的六个小区已完成雨污分流改造，"
                "居民反映下雨天门口不再积水。"]),
    ("台江区", ["台江区把改造与社区养老结合起来，在三个小区新建了老年食堂和日间照料中心，"
                "每天为四百多位老人提供午餐。"]),
]
DOCX_TABLE = [["区", "项目数", "完成投资"], ["鼓楼区", "18", "3.2亿元"], ["台江区", "24", "4.1亿元"]]


def make_docx(path: Path, title: str | None = "老旧小区改造提速", date_line: bool = True,
              core_title: str = "", core_date=None) -> None:
    """A Word file as people write them: a Title, a date line, Heading 2 sections and a table."""
    import datetime

    import docx

    d = docx.Document()
    if title:
        d.add_paragraph(title, style="Title")
    if date_line:
        d.add_paragraph("发布日期：2023-09-18 来源：市住房和城乡建设局")
    d.add_paragraph(DOCX_INTRO)
    for heading, paragraphs in DOCX_SECTIONS:
        d.add_heading(heading, level=2)
        for text in paragraphs:
            d.add_paragraph(text)
    d.add_heading("各区进度", level=2)
    table = d.add_table(rows=0, cols=3)
    for row in DOCX_TABLE:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    d.add_paragraph("")     # empty paragraphs are no text
    d.sections[0].header.paragraphs[0].text = "市住建局 内部资料"      # page furniture, not text
    d.core_properties.title = core_title
    d.core_properties.created = core_date or datetime.datetime(2023, 9, 20, 8, 30)
    d.save(str(path))


def test_a_docx_reads_paragraphs_headings_and_table_rows(tmp_path):
    path = tmp_path / "renewal.docx"
    make_docx(path, core_title="不该用的属性标题")
    doc, parsed, got = read_one(path)
    assert doc.format == "docx" and not got.warnings
    assert parsed.title == "老旧小区改造提速"           # the text's own title wins ...
    assert parsed.date == "2023-09-18"                 # ... and its own date line
    assert parsed.publisher == "市住房和城乡建设局"
    assert paragraphs_by_section(parsed) == [
        ("", [DOCX_INTRO]), *DOCX_SECTIONS,
        ("各区进度", ["区 | 项目数 | 完成投资\n鼓楼区 | 18 | 3.2亿元\n台江区 | 24 | 4.1亿元"])]   # a table: one paragraph
    assert "内部资料" not in doc.text


def test_a_docx_without_title_or_date_in_its_text_takes_them_from_its_properties(tmp_path):
    import datetime

    path = tmp_path / "renewal.docx"
    make_docx(path, title=None, date_line=False, core_title="老旧小区改造提速",
              core_date=datetime.datetime(2023, 9, 20, 8, 30))
    doc, parsed, got = read_one(path)
    assert parsed.title == "老旧小区改造提速" and parsed.date == "2023-09-20"
    assert parsed.paragraphs[0].text == DOCX_INTRO


def test_a_damaged_docx_is_named_with_the_reason(tmp_path):
    good = tmp_path / "good.docx"
    make_docx(good)
    (tmp_path / "cut.docx").write_bytes(good.read_bytes()[:2000])
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))  # a .doc renamed
    for name in ("cut.docx", "old.docx"):
        got = documents.read_file(tmp_path / name, name)
        assert not got.documents and len(got.problems) == 1, (name, got)
        assert "cannot read: not a readable Word (.docx) file" in got.problems[0].reason, got.problems


# ---------------------------------------------------------------- indexed and asked, with the real model

@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory):
    """A folder of every format, indexed with the real default model."""
    root = tmp_path_factory.mktemp("formats")
    data = root / "data"
    data.mkdir()
    make_cjk_pdf(data / "flood.pdf")
    make_docx(data / "renewal.docx")
    (data / "german.txt").write_bytes(GERMAN.encode("latin-1"))
    (data / "chinese.txt").write_bytes(CHINESE.encode("gbk"))
    report = build_index([data], index_dir=root / "index")
    from bot import Retriever
    return report, Retriever.load(root / "index")


@pytest.mark.slow
@pytest.mark.parametrize("question, source, section", [
    ("谁带领突击队员连夜加固堤坝?", "flood.pdf", "林晓峰 应急管理局副局长"),
    ("泵站电机出故障后是谁冒雨抢修的?", "flood.pdf", "陈雅琴 水务站站长"),
    ("台江区在小区里新建了什么?", "renewal.docx", "台江区"),
    ("台江区完成投资多少?", "renewal.docx", "各区进度"),
    ("Who opened the new bridge over the Rhine?", "german.txt", ""),
    ("周明远去了哪里?", "chinese.txt", ""),
])
def test_questions_find_their_passage_in_every_format(mixed_index, question, source, section):
    report, retriever = mixed_index
    assert not report.skipped and not report.warnings
    top = retriever.search(question, k=3)[0]
    assert (top.source, top.section) == (source, section), (question, top)
