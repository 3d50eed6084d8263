"""A document's text -> title, date, sections and body paragraphs.

Every rule about what in an article is prose, a heading or page residue lives
here, so there is one place to read and test them. News pages copied to text
carry a title line, a date/source line, table residue (`| | | |`), photo
caption fragments and trailing link labels; none of those is a passage.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .documents import Document

# Whitespace that should read as a plain space; zero-width marks are removed.
_SPACES = re.compile(r"[ \t\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_BLANK_RUN = re.compile(r"\s*\n\s*")

_TERMINAL = "。！？!?；;….\"”’』」)）"
_CLAUSE_PUNCT = re.compile(r"[，,。！？!?；;：:、]")
_HAS_WORD = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DATE_LINE = re.compile(r"(日期|时间|发布|来源|作者|编辑|浏览|字号|Date|Published|Posted|Source)\s*[:：]", re.I)
_PUBLISHER = re.compile(r"来源\s*[:：]\s*([^\s|　]+)")
# A dateline under the title says when and by whom, with no label (鹤浦日报 2024年8月22日 记者 龚立群;
# 2024-07-12 鹤浦日报 第2版): a short line with a whole date, a paper, reporter or page, and no
# sentence in it (放假时间为2024年6月8日至10日 is the news itself).
_DATELINE_MAX_CHARS = 60
_DATELINE_WORD = re.compile(r"报|网|记者|通讯员|[第\d]+版|讯|编辑|来源")
_SENTENCE_PUNCT = re.compile(r"[，,。！？!?；;、]")
_DATE_ONLY = re.compile(rf"^{_DATE.pattern}\s*日?(?:\s*\d{{1,2}}[:：]\d{{2}}(?:[:：]\d{{2}})?)?$")
# | 2023 | 1350 | 46.7 |: a Markdown or web-page table's row; 2023 | 1350 | 46.7: a Word table's (docx_reader)
_TABLE_ROW = re.compile(r"^\|.*\|$|^[^|]+(?: \| [^|]*)+$")
_TITLE_SEPARATORS = "_-|－—｜·: "     # 开学首日..._鹤浦市教育局: a page's <title> is its heading and the site's name
# Labels of page furniture that end up in copied articles.
_RESIDUE = re.compile(
    r"^[【\[]?(相关链接|相关阅读|相关新闻|相关文章|附件|责任编辑|编辑|审核|打印本页|打印|关闭窗口|关闭"
    r"|分享到|扫一扫|上一篇|下一篇|返回顶部|字号|Related links?|Share|Print)[】\]]?\s*[:：]?\s*$", re.I)
_END_MARK = re.compile(r"^[（(]?(?:完|全文完|END)[)）]?$", re.I)    # （完）: a mark, not text
# Text copied out of a PDF keeps its page numbers (- 2 -, 第2页 共5页, 2/5) and, on every page, its
# running header: a short line that comes back word for word (only read so where page numbers are).
_PAGE_NUMBER = re.compile(r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
                          r"|\d{1,4}\s*/\s*\d{1,4}|Page\s+\d{1,4}(?:\s+of\s+\d{1,4})?)$", re.I)
# An official document: its number (澄住建村〔2025〕18号) is no text; its title is the 关于...的通知 line
# under the issuing body's name (澄川市住房和城乡建设局 澄川市财政局), which is its publisher.
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\d{4}[〕\]］】)）]\s*\d{1,4}\s*号$")
_DOC_TITLE = re.compile(r"^关于\S.{2,}的(?:通知|决定|报告|意见|通报|批复|请示|函|复函|公告|通告|办法|方案|规定|纪要)$")
_CAPTION = re.compile(r"^(图[为片:：]|图\d|（?[左右中前后][一二三四五六七八九]）?$)")
_OPEN, _CLOSE = "(（[【《“「『", ")）]】》”」』"

# 一、 / （二） / 3. / 案例一： (a brief's numbered cases, questions or points)
_ENUMERATOR = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]、?|\d+[、.．]\s*"
                         r"|(?:典型)?(?:案例|案件|问题|事例|要点)[一二三四五六七八九十\d]+[：:、]\s*)")
_MARKED_HEADING = re.compile(r"#{1,6}\s")   # "# Heading"; "#话题#" or "#1" is text
HEADING_MAX_CHARS = 30     # a heading is a short line ...
HEADING_BODY_RATIO = 2     # ... followed by prose at least this much longer
CAPTION_MAX_CHARS = 20
HARD_WRAP_MIN_CHARS = 40   # lines this long that end mid-sentence continue on the next line
# A text cut into lines of one width (a PDF's, copied): lines that long, less a little (digits and
# Latin letters are narrower), continue on the next line whatever the width. A text is so cut when
# at least WRAP_MIN_LINES lines and WRAP_SHARE of all stop mid-sentence at WRAP_MIN_CHARS or more.
WRAP_FILL = 0.8
WRAP_MIN_CHARS = 20
WRAP_MIN_LINES = 5
WRAP_SHARE = 0.3


def normalize(text: str) -> str:
    """Collapse whitespace: runs with a line break become one newline, others one space."""
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    return _BLANK_RUN.sub("\n", text).strip()


_CJK_START = "\u2e80"   # CJK radicals, punctuation, kana, ideographs and full-width forms lie above
WRAP_CONTEXT = 20


def text_of(text: str, start: int, end: int, cuts: tuple[tuple[int, int], ...] = ()) -> str:
    """normalize(text[start:end]) less the `cuts` within it (Article.cuts): where a hard-wrapped
    Chinese line goes on (总投资1.36 / 亿元 is 总投资1.36亿元), and a page's number and running header
    in the middle of a sentence (65 / .6% is 65.6%); a cut in English text leaves a space (no Chinese
    in the WRAP_CONTEXT characters before it)."""
    out, pos = [], start
    for a, b in cuts:
        if start <= a and b <= end:
            chinese = any(ch >= _CJK_START for ch in text[max(start, a - WRAP_CONTEXT):b + 1])
            out += [text[pos:a], "" if chinese else " "]
            pos = b
    out.append(text[pos:end])
    return normalize("".join(out))


@dataclass
class Paragraph:
    text: str       # normalised text
    start: int      # offsets into Document.text: text_of(text, start, end, Article.cuts) == self.text
    end: int
    section: str    # the heading it stands under ("" before the first heading)


@dataclass
class Article:
    title: str
    date: str
    publisher: str
    paragraphs: list[Paragraph]
    dropped: list[tuple[str, str]] = field(default_factory=list)   # (line, why)
    cuts: tuple[tuple[int, int], ...] = ()   # (start, end) in Document.text left out of the text: text_of


@dataclass
class _Line:
    text: str
    start: int
    end: int
    blank_before: bool


def _lines(text: str) -> list[_Line]:
    lines, blank, pos = [], True, 0
    for raw in text.split("\n"):
        clean = normalize(raw)
        if clean:
            lead = len(raw) - len(raw.lstrip())
            tail = len(raw.rstrip())
            lines.append(_Line(clean, pos + lead, pos + tail, blank))
            blank = False
        else:
            blank = True
        pos += len(raw) + 1
    return lines


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
    return depth == 0


def _is_residue(text: str) -> str | None:
    if not _HAS_WORD.search(text):
        return "no words (table or rule residue)"
    if _RESIDUE.match(text):
        return "page residue label"
    if _END_MARK.match(text):
        return "end mark"
    if len(text) <= CAPTION_MAX_CHARS and (not _balanced(text) or _CAPTION.match(text)):
        return "photo caption fragment"
    return None


def _repeats(title: str, line: str) -> bool:
    """Whether `line` is the title again: the same, or the title is it and a site's name after it."""
    return bool(line) and (title == line or (title.startswith(line) and title[len(line)] in _TITLE_SEPARATORS))


def without_numbering(heading: str) -> str:
    """A heading's words without the numbering it opens with (一、谭国栋 ... -> 谭国栋 ...)."""
    return _ENUMERATOR.sub("", heading, count=1)


def _numbering(text: str) -> tuple | None:
    """The kind of numbering `text` opens with: (in brackets, in digits, the mark after it), so that
    一、 and 二、 are one kind and （一） another; None if it opens with none."""
    found = _ENUMERATOR.match(text)
    if not found:
        return None
    mark = found.group().strip()
    return mark[0] in "（(", any(ch.isdigit() for ch in mark), {"．": ".", ")": "）"}.get(mark[-1], mark[-1])


def _heading_like(text: str) -> bool:
    """A short numbered line with no clause in it (二、先进个人（18名）): a heading, not prose."""
    return bool(_ENUMERATOR.match(text)) and len(text) <= HEADING_MAX_CHARS \
        and not _CLAUSE_PUNCT.search(without_numbering(text))


def _wrap_width(lines: list[_Line]) -> int | None:
    """The width a hard-wrapped text (copied from a PDF) is cut at: the median length of its
    lines that stop mid-sentence, when most lines of some length do; None for running text."""
    cut = sorted(len(l.text) for l in lines if len(l.text) >= WRAP_MIN_CHARS and l.text[-1] not in _TERMINAL)
    if len(cut) < WRAP_MIN_LINES or len(cut) < WRAP_SHARE * len(lines):
        return None
    return cut[len(cut) // 2]


def _is_heading(line: _Line, following: _Line | None, wrapped_at: int | None = None) -> bool:
    """Whether `line` heads what follows; `wrapped_at`: the length at which a hard-wrapped text's
    lines go on on the next (_wrap_width), None for running text."""
    text = line.text
    # 一、2023年工作回顾 / （二）特色产业 / 3. 人才回流: the numbering's 、 is no clause mark
    words = without_numbering(text)
    # 二、“村里老人走不远，我就走过去”: a numbered part may be headed by a quotation, commas and all
    quoted = words != text and len(words) > 2 and words[0] in "“「『" and words[-1] in "”」』"
    if len(text) > HEADING_MAX_CHARS or not words or " | " in text \
            or (not quoted and (_CLAUSE_PUNCT.search(words) or text[-1] in _TERMINAL)):
        return False
    if not _balanced(text) or following is None or _DATE_ONLY.match(text):
        return False    # a signature's date (2024年11月26日) heads nothing
    numbered = _ENUMERATOR.match(text)
    if numbered and _numbering(numbered.group()) == _numbering(following.text):
        return False    # 1、县人民医院 then 2、县第一中学，...: items of one list, not a heading and its text
    # What follows a heading is prose: a whole sentence, or a much longer line. Not another
    # heading ending in a bracket: 澄川市森林消防大队一中队 over 二、先进个人（18名） is a list's last item.
    # A hard-wrapped text's full line goes on: prose too.
    return ((following.text[-1] in _TERMINAL and not _heading_like(following.text))
            or len(following.text) >= max(HEADING_BODY_RATIO * len(text), HEADING_MAX_CHARS)
            or (wrapped_at is not None and len(following.text) >= max(wrapped_at, HEADING_BODY_RATIO * len(text))))


def parse(doc: Document) -> Article:
    """Split a document into metadata and sectioned body paragraphs."""
    lines = _lines(doc.text)
    title, date, publisher = doc.title, doc.date, doc.publisher
    dropped: list[tuple[str, str]] = []
    body: list[_Line] = []
    # Markdown and Word files mark their headings ("# ", heading styles); Word authors also
    # write headings as short lines in body style, so those are guessed as in a .txt.
    marked = doc.format in ("md", "docx")
    guessed = doc.format != "md"

    # Where a text has page numbers, a short line that comes back word for word is its running header.
    paged = any(_PAGE_NUMBER.match(line.text) for line in lines)
    seen = Counter(line.text for line in lines)
    running = {t for t, n in seen.items() if paged and n >= 2 and len(t) <= HEADING_MAX_CHARS + 10
               and not _CLAUSE_PUNCT.search(t) and not _ENUMERATOR.match(t)}
    page_residue: list[_Line] = []

    looking_for_title = not title
    for line in lines:
        text = line.text
        under_title = not body and not looking_for_title     # between the title and the first body line
        date_line = (len(text) <= 80 and _DATE_LINE.search(text) and (_DATE.search(text) or "来源" in text)) or (
            under_title and len(text) <= _DATELINE_MAX_CHARS and _DATE.search(text)
            and _DATELINE_WORD.search(text) and not _SENTENCE_PUNCT.search(text) and not text.startswith("#"))
        # The first line is the title, unless it is a date line or has no words (then the next).
        if looking_for_title and not date_line and _HAS_WORD.search(text):
            looking_for_title = False
            if len(text) <= 80 and text[-1] not in "。！？!?":
                title = text.lstrip("# ").strip()
                continue
        if under_title and title and text.startswith(("——", "--")) \
                and len(text) <= _DATELINE_MAX_CHARS and _HAS_WORD.search(text):
            title = f"{title} {text}"      # a subtitle under the title (——访市交通运输局主要负责人)
            continue
        if under_title and _DOC_TITLE.match(text):
            if title and not publisher and len(title) <= HEADING_MAX_CHARS and not _CLAUSE_PUNCT.search(title):
                publisher = title     # the issuing body's name above it
            title = text
            continue
        if _PAGE_NUMBER.match(text) or text in running:   # (the first line was the title)
            dropped.append((text, "page number" if _PAGE_NUMBER.match(text) else "running header"))
            page_residue.append(line)
            continue
        if _DOC_NUMBER.match(text):
            dropped.append((text, "document number"))
            continue
        if under_title and title and _repeats(title, text.lstrip("# ").strip()):
            dropped.append((text, "the title again"))   # a web page's <h1> under its <title>
            continue
        if date_line:
            found = _DATE.search(text)
            if found and not date:
                date = "{}-{:0>2}-{:0>2}".format(*found.groups())
            source = _PUBLISHER.search(text)
            if source and not publisher:
                publisher = source.group(1)
            dropped.append((text, "date/source line"))
            continue
        why = _is_residue(text)
        if why:
            dropped.append((text, why))
            continue
        body.append(line)

    wrap = _wrap_width(body)
    wrapped_at = min(HARD_WRAP_MIN_CHARS, int(WRAP_FILL * wrap)) if wrap else HARD_WRAP_MIN_CHARS
    residue_at = {l.start for l in page_residue}

    def page_break(start: int, end: int) -> bool:
        """Whether all between offsets start and end is a page number or running header."""
        between = [l for l in _lines(doc.text[start:end])]
        return bool(between) and all(start + l.start in residue_at for l in between)

    paragraphs: list[Paragraph] = []
    cuts: list[tuple[int, int]] = []
    section, heading = "", None
    for i, line in enumerate(body):
        following = body[i + 1] if i + 1 < len(body) else None
        is_marked = marked and _MARKED_HEADING.match(line.text) is not None
        if is_marked or (guessed and _is_heading(line, following, wrapped_at if wrap else None)):
            if heading is not None:   # the previous heading has no text under it
                dropped.append((heading, "heading with no text under it"))
            section = line.text.lstrip("#").strip() if is_marked else line.text
            heading = line.text
            continue
        heading = None
        previous = paragraphs[-1] if paragraphs else None
        if (previous and previous.section == section and _TABLE_ROW.match(line.text)
                and _TABLE_ROW.match(previous.text.rsplit("\n", 1)[-1])
                and not _HAS_WORD.search(doc.text[previous.end:line.start])):   # at most a |---| rule between
            # A table's rows are one paragraph: a row alone (| 2023 | 46.7 |) does not say what its numbers are.
            previous.end = line.end
            previous.text = text_of(doc.text, previous.start, previous.end, tuple(cuts))
            continue
        if (previous and previous.section == section
                and not _TABLE_ROW.match(previous.text.rsplit("\n", 1)[-1])
                and len(previous.text) >= wrapped_at
                and previous.text[-1] not in _TERMINAL
                and ((not line.blank_before and not normalize(doc.text[previous.end:line.start]))
                     or page_break(previous.end, line.start))):  # no dropped line between, but a page's end
            # A hard-wrapped line: continue the paragraph, without the line break (text_of).
            cuts.append((previous.end, line.start))
            previous.end = line.end
            previous.text = text_of(doc.text, previous.start, previous.end, tuple(cuts))
            continue
        paragraphs.append(Paragraph(line.text, line.start, line.end, section))
    if heading is not None:
        dropped.append((heading, "heading with no text under it"))
    # The file's own properties stand in for a title or date line the text lacks.
    return Article(title=title or doc.file_title, date=date or doc.file_date, publisher=publisher,
                   paragraphs=paragraphs, dropped=dropped, cuts=tuple(cuts))
