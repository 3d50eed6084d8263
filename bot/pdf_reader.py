"""PDF bytes -> article text, laid out the way `bot.article` reads a .txt.

One job: turn the text layer of a PDF (pdfminer.six's layout analysis: lines with
their positions, in reading order) into paragraphs separated by blank lines:

- running headers and footers go: lines near the top or bottom edge that repeat
  at the same place on other pages (digits aside, so "2/3" repeats "1/3"), and,
  on any page, edge lines that are only a page number, a URL or a printed
  date and time (what a browser prints around a page);
- lines the page wrapped are joined back into their paragraph (Chinese without a
  space, Latin with one, a hyphen at a line end rejoining its word), across page
  breaks too; a paragraph ends where a line stops short of the column's right
  edge, the next line is indented, the gap grows or the font size changes; so a
  short line such as a person's name and post stands alone, as a heading does in
  a .txt.

A PDF whose pages are only images (a scan) has no text to read: `read` raises
`NoTextLayer`; OCR is out of scope.
"""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass

EDGE_BAND = 0.12        # share of the page height, at top and bottom, where headers/footers live
SAME_PLACE_PT = 4.0     # a running line repeats within this many points of its place
MIN_TEXT_CHARS = 10     # a PDF with less text than this has no text layer to speak of

_PAGE_NUMBER = re.compile(
    r"^[\s\-–—~·•|\[\](（）)]*(?:(?:page|p\.|pg\.?)\s*)?\d{1,4}(?:\s*(?:/|of|共)\s*\d{1,4})?\s*页?[\s\-–—~·•|\[\](（）)]*$"
    r"|^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$|^共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页$",
    re.I)
_URL = re.compile(r"^(?:https?://|file:///?|www\.)\S+$", re.I)
_PRINTED_TIME = re.compile(   # 2024/5/6 10:23, 5/6/24, 10:23 AM, 2024-05-06 下午3:20
    r"^\d{1,4}[/.\-年]\d{1,2}[/.\-月]\d{1,4}日?[,，]?\s*(?:上午|下午|AM|PM)?\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:AM|PM)?$",
    re.I)
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


class NoTextLayer(ValueError):
    """The PDF's pages are images (a scan): there is no text to index without OCR."""


@dataclass
class PdfText:
    text: str                          # paragraphs separated by blank lines
    pages: int
    pages_without_text: list[int]      # 1-based numbers of pages that are only images


@dataclass
class _Line:
    text: str
    page: int
    x0: float
    x1: float
    top: float        # distance from the top of the page to the line's top
    bottom: float     # distance from the top of the page to the line's bottom
    size: float       # the line's height: its font size, near enough
    page_height: float


def read(data: bytes) -> PdfText:
    """The article text of a PDF. Raises ValueError (NoTextLayer for scans) with a reason."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    pages: list[list[_Line]] = []
    image_pages: set[int] = set()
    try:
        for number, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams(all_texts=True)), 1):
            lines, images = _page_lines(page, number)
            pages.append(lines)
            if images:
                image_pages.add(number)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ValueError("the PDF is encrypted (it needs a password)") from None
    except Exception as e:   # pdfminer raises many kinds on damaged files; any is "cannot read"
        raise ValueError(f"not a readable PDF ({type(e).__name__}: {e})"[:200]) from None
    if not pages:
        raise ValueError("the PDF has no pages")
    without_text = [n for n, lines in enumerate(pages, 1)
                    if n in image_pages and sum(len(line.text) for line in lines) < MIN_TEXT_CHARS]
    if sum(len(line.text) for lines in pages for line in lines) < MIN_TEXT_CHARS:
        if image_pages:
            raise NoTextLayer(f"a scanned PDF: its {len(pages)} page{'s are' if len(pages) > 1 else ' is an'} "
                              f"image{'s' if len(pages) > 1 else ''} with no text layer (OCR is not supported)")
        raise ValueError("the PDF has no text")
    furniture = _furniture(pages)
    body = [line for lines in pages for line in lines if id(line) not in furniture]
    return PdfText("\n\n".join(_paragraphs(body)), len(pages), without_text)


def _page_lines(page, number: int) -> tuple[list[_Line], bool]:
    """The text lines of a page in reading order, and whether it shows an image."""
    from pdfminer.layout import LTImage, LTTextLineHorizontal

    lines, images = [], False

    def walk(item):
        nonlocal images
        if isinstance(item, LTImage):
            images = True
        elif isinstance(item, LTTextLineHorizontal):
            text = item.get_text().rstrip("\n")
            if text.strip():
                lines.append(_Line(text.rstrip(), number, item.x0, item.x1, page.height - item.y1,
                                   page.height - item.y0, item.height, page.height))
            return
        for child in getattr(item, "_objs", ()):
            walk(child)

    walk(page)
    return lines, images


def _shape(text: str) -> str:
    """A line's text with digits and spaces aside: "2/3" and "3/3" have one shape."""
    return re.sub(r"\d+", "#", "".join(text.split()))


def _edge(line: _Line) -> str | None:
    if line.bottom <= EDGE_BAND * line.page_height:
        return "top"
    if line.top >= (1 - EDGE_BAND) * line.page_height:
        return "bottom"
    return None


def _place(line: _Line, edge: str) -> float:
    """Distance from the edge the line is near."""
    return line.top if edge == "top" else line.page_height - line.bottom


def _furniture(pages: list[list[_Line]]) -> set[int]:
    """ids of the running headers and footers, page numbers and a browser's printed date/URL lines."""
    edges = [(line, edge) for lines in pages for line in lines if (edge := _edge(line))]
    same_shape: dict[tuple[str, str], list[_Line]] = {}
    for line, edge in edges:
        same_shape.setdefault((_shape(line.text), edge), []).append(line)
    # A running line is on at least half of the other pages (a first page often has none).
    needed = max(1, (len(pages) - 1) // 2)
    found = set()
    for line, edge in edges:
        text = line.text.strip()
        if _PAGE_NUMBER.match(text) or _URL.match(text) or _PRINTED_TIME.match(text):
            found.add(id(line))
    # A browser prints the page's title beside the date, and its URL beside the page number:
    # what shares a row at the edge with such a line belongs to the same header or footer.
    rows = {(line.page, edge, round(line.top)) for line, edge in edges if id(line) in found}
    for line, edge in edges:
        if any((line.page, edge, round(line.top) + d) in rows for d in (-2, -1, 0, 1, 2)):
            found.add(id(line))
    for line, edge in edges:
        if id(line) in found:
            continue
        place = _place(line, edge)
        pages_with_it = {o.page for o in same_shape[(_shape(line.text), edge)]
                         if o.page != line.page and abs(_place(o, edge) - place) <= SAME_PLACE_PT}
        if len(pages_with_it) >= needed and len(pages) > 1:
            found.add(id(line))
    return found


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Join wrapped lines back into paragraphs."""
    if not lines:
        return []
    columns = {id(line): _column(line, lines) for line in lines}
    gaps = _usual_gaps(lines)
    paragraphs: list[str] = []
    current = lines[0].text.strip()
    for a, b in zip(lines, lines[1:]):
        if _continues(a, b, columns, gaps):
            current = _join(current, b.text.strip())
        else:
            paragraphs.append(current)
            current = b.text.strip()
    paragraphs.append(current)
    return [p for p in paragraphs if p]


def _column(line: _Line, lines: list[_Line]) -> tuple[float, float]:
    """Left and right edge of the column `line` stands in: the lines of its page it overlaps."""
    same = [o for o in lines if o.page == line.page and o.x0 < line.x1 and line.x0 < o.x1]
    return min(o.x0 for o in same), max(o.x1 for o in same)


def _usual_gaps(lines: list[_Line]) -> dict[int, float]:
    """The usual space between consecutive lines of each page (the median)."""
    by_page: dict[int, list[float]] = {}
    for a, b in zip(lines, lines[1:]):
        if a.page == b.page and b.top >= a.bottom - 1:
            by_page.setdefault(a.page, []).append(b.top - a.bottom)
    return {page: statistics.median(g) for page, g in by_page.items()}


def _continues(a: _Line, b: _Line, columns: dict, gaps: dict[int, float]) -> bool:
    """Does line `b` continue the paragraph that line `a` is in?"""
    em = max(a.size, 1.0)
    if abs(a.size - b.size) > 0.2 * em:                     # another font size: a title, a heading
        return False
    a_left, a_right = columns[id(a)]
    b_left, _ = columns[id(b)]
    hyphenated = a.text.endswith("-") and a.text[-2:-1].isalpha() and b.text.lstrip()[:1].islower()
    if a_right - a.x1 > _room_needed(a, b) and not hyphenated:   # `b`'s first word would have fit on `a`
        return False
    if b.x0 > b_left + 0.8 * em or b.text[:1] in (" ", "\u3000", "\t"):   # `b` is indented
        return False
    if a.page == b.page and b.top >= a.bottom - 1:          # the next line down (not a new column)
        if b.top - a.bottom > gaps.get(a.page, 0.0) + 0.5 * em:   # a wider gap than usual
            return False
    return True


def _room_needed(a: _Line, b: _Line) -> float:
    """How much space at the end of line `a` means its paragraph ended there: more than
    the first word of `b` (one character in Chinese) and a space would have taken."""
    char = (a.x1 - a.x0) / max(1, len(a.text))
    first = b.text.split()[0] if b.text.split() else ""
    if not first or _CJK.match(first[0]):
        return 1.5 * char
    return (len(first) + 1.5) * char


def _join(left: str, right: str) -> str:
    if not left or not right:
        return left + right
    if _CJK.match(left[-1]) or _CJK.match(right[0]):
        return left + right
    if left.endswith("-") and left[-2:-1].isalpha() and right[0].islower():
        return left[:-1] + right
    return left + " " + right
