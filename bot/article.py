"""A document's text -> title, date, sections and body paragraphs.

Every rule about what in an article is prose, a heading or page residue lives
here, so there is one place to read and test them. News pages copied to text
carry a title line, a date/source line, table residue (`| | | |`), photo
caption fragments and trailing link labels; none of those is a passage.
"""

from __future__ import annotations

import re
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
    r"^[【\[]?(附件|责任编辑|编辑|审核|打印本页|打印|关闭窗口|关闭"
    r"|分享到|扫一扫|上一篇|下一篇|返回顶部|字号|Related links?|Share|Print)[】\]]?\s*[:：]?\s*$", re.I)
_END_MARK = re.compile(r"^[（(]?(?:完|全文完|END)[)）]?$", re.I)    # （完）: a mark, not text
# A web page's or a WeChat post's list of other articles (往期推荐, 相关阅读) and its calls to follow:
# titles of what the archive does not hold, whose words match questions about them.
_MORE_TO_READ = re.compile(r"^[【\[]?(?:往期推荐|往期回顾|往期精选|往期精彩|相关阅读|相关新闻|相关文章|相关链接|推荐阅读"
                           r"|延伸阅读|热门推荐|精彩推荐|热点推荐|更多阅读|猜你喜欢|Related (?:articles|stories|links?)"
                           r"|Read more|More stories)[】\]]?\s*(?:[:：]\s*(?P<title>.*))?$", re.I)
LINK_MAX_CHARS = 40     # a title in such a list (it may end ？ or ！); a longer line, or one ending 。, is text again
_FULL_STOP_END = re.compile(r"。[”’」』\"]*$")   # a link's title may end ！ or ？, not 。
_FOLLOW_PROMPT = re.compile(r"^(?:点击|长按|扫码|扫描|识别).{0,10}关注|^[^，,。]{0,12}关注我们$"
                            r"|^分享\s*[|｜]?\s*(?:收藏|点赞)|点赞\s*[|｜]?\s*在看$|^-\s*(?:END|完)\s*-$", re.I)
FOLLOW_MAX_CHARS = 30
# Text copied out of a PDF keeps its page numbers (- 2 -, 第2页 共5页, Page 2 of 5) and, by each, its
# running header: a short line that comes back word for word beside them. Stricter than
# pdf_reader's: a bare 2 or 3/4 on a line of a text file may be content (an answer, a score).
_PAGE_NUMBER = re.compile(r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
                          r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页|Page\s+\d{1,4}(?:\s+of\s+\d{1,4})?)$", re.I)
RUNNING_NEAR = 1    # a running header stands next to a page number (the page's top, after the last one's number)
# An official document: its number under the title (澄住建村〔2025〕18号) is no text; its title is the
# 关于...的通知 line under the issuing body's name (澄川市住房和城乡建设局 澄川市财政局), its publisher.
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\d{4}[〕\]］】)）]\s*\d{1,4}\s*号$")
_DOC_TITLE = re.compile(r"^关于\S.{2,}的(?:通知|决定|报告|意见|通报|批复|请示|函|复函|公告|通告|办法|方案|规定|纪要)$")
_ISSUER = re.compile(r"^(?:\S{2,20}(?:局|委|委员会|政府|办公室|办公厅|厅|部|办|院|中心|公司|集团|协会|联合会|学校|大学|人大常委会)\s*)+$")
_CAPTION = re.compile(r"^(图[为片:：]|图\d|（?[左右中前后][一二三四五六七八九]）?$)")
_OPEN, _CLOSE = "(（[【《“「『", ")）]】》”」』"

# 一、 / （二） / 3. / 案例一： (a brief's numbered cases, questions or points)
_ENUMERATOR = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]、?|\d+[、.．]\s*"
                         r"|(?:典型)?(?:案例|案件|问题|事例|要点)[一二三四五六七八九十\d]+[：:、]\s*)")
_MARKED_HEADING = re.compile(r"#{1,6}\s")   # "# Heading"; "#话题#" or "#1" is text
_BULLET = re.compile(r"^[-*•·●○■□▪]\s")
HEADING_MAX_CHARS = 30     # a heading is a short line ...
HEADING_BODY_RATIO = 2     # ... followed by prose at least this much longer
CAPTION_MAX_CHARS = 20
HARD_WRAP_MIN_CHARS = 40   # a line this long that ends mid-sentence continues on the next line
# A text cut into lines of one width (a PDF's, copied) continues a line of WRAP_FILL of that width,
# whatever the width (digits and Latin letters are narrower). A text is so cut when, of its prose
# lines of WRAP_MIN_CHARS or more (not a list's items, a table's rows or marked headings), at least
# WRAP_MIN_LINES and WRAP_SHARE stop mid-sentence, WRAP_TIGHT of those within WRAP_SPREAD of their
# median length, and hardly any longer (in running text a long line is a paragraph and ends a sentence).
WRAP_FILL = 0.9
WRAP_MIN_CHARS = 20
WRAP_MIN_LINES = 5
WRAP_SHARE = 0.5
WRAP_TIGHT = 0.6
WRAP_SPREAD = (0.85, 1.1)
WRAP_LONGER, WRAP_OVER = 1.2, 0.05     # at most WRAP_OVER of the prose lines longer than WRAP_LONGER x the width
_STOPS = _TERMINAL + "：:"    # a line ending so does not go on on the next


def normalize(text: str) -> str:
    """Collapse whitespace: runs with a line break become one newline, others one space."""
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    return _BLANK_RUN.sub("\n", text).strip()


# A cut's characters are kept in the text the paragraphs read (Article.text), so that offsets hold,
# but as zero-width marks, which `normalize` removes; one stays a space between two English words.
_JOINER = "\u2060"
_GLUED = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")   # CJK and full-width


def _masked(text: str, cuts: list[tuple[int, int]]) -> str:
    """`text` with each cut (start, end) made zero-width: a hard-wrapped line goes on without a break
    where Chinese is within two characters of it (总投资1.36 / 亿元 is 总投资1.36亿元), before punctuation
    (65 / .6%) and after a hyphen (inter- / national); between English words a space stays. Page
    residue inside a cut (- 2 -, the running header) goes."""
    if not cuts:
        return text
    chars = list(text)
    for a, b in cuts:
        left, right = text[a - 1:a], text[b:b + 1]
        glue = bool(_GLUED.search(text[max(0, a - 2):a] + text[b:b + 2])) or not right.isalnum() \
            or (left == "-" and right.islower())      # (9月3 / 0日 is 9月30日)
        chars[a:b] = _JOINER * (b - a) if glue else " " + _JOINER * (b - a - 1)
    return "".join(chars)


@dataclass
class Paragraph:
    text: str       # normalised text
    start: int      # offsets into Document.text: normalize(Article.text[start:end]) == self.text
    end: int
    section: str    # the heading it stands under ("" before the first heading)


@dataclass
class Article:
    title: str
    date: str
    publisher: str
    paragraphs: list[Paragraph]
    dropped: list[tuple[str, str]] = field(default_factory=list)   # (line, why)
    text: str = ""    # Document.text as the paragraphs read it: hard wraps and page breaks within them
                      # zero-width (_masked), offsets unchanged; "" for Document.text itself


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
    if len(text) <= FOLLOW_MAX_CHARS and _FOLLOW_PROMPT.search(text):
        return "call to follow"
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


def _starts_item(text: str) -> bool:
    """Whether a line opens a list item or a numbered part (- 项目, 1. 县人民医院, 二、, 案例一：), not
    1.36亿元, which goes on from the line before."""
    found = _ENUMERATOR.match(text)
    return bool(_BULLET.match(text)) or (found is not None and not text[found.end():found.end() + 1].isdigit())


def _heading_like(text: str) -> bool:
    """A short numbered line with no clause in it (二、先进个人（18名）): a heading, not prose."""
    return _starts_item(text) and len(text) <= HEADING_MAX_CHARS \
        and not _CLAUSE_PUNCT.search(without_numbering(text))


def _wrap_width(lines: list[_Line]) -> int | None:
    """The width a hard-wrapped text (copied from a PDF) is cut at: the median length of its prose
    lines that stop mid-sentence, when enough do and alike (WRAP_*); None for running text."""
    prose = [l.text for l in lines if len(l.text) >= WRAP_MIN_CHARS and not _TABLE_ROW.match(l.text)
             and not _MARKED_HEADING.match(l.text) and not _starts_item(l.text)]
    cut = sorted(len(text) for text in prose if text[-1] not in _STOPS)
    if len(cut) < WRAP_MIN_LINES or len(cut) < WRAP_SHARE * len(prose):
        return None
    median = cut[len(cut) // 2]
    alike = sum(WRAP_SPREAD[0] * median <= n <= WRAP_SPREAD[1] * median for n in cut)
    # no line runs past the width (a list's lead-in sentence does: 具体名单如下：)
    longer = sum(len(text) > WRAP_LONGER * median for text in prose)
    return median if alike >= WRAP_TIGHT * len(cut) and longer <= WRAP_OVER * len(prose) else None


def _is_heading(line: _Line, following: _Line | None, before: _Line | None = None,
                wrapped_at: int | None = None) -> bool:
    """Whether `line` heads what follows it; `before`: the line before it; `wrapped_at`: the length
    from which a hard-wrapped text's line goes on on the next, None for running text."""
    text = line.text
    # 一、2023年工作回顾 / （二）特色产业 / 3. 人才回流: the numbering's 、 is no clause mark
    words = without_numbering(text)
    # 二、“村里老人走不远，我就走过去”: a numbered part may be headed by a quotation, commas and all
    quoted = words != text and len(words) > 2 and words[0] in "“「『" and words[-1] in "”」』"
    # 【亮点一：千人海蛎宴】: a line wholly in square brackets is a post's heading, its colon and all
    quoted = quoted or (len(text) > 2 and text[0] == "【" and text[-1] == "】" and text.count("【") == 1)
    if len(text) > HEADING_MAX_CHARS or not words or " | " in text \
            or (not quoted and (_CLAUSE_PUNCT.search(words) or text[-1] in _TERMINAL)):
        return False
    if not _balanced(text) or following is None or _DATE_ONLY.match(text) or _BULLET.match(text):
        return False    # a signature's date (2024年11月26日) heads nothing, nor a list's item (- 项目)
    if wrapped_at is not None and (len(text) >= wrapped_at or (
            before is not None and len(before.text) >= wrapped_at and before.text[-1] not in _STOPS)):
        return False    # a full line of a hard-wrapped text, or the rest of one: prose
    numbered = _ENUMERATOR.match(text)
    if numbered and _numbering(numbered.group()) == _numbering(following.text):
        return False    # 1、县人民医院 then 2、县第一中学，...: items of one list, not a heading and its text
    # What follows a heading is prose: a whole sentence, or a much longer line; for an unnumbered
    # line, not a numbered heading ending in a bracket (澄川市森林消防大队一中队 over 二、先进个人（18名）
    # is a list's last item; 一、交通基础设施 over （一）续建项目（12个） is a heading over a heading).
    # A hard-wrapped text's full line is prose too.
    return ((following.text[-1] in _TERMINAL and (numbered or not _heading_like(following.text)))
            or len(following.text) >= max(HEADING_BODY_RATIO * len(text), HEADING_MAX_CHARS)
            or (wrapped_at is not None and len(following.text) >= max(wrapped_at, HEADING_BODY_RATIO * len(text))))


def _running_headers(lines: list[_Line]) -> set[str]:
    """The running headers of a text copied from a PDF: short lines that come back word for word,
    each time within RUNNING_NEAR lines of a page number (or first, as the title). None without
    two page numbers: a report's 主要成效 under each part, or a unit twice in a list, is text."""
    numbers = [i for i, line in enumerate(lines) if _PAGE_NUMBER.match(line.text)]
    if len(numbers) < 2:
        return set()
    at: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if len(line.text) <= HEADING_MAX_CHARS + 10 and not _CLAUSE_PUNCT.search(line.text) \
                and not _starts_item(line.text) and not _PAGE_NUMBER.match(line.text):
            at.setdefault(line.text, []).append(i)
    return {text for text, where in at.items() if len(where) >= 2
            and all(i == 0 or any(abs(i - n) <= RUNNING_NEAR for n in numbers) for i in where)}


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
    running = _running_headers(lines)
    page_residue: set[int] = set()     # where page numbers and running headers start

    looking_for_title = not title
    issuer = ""       # an official document's issuing body, over its 关于...的通知 line
    links = False     # in a list of other articles' titles (往期推荐)
    for k, line in enumerate(lines):
        text = line.text
        more = _MORE_TO_READ.match(text)
        if more and len(more.group("title") or "") <= LINK_MAX_CHARS:
            links = not more.group("title")     # 往期推荐 over a list; 相关阅读：一个标题 is the list
            dropped.append((text, "list of other articles"))
            continue
        if links and len(text) <= LINK_MAX_CHARS and not _FULL_STOP_END.search(text) and not _ENUMERATOR.match(text) \
                and not _MARKED_HEADING.match(text) and not (text[0] == "【" and text[-1] == "】"):
            dropped.append((text, "list of other articles"))
            continue
        # a sentence, a longer line or a heading (二、下一步工作, ## 下一步, 【亮点二】) is text again
        links = False
        under_title = not body and not looking_for_title     # between the title and the first body line
        date_line = (len(text) <= 80 and _DATE_LINE.search(text) and (_DATE.search(text) or "来源" in text)) or (
            under_title and len(text) <= _DATELINE_MAX_CHARS and _DATE.search(text)
            and _DATELINE_WORD.search(text) and not _SENTENCE_PUNCT.search(text) and not text.startswith("#"))
        page_number = _PAGE_NUMBER.match(text)
        if page_number or (text in running and not looking_for_title):
            dropped.append((text, "page number" if page_number else "running header"))
            page_residue.add(line.start)
            continue
        if (looking_for_title or under_title) and _DOC_NUMBER.match(text):
            dropped.append((text, "document number"))
            continue
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
        if under_title and title and _repeats(title, text.lstrip("# ").strip()):
            dropped.append((text, "the title again"))   # a web page's <h1> under its <title>
            continue
        if under_title and not doc.title and _DOC_TITLE.match(text) and (issuer or _ISSUER.match(title)):
            publisher = publisher or issuer or title    # the issuing body's name above the document's title
            title = text
            continue
        if under_title and not doc.title and _ISSUER.match(text) and k + 1 < len(lines) \
                and _DOC_TITLE.match(lines[k + 1].text):
            issuer = text       # under a running header that came first
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
        before = lines[k - 1].text if k else ""
        if why == "photo caption fragment" and not line.blank_before and len(before) >= WRAP_MIN_CHARS \
                and before[-1] not in _STOPS:
            why = None      # the rest of a hard-wrapped line (两班倒”施工。 after ...实行“), not a caption
        if why:
            dropped.append((text, why))
            continue
        body.append(line)

    wrap = _wrap_width(body)
    wrapped_at = min(HARD_WRAP_MIN_CHARS, int(WRAP_FILL * wrap)) if wrap else HARD_WRAP_MIN_CHARS

    def page_break(start: int, end: int) -> bool:
        """Whether all between offsets start and end is page numbers and running headers."""
        between = _lines(doc.text[start:end])
        return bool(between) and all(start + l.start in page_residue for l in between)

    paragraphs: list[Paragraph] = []
    cuts: list[tuple[int, int]] = []
    last: _Line | None = None       # the last line of the last paragraph
    section, heading = "", None
    for i, line in enumerate(body):
        following = body[i + 1] if i + 1 < len(body) else None
        is_marked = marked and _MARKED_HEADING.match(line.text) is not None
        if is_marked or (guessed and _is_heading(line, following, body[i - 1] if i else None,
                                                 wrapped_at if wrap else None)):
            name = line.text.lstrip("#").strip() if is_marked else line.text
            if title and name == title:      # the title again, word for word (a prefix of it is a section's own)
                dropped.append((line.text, "the title again"))   # a page's <h1> under what it kept above it
                continue
            if heading is not None:   # the previous heading has no text under it
                dropped.append((heading, "heading with no text under it"))
            section = name
            heading = line.text
            continue
        heading = None
        previous = paragraphs[-1] if paragraphs else None
        if (previous and previous.section == section and last is not None and _TABLE_ROW.match(line.text)
                and _TABLE_ROW.match(last.text)
                and not _HAS_WORD.search(doc.text[previous.end:line.start])):   # at most a |---| rule between
            # A table's rows are one paragraph: a row alone (| 2023 | 46.7 |) does not say what its numbers are.
            previous.end, last = line.end, line
            continue
        if (previous and previous.section == section and last is not None
                and not _TABLE_ROW.match(last.text) and not _starts_item(line.text)
                and len(last.text) >= wrapped_at and last.text[-1] not in _STOPS
                and ((not line.blank_before and not normalize(doc.text[previous.end:line.start]))
                     or page_break(previous.end, line.start))):  # no dropped line between, but a page's end
            # A hard-wrapped line: the paragraph goes on, without the line break (_masked).
            cuts.append((previous.end, line.start))
            previous.end, last = line.end, line
            continue
        paragraphs.append(Paragraph(line.text, line.start, line.end, section))
        last = line
    if heading is not None:
        dropped.append((heading, "heading with no text under it"))
    text = _masked(doc.text, cuts)
    for p in paragraphs:
        p.text = normalize(text[p.start:p.end])
    # The file's own properties stand in for a title or date line the text lacks.
    return Article(title=title or doc.file_title, date=date or doc.file_date, publisher=publisher,
                   paragraphs=paragraphs, dropped=dropped, text=text if cuts else "")
